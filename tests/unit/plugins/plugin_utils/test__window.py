# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The window model: shapes, AWS limits, targets, executions, task order, records, the example registry."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import os

import pytest
import yaml

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _policy
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _window
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._registry import RegistryError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._schedule import format_time, parse_instant
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._window import WindowValidationError

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
EXAMPLES = os.path.join(COLLECTION, 'examples', 'patch_registry')

# The CONTRACT.md example, plus what `aws ssm get-maintenance-window` prints besides.
PROD_SUNDAY = {
    'WindowId': 'mw-0c50858d01EXAMPLE',
    'Name': 'prod-sunday',
    'Schedule': 'cron(0 2 ? * SUN *)',
    'ScheduleTimezone': 'Europe/Berlin',
    'Duration': 4,
    'Cutoff': 1,
    'AllowUnassociatedTargets': False,
    'Enabled': True,
    'CreatedDate': '2026-01-12T10:12:45.123000+00:00',
    'ModifiedDate': '2026-01-12T10:12:45.123000+00:00',
    'Targets': [{'Key': 'tag:Patch Group', 'Values': ['Production']}],
    'Tasks': [
        {'Name': 'scan', 'Priority': 1, 'MaxConcurrency': '10%', 'MaxErrors': '1',
         'Parameters': {'Operation': ['Scan']}},
        {'Name': 'install', 'Priority': 2, 'MaxConcurrency': '2', 'MaxErrors': '0', 'CutoffBehavior': 'CONTINUE_TASK',
         'Parameters': {'Operation': ['Install'], 'RebootOption': ['RebootIfNeeded']}},
    ],
}

PROD_SUNDAY_SNAKE = {
    'name': 'prod-sunday',
    'schedule': 'cron(0 2 ? * SUN *)',
    'schedule_timezone': 'Europe/Berlin',
    'duration': 4,
    'cutoff': 1,
    'targets': [{'key': 'tag:Patch Group', 'values': ['Production']}],
    'tasks': [
        {'name': 'scan', 'priority': 1, 'max_concurrency': '10%', 'max_errors': 1, 'parameters': {'operation': 'Scan'}},
        {'name': 'install', 'priority': 2, 'max_concurrency': 2, 'max_errors': '0', 'cutoff_behavior': 'CONTINUE_TASK',
         'parameters': {'operation': 'Install', 'reboot_option': 'RebootIfNeeded'}},
    ],
}

CANONICAL = {
    'name': 'prod-sunday', 'description': None, 'schedule': 'cron(0 2 ? * SUN *)',
    'schedule_timezone': 'Europe/Berlin', 'schedule_offset': None, 'duration': 4, 'cutoff': 1, 'start_date': None,
    'end_date': None, 'enabled': True, 'allow_unassociated_targets': False,
    'targets': [{'key': 'tag:Patch Group', 'values': ['Production']}],
    'tasks': [
        {'name': 'scan', 'description': None, 'priority': 1, 'max_concurrency': '10%', 'max_errors': '1',
         'cutoff_behavior': 'CONTINUE_TASK', 'targets': None,
         'parameters': {'operation': 'Scan', 'reboot_option': 'RebootIfNeeded', 'baseline_override': None,
                        'install_override_list': None, 'snapshot_id': None}},
        {'name': 'install', 'description': None, 'priority': 2, 'max_concurrency': '2', 'max_errors': '0',
         'cutoff_behavior': 'CONTINUE_TASK', 'targets': None,
         'parameters': {'operation': 'Install', 'reboot_option': 'RebootIfNeeded', 'baseline_override': None,
                        'install_override_list': None, 'snapshot_id': None}},
    ],
}


def at(text):
    return parse_instant(text, 'now')


def test_aws_shape_and_snake_case_normalise_to_the_same_window():
    assert _window.normalise_window(PROD_SUNDAY) == CANONICAL
    assert _window.normalise_window(PROD_SUNDAY_SNAKE) == CANONICAL


def test_task_parameters_from_get_maintenance_window_task():
    window = copy.deepcopy(PROD_SUNDAY)
    task = window['Tasks'][1]
    task['TaskInvocationParameters'] = {'RunCommand': {'Parameters': task.pop('Parameters')}}
    task.update({'TaskArn': 'AWS-RunPatchBaseline', 'TaskType': 'RUN_COMMAND', 'WindowTaskId': 'abc'})
    assert _window.normalise_window(window) == CANONICAL


