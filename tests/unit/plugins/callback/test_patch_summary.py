# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.fleetops.patch_manager.plugins.callback.patch_summary import FleetSummary, render

TEMPLATE = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'patch', 'templates', 'fleet_summary.json.j2')


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
    summary = FleetSummary()
    for host, data in records.items():
        summary.add_record(host, data)
    return summary.build()


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
    # A record from the role wins over the events seen before it.
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
    assert 'Patch group Production\n  hosts: 4  compliant: 1  non-compliant: 1  failed: 1  unreachable: 0  not attempted: 1' in text
    assert '  patches: missing 2  failed 1  critical non-compliant 1  security non-compliant 3' in text
    assert '  not attempted: db2' in text
    assert 'Patch group (none)' in text
    assert text.index('Patch group Production') < text.index('Patch group Staging') < text.index('All patch groups')
    assert 'not attempted: db2' not in '\n'.join(render(build(RECORDS), show_hosts=False))


def test_render_without_data():
    assert render(FleetSummary().build()) == ['No host reported patch data.']


@pytest.fixture
def templar():
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    return Templar(loader=DataLoader())


def template_source(path):
    """The file's text as a template the running ansible-core renders (2.19+ renders trusted text only)."""
    with open(path) as handle:
        source = handle.read()
    try:
        from ansible.template import trust_as_template
    except ImportError:  # ansible-core before 2.19 renders any string
        return source
    return trust_as_template(source)


def render_template(templar, hostvars, hosts):
    templar.available_variables = {'hostvars': hostvars, 'patch_summary_hosts': hosts}
    rendered = templar.template(template_source(TEMPLATE))
    # Before 2.19 the templar already turns the JSON text into data.
    return rendered if isinstance(rendered, dict) else json.loads(rendered)


def test_published_summary_template_matches_the_callback(templar):
    hostvars = dict((host, {'patch_run_result': data, 'patch_group': data['patch_group']}) for host, data in RECORDS.items())
    assert render_template(templar, hostvars, sorted(RECORDS)) == build(RECORDS)


def test_template_counts_a_host_without_record_as_failed(templar):
    hostvars = {'lost': {'patch_group': 'Staging'}, 'ok': {'patch_run_result': record('Staging', 'compliant')}}
    summary = render_template(templar, hostvars, ['lost', 'ok'])
    assert summary['groups']['Staging']['hosts_by_outcome']['failed'] == ['lost']
    assert summary['totals']['compliant'] == 1


TEXT_TEMPLATE = os.path.join(os.path.dirname(TEMPLATE), 'fleet_summary.txt.j2')


@pytest.mark.parametrize('records', [RECORDS, {}, {'only': record('', 'failed', failed=3)}])
def test_text_template_prints_what_the_callback_prints(templar, records):
    templar.available_variables = {'patch_fleet_summary': build(records)}
    assert templar.template(template_source(TEXT_TEMPLATE)).strip().split('\n') == render(build(records))
