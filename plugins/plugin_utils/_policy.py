# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Patch policies (SSM Quick Setup) as two maintenance windows.

A policy is kept as ``patch_registry/policies/<Name>.yml`` (PascalCase or snake_case):

    Name: fleet                        # 3-128 of a-z A-Z 0-9 _ - .
    Operation: ScanAndInstall          # Scan | ScanAndInstall (Quick Setup's two choices)
    ScanSchedule: cron(0 1 * * ? *)    # Quick Setup default: daily 01:00 UTC
    InstallSchedule: cron(0 2 ? * SUN *)   # default: Sunday 02:00 UTC
    ScheduleTimezone: UTC              # also StartDate / EndDate, as windows take them
    Duration: 2                        # hours each window stays open; Cutoff as for windows
    Cutoff: 0
    Baselines:                         # one baseline per operating system (registry or predefined names)
      UBUNTU: AWS-UbuntuDefaultPatchBaseline
    Targets: [{Key: tag:Environment, Values: [prod]}]
    MaxConcurrency: 10%                # Quick Setup's rate control; these are its defaults
    MaxErrors: 2%
    RebootOption: RebootIfNeeded

``policy_windows`` turns it into the windows ``<Name>-scan`` and (ScanAndInstall)
``<Name>-install``, each validated as any window is; their task parameters carry
``baselines`` ({OS: name}), applied at run time as a BaselineOverride, as Quick Setup does.

Controller-only code (Python 3.11).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _registry
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _window
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._window import WindowValidationError

POLICIES_DIR = 'policies'
OPERATIONS = ('Scan', 'ScanAndInstall')
DEFAULT_SCAN_SCHEDULE = 'cron(0 1 * * ? *)'
DEFAULT_INSTALL_SCHEDULE = 'cron(0 2 ? * SUN *)'
DEFAULT_RATE = {'MaxConcurrency': '10%', 'MaxErrors': '2%'}
# The windows' names get a suffix: keep the policy name short enough for it.
NAME_PATTERN = r'^[a-zA-Z0-9_\-.]{3,120}$'

POLICY_FIELDS = (
    ('Name', 'name'), ('Description', 'description'), ('Operation', 'operation'), ('ScanSchedule', 'scan_schedule'),
    ('InstallSchedule', 'install_schedule'), ('ScheduleTimezone', 'schedule_timezone'), ('StartDate', 'start_date'),
    ('EndDate', 'end_date'), ('Duration', 'duration'), ('Cutoff', 'cutoff'), ('Enabled', 'enabled'),
    ('Baselines', 'baselines'), ('Targets', 'targets'), ('MaxConcurrency', 'max_concurrency'),
    ('MaxErrors', 'max_errors'), ('RebootOption', 'reboot_option'),
)


def _check_baselines(baselines, path):
    if baselines is None:
        return {}
    if not isinstance(baselines, dict):
        raise WindowValidationError(path, 'must be a mapping {OperatingSystem: baseline name}')
    for operating_system, name in baselines.items():
        if operating_system not in _registry.OPERATING_SYSTEMS:
            raise WindowValidationError(path, '%r is not one of %s' % (operating_system, ', '.join(_registry.OPERATING_SYSTEMS)))
        if not isinstance(name, str) or not name:
            raise WindowValidationError('%s.%s' % (path, operating_system), 'must be a baseline name')
    return dict(baselines)


def normalise_policy(document, default_name=None):
    """Validate a policy (either shape); ``{'policy': canonical policy, 'windows': [canonical windows]}``."""
    if not isinstance(document, dict):
        raise WindowValidationError('policy', 'must be a mapping (Name, Operation, ScanSchedule, InstallSchedule, '
                                              'Baselines, Targets, ...)')
    shape = _window._shape_of(document, POLICY_FIELDS)
    _window._check_keys(document, shape, POLICY_FIELDS, (), None)
    values = dict((pair[0], shape.get(document, pair)) for pair in POLICY_FIELDS)
    keys = dict((pair[0], shape.key(pair)) for pair in POLICY_FIELDS)
    name = values['Name'] if values['Name'] is not None else default_name
    name = _window._string(name, keys['Name'], required=True, pattern=NAME_PATTERN, example='fleet')
    if default_name is not None and name != default_name:
        raise WindowValidationError(keys['Name'], '%r differs from the file name %r' % (name, default_name))
    operation = _window._choice(values['Operation'], keys['Operation'], OPERATIONS, 'ScanAndInstall')
    reboot_option = _window._choice(values['RebootOption'], keys['RebootOption'], _window.REBOOT_OPTIONS,
                                    'RebootIfNeeded')
    baselines = _check_baselines(values['Baselines'], keys['Baselines'])
    policy = {
        'name': name,
        'description': values['Description'],
        'operation': operation,
        'scan_schedule': values['ScanSchedule'] or DEFAULT_SCAN_SCHEDULE,
        'install_schedule': values['InstallSchedule'] or DEFAULT_INSTALL_SCHEDULE,
        'baselines': baselines,
        'reboot_option': reboot_option,
    }
    windows = []
    plans = [('scan', 'Scan', 'ScanSchedule')]
    if operation == 'ScanAndInstall':
        plans.append(('install', 'Install', 'InstallSchedule'))
    for suffix, task_operation, schedule_field in plans:
        window = {
            'Name': '%s-%s' % (name, suffix),
            'Description': ('%s policy %s' % (task_operation, name))[:_window.DESCRIPTION_MAX_LENGTH],
            'Schedule': values[schedule_field] or (DEFAULT_SCAN_SCHEDULE if suffix == 'scan' else DEFAULT_INSTALL_SCHEDULE),
            'ScheduleTimezone': values['ScheduleTimezone'],
            'StartDate': values['StartDate'],
            'EndDate': values['EndDate'],
            'Duration': 2 if values['Duration'] is None else values['Duration'],
            'Cutoff': 0 if values['Cutoff'] is None else values['Cutoff'],
            'Enabled': values['Enabled'],
            'Targets': values['Targets'],
            'Tasks': [{
                'Name': suffix,
                'Priority': 1,
                'MaxConcurrency': DEFAULT_RATE['MaxConcurrency'] if values['MaxConcurrency'] is None else values['MaxConcurrency'],
                'MaxErrors': DEFAULT_RATE['MaxErrors'] if values['MaxErrors'] is None else values['MaxErrors'],
                'Parameters': {'Operation': [task_operation], 'RebootOption': [reboot_option]},
            }],
        }
        window = dict((key, value) for key, value in window.items() if value is not None)
        try:
            canonical = _window.normalise_window(window)
        except WindowValidationError as exc:
            raise WindowValidationError(_policy_path(exc.path, schedule_field, keys), exc.problem)
        canonical['tasks'][0]['parameters']['baselines'] = dict(baselines)
        canonical['policy'] = name
        windows.append(canonical)
    return {'policy': policy, 'windows': windows}