def edited(path, value, document=None):
    """A copy of ``document`` (default PROD_SUNDAY) with ``path`` (keys and indexes) set to ``value`` (None deletes)."""
    document = copy.deepcopy(PROD_SUNDAY if document is None else document)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


@pytest.mark.parametrize('document, message', [
    (edited(['Tasks', 1, 'MaxErrors'], '5 %'), "Tasks[1].MaxErrors: must be a count of 0 or more or a percentage 0%..100% (got 5 %)"),
    (edited(['Tasks', 0, 'MaxConcurrency'], '0'), "Tasks[0].MaxConcurrency: must be a count of 1 or more or a percentage 1%..100% (got 0)"),
    (edited(['Tasks', 0, 'MaxConcurrency'], None), 'Tasks[0].MaxConcurrency: required'),
    (edited(['Duration'], 25), 'Duration: 25 is outside 1..24'),
    (edited(['Duration'], None), 'Duration: required'),
    (edited(['Cutoff'], 4), 'Cutoff: 4 must be less than Duration (4)'),
    (edited(['Cutoff'], 24), 'Cutoff: 24 is outside 0..23'),
    (edited(['Name'], 'x'), "Name: 'x' does not match ^[a-zA-Z0-9_\\-.]{3,128}$"),
    (edited(['Schedule'], 'cron(0 2 * * SUN *)'), 'Schedule: exactly one of Day-of-month'),
    (edited(['Schedule'], 'rate(1 hours)'), 'Schedule: rate(1 hours) must use the singular unit'),
    (edited(['ScheduleOffset'], 2, edited(['Schedule'], 'at(2026-05-01T02:00:00)')),
     'ScheduleOffset: is only allowed with a cron() Schedule'),
    (edited(['ScheduleOffset'], 9), 'ScheduleOffset: 9 is outside 1..6'),
    (edited(['ScheduleTimezone'], 'Berlin'), "ScheduleTimezone: 'Berlin' is not an IANA timezone name"),
    (edited(['StartDate'], '2026-01-01'), 'StartDate: '),
    (edited(['Enabled'], 'yes'), "Enabled: 'yes' is not true or false"),
    (edited(['Maintenance'], 'yes'), "unknown key 'Maintenance' (allowed: Name, Description, Schedule"),
    (edited(['Targets'], [{'Key': 'tag:a', 'Values': ['x']}] * 6), 'Targets: has 6 targets; AWS allows at most 5'),
    (edited(['Targets', 0, 'Values'], [str(number) for number in range(51)]),
     'Targets[0].Values: has 51 values; AWS allows at most 50'),
    (edited(['Targets', 0, 'Key'], 'resource-groups:Name'), 'Targets[0].Key: \'resource-groups:Name\': an inventory'),
    (edited(['Targets', 0, 'Key'], 'Tag:Env'),
     "Targets[0].Key: 'Tag:Env' is not a target key (allowed: tag:<tag key>, tag-key, InstanceIds)"),
    (edited(['Targets'], [{'Key': 'InstanceIds', 'Values': ['web1']}, {'Key': 'tag:Env', 'Values': ['p']}]),
     'Targets: InstanceIds cannot be combined with other target keys'),
    (edited(['Targets'], None), 'Tasks[0]: has no Targets and the window has none'),
    (edited(['Tasks', 1, 'CutoffBehavior'], 'STOP'), "Tasks[1].CutoffBehavior: 'STOP' is not one of CONTINUE_TASK, CANCEL_TASK"),
    (edited(['Tasks', 1, 'Priority'], -1), 'Tasks[1].Priority: -1 is outside 0..'),
    (edited(['Tasks', 1, 'Name'], 'scan'), "Tasks[1]: the task name 'scan' is already used by Tasks[0]"),
    (edited(['Tasks', 1, 'TaskArn'], 'AWS-RunShellScript'), "Tasks[1].TaskArn: 'AWS-RunShellScript' is not one of AWS-RunPatchBaseline"),
    (edited(['Tasks', 1, 'Parameters'], {'RebootOption': ['NoReboot']}), 'Tasks[1].Parameters.Operation: required: one of Scan, Install'),
    (edited(['Tasks', 1, 'Parameters'], {'Operation': ['Patch']}), "Tasks[1].Parameters.Operation: 'Patch' is not one of Scan, Install"),
    (edited(['Tasks', 1, 'Parameters'], {'Operation': ['Install', 'Scan']}), 'Tasks[1].Parameters.Operation: takes one value'),
    (edited(['Tasks', 1, 'Parameters'], {'Operation': ['Install'], 'RebootOption': ['Always']}),
     "Tasks[1].Parameters.RebootOption: 'Always' is not one of RebootIfNeeded, NoReboot"),
    (edited(['Tasks', 1, 'Parameters'], {'Operation': ['Install'], 'BaselineOverride': ['b.json'],
                                         'InstallOverrideList': ['o.yml']}),
     'Tasks[1].Parameters: BaselineOverride and InstallOverrideList cannot be combined'),
    (edited(['Tasks', 1, 'Parameters'], {'Operation': ['Install'], 'InstallOverrideList': ['s3://bucket/list.yml']}),
     'Tasks[1].Parameters.InstallOverrideList: \'s3://bucket/list.yml\': give a path to a YAML or JSON file'),
    (edited(['Tasks', 1, 'Parameters'], {'Operation': ['Install'], 'Hooks': ['x']}),
     "Tasks[1].Parameters: unknown key 'Hooks' (allowed: Operation, RebootOption, BaselineOverride, InstallOverrideList, "
     "SnapshotId)"),
    (edited(['Tasks'], [PROD_SUNDAY['Tasks'][0]] * 21), 'Tasks: has 21 tasks; AWS allows at most 20 per window'),
])
def test_invalid_windows_name_the_field_and_the_allowed_values(document, message):
    with pytest.raises(WindowValidationError) as caught:
        _window.normalise_window(document)
    assert message in str(caught.value)


