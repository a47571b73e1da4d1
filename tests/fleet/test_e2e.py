# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""run_patch_baseline over SSH on the whole fleet: Scan, Install NoReboot, Install RebootIfNeeded.

Every node starts with fleet-base 1.0-1 and fleet-tool 2.0-1; the repositories offer 1.1-1
(security) and 2.1-1 (non-security), both approved by scenario.fleet_baseline. The tests
run in file order: Production gets NoReboot, Staging gets RebootIfNeeded.
"""

from tests.fleet.conftest import by_name

NEW = {'fleet-base': '1.1-1', 'fleet-tool': '2.1-1'}
OLD_VERSIONS = {'fleet-base': '1.0-1', 'fleet-tool': '2.0-1'}


def in_group(fleet, group):
    return [node for node in fleet.nodes if node['patch_group'] == group]


def test_scan_reports_missing_patches_and_changes_nothing(fleet):
    boot_ids = {node['name']: fleet.boot_id(node) for node in fleet.nodes}
    _rc, results, report = fleet.patch('Scan')
    assert report.unreachable_hosts() == []
    for node in fleet.nodes:
        result = results[node['name']]
        state = result['instance_patch_state']
        assert result['changed'] is False
        assert state['operation'] == 'Scan'
        assert state['patch_group'] == node['patch_group']
        assert state['missing_count'] == 2, node['name']
        assert state['compliance_status'] == 'NON_COMPLIANT'
        assert state['security_non_compliant_count'] == 1
        patches = by_name(result)
        assert patches['fleet-base']['state'] == 'MISSING'
        assert patches['fleet-base']['approved_version'].endswith('1.1-1')
        assert patches['fleet-tool']['state'] == 'MISSING'
        assert result['ansible_facts']['patch_compliance']['compliance_status'] == 'NON_COMPLIANT'
        assert fleet.versions(node) == OLD_VERSIONS
        assert fleet.boot_id(node) == boot_ids[node['name']]


def test_install_noreboot_leaves_patches_pending_until_the_node_reboots(fleet):
    nodes = in_group(fleet, 'Production')
    boot_ids = {node['name']: fleet.boot_id(node) for node in nodes}
    _rc, results, _report = fleet.patch('Install', limit='patch_group_Production', reboot_option='NoReboot')
    assert sorted(results) == sorted(node['name'] for node in nodes)
    for node in nodes:
        result = results[node['name']]
        assert result['changed'] is True
        assert result['rebooted'] is False
        assert fleet.boot_id(node) == boot_ids[node['name']]
        assert fleet.versions(node) == NEW
        assert {name: patch['state'] for name, patch in by_name(result).items() if name in NEW} == \
            {'fleet-base': 'INSTALLED_PENDING_REBOOT', 'fleet-tool': 'INSTALLED_PENDING_REBOOT'}
        state = result['instance_patch_state']
        assert state['installed_pending_reboot_count'] == 2
        assert state['last_no_reboot_install_operation_time']
    # The pending state survives a Scan and ends with the next boot.
    _rc, results, _report = fleet.patch('Scan', limit='patch_group_Production')
    for node in nodes:
        assert by_name(results[node['name']])['fleet-base']['state'] == 'INSTALLED_PENDING_REBOOT'
    for node in nodes:
        fleet.reboot(node)
    _rc, results, _report = fleet.patch('Scan', limit='patch_group_Production')
    for node in nodes:
        result = results[node['name']]
        assert {by_name(result)[name]['state'] for name in NEW} == {'INSTALLED'}
        assert result['instance_patch_state']['missing_count'] == 0
        assert result['instance_patch_state']['installed_pending_reboot_count'] == 0
        assert result['instance_patch_state']['compliance_status'] == 'COMPLIANT'


def test_install_rebootifneeded_reboots_and_reports_compliance(fleet):
    nodes = in_group(fleet, 'Staging')
    boot_ids = {node['name']: fleet.boot_id(node) for node in nodes}
    assert all(fleet.versions(node) == OLD_VERSIONS for node in nodes)
    _rc, results, _report = fleet.patch('Install', limit='patch_group_Staging', reboot_option='RebootIfNeeded')
    for node in nodes:
        result = results[node['name']]
        assert result['changed'] is True
        assert result['rebooted'] is True
        assert fleet.boot_id(node) != boot_ids[node['name']]      # a real reboot cycle of the node
        assert fleet.versions(node) == NEW
        assert {by_name(result)[name]['state'] for name in NEW} == {'INSTALLED'}
        assert result['instance_patch_state']['compliance_status'] == 'COMPLIANT'
    _rc, results, _report = fleet.patch('Scan', limit='patch_group_Staging')
    for node in nodes:
        state = results[node['name']]['instance_patch_state']
        assert (state['missing_count'], state['installed_pending_reboot_count'], state['failed_count']) == (0, 0, 0)
        assert state['compliance_status'] == 'COMPLIANT'
