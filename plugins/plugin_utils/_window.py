# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Maintenance windows as data: load, validate, normalise; executions, targets, tasks and records.

A window is kept in the registry as ``patch_registry/windows/<Name>.yml`` in the AWS shape
(``aws ssm get-maintenance-window`` output plus ``Targets`` and ``Tasks``) or the same
fields in snake_case. ``normalise_window`` validates it with AWS's limits and returns the
canonical snake_case dict documented in docs/DESIGN.md "Window model"; errors name the
field path in the key names the user wrote (``Tasks[1].MaxErrors: ...``).

Everything here is pure (no host, no Ansible objects) except ``load_windows`` (reads the
registry directory). The ``maintenance_window`` playbook and the ``maintenance_window_info``
action call these functions.

Controller-only code (Python 3.11).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import re
import uuid

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _rate_control
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError, PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _registry
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule_export
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._registry import RegistryError, read_document_file

WINDOWS_DIR = 'windows'
WINDOW_SUFFIXES = ('.yml', '.yaml', '.json')
NAME_PATTERN = r'^[a-zA-Z0-9_\-.]{3,128}$'
DESCRIPTION_MAX_LENGTH = 128
DURATION_RANGE = (1, 24)
CUTOFF_RANGE = (0, 23)
MAX_TARGETS = 5
MAX_TARGET_VALUES = 50
MAX_TASKS = 20
TASK_ARN = 'AWS-RunPatchBaseline'
TASK_TYPE = 'RUN_COMMAND'
CUTOFF_BEHAVIORS = ('CONTINUE_TASK', 'CANCEL_TASK')
OPERATIONS = ('Scan', 'Install')
REBOOT_OPTIONS = ('RebootIfNeeded', 'NoReboot')
PATCH_GROUP_TAG_KEYS = ('Patch Group', 'PatchGroup')
# Host variables that hold a host's tags, searched in this order (the patch_groups inventory
# plugin's fleet file sets fleet_tags; cloud inventories set the others).
TAG_VARIABLES = ('fleet_tags', 'tags', 'ec2_tags', 'labels', 'categories')
INSTANCE_IDS = 'InstanceIds'
TAG_KEY = 'tag-key'
TAG_PREFIX = 'tag:'

# The AWS maintenance window execution and task execution status enum.
PENDING = 'PENDING'
IN_PROGRESS = 'IN_PROGRESS'
SUCCESS = 'SUCCESS'
FAILED = 'FAILED'
TIMED_OUT = 'TIMED_OUT'
CANCELLING = 'CANCELLING'
CANCELLED = 'CANCELLED'
SKIPPED_OVERLAPPING = 'SKIPPED_OVERLAPPING'
EXECUTION_STATUSES = (PENDING, IN_PROGRESS, SUCCESS, FAILED, TIMED_OUT, CANCELLING, CANCELLED, SKIPPED_OVERLAPPING)

# Window fields: AWS name -> snake_case name. Read-only fields AWS prints are accepted and dropped.
WINDOW_FIELDS = (
    ('Name', 'name'), ('Description', 'description'), ('Schedule', 'schedule'),
    ('ScheduleTimezone', 'schedule_timezone'), ('ScheduleOffset', 'schedule_offset'), ('Duration', 'duration'),
    ('Cutoff', 'cutoff'), ('StartDate', 'start_date'), ('EndDate', 'end_date'), ('Enabled', 'enabled'),
    ('AllowUnassociatedTargets', 'allow_unassociated_targets'), ('Targets', 'targets'), ('Tasks', 'tasks'),
)
WINDOW_READ_ONLY = (('WindowId', 'window_id'), ('CreatedDate', 'created_date'), ('ModifiedDate', 'modified_date'),
                    ('NextExecutionTime', 'next_execution_time'), ('ResponseMetadata', 'response_metadata'))
TASK_FIELDS = (
    ('Name', 'name'), ('Description', 'description'), ('Priority', 'priority'),
    ('MaxConcurrency', 'max_concurrency'), ('MaxErrors', 'max_errors'), ('CutoffBehavior', 'cutoff_behavior'),
    ('Targets', 'targets'), ('Parameters', 'parameters'), ('TaskArn', 'task_arn'), ('TaskType', 'task_type'),
    ('TaskInvocationParameters', 'task_invocation_parameters'),
)
TASK_READ_ONLY = (('WindowTaskId', 'window_task_id'), ('WindowId', 'window_id'), ('Type', 'type'),
                  ('ServiceRoleArn', 'service_role_arn'), ('TaskParameters', 'task_parameters'),
                  ('LoggingInfo', 'logging_info'), ('AlarmConfiguration', 'alarm_configuration'))