def test_snake_case_errors_name_snake_case_fields():
    with pytest.raises(WindowValidationError, match=r'^tasks\[1\]\.max_errors: '):
        _window.normalise_window(edited(['tasks', 1, 'max_errors'], '5 %', PROD_SUNDAY_SNAKE))
    with pytest.raises(WindowValidationError, match=r'^schedule_offset: is only allowed with a cron\(\) Schedule'):
        _window.normalise_window(edited(['schedule'], 'rate(1 day)', edited(['schedule_offset'], 2, PROD_SUNDAY_SNAKE)))


def write_registry(tmp_path, windows):
    directory = tmp_path / 'patch_registry' / 'windows'
    directory.mkdir(parents=True)
    for name, document in windows.items():
        (directory / ('%s.yml' % name)).write_text(yaml.safe_dump(document))
    return str(tmp_path / 'patch_registry')


def test_a_bad_registry_file_names_the_file_and_the_field(tmp_path):
    registry = write_registry(tmp_path, {'prod-sunday': edited(['Tasks', 1, 'MaxErrors'], '5 %')})
    with pytest.raises(RegistryError) as caught:
        _window.load_windows(registry)
    assert str(caught.value).startswith(os.path.join(registry, 'windows', 'prod-sunday.yml')
                                        + ": Tasks[1].MaxErrors: must be a count of 0 or more")


def test_a_window_file_is_named_after_its_window(tmp_path):
    registry = write_registry(tmp_path, {'prod': PROD_SUNDAY, 'nightly': edited(['Name'], None)})
    with pytest.raises(RegistryError, match="Name: 'prod-sunday' differs from the file name 'prod'"):
        _window.load_window(registry, 'prod')
    assert _window.load_window(registry, 'nightly')['name'] == 'nightly'
    with pytest.raises(RegistryError, match="no window named 'weekly' \\(known: nightly, prod\\)"):
        _window.load_window(registry, 'weekly')


