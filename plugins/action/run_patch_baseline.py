# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller side of run_patch_baseline: read option files, validate, resolve the baseline, reboot."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import functools

from ansible.errors import AnsibleError
from ansible.module_utils.six import string_types
from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _overrides
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _platform
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _run
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store

try:
    # The fleet layer (baseline registry, patch groups) plugs in here when it is present.
    from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._registry import (
        registry_dir_for_host,
        resolve_baseline_for_host,
    )
except ImportError:
    registry_dir_for_host = resolve_baseline_for_host = None

MODULE = 'fleetops.patch_manager.run_patch_baseline'
# Options whose string value names a file on the controller (unless it is document text).
FILE_OPTIONS = ('baseline', 'baseline_override', 'install_override_list')
BASELINE_FILE_SUFFIXES = ('.yml', '.yaml', '.json')


def default_baseline_for_host(task_vars, args, detect_operating_system=None, report=None):
    """Without the fleet layer: the task's baseline, else None (the module picks the predefined one for the OS)."""
    return args.get('baseline')


def is_file_reference(option, value):
    """Whether a string option names a file; a ``baseline`` name may also be a registered baseline."""
    if not isinstance(value, string_types) or not value.strip() or _overrides.looks_like_document(value):
        return False
    if option == 'baseline':
        return not _predefined.is_predefined_name(value) and ('/' in value or value.endswith(BASELINE_FILE_SUFFIXES))
    return True


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def load_option_files(self, args):
        """Replace file paths in FILE_OPTIONS by the data of the file (YAML or JSON) found on the controller."""
        for option in FILE_OPTIONS:
            value = args.get(option)
            if not is_file_reference(option, value):
                continue
            try:
                path = self._find_needle('files', value)
            except AnsibleError:
                raise PatchManagerError('%s: the file %s was not found on the controller (searched the role files, '
                                        'the playbook directory and their files/ directories)' % (option, value))
            try:
                args[option] = self._loader.load_from_file(path)
            except AnsibleError as exc:
                raise PatchManagerError('%s: cannot read %s as YAML or JSON: %s' % (option, path, exc))
        return args

    def detect_operating_system(self, task_vars, root):
        """The AWS OperatingSystem of ``<root>/etc/os-release`` on the host (one slurp), or None."""
        path = '%s/etc/os-release' % root.rstrip('/')
        answer = self._execute_module(module_name='ansible.builtin.slurp', module_args={'src': path},
                                      task_vars=task_vars)
        if answer.get('failed') or 'content' not in answer:
            return None
        text = base64.b64decode(answer['content']).decode('utf-8', 'replace')
        try:
            return _platform.detect_platform(_platform.parse_os_release(text)).operating_system
        except PatchManagerError:
            return None  # an OS we cannot map: the module reports it with the choices

    def resolve_baseline(self, task_vars, args, report):
        """The module's ``baseline``: the fleet layer's resolution (registry, snapshot) when present.

        ``report`` receives the result fields that say which baseline was chosen and why.
        """
        hook = resolve_baseline_for_host or default_baseline_for_host
        root = args.get('root') or '/'
        host_vars = task_vars
        if root != '/':
            # Facts describe the machine, not the system under root.
            host_vars = dict((key, value) for key, value in task_vars.items() if key != 'ansible_facts')
        detect = None
        if registry_dir_for_host is not None and (args.get('snapshot_id') or registry_dir_for_host(host_vars)):
            # Only a registry or a snapshot needs the OS on the controller: spare the round trip otherwise.
            detect = functools.partial(self.detect_operating_system, task_vars, root)
        return hook(host_vars, args, detect_operating_system=detect, report=report)

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
        args = dict(self._task.args)
        reboot_timeout = args.pop('reboot_timeout', None)
        report = {}
        try:
            args = self.load_option_files(args)
            # Everything is checked before the module reaches the host; the baseline after the fleet
            # layer has resolved registry names, everything else before it acts on the values.
            _run.validate_options(dict(args, baseline=None))
            baseline = self.resolve_baseline(task_vars, args, report)
            if baseline is not None:
                args['baseline'] = baseline
            _run.baseline_from_option(args.get('baseline'))
        except PatchManagerError as exc:
            result.update(failed=True, msg=str(exc), changed=False)
            return result
        if not args.get('patch_group') and task_vars.get('patch_group'):
            args['patch_group'] = task_vars['patch_group']

        result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
        warnings = report.pop('warnings', [])
        if warnings:
            result['warnings'] = list(result.get('warnings') or []) + warnings
        result.update(report)
        reboot_due = result.pop('reboot_due', False)
        result['rebooted'] = False
        wants_reboot = (args.get('reboot_option', 'RebootIfNeeded') == 'RebootIfNeeded'
                        and args.get('root', '/') in (None, '/'))
        if reboot_due and wants_reboot and not self._task.check_mode and 'instance_patch_state' in result:
            reboot_result = self.reboot(task_vars, reboot_timeout)
            if reboot_result.get('failed'):
                result.update(failed=True, msg='%s The reboot failed: %s'
                              % (result.get('msg', 'Patches were installed.'), reboot_result.get('msg')))
            else:
                result['rebooted'] = bool(reboot_result.get('rebooted', True))
        return _store.keep_result(task_vars, task_vars.get('inventory_hostname'), result, task_args=args)