PARAMETER_FIELDS = (('Operation', 'operation'), ('RebootOption', 'reboot_option'),
                    ('BaselineOverride', 'baseline_override'), ('InstallOverrideList', 'install_override_list'),
                    ('SnapshotId', 'snapshot_id'))
SCHEDULE_FIELDS = ('Schedule', 'ScheduleTimezone', 'ScheduleOffset', 'StartDate', 'EndDate')

# Execution ids are UUIDs derived from the window name and start: every run of the playbook
# (and every host in it) names the same execution the same way.
EXECUTION_NAMESPACE = uuid.UUID('6c0f3b7e-5d1a-4c43-9f57-2d4c1b8e9a10')


class WindowValidationError(PatchManagerError):
    """A window field is invalid; ``path`` names it as the user wrote it (``Tasks[1].MaxErrors``)."""

    def __init__(self, path, problem):
        self.path = path
        self.problem = problem
        super(WindowValidationError, self).__init__('%s: %s' % (path, problem))


class _Shape(object):
    """Key names of the shape the user wrote (AWS PascalCase or snake_case), for lookups and messages."""

    def __init__(self, aws):
        self.aws = aws

    def key(self, pair):
        return pair[0] if self.aws else pair[1]

    def get(self, document, pair, default=None):
        return document.get(self.key(pair), default)


def _shape_of(document, fields):
    aws_names = set(pair[0] for pair in fields)
    snake_names = set(pair[1] for pair in fields)
    keys = set(document)
    return _Shape(bool(keys & aws_names) or not (keys & snake_names))


def _check_keys(document, shape, fields, read_only, where):
    allowed = [shape.key(pair) for pair in fields]
    accepted = set(allowed) | set(shape.key(pair) for pair in read_only)
    unknown = sorted(str(key) for key in document if key not in accepted)
    if unknown:
        raise WindowValidationError(where or unknown[0], 'unknown key %s (allowed: %s)'
                                    % (', '.join(repr(key) for key in unknown), ', '.join(allowed)))


def _path(prefix, name):
    return '%s.%s' % (prefix, name) if prefix else name