def test_the_example_registry_loads_and_holds_the_three_first_windows():
    windows = _window.load_windows(EXAMPLES)
    assert sorted(windows) == ['dev-nightly', 'prod-sunday', 'staging-tue-thu']
    production = windows['prod-sunday']
    assert (production['schedule'], production['schedule_timezone'], production['duration'], production['cutoff']) == (
        'cron(0 2 ? * SUN *)', 'Europe/Berlin', 4, 1)
    assert [[task['parameters']['operation'] for task in group] for group in _window.task_groups(production)] == [
        ['Scan'], ['Install']]
    staging = _window.executions(windows['staging-tue-thu'], at('2026-03-02T00:00:00+01:00'), count=2)
    assert [format_time(execution['start']) for execution in staging] == [
        '2026-03-03T22:00:00+01:00', '2026-03-05T22:00:00+01:00']
    nightly = _window.executions(windows['dev-nightly'], at('2026-03-02T00:00:00Z'), count=1)[0]
    assert (format_time(nightly['start']), format_time(nightly['cutoff'])) == (
        '2026-03-02T01:00:00+00:00', '2026-03-02T03:00:00+00:00')
    policies = _policy.load_policies(EXAMPLES)
    assert [window['name'] for window in policies['fleet']['windows']] == ['fleet-scan', 'fleet-install']


# --- targets ---------------------------------------------------------------------------------------------

HOSTS = {
    'web1': {'Patch Group': 'Production', 'Environment': 'prod', 'Role': 'web'},
    'db1': {'PatchGroup': 'Production', 'Environment': 'prod'},
    'ec2-a': {'Environment': 'prod'},          # a cloud host whose patch group came from another tag variable
    'build1': {'PatchGroup': 'Staging', 'Environment': ['ci', 'staging']},
    'bare': {},
}
PATCH_GROUPS = {'web1': 'Production', 'db1': 'Production', 'ec2-a': 'Production', 'build1': 'Staging'}


@pytest.mark.parametrize('targets, expected', [
    ([{'key': 'tag:Patch Group', 'values': ['Production']}], ['web1', 'db1', 'ec2-a']),
    ([{'key': 'tag:PatchGroup', 'values': ['Production', 'Staging']}], ['web1', 'db1', 'ec2-a', 'build1']),
    ([{'key': 'tag:Environment', 'values': ['prod']}], ['web1', 'db1', 'ec2-a']),
    ([{'key': 'tag:Environment', 'values': ['staging']}], ['build1']),
    ([{'key': 'tag:Environment', 'values': ['prod']}, {'key': 'tag:Role', 'values': ['web']}], ['web1']),
    ([{'key': 'tag-key', 'values': ['Role', 'Missing']}], ['web1']),
    ([{'key': 'tag-key', 'values': ['PatchGroup']}], ['web1', 'db1', 'ec2-a', 'build1']),
    ([{'key': 'InstanceIds', 'values': ['db1', 'bare', 'absent']}], ['db1', 'bare']),
    ([{'key': 'tag:environment', 'values': ['prod']}], []),          # tag keys are case-sensitive
    ([], []),
])
def test_select_targets(targets, expected):
    assert _window.select_targets(targets, HOSTS, PATCH_GROUPS) == expected


def test_patch_group_tags_match_without_the_inventory_variable_too():
    assert _window.select_targets([{'key': 'tag:Patch Group', 'values': ['Production']}], HOSTS) == ['web1', 'db1']


def test_tags_from_host_vars_reads_fleet_files_and_cloud_inventories():
    host_vars = {'fleet_tags': {'Patch Group': 'Production'},
                 'tags': [{'Key': 'Environment', 'Value': 'prod'}, {'Key': 'Patch Group', 'Value': 'Other'}],
                 'labels': {'team': 'db'}}
    assert _window.tags_from_host_vars(host_vars) == {'Patch Group': 'Production', 'Environment': 'prod', 'team': 'db'}


def test_task_targets_replace_the_window_targets():
    window = _window.normalise_window(edited(['Tasks', 0, 'Targets'], [{'Key': 'InstanceIds', 'Values': ['bare']}]))
    scan, install = window['tasks']
    assert _window.hosts_for_task(window, scan, HOSTS, PATCH_GROUPS) == ['bare']
    assert _window.hosts_for_task(window, install, HOSTS, PATCH_GROUPS) == ['web1', 'db1', 'ec2-a']


# --- executions --------------------------------------------------------------------------------------------

