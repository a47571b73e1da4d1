# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""patch_compliance_info: answer a query from the compliance store, on the controller, without a host connection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.patch_manager.plugins.modules.patch_compliance_info import REQUIRED_IF, argument_spec
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query

# The options each query reads; any other option given is a mistake worth naming.
QUERY_OPTIONS = {
    'instance_patch_states': ('patch_group', 'without_patch_group', 'instances', 'filters', 'not_reported_within'),
    'patch_group_state': ('patch_group',),
    'instance_patches': ('instances', 'filters'),
    'history': ('instances', 'limit'),
    'cve_exposure': ('cve_ids',),
    'window_executions': ('window', 'limit'),
}
COMMON_OPTIONS = ('query', 'store')


def misplaced_option(params):
    """The first option that ``params['query']`` does not read, with the queries that do; else None."""
    query = params['query']
    for option, value in sorted(params.items()):
        if option in COMMON_OPTIONS or value in (None, False) or option in QUERY_OPTIONS[query]:
            continue
        readers = [name for name, options in QUERY_OPTIONS.items() if option in options]
        return '%s: applies only to query=%s, not to query=%s' % (option, ' or query='.join(readers), query)
    return None


def answer(store, params):
    """The result fields of one query."""
    query = params['query']
    if query == 'instance_patch_states':
        items, unknown = _store_query.instance_patch_states(
            store, patch_group=params['patch_group'], instances=params['instances'], filters=params['filters'],
            without_patch_group=params['without_patch_group'], not_reported_within=params['not_reported_within'])
        result = {'items': items}
        if params['instances'] is not None:
            result['instances_without_state'] = unknown
        return result
    if query == 'patch_group_state':
        return {'state': _store_query.patch_group_state(store, params['patch_group'])}
    if query == 'instance_patches':
        return {'items': _store_query.instance_patches(store, instances=params['instances'], filters=params['filters'])}
    if query == 'history':
        return {'items': _store_query.history(store, instances=params['instances'], limit=params['limit'])}
    if query == 'cve_exposure':
        return {'items': _store_query.cve_exposure(store, cve_ids=params['cve_ids'])}
    return {'items': _store_query.window_executions(store, window=params['window'], limit=params['limit'])}


def validate(params):
    """Every option check that needs no store: raises StoreError naming the option."""
    problem = misplaced_option(params)
    if problem:
        raise _store.StoreError(problem)
    if params['query'] == 'instance_patch_states':
        _store_query.state_filters(params['filters'])
        if params['not_reported_within']:
            _store.parse_age(params['not_reported_within'])
    elif params['query'] == 'instance_patches':
        _store_query.patch_filters(params['filters'])
    elif params['query'] == 'cve_exposure':
        _store_query.cve_ids_option(params['cve_ids'])


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, params = self.validate_argument_spec(argument_spec=argument_spec(), required_if=REQUIRED_IF)
        url = params['store'] or _store.store_url(task_vars)
        result['changed'] = False
        result['store'] = _store.display_url(url)
        try:
            validate(params)
            with _store.open_store(url, create=False) as store:
                result.update(answer(store, params))
        except _store.StoreError as exc:
            result.update(failed=True, msg=str(exc))
        return result
