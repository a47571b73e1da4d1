# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The store's pure pieces (URLs, ages, the compact patch list, rows, JUnit) and a SQLite round trip.

The whole store suite on SQLite and PostgreSQL is tests/functional/store/ (plain pytest, root).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import sqlite3
import threading
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _report
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._store import StoreError

TEXT = st.one_of(st.none(), st.text(max_size=20))
PATCH = st.fixed_dictionaries({
    'title': TEXT, 'kb_id': st.text(min_size=1, max_size=12), 'state': st.sampled_from(_store_query.PATCH_STATES),
    'classification': TEXT, 'severity': TEXT, 'cve_ids': st.lists(st.text(max_size=12), max_size=3),
    'installed_time': TEXT, 'reason': st.text(max_size=60),
})


@settings(max_examples=60, deadline=None)
@given(st.lists(PATCH, max_size=40))
def test_the_compact_patch_list_gives_back_what_it_was_given(patches):
    assert _store.decode_patches(_store.encode_patches(patches)) == patches


@pytest.mark.parametrize('text, seconds', [('7d', 604800), ('36h', 129600), ('90m', 5400), ('2w', 1209600),
                                           ('45s', 45), ('P7D', 604800), ('PT12H', 43200), ('P1DT30M', 88200)])
def test_ages(text, seconds):
    assert _store.parse_age(text) == datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize('text', ['7', 'seven days', 'P', 'PT', '7y', ''])
def test_bad_ages_name_the_option(text):
    with pytest.raises(StoreError, match=r'^not_reported_within: .* is not an age; use a number with a unit'):
        _store.parse_age(text)


def test_urls():
    assert _store.parse_url('sqlite:///var/lib/patch.db') == ('sqlite', '/var/lib/patch.db')
    assert _store.parse_url('postgresql://u@db/store') == ('postgresql', 'postgresql://u@db/store')
    assert _store.parse_url('postgres://u@db/store') == ('postgresql', 'postgresql://u@db/store')
    assert _store.display_url('postgresql://u:pw@db/store') == 'postgresql://u:***@db/store'
    with pytest.raises(StoreError, match="scheme 'file' of file:///x is not one of sqlite, postgresql"):
        _store.parse_url('file:///x')


def test_state_rows_normalise_times_and_counts():
    row = _store.state_row({'operation_end_time': '2026-11-25T10:30:04+01:00', 'missing_count': '3',
                            'patch_group': None, 'failed_count': None})
    assert row['operation_end_time'] == '2026-11-25T09:30:04Z'
    assert row['missing_count'] == 3 and row['failed_count'] == 0 and row['patch_group'] == ''


def test_only_non_compliant_patches_become_rows_and_only_missing_or_failed_carry_cves():
    patches = [{'kb_id': 'a.x', 'state': 'MISSING', 'cve_ids': ['CVE-2026-1', 'CVE-2026-2']},
               {'kb_id': 'b.x', 'state': 'INSTALLED_OTHER', 'cve_ids': []},
               {'kb_id': 'c.x', 'state': 'INSTALLED_PENDING_REBOOT', 'cve_ids': ['CVE-2026-3']},
               {'kb_id': 'd.x', 'state': 'FAILED', 'cve_ids': 'CVE-2026-2'}]
    assert [row['kb_id'] for row in _store.noncompliant_rows(patches)] == ['a.x', 'c.x', 'd.x']
    assert _store.cve_rows(patches) == [('CVE-2026-1', 'a.x', 'MISSING'), ('CVE-2026-2', 'a.x', 'MISSING'),
                                        ('CVE-2026-2', 'd.x', 'FAILED')]


def test_window_records_are_checked_field_by_field():
    record = _store.window_record({'window': 'w', 'window_execution_id': 'id', 'status': 'TIMED_OUT',
                                   'start_time': '2026-11-22T02:00:00+01:00', 'end_time': '', 'tasks': []})
    assert record['start_time'] == '2026-11-22T01:00:00Z' and record['end_time'] is None
    with pytest.raises(StoreError, match=r'patch_window_execution\.window: a non-empty string is required'):
        _store.window_record({'window_execution_id': 'id', 'status': 'SUCCESS'})
    with pytest.raises(StoreError, match=r"patch_window_execution\.start_time: 'soon' is not an ISO 8601 time"):
        _store.window_record({'window': 'w', 'window_execution_id': 'id', 'status': 'SUCCESS', 'start_time': 'soon'})


