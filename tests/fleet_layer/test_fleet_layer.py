# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet layer end to end on the SSH test fleet: inventory plugin, registry, snapshot,
scan/install playbooks with the run-wide error budget, and the summary callback.

The fleet's repositories carry a security update (fleet-base 1.1) and a non-security one
(fleet-tool 2.1). The example registry (tests/fleet_layer/patch_registry) gives:
- Production/DEBIAN: Debian-Production, an AWS export (security only)      -> 1 missing
- Staging/DEBIAN and Staging/RHEL: all updates                            -> 2 missing
- SUSE: registry default Fleet-Security-SUSE (Critical/Important security) -> 1 missing
Scans run first; the install test changes packages and runs last.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import uuid

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
HOOKS = os.path.join(HERE, 'hooks')


def scan_states(run):
    return dict((host, result['instance_patch_state'])
                for host, result in run.task('Scan the host against its patch baseline (step 1)').items()
                if 'instance_patch_state' in result)


def summary_block(stdout, title):
    """The lines of one block of the printed fleet summary."""
    text = stdout[stdout.index('FLEET PATCH SUMMARY'):]
    lines = text.splitlines()
    start = lines.index(title)
    block = [start]
    for line in lines[start + 1:]:
        if not line.startswith('  '):
            break
        block.append(line)
    return '\n'.join(lines[start:start + len(block)])


def installed_version(workspace, node, package):
    if node['family'] == 'deb':
        result = workspace.ssh(node, 'dpkg-query', '-W', '-f', '${Version}', package)
    else:
        result = workspace.ssh(node, 'rpm', '-q', '--qf', '%{VERSION}', package)
    assert result.returncode == 0, result.stderr
    # Upstream version only: 1.1-1 (Debian revision) and 1.1 (rpm VERSION) are both 1.1.
    return result.stdout.strip().split('-')[0]


def test_scan_groups_by_tag_applies_registry_baselines_and_prints_summary(workspace):
    run = workspace.playbook('fleetops.patch_manager.scan')
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    states = scan_states(run)
    nodes = workspace.state['nodes']
    assert sorted(states) == sorted(node['name'] for node in nodes)
    for node in nodes:
        state = states[node['name']]
        # The inventory plugin put the tag value into patch_group, whichever tag key the node uses.
        assert state['patch_group'] == node['patch_group']
    deb_production = workspace.node('deb', 'Production')
    # The AWS export in the registry is used as it is: its BaselineId, and security-only approvals.
    assert states[deb_production['name']]['baseline_id'] == 'pb-0a1b2c3d4e5f60718'
    assert states[deb_production['name']]['missing_count'] == 1
    # Each host's result says which baseline was applied and why.
    results = run.task('Scan the host against its patch baseline (step 1)')
    source = results[deb_production['name']]['baseline_source']
    assert (source['kind'], source['name']) == ('registry', 'Debian-Production'), source
    assert 'Production' in source['why']
    suse_source = results[workspace.node('suse', 'Production')['name']]['baseline_source']
    assert (suse_source['kind'], suse_source['name']) == ('default', 'Fleet-Security-SUSE'), suse_source
    assert states[workspace.node('deb', 'Staging')['name']]['missing_count'] == 2
    assert states[workspace.node('rpm', 'Staging')['name']]['missing_count'] == 2
    for group in ('Production', 'Staging'):
        assert states[workspace.node('suse', group)['name']]['missing_count'] == 1
    # One snapshot for the whole run.
    assert len(set(state['snapshot_id'] for state in states.values())) == 1

    production = summary_block(run.stdout, 'Patch group Production')
    assert 'hosts: 3  compliant: 0  non-compliant: 3  failed: 0  unreachable: 0  not attempted: 0' in production
    staging = summary_block(run.stdout, 'Patch group Staging')
    assert 'hosts: 3' in staging
    assert 'missing %d ' % sum(states[node['name']]['missing_count'] for node in nodes if node['patch_group'] == 'Staging') \
        in staging
    # The same data is published for AWX.
    assert run.summary['groups']['Production']['non_compliant'] == 3
    assert run.summary['totals']['hosts'] == 6


def test_scan_targets_one_patch_group(workspace):
    run = workspace.playbook('fleetops.patch_manager.scan', {'target_patch_group': 'Staging'})
    assert run.returncode == 0, run.stdout[-4000:]
    assert sorted(scan_states(run)) == sorted(node['name'] for node in workspace.state['nodes']
                                              if node['patch_group'] == 'Staging')
    assert sorted(run.summary['groups']) == ['Staging']


