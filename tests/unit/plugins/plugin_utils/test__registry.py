# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BaselineValidationError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _registry
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._registry import (
    RegistryError,
    load_registry,
    patch_group_problem,
    registry_dir_for_host,
    resolve_baseline,
    resolve_for_host,
)

# What `aws ssm get-patch-baseline --baseline-id pb-0c10e65780EXAMPLE` prints.
AWS_EXPORT = {
    "BaselineId": "pb-0c10e65780EXAMPLE",
    "Name": "Ubuntu-Production",
    "OperatingSystem": "UBUNTU",
    "GlobalFilters": {"PatchFilters": [{"Key": "PRODUCT", "Values": ["*"]}]},
    "ApprovalRules": {"PatchRules": [{
        "PatchFilterGroup": {"PatchFilters": [{"Key": "PRIORITY", "Values": ["Required", "Important"]}]},
        "ComplianceLevel": "HIGH", "ApproveAfterDays": 0, "EnableNonSecurity": False}]},
    "ApprovedPatches": [],
    "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
    "ApprovedPatchesEnableNonSecurity": False,
    "RejectedPatches": [],
    "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
    "PatchGroups": ["Production"],
    "CreatedDate": "2026-01-12T10:12:45.123000+00:00",
    "ModifiedDate": "2026-01-12T10:12:45.123000+00:00",
    "Description": "Exported from AWS",
    "Sources": [],
}

OPERATING_SYSTEMS_SEEN = set()


def stand_in_normalise(document):
    """Stand-in for _baseline.normalise_baseline (owned and tested elsewhere): only the keys the registry reads."""
    name = document.get('Name', document.get('name'))
    operating_system = document.get('OperatingSystem', document.get('operating_system', 'WINDOWS'))
    if operating_system not in _registry.OPERATING_SYSTEMS:
        field = 'OperatingSystem' if 'OperatingSystem' in document else 'operating_system'
        raise BaselineValidationError(field, '%r is not one of %s' % (operating_system, ', '.join(_registry.OPERATING_SYSTEMS)))
    return {'name': name, 'operating_system': operating_system,
            'baseline_id': document.get('BaselineId', document.get('baseline_id')), 'approved_patches': []}


PREDEFINED = {
    'AWS-UbuntuDefaultPatchBaseline': {'name': 'AWS-UbuntuDefaultPatchBaseline', 'operating_system': 'UBUNTU'},
    'AWS-RedHatDefaultPatchBaseline': {'name': 'AWS-RedHatDefaultPatchBaseline', 'operating_system': 'REDHAT_ENTERPRISE_LINUX'},
}


def predefined_for(operating_system):
    for name, baseline in PREDEFINED.items():
        if baseline['operating_system'] == operating_system:
            return name, baseline
    raise KeyError(operating_system)


@pytest.fixture(autouse=True)
def collection_model(monkeypatch):
    """Use the collection's baseline model when it is importable, else the stand-ins above."""
    try:
        from ansible_collections.fleetops.patch_manager.plugins.module_utils import _baseline  # noqa: F401
        from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined  # noqa: F401
    except ImportError:
        monkeypatch.setattr(_registry, '_default_normalise', stand_in_normalise)
        monkeypatch.setattr(_registry, '_default_predefined_by_name', PREDEFINED.get)
        monkeypatch.setattr(_registry, '_default_predefined', predefined_for)


def write(path, content):
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    with open(path, 'w') as handle:
        handle.write(content)


def make_registry(root, registry_yml, baselines=None):
    directory = os.path.join(str(root), 'patch_registry')
    for name, text in (baselines or {}).items():
        write(os.path.join(directory, 'baselines', name), text)
    if registry_yml is not None:
        write(os.path.join(directory, 'registry.yml'), registry_yml)
    return directory


UBUNTU_STAGING = """
name: Ubuntu-Staging
operating_system: UBUNTU
approval_rules:
  patch_rules:
    - patch_filter_group: {patch_filters: [{key: PRIORITY, values: [Required]}]}
      approve_after_days: 0
"""
RHEL_PRODUCTION = """
Name: RHEL-Production
OperatingSystem: REDHAT_ENTERPRISE_LINUX
ApprovalRules: {PatchRules: [{PatchFilterGroup: {PatchFilters: [{Key: CLASSIFICATION, Values: [Security]}]}, ApproveAfterDays: 7}]}
"""
UBUNTU_DEFAULT = """
name: Ubuntu-Default
operating_system: UBUNTU
approval_rules:
  patch_rules:
    - patch_filter_group: {patch_filters: [{key: PRIORITY, values: [Required]}]}
      approve_after_days: 3
"""


