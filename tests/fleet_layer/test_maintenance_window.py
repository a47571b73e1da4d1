# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The maintenance_window playbook on the SSH fleet, rehearsed with window_now.

The fleet's nodes carry ``Patch Group`` / ``PatchGroup`` tags (Production: node2..node4,
Staging: node5..node7). The windows below open daily at 02:00 UTC for 4 hours with a 1-hour
cutoff (no host starts after 05:00).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os

import yaml

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._window_lock import WindowLock

PRODUCTION = ['node2', 'node3', 'node4']
STAGING = ['node5', 'node6', 'node7']


def window(name, tasks):
    return {'Name': name, 'Schedule': 'cron(0 2 * * ? *)', 'ScheduleTimezone': 'UTC', 'Duration': 4, 'Cutoff': 1,
            'Targets': [{'Key': 'tag:Patch Group', 'Values': ['Production', 'Staging']}], 'Tasks': tasks}


def task(name, priority, group, operation='Scan', concurrency='3', errors='0', **extra):
    entry = {'Name': name, 'Priority': priority, 'MaxConcurrency': concurrency, 'MaxErrors': errors,
             'Targets': [{'Key': 'tag:Patch Group', 'Values': [group]}],
             'Parameters': dict({'Operation': [operation]}, **({'RebootOption': ['NoReboot']} if operation == 'Install'
                                                                else {}))}
    entry.update(extra)
    return entry


def write_window(workspace, document):
    directory = os.path.join(workspace.registry, 'windows')
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, document['Name'] + '.yml'), 'w') as handle:
        yaml.safe_dump(document, handle)


def run_window(workspace, name, window_now):
    run = workspace.playbook('fleetops.patch_manager.maintenance_window', {'window': name, 'window_now': window_now})
    return run, run.custom_stats.get('_run', {}).get('patch_window_execution')


def moment(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ')


def test_tasks_run_in_priority_order_equal_priorities_together_with_one_snapshot(workspace):
    write_window(workspace, window('ordered', [
        task('scan-production', 1, 'Production', concurrency='1'),
        task('scan-staging', 1, 'Staging', concurrency='1'),
        task('install-staging', 2, 'Staging', operation='Install', concurrency='1', errors='1'),
    ]))
    run, record = run_window(workspace, 'ordered', '2026-03-01T02:30:00')
    assert run.returncode == 0, run.stdout[-4000:]
    assert record['status'] == 'SUCCESS' and record['window'] == 'ordered'
    tasks = dict((entry['name'], entry) for entry in record['tasks'])
    assert [entry['name'] for entry in record['tasks']] == ['scan-production', 'scan-staging', 'install-staging']
    assert sorted(tasks['scan-production']['hosts']) == PRODUCTION
    assert sorted(tasks['install-staging']['hosts']) == STAGING
    assert all(entry['status'] == 'SUCCESS' for entry in record['tasks'])
    # Equal priorities run together; priority 2 starts after both have ended.
    assert moment(tasks['scan-staging']['start_time']) < moment(tasks['scan-production']['end_time'])
    assert moment(tasks['install-staging']['start_time']) >= max(moment(tasks['scan-production']['end_time']),
                                                                  moment(tasks['scan-staging']['end_time']))
    results = run.task("Run the window's task on the host")
    snapshots = set(item['instance_patch_state']['snapshot_id'] for result in results.values()
                    for item in result['results'])
    assert snapshots == {record['window_execution_id']}


def test_no_host_starts_after_the_cutoff(workspace):
    # node2 takes 30 s (a slow interpreter); the run starts 20 s before the cutoff with one host at a
    # time, so node3 and node4 are still waiting when the cutoff comes and never start.
    node2 = workspace.node('deb', 'Production')
    assert node2['name'] == 'node2'
    script = '#!/bin/sh\nsleep 30\nexec /usr/bin/python3 "$@"\n'
    slow = workspace.ssh(node2, 'sh', '-c', "printf '%%s' '%s' > /usr/local/bin/slow-python3 && "
                         "chmod 755 /usr/local/bin/slow-python3" % script)
    assert slow.returncode == 0, slow.stderr
    workspace.fleet['nodes']['node2']['vars']['ansible_python_interpreter'] = '/usr/local/bin/slow-python3'
    workspace.write_fleet()
    write_window(workspace, window('late', [task('scan-all', 1, 'Production', concurrency='1')]))
    run, record = run_window(workspace, 'late', '2026-03-01T04:59:40')
    assert run.returncode != 0
    scan = record['tasks'][0]
    assert scan['status'] == 'TIMED_OUT' and record['status'] == 'TIMED_OUT'
    assert scan['hosts'] == {'node2': 'non_compliant', 'node3': 'not_attempted', 'node4': 'not_attempted'}


def test_max_errors_per_task_and_failed_hosts_still_run_later_tasks(workspace):
    fleet = workspace.fleet['nodes']
    fleet['ghost'] = {'tags': {'Patch Group': 'Staging'}, 'vars': dict(fleet['node2']['vars'], ansible_host='127.0.0.250')}
    workspace.fleet['nodes'] = dict([('ghost', fleet.pop('ghost'))] + list(fleet.items()))
    workspace.write_fleet()
    write_window(workspace, window('errors', [
        task('scan-staging', 1, 'Staging', concurrency='1', errors='0'),
        task('scan-production', 2, 'Production', concurrency='3', errors='0'),
    ]))
    run, record = run_window(workspace, 'errors', '2026-03-01T03:00:00')
    assert run.returncode != 0 and record is not None, run.stdout[-5000:]
    tasks = dict((entry['name'], entry) for entry in record['tasks'])
    # ghost is first and unreachable: MaxErrors 0 stops the task; the other task still runs.
    assert tasks['scan-staging']['status'] == 'FAILED'
    assert tasks['scan-staging']['hosts'] == {'ghost': 'unreachable', 'node5': 'not_attempted',
                                              'node6': 'not_attempted', 'node7': 'not_attempted'}
    assert tasks['scan-production']['status'] == 'SUCCESS'
    assert record['status'] == 'FAILED'


def test_a_second_start_while_one_runs_is_skipped_overlapping(workspace):
    write_window(workspace, window('busy', [task('scan', 1, 'Production')]))
    lock = WindowLock('busy', directory=workspace.lock_dir)
    status, holder = lock.acquire('an-execution-still-running', owner_pid=os.getpid())
    assert status == 'acquired'
    try:
        run, record = run_window(workspace, 'busy', '2026-03-01T02:10:00')
    finally:
        lock.release('an-execution-still-running', owner_pid=os.getpid(), completed=False)
    assert record['status'] == 'SKIPPED_OVERLAPPING' and record['tasks'] == []
    assert "Run the window's task on the host" not in run.results


def test_starts_outside_an_execution_or_after_the_cutoff_run_nothing(workspace):
    write_window(workspace, window('outside', [task('scan', 1, 'Production')]))
    for window_now, message in [('2026-03-01T10:00:00', 'has no execution open at 2026-03-01T10:00:00'),
                                ('2026-03-01T05:30:00', 'is past its cutoff')]:
        run, record = run_window(workspace, 'outside', window_now)
        assert run.returncode == 0, run.stdout[-3000:]
        assert message in run.stdout, run.stdout[-3000:]
        assert record is None
        assert "Run the window's task on the host" not in run.results
