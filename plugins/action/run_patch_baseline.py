# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of run_patch_baseline: read option files, validate, resolve the baseline, reboot.

Data flows one way: task options -> ``module_arguments`` (files read, everything validated,
the baseline resolved by ``_resolve``) -> the module on the host -> the result, plus the
reboot when AWS would reboot. Raw user documents never travel to the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.module_utils.six import string_types
from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _documents
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _run
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError, PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._validation import patch_group_problem
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _resolve
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store

MODULE = 'fleetops.patch_manager.run_patch_baseline'
# Options whose string value names a file on the controller (unless it is document text).
FILE_OPTIONS = ('baseline', 'baseline_override', 'install_override_list')
BASELINE_FILE_SUFFIXES = ('.yml', '.yaml', '.json')
# Consumed on the controller: the module receives their resolved, validated forms.
CONTROLLER_OPTIONS = ('baseline', 'baseline_override', 'install_override_list', 'evaluation_time', 'snapshot_id',
                      'patch_group', 'reboot_timeout')


def is_file_reference(option, value):
    """Whether a string option names a file; a ``baseline`` name may also be a registered or predefined baseline."""
    if not isinstance(value, string_types) or not value.strip() or _documents.looks_like_document(value):
        return False
    if option == 'baseline':
        return not _predefined.is_predefined_name(value) and ('/' in value or value.endswith(BASELINE_FILE_SUFFIXES))
    return True


def host_patch_group(args, task_vars):
    """The task's ``patch_group``, else the host variable (set by the patch_groups inventory plugin); validated."""
    value = args.get('patch_group') or task_vars.get('patch_group') or ''
    if value:
        problem = patch_group_problem(value)
        if problem:
            raise InputError('patch_group', problem)
    return value


def module_arguments(args, task_vars, store=None):
    """The module's arguments and the warnings for the user, from the task's (file-free) options.

    Raises PatchManagerError naming the field for anything invalid: nothing reaches the host then.
    """
    options = _run.validate_options(dict(args, baseline=None))
    patch_group = host_patch_group(args, task_vars)
    resolution = _resolve.resolve(
        task_vars, operating_system=args.get('operating_system'), patch_group=patch_group,
        overrides=options['overrides'], task_baseline=args.get('baseline') or None,
        snapshot_id=options['snapshot_id'], evaluation_time=options['evaluation_time'],
        root=args.get('root') or '/', store=store)
    module_args = dict((key, value) for key, value in args.items() if key not in CONTROLLER_OPTIONS)
    module_args.update(resolved_baselines=resolution['baselines'], patch_group=patch_group,
                       snapshot_id=resolution['snapshot_id'])
    if resolution['evaluation_time']:
        module_args['evaluation_time'] = resolution['evaluation_time']
    if options['override_entries'] is not None:
        module_args['install_override_list'] = options['override_entries']
    return module_args, resolution['warnings']


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def read_option_files(self, args):
        """Replace file paths in FILE_OPTIONS by the data of the file found on the controller."""
        for option in FILE_OPTIONS:
            value = args.get(option)
            if not is_file_reference(option, value):
                continue
            try:
                path = self._find_needle('files', value)
            except AnsibleError:
                raise InputError(option, 'the file %s was not found on the controller (searched the role files, '
                                         'the playbook directory and their files/ directories)' % value)
            try:
                args[option] = _documents.read_document_file(path)
            except _documents.DocumentError as exc:
                raise InputError(option, str(exc))
        return args

    def reboot(self, task_vars, reboot_timeout):
        reboot_task = self._task.copy()
        reboot_task.args.clear()
        if reboot_timeout is not None:
            reboot_task.args['reboot_timeout'] = reboot_timeout
        reboot_task.args['msg'] = 'Reboot initiated by fleetops.patch_manager.run_patch_baseline'
        action = self._shared_loader_obj.action_loader.get(
            'ansible.builtin.reboot', task=reboot_task, connection=self._connection, play_context=self._play_context,
            loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        return action.run(task_vars=task_vars)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        # An option set to null or '' is unset: roles and playbooks pass their inputs through without `omit`, and
        # AWX surveys pass unanswered optional questions as ''.
        args = dict((key, value) for key, value in self._task.args.items() if value is not None and value != '')
        try:
            module_args, warnings = module_arguments(self.read_option_files(args), task_vars)
        except PatchManagerError as exc:
            result.update(failed=True, msg=str(exc), changed=False)
            return result

        result.update(self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars))
        if warnings:
            result['warnings'] = list(result.get('warnings') or []) + warnings
        reboot_due = result.pop('reboot_due', False)
        result['rebooted'] = False
        wants_reboot = (module_args.get('reboot_option', 'RebootIfNeeded') == 'RebootIfNeeded'
                        and module_args.get('root', '/') in (None, '/'))
        if reboot_due and wants_reboot and not self._task.check_mode and 'instance_patch_state' in result:
            reboot_result = self.reboot(task_vars, args.get('reboot_timeout'))
            if reboot_result.get('failed'):
                result.update(failed=True, msg='%s The reboot failed: %s'
                              % (result.get('msg', 'Patches were installed.'), reboot_result.get('msg')))
            else:
                result['rebooted'] = bool(reboot_result.get('rebooted', True))
        return _store.keep_result(task_vars, task_vars.get('inventory_hostname'), result, task_args=args)