@pytest.fixture
def registry_dir(tmp_path):
    return make_registry(tmp_path, """
default_baselines:
  UBUNTU: Ubuntu-Default
patch_groups:
  Production: [RHEL-Production]
  Staging: [Ubuntu-Staging, AWS-RedHatDefaultPatchBaseline]
""", {
        'ubuntu-production.json': json.dumps(AWS_EXPORT, indent=2),
        'ubuntu-staging.yml': UBUNTU_STAGING,
        'rhel-production.yaml': RHEL_PRODUCTION,
        'ubuntu-default.yml': UBUNTU_DEFAULT,
        'README.md': 'not a baseline',
    })


def test_aws_export_is_used_unchanged_and_registers_its_patch_groups(registry_dir):
    registry = load_registry(registry_dir)
    assert registry.patch_groups['Production'] == {'UBUNTU': 'Ubuntu-Production', 'REDHAT_ENTERPRISE_LINUX': 'RHEL-Production'}
    result = resolve_baseline('UBUNTU', patch_group='Production', registry=registry)
    assert result['baseline']['name'] == 'Ubuntu-Production'
    assert result['baseline']['baseline_id'] == 'pb-0c10e65780EXAMPLE'
    assert result['baseline_source']['kind'] == 'registry'
    assert result['baseline_source']['path'].endswith('ubuntu-production.json')
    assert "Patch group 'Production'" in result['baseline_source']['why']


@pytest.mark.parametrize('operating_system, patch_group, kind, name', [
    ('REDHAT_ENTERPRISE_LINUX', 'Production', 'registry', 'RHEL-Production'),
    ('UBUNTU', 'Staging', 'registry', 'Ubuntu-Staging'),
    ('REDHAT_ENTERPRISE_LINUX', 'Staging', 'registry', 'AWS-RedHatDefaultPatchBaseline'),
    ('UBUNTU', 'Unregistered', 'default', 'Ubuntu-Default'),        # tag without registration -> default
    ('UBUNTU', None, 'default', 'Ubuntu-Default'),                  # no tag -> default
    ('REDHAT_ENTERPRISE_LINUX', 'Unregistered', 'predefined', 'AWS-RedHatDefaultPatchBaseline'),
])
def test_resolution_order(registry_dir, operating_system, patch_group, kind, name):
    result = resolve_baseline(operating_system, patch_group=patch_group, registry=load_registry(registry_dir))
    assert result['baseline_source']['kind'] == kind
    assert result['baseline_source']['name'] == name
    assert result['baseline']['operating_system'] == operating_system


def test_override_for_the_os_wins_over_everything(registry_dir):
    override = [{'name': 'Emergency-RHEL', 'operating_system': 'REDHAT_ENTERPRISE_LINUX'},
                {'name': 'Emergency-Ubuntu', 'operating_system': 'UBUNTU'}]
    result = resolve_baseline('UBUNTU', patch_group='Production', registry=load_registry(registry_dir),
                              baseline_override=override, task_baseline='Ubuntu-Staging')
    assert result['baseline_source']['kind'] == 'override'
    assert result['baseline']['name'] == 'Emergency-Ubuntu'


def test_override_without_an_entry_for_the_os_falls_through(registry_dir):
    override = [{'name': 'Emergency-RHEL', 'operating_system': 'REDHAT_ENTERPRISE_LINUX'}]
    result = resolve_baseline('UBUNTU', patch_group='Production', registry=load_registry(registry_dir), baseline_override=override)
    assert result['baseline_source']['name'] == 'Ubuntu-Production'


def test_task_baseline_by_registry_name_or_id(registry_dir):
    registry = load_registry(registry_dir)
    by_name = resolve_baseline('UBUNTU', patch_group='Production', registry=registry, task_baseline='Ubuntu-Staging')
    assert (by_name['baseline_source']['kind'], by_name['baseline']['name']) == ('task', 'Ubuntu-Staging')
    by_id = resolve_baseline('UBUNTU', registry=registry, task_baseline='pb-0c10e65780EXAMPLE')
    assert by_id['baseline']['name'] == 'Ubuntu-Production'