def _policy_path(path, schedule_field, keys):
    """Name the policy's own field for an error found in a window made from it."""
    head = path.split('.', 1)[0].split('[', 1)[0]
    if head == 'Schedule':
        return keys[schedule_field]
    if head == 'Tasks':
        for field in ('MaxConcurrency', 'MaxErrors'):
            if path.endswith(field):
                return keys[field]
        return path
    if head in keys:
        return keys[head] + path[len(head):]
    return path


def policy_files(registry_dir):
    directory = os.path.join(registry_dir, POLICIES_DIR)
    if not os.path.isdir(directory):
        return {}
    return dict((os.path.splitext(file_name)[0], os.path.join(directory, file_name))
                for file_name in sorted(os.listdir(directory))
                if not file_name.startswith('.') and file_name.endswith(_window.WINDOW_SUFFIXES))


def load_policy(path, registry=None):
    """One policy file, validated (baseline names against ``registry`` when given); errors name the file."""
    document = _registry.read_document_file(path)
    name = os.path.splitext(os.path.basename(path))[0]
    try:
        result = normalise_policy(document, default_name=name)
        if registry is not None:
            check_baseline_names(result['policy'], registry)
    except (WindowValidationError, _registry.RegistryError) as exc:
        raise _registry.RegistryError(path, str(exc))
    return result


def check_baseline_names(policy, registry):
    """Every baseline of the policy exists (registry or predefined) and is for its operating system."""
    for operating_system, name in policy['baselines'].items():
        baseline = resolve_baseline_name(name, registry)
        if baseline is None:
            raise WindowValidationError('Baselines.%s' % operating_system, '%r is not a baseline in the registry nor a '
                                        'predefined AWS baseline' % name)
        if baseline.get('operating_system') != operating_system:
            raise WindowValidationError('Baselines.%s' % operating_system, 'baseline %r is for %s, not %s'
                                        % (name, baseline.get('operating_system'), operating_system))


def resolve_baseline_name(name, registry=None):
    """The canonical baseline called ``name`` in ``registry`` or among the predefined ones, or None."""
    if registry is not None and name in registry.baselines:
        return registry.baseline(name)
    if not _predefined.is_predefined_name(name):
        return None
    return _predefined.get_predefined(name)


def load_policies(registry_dir, registry=None):
    """``{policy name: {'policy', 'windows'}}`` of a registry directory."""
    return dict((name, load_policy(path, registry)) for name, path in policy_files(registry_dir).items())


def policy_baseline_override(task, registry=None):
    """The ``baseline_override`` list (canonical baselines) of a policy task, or None for other tasks."""
    baselines = task['parameters'].get('baselines')
    if not baselines:
        return None
    return [resolve_baseline_name(name, registry) for name in baselines.values()]


def find_window(registry_dir, name, registry=None):
    """A window by name: a file under ``windows/``, else a window made from a policy (``<policy>-scan``/``-install``)."""
    if name in _window.window_files(registry_dir):
        return _window.load_window(registry_dir, name)
    for policy in load_policies(registry_dir, registry).values():
        for window in policy['windows']:
            if window['name'] == name:
                return window
    known = sorted(_window.window_files(registry_dir))
    known += sorted(window['name'] for policy in load_policies(registry_dir, registry).values()
                    for window in policy['windows'])
    raise _registry.RegistryError(os.path.join(registry_dir, _window.WINDOWS_DIR), 'no window named %r (known: %s)'
                                  % (name, ', '.join(known) or 'none'))
