#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: run_patch_baseline
short_description: Scan or patch a host against an AWS-style patch baseline (AWS-RunPatchBaseline)
version_added: 1.0.0
description:
  - The equivalent of the C(AWS-RunPatchBaseline) Systems Manager document for one host and its
    apt, dnf or zypper package manager.
  - V(Scan) evaluates the installed packages against the baseline and reports per-patch compliance
    states and the node summary; it never changes the host's packages (it refreshes the package lists
    first, see O(update_cache)).
  - V(Install) brings every approved and applicable package to its highest approved version (never
    to an unapproved newer one, never installing packages that are not installed), re-evaluates,
    and reboots the host through M(ansible.builtin.reboot) when AWS would (O(reboot_option)).
  - Packages that could not be brought to the approved version are reported V(FAILED) and the task
    fails after returning the full compliance data, as C(AWS-RunPatchBaseline) does.
  - Linux C(NOT_APPLICABLE) patches are counted in RV(instance_patch_state.not_applicable_count), not listed.
  - Every result, also of a failed run, is kept on the controller in the compliance store named by the variable
    C(patch_store) or E(FLEETOPS_PATCH_STORE) (see M(fleetops.patch_manager.patch_compliance_info)); a store that
    cannot be written fails the task. Check mode keeps nothing.
  - On apt hosts the module needs the C(python3-apt) bindings and on dnf hosts the C(python3-dnf)
    bindings; when the interpreter Ansible uses lacks them, the module re-executes itself under a
    system Python that has them.
author:
  - fleetops.patch_manager contributors (@fleetops)
extends_documentation_fragment:
  - fleetops.patch_manager._attributes
  - fleetops.patch_manager._attributes.linux_packages
attributes:
  check_mode:
    support: full
    details:
      - In check mode V(Install) resolves the package transaction it would run and returns it in
        RV(transaction) without changing anything; RV(changed) tells whether it would change packages.
      - Check mode never refreshes the package lists and writes nothing on the host (O(update_cache)).
  diff_mode:
    support: none
  platform:
    support: full
