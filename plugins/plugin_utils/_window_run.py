# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One execution of a maintenance window, as the ``fleetops.patch_manager.maintenance_window`` playbook runs it.

``plan_execution`` decides, before any host is touched, what runs: the execution open at
the (possibly rehearsed) time, the window's tasks in priority groups (equal priorities
together), each task's hosts, limits and ``run_patch_baseline`` options, and the real time
of the cutoff. The playbook runs one play per group under the ``rate_control`` strategy;
``execution_result`` turns what the strategy recorded into the ``patch_window_execution``
record with AWS statuses.

Controller-only, pure (times are passed in).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _window

# AWS allows 20 tasks per window, so an execution has at most 20 priority groups; the playbook
# has one play for each.
MAX_GROUPS = _window.MAX_TASKS
ERROR_OUTCOMES = ('failed', 'unreachable')
DONE_OUTCOMES = ('compliant', 'non_compliant')


def group_id(index):
    return 'window-group-%d' % index


def plan_execution(window, state, host_vars, registry_dir=None, real_now=None, now=None):
    """What one execution runs; ``state`` is ``_window.window_state(window, now)`` for an open window.

    ``host_vars``: ``{inventory hostname: host variables}`` of the inventory (targets are
    matched on their tags and patch group); ``real_now``/``now``: the wall clock and the
    window's time (they differ when rehearsing with ``window_now``), aware datetimes. Returns
    ``{window, execution: {window_execution_id, snapshot_id, start, end, cutoff}, closes_at
    (the real time of the cutoff), rehearsal, groups: [{id, priority, hosts, rate_control,
    runs: {host: [run_patch_baseline options]}, tasks: [{name, priority, hosts,
    cutoff_behavior}]}]}``.
    """
    execution = state['execution']
    offset = (real_now - now) if real_now is not None and now is not None else None
    # Real elapsed time: shift in UTC (aware arithmetic in a zone adds wall time across DST changes).
    closes_at = execution['cutoff'].astimezone(_schedule.UTC)
    if offset is not None:
        closes_at += offset
    host_tags = dict((host, _window.tags_from_host_vars(variables or {})) for host, variables in host_vars.items())
    patch_groups = dict((host, (variables or {}).get('patch_group')) for host, variables in host_vars.items())
    groups = []
    for index, tasks in enumerate(_window.task_groups(window)):
        entries, runs, hosts = [], {}, []
        for task in tasks:
            targets = _window.hosts_for_task(window, task, host_tags, patch_groups)
            args = _window.run_patch_baseline_args(task, execution, registry_dir)
            for host in targets:
                if host not in runs:
                    hosts.append(host)
                runs.setdefault(host, []).append(dict(args, window_task=task['name']))
            entries.append({'name': task['name'], 'priority': task['priority'], 'hosts': targets,
                            'max_concurrency': task['max_concurrency'], 'max_errors': task['max_errors'],
                            'cutoff_behavior': task['cutoff_behavior']})
        groups.append({
            'id': group_id(index),
            'priority': tasks[0]['priority'],
            'hosts': hosts,
            'runs': runs,
            'tasks': entries,
            'rate_control': {'id': group_id(index), 'closes_at': _schedule.format_time(closes_at),
                             'keep_failed_hosts': True,
                             'tasks': [dict((key, entry[key]) for key in ('name', 'hosts', 'max_concurrency',
                                                                         'max_errors')) for entry in entries]},
        })
    return {
        'window': window['name'],
        'execution': _window.format_execution(execution),
        'closes_at': _schedule.format_time(closes_at),
        'rehearsal': bool(offset is not None and abs(offset.total_seconds()) >= 1),
        'groups': groups,
    }


def _task_outcomes(task, group_result):
    """{host: outcome} of one task from its group's strategy result (None: the group never ran)."""
    if group_result is None:
        return dict((host, 'not_attempted') for host in task['hosts'])
    records = group_result.get('hosts') or {}
    return dict((host, (records.get(host) or {}).get('outcome', 'not_attempted')) for host in task['hosts'])


def _times(task, group_result):
    records = (group_result or {}).get('hosts') or {}
    starts = [records[host]['start_time'] for host in task['hosts'] if (records.get(host) or {}).get('start_time')]
    ends = [records[host]['end_time'] for host in task['hosts'] if (records.get(host) or {}).get('end_time')]
    return (min(starts) if starts else None), (max(ends) if ends else None)


def execution_result(plan, group_results, start_time, end_time):
    """The ``patch_window_execution`` record of a finished execution.

    ``group_results``: ``{group id: the strategy's patch_fleet_result of that group's play}``
    (a group whose play had no host to run has none).
    """
    tasks = []
    for group in plan['groups']:
        result = group_results.get(group['id'])
        closed = bool((result or {}).get('closed'))
        for task in group['tasks']:
            outcomes = _task_outcomes(task, result)
            values = list(outcomes.values())
            not_started = values.count('not_attempted')
            cancelled = closed and task['cutoff_behavior'] == 'CANCEL_TASK' and not_started > 0
            status = _window.task_status(
                succeeded=sum(value in DONE_OUTCOMES for value in values),
                failed=sum(value in ERROR_OUTCOMES for value in values),
                not_started=not_started, cut_off=closed and not cancelled, cancelled=cancelled)
            task_start, task_end = _times(task, result)
            # A task that started no host reports no hosts (as CONTRACT's record shapes it).
            hosts = outcomes if not_started < len(values) else {}
            tasks.append(_window.task_record(task['name'], task['priority'], status, task_start, task_end, hosts))
    status = _window.execution_status([task['status'] for task in tasks])
    record = _window.execution_record(plan['window'], plan['execution']['window_execution_id'], status, start_time,
                                      end_time, tasks)
    if plan.get('rehearsal'):
        record['rehearsal'] = True
    return record
