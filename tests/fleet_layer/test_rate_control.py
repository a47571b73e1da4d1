# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rate_control strategy on the SSH fleet: a sliding window of hosts and a run-wide error budget.

Each host sleeps for a time the test chooses (tests/fleet_layer/playbooks/rate_window.yml); the
strategy's records say when each host started and finished (whole seconds). Hosts start in
inventory order, node2 to node7. Durations leave wide margins: the machine may be busy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOK = os.path.join(HERE, 'playbooks', 'rate_window.yml')
HOSTS = ['node2', 'node3', 'node4', 'node5', 'node6', 'node7']


def run_window(workspace, concurrency, errors, seconds, failing=()):
    """The run and {host: (start, end)} (epoch seconds) of every host the strategy started."""
    run = workspace.playbook(PLAYBOOK, {'window_concurrency': concurrency, 'window_errors': errors,
                                        'window_seconds': seconds, 'window_failing': list(failing)})
    records = run.custom_stats['_run']['patch_fleet_result']['hosts']
    spans = {}
    for host, record in records.items():
        if record['start_time']:
            spans[host] = (epoch(record['start_time']), epoch(record['end_time']))
    return run, spans


def epoch(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp()


def most_at_once(spans):
    events = sorted([(start, 1) for start, dummy in spans.values()] + [(end, -1) for dummy, end in spans.values()])
    level = peak = 0
    for dummy, change in events:
        level += change
        peak = max(peak, level)
    return peak


def test_a_new_host_starts_as_soon_as_one_finishes(workspace):
    # node2 is slow; with batches of 2 (serial) node4 would wait for it.
    run, spans = run_window(workspace, 2, '100%', {'node2': 25})
    assert run.returncode == 0, run.stdout[-3000:]
    assert sorted(spans) == HOSTS
    assert most_at_once(spans) == 2
    assert spans['node4'][0] < spans['node2'][1]
    assert run.summary['totals']['not_attempted'] == 0


def test_max_errors_0_stops_starting_hosts_after_the_first_error_and_running_hosts_finish(workspace):
    run, spans = run_window(workspace, 2, 0, {'node2': 20, 'node3': 1}, failing=['node3'])
    assert run.returncode != 0
    # node3 failed while node2 was running: node2 finished, nothing else started.
    assert sorted(spans) == ['node2', 'node3']
    assert spans['node3'][1] < spans['node2'][1]
    totals = run.summary['totals']['hosts_by_outcome']
    assert totals['failed'] == ['node3']
    assert totals['non_compliant'] == ['node2']
    assert totals['not_attempted'] == ['node4', 'node5', 'node6', 'node7']


def test_percentages_of_the_targets(workspace):
    # 50% of 6 hosts run at once; 20% of 6 = 1 error is tolerated, the second stops the run.
    run, spans = run_window(workspace, '50%', '20%', {'node2': 1, 'node3': 15, 'node4': 25, 'node5': 25},
                            failing=['node2', 'node3'])
    assert most_at_once(spans) == 3
    totals = run.summary['totals']['hosts_by_outcome']
    assert totals['failed'] == ['node2', 'node3']
    # node2's error is within the budget, so node5 takes its slot; node3's exceeds it.
    assert spans['node5'][0] < spans['node3'][1]
    assert totals['not_attempted'] == ['node6', 'node7']


def test_an_invalid_limit_fails_before_any_host_starts(workspace):
    run = workspace.playbook(PLAYBOOK, {'window_concurrency': '0%', 'window_errors': 0, 'window_seconds': {},
                                        'window_failing': []})
    assert run.returncode != 0
    assert 'Work for the host\'s time' not in run.results
    assert 'patch_max_concurrency must be a count of 1 or more or a percentage 1%..100% (got 0%)' in run.stdout + run.stderr
