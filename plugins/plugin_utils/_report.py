# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compliance reports from the store: the data of one report, and its files.

``collect(store, ...)`` reads everything a report shows in one pass; ``render(data, ...)`` turns it
into ``{file name: text}`` (``index.html``, ``instances.csv``, ``patches.csv``, ``compliance.json``,
``junit.xml``); ``write(directory, files, check_mode)`` writes the files that changed, atomically.

The report is dated by the newest record in the store, not by the clock, so the same store gives
the same files (the report task is idempotent).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import datetime
import io
import json
import os
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.fleetops.patch_manager.plugins.module_utils._files import write_atomically
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _report_html
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_schema as schema

FILES = ('index.html', 'instances.csv', 'patches.csv', 'compliance.json', 'junit.xml')
# Non-compliance weight for "the hosts most behind": critical first, then security, then the rest.
BEHIND_KEYS = ('critical_non_compliant_count', 'security_non_compliant_count', 'missing_count', 'failed_count',
               'installed_pending_reboot_count', 'installed_rejected_count')
NON_COMPLIANT_COUNTERS = ('missing_count', 'failed_count', 'installed_pending_reboot_count', 'installed_rejected_count')
INSTANCE_CSV = ('instance_id', 'patch_group', 'operating_system', 'compliance_status', 'non_compliant_severity',
                'last_operation_status', 'last_operation_time', 'last_operation_message', 'reported_time',
                'operation', 'operation_end_time', 'baseline_id', 'snapshot_id') + schema.COUNTERS
PATCH_CSV = ('instance_id', 'patch_group') + schema.PATCH_COLUMNS
OUTCOMES = ('compliant', 'non_compliant', 'failed', 'unreported')


def behind_key(item):
    """Sort key: the host most behind first (ties by name)."""
    return tuple(-(item.get(key) or 0) for key in BEHIND_KEYS) + (item['instance_id'],)


def host_outcome(item):
    """compliant, non_compliant, failed (the latest run failed) or unreported (no state ever)."""
    if item['last_operation_status'] == _store.OPERATION_FAILED:
        return 'failed'
    if item['reported_time'] is None:
        return 'unreported'
    return 'compliant' if item['compliance_status'] == 'COMPLIANT' else 'non_compliant'


def collect(store, trend_days=30, stale_after='7d', most_behind=15, include_all_patches=False):
    """Everything a report shows, read from ``store``; plain data (JSON-ready)."""
    instances, dummy = _store_query.instance_patch_states(store)
    as_of = max([item['last_operation_time'] or '' for item in instances] + [''])
    as_of_time = _store.parse_time(as_of) if as_of else _store.utc_now()
    stale_cutoff = _store.format_time(as_of_time - _store.parse_age(stale_after, field='stale_after'))
    for item in instances:
        item['outcome'] = host_outcome(item)
        item['stale'] = item['reported_time'] is None or (item['operation_end_time'] or '') < stale_cutoff
    if include_all_patches:
        patches = _store_query.instance_patches(store)
    else:
        patches = _store_query.instance_patches(store, filters=[{'Key': 'State',
                                                                 'Values': list(_store.NON_COMPLIANT_STATES)}])
    groups = dict((item['instance_id'], item['patch_group']) for item in instances)
    for patch in patches:
        patch['patch_group'] = groups.get(patch['instance_id'], '')
    since = (as_of_time - datetime.timedelta(days=trend_days - 1)).date()
    outcomes = {}
    for item in instances:
        outcomes[item['outcome']] = outcomes.get(item['outcome'], 0) + 1
    behind = [item for item in instances
              if item['reported_time'] is not None and any(item.get(key) for key in NON_COMPLIANT_COUNTERS)]
    return {
        'store': store.display_url,
        'as_of': as_of or None,
        'stale_after': stale_after,
        'summary': _store_query.fleet_summary(store),
        'outcomes': dict((name, outcomes.get(name, 0)) for name in OUTCOMES),
        'stale': sum(1 for item in instances if item['stale']),
        'instances': instances,
        'most_behind': sorted(behind, key=behind_key)[:most_behind],
        'patches': patches,
        'patches_scope': 'all' if include_all_patches else 'non_compliant',
        'cve_exposure': _store_query.cve_exposure(store),
        'trend': _fill_days(_store_query.trend(store, since), since, as_of_time.date()),
        'window_executions': _store_query.window_executions(store, limit=10),
    }