def test_task_baseline_unknown_name_lists_known_ones(registry_dir):
    with pytest.raises(RegistryError) as err:
        resolve_baseline('UBUNTU', registry=load_registry(registry_dir), task_baseline='Nope')
    assert "'Nope' is not a baseline" in str(err.value)
    assert 'Ubuntu-Staging' in str(err.value)


def test_no_registry_gives_the_predefined_baseline():
    result = resolve_baseline('UBUNTU', patch_group='Production')
    assert result['baseline_source'] == {
        'kind': 'predefined', 'name': 'AWS-UbuntuDefaultPatchBaseline',
        'why': "The predefined baseline for UBUNTU applies: patch group 'Production' has no baseline registered"
               " for UBUNTU and no patch registry is configured."}


def test_two_baselines_of_one_os_for_a_group_is_rejected_like_aws(tmp_path):
    directory = make_registry(tmp_path, "patch_groups:\n  Staging: [Ubuntu-Staging, Ubuntu-Default]\n",
                              {'a.yml': UBUNTU_STAGING, 'b.yml': UBUNTU_DEFAULT})
    with pytest.raises(RegistryError) as err:
        load_registry(directory)
    message = str(err.value)
    assert 'patch_groups.Staging[1]' in message
    assert "already has baseline 'Ubuntu-Staging' for UBUNTU" in message
    assert 'at most one baseline per operating system' in message


def test_exported_patch_groups_conflicting_with_registry_yml_are_rejected(tmp_path):
    directory = make_registry(tmp_path, "patch_groups:\n  Production: [Ubuntu-Staging]\n",
                              {'export.json': json.dumps(AWS_EXPORT), 'staging.yml': UBUNTU_STAGING})
    with pytest.raises(RegistryError) as err:
        load_registry(directory)
    assert 'export.json: PatchGroups' in str(err.value)


@pytest.mark.parametrize('registry_yml, fragment', [
    ('default_baselines:\n  UBUNTO: Ubuntu-Default\n', "'UBUNTO' is not one of WINDOWS, AMAZON_LINUX"),
    ('default_baselines:\n  DEBIAN: Ubuntu-Default\n', "default_baselines.DEBIAN: baseline 'Ubuntu-Default' is for UBUNTU, not DEBIAN"),
    ('default_baseline:\n  UBUNTU: Ubuntu-Default\n', 'unknown key default_baseline (allowed: default_baselines, patch_groups)'),
    ('patch_groups:\n  Prod: Missing\n', "patch_groups.Prod[0]: 'Missing' is not a baseline"),
    ('patch_groups:\n  "bad|group": [Ubuntu-Default]\n', "'|' is not allowed in a patch group name"),
    ('patch_groups:\n  Prod: []\n', 'patch_groups.Prod: must be a list of baseline names'),
    ('- just a list\n', 'must be a mapping with the keys default_baselines, patch_groups'),
    ('patch_groups: {Prod: [Ubuntu-Default]\n', 'is not valid YAML'),
])
def test_registry_yml_errors_name_the_field(tmp_path, registry_yml, fragment):
    directory = make_registry(tmp_path, registry_yml, {'default.yml': UBUNTU_DEFAULT})
    with pytest.raises(RegistryError) as err:
        load_registry(directory)
    assert fragment in str(err.value)
    assert 'registry.yml' in str(err.value)


def test_invalid_baseline_file_names_the_file_and_field(tmp_path):
    directory = make_registry(tmp_path, None, {'broken.json': json.dumps(dict(AWS_EXPORT, OperatingSystem='UBUNTU_LTS'))})
    with pytest.raises(RegistryError) as err:
        load_registry(directory)
    assert 'broken.json: OperatingSystem:' in str(err.value)
    assert 'UBUNTU_LTS' in str(err.value)


def test_duplicate_baseline_names_are_rejected(tmp_path):
    directory = make_registry(tmp_path, None, {'a.yml': UBUNTU_STAGING, 'b.yml': UBUNTU_STAGING})
    with pytest.raises(RegistryError) as err:
        load_registry(directory)
    assert "b.yml: Name: 'Ubuntu-Staging' is already used by" in str(err.value)


def test_a_file_with_a_list_is_not_a_baseline(tmp_path):
    directory = make_registry(tmp_path, None, {'list.json': json.dumps([AWS_EXPORT])})
    with pytest.raises(RegistryError) as err:
        load_registry(directory)
    assert 'must hold one baseline' in str(err.value)


