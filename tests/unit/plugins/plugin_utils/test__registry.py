# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.fleetops.patch_manager.tests.unit.plugins.plugin_utils.registry_cases import (
    AWS_EXPORT,
    UBUNTU_DEFAULT,
    UBUNTU_STAGING,
    make_registry,
)
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._registry import (
    RegistryError,
    load_registry,
    patch_group_problem,
    registry_dir_for_host,
)


def test_aws_export_is_used_unchanged_and_registers_its_patch_groups(registry_dir):
    registry = load_registry(registry_dir)
    assert registry.patch_groups['Production'] == {'UBUNTU': 'Ubuntu-Production', 'REDHAT_ENTERPRISE_LINUX': 'RHEL-Production'}
    assert registry.baseline('Ubuntu-Production')['baseline_id'] == 'pb-0c10e65780EXAMPLE'
    assert registry.baselines['Ubuntu-Production']['path'].endswith('ubuntu-production.json')
    assert registry.registered_by[('Production', 'UBUNTU')] == 'ubuntu-production.json'


def test_references_by_name_id_arn_or_predefined_name(registry_dir):
    registry = load_registry(registry_dir)
    assert registry.lookup('baseline', 'Ubuntu-Staging') == 'Ubuntu-Staging'
    assert registry.lookup('baseline', 'pb-0c10e65780EXAMPLE') == 'Ubuntu-Production'
    assert registry.lookup('baseline', 'arn:aws:ssm:eu-west-1:111122223333:patchbaseline/pb-0c10e65780EXAMPLE') == \
        'Ubuntu-Production'
    assert registry.lookup('baseline', 'AWS-UbuntuDefaultPatchBaseline') == 'AWS-UbuntuDefaultPatchBaseline'
    with pytest.raises(RegistryError) as err:
        registry.lookup('baseline', 'Nope')
    assert "baseline: 'Nope' is not a baseline" in str(err.value) and 'Ubuntu-Staging' in str(err.value)


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


def test_localhost_finds_the_registry_beside_the_inventory_sources(registry_dir, tmp_path):
    fleet_file = str(tmp_path / 'fleet.yml')
    assert registry_dir_for_host({'ansible_inventory_sources': [fleet_file]}) == registry_dir
    assert registry_dir_for_host({'ansible_inventory_sources': [str(tmp_path)]}) == registry_dir
    assert registry_dir_for_host({'ansible_inventory_sources': [str(tmp_path / 'other' / 'hosts')]}) is None