def test_module_calls_are_pipelined_unless_turned_off(workspace):
    """One SSH command per host: Ansible's -vvv output shows no copy of the module to the host."""
    pipelined = workspace.playbook('fleetops.patch_manager.scan', {'target_patch_group': 'Staging'}, options=['-vvv'])
    copied = workspace.playbook('fleetops.patch_manager.scan',
                                {'target_patch_group': 'Staging', 'patch_ssh_pipelining': False}, options=['-vvv'])
    assert pipelined.returncode == 0 and copied.returncode == 0, (pipelined.stdout[-3000:], copied.stdout[-3000:])
    module_copy = re.compile(r'PUT \S+ TO \S+/AnsiballZ_run_patch_baseline\.py')
    staging = [node['name'] for node in workspace.state['nodes'] if node['patch_group'] == 'Staging']
    assert module_copy.findall(pipelined.stdout) == []
    assert len(module_copy.findall(copied.stdout)) == len(staging)
    missing = dict((host, state['missing_count']) for host, state in scan_states(pipelined).items())
    assert missing == dict((host, state['missing_count']) for host, state in scan_states(copied).items())
    assert sorted(missing) == sorted(staging)


def test_snapshot_id_freezes_the_resolved_baselines(workspace):
    deb_production = workspace.node('deb', 'Production')['name']
    first_id = str(uuid.uuid4())
    first = workspace.playbook('fleetops.patch_manager.scan', {'patch_snapshot_id': first_id, 'target_patch_group': 'Production'})
    assert scan_states(first)[deb_production]['missing_count'] == 1
    # Re-register Production's Debian baseline: all updates instead of security only.
    registry_file = os.path.join(workspace.registry, 'registry.yml')
    with open(registry_file) as handle:
        registry = yaml.safe_load(handle)
    registry['patch_groups']['Production'] = ['Fleet-AllUpdates-Debian']
    with open(registry_file, 'w') as handle:
        yaml.safe_dump(registry, handle)

    same_snapshot = workspace.playbook('fleetops.patch_manager.scan',
                                       {'patch_snapshot_id': first_id, 'target_patch_group': 'Production'})
    assert scan_states(same_snapshot)[deb_production]['missing_count'] == 1
    assert scan_states(same_snapshot)[deb_production]['snapshot_id'] == first_id
    new_snapshot = workspace.playbook('fleetops.patch_manager.scan',
                                      {'patch_snapshot_id': str(uuid.uuid4()), 'target_patch_group': 'Production'})
    assert scan_states(new_snapshot)[deb_production]['missing_count'] == 2


def test_invalid_registry_fails_with_the_field(workspace):
    with open(os.path.join(workspace.registry, 'registry.yml'), 'a') as handle:
        handle.write('  Extra: [Fleet-AllUpdates-Debian, Debian-Production]\n')
    run = workspace.playbook('fleetops.patch_manager.scan', {'target_patch_group': 'Staging'})
    assert run.returncode != 0
    failure = run.task('Scan the host against its patch baseline (step 1)')
    messages = set(result.get('msg', '') for result in failure.values())
    assert any("patch_groups.Extra[1]: patch group 'Extra' already has baseline 'Fleet-AllUpdates-Debian' for DEBIAN"
               in message for message in messages), messages
    assert 'failed: 3' in summary_block(run.stdout, 'Patch group Staging')


def test_unreachable_host_spends_the_error_budget(workspace):
    workspace.fleet['nodes'] = dict([('ghost', {'tags': {'PatchGroup': 'Production'},
                                                'vars': dict(workspace.fleet['nodes']['node2']['vars'],
                                                             ansible_host='127.0.0.250')})]
                                    + list(workspace.fleet['nodes'].items()))
    workspace.write_fleet()
    run = workspace.playbook('fleetops.patch_manager.scan', {'max_concurrency': 1, 'max_errors': 0})
    assert run.returncode != 0
    assert run.summary['totals']['hosts_by_outcome']['unreachable'] == ['ghost']
    assert run.summary['totals']['not_attempted'] == 6
    assert 'unreachable: ghost' in summary_block(run.stdout, 'Patch group Production')
    # Reachability comes from the scan itself: only ghost was started, and it was unreachable.
    scanned = run.task('Scan the host against its patch baseline (step 1)')
    assert sorted(scanned) == ['ghost'] and scanned['ghost']['_status'] == 'unreachable'


