# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Baseline model: both shapes, every validation rule, round trips, document loading."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import json
import os

import pytest
from hypothesis import given, strategies as st

from ansible_collections.fleetops.patch_manager.plugins.module_utils._baseline import (
    COMPLIANCE_LEVELS, OPERATING_SYSTEMS, filter_keys_for, filter_values_for, load_baseline_document, normalise_baseline,
    to_aws_shape,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BaselineValidationError

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')


def fixture_text(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def aws_ubuntu():
    return {
        'Name': 'Ubuntu-Web',
        'OperatingSystem': 'UBUNTU',
        'GlobalFilters': {'PatchFilters': [{'Key': 'PRODUCT', 'Values': ['*']}]},
        'ApprovalRules': {'PatchRules': [{
            'PatchFilterGroup': {'PatchFilters': [{'Key': 'PRIORITY', 'Values': ['Required', 'Important']}]},
            'ApproveAfterDays': 7,
        }]},
    }


def aws_rhel():
    return {
        'Name': 'RHEL-Prod',
        'OperatingSystem': 'REDHAT_ENTERPRISE_LINUX',
        'ApprovalRules': {'PatchRules': [{
            'PatchFilterGroup': {'PatchFilters': [{'Key': 'CLASSIFICATION', 'Values': ['Security']},
                                                  {'Key': 'SEVERITY', 'Values': ['Critical']}]},
            'ApproveAfterDays': 7,
        }]},
    }


def yaml_suse():
    return {
        'name': 'suse-prod',
        'operating_system': 'SUSE',
        'approval_rules': {'patch_rules': [{
            'patch_filter_group': {'patch_filters': [{'key': 'CLASSIFICATION', 'values': ['Security']}]},
            'approve_after_days': 7,
        }]},
    }


def aws_windows():
    return {
        'Name': 'Windows-Servers',
        'ApprovalRules': {'PatchRules': [{
            'PatchFilterGroup': {'PatchFilters': [{'Key': 'MSRC_SEVERITY', 'Values': ['Critical']}]},
            'ApproveAfterDays': 7,
        }]},
    }


def edited(factory, edit):
    document = factory()
    edit(document)
    return document


def set_path(document, dotted, value):
    """Set a nested key given as 'A.B[0].C' in a test document."""
    target = document
    parts = dotted.replace('[', '.[').split('.')
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith('[') else target[part]
    last = parts[-1]
    if last.startswith('['):
        target[int(last[1:-1])] = value
    else:
        target[last] = value
    return document


def aws_rule(path_value_pairs, factory=aws_rhel):
    document = factory()
    for dotted, value in path_value_pairs:
        set_path(document, dotted, value)
    return document


RULE0 = 'ApprovalRules.PatchRules[0]'
FILTER0 = RULE0 + '.PatchFilterGroup.PatchFilters[0]'
SUSE_FILTER0 = 'approval_rules.patch_rules[0].patch_filter_group.patch_filters[0]'

# (id, document, expected path, expected fragment of the problem)
INVALID = [
    ('not-a-mapping', ['Name'], 'baseline', 'must be a mapping, not a list'),
    ('name-missing', {'OperatingSystem': 'UBUNTU'}, 'Name', 'is required'),
    ('name-too-short', aws_rule([('Name', 'ab')]), 'Name', "'ab' does not match ^[a-zA-Z0-9_\\-.]{3,128}$"),
    ('name-bad-characters', aws_rule([('Name', 'my baseline')]), 'Name', 'does not match'),
    ('name-too-long', aws_rule([('Name', 'x' * 129)]), 'Name', 'does not match'),
    ('name-not-string', aws_rule([('Name', 12345)]), 'Name', 'must be a string, not an integer'),
    ('operating-system-enum', aws_rule([('OperatingSystem', 'FEDORA')]), 'OperatingSystem',
     "'FEDORA' is not one of WINDOWS, AMAZON_LINUX, AMAZON_LINUX_2"),
    ('operating-system-case', aws_rule([('OperatingSystem', 'ubuntu')]), 'OperatingSystem', "'ubuntu' is not one of"),
    ('description-too-long', aws_rule([('Description', 'd' * 1025)]), 'Description',
     'length 1025 is outside 1..1024 characters'),
    ('baseline-id-pattern', aws_rule([('BaselineId', 'pb-123')]), 'BaselineId', "'pb-123' does not match"),
    ('unknown-top-level-key', aws_rule([('ApprovedPatchs', [])]), 'ApprovedPatchs',
     'unknown key; allowed keys here: Name, OperatingSystem, Description, GlobalFilters, ApprovalRules'),
    ('unknown-key-in-rule', aws_rule([(RULE0 + '.ApproveAfterDay', 3)]), RULE0 + '.ApproveAfterDay',
     'unknown key; allowed keys here: PatchFilterGroup, ApproveAfterDays, ApproveUntilDate'),
    ('unknown-key-in-filter', aws_rule([(FILTER0 + '.Value', ['x'])]), FILTER0 + '.Value',
     'unknown key; allowed keys here: Key, Values'),
    ('write-only-key-refused', aws_rule([('ClientToken', 'abc')]), 'ClientToken', 'unknown key'),
    ('mixed-top-level', aws_rule([('rejected_patches', ['x'])]), 'baseline',
     'mixes the AWS shape (ApprovalRules, Name, OperatingSystem) and the YAML shape (rejected_patches)'),
    ('mixed-nested', aws_rule([(RULE0 + '.approve_after_days', 3)]), RULE0 + '.approve_after_days',
     "this document uses the AWS (PascalCase) shape, so write 'ApproveAfterDays'"),
    ('mixed-nested-yaml', edited(yaml_suse, lambda d: d['approval_rules']['patch_rules'][0].update(ComplianceLevel='HIGH')),
     'approval_rules.patch_rules[0].ComplianceLevel', "YAML (snake_case) shape, so write 'compliance_level'"),
    ('only-unknown-snake-keys', {'nmae': 'x'}, 'nmae', 'allowed keys here: name, operating_system'),
    ('global-filters-not-mapping', aws_rule([('GlobalFilters', [])]), 'GlobalFilters', 'must be a mapping, not a list'),
    ('too-many-rules', aws_rule([('ApprovalRules.PatchRules', [aws_rhel()['ApprovalRules']['PatchRules'][0]] * 11)]),
     'ApprovalRules.PatchRules', 'has 11 entries; at most 10 are allowed'),
    ('too-many-global-filters', aws_rule([('GlobalFilters', {'PatchFilters': [{'Key': 'PRODUCT', 'Values': ['*']}] * 5})]),
     'GlobalFilters.PatchFilters', 'has 5 entries; at most 4 are allowed'),
    ('too-many-rule-filters', aws_rule([(RULE0 + '.PatchFilterGroup.PatchFilters', [{'Key': 'PRODUCT', 'Values': ['*']}] * 5)]),
     RULE0 + '.PatchFilterGroup.PatchFilters', 'has 5 entries; at most 4 are allowed'),
    ('too-many-values', aws_rule([(FILTER0 + '.Key', 'PRODUCT'), (FILTER0 + '.Values', ['p%d' % n for n in range(21)])]),
     FILTER0 + '.Values', 'has 21 entries; at most 20 are allowed'),
    ('no-values', aws_rule([(FILTER0 + '.Values', [])]), FILTER0 + '.Values', 'must have at least 1 entry'),
    ('values-not-list', aws_rule([(FILTER0 + '.Values', 'Security')]), FILTER0 + '.Values', 'must be a list, not a string'),
    ('value-too-long', aws_rule([(FILTER0 + '.Key', 'PRODUCT'), (FILTER0 + '.Values', ['p' * 65])]),
     FILTER0 + '.Values[0]', 'length 65 is outside 1..64 characters'),
    ('filter-key-missing', aws_rule([(FILTER0, {'Values': ['*']})]), FILTER0 + '.Key', 'is required'),
    ('filter-key-not-in-enum', aws_rule([(FILTER0 + '.Key', 'CLASSIFICATON')]), FILTER0 + '.Key',
     "'CLASSIFICATON' is not one of PRODUCT, CLASSIFICATION, SEVERITY (the filter keys for REDHAT_ENTERPRISE_LINUX baselines)"),
    ('priority-on-rhel', aws_rule([(FILTER0 + '.Key', 'PRIORITY')]), FILTER0 + '.Key',
     "'PRIORITY' is not one of PRODUCT, CLASSIFICATION, SEVERITY (the filter keys for REDHAT_ENTERPRISE_LINUX"),
    ('classification-on-ubuntu', aws_rule([(FILTER0 + '.Key', 'CLASSIFICATION')], aws_ubuntu), FILTER0 + '.Key',
     "'CLASSIFICATION' is not one of PRODUCT, PRIORITY, SECTION (the filter keys for UBUNTU baselines)"),
    ('msrc-severity-on-suse', edited(yaml_suse, lambda d: set_path(d, SUSE_FILTER0 + '.key', 'MSRC_SEVERITY')),
     'approval_rules.patch_rules[0].patch_filter_group.patch_filters[0].key', 'PRODUCT, CLASSIFICATION, SEVERITY'),
    ('severity-on-windows', aws_rule([(FILTER0 + '.Key', 'SEVERITY')], aws_windows), FILTER0 + '.Key',
     'PATCH_SET, PRODUCT, PRODUCT_FAMILY, CLASSIFICATION, MSRC_SEVERITY (the filter keys for WINDOWS'),
    ('section-on-debian-global', aws_rule([('OperatingSystem', 'DEBIAN'),
                                           ('GlobalFilters.PatchFilters[0].Key', 'ADVISORY_ID')], aws_ubuntu),
     'GlobalFilters.PatchFilters[0].Key', "'ADVISORY_ID' is not one of PRODUCT, PRIORITY, SECTION"),
    ('classification-value-rhel', aws_rule([(FILTER0 + '.Values', ['Security', 'security'])]), FILTER0 + '.Values[1]',
     "'security' is not one of Security, Bugfix, Enhancement, Recommended, Newpackage, * (CLASSIFICATION values for "
     "REDHAT_ENTERPRISE_LINUX)"),
    ('severity-value-rhel', aws_rule([(RULE0 + '.PatchFilterGroup.PatchFilters[1].Values', ['Medium'])]),
     RULE0 + '.PatchFilterGroup.PatchFilters[1].Values[0]', "'Medium' is not one of Critical, Important, Moderate, Low, *"),
    ('severity-value-al2', aws_rule([('OperatingSystem', 'AMAZON_LINUX_2'),
                                     (RULE0 + '.PatchFilterGroup.PatchFilters[1].Values', ['Moderate'])]),
     RULE0 + '.PatchFilterGroup.PatchFilters[1].Values[0]', "'Moderate' is not one of Critical, Important, Medium, Low, *"),
    ('severity-none-only-al2023', aws_rule([('OperatingSystem', 'AMAZON_LINUX_2'),
                                            (RULE0 + '.PatchFilterGroup.PatchFilters[1].Values', ['None'])]),
     RULE0 + '.PatchFilterGroup.PatchFilters[1].Values[0]', "'None' is not one of"),
    ('classification-value-suse', edited(yaml_suse, lambda d: set_path(d, SUSE_FILTER0 + '.values', ['Bugfix'])),
     'approval_rules.patch_rules[0].patch_filter_group.patch_filters[0].values[0]',
     "'Bugfix' is not one of Security, Recommended, Optional, Feature, Document, Yast, *"),
    ('priority-value', aws_rule([(FILTER0 + '.Values', ['required'])], aws_ubuntu), FILTER0 + '.Values[0]',
     "'required' is not one of Required, Important, Standard, Optional, Extra, * (PRIORITY values for UBUNTU)"),
    ('section-too-long', aws_rule([(FILTER0, {'Key': 'SECTION', 'Values': ['s' * 65]})], aws_ubuntu),
     FILTER0 + '.Values[0]', 'length 65 is outside 1..64'),
    ('msrc-severity-value', aws_rule([(FILTER0 + '.Values', ['Medium'])], aws_windows), FILTER0 + '.Values[0]',
     "'Medium' is not one of Critical, Important, Moderate, Low, Unspecified, *"),
    ('windows-classification-value', aws_rule([(FILTER0, {'Key': 'CLASSIFICATION', 'Values': ['Security']})], aws_windows),
     FILTER0 + '.Values[0]', "'Security' is not one of CriticalUpdates, DefinitionUpdates"),
    ('patch-set-value', aws_rule([(FILTER0, {'Key': 'PATCH_SET', 'Values': ['APPS']})], aws_windows),
     FILTER0 + '.Values[0]', "'APPS' is not one of OS, APPLICATION, *"),
    ('approve-after-days-high', aws_rule([(RULE0 + '.ApproveAfterDays', 400)]), RULE0 + '.ApproveAfterDays',
     '400 is outside 0..360'),
    ('approve-after-days-negative', aws_rule([(RULE0 + '.ApproveAfterDays', -1)]), RULE0 + '.ApproveAfterDays',
     '-1 is outside 0..360'),
    ('approve-after-days-string', aws_rule([(RULE0 + '.ApproveAfterDays', '7')]), RULE0 + '.ApproveAfterDays',
     'must be an integer, not a string'),
    ('approve-after-days-bool', aws_rule([(RULE0 + '.ApproveAfterDays', True)]), RULE0 + '.ApproveAfterDays',
     'must be an integer, not a boolean'),
    ('both-days-and-date', aws_rule([(RULE0 + '.ApproveUntilDate', '2024-01-31')]), RULE0,
     'give exactly one of ApproveAfterDays and ApproveUntilDate (both are set)'),
    ('neither-days-nor-date', aws_rule([(RULE0 + '.ApproveAfterDays', None)]), RULE0,
     'give exactly one of ApproveAfterDays and ApproveUntilDate (neither is set)'),
    ('neither-days-nor-date-suse', edited(yaml_suse, lambda d: d['approval_rules']['patch_rules'][0].pop('approve_after_days')),
     'approval_rules.patch_rules[0]', 'give exactly one of approve_after_days and approve_until_date (neither is set)'),
    ('until-date-not-real', aws_rule([(RULE0, {'PatchFilterGroup': {'PatchFilters': []}, 'ApproveUntilDate': '2023-02-30'})]),
     RULE0 + '.ApproveUntilDate', "'2023-02-30' is not a real date in the form YYYY-MM-DD"),
    ('until-date-format', aws_rule([(RULE0, {'PatchFilterGroup': {'PatchFilters': []}, 'ApproveUntilDate': '2023-2-3'})]),
     RULE0 + '.ApproveUntilDate', "'2023-2-3' is not a real date in the form YYYY-MM-DD"),
    ('until-date-too-long', aws_rule([(RULE0, {'PatchFilterGroup': {'PatchFilters': []}, 'ApproveUntilDate': '2023-02-03T00'})]),
     RULE0 + '.ApproveUntilDate', 'length 13 is outside 1..10 characters'),
    ('filter-group-missing', aws_rule([(RULE0, {'ApproveAfterDays': 1})]), RULE0 + '.PatchFilterGroup', 'is required'),
    ('compliance-level-enum', aws_rule([(RULE0 + '.ComplianceLevel', 'SEVERE')]), RULE0 + '.ComplianceLevel',
     "'SEVERE' is not one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNSPECIFIED"),
    ('enable-non-security-string', aws_rule([(RULE0 + '.EnableNonSecurity', 'yes')]), RULE0 + '.EnableNonSecurity',
     'must be true or false, not a string'),
    ('enable-non-security-windows', aws_rule([(RULE0 + '.EnableNonSecurity', True)], aws_windows), RULE0 + '.EnableNonSecurity',
     'applies to Linux baselines only, not WINDOWS'),
    ('approved-compliance-level-enum', aws_rule([('ApprovedPatchesComplianceLevel', 'critical')]),
     'ApprovedPatchesComplianceLevel', "'critical' is not one of CRITICAL, HIGH"),
    ('rejected-action-enum', aws_rule([('RejectedPatchesAction', 'SOMETIMES')]), 'RejectedPatchesAction',
     "'SOMETIMES' is not one of ALLOW_AS_DEPENDENCY, BLOCK"),
    ('approved-patches-too-many', aws_rule([('ApprovedPatches', ['pkg%d' % n for n in range(51)])]), 'ApprovedPatches',
     'has 51 entries; at most 50 are allowed'),
    ('rejected-patches-too-many', aws_rule([('RejectedPatches', ['pkg%d' % n for n in range(51)])]), 'RejectedPatches',
     'has 51 entries; at most 50 are allowed'),
    ('approved-entry-too-long', aws_rule([('ApprovedPatches', ['p' * 101])]), 'ApprovedPatches[0]',
     'length 101 is outside 1..100 characters'),
    ('approved-entry-empty', aws_rule([('ApprovedPatches', [''])]), 'ApprovedPatches[0]', 'length 0 is outside 1..100'),
    ('approved-entry-not-string', aws_rule([('ApprovedPatches', [123])]), 'ApprovedPatches[0]', 'must be a string, not an integer'),
    ('rejected-advisory-on-rhel', aws_rule([('RejectedPatches', ['bash', 'RHSA-2017:0864'])]), 'RejectedPatches[1]',
     "'RHSA-2017:0864' is an advisory ID; on REDHAT_ENTERPRISE_LINUX advisory, CVE and Bugzilla IDs are accepted only in the"
     " approved list"),
    ('rejected-cve-on-al2023', aws_rule([('OperatingSystem', 'AMAZON_LINUX_2023'), ('RejectedPatches', ['CVE-2023-1234'])]),
     'RejectedPatches[0]', "'CVE-2023-1234' is a CVE ID"),
    ('rejected-bugzilla-on-rhel', aws_rule([('RejectedPatches', ['1234567'])]), 'RejectedPatches[0]', 'is a Bugzilla ID'),
    ('rpm-entry-with-space', aws_rule([('ApprovedPatches', ['kernel 5.14'])]), 'ApprovedPatches[0]',
     "'kernel 5.14' is not a package name form"),
    ('apt-entry-with-version', aws_rule([('ApprovedPatches', ['openssl=3.0.2-0ubuntu1'])], aws_ubuntu), 'ApprovedPatches[0]',
     "'openssl=3.0.2-0ubuntu1' is not a bare package name; on UBUNTU the list takes package names only"),
    ('apt-entry-with-epoch', aws_rule([('RejectedPatches', ['vim:2:8.2'])], aws_ubuntu), 'RejectedPatches[0]',
     'is not a bare package name'),
    ('apt-entry-with-arch', aws_rule([('RejectedPatches', ['openssl.amd64'])], aws_ubuntu), 'RejectedPatches[0]',
     'is not a bare package name'),
    ('windows-entry', aws_rule([('ApprovedPatches', ['KB4480056', 'openssl'])], aws_windows), 'ApprovedPatches[1]',
     "'openssl' is not a KB ID (KB1234567) or MSRC bulletin ID (MS10-048)"),
    ('macos-wildcard', aws_rule([('OperatingSystem', 'MACOS'), ('GlobalFilters', {'PatchFilters': []}),
                                 ('ApprovalRules', {'PatchRules': []}), ('ApprovedPatches', ['Safari*'])]),
     'ApprovedPatches[0]', 'contains a wildcard; on MACOS the list takes exact names only'),
    ('suse-entry-with-slash', edited(yaml_suse, lambda d: d.update(rejected_patches=['repo/pkg'])), 'rejected_patches[0]',
     "'repo/pkg' is not a zypper patch name or package file name"),
    ('sources-on-windows', aws_rule([('Sources', [{'Name': 'abc', 'Products': ['*'], 'Configuration': 'x'}])], aws_windows),
     'Sources', 'alternative patch sources apply to Linux baselines only, not WINDOWS'),
    ('too-many-sources', aws_rule([('Sources', [{'Name': 'src%d' % n, 'Products': ['*'], 'Configuration': 'x'}
                                                for n in range(21)])]),
     'Sources', 'has 21 entries; at most 20 are allowed'),
    ('source-name-pattern', aws_rule([('Sources', [{'Name': 'my repo', 'Products': ['*'], 'Configuration': 'x'}])]),
     'Sources[0].Name', "'my repo' does not match ^[a-zA-Z0-9_\\-.]{3,50}$"),
    ('source-too-many-products',
     aws_rule([('Sources', [{'Name': 'repo', 'Products': ['p%d' % n for n in range(21)], 'Configuration': 'x'}])]),
     'Sources[0].Products', 'has 21 entries; at most 20 are allowed'),
    ('source-no-products', aws_rule([('Sources', [{'Name': 'repo', 'Products': [], 'Configuration': 'x'}])]),
     'Sources[0].Products', 'must have at least 1 entry'),
    ('source-configuration-too-long', aws_rule([('Sources', [{'Name': 'repo', 'Products': ['*'], 'Configuration': 'x' * 1025}])]),
     'Sources[0].Configuration', 'length 1025 is outside 1..1024'),
    ('source-configuration-missing', aws_rule([('Sources', [{'Name': 'repo', 'Products': ['*']}])]),
     'Sources[0].Configuration', 'is required'),
    ('security-status-enum', aws_rule([('AvailableSecurityUpdatesComplianceStatus', 'MAYBE')], aws_windows),
     'AvailableSecurityUpdatesComplianceStatus', "'MAYBE' is not one of COMPLIANT, NON_COMPLIANT"),
    ('security-status-linux', aws_rule([('AvailableSecurityUpdatesComplianceStatus', 'COMPLIANT')]),
     'AvailableSecurityUpdatesComplianceStatus', 'applies to WINDOWS baselines only, not REDHAT_ENTERPRISE_LINUX'),
    ('operating-system-missing', edited(yaml_suse, lambda d: d.pop('operating_system')),
     'approval_rules.patch_rules[0].patch_filter_group.patch_filters[0].values[0]',
     "'Security' is not one of CriticalUpdates, DefinitionUpdates, Drivers, FeaturePacks, SecurityUpdates, ServicePacks, "
     "Tools, UpdateRollups, Updates, Upgrades, * (CLASSIFICATION values for WINDOWS); operating_system is not set, so the "
     "baseline is for WINDOWS (the AWS default)"),
    ('yaml-path-names', edited(yaml_suse, lambda d: set_path(d, 'approval_rules.patch_rules[0].approve_after_days', 361)),
     'approval_rules.patch_rules[0].approve_after_days', '361 is outside 0..360'),
]


@pytest.mark.parametrize('document, path, problem', [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_baselines_name_the_field(document, path, problem):
    before = copy.deepcopy(document)
    with pytest.raises(BaselineValidationError) as caught:
        normalise_baseline(document)
    assert caught.value.path == path
    assert problem in caught.value.problem
    assert str(caught.value) == '%s: %s' % (path, caught.value.problem)
    assert document == before  # nothing half-applied to the caller's data


def test_example_message_from_the_contract():
    document = aws_rule([(RULE0 + '.ApproveAfterDays', 400)])
    with pytest.raises(BaselineValidationError, match=r'^ApprovalRules\.PatchRules\[0\]\.ApproveAfterDays: 400 is outside 0\.\.360$'):
        normalise_baseline(document)


@pytest.mark.parametrize('operating_system, keys', [
    ('UBUNTU', ('PRODUCT', 'PRIORITY', 'SECTION')),
    ('DEBIAN', ('PRODUCT', 'PRIORITY', 'SECTION')),
    ('RASPBIAN', ('PRODUCT', 'PRIORITY', 'SECTION')),
    ('REDHAT_ENTERPRISE_LINUX', ('PRODUCT', 'CLASSIFICATION', 'SEVERITY')),
    ('AMAZON_LINUX_2023', ('PRODUCT', 'CLASSIFICATION', 'SEVERITY')),
    ('SUSE', ('PRODUCT', 'CLASSIFICATION', 'SEVERITY')),
    ('WINDOWS', ('PATCH_SET', 'PRODUCT', 'PRODUCT_FAMILY', 'CLASSIFICATION', 'MSRC_SEVERITY')),
    ('MACOS', ('PRODUCT', 'CLASSIFICATION')),
])
def test_filter_keys_per_operating_system(operating_system, keys):
    assert filter_keys_for(operating_system) == keys


def test_get_patch_baseline_output_is_accepted_untouched():
    document = json.loads(fixture_text('test__baseline-get-patch-baseline-rhel.json'))
    baseline = normalise_baseline(document)
    assert baseline['name'] == 'RHEL9-Production'
    assert baseline['baseline_id'] == 'pb-0c10e65780EXAMPLE'
    assert baseline['operating_system'] == 'REDHAT_ENTERPRISE_LINUX'
    assert baseline['global_filters'] == {'patch_filters': [
        {'key': 'PRODUCT', 'values': ['RedhatEnterpriseLinux9.4', 'RedhatEnterpriseLinux9.5']}]}
    first, second = baseline['approval_rules']['patch_rules']
    assert first == {
        'patch_filter_group': {'patch_filters': [{'key': 'CLASSIFICATION', 'values': ['Security']},
                                                 {'key': 'SEVERITY', 'values': ['Critical', 'Important']}]},
        'approve_after_days': 3, 'approve_until_date': None, 'compliance_level': 'CRITICAL', 'enable_non_security': False,
    }
    assert (second['approve_after_days'], second['approve_until_date'], second['enable_non_security']) == (None, '2025-06-30', True)
    assert baseline['approved_patches'] == ['RHSA-2024:3339', 'CVE-2024-6387', '2284040', 'openssh-server-8.7p1-38.el9_4.4.x86_64']
    assert baseline['rejected_patches_action'] == 'BLOCK'
    assert baseline['sources'][0]['name'] == 'rhel9-frozen-baseos'
    assert baseline['sources'][0]['configuration'].startswith('[rhel9-frozen-baseos]\nname=')
    # Read-only keys are accepted and not carried into the canonical form.
    assert 'patch_groups' not in baseline and 'created_date' not in baseline


def test_yaml_shape_equals_aws_shape():
    aws = normalise_baseline(load_baseline_document(fixture_text('test__baseline-get-patch-baseline-rhel.json'), 'rhel.json'))
    yaml_shape = normalise_baseline(load_baseline_document(fixture_text('test__baseline-rhel.yml'), 'rhel.yml'))
    assert yaml_shape == aws


def test_defaults_are_filled_in():
    baseline = normalise_baseline({'Name': 'minimal'})
    assert baseline == {
        'name': 'minimal', 'baseline_id': None, 'operating_system': 'WINDOWS', 'description': None,
        'global_filters': {'patch_filters': []}, 'approval_rules': {'patch_rules': []},
        'approved_patches': [], 'approved_patches_compliance_level': 'UNSPECIFIED',
        'approved_patches_enable_non_security': False, 'rejected_patches': [],
        'rejected_patches_action': 'ALLOW_AS_DEPENDENCY', 'sources': [],
    }


def test_windows_security_updates_compliance_status_is_kept():
    document = aws_windows()
    document['AvailableSecurityUpdatesComplianceStatus'] = 'NON_COMPLIANT'
    baseline = normalise_baseline(document)
    assert baseline['available_security_updates_compliance_status'] == 'NON_COMPLIANT'
    assert to_aws_shape(baseline)['AvailableSecurityUpdatesComplianceStatus'] == 'NON_COMPLIANT'
    assert 'available_security_updates_compliance_status' not in normalise_baseline(aws_windows())


def test_read_only_aws_keys_are_accepted():
    document = aws_ubuntu()
    document.update(BaselineId='arn:aws:ssm:us-east-1:075727635805:patchbaseline/pb-0c10e65780EXAMPLE',
                    CreatedDate='2024-01-01T00:00:00+00:00', ModifiedDate='2024-01-02T00:00:00+00:00',
                    PatchGroups=['web'], Description='x', DefaultBaseline=True,
                    ResponseMetadata={'RequestId': 'abc', 'HTTPStatusCode': 200})
    baseline = normalise_baseline(document)
    assert baseline['baseline_id'].endswith('pb-0c10e65780EXAMPLE')
    assert baseline['description'] == 'x'


@pytest.mark.parametrize('operating_system', ['UBUNTU', 'DEBIAN', 'RASPBIAN'])
def test_apt_rules_may_omit_the_approval_delay(operating_system):
    # AWS: "must specify ApproveAfterDays ... Exception: not supported on Debian Server or Ubuntu Server".
    document = aws_rule([('OperatingSystem', operating_system), (RULE0 + '.ApproveAfterDays', None)], aws_ubuntu)
    rule = normalise_baseline(document)['approval_rules']['patch_rules'][0]
    assert (rule['approve_after_days'], rule['approve_until_date']) == (None, None)
    assert normalise_baseline(to_aws_shape(normalise_baseline(document))) == normalise_baseline(document)


def test_apt_rules_still_refuse_both_delays():
    document = aws_rule([(RULE0 + '.ApproveUntilDate', '2024-01-31')], aws_ubuntu)
    with pytest.raises(BaselineValidationError, match=r'^ApprovalRules\.PatchRules\[0\]: give exactly one of .* \(both are set\)$'):
        normalise_baseline(document)


def test_yaml_date_object_is_accepted():
    document = yaml_suse()
    rule = document['approval_rules']['patch_rules'][0]
    del rule['approve_after_days']
    rule['approve_until_date'] = datetime.date(2024, 2, 29)
    assert normalise_baseline(document)['approval_rules']['patch_rules'][0]['approve_until_date'] == '2024-02-29'


@pytest.mark.parametrize('factory, field, entries', [
    (aws_rhel, 'ApprovedPatches', ['RHSA-2017:0864', 'ALAS2-2023-1234', 'ALAS-2018-123', 'CVE-2018-1234567', '1234567',
                                   'dbus', 'dbus.x86_64', 'dbus-1.12.28', 'dbus-1:1.12.28-1.amzn2023.0.1.x86_64',
                                   '1:1.12.28-1.amzn2023.0.1', 'dbus.x86_64:1:1.12.28-1.amzn2023.0.1', 'dbus*',
                                   'dbus-*:1.12.28-1.amzn2023.0.1.x86_64', 'python3.11-libs']),
    (aws_rhel, 'RejectedPatches', ['kernel*', 'NetworkManager-1.40.0', 'java-1.8.0-openjdk.x86_64', 'gnome-pkg1[!0-4]*']),
    (aws_ubuntu, 'ApprovedPatches', ['ExamplePkg33', 'libssl3', 'python3.11', 'g++-12', 'linux-image-*']),
    (yaml_suse, 'rejected_patches', ['SUSE-SLE-Example-Package-15-2023-123', 'SUSE-SLE-Example-Package-15-2023-*',
                                     'example-pkg-2023.15.4-46.17.1.x86_64.rpm', 'example-pkg-2023.15.4-46.17.1.*.rpm']),
    (aws_windows, 'RejectedPatches', ['KB2032276', 'MS10-048', 'kb4480056']),
], ids=['rpm-approved', 'rpm-rejected', 'apt', 'suse', 'windows'])
def test_valid_patch_list_entries(factory, field, entries):
    document = factory()
    document[field] = entries
    snake = field if field.islower() else {'ApprovedPatches': 'approved_patches', 'RejectedPatches': 'rejected_patches'}[field]
    assert normalise_baseline(document)[snake] == entries


def test_normalise_returns_new_objects():
    document = aws_rhel()
    baseline = normalise_baseline(document)
    baseline['approval_rules']['patch_rules'][0]['patch_filter_group']['patch_filters'][0]['values'].append('Bugfix')
    assert document == aws_rhel()


def test_round_trip_of_fixtures():
    for name in ('test__baseline-get-patch-baseline-rhel.json', 'test__baseline-get-patch-baseline-ubuntu.json'):
        baseline = normalise_baseline(json.loads(fixture_text(name)))
        aws = to_aws_shape(baseline)
        assert normalise_baseline(aws) == baseline
        assert normalise_baseline(json.loads(json.dumps(aws))) == baseline


def test_to_aws_shape_matches_what_aws_prints():
    document = json.loads(fixture_text('test__baseline-get-patch-baseline-ubuntu.json'))
    aws = to_aws_shape(normalise_baseline(document))
    for read_only in ('CreatedDate', 'ModifiedDate', 'PatchGroups'):
        document.pop(read_only)
    assert aws == document


# --- generated canonical baselines round-trip --------------------------------------

def _filters(operating_system):
    def one(key):
        allowed = filter_values_for(operating_system, key)
        values = st.sampled_from(('*',) + allowed) if allowed else st.text('abcdefgh0123456789.', min_size=1, max_size=10)
        return st.fixed_dictionaries({'key': st.just(key), 'values': st.lists(values, min_size=1, max_size=20)})
    return st.lists(st.sampled_from(filter_keys_for(operating_system)).flatmap(one), max_size=4)


@st.composite
def canonical_baselines(draw):
    operating_system = draw(st.sampled_from([os_name for os_name in OPERATING_SYSTEMS if os_name != 'MACOS']))
    linux = operating_system != 'WINDOWS'
    days = st.integers(0, 360)
    dates = st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)).map(lambda day: day.isoformat())

    def rule():
        delays = ['days', 'date'] + (['neither'] if operating_system in ('UBUNTU', 'DEBIAN', 'RASPBIAN') else [])
        delay = draw(st.sampled_from(delays))
        return {
            'patch_filter_group': {'patch_filters': draw(_filters(operating_system))},
            'approve_after_days': draw(days) if delay == 'days' else None,
            'approve_until_date': draw(dates) if delay == 'date' else None,
            'compliance_level': draw(st.sampled_from(COMPLIANCE_LEVELS)),
            'enable_non_security': draw(st.booleans()) if linux else False,
        }
    names = st.from_regex(r'\A[a-z][a-z0-9.+-]{2,20}\Z') if operating_system != 'WINDOWS' else st.from_regex(r'\AKB[0-9]{5,8}\Z')
    baseline = {
        'name': draw(st.from_regex(r'\A[a-zA-Z0-9_.-]{3,40}\Z')),
        'baseline_id': draw(st.one_of(st.none(), st.from_regex(r'\Apb-[0-9a-f]{17}\Z'))),
        'operating_system': operating_system,
        'description': draw(st.one_of(st.none(), st.text(min_size=1, max_size=50))),
        'global_filters': {'patch_filters': draw(_filters(operating_system))},
        'approval_rules': {'patch_rules': [rule() for dummy in range(draw(st.integers(0, 3)))]},
        'approved_patches': draw(st.lists(names, max_size=5)),
        'approved_patches_compliance_level': draw(st.sampled_from(COMPLIANCE_LEVELS)),
        'approved_patches_enable_non_security': draw(st.booleans()) if linux else False,
        'rejected_patches': draw(st.lists(names, max_size=5)),
        'rejected_patches_action': draw(st.sampled_from(['ALLOW_AS_DEPENDENCY', 'BLOCK'])),
        'sources': draw(st.lists(st.fixed_dictionaries({
            'name': st.from_regex(r'\A[a-z0-9_.-]{3,50}\Z'),
            'products': st.lists(st.sampled_from(['*', 'Ubuntu22.04', 'RedhatEnterpriseLinux9.4']), min_size=1, max_size=3),
            'configuration': st.text(min_size=1, max_size=100),
        }), max_size=2)) if linux else [],
    }
    status = None if linux else draw(st.sampled_from([None, 'COMPLIANT', 'NON_COMPLIANT']))
    if status:
        baseline['available_security_updates_compliance_status'] = status
    return baseline


@given(canonical_baselines())
def test_generated_baselines_round_trip(baseline):
    assert normalise_baseline(baseline) == baseline
    assert normalise_baseline(to_aws_shape(baseline)) == baseline


# --- documents ------------------------------------------------------------------

def test_load_json_document():
    data = load_baseline_document(fixture_text('test__baseline-get-patch-baseline-ubuntu.json'), 'ubuntu.json')
    assert data['Name'] == 'Ubuntu-Web-Servers'


def test_load_yaml_list_document():
    text = '- Name: one-baseline\n  OperatingSystem: UBUNTU\n- name: two-baseline\n  operating_system: SUSE\n'
    data = load_baseline_document(text, 'override.yml')
    assert [normalise_baseline(item)['name'] for item in data] == ['one-baseline', 'two-baseline']


@pytest.mark.parametrize('text, problem', [
    ('', 'is empty'),
    ('# nothing here\n', 'is empty'),
    ('Name: [unclosed', 'is not valid YAML or JSON'),
    ('just a string', 'must hold a baseline mapping or a list of them, not a string'),
    ('42', 'must hold a baseline mapping or a list of them, not an integer'),
], ids=['empty', 'comment-only', 'broken-yaml', 'scalar-string', 'scalar-number'])
def test_load_bad_documents(text, problem):
    with pytest.raises(BaselineValidationError) as caught:
        load_baseline_document(text, 'baselines/web.yml')
    assert caught.value.path == 'baselines/web.yml'
    assert problem in caught.value.problem
