# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of maintenance_window_execution: start and finish one window execution (no host connection)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import iso_time
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _window
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _window_run
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._window_lock import WindowLock
from ansible_collections.fleetops.patch_manager.plugins.action.maintenance_window_info import (
    ActionModule as InfoAction,
    _registry_dir,
)

ARGUMENT_SPEC = dict(
    step=dict(type='str', required=True, choices=['start', 'finish']),
    window=dict(type='raw'),
    now=dict(type='str'),
    plan=dict(type='dict'),
    results=dict(type='dict'),
)
STATS_KEY = 'patch_window_execution'


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result['changed'] = False
        try:
            if args['step'] == 'start':
                result.update(self.start(task_vars, args))
            else:
                result.update(self.finish(args))
        except PatchManagerError as exc:
            result.update(failed=True, msg=str(exc))
        return result

    def start(self, task_vars, args):
        if args['window'] in (None, ''):
            raise PatchManagerError('window: required - the name of a window in the patch registry (-e window=<Name>)')
        info = InfoAction.__new__(InfoAction)
        window = info.load_window(task_vars, args['window'])
        registry_dir = _registry_dir(task_vars, 'window', window['name']) if not isinstance(args['window'], dict) else None
        real_now = _utc_now()
        now = real_now
        if args['now']:
            now = _schedule.parse_instant(args['now'], 'window_now',
                                          default_timezone=_schedule.load_timezone(window['schedule_timezone']))
        state = _window.window_state(window, now)
        if state['state'] != 'open':
            # Started outside any execution (or past its cutoff): nothing runs, and the user is told why. Not an
            # error: cron may start the playbook every few minutes and let it decide.
            return {'started': False, 'msg': state['message'], 'window_state': state['state']}
        execution = state['execution']
        status, holder = WindowLock(window['name']).acquire(execution['window_execution_id'])
        if status == 'completed':
            return {'started': False, 'window_state': 'completed',
                    'msg': 'Window %s execution %s already ran to its end on this controller: nothing left to do.'
                           % (window['name'], execution['window_execution_id'])}
        if status != 'acquired':
            record = _window.skipped_overlapping_record(window, execution, real_now, holder)
            message = ('Window %s execution %s is still running on this controller: this start is SKIPPED_OVERLAPPING.'
                       % (window['name'], (holder or {}).get('execution_id') or execution['window_execution_id']))
            return {'started': False, 'window_state': 'skipped_overlapping', 'msg': message, STATS_KEY: record,
                    'ansible_stats': {'data': {STATS_KEY: record}, 'per_host': False, 'aggregate': False}}
        host_vars = dict((host, (task_vars.get('hostvars') or {}).get(host) or {})
                         for host in (task_vars.get('groups') or {}).get('all', []))
        plan = _window_run.plan_execution(window, state, host_vars, registry_dir=registry_dir, real_now=real_now,
                                          now=now)
        plan['start_time'] = iso_time(real_now)
        return {'started': True, 'window_state': 'open', 'msg': state['message'],
                'ansible_facts': {'patch_window_plan': plan}}

    def finish(self, args):
        plan = args['plan']
        if not plan:
            raise PatchManagerError('plan: required - the patch_window_plan the start step set')
        end = _utc_now()
        record = _window_run.execution_result(plan, args['results'] or {}, plan.get('start_time'), iso_time(end))
        WindowLock(plan['window']).release(plan['execution']['window_execution_id'])
        result = {STATS_KEY: record, 'ansible_stats': {'data': {STATS_KEY: record}, 'per_host': False,
                                                       'aggregate': False},
                  'msg': 'Window %s execution %s: %s.' % (plan['window'], record['window_execution_id'], record['status'])}
        return result