def test_bad_max_errors_is_refused_before_any_host(workspace):
    run = workspace.playbook('fleetops.patch_manager.install', {'max_errors': '5 %'})
    assert run.returncode != 0
    assert 'max_errors must be a count of 0 or more or a percentage 0%..100% (got 5 %)' in run.stdout


def test_install_with_max_errors_1_stops_after_the_second_failure(workspace):
    order = ['node2', 'node3', 'node4', 'node5', 'node6', 'node7']
    assert sorted(workspace.fleet['nodes']) == order
    failing = ['node3', 'node5']
    run = workspace.playbook('fleetops.patch_manager.install', {
        'max_concurrency': 1, 'max_errors': 1, 'patch_reboot_option': 'NoReboot',
        'patch_pre_install_hook': os.path.join(HOOKS, 'pre_install_fail_some.yml'),
        'patch_on_exit_hook': os.path.join(HOOKS, 'on_exit_marker.yml'),
        'fleet_layer_failing_hosts': failing,
    })
    assert run.returncode != 0
    totals = run.summary['totals']['hosts_by_outcome']
    assert totals['failed'] == failing
    assert totals['not_attempted'] == ['node6', 'node7']
    assert sorted(totals['compliant'] + totals['non_compliant']) == ['node2', 'node4']
    text = run.stdout[run.stdout.index('FLEET PATCH SUMMARY'):]
    assert re.search(r'All patch groups\n  hosts: 6 .* failed: 2  unreachable: 0  not attempted: 2', text)
    assert '  not attempted: node6, node7' in summary_block(run.stdout, 'All patch groups')

    nodes = dict((node['name'], node) for node in workspace.state['nodes'])
    # node2 and node4 were patched; the failed hosts stopped before installing; node6 and node7 never started.
    assert installed_version(workspace, nodes['node2'], 'fleet-base') == '1.1'
    assert installed_version(workspace, nodes['node4'], 'fleet-base') == '1.1'
    for name in ('node3', 'node5', 'node6', 'node7'):
        assert installed_version(workspace, nodes[name], 'fleet-base') == '1.0', name
    # The on-exit hook runs last, after a failed step too; hosts not attempted never ran it.
    assert workspace.ssh(nodes['node3'], 'cat', '/var/tmp/fleet-layer-on-exit').stdout == 'on-exit ran after failure\n'
    assert workspace.ssh(nodes['node2'], 'cat', '/var/tmp/fleet-layer-on-exit').stdout == 'on-exit ran after success\n'
    assert workspace.ssh(nodes['node6'], 'cat', '/var/tmp/fleet-layer-on-exit').returncode != 0


def test_install_runs_hooks_in_order_and_reboots(workspace):
    # node7 (SUSE, Staging) was not attempted by the test above: it still misses the security update.
    node = workspace.node('suse', 'Staging')
    boot_before = workspace.ssh(node, 'cat', '/proc/sys/kernel/random/boot_id').stdout.strip()
    run = workspace.playbook('fleetops.patch_manager.install', {
        'target_hosts': node['name'], 'max_concurrency': 1, 'max_errors': 0,
        'patch_pre_install_hook': os.path.join(HOOKS, 'log_pre.yml'),
        'patch_post_install_hook': os.path.join(HOOKS, 'log_post.yml'),
        'patch_on_exit_hook': os.path.join(HOOKS, 'log_on-exit.yml'),
    })
    assert run.returncode == 0, run.stdout[-4000:]
    # AWS-RunPatchBaselineWithHooks order: pre-install, install (NoReboot), post-install, install and reboot, on-exit.
    assert workspace.ssh(node, 'cat', '/var/tmp/fleet-layer-hooks.log').stdout.split() == ['pre', 'post', 'on-exit']
    rebooting = run.task('Install again and reboot when needed (steps 6 and 7)')[node['name']]
    assert rebooting['rebooted'] is True
    assert workspace.ssh(node, 'cat', '/proc/sys/kernel/random/boot_id').stdout.strip() != boot_before
    assert installed_version(workspace, node, 'fleet-base') == '1.1'
    assert run.summary['groups']['Staging']['hosts_by_outcome']['compliant'] == [node['name']]
