# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the store keeps and answers, on SQLite and on PostgreSQL alike (the ``store_url`` fixture)."""

import datetime

import pytest

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query as query
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_schema as schema
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._store import StoreError
from tests.support import storedata

T0 = datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.timezone.utc)


def at(minutes):
    return T0 + datetime.timedelta(minutes=minutes)


def fleet(url, hosts=12, patch_count=120):
    """Store one result for each of ``hosts`` hosts; return {host: result}."""
    results = {}
    with _store.open_store(url) as store:
        for index in range(hosts):
            result = storedata.make_result(index, patch_count=patch_count, when=_store.format_time(at(index)))
            store.record_result(storedata.host_name(index), result, recorded_time=at(index))
            results[storedata.host_name(index)] = result
    return results


def state_of(item):
    return dict((key, item[key]) for key in schema.STATE_FIELDS if key != 'unreported_not_applicable_count')


def test_latest_state_and_patches_come_back_as_the_module_returned_them(store_url):
    results = fleet(store_url, hosts=3)
    with _store.open_store(store_url, create=False) as store:
        items, unknown = query.instance_patch_states(store)
        assert [item['instance_id'] for item in items] == sorted(results)
        for item in items:
            expected = results[item['instance_id']]
            assert state_of(item) == dict((key, expected['instance_patch_state'][key]) for key in state_of(item))
            assert item['patch_count'] == len(expected['patches'])
            assert item['last_operation_status'] == 'Success'
        patches = query.instance_patches(store, instances=['node00001'])
    expected = sorted(results['node00001']['patches'], key=lambda patch: patch['kb_id'])
    assert [dict((key, value) for key, value in patch.items() if key != 'instance_id') for patch in patches] == expected
    assert set(patch['instance_id'] for patch in patches) == {'node00001'}
    assert unknown == []


def test_non_compliant_rows_answer_exactly_as_the_full_lists(store_url):
    fleet(store_url, hosts=8)
    wanted = [{'Key': 'State', 'Values': ['MISSING', 'FAILED']}]
    with _store.open_store(store_url) as store:
        from_rows = query.instance_patches(store, filters=wanted)
        every = query.instance_patches(store)
    assert from_rows, 'the fleet has missing patches'
    assert from_rows == [patch for patch in every if patch['state'] in ('MISSING', 'FAILED')]


def test_last_writer_wins_and_history_keeps_the_last_150(store_url):
    with _store.open_store(store_url) as store:
        for run in range(155):
            result = storedata.make_result(1, run=run, patch_count=30, non_compliant=run % 4)
            store.record_result('web1', result, recorded_time=at(run))
        items, dummy = query.instance_patch_states(store, instances=['web1'])
        history = query.history(store, instances=['web1'], limit=150)
    assert items[0]['missing_count'] + items[0]['failed_count'] + items[0]['installed_pending_reboot_count'] + \
        items[0]['installed_rejected_count'] == 154 % 4
    assert items[0]['reported_time'] == _store.format_time(at(154))
    assert len(history) == 150
    assert [entry['recorded_time'] for entry in history] == [_store.format_time(at(run)) for run in range(154, 4, -1)]
    with pytest.raises(StoreError, match=r'limit: 151 is outside 1\.\.150'):
        with _store.open_store(store_url) as store:
            query.history(store, limit=151)


def test_a_failed_run_without_state_keeps_the_last_state_and_is_in_the_history(store_url):
    with _store.open_store(store_url) as store:
        good = storedata.make_result(2, patch_count=40, non_compliant=3)
        store.record_result('db1', good, recorded_time=at(0))
        store.record_result('db1', {'failed': True, 'msg': 'Could not get lock /var/lib/dpkg/lock'},
                            operation='Install', patch_group='Production', recorded_time=at(5))
        store.record_result('new1', {'failed': True, 'msg': 'unreachable package source'}, patch_group='Staging',
                            recorded_time=at(6))
        items, dummy = query.instance_patch_states(store)
        history = query.history(store, instances=['db1'])
    by_host = dict((item['instance_id'], item) for item in items)
    assert by_host['db1']['missing_count'] == good['instance_patch_state']['missing_count']
    assert by_host['db1']['last_operation_status'] == 'Failed'
    assert by_host['db1']['last_operation_message'] == 'Could not get lock /var/lib/dpkg/lock'
    assert by_host['db1']['reported_time'] == _store.format_time(at(0))
    assert by_host['new1']['reported_time'] is None and by_host['new1']['missing_count'] is None
    assert by_host['new1']['patch_group'] == 'Staging'
    assert [(entry['status'], entry['operation']) for entry in history] == [('Failed', 'Install'), ('Success', 'Scan')]
    assert history[0]['missing_count'] is None


