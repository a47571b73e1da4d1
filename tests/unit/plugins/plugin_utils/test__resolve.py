# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.fleetops.patch_manager.plugins.action.run_patch_baseline import module_arguments
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _run
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import SUPPORTED_OPERATING_SYSTEMS
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _resolve
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._registry import RegistryError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._snapshot import SnapshotStore
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.plugin_utils.registry_cases import write

SNAPSHOT_ID = '3f2c1a9e-0b7d-4e55-9a43-1c2d3e4f5a6b'


def host_vars(tmp_path, **variables):
    return dict({'inventory_dir': str(tmp_path)}, **variables)


def chosen(resolution, operating_system):
    """The baseline the module takes for a host of ``operating_system`` (its own selection code)."""
    baseline, entry = _run.choose_baseline({'resolved_baselines': resolution['baselines']}, None, operating_system)
    return baseline, entry['baseline_source']


@pytest.mark.parametrize('operating_system, patch_group, kind, name', [
    ('REDHAT_ENTERPRISE_LINUX', 'Production', 'registry', 'RHEL-Production'),
    ('UBUNTU', 'Production', 'registry', 'Ubuntu-Production'),   # registered by the AWS export's PatchGroups
    ('UBUNTU', 'Staging', 'registry', 'Ubuntu-Staging'),
    ('REDHAT_ENTERPRISE_LINUX', 'Staging', 'registry', 'AWS-RedHatDefaultPatchBaseline'),
    ('UBUNTU', 'Unregistered', 'default', 'Ubuntu-Default'),        # tag without registration -> default
    ('UBUNTU', None, 'default', 'Ubuntu-Default'),                  # no tag -> default
    ('REDHAT_ENTERPRISE_LINUX', 'Unregistered', 'predefined', 'AWS-RedHatDefaultPatchBaseline'),
    ('SUSE', None, 'predefined', 'AWS-SuseDefaultPatchBaseline'),
])
def test_resolution_order(registry_dir, tmp_path, operating_system, patch_group, kind, name):
    # The controller does not know the OS: it resolves every OS, the module picks its own.
    resolution = _resolve.resolve(host_vars(tmp_path), patch_group=patch_group)
    assert sorted(resolution['baselines']) == sorted(SUPPORTED_OPERATING_SYSTEMS)
    baseline, source = chosen(resolution, operating_system)
    assert (source['kind'], source['name']) == (kind, name)
    assert baseline['operating_system'] == operating_system
    if kind == 'registry':
        assert "Patch group %r has baseline %r registered for %s" % (patch_group, name, operating_system) in source['why']


def test_known_os_resolves_only_its_entry_from_facts_or_the_option(registry_dir, tmp_path):
    facts = host_vars(tmp_path, ansible_facts={'distribution': 'Ubuntu'}, patch_group='Staging')
    assert sorted(_resolve.resolve(facts)['baselines']) == ['UBUNTU']
    # Facts describe the machine, not a system installed under another root.
    assert len(_resolve.resolve(facts, root='/srv/chroot')['baselines']) == len(SUPPORTED_OPERATING_SYSTEMS)
    explicit = _resolve.resolve(host_vars(tmp_path), operating_system='REDHAT_ENTERPRISE_LINUX', patch_group='Production')
    assert explicit['baselines']['REDHAT_ENTERPRISE_LINUX']['baseline']['name'] == 'RHEL-Production'


def test_override_for_the_os_wins_over_everything(registry_dir, tmp_path):
    overrides = [{'name': 'Emergency-RHEL', 'operating_system': 'REDHAT_ENTERPRISE_LINUX'},
                 {'name': 'Emergency-Ubuntu', 'operating_system': 'UBUNTU'}]
    resolution = _resolve.resolve(host_vars(tmp_path), patch_group='Production', overrides=overrides,
                                  task_baseline='Ubuntu-Staging')
    assert resolution['baselines']['UBUNTU']['baseline']['name'] == 'Emergency-Ubuntu'
    assert resolution['baselines']['UBUNTU']['baseline_source']['kind'] == 'override'
    # An OS without an override entry takes the task's baseline (key *).
    assert resolution['baselines']['*']['baseline']['name'] == 'Ubuntu-Staging'


def test_override_without_an_entry_for_the_os_falls_through(registry_dir, tmp_path):
    overrides = [{'name': 'Emergency-RHEL', 'operating_system': 'REDHAT_ENTERPRISE_LINUX'}]
    resolution = _resolve.resolve(host_vars(tmp_path), patch_group='Production', overrides=overrides)
    assert chosen(resolution, 'UBUNTU')[1]['name'] == 'Ubuntu-Production'


