# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: patch_groups
short_description: Patch groups from host tags, for a fleet file or beside cloud inventories
version_added: 1.0.0
author:
  - fleetops.patch_manager contributors (@fleetops)
description:
  - Puts every host whose tags carry a patch group in the group C(patch_group_<value>) (the value made
    safe for a group name) and sets the host variable C(patch_group) to the raw value, as AWS Systems
    Manager does with the tag keys C(Patch Group) and C(PatchGroup). Both keys form the same group.
  - "Two ways to use it, in one inventory source file whose C(plugin) is C(fleetops.patch_manager.patch_groups):"
  - A B(fleet file) lists on-premises or hybrid hosts under O(nodes) with their tags and connection variables.
  - B(Layered) on hosts that other inventory sources already loaded (P(amazon.aws.aws_ec2#inventory), Azure, GCP, VMware
    inventories, static files), reading the tag variables named in O(tag_variables). Put this source after
    the others (Ansible reads the sources of a directory in alphabetical order, and C(-i) sources in order).
  - Hosts without a patch group tag keep an existing C(patch_group) variable (for example from C(host_vars)),
    which then also places them in C(patch_group_<value>).
  - Supports O(compose), O(groups), O(keyed_groups) and O(strict) like the P(ansible.builtin.constructed#inventory)
    plugin, and inventory caching.
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it makes the file an inventory source of this plugin.
    required: true
    type: str
    choices: [fleetops.patch_manager.patch_groups]
  nodes:
    description:
      - The hosts of a fleet file, by inventory hostname.
      - "Each entry may have C(tags) (a mapping of tag key to value), C(vars) (host variables such as
        C(ansible_host) and C(ansible_user)) and C(groups) (extra groups for the host)."
      - The tags are also set as the host variable C(fleet_tags) (C(tags) is a reserved name in Ansible).
    type: dict
    default: {}
  include_existing_hosts:
    description:
      - Also give patch groups to the hosts that earlier inventory sources loaded.
    type: bool
    default: true
  tag_variables:
    description:
      - Host variables that hold tags, in the order they are searched.
      - A variable may hold a mapping (C(tags) of P(amazon.aws.aws_ec2#inventory) and Azure, C(labels) of GCP,
        C(categories) of VMware, where a value may be a one-element list), or a list of C(Key)/C(Value)
        dictionaries as the AWS API returns tags.
    type: list
    elements: str
    default: [tags, ec2_tags, labels, categories]
  tag_keys:
    description:
      - Tag keys that name the patch group, exact and case-sensitive.
      - The default is the two keys AWS reads. GCP labels allow only lower-case keys without spaces; add
        for example C(patchgroup) for them.
    type: list
    elements: str
    default: [Patch Group, PatchGroup]
notes:
  - A host belongs to at most one patch group. When its tags name two different patch groups the host is
    left out of every patch group with a warning, or the inventory fails with O(strict=true).
  - A value that AWS would not accept as a patch group name (1 to 256 letters, numbers, spaces and
    C(_.:/=+-@)) is treated the same way.
seealso:
  - name: AWS Systems Manager patch groups
    description: How AWS names patch groups with tags.
    link: https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-patch-groups.html
"""

EXAMPLES = r"""
# The first block is a fleet file to copy as it is. The others are inventory source files of
# their own, shown commented out because one example holds one YAML document.

# fleet.yml - an on-premises fleet file: hosts, tags and connection variables in one place.
plugin: fleetops.patch_manager.patch_groups
nodes:
  web1:
    tags: {"Patch Group": Production, Environment: prod}
    vars: {ansible_host: 192.0.2.10, ansible_user: admin}
  db1:
    tags: {PatchGroup: Production}
    vars: {ansible_host: 192.0.2.11}
  build1:
    tags: {PatchGroup: Staging}
    groups: [builders]
keyed_groups:
  - key: fleet_tags.Environment | default('none')
    prefix: env

# zz_patch_groups.yml - beside amazon.aws.aws_ec2 (the aws_ec2 source sorts first in the directory).
# EC2 instances with tags in instance metadata must use the key PatchGroup (no spaces).
#   plugin: fleetops.patch_manager.patch_groups
#   tag_variables: [tags]
#   compose:
#     ansible_host: private_ip_address

# zz_patch_groups.yml - beside azure.azcollection.azure_rm, which sets the host variable tags.
#   plugin: fleetops.patch_manager.patch_groups
#   tag_variables: [tags]
#   groups:
#     production_patching: patch_group | default('') == 'Production'

# zz_patch_groups.yml - beside google.cloud.gcp_compute: GCP label keys are lower case without spaces.
#   plugin: fleetops.patch_manager.patch_groups
#   tag_variables: [labels]
#   tag_keys: [patchgroup, patch-group]

# zz_patch_groups.yml - beside community.vmware.vmware_vm_inventory with with_tags: true; a vSphere tag
# category named PatchGroup holds one tag per VM, e.g. Production.
#   plugin: fleetops.patch_manager.patch_groups
#   tag_variables: [categories]
#   strict: true

# Cache the result like the constructed plugins do (requires a cache plugin).
#   plugin: fleetops.patch_manager.patch_groups
#   cache: true
#   cache_plugin: ansible.builtin.jsonfile
#   cache_connection: ~/.cache/ansible-inventory
#   cache_timeout: 3600
#   nodes:
#     web1:
#       tags: {"Patch Group": Production}
"""

import os

from ansible import constants as C
from ansible.errors import AnsibleParserError
from ansible.inventory.helpers import get_group_vars
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.vars import combine_vars

from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._fleet import group_name_for
from ansible_collections.fleetops.patch_manager.plugins.module_utils._validation import patch_group_problem

HOST_VAR = 'patch_group'
NODE_KEYS = ('tags', 'vars', 'groups')
FLEET_TAGS_VAR = 'fleet_tags'


class PatchGroupConflict(Exception):
    """A host's tags do not name exactly one valid patch group."""


def tag_values(tags, tag_keys):
    """Patch group values found in one tag variable, as ``[(key, value)]``.

    ``tags`` is a mapping (a value may be a one-element list, as VMware categories are) or a
    list of ``{Key, Value}`` dictionaries (the AWS API form, any key case).
    """
    found = []
    if isinstance(tags, dict):
        items = tags.items()
    elif isinstance(tags, list):
        items = []
        for entry in tags:
            if isinstance(entry, dict):
                key = entry.get('Key', entry.get('key'))
                items.append((key, entry.get('Value', entry.get('value'))))
    else:
        return found
    for key, value in items:
        if key not in tag_keys:
            continue
        if isinstance(value, (list, tuple)):
            values = [item for item in value if item not in (None, '')]
            if len(values) != 1:
                raise PatchGroupConflict('tag %r holds %d values %r; a host belongs to at most one patch group'
                                         % (key, len(values), list(values)))
            value = values[0]
        if value is None or value == '':
            continue
        found.append((key, value if isinstance(value, str) else str(value)))
    return found


def patch_group_for(host_vars, tag_variables, tag_keys):
    """The host's patch group, or None; raises PatchGroupConflict when it is ambiguous or invalid."""
    found = []
    for variable in tag_variables:
        for key, value in tag_values(host_vars.get(variable), tag_keys):
            found.append(('%s[%r]' % (variable, key), value))
    if not found:
        existing = host_vars.get(HOST_VAR)
        if existing in (None, ''):
            return None
        found = [(HOST_VAR, str(existing))]
    values = sorted(set(value for dummy, value in found))
    if len(values) > 1:
        raise PatchGroupConflict('tags name different patch groups (%s); a host belongs to at most one patch group'
                                 % ', '.join('%s=%r' % pair for pair in found))
    problem = patch_group_problem(values[0])
    if problem:
        raise PatchGroupConflict('%s: %s' % (found[0][0], problem))
    return values[0]


def validate_nodes(nodes):
    """Check the fleet file's ``nodes`` and return them as plain dicts; errors name the node and field."""
    if nodes is None:
        return {}
    if not isinstance(nodes, dict):
        raise AnsibleParserError('nodes: must be a mapping of host name to {tags, vars, groups}')
    checked = {}
    for name, node in nodes.items():
        where = 'nodes.%s' % name
        node = {} if node is None else node
        if not isinstance(node, dict):
            raise AnsibleParserError('%s: must be a mapping with the keys %s' % (where, ', '.join(NODE_KEYS)))
        unknown = sorted(str(key) for key in node if key not in NODE_KEYS)
        if unknown:
            raise AnsibleParserError('%s: unknown key %s (allowed: %s)' % (where, ', '.join(unknown), ', '.join(NODE_KEYS)))
        tags = node.get('tags') or {}
        host_vars = node.get('vars') or {}
        groups = node.get('groups') or []
        if not isinstance(tags, dict):
            raise AnsibleParserError('%s.tags: must be a mapping of tag key to value' % where)
        if not isinstance(host_vars, dict):
            raise AnsibleParserError('%s.vars: must be a mapping of variable name to value' % where)
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
            raise AnsibleParserError('%s.groups: must be a list of group names' % where)
        checked[str(name)] = {'tags': dict(tags), 'vars': dict(host_vars), 'groups': list(groups)}
    return checked


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'fleetops.patch_manager.patch_groups'

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        extension = os.path.splitext(path)[1]
        return not extension or extension in ['.config'] + C.YAML_FILENAME_EXTENSIONS

    def _all_host_vars(self, host):
        return combine_vars(get_group_vars(host.get_groups()), host.get_vars())

    def _existing_patch_groups(self, skip):
        """{host: patch group or None} for the hosts earlier sources loaded (warnings for conflicts)."""
        tag_variables = self.get_option('tag_variables')
        tag_keys = self.get_option('tag_keys')
        found = {}
        for name, host in self.inventory.hosts.items():
            if name in skip:
                continue
            found[name] = self._checked_patch_group(name, self._all_host_vars(host), tag_variables, tag_keys)
        return found

    def _checked_patch_group(self, name, host_vars, tag_variables, tag_keys):
        try:
            return patch_group_for(host_vars, tag_variables, tag_keys)
        except PatchGroupConflict as exc:
            message = 'host %s: %s' % (name, exc)
            if self.get_option('strict'):
                raise AnsibleParserError(message)
            self.display.warning('%s. The host is left out of every patch group.' % message)
            return None

    def _compute(self, nodes):
        """The cacheable result: nodes with their patch groups, and the existing hosts' patch groups."""
        tag_keys = self.get_option('tag_keys')
        result = {'nodes': {}, 'existing': {}}
        for name, node in nodes.items():
            host_vars = dict(node['vars'], tags=node['tags'])
            patch_group = self._checked_patch_group(name, host_vars, ['tags'], tag_keys)
            result['nodes'][name] = dict(node, patch_group=patch_group)
        if self.get_option('include_existing_hosts'):
            result['existing'] = self._existing_patch_groups(skip=set(nodes))
        return result

    def _assign(self, name, patch_group):
        if patch_group is None:
            return
        # Tag values are data, never templates (a tag could be set by anyone who can tag a machine).
        self.inventory.set_variable(name, HOST_VAR, wrap_var(patch_group))
        group = self.inventory.add_group(group_name_for(patch_group))
        self.inventory.add_child(group, name)

    def _populate(self, result):
        for name, node in result['nodes'].items():
            self.inventory.add_host(name)
            for group in node['groups']:
                self.inventory.add_child(self.inventory.add_group(self._sanitize_group_name(group)), name)
            for key, value in node['vars'].items():
                self.inventory.set_variable(name, key, value)
            self.inventory.set_variable(name, FLEET_TAGS_VAR, wrap_var(node['tags']))
            self._assign(name, node['patch_group'])
        for name, patch_group in result['existing'].items():
            if name in self.inventory.hosts:
                self._assign(name, patch_group)
        strict = self.get_option('strict')
        for name in list(result['nodes']) + list(result['existing']):
            if name not in self.inventory.hosts:
                continue
            host_vars = self._all_host_vars(self.inventory.hosts[name])
            self._set_composite_vars(self.get_option('compose'), host_vars, name, strict=strict)
            host_vars = self._all_host_vars(self.inventory.hosts[name])
            self._add_host_to_composed_groups(self.get_option('groups'), host_vars, name, strict=strict, fetch_hostvars=False)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, name, strict=strict, fetch_hostvars=False)

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        nodes = validate_nodes(self.get_option('nodes'))

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        result = None
        if use_cache:
            try:
                result = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if result is None:
            result = self._compute(nodes)
        if update_cache:
            self._cache[cache_key] = result
        self._populate(result)