def test_a_failed_install_with_state_replaces_the_state(store_url):
    result = storedata.make_result(3, patch_count=40, non_compliant=6)
    result['patches'][0]['state'] = 'FAILED'
    result['instance_patch_state'].update(storedata.summarise(result['patches']))
    result.update(failed=True, msg='1 package failed to install.')
    with _store.open_store(store_url) as store:
        store.record_result('app1', result, recorded_time=at(1))
        items, dummy = query.instance_patch_states(store)
        failed = query.instance_patches(store, filters=[{'Key': 'State', 'Values': ['FAILED']}])
    assert items[0]['failed_count'] >= 1 and items[0]['last_operation_status'] == 'Failed'
    assert result['patches'][0]['kb_id'] in [patch['kb_id'] for patch in failed]


def test_patch_group_state_counts_hosts_as_describe_patch_group_state(store_url):
    results = fleet(store_url, hosts=16)
    production = [result['instance_patch_state'] for result in results.values()
                  if result['instance_patch_state']['patch_group'] == 'Production']
    with _store.open_store(store_url) as store:
        state = query.patch_group_state(store, 'Production')
        assert query.patch_group_state(store, 'NoSuchGroup')['instances'] == 0
    assert state['instances'] == len(production) == 4
    for field, counter in query.GROUP_STATE_FIELDS:
        assert state[field] == sum(1 for item in production if item.get(counter, 0) > 0), field
    assert state['instances_with_available_security_updates'] == 0


def test_aws_filters_over_instance_states(store_url):
    results = fleet(store_url, hosts=12)
    states = dict((host, result['instance_patch_state']) for host, result in results.items())
    with _store.open_store(store_url) as store:
        def hosts(**options):
            return [item['instance_id'] for item in query.instance_patch_states(store, **options)[0]]
        assert hosts(filters=[{'Key': 'MissingCount', 'Type': 'GreaterThan', 'Values': ['0']}]) == \
            sorted(host for host, state in states.items() if state['missing_count'] > 0)
        assert hosts(filters=[{'Key': 'missing_count', 'Type': 'LessThan', 'Values': [1]}]) == \
            sorted(host for host, state in states.items() if state['missing_count'] < 1)
        assert hosts(filters=[{'Key': 'OperatingSystem', 'Values': ['UBUNTU', 'SUSE']}]) == \
            sorted(host for host, state in states.items() if state['operating_system'] in ('UBUNTU', 'SUSE'))
        assert hosts(filters=[{'Key': 'ComplianceStatus', 'Type': 'NotEqual', 'Values': ['COMPLIANT']},
                              {'Key': 'PatchGroup', 'Values': ['Staging']}]) == \
            sorted(host for host, state in states.items()
                   if state['compliance_status'] != 'COMPLIANT' and state['patch_group'] == 'Staging')
        assert hosts(patch_group='Development') == sorted(host for host, state in states.items()
                                                          if state['patch_group'] == 'Development')
        assert hosts(without_patch_group=True) == sorted(host for host, state in states.items()
                                                         if state['patch_group'] == '')
        assert hosts(filters=[{'Key': 'OperationEndTime', 'Type': 'LessThan',
                               'Values': [_store.format_time(at(3))]}]) == ['node00000', 'node00001', 'node00002']


@pytest.mark.parametrize('filters, message', [
    ([{'Key': 'Missing', 'Values': ['1']}], r"filters\[0\]\.Key: 'Missing' is not one of InstanceId, PatchGroup, .*MissingCount"),
    ([{'Key': 'MissingCount', 'Type': 'Bigger', 'Values': ['1']}],
     r"filters\[0\]\.Type: 'Bigger' is not one of Equal, NotEqual, LessThan, GreaterThan"),
    ([{'Key': 'MissingCount', 'Values': ['many']}], r"filters\[0\]\.Values\[0\]: 'many' is not an integer"),
    ([{'Key': 'PatchGroup', 'Type': 'LessThan', 'Values': ['a']}], r'filters\[0\]\.Type: LessThan applies only to counts'),
    ([{'Key': 'MissingCount', 'Type': 'GreaterThan', 'Values': ['1', '2']}], r'takes exactly one value, got 2'),
    ([{'Key': 'MissingCount', 'Values': []}], r'filters\[0\]\.Values: a non-empty list'),
    ([{'Key': 'MissingCount', 'Values': ['1'], 'Typo': 'x'}], r'filters\[0\]: unknown key\(s\) Typo'),
])
def test_bad_state_filters_name_the_field_and_the_allowed_values(filters, message):
    with pytest.raises(StoreError, match=message):
        query.state_filters(filters)