def _fill_days(points, since, until):
    """One point per day from the first day with data to ``until``: a day without runs repeats the day before."""
    if not points:
        return []
    by_day = dict((point['date'], point) for point in points)
    day = max(since, datetime.date.fromisoformat(points[0]['date']))
    filled = []
    last = None
    while day <= until:
        last = dict(by_day.get(day.isoformat()) or dict(last, date=day.isoformat()))
        filled.append(last)
        day += datetime.timedelta(days=1)
    return filled


def _csv(columns, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(columns)
    for row in rows:
        values = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, list):
                value = ' '.join(value)
            values.append('' if value is None else value)
        writer.writerow(values)
    return buffer.getvalue()


def junit(data):
    """One testsuite per patch group, one testcase per host; non-compliant or failed hosts fail."""
    suites = {}
    for item in data['instances']:
        suites.setdefault(item['patch_group'] or '(no patch group)', []).append(item)
    failures_total = sum(1 for item in data['instances'] if item['outcome'] != 'compliant')
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<testsuites name="patch compliance" tests="%d" failures="%d" timestamp=%s>'
             % (len(data['instances']), failures_total, quoteattr(data['as_of'] or ''))]
    for name in sorted(suites):
        hosts = suites[name]
        failures = sum(1 for item in hosts if item['outcome'] != 'compliant')
        lines.append('  <testsuite name=%s tests="%d" failures="%d" errors="0" skipped="0">'
                     % (quoteattr('patch group ' + name), len(hosts), failures))
        for item in hosts:
            attributes = 'classname=%s name=%s' % (quoteattr('patch_compliance.' + (item['patch_group'] or 'none')),
                                                   quoteattr(item['instance_id']))
            message = _junit_message(item)
            if message is None:
                lines.append('    <testcase %s/>' % attributes)
                continue
            lines.append('    <testcase %s>' % attributes)
            lines.append('      <failure message=%s type=%s>%s</failure>'
                         % (quoteattr(message), quoteattr(item['outcome'].upper()), escape(_junit_details(item))))
            lines.append('    </testcase>')
        lines.append('  </testsuite>')
    lines.append('</testsuites>')
    return '\n'.join(lines) + '\n'


def _junit_message(item):
    if item['outcome'] == 'compliant':
        return None
    if item['outcome'] == 'failed':
        return 'The latest run failed: %s' % (item['last_operation_message'] or 'no message')
    if item['outcome'] == 'unreported':
        return 'No compliance data: every run failed.'
    return ('NON_COMPLIANT (%s): %d missing, %d failed, %d pending reboot, %d rejected; %d critical, %d security'
            % (item['non_compliant_severity'] or 'UNSPECIFIED', item['missing_count'], item['failed_count'],
               item['installed_pending_reboot_count'], item['installed_rejected_count'],
               item['critical_non_compliant_count'], item['security_non_compliant_count']))


def _junit_details(item):
    return '\n'.join('%s: %s' % (key, item.get(key)) for key in (
        'operating_system', 'baseline_id', 'operation', 'operation_end_time', 'last_operation_time'))


def render(data, title='Patch compliance'):
    """``{file name: text}`` of the report."""
    document = dict(data, title=title)
    return {
        'index.html': _report_html.page(document),
        'instances.csv': _csv(INSTANCE_CSV, data['instances']),
        'patches.csv': _csv(PATCH_CSV, data['patches']),
        # The patch rows are in patches.csv; repeating them here would make this file several times larger.
        'compliance.json': json.dumps(dict((key, value) for key, value in document.items() if key != 'patches'),
                                      sort_keys=True, separators=(',', ':')) + '\n',
        'junit.xml': junit(data),
    }


def write(directory, files, check_mode=False):
    """Write the files whose content differs, each atomically; return the names that changed."""
    changed = []
    for name in sorted(files):
        path = os.path.join(directory, name)
        content = files[name].encode('utf-8')
        try:
            with open(path, 'rb') as handle:
                if handle.read() == content:
                    continue
        except OSError:
            pass
        changed.append(name)
        if check_mode:
            continue
        os.makedirs(directory, exist_ok=True)
        write_atomically(path, content, durable=False)
    return changed
