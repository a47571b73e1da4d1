#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: maintenance_window_execution
short_description: Start and finish one execution of a maintenance window (used by the maintenance_window playbook)
version_added: 1.0.0
description:
  - The controller-side steps of the C(fleetops.patch_manager.maintenance_window) playbook; users run the playbook.
  - O(step=start) finds the execution of O(window) open at O(now) (default the current time), takes the window's
    lease on this controller (a second start while an execution runs is C(SKIPPED_OVERLAPPING), as in AWS), and
    sets C(patch_window_plan) - the window's tasks in priority groups (equal priorities together), each task's hosts
    (from its targets and the hosts' tags and patch groups), limits and M(fleetops.patch_manager.run_patch_baseline)
    options, all sharing the execution's snapshot id, and the real time of the cutoff. Outside any execution, past
    its cutoff, or inside an execution that already ran to its end, it starts nothing and says why (when the
    window opens next), without failing - cron may start the playbook every few minutes.
  - O(step=finish) turns the host records of the priority groups' plays into the execution record with the AWS
    statuses, publishes it with C(set_stats) as C(patch_window_execution) and releases the lease (the playbook
    then fails unless the execution status is C(SUCCESS)).
  - Runs on the controller; no host is contacted.
author:
  - fleetops.patch_manager contributors (@fleetops)
extends_documentation_fragment:
  - fleetops.patch_manager._attributes
attributes:
  check_mode:
    support: full
    details:
      - It changes no host; the lease is taken in check mode too, so that two rehearsals do not overlap.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
options:
  step:
    description: V(start) before the window's tasks, V(finish) after them.
    type: str
    required: true
    choices: [start, finish]
  window:
    description:
      - With O(step=start), the name of a window in the patch registry (C(patch_registry_dir), default
        C(patch_registry/) beside the inventory), of a window of a patch policy (C(<policy>-scan),
        C(<policy>-install)), or a window definition in either shape.
    type: raw
  now:
    description:
      - With O(step=start), rehearse the execution as if it were this time (ISO 8601; without an offset, the
        window's C(ScheduleTimezone)). The cutoff is moved onto the real clock by the same amount.
    type: str
  plan:
    description: With O(step=finish), the C(patch_window_plan) the start step set.
    type: dict
  results:
    description:
      - With O(step=finish), the host records of the priority groups' plays by group id, as the
        P(fleetops.patch_manager.rate_control#strategy) strategy leaves them in C(patch_fleet_results).
    type: dict
seealso:
  - module: fleetops.patch_manager.maintenance_window_info
'''

EXAMPLES = r'''
# The fleetops.patch_manager.maintenance_window playbook uses it; run that instead:
#   ansible-playbook fleetops.patch_manager.maintenance_window -i fleet.yml -e window=prod-sunday
- name: Start the window execution
  fleetops.patch_manager.maintenance_window_execution:
    step: start
    window: prod-sunday
'''

RETURN = r'''
patch_window_plan:
  description: With O(step=start), what the execution runs (set as a fact).
  returned: when an execution starts
  type: dict
patch_window_execution:
  description:
    - The execution record - C(window), C(window_execution_id), C(status) (C(SUCCESS), C(FAILED), C(TIMED_OUT),
      C(CANCELLED), C(SKIPPED_OVERLAPPING)), C(start_time), C(end_time), C(tasks) - C([{name, priority, status,
      start_time, end_time, hosts - {<inventory hostname> - outcome}}]).
  returned: with O(step=finish), and when a start is skipped as overlapping
  type: dict
started:
  description: Whether an execution started (O(step=start)).
  returned: with O(step=start)
  type: bool
window_state:
  description:
    - With O(step=start), V(open) (started), V(closed), V(after_cutoff), V(disabled), V(completed) (this execution
      already ran to its end) or V(skipped_overlapping) (another execution of the window runs on this controller).
  returned: with O(step=start)
  type: str
msg:
  description: What happened, in one sentence (outside an execution, when the window opens next).
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        step=dict(type='str', required=True, choices=['start', 'finish']),
        window=dict(type='raw'), now=dict(type='str'), plan=dict(type='dict'), results=dict(type='dict')),
        supports_check_mode=True)
    module.fail_json(msg='fleetops.patch_manager.maintenance_window_execution runs on the controller through its '
                         'action plugin only')


if __name__ == '__main__':
    main()