def test_bad_patch_filters_name_the_field_and_the_allowed_values():
    with pytest.raises(StoreError, match=r"filters\[0\]\.Values\[1\]: 'LOST' is not one of INSTALLED, INSTALLED_OTHER"):
        query.patch_filters([{'Key': 'State', 'Values': ['MISSING', 'LOST']}])
    with pytest.raises(StoreError, match=r"filters\[0\]\.Key: 'Name' is not one of State, Classification, Severity, KbId"):
        query.patch_filters([{'Key': 'Name', 'Values': ['x']}])


def test_hosts_not_reported_within_an_age_and_hosts_never_heard_of(store_url):
    with _store.open_store(store_url) as store:
        now = at(0)
        for name, age_days in (('fresh', 1), ('week-old', 8), ('month-old', 31)):
            when = now - datetime.timedelta(days=age_days)
            store.record_result(name, storedata.make_result(1, patch_count=10, when=_store.format_time(when)),
                                recorded_time=when)
        store.record_result('never-ok', {'failed': True, 'msg': 'boom'}, recorded_time=now)
        silent, unknown = query.instance_patch_states(store, not_reported_within='7d', now=now,
                                                      instances=['fresh', 'week-old', 'month-old', 'never-ok', 'web9'])
        assert [item['instance_id'] for item in silent] == ['month-old', 'never-ok', 'week-old']
        assert unknown == ['web9']
        assert [item['instance_id'] for item in query.instance_patch_states(
            store, not_reported_within='P30D', now=now)[0]] == ['month-old', 'never-ok']
    with pytest.raises(StoreError, match=r"not_reported_within: 'a week' is not an age"):
        _store.parse_age('a week')


def test_cve_exposure_lists_the_hosts_where_a_fixing_patch_is_missing_or_failed(store_url):
    results = fleet(store_url, hosts=10)
    expected = {}
    for host, result in results.items():
        for patch in result['patches']:
            if patch['state'] in ('MISSING', 'FAILED'):
                for cve in patch['cve_ids']:
                    expected.setdefault(cve, set()).add(host)
    with _store.open_store(store_url) as store:
        items = query.cve_exposure(store)
        asked = query.cve_exposure(store, cve_ids=['cve-2026-0001', 'CVE-1999-0001'])
    assert expected, 'the generated fleet has CVE exposure'
    assert dict((item['cve_id'], set(entry['instance_id'] for entry in item['instances'])) for item in items) == expected
    assert [item['instance_count'] for item in items] == sorted((len(hosts) for hosts in expected.values()), reverse=True)
    assert dict((item['cve_id'], item['instance_count']) for item in asked) == {
        'CVE-2026-0001': len(expected['CVE-2026-0001']), 'CVE-1999-0001': 0}
    with pytest.raises(StoreError, match=r"cve_ids\[0\]: 'heartbleed' is not a CVE identifier"):
        query.cve_ids_option(['heartbleed'])


def test_window_executions_are_kept_updated_and_listed_newest_first(store_url):
    first = {'window': 'prod-sunday', 'window_execution_id': 'we-1', 'status': 'IN_PROGRESS',
             'start_time': '2026-11-22T02:00:00+01:00', 'end_time': None, 'tasks': []}
    with _store.open_store(store_url) as store:
        store.record_window_execution(first)
        store.record_window_execution(dict(first, status='SUCCESS', end_time='2026-11-22T03:00:00+01:00', tasks=[
            {'name': 'scan', 'priority': 1, 'status': 'SUCCESS', 'start_time': '2026-11-22T01:00:00Z',
             'end_time': '2026-11-22T01:30:00Z', 'hosts': {'web1': 'compliant'}}]))
        store.record_window_execution({'window': 'prod-sunday', 'window_execution_id': 'we-2', 'status': 'FAILED',
                                       'start_time': '2026-11-29T01:00:00Z', 'end_time': '2026-11-29T01:10:00Z',
                                       'tasks': []})
        store.record_window_execution({'window': 'dev-daily', 'window_execution_id': 'we-3',
                                       'status': 'SKIPPED_OVERLAPPING', 'start_time': '2026-11-29T01:00:00Z',
                                       'end_time': '2026-11-29T01:00:00Z', 'tasks': []})
        # A second start while we-2 runs is refused: kept as its own record, we-2 stays as it was.
        store.record_window_execution({'window': 'prod-sunday', 'window_execution_id': 'we-2',
                                       'status': 'SKIPPED_OVERLAPPING', 'start_time': '2026-11-29T00:30:00Z',
                                       'end_time': '2026-11-29T00:30:00Z', 'tasks': []})
        sunday = query.window_executions(store, window='prod-sunday')
        assert len(query.window_executions(store)) == 4
    assert [(item['window_execution_id'], item['status']) for item in sunday] == [
        ('we-2', 'FAILED'), ('we-2', 'SKIPPED_OVERLAPPING'), ('we-1', 'SUCCESS')]
    assert sunday[2]['start_time'] == '2026-11-22T01:00:00Z'
    assert sunday[2]['tasks'][0]['hosts'] == {'web1': 'compliant'}
    with pytest.raises(StoreError, match=r"patch_window_execution\.status: 'DONE' is not one of PENDING, IN_PROGRESS"):
        _store.window_record(dict(first, status='DONE'))