@pytest.mark.parametrize('value, ok', [
    ('Production', True), ('web servers', True), ('a_b.c:d/e=f+g-h@i', True), ('Produktion-Ä1', True),
    ('', False), ('x' * 257, False), ('a|b', False), ('a\tb', False), ('a#b', False), (5, False),
])
def test_patch_group_names_follow_the_aws_pattern(value, ok):
    assert (patch_group_problem(value) is None) is ok


def test_registry_dir_beside_the_inventory_is_found(registry_dir, tmp_path):
    assert registry_dir_for_host({'inventory_dir': str(tmp_path)}) == registry_dir
    assert registry_dir_for_host({'inventory_dir': str(tmp_path / 'elsewhere')}) is None
    assert registry_dir_for_host({'inventory_dir': '/', 'patch_registry_dir': registry_dir}) == registry_dir
    assert registry_dir_for_host({'inventory_dir': str(tmp_path), 'patch_registry_dir': 'patch_registry'}) == registry_dir
    with pytest.raises(RegistryError) as err:
        registry_dir_for_host({'patch_registry_dir': str(tmp_path / 'missing')})
    assert err.value.where == 'patch_registry_dir'


def test_resolve_for_host_reads_patch_group_and_registry_from_host_vars(registry_dir, tmp_path):
    task_vars = {'inventory_dir': str(tmp_path), 'patch_group': 'Staging'}
    result = resolve_for_host(task_vars, 'UBUNTU')
    assert result['baseline_source']['name'] == 'Ubuntu-Staging'
    # An edit to the registry is seen by the next resolution (the cache follows file changes).
    write(os.path.join(registry_dir, 'registry.yml'), 'default_baselines: {UBUNTU: Ubuntu-Default}\n')
    os.utime(os.path.join(registry_dir, 'registry.yml'), (1, 1))
    assert resolve_for_host(task_vars, 'UBUNTU')['baseline_source']['kind'] == 'default'
    with pytest.raises(RegistryError) as err:
        resolve_for_host(task_vars, 'Ubuntu')
    assert "'Ubuntu' is not one of" in str(err.value)


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
    assert _registry.operating_system_from_facts(facts) == expected


def test_action_plugin_hook_resolves_from_facts_and_freezes_time(registry_dir, tmp_path):
    from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._snapshot import SnapshotStore
    store = SnapshotStore(str(tmp_path / 'snapshots'))
    task_vars = {'inventory_dir': str(tmp_path), 'patch_group': 'Staging', 'ansible_facts': {'distribution': 'Ubuntu'}}
    args = {'operation': 'Scan', 'snapshot_id': 'abc-1', 'evaluation_time': '2026-01-01T00:00:00Z'}
    baseline = _registry.resolve_baseline_for_host(task_vars, args, store=store)
    assert baseline['name'] == 'Ubuntu-Staging'
    later_args = {'operation': 'Install', 'snapshot_id': 'abc-1'}
    report = {}
    assert _registry.resolve_baseline_for_host(task_vars, later_args, store=store, report=report)['name'] == 'Ubuntu-Staging'
    assert later_args['evaluation_time'] == '2026-01-01T00:00:00Z'
    assert report['baseline_source']['kind'] == 'registry'
    assert "Patch group 'Staging' has baseline 'Ubuntu-Staging' registered for UBUNTU" in report['baseline_source']['why']
    assert report['snapshot_reused'] is True


def test_action_plugin_hook_leaves_overrides_and_unknown_hosts_to_the_module(registry_dir, tmp_path):
    override_args = {'baseline_override': [{'name': 'x', 'operating_system': 'UBUNTU'}], 'baseline': None}
    task_vars = {'inventory_dir': str(tmp_path), 'ansible_facts': {'distribution': 'Ubuntu'}}
    assert _registry.resolve_baseline_for_host(task_vars, override_args) is None
    # Unknown OS without a registry: the module picks the predefined baseline of the OS it detects.
    assert _registry.resolve_baseline_for_host({'inventory_dir': str(tmp_path / 'none')}, {'baseline': 'B'}) == 'B'
    # Unknown OS with a registry cannot be resolved on the controller: a clear error.
    with pytest.raises(RegistryError) as err:
        _registry.resolve_baseline_for_host({'inventory_dir': str(tmp_path)}, {})
    assert 'gather facts first' in str(err.value)
    detected = _registry.resolve_baseline_for_host({'inventory_dir': str(tmp_path)}, {}, detect_operating_system=lambda: 'UBUNTU')
    assert detected['name'] == 'Ubuntu-Default'
