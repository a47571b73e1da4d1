#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: patch_compliance_info
short_description: Query the compliance store in the shapes of the AWS Patch Manager Describe calls
version_added: 1.0.0
description:
  - Answers questions about the patch compliance that M(fleetops.patch_manager.run_patch_baseline) results left in
    the compliance store, the way C(DescribeInstancePatchStates), C(DescribePatchGroupState),
    C(DescribeInstancePatches) and C(DescribeMaintenanceWindowExecutions) answer them in AWS, with snake_case keys.
  - Runs on the controller only (its action plugin reads the store); it never connects to the hosts, so
    run it once, for example with C(run_once) or on C(localhost).
  - Every instance is keyed by C(instance_id), the inventory hostname.
  - The store keeps, per host, the latest state and patches ("last writer wins", as AWS) and the last 150
    operations; per maintenance window, its executions.
author:
  - fleetops.patch_manager contributors (@fleetops)
extends_documentation_fragment:
  - fleetops.patch_manager._attributes
  - fleetops.patch_manager._store
attributes:
  check_mode:
    support: full
    details:
      - Reads only; the answer is the same in check mode.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
options:
  query:
    description:
      - V(instance_patch_states) - the latest C(instance_patch_state) of each host (C(DescribeInstancePatchStates)),
        narrowed by O(patch_group), O(without_patch_group), O(instances), O(filters) and O(not_reported_within).
      - V(patch_group_state) - the C(DescribePatchGroupState) counts of O(patch_group), in RV(state).
      - V(instance_patches) - the patches of the hosts' latest states (C(DescribeInstancePatches)), narrowed by
        O(instances) and O(filters) on C(State), C(Classification), C(Severity) and C(KBId).
      - V(history) - the operations of O(instances), newest first, at most O(limit) per host.
      - V(cve_exposure) - per CVE, the hosts where a patch that fixes it is C(MISSING) or C(FAILED), narrowed by
        O(cve_ids).
      - V(window_executions) - the kept executions of maintenance window O(window) (all windows when omitted).
    type: str
    required: true
    choices: [instance_patch_states, patch_group_state, instance_patches, history, cve_exposure, window_executions]
  patch_group:
    description:
      - The patch group (the value of the C(Patch Group) or C(PatchGroup) tag).
      - Required for O(query=patch_group_state); narrows O(query=instance_patch_states).
    type: str
  without_patch_group:
    description:
      - With O(query=instance_patch_states), only the hosts that carry no patch group.
    type: bool
    default: false
  instances:
    description:
      - Inventory hostnames to answer for (all hosts in the store when omitted).
      - With O(query=instance_patch_states), the names the store has never heard of are returned in
        RV(instances_without_state).
    type: list
    elements: str
  filters:
    description:
      - With O(query=instance_patch_states) - AWS C(InstancePatchStateFilter) entries over the state's fields
        (C(Key) in the AWS spelling such as V(MissingCount) or snake_case such as V(missing_count); also
        V(ReportedTime), V(LastOperationStatus), V(LastOperationTime)). C(Type) is V(Equal) (any of the values),
        V(NotEqual) (none of them), V(LessThan) or V(GreaterThan) (counts and times only, one value).
      - With O(query=instance_patches) - C(Key) one of V(State), V(Classification), V(Severity), V(KBId);
        C(Type) V(Equal) (default) or V(NotEqual).
      - All filters must match.
    type: list
    elements: dict
  not_reported_within:
    description:
      - With O(query=instance_patch_states), only the hosts whose latest state is older than this age, or that
        have only failed runs - V(7d), V(36h), V(90m), V(2w), or an ISO 8601 duration such as V(P7D).
    type: str
  cve_ids:
    description:
      - With O(query=cve_exposure), only these CVEs (V(CVE-YYYY-NNNN)); an asked CVE without exposure is answered
        with no instances.
    type: list
    elements: str
  window:
    description:
      - With O(query=window_executions), the maintenance window's name.
    type: str
  limit:
    description:
      - With O(query=history), the most recent operations per host (1 to 150; default 50).
      - With O(query=window_executions), the most recent executions.
    type: int