def _integer(value, path, low, high=None):
    if isinstance(value, str) and re.match(r'^\s*-?[0-9]+\s*$', value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise WindowValidationError(path, '%r is not a whole number' % (value,))
    if value < low or (high is not None and value > high):
        raise WindowValidationError(path, '%d is outside %d..%s' % (value, low, high if high is not None else ''))
    return value


def _string(value, path, required=False, pattern=None, max_length=None, example=None):
    if value is None or value == '':
        if required:
            raise WindowValidationError(path, 'required%s' % (' (for example %s)' % example if example else ''))
        return None
    if not isinstance(value, str):
        raise WindowValidationError(path, 'must be a string, not %s' % type(value).__name__)
    if max_length is not None and len(value) > max_length:
        raise WindowValidationError(path, 'has %d characters; at most %d are allowed' % (len(value), max_length))
    if pattern is not None and not re.match(pattern, value):
        raise WindowValidationError(path, '%r does not match %s' % (value, pattern))
    return value


def _choice(value, path, choices, default):
    if value is None:
        return default
    if value not in choices:
        raise WindowValidationError(path, '%r is not one of %s' % (value, ', '.join(choices)))
    return value


def _boolean(value, path, default):
    if value is None:
        return default
    if not isinstance(value, bool):
        raise WindowValidationError(path, '%r is not true or false' % (value,))
    return value


# --- targets -------------------------------------------------------------------------------------------


def normalise_targets(targets, path):
    """Validate AWS ``Targets`` (``[{Key, Values}]``, either shape); ``[{'key', 'values'}]``."""
    if targets is None:
        return None
    if not isinstance(targets, list):
        raise WindowValidationError(path, 'must be a list of {Key, Values} targets')
    if len(targets) > MAX_TARGETS:
        raise WindowValidationError(path, 'has %d targets; AWS allows at most %d' % (len(targets), MAX_TARGETS))
    canonical = []
    keys_seen = []
    for index, target in enumerate(targets):
        where = '%s[%d]' % (path, index)
        if not isinstance(target, dict):
            raise WindowValidationError(where, 'must be a mapping {Key, Values}')
        shape = _shape_of(target, (('Key', 'key'), ('Values', 'values')))
        _check_keys(target, shape, (('Key', 'key'), ('Values', 'values')), (), where)
        key = _string(shape.get(target, ('Key', 'key')), _path(where, shape.key(('Key', 'key'))), required=True,
                      example='tag:Patch Group')
        values_path = _path(where, shape.key(('Values', 'values')))
        values = shape.get(target, ('Values', 'values'))
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not values:
            raise WindowValidationError(values_path, 'must be a non-empty list of strings')
        if len(values) > MAX_TARGET_VALUES:
            raise WindowValidationError(values_path, 'has %d values; AWS allows at most %d' % (len(values), MAX_TARGET_VALUES))
        values = [str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
                  for value in values]
        for position, value in enumerate(values):
            _string(value, '%s[%d]' % (values_path, position), required=True)
        if key == INSTANCE_IDS or key == TAG_KEY:
            pass
        elif key.startswith(TAG_PREFIX) and len(key) > len(TAG_PREFIX):
            pass
        elif key.startswith('resource-groups:'):
            raise WindowValidationError(_path(where, shape.key(('Key', 'key'))),
                                        '%r: an inventory has no AWS resource groups; target hosts with tag:<key>, '
                                        'tag-key or InstanceIds (inventory hostnames)' % key)
        else:
            raise WindowValidationError(_path(where, shape.key(('Key', 'key'))),
                                        '%r is not a target key (allowed: tag:<tag key>, tag-key, InstanceIds)' % key)
        keys_seen.append(key)
        canonical.append({'key': key, 'values': list(values)})
    if INSTANCE_IDS in keys_seen and len(keys_seen) > 1:
        raise WindowValidationError(path, 'InstanceIds cannot be combined with other target keys (AWS targets either '
                                          'instances or tags)')
    return canonical


def tags_from_host_vars(host_vars, tag_variables=TAG_VARIABLES):
    """A host's tags as one ``{key: value}`` mapping, from its tag variables (first variable wins per key).

    A variable may hold a mapping (``fleet_tags``, EC2/Azure ``tags``, GCP ``labels``, VMware
    ``categories``, where a value may be a list) or a list of ``{Key, Value}`` as the AWS API returns.
    """
    tags = {}
    for variable in tag_variables:
        value = host_vars.get(variable)
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = [(entry.get('Key', entry.get('key')), entry.get('Value', entry.get('value')))
                     for entry in value if isinstance(entry, dict)]
        else:
            continue
        for key, tag_value in items:
            if key is not None and key not in tags:
                tags[str(key)] = tag_value
    return tags


def _tag_values(value):
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if item is not None]
    if value is None:
        return []
    return [str(value)]


def _matches(target, host, tags, patch_group):
    key, values = target['key'], target['values']
    if key == INSTANCE_IDS:
        return host in values
    if key == TAG_KEY:
        return any(value in tags or (value in PATCH_GROUP_TAG_KEYS and patch_group) for value in values)
    tag_key = key[len(TAG_PREFIX):]
    found = _tag_values(tags.get(tag_key))
    if tag_key in PATCH_GROUP_TAG_KEYS:
        # Both patch group keys name one patch group; the inventory's patch_group counts too.
        found += _tag_values(tags.get(PATCH_GROUP_TAG_KEYS[0])) + _tag_values(tags.get(PATCH_GROUP_TAG_KEYS[1]))
        found += _tag_values(patch_group)
    return any(value in values for value in found)


def select_targets(targets, host_tags, patch_groups=None):
    """The hosts ``targets`` select, in the order of ``host_tags``.

    ``targets``: canonical targets (every entry must match: AND; any value of an entry: OR);
    ``host_tags``: ``{hostname: {tag key: value}}``; ``patch_groups``: ``{hostname: patch
    group}`` (the ``patch_group`` host variable). ``tag:Patch Group`` and ``tag:PatchGroup``
    both select a patch group: a host matches through either tag key or its ``patch_group``.
    """
    if not targets:
        return []
    patch_groups = patch_groups or {}
    return [host for host, tags in host_tags.items()
            if all(_matches(target, host, tags or {}, patch_groups.get(host)) for target in targets)]


