# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The predefined baselines: names, defaults per OS, and the rules the contract pins."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._baseline import (
    OPERATING_SYSTEMS, normalise_baseline, to_aws_shape,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._predefined import (
    PREDEFINED_BASELINES, get_predefined, is_predefined_name, predefined_document, predefined_name_for, predefined_names,
)

SECTION_8_NAMES = [
    'AWS-AmazonLinuxDefaultPatchBaseline', 'AWS-AmazonLinux2DefaultPatchBaseline',
    'AWS-AmazonLinux2022DefaultPatchBaseline', 'AWS-AmazonLinux2023DefaultPatchBaseline',
    'AWS-RedHatDefaultPatchBaseline', 'AWS-RockyLinuxDefaultPatchBaseline', 'AWS-AlmaLinuxDefaultPatchBaseline',
    'AWS-OracleLinuxDefaultPatchBaseline', 'AWS-CentOSDefaultPatchBaseline', 'AWS-SuseDefaultPatchBaseline',
    'AWS-UbuntuDefaultPatchBaseline', 'AWS-DebianDefaultPatchBaseline', 'AWS-DefaultRaspbianPatchBaseline',
    'AWS-MacOSDefaultPatchBaseline', 'AWS-DefaultPatchBaseline', 'AWS-WindowsPredefinedPatchBaseline-OS',
    'AWS-WindowsPredefinedPatchBaseline-OS-Applications',
]

ARN = re.compile(r'^arn:aws:ssm:us-east-1:[0-9]{12}:patchbaseline/pb-[0-9a-f]{17}$')


def rule_filters(baseline):
    """[(sorted (key, values) pairs, approve_after_days, enable_non_security)] per rule."""
    return [(sorted((item['key'], item['values']) for item in rule['patch_filter_group']['patch_filters']),
             rule['approve_after_days'], rule['enable_non_security'])
            for rule in baseline['approval_rules']['patch_rules']]


def test_every_section_8_baseline_is_shipped():
    assert predefined_names() == sorted(SECTION_8_NAMES)


@pytest.mark.parametrize('name', SECTION_8_NAMES)
def test_predefined_baselines_validate_and_round_trip(name):
    baseline = get_predefined(name)
    assert baseline['name'] == name
    assert ARN.match(baseline['baseline_id'])
    assert normalise_baseline(to_aws_shape(baseline)) == baseline
    assert normalise_baseline(predefined_document(name)) == baseline
    # Predefined baselines never raise compliance above UNSPECIFIED (§8, gotcha 13).
    assert baseline['approved_patches_compliance_level'] == 'UNSPECIFIED'
    assert set(rule['compliance_level'] for rule in baseline['approval_rules']['patch_rules']) == {'UNSPECIFIED'}
    assert baseline['approved_patches'] == [] and baseline['rejected_patches'] == []
    assert baseline['rejected_patches_action'] == 'ALLOW_AS_DEPENDENCY'


def test_baseline_ids_are_unique():
    ids = [document['BaselineId'] for document in PREDEFINED_BASELINES.values()]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize('operating_system, name', [
    ('UBUNTU', 'AWS-UbuntuDefaultPatchBaseline'),
    ('DEBIAN', 'AWS-DebianDefaultPatchBaseline'),
    ('RASPBIAN', 'AWS-DefaultRaspbianPatchBaseline'),
    ('REDHAT_ENTERPRISE_LINUX', 'AWS-RedHatDefaultPatchBaseline'),
    ('ROCKY_LINUX', 'AWS-RockyLinuxDefaultPatchBaseline'),
    ('ALMA_LINUX', 'AWS-AlmaLinuxDefaultPatchBaseline'),
    ('ORACLE_LINUX', 'AWS-OracleLinuxDefaultPatchBaseline'),
    ('CENTOS', 'AWS-CentOSDefaultPatchBaseline'),
    ('SUSE', 'AWS-SuseDefaultPatchBaseline'),
    ('AMAZON_LINUX', 'AWS-AmazonLinuxDefaultPatchBaseline'),
    ('AMAZON_LINUX_2', 'AWS-AmazonLinux2DefaultPatchBaseline'),
    ('AMAZON_LINUX_2022', 'AWS-AmazonLinux2022DefaultPatchBaseline'),
    ('AMAZON_LINUX_2023', 'AWS-AmazonLinux2023DefaultPatchBaseline'),
    ('MACOS', 'AWS-MacOSDefaultPatchBaseline'),
    ('WINDOWS', 'AWS-DefaultPatchBaseline'),
])
def test_default_per_operating_system(operating_system, name):
    assert predefined_name_for(operating_system) == name
    assert get_predefined(name)['operating_system'] == operating_system


