# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet-down leaves nothing behind, also after fleet-up itself crashed.

Uses the session fleet: takes it down, checks, and brings it back up for later tests.
"""

import json
import os
import signal
import subprocess
import sys
import time

from tests.fleet import fleetctl
from tests.fleet.conftest import FLEET_SIZE, REPO_ROOT

FLEETCTL = os.path.join(REPO_ROOT, 'tests', 'fleet', 'fleetctl.py')


def processes_inside(directory):
    """PIDs of processes whose root directory or working directory is below ``directory``."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        for link in ('root', 'cwd'):
            try:
                target = os.readlink('/proc/%s/%s' % (entry, link))
            except OSError:
                continue
            if target.startswith(directory + '/'):
                found.append(int(entry))
    return sorted(set(found))


def mounts_below(directory):
    with open('/proc/self/mountinfo') as handle:
        return [line.split()[4] for line in handle if line.split()[4].startswith(directory)]


def assert_nothing_left(records):
    alive = [record for record in records if fleetctl.is_running(record)]
    assert alive == []
    assert processes_inside(fleetctl.fleet_dir()) == []
    assert mounts_below(fleetctl.fleet_dir()) == []
    assert not os.path.exists(fleetctl.run_dir())
    for node in range(2, 2 + FLEET_SIZE):
        probe = subprocess.run(['ssh', '-n', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=3', 'root@127.0.0.%d' % node, 'true'],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
        assert 'Connection refused' in probe.stderr


def test_down_stops_every_process_and_mount(fleet):
    records = fleetctl.load_state()['processes']
    assert len([r for r in records if r['role'] == 'node-init']) == len(fleet.nodes)
    assert processes_inside(fleetctl.run_dir())          # the nodes run chrooted below run/
    subprocess.run([sys.executable, FLEETCTL, 'down', '--session-held'], check=True)
    try:
        assert_nothing_left(records)
    finally:
        fleet.restart()


def test_down_after_a_crashed_up_stops_what_it_had_started(fleet):
    subprocess.run([sys.executable, FLEETCTL, 'down', '--session-held'], check=True)
    try:
        crashing = subprocess.Popen([sys.executable, FLEETCTL, 'up', '--nodes', '3', '--no-repositories', '--session-held'],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill fleetctl as soon as it has started its second node (it is then mid-way).
        deadline = time.monotonic() + 120
        started = []
        while len(started) < 2 and crashing.poll() is None and time.monotonic() < deadline:
            try:
                with open(fleetctl.state_path()) as handle:
                    started = [r for r in json.load(handle)['processes'] if r['role'] == 'node-init']
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        crashing.send_signal(signal.SIGKILL)
        crashing.wait()
        assert len(started) >= 2
        assert all(fleetctl.is_running(record) for record in started)   # the crash left nodes running
        records = fleetctl.load_state()['processes']
        subprocess.run([sys.executable, FLEETCTL, 'down', '--session-held'], check=True)
        assert_nothing_left(records)
    finally:
        fleet.restart()
