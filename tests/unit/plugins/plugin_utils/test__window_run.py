# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _window
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._window_run import execution_result, plan_execution

UTC = datetime.timezone.utc
WINDOW = _window.normalise_window({
    'Name': 'prod-sunday', 'Schedule': 'cron(0 2 ? * SUN *)', 'ScheduleTimezone': 'Europe/Berlin', 'Duration': 4,
    'Cutoff': 1, 'Targets': [{'Key': 'tag:Patch Group', 'Values': ['Production']}],
    'Tasks': [
        {'Name': 'scan', 'Priority': 1, 'MaxConcurrency': '10%', 'MaxErrors': '1', 'Parameters': {'Operation': ['Scan']}},
        {'Name': 'scan-db', 'Priority': 1, 'MaxConcurrency': '1', 'MaxErrors': '0',
         'Targets': [{'Key': 'InstanceIds', 'Values': ['db1']}], 'Parameters': {'Operation': ['Scan']}},
        {'Name': 'install', 'Priority': 2, 'MaxConcurrency': '2', 'MaxErrors': '0', 'CutoffBehavior': 'CANCEL_TASK',
         'Parameters': {'Operation': ['Install'], 'RebootOption': ['NoReboot']}},
    ]})
HOSTS = {
    'web1': {'fleet_tags': {'Patch Group': 'Production'}},
    'db1': {'fleet_tags': {'PatchGroup': 'Production'}},
    'dev1': {'fleet_tags': {'Patch Group': 'Dev'}},
    'cloud1': {'patch_group': 'Production'},
}
# Sunday 1 March 2026, 02:30 in Berlin (01:30 UTC): the execution of 02:00-06:00, cutoff 05:00.
NOW = datetime.datetime(2026, 3, 1, 1, 30, tzinfo=UTC)


def plan(real_now=NOW):
    return plan_execution(WINDOW, _window.window_state(WINDOW, NOW), HOSTS, real_now=real_now, now=NOW)


def test_plan_groups_tasks_by_priority_with_their_hosts_limits_and_one_snapshot():
    planned = plan()
    assert planned['execution']['start'] == '2026-03-01T02:00:00+01:00'
    assert planned['closes_at'] == '2026-03-01T04:00:00+00:00' and planned['rehearsal'] is False
    first, second = planned['groups']
    assert [task['name'] for task in first['tasks']] == ['scan', 'scan-db']
    assert first['hosts'] == ['web1', 'db1', 'cloud1']
    assert first['runs']['db1'] == [
        {'operation': 'Scan', 'reboot_option': 'RebootIfNeeded', 'snapshot_id': planned['execution']['window_execution_id'],
         'window_task': 'scan'},
        {'operation': 'Scan', 'reboot_option': 'RebootIfNeeded', 'snapshot_id': planned['execution']['window_execution_id'],
         'window_task': 'scan-db'}]
    assert first['rate_control']['tasks'][1] == {'name': 'scan-db', 'hosts': ['db1'], 'max_concurrency': '1',
                                                 'max_errors': '0'}
    assert second['runs']['web1'][0]['reboot_option'] == 'NoReboot'


def test_a_rehearsal_moves_the_cutoff_onto_the_real_clock():
    real_now = datetime.datetime(2026, 7, 2, 20, 0, tzinfo=UTC)
    planned = plan(real_now)
    assert planned['rehearsal'] is True
    # The cutoff is 2.5 hours after "now" in the window's timeline, so 2.5 real hours after the
    # real now, although Berlin is on summer time in July.
    assert planned['closes_at'] == '2026-07-02T22:30:00+00:00'


def group_result(records, closed=False):
    return {'hosts': dict((host, {'outcome': outcome, 'start_time': '2026-03-01T01:3%d:00Z' % index,
                                  'end_time': '2026-03-01T01:4%d:00Z' % index})
                          for index, (host, outcome) in enumerate(records.items())), 'closed': closed}


def test_record_statuses_follow_the_hosts_and_the_cutoff():
    planned = plan()
    results = {
        'window-group-0': group_result({'web1': 'compliant', 'db1': 'failed', 'cloud1': 'non_compliant'}),
        'window-group-1': group_result({'web1': 'compliant', 'db1': 'not_attempted', 'cloud1': 'not_attempted'},
                                       closed=True),
    }
    record = execution_result(planned, results, '2026-03-01T01:30:00Z', '2026-03-01T04:10:00Z')
    statuses = dict((task['name'], task['status']) for task in record['tasks'])
    assert statuses == {'scan': 'FAILED', 'scan-db': 'FAILED', 'install': 'CANCELLED'}
    assert record['status'] == 'FAILED'
    install = record['tasks'][2]
    assert install['hosts'] == {'web1': 'compliant', 'db1': 'not_attempted', 'cloud1': 'not_attempted'}
    assert install['start_time'] == '2026-03-01T01:30:00Z'


def test_a_task_that_started_no_host_has_empty_hosts_and_times_out_after_the_cutoff():
    planned = plan()
    results = {'window-group-0': group_result({'web1': 'compliant', 'db1': 'compliant', 'cloud1': 'compliant'})}
    group_two = group_result({'web1': 'not_attempted', 'db1': 'not_attempted', 'cloud1': 'not_attempted'}, closed=True)
    planned['groups'][1]['tasks'][0]['cutoff_behavior'] = 'CONTINUE_TASK'
    record = execution_result(planned, dict(results, **{'window-group-1': group_two}), 'a', 'b')
    install = record['tasks'][2]
    assert (install['status'], install['hosts']) == ('TIMED_OUT', {})
    assert record['status'] == 'TIMED_OUT'
    assert [task['status'] for task in record['tasks'][:2]] == ['SUCCESS', 'SUCCESS']