notes:
  - Patch lists follow AWS - C(CVEIds) only on C(MISSING) and C(FAILED) patches, Linux C(NOT_APPLICABLE) patches
    counted and not listed.
  - With O(query=instance_patches) and no O(instances), every host's full patch list is read unless the
    C(State) filter asks only for non-compliant states; on a large fleet name the hosts or the states.
seealso:
  - module: fleetops.patch_manager.run_patch_baseline
  - module: fleetops.patch_manager.patch_compliance_report
  - name: DescribePatchGroupState
    description: The AWS call whose answer O(query=patch_group_state) gives.
    link: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribePatchGroupState.html
'''

EXAMPLES = r'''
- name: Which hosts of Production miss a critical patch?
  fleetops.patch_manager.patch_compliance_info:
    query: instance_patch_states
    patch_group: Production
    filters:
      - Key: CriticalNonCompliantCount
        Type: GreaterThan
        Values: ["0"]
  register: critical
  run_once: true
  delegate_to: localhost

- name: The patch group view (DescribePatchGroupState)
  fleetops.patch_manager.patch_compliance_info:
    query: patch_group_state
    patch_group: Production
  register: production
  run_once: true
  delegate_to: localhost

- name: Hosts that carry no patch group
  fleetops.patch_manager.patch_compliance_info:
    query: instance_patch_states
    without_patch_group: true
  register: ungrouped
  run_once: true
  delegate_to: localhost

- name: Hosts of the inventory that have not reported for a week (or never)
  fleetops.patch_manager.patch_compliance_info:
    query: instance_patch_states
    instances: "{{ groups['all'] }}"
    not_reported_within: 7d
  register: silent
  run_once: true
  delegate_to: localhost

- name: Missing and failed patches of two hosts
  fleetops.patch_manager.patch_compliance_info:
    query: instance_patches
    instances: [web1, db1]
    filters:
      - Key: State
        Values: [MISSING, FAILED]
  register: todo
  run_once: true
  delegate_to: localhost

- name: Where are we exposed to these CVEs?
  fleetops.patch_manager.patch_compliance_info:
    query: cve_exposure
    cve_ids: [CVE-2026-0001, CVE-2026-0002]
    store: postgresql://patch@db.example.com/patch_store
  register: exposure
  run_once: true
  delegate_to: localhost

- name: The last ten operations of web1
  fleetops.patch_manager.patch_compliance_info:
    query: history
    instances: [web1]
    limit: 10
  register: web1_history
  run_once: true
  delegate_to: localhost
