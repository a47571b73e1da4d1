# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rate_control strategy on the SSH fleet: a sliding window of hosts and a run-wide error budget.

Each host notes on the controller when its run starts and ends (tests/fleet_layer/playbooks/
rate_window.yml); the tests read those times. Hosts start in inventory order, node2 to node7.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOK = os.path.join(HERE, 'playbooks', 'rate_window.yml')
HOSTS = ['node2', 'node3', 'node4', 'node5', 'node6', 'node7']


def run_window(workspace, concurrency, errors, seconds, failing=()):
    directory = os.path.join(workspace.directory, 'times')
    os.makedirs(directory)
    run = workspace.playbook(PLAYBOOK, {'window_concurrency': concurrency, 'window_errors': errors,
                                        'window_seconds': seconds, 'window_failing': list(failing),
                                        'window_dir': directory})
    spans = {}
    for host in HOSTS:
        path = os.path.join(directory, host)
        if os.path.exists(path + '.start'):
            with open(path + '.start') as start, open(path + '.end') as end:
                spans[host] = (float(start.read()), float(end.read()))
    return run, spans


def most_at_once(spans):
    events = sorted([(start, 1) for start, dummy in spans.values()] + [(end, -1) for dummy, end in spans.values()])
    level = peak = 0
    for dummy, change in events:
        level += change
        peak = max(peak, level)
    return peak


def test_a_new_host_starts_as_soon_as_one_finishes(workspace):
    # node2 is slow; with batches of 2 (serial) node4 would wait for it.
    run, spans = run_window(workspace, 2, '100%', {'node2': 12})
    assert run.returncode == 0, run.stdout[-3000:]
    assert sorted(spans) == HOSTS
    assert most_at_once(spans) == 2
    # The other five hosts run one after another in the second slot while node2 works.
    assert spans['node4'][0] < spans['node2'][1]
    assert spans['node7'][1] < spans['node2'][1]
    assert run.summary['totals']['not_attempted'] == 0


def test_max_errors_0_stops_starting_hosts_after_the_first_error_and_running_hosts_finish(workspace):
    run, spans = run_window(workspace, 2, 0, {'node2': 8, 'node3': 1}, failing=['node3'])
    assert run.returncode != 0
    # node3 failed while node2 was running: node2 finished, nothing else started.
    assert sorted(spans) == ['node2', 'node3']
    assert spans['node3'][1] < spans['node2'][1]
    totals = run.summary['totals']['hosts_by_outcome']
    assert totals['failed'] == ['node3']
    assert totals['not_attempted'] == ['node4', 'node5', 'node6', 'node7']


def test_percentages_of_the_targets(workspace):
    # 50% of 6 hosts run at once; 20% of 6 = 1 error is tolerated, the second stops the run.
    run, spans = run_window(workspace, '50%', '20%', {'node2': 1, 'node3': 4, 'node4': 8, 'node5': 8},
                            failing=['node2', 'node3'])
    assert most_at_once(spans) == 3
    totals = run.summary['totals']['hosts_by_outcome']
    assert totals['failed'] == ['node2', 'node3']
    # node2's error is within the budget, so node5 takes its slot; node3's exceeds it.
    assert spans['node5'][0] < spans['node3'][1]
    assert totals['not_attempted'] == ['node6', 'node7']


def test_an_invalid_limit_fails_before_any_host_starts(workspace):
    run, spans = run_window(workspace, '0%', 0, {})
    assert run.returncode != 0
    assert spans == {}
    assert 'patch_max_concurrency must be a count of 1 or more or a percentage 1%..100% (got 0%)' in run.stdout + run.stderr
