# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

import pytest

from ansible_collections.fleetops.patch_manager.plugins.filter.fleet_run import fleet_run
from ansible_collections.fleetops.patch_manager.plugins.filter.fleet_summary import fleet_summary
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._fleet import (
    FleetSummary,
    group_name_for,
    host_record,
    render,
    run_options,
)


def record(patch_group, outcome, missing=0, failed=0, critical=0, security=0):
    return {'patch_group': patch_group, 'outcome': outcome, 'missing_count': missing, 'failed_count': failed,
            'critical_non_compliant_count': critical, 'security_non_compliant_count': security}


RECORDS = {
    'web1': record('Production', 'compliant'),
    'web2': record('Production', 'non_compliant', missing=2, critical=1, security=2),
    'db1': record('Production', 'failed', failed=1, security=1),
    'db2': record('Production', 'not_attempted'),
    'stage1': record('Staging', 'unreachable'),
    'stage2': record('Staging', 'non_compliant', missing=1),
    'loose': record('', 'compliant'),
}


def build(records):
    return FleetSummary().add_records(records).build()


def test_groups_count_hosts_by_outcome_and_sum_patch_counts():
    summary = build(RECORDS)
    production = summary['groups']['Production']
    assert (production['hosts'], production['compliant'], production['non_compliant'], production['failed'],
            production['unreachable'], production['not_attempted']) == (4, 1, 1, 1, 0, 1)
    assert (production['missing_count'], production['failed_count'], production['critical_non_compliant_count'],
            production['security_non_compliant_count']) == (2, 1, 1, 3)
    assert production['hosts_by_outcome']['not_attempted'] == ['db2']
    assert summary['groups']['Staging']['hosts_by_outcome']['unreachable'] == ['stage1']
    assert summary['groups']['']['compliant'] == 1
    assert summary['totals']['hosts'] == 7
    assert summary['totals']['missing_count'] == 3


def test_module_results_unreachable_and_failures_without_records():
    summary = FleetSummary()
    summary.add_state('a', {'patch_group': 'Production', 'compliance_status': 'COMPLIANT', 'missing_count': 0})
    summary.add_state('b', {'patch_group': 'Production', 'compliance_status': 'NON_COMPLIANT', 'missing_count': 4,
                            'security_non_compliant_count': 4})
    summary.add_unreachable('c', 'Production')
    summary.add_state('d', {'compliance_status': 'NON_COMPLIANT', 'failed_count': 2}, patch_group='Staging')
    summary.add_failed('d')
    # A record (the run's final word on a host) wins over the events seen before it.
    summary.add_failed('e', 'Staging')
    summary.add_record('e', record('Staging', 'compliant'))
    built = summary.build()
    production = built['groups']['Production']
    assert production['hosts_by_outcome']['compliant'] == ['a']
    assert production['hosts_by_outcome']['non_compliant'] == ['b']
    assert production['hosts_by_outcome']['unreachable'] == ['c']
    assert production['security_non_compliant_count'] == 4
    assert built['groups']['Staging']['hosts_by_outcome']['failed'] == ['d']
    assert built['groups']['Staging']['failed_count'] == 2
    assert built['groups']['Staging']['hosts_by_outcome']['compliant'] == ['e']


def test_render_prints_one_block_per_group_and_names_not_attempted_hosts():
    text = '\n'.join(render(build(RECORDS)))
    assert ('Patch group Production\n  hosts: 4  compliant: 1  non-compliant: 1  failed: 1  unreachable: 0  '
            'not attempted: 1') in text
    assert '  patches: missing 2  failed 1  critical non-compliant 1  security non-compliant 3' in text
    assert '  not attempted: db2' in text
    assert 'Patch group (none)' in text
    assert text.index('Patch group Production') < text.index('Patch group Staging') < text.index('All patch groups')
    assert 'not attempted: db2' not in '\n'.join(render(build(RECORDS), show_hosts=False))


def test_render_without_data():
    assert render(FleetSummary().build()) == ['No host reported patch data.']