def instance(name, group, status, outcome_status='Success', **counts):
    item = {'instance_id': name, 'patch_group': group, 'compliance_status': status, 'last_operation_status':
            outcome_status, 'reported_time': '2026-11-25T09:00:00Z', 'last_operation_message': '',
            'non_compliant_severity': 'CRITICAL' if status == 'NON_COMPLIANT' else '', 'operating_system': 'DEBIAN',
            'baseline_id': 'b', 'operation': 'Scan', 'operation_end_time': '2026-11-25T09:00:00Z',
            'last_operation_time': '2026-11-25T09:00:00Z'}
    for field in ('missing_count', 'failed_count', 'installed_pending_reboot_count', 'installed_rejected_count',
                  'critical_non_compliant_count', 'security_non_compliant_count'):
        item[field] = counts.get(field, 0)
    item['outcome'] = _report.host_outcome(item)
    return item


def test_junit_has_one_testcase_per_host_and_fails_the_non_compliant_and_failed_ones():
    data = {'as_of': '2026-11-25T09:00:00Z', 'instances': [
        instance('web1', 'Production', 'COMPLIANT'),
        instance('web2', 'Production', 'NON_COMPLIANT', missing_count=2, critical_non_compliant_count=1),
        instance('db1', '', 'COMPLIANT', outcome_status='Failed')]}
    root = ElementTree.fromstring(_report.junit(data))
    cases = dict((case.get('name'), case) for case in root.iter('testcase'))
    assert sorted(cases) == ['db1', 'web1', 'web2']
    assert cases['web1'].find('failure') is None
    assert cases['web2'].find('failure').get('message').startswith('NON_COMPLIANT (CRITICAL): 2 missing')
    assert cases['db1'].find('failure').get('type') == 'FAILED'
    assert root.get('failures') == '2'


def test_a_sqlite_round_trip(tmp_path):
    url = 'sqlite://%s' % (tmp_path / 'store.sqlite3')
    result = {'instance_patch_state': {'patch_group': 'Production', 'operation': 'Scan', 'missing_count': 1,
                                       'compliance_status': 'NON_COMPLIANT', 'operation_end_time': '2026-11-25T09:00:00Z'},
              'patches': [{'kb_id': 'a.x', 'state': 'MISSING', 'cve_ids': ['CVE-2026-0001']},
                          {'kb_id': 'b.x', 'state': 'INSTALLED_OTHER', 'cve_ids': []}]}
    with _store.open_store(url) as store:
        stored = store.record_result('web1', result)
        states, unknown = _store_query.instance_patch_states(store, instances=['web1', 'web2'])
        exposure = _store_query.cve_exposure(store)
    assert stored['state_stored'] and stored['patch_count'] == 2
    assert states[0]['missing_count'] == 1 and unknown == ['web2']
    assert exposure[0]['cve_id'] == 'CVE-2026-0001' and exposure[0]['instances'][0]['instance_id'] == 'web1'


def test_a_new_store_opens_while_another_process_holds_its_write_lock(tmp_path):
    # What the forks of a run meet when they open a new store at once: the switch to WAL needs the
    # file's exclusive lock and SQLite answers "database is locked" at once, without the busy wait,
    # while another connection holds the write lock of the file (still in rollback-journal mode).
    path = tmp_path / 'store.sqlite3'
    url = 'sqlite://%s' % path
    holder = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    holder.execute('BEGIN IMMEDIATE')
    release = threading.Timer(0.5, holder.execute, ('COMMIT',))
    release.start()
    result = {'instance_patch_state': {'patch_group': 'Production', 'operation': 'Scan', 'missing_count': 1,
                                       'compliance_status': 'NON_COMPLIANT', 'operation_end_time': '2026-11-25T09:00:00Z'},
              'patches': [{'kb_id': 'a.x', 'state': 'MISSING', 'cve_ids': []}]}
    try:
        with _store.open_store(url) as store:
            assert store.connection.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'
            store.record_result('web1', result)
    finally:
        release.join()
        holder.close()
    with _store.open_store(url, create=False) as store:
        states, unknown = _store_query.instance_patch_states(store, instances=['web1'])
    assert states[0]['missing_count'] == 1 and unknown == []


def test_the_wal_switch_gives_up_at_the_deadline_with_sqlites_message(tmp_path):
    path = tmp_path / 'patch_store.sqlite3'
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute('BEGIN IMMEDIATE')
    moments = iter([0.0, 1.0, 2.0, 3.0])
    try:
        store = _store.Store.__new__(_store.Store)
        store.connection = sqlite3.connect(str(path), isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match='database is locked'):
            store._switch_to_wal(2.0, clock=lambda: next(moments), sleep=lambda seconds: None)
        assert next(moments) == 3.0     # tried at 0, 1 and 2: given up at the deadline, not before
        store.connection.close()
    finally:
        holder.close()