def test_fleet_summary_adds_up_the_hosts(store_url):
    results = fleet(store_url, hosts=20)
    with _store.open_store(store_url) as store:
        store.record_result('broken', {'failed': True, 'msg': 'x'}, recorded_time=at(30))
        summary = query.fleet_summary(store)
    states = [result['instance_patch_state'] for result in results.values()]
    totals = summary['totals']
    assert totals['instances'] == 21 and totals['unreported'] == 1 and totals['last_operation_failed'] == 1
    assert totals['compliant'] == sum(1 for state in states if state['compliance_status'] == 'COMPLIANT')
    assert totals['missing_count'] == sum(state['missing_count'] for state in states)
    assert sum(group['instances'] for group in summary['by_patch_group'].values()) == 21
    assert summary['by_operating_system']['SUSE']['instances'] == sum(
        1 for state in states if state['operating_system'] == 'SUSE')


def test_trend_carries_each_hosts_last_state_forward(store_url):
    day = datetime.timedelta(days=1)
    behind = storedata.make_result(1, patch_count=10, non_compliant=4)
    with _store.open_store(store_url) as store:
        store.record_result('a', behind, recorded_time=T0)
        store.record_result('b', storedata.make_result(2, patch_count=10, non_compliant=0), recorded_time=T0)
        store.record_result('a', storedata.make_result(1, patch_count=10, non_compliant=0), recorded_time=T0 + 2 * day)
        points = query.trend(store, (T0 - day).date())
    assert behind['instance_patch_state']['missing_count'] > 0
    assert [(point['date'], point['instances'], point['compliant'], point['missing_count']) for point in points] == [
        ('2026-11-20', 2, 1, behind['instance_patch_state']['missing_count']), ('2026-11-22', 2, 2, 0)]


def test_a_newer_schema_is_refused_and_an_older_one_migrated(store_url, monkeypatch):
    fleet(store_url, hosts=2, patch_count=10)
    # A version 2 that only this test knows: the v1 store must be migrated, its data kept.
    extra = ('CREATE TABLE patch_test_extra (note TEXT)',)
    monkeypatch.setattr(schema, 'MIGRATIONS', schema.MIGRATIONS + (extra,))
    monkeypatch.setattr(schema, 'LATEST', 2)
    with _store.open_store(store_url) as store:
        with store.read() as cursor:
            assert store.schema_version(cursor) == 2
        assert len(query.instance_patch_states(store)[0]) == 2
    monkeypatch.setattr(schema, 'MIGRATIONS', schema.MIGRATIONS[:1])
    monkeypatch.setattr(schema, 'LATEST', 1)
    with pytest.raises(StoreError) as caught:
        _store.open_store(store_url)
    assert 'has schema version 2, written by a newer fleetops.patch_manager' in str(caught.value)
    assert _store.display_url(store_url) in str(caught.value)


def test_an_inventory_sized_host_list_is_answered(store_url, monkeypatch):
    fleet(store_url, hosts=6, patch_count=20)
    # Lists longer than MAX_SQL_NAMES are matched after the read; make this small list count as long.
    monkeypatch.setattr(query, 'MAX_SQL_NAMES', 2)
    names = ['node00001', 'node00004', 'never-seen']
    with _store.open_store(store_url) as store:
        items, unknown = query.instance_patch_states(store, instances=names)
        history = query.history(store, instances=names)
        patches = query.instance_patches(store, instances=names)
        missing = query.instance_patches(store, instances=names, filters=[{'Key': 'State', 'Values': ['MISSING']}])
    assert [item['instance_id'] for item in items] == ['node00001', 'node00004'] and unknown == ['never-seen']
    assert sorted(set(entry['instance_id'] for entry in history)) == ['node00001', 'node00004']
    assert sorted(set(patch['instance_id'] for patch in patches)) == ['node00001', 'node00004']
    assert set(patch['instance_id'] for patch in missing) <= {'node00001', 'node00004'}