'''

RETURN = r'''
items:
  description:
    - The answer of every query except V(patch_group_state), sorted by C(instance_id) (history - newest first;
      CVE exposure - most exposed CVE first; window executions - newest first).
    - V(instance_patch_states) - the RV(fleetops.patch_manager.run_patch_baseline#module:instance_patch_state) fields
      plus C(instance_id), C(reported_time) (when the store received the state), C(last_operation_status)
      (V(Success) or V(Failed)), C(last_operation_time), C(last_operation_message) and C(patch_count). A host
      whose runs all failed has C(reported_time=null) and null counts.
    - V(instance_patches) - C(instance_id) plus the patch fields of
      RV(fleetops.patch_manager.run_patch_baseline#module:patches).
    - V(history) - C(instance_id), C(recorded_time), C(status), C(message), the state fields of that run (null
      counts for a run without state) and C(details) (C(changed), C(rebooted), C(reboot_required),
      C(baseline_source) when the run returned them).
    - V(cve_exposure) - C(cve_id), C(instance_count) and C(instances), each with C(instance_id),
      C(patch_group), C(kb_id), C(state), C(severity), C(classification) and C(compliance_level).
    - V(window_executions) - the C(patch_window_execution) records (C(window), C(window_execution_id),
      C(status), C(start_time), C(end_time), C(tasks)) plus C(recorded_time).
  returned: when O(query) is not V(patch_group_state)
  type: list
  elements: dict
  sample:
    - instance_id: web1
      patch_group: Production
      operating_system: UBUNTU
      compliance_status: NON_COMPLIANT
      missing_count: 3
      critical_non_compliant_count: 1
      operation_end_time: '2026-11-25T09:30:04Z'
      reported_time: '2026-11-25T09:30:05Z'
      last_operation_status: Success
state:
  description: The C(DescribePatchGroupState) answer in snake_case, over the hosts of the group with a stored state.
  returned: when O(query=patch_group_state)
  type: dict
  contains:
    instances:
      description: Hosts of the patch group with a stored state.
      type: int
      sample: 12
    instances_with_installed_patches:
      description: Hosts with at least one C(INSTALLED) patch.
      type: int
      sample: 12
    instances_with_installed_other_patches:
      description: Hosts with at least one C(INSTALLED_OTHER) patch.
      type: int
      sample: 12
    instances_with_installed_pending_reboot_patches:
      description: Hosts with at least one C(INSTALLED_PENDING_REBOOT) patch.
      type: int
      sample: 1
    instances_with_installed_rejected_patches:
      description: Hosts with at least one C(INSTALLED_REJECTED) patch.
      type: int
      sample: 0
    instances_with_missing_patches:
      description: Hosts with at least one C(MISSING) patch.
      type: int
      sample: 4
    instances_with_failed_patches:
      description: Hosts with at least one C(FAILED) patch.
      type: int
      sample: 0
    instances_with_not_applicable_patches:
      description: Hosts with at least one C(NOT_APPLICABLE) patch.
      type: int
      sample: 12
    instances_with_unreported_not_applicable_patches:
      description: Hosts with not-applicable patches beyond the reporting limit (always 0 on Linux).
      type: int
      sample: 0
    instances_with_critical_non_compliant_patches:
      description: Hosts with a non-compliant patch of compliance level C(CRITICAL).
      type: int
      sample: 1
    instances_with_security_non_compliant_patches:
      description: Hosts with a non-compliant security patch.
      type: int
      sample: 4
    instances_with_other_non_compliant_patches:
      description: Hosts with a non-compliant patch that is neither critical nor security.
      type: int
      sample: 0
    instances_with_available_security_updates:
      description: Windows only in AWS; always 0.
      type: int
      sample: 0
instances_without_state:
  description: The asked O(instances) that the store has no record of (never reported).
  returned: when O(query=instance_patch_states) and O(instances) is given
  type: list
  elements: str
  sample: [web9]
store:
  description: The store that answered, without its password.
  returned: always
  type: str
  sample: sqlite:///root/.ansible/fleetops_patch/patch_store.sqlite3
'''

from ansible.module_utils.basic import AnsibleModule

QUERIES = ['instance_patch_states', 'patch_group_state', 'instance_patches', 'history', 'cve_exposure',
           'window_executions']


def argument_spec():
    return dict(
        query=dict(type='str', required=True, choices=QUERIES),
        store=dict(type='str'),
        patch_group=dict(type='str'),
        without_patch_group=dict(type='bool', default=False),
        instances=dict(type='list', elements='str'),
        filters=dict(type='list', elements='dict'),
        not_reported_within=dict(type='str'),
        cve_ids=dict(type='list', elements='str'),
        window=dict(type='str'),
        limit=dict(type='int'),
    )


REQUIRED_IF = [('query', 'patch_group_state', ['patch_group'])]


def main():
    module = AnsibleModule(argument_spec=argument_spec(), required_if=REQUIRED_IF, supports_check_mode=True)
    module.fail_json(msg='fleetops.patch_manager.patch_compliance_info runs on the controller through its action '
                         'plugin; it cannot run on a host.')


if __name__ == '__main__':
    main()
