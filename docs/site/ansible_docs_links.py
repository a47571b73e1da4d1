# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sphinx extension: links to the Ansible documentation without its intersphinx inventory.

The pages antsibull-docs writes refer to labels of the Ansible docsite (other collections'
plugins, ansible-core's configuration settings and plugin pages). Sphinx resolves them
through intersphinx, which downloads docs.ansible.com's objects.inv; our site is built
offline. This extension resolves exactly those references to their docs.ansible.com page
instead (docs/site/build.sh appends a call of make_offline to conf.py). A reference it does
not know stays unresolved, so Sphinx still warns (and the build fails under -W) for a broken
reference of our own.
"""

from __future__ import annotations

import re

from docutils import nodes

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/latest/'
OWN_COLLECTION = 'fleetops.patch_manager'

# antsibull-docs' label for a plugin page: ansible_collections.<namespace>.<name>.<plugin>_<type>
PLUGIN_LABEL = re.compile(r'^ansible_collections\.([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)_([a-z]+)$')
# Plugin kinds whose pages antsibull-docs labels this way (roles end in _role).
PLUGIN_KINDS = frozenset((
    'become', 'cache', 'callback', 'cliconf', 'connection', 'filter', 'httpapi', 'inventory', 'keyword',
    'lookup', 'module', 'netconf', 'role', 'shell', 'strategy', 'test', 'vars',
))
# Pages of the Ansible docsite that ansible-core's and antsibull-docs' texts refer to.
DOCSITE_LABELS = {
    'ansible_configuration_settings': ('Ansible Configuration Settings', 'reference_appendices/config.html'),
    'common_return_values': ('Return Values', 'reference_appendices/common_return_values.html'),
    'action_plugins': ('Action plugins', 'plugins/action.html'),
    'callback_plugins': ('Callback plugins', 'plugins/callback.html'),
    'inventory_plugins': ('Inventory plugins', 'plugins/inventory.html'),
    'filter_plugins': ('Filter plugins', 'plugins/filter.html'),
    'lookup_plugins': ('Lookup plugins', 'plugins/lookup.html'),
    'playbooks_filters': ('Using filters to manipulate data', 'playbook_guide/playbooks_filters.html'),
}


def ansible_docs_target(reftype, target):
    """The (title, URL) on docs.ansible.com for a reference Sphinx could not resolve, or None."""
    if reftype == 'envvar':
        if target.startswith('ANSIBLE_'):
            return target, ANSIBLE_DOCS + 'reference_appendices/config.html#envvar-' + target
        return None
    if reftype != 'ref':
        return None
    match = PLUGIN_LABEL.match(target)
    if match:
        namespace, name, plugin, kind = match.groups()
        if '%s.%s' % (namespace, name) == OWN_COLLECTION or kind not in PLUGIN_KINDS:
            return None
        page = 'collections/%s/%s/%s_%s.html' % (namespace, name, plugin, kind)
        return '%s.%s.%s' % (namespace, name, plugin), ANSIBLE_DOCS + page
    if target in DOCSITE_LABELS:
        title, page = DOCSITE_LABELS[target]
        return title, ANSIBLE_DOCS + page
    return None


def resolve_ansible_reference(app, env, node, contnode):
    found = ansible_docs_target(node.get('reftype'), node.get('reftarget', ''))
    if found is None:
        return None
    title, url = found
    label = contnode if node.get('refexplicit') or node.get('reftype') == 'envvar' else nodes.inline(title, title)
    reference = nodes.reference('', '', internal=False, refuri=url, reftitle=url)
    reference += label
    return reference


def make_offline(conf):
    """Adjust the namespace of the conf.py that `antsibull-docs sphinx-init` writes for an offline
    build: no intersphinx inventory downloads, this extension links to the Ansible docs instead."""
    conf['extensions'] = [name for name in conf['extensions'] if name != 'sphinx.ext.intersphinx'] + [__name__]
    conf['intersphinx_mapping'] = {}


def setup(app):
    app.connect('missing-reference', resolve_ansible_reference)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