def test_task_baseline_by_registry_name_id_or_predefined_name(registry_dir, tmp_path):
    by_name = _resolve.resolve(host_vars(tmp_path), patch_group='Production', task_baseline='Ubuntu-Staging')
    assert sorted(by_name['baselines']) == ['*']
    assert (by_name['baselines']['*']['baseline_source']['kind'], by_name['baselines']['*']['baseline']['name']) == \
        ('task', 'Ubuntu-Staging')
    by_id = _resolve.resolve(host_vars(tmp_path), task_baseline='pb-0c10e65780EXAMPLE')
    assert by_id['baselines']['*']['baseline']['name'] == 'Ubuntu-Production'
    predefined = _resolve.resolve({}, task_baseline='AWS-UbuntuDefaultPatchBaseline')
    assert predefined['baselines']['*'] == {
        'predefined': 'AWS-UbuntuDefaultPatchBaseline', 'snapshot_reused': False,
        'baseline_source': {'kind': 'task', 'name': 'AWS-UbuntuDefaultPatchBaseline',
                            'why': "The task sets the baseline option to the predefined 'AWS-UbuntuDefaultPatchBaseline'."}}


def test_unknown_task_baseline_lists_known_ones(registry_dir, tmp_path):
    with pytest.raises(RegistryError) as err:
        _resolve.resolve(host_vars(tmp_path), task_baseline='Nope')
    assert "'Nope' is not a baseline" in str(err.value) and 'Ubuntu-Staging' in str(err.value)
    with pytest.raises(InputError) as err:
        _resolve.resolve({}, task_baseline='Nope')
    assert "baseline: 'Nope' is not a predefined AWS baseline" in str(err.value)


def test_no_registry_gives_the_predefined_baseline():
    resolution = _resolve.resolve({}, patch_group='Production')
    assert resolution['baselines']['UBUNTU'] == {
        'predefined': 'AWS-UbuntuDefaultPatchBaseline', 'snapshot_reused': False,
        'baseline_source': {
            'kind': 'predefined', 'name': 'AWS-UbuntuDefaultPatchBaseline',
            'why': "The predefined baseline for UBUNTU applies: patch group 'Production' has no baseline registered"
                   " for UBUNTU and no patch registry is configured."}}


def test_a_baseline_for_another_os_fails_on_the_controller_naming_both(tmp_path):
    with pytest.raises(InputError) as err:
        _resolve.resolve({'ansible_facts': {'distribution': 'Ubuntu'}}, task_baseline='AWS-RedHatDefaultPatchBaseline')
    assert str(err.value) == ('baseline: the baseline AWS-RedHatDefaultPatchBaseline is for REDHAT_ENTERPRISE_LINUX, '
                              'but the host runs UBUNTU; choose a baseline for UBUNTU')
    # The module applies the same rule to the OS it detects.
    resolution = _resolve.resolve({}, task_baseline='AWS-RedHatDefaultPatchBaseline')
    with pytest.raises(InputError) as err:
        chosen(resolution, 'DEBIAN')
    assert 'is for REDHAT_ENTERPRISE_LINUX, but the host runs DEBIAN' in str(err.value)


def test_registry_edits_are_seen_by_the_next_resolution(registry_dir, tmp_path):
    variables = host_vars(tmp_path)
    assert chosen(_resolve.resolve(variables, patch_group='Staging'), 'UBUNTU')[1]['name'] == 'Ubuntu-Staging'
    write(os.path.join(registry_dir, 'registry.yml'), 'default_baselines: {UBUNTU: Ubuntu-Default}\n')
    os.utime(os.path.join(registry_dir, 'registry.yml'), (1, 1))
    assert chosen(_resolve.resolve(variables, patch_group='Staging'), 'UBUNTU')[1]['kind'] == 'default'


@pytest.mark.parametrize('facts, expected', [
    ({'distribution': 'Ubuntu', 'os_family': 'Debian'}, 'UBUNTU'),
    ({'distribution': 'Debian', 'os_family': 'Debian'}, 'DEBIAN'),
    ({'distribution': 'RedHat', 'os_family': 'RedHat'}, 'REDHAT_ENTERPRISE_LINUX'),
    ({'distribution': 'Rocky', 'os_family': 'RedHat'}, 'ROCKY_LINUX'),
    ({'distribution': 'openSUSE Leap', 'os_family': 'Suse'}, 'SUSE'),
    ({'distribution': 'Amazon', 'distribution_major_version': '2023'}, 'AMAZON_LINUX_2023'),
    ({'distribution': 'Amazon', 'distribution_major_version': '2'}, 'AMAZON_LINUX_2'),
    ({'distribution': 'Microsoft Windows Server 2022', 'os_family': 'Windows'}, 'WINDOWS'),
    ({'distribution': 'Fedora', 'os_family': 'RedHat'}, None),
    ({}, None),
    (None, None),
])
def test_operating_system_from_facts(facts, expected):
    assert _resolve.operating_system_from_facts(facts) == expected