def test_window_state_inside_after_cutoff_and_outside():
    window = _window.normalise_window(PROD_SUNDAY)
    inside = _window.window_state(window, at('2026-03-01T02:30:00+01:00'))
    assert inside['state'] == 'open' and inside['accepting_new_tasks']
    execution = inside['execution']
    assert [format_time(execution[key]) for key in ('start', 'end', 'cutoff')] == [
        '2026-03-01T02:00:00+01:00', '2026-03-01T06:00:00+01:00', '2026-03-01T05:00:00+01:00']
    late = _window.window_state(window, at('2026-03-01T05:00:00+01:00'))
    assert late['state'] == 'after_cutoff' and not late['accepting_new_tasks']
    assert late['execution']['window_execution_id'] == execution['window_execution_id']
    outside = _window.window_state(window, at('2026-03-01T06:00:00+01:00'))
    assert outside['state'] == 'closed' and outside['execution'] is None
    assert outside['message'] == ('Window prod-sunday has no execution open at 2026-03-01T06:00:00+01:00; the next '
                                  'execution starts at 2026-03-08T02:00:00+01:00.')
    disabled = _window.window_state(dict(window, enabled=False), at('2026-03-01T02:30:00+01:00'))
    assert disabled['state'] == 'disabled'
    assert _window.executions(dict(window, enabled=False), at('2026-03-01T00:00:00Z')) == []


def test_execution_ids_are_deterministic_per_window_and_start():
    window = _window.normalise_window(PROD_SUNDAY)
    first = _window.open_execution(window, at('2026-03-01T02:01:00+01:00'))
    again = _window.open_execution(window, at('2026-03-01T04:59:00+01:00'))
    later = _window.open_execution(window, at('2026-03-08T02:01:00+01:00'))
    other = _window.open_execution(dict(window, name='prod-sunday-b'), at('2026-03-01T02:01:00+01:00'))
    assert first['window_execution_id'] == again['window_execution_id'] == first['snapshot_id']
    assert len(set([first['window_execution_id'], later['window_execution_id'], other['window_execution_id']])) == 3


def test_an_execution_in_a_dst_night_lasts_its_duration_in_real_hours():
    # Spring forward inside the window: 02:00 CET + 4 h = 07:00 CEST.
    window = _window.normalise_window(edited(['Schedule'], 'cron(0 1 ? * SUN *)'))
    execution = _window.executions(window, at('2026-03-29T00:00:00Z'), count=1)[0]
    assert [format_time(execution[key].astimezone(execution['start'].tzinfo)) for key in ('start', 'end')] == [
        '2026-03-29T01:00:00+01:00', '2026-03-29T06:00:00+02:00']


def test_overlapping_executions_open_the_latest():
    window = _window.normalise_window(edited(['Schedule'], 'rate(1 hour)', edited(['StartDate'], '2026-01-01T00:00:00Z')))
    assert format_time(_window.open_execution(window, at('2026-01-01T10:30:00Z'))['start']) == '2026-01-01T11:00:00+01:00'


def test_task_groups_in_priority_order_with_equal_priorities_together():
    tasks = [dict(PROD_SUNDAY['Tasks'][0], Name='task%d' % index, Priority=priority)
             for index, priority in enumerate([2, 0, 1, 0])]
    window = _window.normalise_window(edited(['Tasks'], tasks))
    assert [[task['name'] for task in group] for group in _window.task_groups(window)] == [['task1', 'task3'], ['task2'], ['task0']]


def test_run_patch_baseline_args(tmp_path):
    window = _window.normalise_window(edited(['Tasks', 1, 'Parameters'], {
        'Operation': ['Install'], 'RebootOption': ['NoReboot'], 'InstallOverrideList': ['overrides/web.yml']}))
    execution = _window.open_execution(window, at('2026-03-01T02:30:00+01:00'))
    scan, install = window['tasks']
    assert _window.run_patch_baseline_args(scan, execution) == {
        'operation': 'Scan', 'reboot_option': 'RebootIfNeeded', 'snapshot_id': execution['snapshot_id']}
    assert _window.run_patch_baseline_args(install, execution, registry_dir=str(tmp_path)) == {
        'operation': 'Install', 'reboot_option': 'NoReboot', 'snapshot_id': execution['snapshot_id'],
        'install_override_list': os.path.join(str(tmp_path), 'overrides/web.yml')}


# --- statuses and records ----------------------------------------------------------------------------------

