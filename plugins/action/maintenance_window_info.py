# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of maintenance_window_info: everything happens here, no host connection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.module_utils.six import string_types
from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _policy
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _registry
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _window

ARGUMENT_SPEC = dict(
    window=dict(type='raw'),
    policy=dict(type='raw'),
    after=dict(type='str'),
    count=dict(type='int', default=10),
)
MAX_COUNT = 1000


def describe_window(window, after, count):
    """The module's result for one canonical window."""
    zone = _schedule.load_timezone(window['schedule_timezone'])
    if after is None:
        moment = datetime.datetime.now(_schedule.UTC)
    else:
        moment = _schedule.parse_instant(after, 'after', default_timezone=zone)
    state = _window.window_state(window, moment)
    result = {
        'window': window,
        'executions': [_window.format_execution(execution) for execution in _window.executions(window, moment, count)],
        'current_execution': _window.format_execution(state['execution']) if state['execution'] else None,
        'state': state['state'],
        'message': state['message'],
    }
    result.update(_window.schedule_elsewhere(window, moment))
    return result


def _registry_dir(task_vars, option, name):
    path = _registry.registry_dir_for_host(task_vars)
    if path is None:
        raise PatchManagerError('%s: %r names a window in the patch registry, but there is none: set the variable '
                                'patch_registry_dir, or keep patch_registry/ beside the inventory' % (option, name))
    return path


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        validation, args = self.validate_argument_spec(
            argument_spec=ARGUMENT_SPEC, required_one_of=[('window', 'policy')],
            mutually_exclusive=[('window', 'policy')])
        result['changed'] = False
        try:
            if not 1 <= args['count'] <= MAX_COUNT:
                raise PatchManagerError('count: %d is outside 1..%d' % (args['count'], MAX_COUNT))
            if args['policy'] is not None:
                result.update(self.describe_policy(task_vars, args))
            else:
                result.update(describe_window(self.load_window(task_vars, args['window']), args['after'], args['count']))
        except PatchManagerError as exc:
            result.update(failed=True, msg=str(exc))
        return result

    def load_window(self, task_vars, value):
        if isinstance(value, dict):
            return _window.normalise_window(value)
        if not isinstance(value, string_types) or not value:
            raise PatchManagerError('window: must be the name of a window in the patch registry or a window definition '
                                    '(a mapping), not %r' % (value,))
        path = _registry_dir(task_vars, 'window', value)
        return _policy.find_window(path, value, registry=self.registry(path))

    def registry(self, path):
        try:
            return _registry.cached_registry(path)
        except _registry.RegistryError:
            return None     # baseline names are checked when the registry itself is valid

    def describe_policy(self, task_vars, args):
        value = args['policy']
        if isinstance(value, dict):
            loaded = _policy.normalise_policy(value)
        elif isinstance(value, string_types) and value:
            path = _registry_dir(task_vars, 'policy', value)
            files = _policy.policy_files(path)
            if value not in files:
                raise PatchManagerError('policy: no policy named %r in %s (known: %s)'
                                        % (value, path, ', '.join(sorted(files)) or 'none'))
            loaded = _policy.load_policy(files[value], registry=self.registry(path))
        else:
            raise PatchManagerError('policy: must be the name of a policy in the patch registry or a policy definition')
        return {'policy': loaded['policy'],
                'windows': [describe_window(window, args['after'], args['count']) for window in loaded['windows']]}