def hosts_for_task(window, task, host_tags, patch_groups=None):
    """The hosts one task runs on: its own targets, else the window's."""
    targets = task['targets'] if task.get('targets') is not None else window['targets']
    return select_targets(targets, host_tags, patch_groups)


# --- tasks -------------------------------------------------------------------------------------------


def _parameter_value(value, path, list_form):
    """AWS prints every parameter as a list of strings; a plain string is taken too."""
    if isinstance(value, list):
        if len(value) != 1:
            raise WindowValidationError(path, 'takes one value, as a list of one string like [%r]' % (list_form,))
        value = value[0]
    if value is None or value == '':
        return None
    if not isinstance(value, str):
        raise WindowValidationError(path, 'must be a string (AWS prints parameters as lists of strings, e.g. [%r])'
                                    % (list_form,))
    return value


def _override_path(value, path):
    if value is None:
        return None
    if re.match(r'^(https?|s3)://', value):
        raise WindowValidationError(path, '%r: give a path to a YAML or JSON file on the controller (relative paths are '
                                          'taken from the registry directory); URLs are not fetched' % value)
    if any(char in value for char in '`\'"$'):
        raise WindowValidationError(path, '%r may not contain ` \' " or $ (AWS refuses them too)' % value)
    return value


def normalise_parameters(parameters, path):
    """AWS-RunPatchBaseline ``Parameters`` -> ``{operation, reboot_option, baseline_override, install_override_list, snapshot_id}``."""
    if not isinstance(parameters, dict):
        raise WindowValidationError(path, 'must be a mapping such as {Operation: [Install], RebootOption: [NoReboot]}')
    shape = _shape_of(parameters, PARAMETER_FIELDS)
    _check_keys(parameters, shape, PARAMETER_FIELDS, (), path)
    values = {}
    for pair in PARAMETER_FIELDS:
        values[pair[1]] = _parameter_value(shape.get(parameters, pair), _path(path, shape.key(pair)),
                                           {'operation': 'Install', 'reboot_option': 'NoReboot'}.get(pair[1], '...'))
    operation_path = _path(path, shape.key(PARAMETER_FIELDS[0]))
    if values['operation'] is None:
        raise WindowValidationError(operation_path, 'required: one of %s' % ', '.join(OPERATIONS))
    _choice(values['operation'], operation_path, OPERATIONS, None)
    values['reboot_option'] = _choice(values['reboot_option'], _path(path, shape.key(PARAMETER_FIELDS[1])),
                                      REBOOT_OPTIONS, 'RebootIfNeeded')
    values['baseline_override'] = _override_path(values['baseline_override'], _path(path, shape.key(PARAMETER_FIELDS[2])))
    values['install_override_list'] = _override_path(values['install_override_list'],
                                                     _path(path, shape.key(PARAMETER_FIELDS[3])))
    if values['baseline_override'] and values['install_override_list']:
        raise WindowValidationError(path, 'BaselineOverride and InstallOverrideList cannot be combined (AWS-RunPatchBaseline '
                                          'fails with both)')
    if values['snapshot_id'] is not None:
        _string(values['snapshot_id'], _path(path, shape.key(PARAMETER_FIELDS[4])), pattern=r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$')
    return values


def _rate(value, path, parse):
    if value is None:
        raise WindowValidationError(path, 'required (a count such as "2" or a percentage of the targets such as "10%")')
    try:
        return str(parse(value))
    except InputError as exc:
        raise WindowValidationError(path, exc.problem)


def normalise_task(task, index):
    where = 'Tasks[%d]' % index
    if not isinstance(task, dict):
        raise WindowValidationError(where, 'must be a mapping with Name, Priority, MaxConcurrency, MaxErrors, Parameters')
    shape = _shape_of(task, TASK_FIELDS)
    where = '%s[%d]' % ('Tasks' if shape.aws else 'tasks', index)
    _check_keys(task, shape, TASK_FIELDS, TASK_READ_ONLY, where)

    def field(pair):
        return shape.get(task, pair), _path(where, shape.key(pair))

    fields = dict((pair[1], field(pair)) for pair in TASK_FIELDS)
    _choice(fields['task_type'][0], fields['task_type'][1], (TASK_TYPE,), TASK_TYPE)
    _choice(fields['task_arn'][0], fields['task_arn'][1], (TASK_ARN,), TASK_ARN)
    parameters, parameters_path = fields['parameters']
    invocation, invocation_path = fields['task_invocation_parameters']
    if invocation is not None:
        # get-maintenance-window-task prints TaskInvocationParameters.RunCommand.Parameters.
        run_command = invocation.get('RunCommand', invocation.get('run_command')) if isinstance(invocation, dict) else None
        if not isinstance(run_command, dict) or parameters is not None:
            raise WindowValidationError(invocation_path, 'give either Parameters or TaskInvocationParameters.RunCommand.'
                                                         'Parameters, once')
        parameters = run_command.get('Parameters', run_command.get('parameters'))
        parameters_path = _path(invocation_path, 'RunCommand.Parameters')
    if parameters is None:
        raise WindowValidationError(parameters_path, 'required: {Operation: [Scan]} or {Operation: [Install], ...}')
    values = normalise_parameters(parameters, parameters_path)
    name = _string(fields['name'][0], fields['name'][1], pattern=NAME_PATTERN)
    priority = fields['priority'][0]
    return {
        'name': name or '%s-%d' % (values['operation'].lower(), index + 1),
        'description': _string(fields['description'][0], fields['description'][1], max_length=DESCRIPTION_MAX_LENGTH),
        'priority': 1 if priority is None else _integer(priority, fields['priority'][1], 0),
        'max_concurrency': _rate(fields['max_concurrency'][0], fields['max_concurrency'][1],
                                 _rate_control.parse_max_concurrency),
        'max_errors': _rate(fields['max_errors'][0], fields['max_errors'][1], _rate_control.parse_max_errors),
        'cutoff_behavior': _choice(fields['cutoff_behavior'][0], fields['cutoff_behavior'][1], CUTOFF_BEHAVIORS,
                                   'CONTINUE_TASK'),
        'targets': normalise_targets(fields['targets'][0], fields['targets'][1]),
        'parameters': values,
    }


# --- the window ----------------------------------------------------------------------------------------


def _schedule_error(exc, shape):
    field = exc.field
    if not shape.aws:
        field = dict(WINDOW_FIELDS).get(field, field)
    return WindowValidationError(field, exc.problem)


def normalise_window(document, default_name=None):
    """Validate a window (either shape) as AWS does; the canonical snake_case dict (docs/DESIGN.md)."""
    if not isinstance(document, dict):
        raise WindowValidationError('window', 'must be a mapping in the AWS shape (Name, Schedule, Duration, Cutoff, '
                                              'Targets, Tasks, ...) or the same in snake_case')
    shape = _shape_of(document, WINDOW_FIELDS)
    _check_keys(document, shape, WINDOW_FIELDS, WINDOW_READ_ONLY, None)

    def value(aws_name):
        pair = next(pair for pair in WINDOW_FIELDS if pair[0] == aws_name)
        return shape.get(document, pair), shape.key(pair)

    name, name_path = value('Name')
    if name is None:
        name = default_name
    name = _string(name, name_path, required=True, pattern=NAME_PATTERN, example='prod-sunday')
    if default_name is not None and name != default_name:
        raise WindowValidationError(name_path, '%r differs from the file name %r; a window file is named after its Name'
                                    % (name, default_name))
    description, description_path = value('Description')
    duration, duration_path = value('Duration')
    cutoff, cutoff_path = value('Cutoff')
    if duration is None:
        raise WindowValidationError(duration_path, 'required: the window length in hours, 1..24')
    duration = _integer(duration, duration_path, *DURATION_RANGE)
    if cutoff is None:
        raise WindowValidationError(cutoff_path, 'required: hours before the end when no new task starts, 0..23')
    cutoff = _integer(cutoff, cutoff_path, *CUTOFF_RANGE)
    if cutoff >= duration:
        raise WindowValidationError(cutoff_path, '%d must be less than %s (%d)' % (cutoff, duration_path, duration))
    schedule_args = [value(field)[0] for field in SCHEDULE_FIELDS]
    try:
        schedule = _schedule.parse_schedule(*schedule_args)
    except _schedule.ScheduleError as exc:
        raise _schedule_error(exc, shape)
    enabled, enabled_path = value('Enabled')
    allow, allow_path = value('AllowUnassociatedTargets')
    targets, targets_path = value('Targets')
    tasks, tasks_path = value('Tasks')
    targets = normalise_targets(targets, targets_path)
    if tasks is None:
        tasks = []
    if not isinstance(tasks, list):
        raise WindowValidationError(tasks_path, 'must be a list of tasks')
    if len(tasks) > MAX_TASKS:
        raise WindowValidationError(tasks_path, 'has %d tasks; AWS allows at most %d per window' % (len(tasks), MAX_TASKS))
    canonical_tasks = [normalise_task(task, index) for index, task in enumerate(tasks)]
    seen = {}
    for index, task in enumerate(canonical_tasks):
        if task['name'] in seen:
            raise WindowValidationError('%s[%d]' % (tasks_path, index), 'the task name %r is already used by %s[%d]'
                                        % (task['name'], tasks_path, seen[task['name']]))
        seen[task['name']] = index
        if task['targets'] is None and not targets:
            raise WindowValidationError('%s[%d]' % (tasks_path, index), 'has no Targets and the window has none')
    return {
        'name': name,
        'description': _string(description, description_path, max_length=DESCRIPTION_MAX_LENGTH),
        'schedule': schedule.expression,
        'schedule_timezone': schedule.timezone,
        'schedule_offset': schedule.offset or None,
        'duration': duration,
        'cutoff': cutoff,
        'start_date': _schedule.format_time(schedule.start) if schedule.start else None,
        'end_date': _schedule.format_time(schedule.end) if schedule.end else None,
        'enabled': _boolean(enabled, enabled_path, True),
        'allow_unassociated_targets': _boolean(allow, allow_path, False),
        'targets': targets or [],
        'tasks': canonical_tasks,
    }


def schedule_of(window):
    """The ``_schedule.Schedule`` of a canonical window."""
    return _schedule.parse_schedule(window['schedule'], window['schedule_timezone'], offset=window['schedule_offset'],
                                    start_date=window['start_date'], end_date=window['end_date'])


def load_window_file(path):
    """One window file, validated; errors name the file and the field."""
    name = os.path.splitext(os.path.basename(path))[0]
    document = read_document_file(path)
    try:
        return normalise_window(document, default_name=name)
    except WindowValidationError as exc:
        raise RegistryError(path, str(exc))


def window_files(registry_dir):
    """``{name: path}`` of the window files in a registry directory."""
    directory = os.path.join(registry_dir, WINDOWS_DIR)
    found = {}
    if not os.path.isdir(directory):
        return found
    for file_name in sorted(os.listdir(directory)):
        if file_name.startswith('.') or not file_name.endswith(WINDOW_SUFFIXES):
            continue
        name = os.path.splitext(file_name)[0]
        if name in found:
            raise RegistryError(os.path.join(directory, file_name), 'a second file for window %r (also %s)'
                                % (name, found[name]))
        found[name] = os.path.join(directory, file_name)
    return found


def load_windows(registry_dir):
    """Every window of a registry: ``{name: canonical window}``."""
    return dict((name, load_window_file(path)) for name, path in window_files(registry_dir).items())


def load_window(registry_dir, name):
    """One window by name from the registry; RegistryError naming the known windows when there is none."""
    files = window_files(registry_dir)
    if name not in files:
        raise RegistryError(os.path.join(registry_dir, WINDOWS_DIR), 'no window named %r (known: %s)'
                            % (name, ', '.join(sorted(files)) or 'none'))
    return load_window_file(files[name])


# --- executions ----------------------------------------------------------------------------------------


def execution_id(window_name, start):
    """The window execution id: a UUID derived from the window name and its start (UTC)."""
    return str(uuid.uuid5(EXECUTION_NAMESPACE, '%s|%s' % (window_name, start.astimezone(_schedule.UTC).isoformat())))


def execution_for(window, start):
    """``{window, window_execution_id, snapshot_id, start, end, cutoff}`` (aware datetimes) of the execution at ``start``."""
    # Durations are real hours: add them in UTC (aware arithmetic in a ZoneInfo adds wall time).
    zone = start.tzinfo
    start = start.astimezone(_schedule.UTC)
    end = start + datetime.timedelta(hours=window['duration'])
    identifier = execution_id(window['name'], start)
    return {
        'window': window['name'],
        'window_execution_id': identifier,
        # AWS derives the execution's snapshot from its id; every task of the execution shares it.
        'snapshot_id': identifier,
        'start': start.astimezone(zone),
        'end': end.astimezone(zone),
        'cutoff': (end - datetime.timedelta(hours=window['cutoff'])).astimezone(zone),
    }


def executions(window, after, count=10):
    """The next ``count`` executions starting at or after ``after`` (aware); none when the window is disabled."""
    if not window['enabled']:
        return []
    return [execution_for(window, start) for start in schedule_of(window).occurrences(after, count=count)]


def open_execution(window, now):
    """The execution open at ``now`` (its start <= now < its end), the latest when several overlap, or None."""
    if not window['enabled']:
        return None
    schedule = schedule_of(window)
    now = now.astimezone(_schedule.UTC)
    duration = datetime.timedelta(hours=window['duration'])
    latest = schedule.latest_before(now, duration)
    if latest is None or now >= latest.astimezone(_schedule.UTC) + duration:
        return None
    return execution_for(window, latest)


def window_state(window, now):
    """Where ``now`` falls for the playbook: ``{state, execution, next_execution, accepting_new_tasks, message}``.

    ``state``: ``open`` (tasks may start), ``after_cutoff`` (open, but no new task starts),
    ``closed`` (no execution open) or ``disabled``. ``execution``/``next_execution``: as
    ``execution_for`` returns, or None.
    """
    if not window['enabled']:
        return {'state': 'disabled', 'execution': None, 'next_execution': None, 'accepting_new_tasks': False,
                'message': 'Window %s is disabled (Enabled: false): nothing runs.' % window['name']}
    now = now.astimezone(_schedule.UTC)
    current = open_execution(window, now)
    upcoming = executions(window, now + datetime.timedelta(seconds=1), count=1)
    upcoming = upcoming[0] if upcoming else None
    stamp = _schedule.format_time(now.astimezone(_schedule.load_timezone(window['schedule_timezone'])))
    if current is None:
        following = ('the next execution starts at %s' % _schedule.format_time(upcoming['start'])
                     if upcoming else 'the window has no further execution')
        return {'state': 'closed', 'execution': None, 'next_execution': upcoming, 'accepting_new_tasks': False,
                'message': 'Window %s has no execution open at %s; %s.' % (window['name'], stamp, following)}
    if now >= current['cutoff']:
        return {'state': 'after_cutoff', 'execution': current, 'next_execution': upcoming, 'accepting_new_tasks': False,
                'message': 'Window %s execution %s is past its cutoff %s at %s: no new task starts.'
                           % (window['name'], current['window_execution_id'], _schedule.format_time(current['cutoff']),
                              stamp)}
    return {'state': 'open', 'execution': current, 'next_execution': upcoming, 'accepting_new_tasks': True,
            'message': 'Window %s execution %s is open from %s to %s (cutoff %s).'
                       % (window['name'], current['window_execution_id'], _schedule.format_time(current['start']),
                          _schedule.format_time(current['end']), _schedule.format_time(current['cutoff']))}


def schedule_elsewhere(window, reference):
    """How to trigger the window from other schedulers: ``{awx_schedule, awx_schedule_reason,
    systemd_on_calendar, systemd_on_calendar_reason}`` from ``reference`` (aware) on."""
    if not window['enabled']:
        reason = 'the window is disabled (Enabled: false)'
        return {'awx_schedule': None, 'awx_schedule_reason': reason,
                'systemd_on_calendar': None, 'systemd_on_calendar_reason': reason}
    schedule = schedule_of(window)
    rrule, rrule_reason = _schedule_export.awx_rrule(schedule, reference)
    calendar, calendar_reason = _schedule_export.systemd_calendar(schedule, reference)
    return {'awx_schedule': rrule, 'awx_schedule_reason': rrule_reason,
            'systemd_on_calendar': calendar, 'systemd_on_calendar_reason': calendar_reason}


# --- tasks at run time ---------------------------------------------------------------------------------


def task_groups(window):
    """The window's tasks grouped by Priority, ascending (0 first); equal priorities share a group, in file order."""
    groups = {}
    for task in window['tasks']:
        groups.setdefault(task['priority'], []).append(task)
    return [groups[priority] for priority in sorted(groups)]


def run_patch_baseline_args(task, execution=None, registry_dir=None):
    """The ``fleetops.patch_manager.run_patch_baseline`` options of one task.

    ``snapshot_id``: the task's SnapshotId, else the execution's (all tasks share it);
    override files: relative paths are taken from ``registry_dir``; a patch policy's
    baselines become ``baseline_override`` (canonical baselines, from the registry at
    ``registry_dir`` or the predefined ones).
    """
    parameters = task['parameters']
    args = {'operation': parameters['operation'], 'reboot_option': parameters['reboot_option']}
    for option in ('baseline_override', 'install_override_list'):
        path = parameters[option]
        if path:
            if registry_dir and not os.path.isabs(os.path.expanduser(path)):
                path = os.path.join(registry_dir, path)
            args[option] = os.path.expanduser(path)
    if parameters.get('baselines'):
        # A patch policy's baseline per operating system, applied as a BaselineOverride.
        from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _policy
        registry = _registry.cached_registry(registry_dir) if registry_dir else None
        args['baseline_override'] = _policy.policy_baseline_override(task, registry)
    snapshot_id = parameters['snapshot_id'] or (execution or {}).get('snapshot_id')
    if snapshot_id:
        args['snapshot_id'] = snapshot_id
    return args


# --- statuses and the execution record -----------------------------------------------------------------


def task_status(succeeded=0, failed=0, not_started=0, running=0, cut_off=False, cancelled=False):
    """The AWS status of one task from its host counts.

    ``running`` hosts -> IN_PROGRESS; any failed host (an error or an unreachable host)
    -> FAILED; hosts left unstarted because the cutoff came -> TIMED_OUT; work stopped by
    CANCEL_TASK -> CANCELLED; else SUCCESS (also for a task that had no host to run on).
    Hosts left unstarted because MaxErrors was spent count as failed only through the errors
    that spent it.
    """
    if running:
        return IN_PROGRESS
    if failed:
        return FAILED
    if cut_off and not_started:
        return TIMED_OUT
    if cancelled:
        return CANCELLED
    return SUCCESS


def execution_status(task_statuses):
    """The window execution's status from its tasks' statuses.

    Still running -> IN_PROGRESS; else the worst of FAILED > TIMED_OUT > CANCELLED; else SUCCESS.
    """
    statuses = list(task_statuses)
    for status in (IN_PROGRESS, PENDING, CANCELLING):
        if status in statuses:
            return IN_PROGRESS
    for status in (FAILED, TIMED_OUT, CANCELLED):
        if status in statuses:
            return status
    return SUCCESS


def _time_text(moment):
    if moment is None or isinstance(moment, str):
        return moment
    return _schedule.format_time(moment)


def _check_status(status):
    if status not in EXECUTION_STATUSES:
        raise ValueError('%r is not one of %s' % (status, ', '.join(EXECUTION_STATUSES)))
    return status


def task_record(name, priority, status, start_time=None, end_time=None, hosts=None):
    """One entry of ``patch_window_execution.tasks``; ``hosts``: ``{inventory hostname: outcome}``."""
    return {'name': name, 'priority': priority, 'status': _check_status(status), 'start_time': _time_text(start_time),
            'end_time': _time_text(end_time), 'hosts': dict(hosts or {})}


def execution_record(window_name, window_execution_id, status, start_time, end_time, tasks):
    """``patch_window_execution`` as CONTRACT.md shapes it (times as ISO 8601 strings).

    ``tasks``: ``task_record`` dicts, in the order they ran.
    """
    return {'window': window_name, 'window_execution_id': window_execution_id, 'status': _check_status(status),
            'start_time': _time_text(start_time), 'end_time': _time_text(end_time), 'tasks': list(tasks)}


def skipped_overlapping_record(window, execution, now, holder=None):
    """The record of a start refused because an execution of the same window is still running."""
    record = execution_record(window['name'], execution['window_execution_id'], SKIPPED_OVERLAPPING, now, now, [])
    if holder:
        record['running_execution_id'] = holder.get('execution_id')
    return record


def format_execution(execution):
    """An execution with ISO 8601 times, for module results: ``{start, end, cutoff[, window_execution_id]}``."""
    return dict((key, _time_text(value)) for key, value in execution.items() if key != 'window')
