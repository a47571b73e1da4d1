# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: fleet_run
short_description: Validate the options of a fleet patch run and choose its snapshot id
version_added: 1.0.0
author:
  - fleetops.patch_manager contributors (@fleetops)
description:
  - Checks the options of a fleet run once, on the controller, before any host is touched - C(max_concurrency) and
    C(max_errors) with the AWS patterns (a count or a percentage of the targets), and at most one of
    C(target_patch_group) and C(target_hosts).
  - Returns what the run's plays read - the host pattern of the targets (C(patch_group_<value>) for a patch group),
    the limits with the AWS defaults filled in, and the run's snapshot id (a new GUID unless C(snapshot_id) is given),
    so that every host is evaluated against the same approvals.
  - An invalid option fails the task with a message that names the option and the allowed values.
options:
  _input:
    description:
      - The run's options - C(operation) (V(Scan) or V(Install)), C(max_concurrency), C(max_errors),
        C(target_patch_group), C(target_hosts), C(snapshot_id); unset options may be omitted or null.
      - Defaults - V(Scan) runs all targets at once and tolerates every error (C(100%), C(100%));
        V(Install) runs C(10%) at once and stops starting hosts after more than C(2%) errors.
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Validate the run and choose its snapshot
  ansible.builtin.set_fact:
    patch_fleet_run: "{{ {'operation': 'Scan', 'max_concurrency': max_concurrency | default(none),
                          'max_errors': max_errors | default(none)} | fleetops.patch_manager.fleet_run }}"
'''

RETURN = r'''
_value:
  description: The validated run.
  type: dict
  contains:
    operation:
      description: V(Scan) or V(Install).
      type: str
    hosts:
      description: The host pattern of the targets.
      type: str
      sample: patch_group_Production
    max_concurrency:
      description: The AWS MaxConcurrency of the run.
      type: str
      sample: 10%
    max_errors:
      description: The AWS MaxErrors of the run.
      type: str
      sample: '0'
    snapshot_id:
      description: The snapshot id every host of the run uses.
      type: str
      sample: 3f2c1a9e-0b7d-4e55-9a43-1c2d3e4f5a6b
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _fleet


def fleet_run(options):
    if not isinstance(options, dict):
        raise AnsibleFilterError('fleet_run: expects a dict of run options, not %s' % type(options).__name__)
    try:
        return _fleet.run_options(dict(options))
    except PatchManagerError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):

    def filters(self):
        return {'fleet_run': fleet_run}