def test_fleet_summary_filter_reads_the_strategy_result():
    result = {'hosts': RECORDS, 'not_attempted': ['db2'], 'max_concurrency': '2', 'max_errors': '0'}
    assert fleet_summary(result) == build(RECORDS)
    assert fleet_summary(result, text=True) == render(build(RECORDS))


STATE = {'patch_group': 'Production', 'compliance_status': 'NON_COMPLIANT', 'missing_count': 3, 'failed_count': 0,
         'critical_non_compliant_count': 1, 'security_non_compliant_count': 3, 'installed_pending_reboot_count': 0,
         'baseline_id': 'pb-1', 'snapshot_id': 'snap'}


@pytest.mark.parametrize('kwargs, outcome', [
    (dict(started=False), 'not_attempted'),
    (dict(unreachable=True, failure=('unreachable', 'ssh: connect refused')), 'unreachable'),
    (dict(failed=True, patch_result={'instance_patch_state': STATE}, failure=('Run the pre-install hook', 'no')), 'failed'),
    (dict(patch_result={'instance_patch_state': STATE}), 'non_compliant'),
    (dict(patch_result={'instance_patch_state': dict(STATE, compliance_status='COMPLIANT')}), 'compliant'),
])
def test_host_record_outcomes(kwargs, outcome):
    record_ = host_record(patch_group='FromInventory', **kwargs)
    assert record_['outcome'] == outcome
    if 'patch_result' in kwargs:
        assert record_['patch_group'] == 'Production'          # what the module reported wins
        assert (record_['missing_count'], record_['baseline_id']) == (3, 'pb-1')
    else:
        assert record_['patch_group'] == 'FromInventory'
    if outcome in ('failed', 'unreachable'):
        assert record_['failed_step'] == kwargs['failure'][0] and record_['message'] == kwargs['failure'][1]
    else:
        assert record_['failed_step'] == ''


def test_run_options_fill_the_aws_defaults_and_a_new_snapshot():
    scan = run_options({'operation': 'Scan'})
    assert (scan['max_concurrency'], scan['max_errors'], scan['hosts']) == ('100%', '100%', 'all')
    assert str(uuid.UUID(scan['snapshot_id'])) == scan['snapshot_id']
    assert run_options({'operation': 'Scan'})['snapshot_id'] != scan['snapshot_id']
    install = run_options({'operation': 'Install', 'target_patch_group': 'Prod East', 'snapshot_id': 'abc',
                           'max_errors': 0, 'on_exit_hook': '/hooks/exit.yml'})
    assert (install['max_concurrency'], install['max_errors']) == ('10%', '0')
    assert install['hosts'] == 'patch_group_Prod_East' == group_name_for('Prod East')
    assert install['snapshot_id'] == 'abc' and install['with_hooks'] is True
    assert run_options({'operation': 'Install', 'target_hosts': 'web*'})['with_hooks'] is False


@pytest.mark.parametrize('options, message', [
    ({'max_errors': '5 %'}, 'max_errors must be a count of 0 or more or a percentage 0%..100% (got 5 %)'),
    ({'max_concurrency': 0}, 'max_concurrency must be a count of 1 or more or a percentage 1%..100% (got 0)'),
    ({'target_patch_group': 'A', 'target_hosts': 'b'}, 'target_patch_group: set at most one of'),
    ({'target_patch_group': ''}, 'target_patch_group: must be a patch group name'),
    ({'operation': 'Patch'}, "operation: 'Patch' is not one of Scan, Install"),
])
def test_bad_run_options_name_the_option(options, message):
    with pytest.raises(InputError) as caught:
        run_options(options)
    assert message in str(caught.value)


def test_fleet_run_filter_fails_with_the_message():
    from ansible.errors import AnsibleFilterError
    with pytest.raises(AnsibleFilterError) as caught:
        fleet_run({'operation': 'Scan', 'max_errors': '5 %'})
    assert 'max_errors must be a count of 0 or more or a percentage 0%..100% (got 5 %)' in str(caught.value)