@pytest.mark.parametrize('counts, status', [
    ({'succeeded': 3}, 'SUCCESS'),
    ({}, 'SUCCESS'),
    ({'succeeded': 2, 'failed': 1}, 'FAILED'),
    ({'succeeded': 1, 'not_started': 2, 'cut_off': True}, 'TIMED_OUT'),
    ({'succeeded': 1, 'cancelled': True}, 'CANCELLED'),
    ({'succeeded': 1, 'running': 1}, 'IN_PROGRESS'),
])
def test_task_status(counts, status):
    assert _window.task_status(**counts) == status


@pytest.mark.parametrize('statuses, status', [
    (['SUCCESS', 'SUCCESS'], 'SUCCESS'),
    ([], 'SUCCESS'),
    (['SUCCESS', 'TIMED_OUT'], 'TIMED_OUT'),
    (['TIMED_OUT', 'FAILED'], 'FAILED'),
    (['CANCELLED', 'SUCCESS'], 'CANCELLED'),
    (['SUCCESS', 'IN_PROGRESS'], 'IN_PROGRESS'),
])
def test_execution_status(statuses, status):
    assert _window.execution_status(statuses) == status


def test_execution_record_has_the_contract_shape():
    window = _window.normalise_window(PROD_SUNDAY)
    execution = _window.open_execution(window, at('2026-03-01T02:30:00+01:00'))
    scan = _window.task_record('scan', 1, 'SUCCESS', at('2026-03-01T02:00:05+01:00'), at('2026-03-01T02:04:00+01:00'),
                               {'web1': 'success', 'db1': 'success'})
    install = _window.task_record('install', 2, 'TIMED_OUT', None, None, {})
    record = _window.execution_record('prod-sunday', execution['window_execution_id'],
                                      _window.execution_status(['SUCCESS', 'TIMED_OUT']),
                                      execution['start'], at('2026-03-01T05:00:00+01:00'), [scan, install])
    assert record == {
        'window': 'prod-sunday', 'window_execution_id': execution['window_execution_id'], 'status': 'TIMED_OUT',
        'start_time': '2026-03-01T02:00:00+01:00', 'end_time': '2026-03-01T05:00:00+01:00',
        'tasks': [
            {'name': 'scan', 'priority': 1, 'status': 'SUCCESS', 'start_time': '2026-03-01T02:00:05+01:00',
             'end_time': '2026-03-01T02:04:00+01:00', 'hosts': {'web1': 'success', 'db1': 'success'}},
            {'name': 'install', 'priority': 2, 'status': 'TIMED_OUT', 'start_time': None, 'end_time': None, 'hosts': {}},
        ]}
    with pytest.raises(ValueError, match='not one of PENDING'):
        _window.task_record('scan', 1, 'DONE')
    skipped = _window.skipped_overlapping_record(window, execution, at('2026-03-01T02:30:00+01:00'),
                                                 {'execution_id': 'other'})
    assert (skipped['status'], skipped['tasks'], skipped['running_execution_id']) == ('SKIPPED_OVERLAPPING', [], 'other')


def test_schedule_elsewhere_for_the_production_window():
    window = _window.normalise_window(PROD_SUNDAY)
    assert _window.schedule_elsewhere(window, at('2026-03-01T00:00:00Z')) == {
        'awx_schedule': 'DTSTART;TZID=Europe/Berlin:20260301T020000 RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0;'
                        'BYSECOND=0;BYDAY=SU',
        'awx_schedule_reason': None,
        'systemd_on_calendar': 'Sun *-*-* 02:00:00 Europe/Berlin',
        'systemd_on_calendar_reason': None}
    assert _window.schedule_elsewhere(dict(window, enabled=False), at('2026-03-01T00:00:00Z'))['awx_schedule'] is None


def test_open_execution_uses_real_time_not_wall_time():
    window = _window.normalise_window(PROD_SUNDAY)
    # 05:59 CET is inside; the same instant written in UTC is too.
    assert _window.open_execution(window, at('2026-03-01T04:59:00Z')) is not None
    assert _window.open_execution(window, at('2026-03-01T05:00:00Z')) is None
    assert _window.open_execution(window, at('2026-03-01T02:00:00+01:00') - datetime.timedelta(seconds=1)) is None