def test_snapshot_freezes_entries_and_time(registry_dir, tmp_path):
    store = SnapshotStore(str(tmp_path / 'snapshots'))
    variables = host_vars(tmp_path, ansible_facts={'distribution': 'Ubuntu'})
    first = _resolve.resolve(variables, patch_group='Staging', snapshot_id=SNAPSHOT_ID,
                             evaluation_time=_run.parse_evaluation_time('2026-01-01T00:00:00Z', None), store=store)
    assert first['evaluation_time'] == '2026-01-01T00:00:00Z'
    assert first['baselines']['UBUNTU']['snapshot_reused'] is False
    # The registry changes; the snapshot still gives what it froze, and its time.
    write(os.path.join(registry_dir, 'registry.yml'), 'default_baselines: {UBUNTU: Ubuntu-Default}\n')
    later = _resolve.resolve(variables, patch_group='Staging', snapshot_id=SNAPSHOT_ID, store=store)
    assert later['baselines']['UBUNTU']['baseline']['name'] == 'Ubuntu-Staging'
    assert later['baselines']['UBUNTU']['snapshot_reused'] is True
    assert later['evaluation_time'] == '2026-01-01T00:00:00Z'


def test_snapshot_freezes_a_baseline_override_too(tmp_path):
    # Issue: snapshot_id with baseline_override froze nothing; AWS evaluates the override once and freezes it.
    store = SnapshotStore(str(tmp_path / 'snapshots'))
    args = {'operation': 'Scan', 'snapshot_id': SNAPSHOT_ID,
            'baseline_override': [{'Name': 'Override-Ubuntu', 'OperatingSystem': 'UBUNTU',
                                   'ApprovalRules': {'PatchRules': [{'PatchFilterGroup': {'PatchFilters': [
                                       {'Key': 'PRIORITY', 'Values': ['Required']}]}}]}}]}
    first, dummy = module_arguments(dict(args), {}, store=store)
    second, dummy = module_arguments(dict(args, evaluation_time='2030-01-01T00:00:00Z', baseline_override=[
        dict(args['baseline_override'][0], Name='Changed-Override')]), {}, store=store)
    assert first['evaluation_time'] == second['evaluation_time']
    assert second['resolved_baselines']['UBUNTU']['baseline']['name'] == 'Override-Ubuntu'
    assert second['resolved_baselines']['UBUNTU']['snapshot_reused'] is True


def test_module_arguments_carry_no_raw_documents(tmp_path):
    override_list = [{'id': 'openssl.amd64', 'title': 'openssl.amd64:3.*', 'extra': 'ignored'}]
    args, warnings = module_arguments({'operation': 'Install', 'baseline': {'Name': 'web', 'OperatingSystem': 'UBUNTU'},
                                       'install_override_list': override_list, 'patch_group': 'Web', 'root': '/'},
                                      {'patch_group': 'Ignored'})
    assert warnings == []
    assert 'baseline' not in args and 'baseline_override' not in args
    assert args['install_override_list'] == [{'id': 'openssl.amd64', 'title': 'openssl.amd64:3.*'}]
    assert args['resolved_baselines']['*']['baseline']['approval_rules'] == {'patch_rules': []}
    assert args['patch_group'] == 'Web'
    json.dumps(args)


@pytest.mark.parametrize('value', ['line\nbreak', 'tab\there', 'bell\x07', 'x' * 257])
def test_patch_group_with_control_characters_is_refused(value):
    with pytest.raises(InputError) as err:
        module_arguments({'operation': 'Scan'}, {'patch_group': value})
    assert err.value.field == 'patch_group'


def test_a_task_baseline_in_the_yaml_shape_is_validated_on_the_controller():
    bad = {'name': 'all-security', 'operating_system': 'DEBIAN', 'approval_rules': {'patch_rules': [
        {'patch_filter_group': {'patch_filters': [{'key': 'PRIORITY', 'values': ['Required']}]},
         'approve_after_days': 400}]}}
    with pytest.raises(Exception) as err:
        _resolve.resolve({}, task_baseline=bad)
    assert str(err.value) == 'baseline.approval_rules.patch_rules[0].approve_after_days: 400 is outside 0..360'
