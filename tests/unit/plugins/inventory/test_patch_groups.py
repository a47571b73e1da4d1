# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible.errors import AnsibleError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader

from ansible_collections.fleetops.patch_manager.plugins.inventory.patch_groups import (
    PatchGroupConflict,
    patch_group_for,
    tag_values,
)

KEYS = ['Patch Group', 'PatchGroup']

FLEET = """
plugin: fleetops.patch_manager.patch_groups
nodes:
  web1:
    tags: {"Patch Group": Production, Environment: prod}
    vars: {ansible_host: 127.0.0.2, ansible_user: admin}
  db1:
    tags: {PatchGroup: Production}
  build1:
    tags: {PatchGroup: "build servers"}
    groups: [builders]
  lonely: {}
keyed_groups:
  - key: fleet_tags.Environment | default('none')
    prefix: env
compose:
  patch_window: "'night' if patch_group | default('') == 'Production' else 'day'"
groups:
  production: patch_group | default('') == 'Production'
"""


def write(directory, name, text):
    path = os.path.join(str(directory), name)
    with open(path, 'w') as handle:
        handle.write(text)
    return path


def inventory_of(*sources):
    return InventoryManager(loader=DataLoader(), sources=list(sources))


def members(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def test_fleet_file_groups_hosts_by_tag_and_sets_patch_group(tmp_path):
    inventory = inventory_of(write(tmp_path, 'fleet.yml', FLEET))
    assert members(inventory, 'patch_group_Production') == ['db1', 'web1']
    assert members(inventory, 'patch_group_build_servers') == ['build1']
    assert members(inventory, 'builders') == ['build1']
    web1 = inventory.get_host('web1').get_vars()
    assert web1['patch_group'] == 'Production'
    assert web1['ansible_host'] == '127.0.0.2'
    assert web1['fleet_tags'] == {'Patch Group': 'Production', 'Environment': 'prod'}
    assert inventory.get_host('build1').get_vars()['patch_group'] == 'build servers'
    assert 'patch_group' not in inventory.get_host('lonely').get_vars()


def test_fleet_file_supports_compose_groups_and_keyed_groups(tmp_path):
    inventory = inventory_of(write(tmp_path, 'fleet.yml', FLEET))
    assert members(inventory, 'env_prod') == ['web1']
    assert members(inventory, 'production') == ['db1', 'web1']
    assert inventory.get_host('web1').get_vars()['patch_window'] == 'night'
    assert inventory.get_host('build1').get_vars()['patch_window'] == 'day'


def test_layered_on_hosts_of_earlier_sources(tmp_path):
    static = write(tmp_path, 'a_cloud.yml', """
all:
  hosts:
    ec2-a: {tags: {PatchGroup: Staging}}
    ec2-b: {ec2_tags: {"Patch Group": Staging}}
    azure-a: {tags: {"Patch Group": Production}}
    gcp-a: {labels: {patchgroup: staging}}
    vmware-a: {categories: {PatchGroup: [Production]}}
    raw-a: {tags: [{Key: PatchGroup, Value: Staging}]}
    untagged: {}
""")
    layer = write(tmp_path, 'zz_patch_groups.yml', """
plugin: fleetops.patch_manager.patch_groups
tag_keys: [Patch Group, PatchGroup, patchgroup]
""")
    inventory = inventory_of(static, layer)
    assert members(inventory, 'patch_group_Staging') == ['ec2-a', 'ec2-b', 'raw-a']
    assert members(inventory, 'patch_group_Production') == ['azure-a', 'vmware-a']
    assert members(inventory, 'patch_group_staging') == ['gcp-a']
    assert inventory.get_host('vmware-a').get_vars()['patch_group'] == 'Production'
    assert 'patch_group' not in inventory.get_host('untagged').get_vars()


def test_existing_patch_group_variable_is_kept_for_untagged_hosts(tmp_path):
    static = write(tmp_path, 'a.ini', "[legacy]\nold1 patch_group=Legacy\n")
    layer = write(tmp_path, 'zz.yml', "plugin: fleetops.patch_manager.patch_groups\n")
    inventory = inventory_of(static, layer)
    assert members(inventory, 'patch_group_Legacy') == ['old1']


def test_conflicting_tags_warn_or_fail_under_strict(tmp_path):
    conflict = """
plugin: fleetops.patch_manager.patch_groups
strict: %s
nodes:
  both: {tags: {PatchGroup: A, "Patch Group": B}}
  fine: {tags: {PatchGroup: A}}
"""
    inventory = inventory_of(write(tmp_path, 'lenient.yml', conflict % 'false'))
    assert members(inventory, 'patch_group_A') == ['fine']
    assert 'patch_group' not in inventory.get_host('both').get_vars()
    # Under strict the source fails as a whole (InventoryManager then only warns): no host is loaded.
    strict = inventory_of(write(tmp_path, 'strict.yml', conflict % 'true'))
    assert strict.get_host('fine') is None


def test_strict_conflict_message_names_host_and_tags(tmp_path):
    from ansible.plugins.loader import inventory_loader
    path = write(tmp_path, 'strict.yml', """
plugin: fleetops.patch_manager.patch_groups
strict: true
nodes:
  both: {tags: {PatchGroup: A, "Patch Group": B}}
""")
    manager = InventoryManager(loader=DataLoader(), sources=[])
    plugin = inventory_loader.get('fleetops.patch_manager.patch_groups')
    with pytest.raises(AnsibleError) as err:
        plugin.parse(manager._inventory, DataLoader(), path, cache=False)
    assert 'host both: tags name different patch groups' in str(err.value)


@pytest.mark.parametrize('node, message', [
    ('both: {tag: {PatchGroup: A}}', 'nodes.both: unknown key tag (allowed: tags, vars, groups)'),
    ('both: {tags: [PatchGroup]}', 'nodes.both.tags: must be a mapping'),
    ('both: {vars: [1]}', 'nodes.both.vars: must be a mapping'),
    ('both: {groups: {a: 1}}', 'nodes.both.groups: must be a list of group names'),
])
def test_bad_fleet_file_names_the_field(tmp_path, node, message):
    from ansible.plugins.loader import inventory_loader
    path = write(tmp_path, 'bad.yml', 'plugin: fleetops.patch_manager.patch_groups\nnodes:\n  %s\n' % node)
    plugin = inventory_loader.get('fleetops.patch_manager.patch_groups')
    with pytest.raises(AnsibleError) as err:
        plugin.parse(InventoryManager(loader=DataLoader(), sources=[])._inventory, DataLoader(), path, cache=False)
    assert message in str(err.value)


def test_inventory_cache_serves_the_cached_fleet(tmp_path):
    from ansible.plugins.loader import inventory_loader
    cache_dir = tmp_path / 'cache'
    config = """
plugin: fleetops.patch_manager.patch_groups
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: %s
nodes:
  web1: {tags: {PatchGroup: %s}}
"""
    path = write(tmp_path, 'cached.yml', config % (cache_dir, 'First'))

    def parse(cache):
        manager = InventoryManager(loader=DataLoader(), sources=[])
        plugin = inventory_loader.get('fleetops.patch_manager.patch_groups')
        plugin.parse(manager._inventory, DataLoader(), path, cache=cache)
        plugin.update_cache_if_changed()
        return manager._inventory.get_host('web1').get_vars()['patch_group']

    assert parse(cache=False) == 'First'           # refresh: computes and stores
    write(tmp_path, 'cached.yml', config % (cache_dir, 'Second'))
    assert parse(cache=True) == 'First'            # served from the cache
    assert parse(cache=False) == 'Second'          # a refresh reads the source again
    assert os.listdir(str(cache_dir))


@pytest.mark.parametrize('tags, expected', [
    ({'Patch Group': 'Prod'}, [('Patch Group', 'Prod')]),
    ({'patch group': 'Prod'}, []),                               # keys are case-sensitive
    ({'PatchGroup': ['Prod']}, [('PatchGroup', 'Prod')]),
    ([{'Key': 'PatchGroup', 'Value': 'Prod'}, {'Key': 'Name', 'Value': 'x'}], [('PatchGroup', 'Prod')]),
    ({'PatchGroup': 7}, [('PatchGroup', '7')]),
    ({'PatchGroup': ''}, []),
    ('PatchGroup=Prod', []),
    (None, []),
])
def test_tag_values(tags, expected):
    assert tag_values(tags, KEYS) == expected


def test_tag_values_refuses_several_values():
    with pytest.raises(PatchGroupConflict):
        tag_values({'PatchGroup': ['A', 'B']}, KEYS)


@pytest.mark.parametrize('host_vars, expected', [
    ({'tags': {'PatchGroup': 'DEV', 'Patch Group': 'DEV'}}, 'DEV'),   # both keys, one group
    ({'tags': {}, 'ec2_tags': {'PatchGroup': 'DEV'}}, 'DEV'),
    ({'patch_group': 'Legacy'}, 'Legacy'),
    ({'tags': {'PatchGroup': 'New'}, 'patch_group': 'Legacy'}, 'New'),
    ({}, None),
])
def test_patch_group_for(host_vars, expected):
    assert patch_group_for(host_vars, ['tags', 'ec2_tags'], KEYS) == expected


@pytest.mark.parametrize('host_vars, message', [
    ({'tags': {'PatchGroup': 'A'}, 'ec2_tags': {'PatchGroup': 'B'}}, 'different patch groups'),
    ({'tags': {'PatchGroup': 'a|b'}}, "'|' is not allowed"),
])
def test_patch_group_for_refuses_ambiguous_or_invalid_groups(host_vars, message):
    with pytest.raises(PatchGroupConflict) as err:
        patch_group_for(host_vars, ['tags', 'ec2_tags'], KEYS)
    assert message in str(err.value)


def test_tag_values_are_data_never_templates(tmp_path):
    marker = tmp_path / 'templated'
    fleet = """
plugin: fleetops.patch_manager.patch_groups
nodes:
  web1:
    tags: {"Patch Group": Production, Environment: "{{ lookup('pipe', 'touch %s') }}"}
keyed_groups:
  - key: fleet_tags.Environment
    prefix: env
compose:
  environment: fleet_tags.Environment
  group_copy: patch_group
""" % marker
    inventory = inventory_of(write(tmp_path, 'fleet.yml', fleet))
    host_vars = inventory.get_host('web1').get_vars()
    assert not marker.exists()
    assert str(host_vars['environment']) == "{{ lookup('pipe', 'touch %s') }}" % marker
    assert str(host_vars['group_copy']) == 'Production'
