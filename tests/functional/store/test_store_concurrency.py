# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many writers at once, as real processes: the forks of one run, and two runs over the same hosts.

Every writer opens the store itself (the first ones race to create the schema), waits for a
common start signal, then writes its hosts one result at a time, as the action plugin does.
"""

import json
import os
import subprocess
import sys
import time

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query as query
from tests.support import storedata

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WRITER = r'''
import json, os, sys, time
sys.path[:0] = [sys.argv[1], os.path.join(sys.argv[1], '.collections')]
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from tests.support import storedata
url, start, run, first, count = sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
while time.time() < start:
    time.sleep(0.005)
done = []
for index in range(first, first + count):
    result = storedata.make_result(index, run=run, patch_count=600)
    with _store.open_store(url) as store:
        store.record_result(storedata.host_name(index), result)
    done.append(storedata.host_name(index))
print(json.dumps(done))
'''

FORKS = 8
HOSTS_PER_FORK = 5


def start_run(url, run, start):
    """One 'ansible-playbook' run: FORKS processes, each writing its share of the hosts."""
    return [subprocess.Popen([sys.executable, '-c', WRITER, REPO_ROOT, url, str(start), str(run),
                              str(fork * HOSTS_PER_FORK), str(HOSTS_PER_FORK)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
            for fork in range(FORKS)]


def test_many_forks_of_two_runs_write_at_once_and_nothing_is_lost(store_url):
    start = time.time() + 3
    writers = start_run(store_url, 1, start) + start_run(store_url, 2, start)
    written = []
    for writer in writers:
        stdout, stderr = writer.communicate(timeout=300)
        assert writer.returncode == 0, stderr
        written.extend(json.loads(stdout))
    hosts = sorted(set(written))
    assert len(written) == 2 * FORKS * HOSTS_PER_FORK and len(hosts) == FORKS * HOSTS_PER_FORK
    with _store.open_store(store_url) as store:
        items, dummy = query.instance_patch_states(store)
        history = query.history(store)
    assert [item['instance_id'] for item in items] == hosts
    assert len(history) == len(written)
    newest = {}
    for entry in history:  # newest first
        newest.setdefault(entry['instance_id'], entry)
    for item in items:
        index = int(item['instance_id'][4:])
        runs = dict((run, storedata.make_result(index, run=run, patch_count=600)['instance_patch_state'])
                    for run in (1, 2))
        # Last writer wins: the state is the one of the run whose write came last.
        assert item['missing_count'] == newest[item['instance_id']]['missing_count']
        assert item['missing_count'] in (runs[1]['missing_count'], runs[2]['missing_count'])
        assert item['patch_count'] == 600