def test_every_operating_system_has_a_default():
    assert sorted(predefined_name_for(operating_system) for operating_system in OPERATING_SYSTEMS) == sorted(
        set(SECTION_8_NAMES) - {'AWS-WindowsPredefinedPatchBaseline-OS', 'AWS-WindowsPredefinedPatchBaseline-OS-Applications'})


@pytest.mark.parametrize('name', ['AWS-RedHatDefaultPatchBaseline', 'AWS-RockyLinuxDefaultPatchBaseline',
                                  'AWS-AlmaLinuxDefaultPatchBaseline', 'AWS-AmazonLinux2DefaultPatchBaseline',
                                  'AWS-AmazonLinux2023DefaultPatchBaseline'])
def test_rhel_family_approves_critical_important_security_and_bugfix(name):
    # CONTRACT decision: the Bugfix rule has severity '*' so severity-less bugfix notices qualify.
    assert rule_filters(get_predefined(name)) == [
        ([('CLASSIFICATION', ['Security']), ('SEVERITY', ['Critical', 'Important'])], 7, False),
        ([('CLASSIFICATION', ['Bugfix']), ('SEVERITY', ['*'])], 7, False),
    ]


def test_oracle_approves_important_and_moderate():
    assert rule_filters(get_predefined('AWS-OracleLinuxDefaultPatchBaseline'))[0] == (
        [('CLASSIFICATION', ['Security']), ('SEVERITY', ['Important', 'Moderate'])], 7, False)


def test_centos_approves_non_security():
    assert rule_filters(get_predefined('AWS-CentOSDefaultPatchBaseline')) == [
        ([('CLASSIFICATION', ['*']), ('SEVERITY', ['*'])], 7, True)]


def test_suse_approves_critical_important_security():
    assert rule_filters(get_predefined('AWS-SuseDefaultPatchBaseline')) == [
        ([('CLASSIFICATION', ['Security']), ('SEVERITY', ['Critical', 'Important'])], 7, False)]


@pytest.mark.parametrize('name', ['AWS-UbuntuDefaultPatchBaseline', 'AWS-DebianDefaultPatchBaseline',
                                  'AWS-DefaultRaspbianPatchBaseline'])
def test_apt_baselines_match_the_observed_aws_snapshot(name):
    baseline = get_predefined(name)
    assert baseline['global_filters'] == {'patch_filters': [{'key': 'PRODUCT', 'values': ['*']}]}
    assert rule_filters(baseline) == [
        ([('PRIORITY', ['Required', 'Important', 'Standard', 'Optional', 'Extra'])], 7, False)]
    assert baseline['approved_patches_enable_non_security'] is False


@pytest.mark.parametrize('name', ['AWS-DefaultPatchBaseline', 'AWS-WindowsPredefinedPatchBaseline-OS'])
def test_windows_os_baselines(name):
    assert rule_filters(get_predefined(name)) == [
        ([('CLASSIFICATION', ['CriticalUpdates', 'SecurityUpdates']), ('MSRC_SEVERITY', ['Critical', 'Important'])], 7, False)]


def test_windows_applications_baseline_adds_application_rule():
    rules = rule_filters(get_predefined('AWS-WindowsPredefinedPatchBaseline-OS-Applications'))
    assert len(rules) == 2
    assert ('PATCH_SET', ['APPLICATION']) in rules[1][0]


def test_get_predefined_returns_independent_copies():
    first = get_predefined('AWS-UbuntuDefaultPatchBaseline')
    first['approval_rules']['patch_rules'][0]['patch_filter_group']['patch_filters'][0]['values'].clear()
    assert get_predefined('AWS-UbuntuDefaultPatchBaseline') != first


def test_unknown_name_lists_known_names():
    with pytest.raises(InputError) as caught:
        get_predefined('AWS-UbuntuPatchBaseline')
    assert caught.value.field == 'baseline'
    assert "'AWS-UbuntuPatchBaseline' is not a predefined baseline" in str(caught.value)
    assert 'AWS-UbuntuDefaultPatchBaseline' in str(caught.value)


def test_unknown_operating_system():
    with pytest.raises(InputError) as caught:
        predefined_name_for('FEDORA')
    assert caught.value.field == 'operating_system'
    assert "'FEDORA' is not one of" in str(caught.value) and 'UBUNTU' in str(caught.value)


@pytest.mark.parametrize('name, expected', [('AWS-DefaultPatchBaseline', True), ('aws-defaultpatchbaseline', False),
                                            ('MyBaseline', False)])
def test_is_predefined_name(name, expected):
    assert is_predefined_name(name) is expected