options:
  operation:
    description:
      - V(Scan) reports compliance and never changes the host's packages.
      - V(Install) installs the approved missing updates, then reports compliance.
    type: str
    choices: [Scan, Install]
    default: Scan
  baseline:
    description:
      - The patch baseline to apply.
      - Either a dictionary in the AWS shape (what C(aws ssm get-patch-baseline) prints, PascalCase keys)
        or in the YAML shape (the same fields in snake_case), or the name of a predefined AWS baseline
        such as V(AWS-UbuntuDefaultPatchBaseline).
      - When omitted, the predefined default baseline for the host's operating system is used.
      - The action plugin also accepts a path to a YAML or JSON file on the controller.
    type: raw
  baseline_override:
    description:
      - A list of baselines (either shape), or a path to a JSON or YAML file on the controller holding
        such a list. The entry whose C(OperatingSystem) matches the host is used instead of O(baseline);
        when none matches, O(baseline) applies.
      - Mutually exclusive with O(install_override_list); combining them fails before anything is scanned,
        as AWS does.
    type: raw
  install_override_list:
    description:
      - A list of C({id, title}) dictionaries, or a path to a YAML file on the controller with a
        C(patches:) list (the AWS InstallOverrideList format).
      - C(id) is C(name.arch) and C(title) is C(name.arch:version) (apt) or C(name.arch:epoch:version-release)
        (dnf, zypper); both may contain shell wildcards, match case-insensitively, and when both are given
        a package must match both. Other fields are ignored.
      - V(Install) only; V(Scan) ignores it. Listed packages available in the repositories are updated
        whether or not the baseline approves them; compliance is still computed against the baseline.
    type: raw
  reboot_option:
    description:
      - V(RebootIfNeeded) reboots after V(Install) when the run installed at least one update or patches
        installed by an earlier V(NoReboot) run are still waiting for a reboot.
      - V(NoReboot) never reboots; packages this run installed are reported C(INSTALLED_PENDING_REBOOT)
        until the host has booted.
      - With V(NoReboot) the updates an V(Install) is about to apply, and the dependencies its resolved
        transaction adds, are recorded as pending in C(<root>/var/lib/fleetops-patch/state.json) before the
        package manager runs, and replaced by what the run really installed when it ends. A run that dies
        part-way (lost connection, killed) still leaves the packages it changed C(INSTALLED_PENDING_REBOOT)
        for the next V(Scan). When that file cannot be written the V(Install) fails, naming the file and the
        reason, before any package changes.
      - V(RebootIfNeeded) records nothing; should the run die after installing but before its reboot, the
        next V(Scan) reports those packages C(INSTALLED), as the run itself would have, and RV(reboot_required)
        says whether the operating system asks for a reboot.
      - When O(root) is not V(/) the host is never rebooted and the run behaves as V(NoReboot), with a warning.
    type: str
    choices: [RebootIfNeeded, NoReboot]
    default: RebootIfNeeded
  reboot_timeout:
    description:
      - Seconds to wait for the host to come back after a reboot; passed to M(ansible.builtin.reboot).
      - Handled by the action plugin.
    type: int
  snapshot_id:
    description:
      - A GUID shared by all hosts of one operation so that they evaluate the same approvals; reported back.
    type: str
  patch_group:
    description:
      - The patch group of the host, reported back in RV(instance_patch_state.patch_group).
      - Defaults to the host variable C(patch_group) when it is set (for example by the
        P(fleetops.patch_manager.patch_groups#inventory) inventory plugin).
      - As AWS names patch groups, 1 to 256 letters, numbers, spaces and the characters C(_.:/=+-@).
    type: str
  evaluation_time:
    description:
      - The ISO 8601 time (UTC unless an offset is given) that approval delays such as
        C(ApproveAfterDays) and C(ApproveUntilDate) are measured from, between
        V(1970-01-01T00:00:00Z) and V(9999-12-31T23:59:59Z).
      - Defaults to the time of the run.
    type: str
  root:
    description:
      - Operate on the system installed under this directory (apt C(Dir), dnf C(installroot), zypper C(--root)).
    type: path
    default: /
  operating_system:
    description:
      - The AWS C(OperatingSystem) of the host. Detected from C(<root>/etc/os-release) when omitted.
    type: str
    choices:
      - AMAZON_LINUX
      - AMAZON_LINUX_2
      - AMAZON_LINUX_2022
      - AMAZON_LINUX_2023
      - UBUNTU
      - REDHAT_ENTERPRISE_LINUX
      - SUSE
      - CENTOS
      - ORACLE_LINUX
      - DEBIAN
      - RASPBIAN
      - ROCKY_LINUX
      - ALMA_LINUX
  update_cache:
    description:
      - Refresh the package manager's repository metadata (C(apt-get update), C(dnf makecache),
        C(zypper refresh)) before evaluating, as C(AWS-RunPatchBaseline) does for V(Scan) and V(Install).
        Refreshing the package lists changes no installed package.
      - V(false) evaluates the metadata as it is on the host (it must have been fetched before); it wins
        over O(cache_valid_time).
      - Check mode never refreshes, whatever this option says.
      - A repository that cannot be fetched fails the task naming it, and so does a host whose metadata
        was never fetched or offers no package (instead of reporting every package current). A dnf
        repository with C(skip_if_unavailable) is skipped with a warning, as dnf does.
      - Baseline C(Sources) replace the host's repositories for the run and are always fetched, into a
        private directory that is removed afterwards (in check mode too).
    type: bool
    default: true
  cache_valid_time:
    description:
      - Skip the refresh of O(update_cache) when this module refreshed the host's package lists less
        than this many seconds ago. V(0) refreshes on every run.
    type: int
    default: 0
  lock_timeout:
    description:
      - Seconds to wait for the package manager's lock before failing.
    type: int
    default: 120
  resolved_baselines:
    description:
      - Set by the action plugin, not by playbooks - the baselines the controller resolved for this host, one
        entry per operating system the host may run (key V(*) for any), each a canonical baseline or the name
        of a predefined one, with C(baseline_source) and C(snapshot_reused). The module uses the entry of the
        operating system it detects and reports its C(baseline_source).
      - The controller resolves O(baseline), O(baseline_override), the patch registry and O(snapshot_id) into
        it and does not send the raw documents to the host.
    type: dict
notes:
  - Compliance states, counters and reboot behaviour follow AWS Systems Manager Patch Manager.
seealso:
  - module: ansible.builtin.reboot
  - name: AWS-RunPatchBaseline
    description: The Systems Manager document this module re-creates.
    link: https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-aws-runpatchbaseline.html
'''

EXAMPLES = r'''
---
# Ad hoc: ansible all -m fleetops.patch_manager.run_patch_baseline -a operation=Scan

- name: Scan against the predefined default baseline of the host's OS
  fleetops.patch_manager.run_patch_baseline:
    operation: Scan
  register: scan

- name: Install approved security updates, reboot if AWS would
  fleetops.patch_manager.run_patch_baseline:
    operation: Install
    reboot_option: RebootIfNeeded
    reboot_timeout: 900

- name: Install but leave the reboot to a later maintenance window
  fleetops.patch_manager.run_patch_baseline:
    operation: Install
    reboot_option: NoReboot

- name: Scan against a predefined baseline by name
  fleetops.patch_manager.run_patch_baseline:
    baseline: AWS-UbuntuDefaultPatchBaseline

- name: Install with a baseline written in the AWS shape
  fleetops.patch_manager.run_patch_baseline:
    operation: Install
    baseline:
      Name: web-servers
      OperatingSystem: REDHAT_ENTERPRISE_LINUX
      ApprovalRules:
        PatchRules:
          - PatchFilterGroup:
              PatchFilters:
                - Key: CLASSIFICATION
                  Values: [Security]
                - Key: SEVERITY
                  Values: [Critical, Important]
            ApproveAfterDays: 7
            ComplianceLevel: CRITICAL
      RejectedPatches: [telnet*]
      RejectedPatchesAction: BLOCK

- name: Scan with a baseline written in the YAML shape, at a fixed evaluation time
  fleetops.patch_manager.run_patch_baseline:
    evaluation_time: '2026-03-01T00:00:00Z'
    baseline:
      name: debian-security
      operating_system: DEBIAN
      approval_rules:
        patch_rules:
          - patch_filter_group:
              patch_filters:
                - key: PRIORITY
                  values: [Required, Important, Standard, Optional, Extra]
      approved_patches: [openssl]
      approved_patches_enable_non_security: true

- name: Install exactly the packages of an override list (path on the controller)
  fleetops.patch_manager.run_patch_baseline:
    operation: Install
    install_override_list: files/override.yml

- name: Install an inline override list
  fleetops.patch_manager.run_patch_baseline:
    operation: Install
    install_override_list:
      - id: openssl.*
      - id: curl.x86_64
        title: 'curl.x86_64:0:7.76.1-*'

- name: Use the baseline of the override file that matches each host's OS
  fleetops.patch_manager.run_patch_baseline:
    operation: Scan
    baseline_override: files/baseline-override.json
    patch_group: Production
'''

RETURN = r'''
instance_patch_state:
  description: The node summary of this run (AWS C(InstancePatchState), snake_case).
  returned: success or when packages failed to install
  type: dict
  contains:
    patch_group:
      description: The patch group, empty when none.
      type: str
      sample: Production
    baseline_id:
      description: The C(BaselineId) of the applied baseline, else its name.
      type: str
      sample: pb-0123456789abcdef0
    snapshot_id:
      description: The O(snapshot_id) of the run, empty when none.
      type: str
      sample: 2f5c6a0e-1b3d-4a5e-9f00-1234567890ab
    operation:
      description: V(Scan) or V(Install).
      type: str
      sample: Scan
    reboot_option:
      description: The reboot option in effect (V(NoReboot) when O(root) is not V(/)).
      type: str
      sample: RebootIfNeeded
    operation_start_time:
      description: When the operation started, ISO 8601 UTC.
      type: str
      sample: '2026-11-25T09:30:00Z'
    operation_end_time:
      description: When the operation ended, ISO 8601 UTC.
      type: str
      sample: '2026-11-25T09:30:04Z'
    installed_count:
      description: Patches in state C(INSTALLED).
      type: int
      sample: 12
    installed_other_count:
      description: Patches in state C(INSTALLED_OTHER).
      type: int
      sample: 380
    installed_pending_reboot_count:
      description: Patches in state C(INSTALLED_PENDING_REBOOT).
      type: int
      sample: 0
    installed_rejected_count:
      description: Patches in state C(INSTALLED_REJECTED).
      type: int
      sample: 0
    missing_count:
      description: Patches in state C(MISSING).
      type: int
      sample: 2
    failed_count:
      description: Patches in state C(FAILED).
      type: int
      sample: 0
    not_applicable_count:
      description: Approved patches for packages that are not installed (counted, not listed).
      type: int
      sample: 41
    critical_non_compliant_count:
      description: Non-compliant patches whose compliance level is C(CRITICAL).
      type: int
      sample: 0
    security_non_compliant_count:
      description: Non-compliant patches classified as security.
      type: int
      sample: 2
    other_non_compliant_count:
      description: Non-compliant patches that are neither critical nor security.
      type: int
      sample: 0
    last_no_reboot_install_operation_time:
      description: Time of the last V(Install) run with V(NoReboot) on this node that had updates to install, if any
        (its end, or its start when it did not finish).
      type: str
      sample: '2026-11-20T22:00:05Z'
    operating_system:
      description: The AWS C(OperatingSystem) of the node.
      type: str
      sample: DEBIAN
    compliance_status:
      description: V(NON_COMPLIANT) when any patch is C(MISSING), C(FAILED), C(INSTALLED_REJECTED) or
        C(INSTALLED_PENDING_REBOOT), else V(COMPLIANT).
      type: str
      sample: NON_COMPLIANT
    non_compliant_severity:
      description: The highest compliance level among non-compliant patches (C(INFORMATIONAL) when all
        are C(UNSPECIFIED)); empty when compliant.
      type: str
      sample: INFORMATIONAL
patches:
  description: One record per installed package (AWS C(PatchComplianceData) plus our additions).
  returned: success or when packages failed to install
  type: list
  elements: dict
  contains:
    title:
      description: C(name.arch:version) (apt) or C(name.arch:epoch:version-release) (rpm).
      type: str
      sample: openssl.amd64:3.0.15-1~deb12u1
    kb_id:
      description: C(name.arch).
      type: str
      sample: openssl.amd64
    classification:
      description: Advisory type or category; apt reports C(Security) or nothing.
      type: str
      sample: Security
    severity:
      description: The vendor's advisory severity; apt reports the Debian priority.
      type: str
      sample: optional
    state:
      description: One of C(INSTALLED), C(INSTALLED_OTHER), C(INSTALLED_PENDING_REBOOT),
        C(INSTALLED_REJECTED), C(MISSING), C(FAILED).
      type: str
      sample: MISSING
    installed_time:
      description: When the installed version was installed, ISO 8601 UTC, when known.
      type: str
      sample: '2026-10-02T08:15:00Z'
    cve_ids:
      description: CVEs fixed by the approved version; only for C(MISSING) and C(FAILED), never on apt.
      type: list
      elements: str
      sample: [CVE-2026-1234]
    name:
      description: Package name.
      type: str
      sample: openssl
    arch:
      description: Package architecture.
      type: str
      sample: amd64
    installed_version:
      description: Installed version, in the package manager's own form.
      type: str
      sample: 3.0.14-1~deb12u2
    approved_version:
      description: Highest approved version, if any.
      type: str
      sample: 3.0.15-1~deb12u1
    compliance_level:
      description: Compliance level assigned by the approving rule or list.
      type: str
      sample: UNSPECIFIED
    advisory_ids:
      description: Advisories (updateinfo notices, zypper patches) of the approved version.
      type: list
      elements: str
      sample: [RHSA-2026:0001]
    release_date:
      description: Release date of the approved version, ISO 8601 UTC, when known.
      type: str
      sample: '2026-01-01T00:00:00Z'
    reason:
      description: One sentence naming the rule, list or filter that decided the state.
      type: str
      sample: Approved by ApprovalRules.PatchRules[0]; the installed version is older.
transaction:
  description:
    - The package changes of V(Install), each C({name, arch, from_version, to_version, action}) with
      action C(upgrade), C(install) (a new dependency) or C(remove).
    - In check mode, the changes V(Install) would make.
  returned: when O(operation=Install)
  type: list
  elements: dict
  sample: [{name: openssl, arch: amd64, from_version: 3.0.14-1~deb12u2, to_version: 3.0.15-1~deb12u1, action: upgrade}]
reboot_required:
  description: Whether the operating system itself says a reboot is needed (for example C(/run/reboot-required)).
  returned: success
  type: bool
  sample: false
baseline_source:
  description:
    - Which baseline was applied to the host and why, in the resolution order of patch groups
      (baseline override, task baseline, baseline registered for the patch group and OS, default
      baseline registered for the OS, predefined baseline for the OS).
    - Set by the action plugin when a baseline registry (the C(patch_registry_dir) variable) or a
      O(snapshot_id) is in use.
  returned: when the fleet layer resolved the baseline
  type: dict
  contains:
    kind:
      description: How the baseline was found.
      type: str
      sample: registry
    name:
      description: The baseline's name.
      type: str
      sample: Production-Ubuntu
    why:
      description: One sentence saying why this baseline applies.
      type: str
      sample: Patch group Production has Production-Ubuntu registered for UBUNTU.
snapshot_reused:
  description: Whether an earlier run with the same O(snapshot_id) froze the baseline and evaluation time used here.
  returned: when O(snapshot_id) is given and the fleet layer is in use
  type: bool
  sample: true
rebooted:
  description: Whether the host was rebooted by this task.
  returned: success
  type: bool
  sample: false
changed:
  description: True only when V(Install) changed packages (or would, in check mode).
  returned: always
  type: bool
  sample: false
ansible_facts:
  description: Facts set on the host.
  returned: success or when packages failed to install
  type: dict
  contains:
    patch_compliance:
      description: The RV(instance_patch_state) of this run, kept by fact caches and AWX.
      type: dict
      sample: {compliance_status: COMPLIANT, operation: Scan, missing_count: 0}
'''

import datetime
import os
import sys

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.respawn import has_respawned, probe_interpreters_for_module

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _run
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _state
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend import module_runner, settle_garbage_collector
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._module_result import exit_json
from ansible_collections.fleetops.patch_manager.plugins.module_utils._respawn import respawn_module
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import (
    OPERATIONS, REBOOT_OPTIONS, SUPPORTED_OPERATING_SYSTEMS, UTC)


# Python bindings each family reads the package database with, and the Debian/RPM package that ships them.
BINDINGS = {'apt': ('apt_pkg', 'python3-apt'), 'dnf': ('dnf', 'python3-dnf')}
SYSTEM_INTERPRETERS = ['/usr/bin/python3', '/usr/libexec/platform-python', '/usr/bin/python']


def argument_spec():
    return dict(
        operation=dict(type='str', choices=list(OPERATIONS), default='Scan'),
        baseline=dict(type='raw'),
        baseline_override=dict(type='raw'),
        install_override_list=dict(type='raw'),
        reboot_option=dict(type='str', choices=list(REBOOT_OPTIONS), default='RebootIfNeeded'),
        reboot_timeout=dict(type='int'),
        snapshot_id=dict(type='str'),
        patch_group=dict(type='str'),
        evaluation_time=dict(type='str'),
        root=dict(type='path', default='/'),
        operating_system=dict(type='str', choices=list(SUPPORTED_OPERATING_SYSTEMS)),
        update_cache=dict(type='bool', default=True),
        cache_valid_time=dict(type='int', default=0),
        lock_timeout=dict(type='int', default=120),
        resolved_baselines=dict(type='dict'),
    )


def has_python_module(name):
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def ensure_bindings(module, family):
    """Re-execute under a system Python that has the family's bindings, or fail naming the package."""
    if family not in BINDINGS:
        return
    python_module, package = BINDINGS[family]
    if has_python_module(python_module):
        return
    if not has_respawned():
        interpreter = probe_interpreters_for_module(SYSTEM_INTERPRETERS, python_module)
        if interpreter:
            respawn_module(interpreter)
    module.fail_json(msg='The Python module %s is not available to %s or any system Python (%s); '
                         'install the %s package on the host.'
                         % (python_module, sys.executable, ', '.join(SYSTEM_INTERPRETERS), package))


def utc_now():
    return datetime.datetime.now(UTC).replace(microsecond=0)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = dict(module.params)
    try:
        if not os.path.isdir(params['root']):
            module.fail_json(msg='root: %s is not a directory' % params['root'])
        request = _run.prepare(params)
        ensure_bindings(module, request.family)
        backend = _run.backend_for(request.family, root=params['root'], run_command=module_runner(module),
                                   lock_timeout=params['lock_timeout'])
        settle_garbage_collector()
        result = _run.execute(request, backend, now=utc_now, boot_id=_state.current_boot_id(), check_mode=module.check_mode)
    except PatchManagerError as exc:
        details = exc.details() if hasattr(exc, 'details') else {}
        module.fail_json(msg=str(exc), **details)
    for warning in result.pop('warnings', []):
        module.warn(warning)
    settle_garbage_collector()
    if result.get('failed'):
        module.fail_json(**result)
    exit_json(module, result)


if __name__ == '__main__':
    main()
