# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Queries over the compliance store, in the shapes of the AWS Describe* answers (snake_case).

Every function takes an open ``_store.Store`` and validated-or-raw options; bad options raise
``StoreError`` naming the option path and the allowed values before the store is read. SQL is
built only from the column names listed here; every value travels as a parameter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_schema as schema
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._store import StoreError

QUERIES = ('instance_patch_states', 'patch_group_state', 'instance_patches', 'history', 'cve_exposure',
           'window_executions')
FILTER_TYPES = ('Equal', 'NotEqual', 'LessThan', 'GreaterThan')
PATCH_STATES = ('INSTALLED', 'INSTALLED_OTHER', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED', 'MISSING', 'FAILED')
# What an instance item carries besides the instance_patch_state fields.
INSTANCE_EXTRAS = ('reported_time', 'last_operation_status', 'last_operation_time', 'last_operation_message',
                   'patch_count')
INSTANCE_COLUMNS = ('instance_id',) + schema.STATE_FIELDS + INSTANCE_EXTRAS
# Fields an instance_patch_states filter may name (snake_case, or the AWS PascalCase of the same name).
STATE_FILTER_FIELDS = ('instance_id',) + schema.STATE_FIELDS + ('reported_time', 'last_operation_status',
                                                                'last_operation_time')
ORDERED_FIELDS = schema.COUNTERS + tuple(field for field in STATE_FILTER_FIELDS if field.endswith('_time'))
PATCH_FILTER_FIELDS = ('state', 'classification', 'severity', 'kb_id')
# DescribePatchGroupState: which counter makes an instance count in which field.
GROUP_STATE_FIELDS = (
    ('instances_with_installed_patches', 'installed_count'),
    ('instances_with_installed_other_patches', 'installed_other_count'),
    ('instances_with_installed_pending_reboot_patches', 'installed_pending_reboot_count'),
    ('instances_with_installed_rejected_patches', 'installed_rejected_count'),
    ('instances_with_missing_patches', 'missing_count'),
    ('instances_with_failed_patches', 'failed_count'),
    ('instances_with_not_applicable_patches', 'not_applicable_count'),
    ('instances_with_unreported_not_applicable_patches', 'unreported_not_applicable_count'),
    ('instances_with_critical_non_compliant_patches', 'critical_non_compliant_count'),
    ('instances_with_security_non_compliant_patches', 'security_non_compliant_count'),
    ('instances_with_other_non_compliant_patches', 'other_non_compliant_count'),
)
CVE_PATTERN = re.compile(r'^CVE-\d{4}-\d{4,}$')
DEFAULT_HISTORY_LIMIT = 50
# Longer host lists (an inventory's ``groups['all']``) are matched after the read, not as SQL parameters
# (SQLite and PostgreSQL cap the parameters of one statement).
MAX_SQL_NAMES = 500
CVE_HOST_FIELDS = ('instance_id', 'patch_group', 'kb_id', 'state', 'severity', 'classification', 'compliance_level')


def pascal(field):
    """instance_id -> InstanceId, installed_other_count -> InstalledOtherCount (the AWS spelling)."""
    return ''.join(part.capitalize() for part in field.split('_'))


def _field(name, allowed, path):
    spelled = dict((pascal(field), field) for field in allowed)
    if name in allowed:
        return name
    if name in spelled:
        return spelled[name]
    raise StoreError('%s: %r is not one of %s' % (path, name, ', '.join(pascal(field) for field in allowed)))


def _values(entry, path):
    values = entry.get('Values', entry.get('values'))
    if isinstance(values, (str, int)):
        values = [values]
    if not isinstance(values, list) or not values:
        raise StoreError('%s.Values: a non-empty list of values is required' % path)
    return list(values)


def _filter_entries(filters, option='filters'):
    if filters in (None, ''):
        return []
    if not isinstance(filters, list):
        raise StoreError('%s: a list of {Key, Values, Type} dicts is required' % option)
    for index, entry in enumerate(filters):
        if not isinstance(entry, dict):
            raise StoreError('%s[%d]: a dict with Key, Values and Type is required' % (option, index))
        unknown = set(entry) - set(('Key', 'Values', 'Type', 'key', 'values', 'type'))
        if unknown:
            raise StoreError('%s[%d]: unknown key(s) %s; a filter has Key, Values and Type'
                             % (option, index, ', '.join(sorted(unknown))))
    return filters


def state_filters(filters):
    """AWS InstancePatchStateFilter list -> [(column, type, values)], validated."""
    checked = []
    for index, entry in enumerate(_filter_entries(filters)):
        path = 'filters[%d]' % index
        key = entry.get('Key', entry.get('key'))
        column = _field(key, STATE_FILTER_FIELDS, path + '.Key')
        kind = entry.get('Type', entry.get('type', 'Equal'))
        if kind not in FILTER_TYPES:
            raise StoreError('%s.Type: %r is not one of %s' % (path, kind, ', '.join(FILTER_TYPES)))
        values = _values(entry, path)
        if kind in ('LessThan', 'GreaterThan'):
            if column not in ORDERED_FIELDS:
                raise StoreError('%s.Type: %s applies only to counts and times (%s), not to %s'
                                 % (path, kind, ', '.join(pascal(field) for field in ORDERED_FIELDS), pascal(column)))
            if len(values) != 1:
                raise StoreError('%s.Values: %s takes exactly one value, got %d' % (path, kind, len(values)))
        converted = []
        for position, value in enumerate(values):
            if column in schema.COUNTERS:
                try:
                    value = int(str(value).strip())
                except ValueError:
                    raise StoreError('%s.Values[%d]: %r is not an integer (%s is a count)'
                                     % (path, position, value, pascal(column)))
            elif column.endswith('_time'):
                try:
                    value = _store.format_time(_store.parse_time(value))
                except (TypeError, ValueError, AttributeError):
                    raise StoreError('%s.Values[%d]: %r is not an ISO 8601 time' % (path, position, value))
            else:
                value = '' if value is None else str(value)
            converted.append(value)
        checked.append((column, kind, converted))
    return checked


def patch_filters(filters):
    """DescribeInstancePatches filters (State, Classification, Severity, KBId) -> [(field, type, values)]."""
    checked = []
    for index, entry in enumerate(_filter_entries(filters)):
        path = 'filters[%d]' % index
        spelled = {'KBId': 'kb_id', 'KbId': 'kb_id'}
        key = entry.get('Key', entry.get('key'))
        field = spelled.get(key) or _field(key, PATCH_FILTER_FIELDS, path + '.Key')
        kind = entry.get('Type', entry.get('type', 'Equal'))
        if kind not in ('Equal', 'NotEqual'):
            raise StoreError('%s.Type: %r is not one of Equal, NotEqual' % (path, kind))
        values = [str(value) for value in _values(entry, path)]
        if field == 'state':
            for position, value in enumerate(values):
                if value not in PATCH_STATES:
                    raise StoreError('%s.Values[%d]: %r is not one of %s'
                                     % (path, position, value, ', '.join(PATCH_STATES)))
        checked.append((field, kind, values))
    return checked


def _instances(instances, option='instances'):
    if instances in (None, ''):
        return None
    if isinstance(instances, str):
        instances = [instances]
    if not isinstance(instances, list) or not all(isinstance(item, str) and item for item in instances):
        raise StoreError('%s: a list of inventory host names is required' % option)
    return sorted(set(instances))


def _names_in_sql(names):
    return names is not None and len(names) <= MAX_SQL_NAMES


def _keep_names(rows, names):
    if names is None or len(names) <= MAX_SQL_NAMES:
        return rows
    wanted = set(names)
    return [row for row in rows if row['instance_id'] in wanted]


def _in(store, column, values, params):
    params.extend(values)
    return '%s IN (%s)' % (column, ', '.join('?' * len(values)))


def _condition(store, column, kind, values, params):
    if kind == 'Equal':
        return _in(store, column, values, params)
    if kind == 'NotEqual':
        return '(%s IS NULL OR NOT %s)' % (column, _in(store, column, values, params))
    params.append(values[0])
    return '%s %s ?' % (column, '<' if kind == 'LessThan' else '>')


def _instance_item(row):
    item = dict((column, row[column]) for column in INSTANCE_COLUMNS)
    if item['reported_time'] is None:
        # Only failed runs so far: no state, so no counts either.
        for field in schema.COUNTERS:
            item[field] = None
    return item


def instance_patch_states(store, patch_group=None, instances=None, filters=None, without_patch_group=False,
                          not_reported_within=None, now=None):
    """DescribeInstancePatchStates(ForPatchGroup) -> ``(items, instances_without_state)``.

    Every host the store knows, also hosts whose runs all failed (their counts are None).
    ``not_reported_within`` keeps the hosts whose latest state is older than that age (or that have none).
    ``instances_without_state`` lists the asked ``instances`` the store has never heard of.
    """
    checked = state_filters(filters)
    names = _instances(instances)
    cutoff = None
    if not_reported_within not in (None, ''):
        cutoff = _store.format_time((now or _store.utc_now()) - _store.parse_age(not_reported_within))
    if patch_group not in (None, '') and without_patch_group:
        raise StoreError('without_patch_group: cannot be combined with patch_group %r' % patch_group)
    params = []
    where = []
    if patch_group not in (None, ''):
        where.append(_in(store, 'patch_group', [str(patch_group)], params))
    if without_patch_group:
        where.append("patch_group = ''")
    if _names_in_sql(names):
        where.append(_in(store, 'instance_id', names, params))
    for column, kind, values in checked:
        where.append(_condition(store, column, kind, values, params))
    if cutoff is not None:
        where.append('(operation_end_time IS NULL OR reported_time IS NULL OR operation_end_time < ?)')
        params.append(cutoff)
    statement = 'SELECT %s FROM patch_instances%s ORDER BY instance_id' % (
        ', '.join(INSTANCE_COLUMNS), (' WHERE ' + ' AND '.join(where)) if where else '')
    items = [_instance_item(row) for row in _keep_names(store.rows(statement, params), names)]
    unknown = []
    if names is not None:
        known = set(row['instance_id'] for row in store.rows('SELECT instance_id FROM patch_instances'))
        unknown = [name for name in names if name not in known]
    return items, unknown


def patch_group_state(store, patch_group):
    """DescribePatchGroupState for ``patch_group`` over the hosts with a stored state."""
    if patch_group in (None, ''):
        raise StoreError('patch_group: required for query=patch_group_state')
    parts = ['COUNT(*) AS instances']
    for name, counter in GROUP_STATE_FIELDS:
        parts.append('COALESCE(SUM(CASE WHEN %s > 0 THEN 1 ELSE 0 END), 0) AS %s' % (counter, name))
    row = store.rows('SELECT %s FROM patch_instances WHERE patch_group = ? AND reported_time IS NOT NULL'
                     % ', '.join(parts), [str(patch_group)])[0]
    state = dict((key, int(value or 0)) for key, value in row.items())
    # Windows only in AWS; no Linux node reports available security updates.
    state['instances_with_available_security_updates'] = 0
    return state


def _patch_item(instance_id, patch):
    item = dict((column, patch.get(column)) for column in schema.PATCH_COLUMNS)
    item['instance_id'] = instance_id
    item['cve_ids'] = _store._as_list(item['cve_ids'])  # pylint: disable=protected-access
    item['advisory_ids'] = _store._as_list(item['advisory_ids'])  # pylint: disable=protected-access
    return item


def _patch_matches(patch, checked):
    for field, kind, values in checked:
        value = patch.get(field)
        value = '' if value is None else str(value)
        if (value in values) != (kind == 'Equal'):
            return False
    return True


def instance_patches(store, instances=None, filters=None):
    """DescribeInstancePatches for ``instances`` (every host when omitted) -> items keyed by instance_id.

    When the State filter asks only for non-compliant states the rows answer; otherwise the hosts'
    full lists are decoded (every host's list when ``instances`` is omitted: heavy on a large fleet).
    """
    checked = patch_filters(filters)
    names = _instances(instances)
    states = None
    for field, kind, values in checked:
        if field == 'state' and kind == 'Equal':
            states = set(values) if states is None else states & set(values)
    params = []
    where = []
    if _names_in_sql(names):
        where.append(_in(store, 'instance_id', names, params))
    items = []
    if states is not None and states <= set(_store.NON_COMPLIANT_STATES):
        where.append(_in(store, 'state', sorted(states), params))
        statement = 'SELECT instance_id, %s FROM patch_noncompliant%s ORDER BY instance_id, kb_id' % (
            ', '.join(schema.PATCH_COLUMNS), (' WHERE ' + ' AND '.join(where)) if where else '')
        for row in _keep_names(store.rows(statement, params), names):
            item = _patch_item(row['instance_id'], row)
            if _patch_matches(item, checked):
                items.append(item)
        return items
    where.append('reported_time IS NOT NULL')
    statement = 'SELECT instance_id, patches FROM patch_instances WHERE %s ORDER BY instance_id' % ' AND '.join(where)
    wanted = None if _names_in_sql(names) or names is None else set(names)
    for row in store.rows(statement, params):
        if wanted is not None and row['instance_id'] not in wanted:
            continue
        patches = sorted(_store.decode_patches(row['patches']), key=lambda patch: str(patch.get('kb_id')))
        for patch in patches:
            if _patch_matches(patch, checked):
                items.append(_patch_item(row['instance_id'], patch))
    return items


HISTORY_COLUMNS = ('operation_id', 'instance_id', 'recorded_time', 'status', 'message', 'has_state') + \
    schema.STATE_FIELDS + ('details',)


def history(store, instances=None, limit=None):
    """The operations of ``instances`` (every host when omitted), newest first, at most ``limit`` per host."""
    names = _instances(instances)
    limit = DEFAULT_HISTORY_LIMIT if limit in (None, '') else limit
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= _store.HISTORY_LIMIT:
        raise StoreError('limit: %r is outside 1..%d (the store keeps the last %d operations of a host)'
                         % (limit, _store.HISTORY_LIMIT, _store.HISTORY_LIMIT))
    params = []
    where = ''
    if _names_in_sql(names):
        where = ' WHERE ' + _in(store, 'instance_id', names, params)
    params.append(limit)
    statement = ('SELECT %s FROM (SELECT %s, ROW_NUMBER() OVER (PARTITION BY instance_id ORDER BY operation_id DESC) '
                 'AS position FROM patch_operations%s) AS numbered WHERE position <= ? '
                 'ORDER BY recorded_time DESC, operation_id DESC'
                 % (', '.join(HISTORY_COLUMNS), ', '.join(HISTORY_COLUMNS), where))
    items = []
    for row in _keep_names(store.rows(statement, params), names):
        item = dict(row)
        has_state = bool(item.pop('has_state'))
        item.pop('operation_id')
        if not has_state:
            for field in schema.COUNTERS:
                item[field] = None
        item['details'] = json.loads(item['details'] or '{}')
        items.append(item)
    return items


def cve_ids_option(cve_ids):
    if cve_ids in (None, ''):
        return None
    if isinstance(cve_ids, str):
        cve_ids = [cve_ids]
    if not isinstance(cve_ids, list):
        raise StoreError('cve_ids: a list of CVE identifiers (CVE-YYYY-NNNN) is required')
    checked = []
    for index, value in enumerate(cve_ids):
        text = str(value).strip().upper()
        if not CVE_PATTERN.match(text):
            raise StoreError('cve_ids[%d]: %r is not a CVE identifier (CVE-YYYY-NNNN)' % (index, value))
        checked.append(text)
    return sorted(set(checked))


def cve_exposure(store, cve_ids=None):
    """CVE -> the hosts where a patch that fixes it is MISSING or FAILED, most exposed CVE first.

    Each item: ``cve_id``, ``instance_count`` and ``instances`` (``instance_id``, ``patch_group``, ``kb_id``,
    ``state``, ``severity``, ``classification``, ``compliance_level``). An asked CVE with no exposure
    is answered with ``instance_count`` 0.
    """
    wanted = cve_ids_option(cve_ids)
    params = []
    where = ''
    if wanted is not None:
        where = ' WHERE ' + _in(store, 'c.cve_id', wanted, params)
    statement = ('SELECT c.cve_id, c.instance_id, c.kb_id, c.state, i.patch_group, n.severity, n.classification, '
                 'n.compliance_level FROM patch_cves c JOIN patch_instances i ON i.instance_id = c.instance_id '
                 'LEFT JOIN patch_noncompliant n ON n.instance_id = c.instance_id AND n.kb_id = c.kb_id%s '
                 'ORDER BY c.cve_id, c.instance_id, c.kb_id' % where)
    exposure = dict((cve, []) for cve in (wanted or []))
    for row in store.rows(statement, params):
        entry = exposure.setdefault(row['cve_id'], [])
        entry.append(dict((key, row[key]) for key in CVE_HOST_FIELDS))
    items = []
    for cve, hosts in exposure.items():
        items.append({'cve_id': cve, 'instance_count': len(set(host['instance_id'] for host in hosts)),
                      'instances': hosts})
    items.sort(key=lambda item: (-item['instance_count'], item['cve_id']))
    return items


def window_executions(store, window=None, limit=None):
    """The kept ``patch_window_execution`` records of ``window`` (all windows when omitted), newest first."""
    params = []
    where = ''
    if window not in (None, ''):
        where = ' WHERE window_name = ?'
        params.append(str(window))
    if limit not in (None, ''):
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise StoreError('limit: %r is not a positive integer' % (limit,))
    statement = ('SELECT record, recorded_time FROM patch_window_executions%s '
                 'ORDER BY start_time DESC, recorded_time DESC, window_execution_id' % where)
    items = []
    for row in store.rows(statement, params):
        record = json.loads(row['record'])
        record['recorded_time'] = row['recorded_time']
        items.append(record)
    return items[:limit] if limit else items


# ---------------------------------------------------------------------------------------------
# Fleet views for reports and summaries


def _empty_totals():
    totals = {'instances': 0, 'compliant': 0, 'non_compliant': 0, 'unreported': 0, 'last_operation_failed': 0}
    for field in schema.COUNTERS:
        totals[field] = 0
    return totals


def fleet_summary(store):
    """Hosts and summed counts: ``totals``, ``by_patch_group`` and ``by_operating_system`` (one GROUP BY).

    ``compliant``/``non_compliant`` count the hosts by their latest state, ``unreported`` the hosts with
    only failed runs, ``last_operation_failed`` the hosts whose latest run failed.
    """
    sums = ', '.join('SUM(%s) AS %s' % (field, field) for field in schema.COUNTERS)
    statement = ('SELECT patch_group, operating_system, compliance_status, last_operation_status, '
                 'COUNT(*) AS hosts, %s FROM patch_instances '
                 'GROUP BY patch_group, operating_system, compliance_status, last_operation_status' % sums)
    summary = {'totals': _empty_totals(), 'by_patch_group': {}, 'by_operating_system': {}}
    for row in store.rows(statement):
        hosts = int(row['hosts'])
        targets = (summary['totals'],
                   summary['by_patch_group'].setdefault(row['patch_group'] or '', _empty_totals()),
                   summary['by_operating_system'].setdefault(row['operating_system'] or '', _empty_totals()))
        for target in targets:
            target['instances'] += hosts
            if row['compliance_status'] == 'COMPLIANT':
                target['compliant'] += hosts
            elif row['compliance_status'] == 'NON_COMPLIANT':
                target['non_compliant'] += hosts
            else:
                target['unreported'] += hosts
            if row['last_operation_status'] == _store.OPERATION_FAILED:
                target['last_operation_failed'] += hosts
            for field in schema.COUNTERS:
                target[field] += int(row[field] or 0)
    return summary


TREND_COLUMNS = ('instance_id', 'recorded_time', 'compliance_status', 'missing_count', 'failed_count',
                 'critical_non_compliant_count', 'security_non_compliant_count')


def trend(store, since):
    """Per day from ``since`` (a UTC date) on: the hosts' states as of the end of that day.

    A host keeps its last state until it reports again (as AWS compliance does). Returns
    ``[{'date', 'instances', 'compliant', 'non_compliant', 'missing_count', 'failed_count',
    'critical_non_compliant_count', 'security_non_compliant_count'}]`` for the days with data.
    """
    start = since.strftime('%Y-%m-%d') + 'T00:00:00Z'
    columns = ', '.join(TREND_COLUMNS)
    with store.read() as cursor:
        before = store.fetch(cursor, 'SELECT %s FROM patch_operations WHERE operation_id IN (SELECT MAX(operation_id) '
                                     'FROM patch_operations WHERE has_state = 1 AND recorded_time < ? '
                                     'GROUP BY instance_id)' % columns, [start])
        after = store.fetch(cursor, 'SELECT %s FROM patch_operations WHERE has_state = 1 AND recorded_time >= ? '
                                    'ORDER BY recorded_time, operation_id' % columns, [start])
    latest = dict((row['instance_id'], row) for row in before)
    days = []
    index = 0
    day_names = sorted(set(row['recorded_time'][:10] for row in after))
    for day in day_names:
        while index < len(after) and after[index]['recorded_time'][:10] <= day:
            latest[after[index]['instance_id']] = after[index]
            index += 1
        point = {'date': day, 'instances': len(latest), 'compliant': 0, 'non_compliant': 0}
        for field in TREND_COLUMNS[3:]:
            point[field] = 0
        for row in latest.values():
            point['compliant' if row['compliance_status'] == 'COMPLIANT' else 'non_compliant'] += 1
            for field in TREND_COLUMNS[3:]:
                point[field] += int(row[field] or 0)
        days.append(point)
    return days
