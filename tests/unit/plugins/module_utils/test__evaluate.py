# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline engine, one case per rule or trap (ssm-semantics §2.2, §3, §4, §5; CONTRACT decisions).

Each case states what a user would check in the ``patches`` result: the state, the
approved version, the compliance level and the sentence saying why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._compliance import summarise
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BaselineValidationError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._predefined import get_predefined
from ansible_collections.fleetops.patch_manager.plugins.module_utils._evaluate import (
    advisory_records_suffice,
    evaluate,
    order_versions,
)
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.engine_cases import (
    NOW,
    UTC,
    advisory_record,
    apt_record,
    baseline,
    by_name,
    day,
    installed,
    patch_filter,
    rpm_record,
    rule,
    universe,
)

SECURITY_CRITICAL = rule(patch_filter('CLASSIFICATION', 'Security'), patch_filter('SEVERITY', 'Critical'),
                         days=7, level='CRITICAL')
ANY_SECURITY = rule(patch_filter('CLASSIFICATION', '*'), days=0)
ANY_UPDATE = rule(days=0, non_security=True)


def case(case_id, family, rules=(), packages=(), records=(), expect=None, **options):
    """One table row: baseline options go to ``baseline``; ``expect`` maps kb_id -> expectations."""
    return pytest.param(family, rules, packages, records, expect or {}, options, id=case_id)


def _evaluate_case(family, rules, packages, records, options):
    options = dict(options)
    product = options.pop('product', None)
    operating_system = options.pop('operating_system', None)
    resolver = options.pop('resolver', None)
    when = options.pop('now', NOW)
    options.pop('not_applicable', None)
    options.pop('targets', None)
    return evaluate(baseline(family, rules=rules, operating_system=operating_system, **options),
                    universe(family, packages, records, product=product, operating_system=operating_system),
                    when, dependency_resolver=resolver)


CASES = [
    # -- rules, filters and their combination (§2.2) --------------------------------------
    case('rule-approves-security-update-missing', 'dnf', [SECURITY_CRITICAL],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', released='2026-01-03')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'CRITICAL',
                         'Approved by rule 1 (CLASSIFICATION=Security, SEVERITY=Critical; 7 days after 2026-01-03); '
                         '1.2-3 is available and 1.0-1 is installed.')}),
    case('filter-values-are-ored', 'dnf', [rule(patch_filter('SEVERITY', 'Critical', 'Important'))],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', severity='Important')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', 'rule 1 (SEVERITY=Important; 0 days after')}),
    case('filters-in-a-group-are-anded', 'dnf', [SECURITY_CRITICAL],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', severity='Low')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         'No approved version: rule 1 needs SEVERITY Critical and 1.2-3 has Low.')}),
    case('rules-are-ored-and-the-highest-level-wins', 'dnf',
         [rule(patch_filter('CLASSIFICATION', 'Security'), level='LOW'),
          rule(patch_filter('SEVERITY', 'Critical'), level='HIGH'),
          rule(patch_filter('SEVERITY', 'Low'), level='CRITICAL')],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'HIGH', 'Approved by rule 2 (SEVERITY=Critical;')}),
    case('star-matches-a-missing-value', 'dnf', [rule(patch_filter('SEVERITY', '*'))],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', classification='Bugfix', severity=None)],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', 'Approved by rule 1 (any update;')}),
    case('absent-attribute-fails-a-non-star-filter', 'dnf', [rule(patch_filter('SEVERITY', 'Critical'))],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', classification='Bugfix', severity=None)],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED', 'rule 1 needs SEVERITY Critical and 1.2-3 has no SEVERITY')}),
    case('classification-and-severity-compare-case-insensitively', 'dnf', [SECURITY_CRITICAL],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', classification='security', severity='critical')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'CRITICAL', 'CLASSIFICATION=security, SEVERITY=critical')}),
    case('global-filters-and-the-rule-must-both-pass', 'dnf', [ANY_SECURITY],
         [installed('foo', '0:1.0-1'), installed('bar', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-3', severity='Low'), advisory_record('bar', '0:1.2-3', severity='Critical')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         'No approved version: the global filter needs SEVERITY Critical or Important and 1.2-3 has Low.'),
          'bar.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', 'Approved by rule 1')},
         global_filters=[patch_filter('SEVERITY', 'Critical', 'Important')]),
    case('rule-product-other-than-the-node-approves-nothing', 'dnf',
         [rule(patch_filter('PRODUCT', 'RedhatEnterpriseLinux8.10'), patch_filter('CLASSIFICATION', 'Security'))],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         'rule 1 needs PRODUCT RedhatEnterpriseLinux8.10 and the node is RedhatEnterpriseLinux9.4')}),
    case('rule-product-of-the-node-approves', 'dnf',
         [rule(patch_filter('PRODUCT', 'RedhatEnterpriseLinux8.10', 'RedhatEnterpriseLinux9.4'))],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', 'Approved by rule 1')}),
    case('global-product-mismatch-approves-nothing-by-rule', 'dnf', [ANY_SECURITY],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         'the global filter needs PRODUCT AmazonLinux2023 and the node is RedhatEnterpriseLinux9.4')},
         global_filters=[patch_filter('PRODUCT', 'AmazonLinux2023')]),
    case('al2023-medium-also-matches-moderate', 'dnf', [rule(patch_filter('SEVERITY', 'Medium'), level='MEDIUM')],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', severity='Moderate')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'MEDIUM', 'SEVERITY=Moderate')},
         operating_system='AMAZON_LINUX_2023', product='AmazonLinux2023'),
    case('medium-does-not-match-moderate-outside-al2023', 'dnf', [rule(patch_filter('SEVERITY', 'Medium'))],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', severity='Moderate')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED', 'needs SEVERITY Medium and 1.2-3 has Moderate')}),
    # -- security gate (§3.7) ------------------------------------------------------------
    case('non-security-update-needs-enable-non-security', 'dnf', [rule(days=0)],
         [installed('foo', '0:1.0-1')], [rpm_record('foo', '0:1.3-1')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         'No approved version: 1.3-1 is a non-security update and rule 1 does not enable '
                         'non-security updates.')}),
    case('enable-non-security-approves-notice-less-updates', 'dnf', [ANY_UPDATE],
         [installed('foo', '0:1.0-1')], [rpm_record('foo', '0:1.3-1')],
         {'foo.x86_64': ('MISSING', '0:1.3-1', 'UNSPECIFIED', 'Approved by rule 1 (any update; no release date)')}),
    case('security-gate-is-per-rule', 'dnf', [rule(level='HIGH'), rule(level='LOW', non_security=True)],
         [installed('foo', '0:1.0-1')], [rpm_record('foo', '0:1.3-1')],
         {'foo.x86_64': ('MISSING', '0:1.3-1', 'LOW', 'Approved by rule 2')}),
    case('zypper-waives-the-security-gate', 'zypper', [rule(days=0)],
         [installed('foo', '0:1.0-1')], [rpm_record('foo', '0:1.3-1')],
         {'foo.x86_64': ('MISSING', '0:1.3-1', 'UNSPECIFIED', 'Approved by rule 1')}),
    case('zypper-waives-the-gate-for-the-approved-list', 'zypper', [],
         [installed('foo', '0:1.0-1')], [rpm_record('foo', '0:1.3-1')],
         {'foo.x86_64': ('MISSING', '0:1.3-1', 'UNSPECIFIED', "Approved by ApprovedPatches entry 'foo'")},
         approved=['foo']),
    case('zypper-category-is-the-classification', 'zypper',
         [rule(patch_filter('CLASSIFICATION', 'Recommended'), patch_filter('SEVERITY', 'Moderate'), level='LOW')],
         [installed('foo', '0:1.0-1')],
         [advisory_record('foo', '0:1.3-1', advisory='SUSE-SLE-Module-Basesystem-15-SP6-2026-11',
                          classification='recommended', severity='moderate')],
         {'foo.x86_64': ('MISSING', '0:1.3-1', 'LOW', 'CLASSIFICATION=recommended, SEVERITY=moderate')}),
    # -- dates (§3.8) ----------------------------------------------------------------------
    case('approve-after-days-not-yet-passed', 'dnf', [rule(days=7)],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', released=NOW - datetime.timedelta(days=7))],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         'rule 1 approves 1.2-3 only after 2026-02-01 (7 days after 2026-01-25)')}),
    case('approve-after-days-just-passed', 'dnf', [rule(days=7)],
         [installed('foo', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-3', released=NOW - datetime.timedelta(days=7, seconds=1))],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', '7 days after 2026-01-25')}),
    case('approve-until-date-counts-the-whole-day', 'dnf', [rule(until='2026-01-03')],
         [installed('foo', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-3', released=day('2026-01-03', hour=23))],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', 'released 2026-01-03, by 2026-01-03')}),
    case('approve-until-date-excludes-the-next-day', 'dnf', [rule(until='2026-01-03')],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', released='2026-01-04')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         'rule 1 approves only updates released by 2026-01-03 and 1.2-3 was released 2026-01-04')}),
    case('missing-release-date-is-approved-at-once', 'dnf', [rule(days=360)],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', released=None)],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', 'no release date')}),
    case('dates-are-compared-in-utc', 'dnf', [rule(days=1)],
         [installed('foo', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-3', released=datetime.datetime(
             2026, 1, 31, 13, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', '1 day after 2026-01-31')}),
    # -- target version (§3.1 step 6, §11.1) ------------------------------------------------
    case('highest-approved-version-not-the-newest', 'dnf', [rule(days=7)],
         [installed('foo', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-3', released='2026-01-03'),
          advisory_record('foo', '0:1.3-1', advisory='FLEET-2026:0002', released='2026-01-30')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', '1.2-3 is available and 1.0-1 is installed')}),
    case('epoch-outranks-version', 'dnf', [ANY_SECURITY],
         [installed('foo', '0:2.0-1')], [advisory_record('foo', '1:1.0-1')],
         {'foo.x86_64': ('MISSING', '1:1.0-1', 'UNSPECIFIED', '1:1.0-1 is available and 2.0-1 is installed')}),
    case('same-version-in-two-notices-reports-the-highest-compliance', 'dnf',
         [rule(patch_filter('CLASSIFICATION', 'Bugfix'), level='LOW'),
          rule(patch_filter('CLASSIFICATION', 'Security'), level='CRITICAL')],
         [installed('foo', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-3', advisory='FLEET-2026:0001', classification='Bugfix', severity=None),
          advisory_record('foo', '0:1.2-3', advisory='FLEET-2026:0002', classification='Security', severity='Critical')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'CRITICAL', 'Approved by rule 2 (CLASSIFICATION=Security;')}),
    case('installed-at-the-approved-version', 'dnf', [ANY_SECURITY],
         [installed('foo', '0:1.2-3')], [advisory_record('foo', '0:1.2-3', severity='Important')],
         {'foo.x86_64': ('INSTALLED', '0:1.2-3', 'UNSPECIFIED', 'Approved by rule 1 (any update; 0 days after '
                                                                '2026-01-03); 1.2-3 is installed.')}),
    case('installed-above-the-highest-approved-version', 'dnf', [ANY_SECURITY],
         [installed('foo', '0:2.0-1')], [advisory_record('foo', '0:1.5-1')],
         {'foo.x86_64': ('INSTALLED', '0:1.5-1', 'UNSPECIFIED', 'above the highest approved version 1.5-1')}),
    case('installed-with-only-unapproved-updates-is-installed-other', 'dnf', [SECURITY_CRITICAL],
         [installed('foo', '0:1.0-1')], [rpm_record('foo', '0:1.0-1'), rpm_record('foo', '0:1.1-1')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED', '1.1-1 is a non-security update')}),
    case('no-repository-offers-the-package', 'dnf', [ANY_UPDATE],
         [installed('local-tool', '0:1.0-1', arch='noarch')], [],
         {'local-tool.noarch': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                                'No approved version: no repository offers local-tool.noarch.')}),
    case('only-older-unapproved-versions-are-explained', 'dnf', [SECURITY_CRITICAL],
         [installed('foo', '0:2.0-1')], [rpm_record('foo', '0:1.9-1')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         'No approved version: 1.9-1 is a non-security update and rule 1 does not enable '
                         'non-security updates.')}),
    case('newest-of-several-installed-versions-counts', 'dnf', [ANY_SECURITY],
         [installed('kernel', '0:5.14.0-400.el9'), installed('kernel', '0:5.14.0-427.el9')],
         [advisory_record('kernel', '0:5.14.0-427.el9'), advisory_record('kernel', '0:5.14.0-500.el9')],
         {'kernel.x86_64': ('MISSING', '0:5.14.0-500.el9', 'UNSPECIFIED', '5.14.0-427.el9 is installed')}),
    # -- approved list (§3.7, §4.3, CONTRACT) ------------------------------------------------
    case('approved-list-bypasses-global-filters-and-rules', 'dnf', [],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3', severity='Low')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'HIGH', "Approved by ApprovedPatches entry 'foo'; 1.2-3 is available")},
         approved=['foo'], approved_level='HIGH', global_filters=[patch_filter('SEVERITY', 'Critical')]),
    case('approved-list-needs-security-or-its-flag', 'dnf', [],
         [installed('foo', '0:1.0-1')], [rpm_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         "1.2-3 matches ApprovedPatches entry 'foo' but is a non-security update and "
                         "approved_patches_enable_non_security is false")},
         approved=['foo']),
    case('approved-list-non-security-flag', 'dnf', [],
         [installed('foo', '0:1.0-1')], [rpm_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', "ApprovedPatches entry 'foo'")},
         approved=['foo'], approved_non_security=True),
    case('approved-advisory-approves-all-its-packages', 'dnf', [],
         [installed('foo', '0:1.0-1'), installed('libfoo', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-3', advisory='RHSA-2026:0042'),
          advisory_record('libfoo', '0:1.2-3', advisory='RHSA-2026:0042'),
          advisory_record('libfoo', '0:1.3-1', advisory='RHSA-2026:0050')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'MEDIUM', "ApprovedPatches entry 'RHSA-2026:0042'"),
          'libfoo.x86_64': ('MISSING', '0:1.2-3', 'MEDIUM', "ApprovedPatches entry 'RHSA-2026:0042'")},
         approved=['RHSA-2026:0042'], approved_level='MEDIUM'),
    case('approved-list-and-rule-give-the-higher-level', 'dnf', [rule(level='LOW')],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'HIGH', "ApprovedPatches entry 'foo*'")},
         approved=['foo*'], approved_level='HIGH'),
    case('no-rules-and-no-list-entry', 'dnf', [],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         '1.2-3 is named by no ApprovedPatches entry and the baseline has no approval rules')}),
    # -- rejected list (§4.2, §4.4, CONTRACT) ----------------------------------------------
    case('rejected-beats-the-approved-list', 'dnf', [],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.2-3')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         "Rejected by RejectedPatches entry 'FOO' (ALLOW_AS_DEPENDENCY); 1.0-1 is installed.")},
         approved=['foo'], rejected=['FOO']),
    case('rejected-version-falls-back-to-the-next-approved', 'dnf', [ANY_SECURITY],
         [installed('foo', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-3'), advisory_record('foo', '0:1.3-1', advisory='FLEET-2026:0002')],
         {'foo.x86_64': ('MISSING', '0:1.2-3', 'UNSPECIFIED', '1.2-3 is available')},
         rejected=['foo-1.3*']),
    case('rejected-newer-version-only-is-explained', 'dnf', [ANY_SECURITY],
         [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.3-1')],
         {'foo.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                         "No approved version: 1.3-1 is rejected by RejectedPatches entry 'foo-1.3*'.")},
         rejected=['foo-1.3*']),
    case('installed-rejected-with-allow-as-dependency-is-installed-other', 'dnf', [ANY_SECURITY],
         [installed('openssl', '1:3.0.7-27.el9')], [advisory_record('openssl', '1:3.0.7-28.el9')],
         {'openssl.x86_64': ('INSTALLED_OTHER', None, 'UNSPECIFIED',
                             "Rejected by RejectedPatches entry 'openssl*' (ALLOW_AS_DEPENDENCY)")},
         rejected=['openssl*']),
    case('installed-rejected-with-block', 'dnf', [ANY_SECURITY],
         [installed('openssl', '1:3.0.7-27.el9')], [advisory_record('openssl', '1:3.0.7-28.el9')],
         {'openssl.x86_64': ('INSTALLED_REJECTED', None, 'UNSPECIFIED',
                             "Rejected by RejectedPatches entry 'openssl*' (BLOCK); 1:3.0.7-27.el9 is installed.")},
         rejected=['openssl*'], action='BLOCK'),
    case('zypper-rejected-patch-name-rejects-its-version', 'zypper', [ANY_UPDATE],
         [installed('foo', '0:1.0-1')],
         [advisory_record('foo', '0:1.2-1', advisory='SUSE-2026-1'), advisory_record('foo', '0:1.3-1', advisory='SUSE-2026-2')],
         {'foo.x86_64': ('MISSING', '0:1.2-1', 'UNSPECIFIED', '1.2-1 is available')},
         rejected=['SUSE-2026-2']),
    # -- apt (§3.5, CONTRACT) ----------------------------------------------------------------
    case('apt-non-security-pocket-needs-enable-non-security', 'apt', [rule(patch_filter('PRIORITY', '*'))],
         [installed('curl', '8.5.0-2ubuntu10.1', arch='amd64')], [apt_record('curl', '8.5.0-2ubuntu10.6')],
         {'curl.amd64': ('INSTALLED_OTHER', None, 'UNSPECIFIED', '8.5.0-2ubuntu10.6 is a non-security update')}),
    case('apt-security-pocket-classification-and-priority', 'apt', [rule(patch_filter('PRIORITY', '*'))],
         [installed('curl', '8.5.0-2ubuntu10.1', arch='amd64')],
         [apt_record('curl', '8.5.0-2ubuntu10.4', security=True), apt_record('curl', '8.5.0-2ubuntu10.6')],
         {'curl.amd64': ('MISSING', '8.5.0-2ubuntu10.4', 'UNSPECIFIED',
                         'Approved by rule 1 (any update); 8.5.0-2ubuntu10.4 is available and 8.5.0-2ubuntu10.1 is installed.')}),
    case('apt-priority-compares-case-insensitively', 'apt', [rule(patch_filter('PRIORITY', 'Required'), level='HIGH')],
         [installed('libc6', '2.39-0ubuntu8.3', arch='amd64')],
         [apt_record('libc6', '2.39-0ubuntu8.4', security=True, priority='required')],
         {'libc6.amd64': ('MISSING', '2.39-0ubuntu8.4', 'HIGH', 'PRIORITY=required')}),
    case('apt-section-compares-exactly', 'apt', [rule(patch_filter('SECTION', 'Admin'))],
         [installed('sudo', '1.9.15p5-3ubuntu5', arch='amd64')],
         [apt_record('sudo', '1.9.15p5-3ubuntu5.1', security=True, section='admin')],
         {'sudo.amd64': ('INSTALLED_OTHER', None, 'UNSPECIFIED', 'needs SECTION Admin and 1.9.15p5-3ubuntu5.1 has admin')}),
    case('apt-ignores-dates', 'apt', [rule(days=360), rule(until='2020-01-01')],
         [installed('curl', '8.5.0-2ubuntu10.1', arch='amd64')], [apt_record('curl', '8.5.0-2ubuntu10.4', security=True)],
         {'curl.amd64': ('MISSING', '8.5.0-2ubuntu10.4', 'UNSPECIFIED', 'Approved by rule 1 (any update);')}),
    case('apt-approved-list-bypasses-global-filters', 'apt', [rule(patch_filter('PRIORITY', 'Required'))],
         [installed('curl', '8.5.0-2ubuntu10.1', arch='amd64')], [apt_record('curl', '8.5.0-2ubuntu10.4', security=True)],
         {'curl.amd64': ('MISSING', '8.5.0-2ubuntu10.4', 'UNSPECIFIED', "ApprovedPatches entry 'curl'")},
         approved=['curl'], global_filters=[patch_filter('PRIORITY', 'Required')]),
    case('apt-epoch-ordering', 'apt', [ANY_UPDATE],
         [installed('vim', '2:9.1.0016-1ubuntu7.2', arch='amd64')],
         [apt_record('vim', '2:9.1.0016-1ubuntu7.10'), apt_record('vim', '9.2-1')],
         {'vim.amd64': ('MISSING', '2:9.1.0016-1ubuntu7.10', 'UNSPECIFIED', '2:9.1.0016-1ubuntu7.10 is available')}),
]


@pytest.mark.parametrize('family, rules, packages, records, expect, options', CASES)
def test_engine_case(family, rules, packages, records, expect, options):
    evaluation = _evaluate_case(family, rules, packages, records, options)
    patches = by_name(evaluation)
    assert sorted(patches) == sorted(set('%s.%s' % (package.name, package.arch) for package in packages))
    for kb_id, (state, approved_version, level, reason) in expect.items():
        patch = patches[kb_id]
        assert (patch['state'], patch['approved_version'], patch['compliance_level']) == (state, approved_version, level), \
            patch['reason']
        assert reason in patch['reason']
        # One sentence: it ends with the only full stop that follows a word.
        assert patch['reason'].endswith('.') and '. ' not in patch['reason']


# -- reported fields (§5.2) ------------------------------------------------------------------

def test_missing_reports_the_target_record_and_cves_of_every_skipped_version():
    evaluation = evaluate(
        baseline('dnf', rules=[rule(days=7, level='HIGH')]),
        universe('dnf', [installed('foo', '0:1.0-1', installed_time=datetime.datetime(2025, 12, 1, 8, 30, tzinfo=UTC))], [
            advisory_record('foo', '0:1.0-1', advisory='FLEET-2025:0009', cves=('CVE-2025-0009',)),
            advisory_record('foo', '0:1.1-1', advisory='FLEET-2026:0001', cves=('CVE-2026-0001',), released='2026-01-02'),
            advisory_record('foo', '0:1.2-3', advisory='FLEET-2026:0002', cves=('CVE-2026-0002', 'CVE-2026-0001'),
                            severity='Important', released='2026-01-03'),
            advisory_record('foo', '0:1.3-1', advisory='FLEET-2026:0003', cves=('CVE-2026-0003',), released='2026-01-31'),
        ]), NOW)
    assert evaluation.patches == [{
        'title': 'foo.x86_64:0:1.2-3',
        'kb_id': 'foo.x86_64',
        'classification': 'Security',
        'severity': 'Important',
        'state': 'MISSING',
        'installed_time': '2025-12-01T08:30:00Z',
        'cve_ids': ['CVE-2026-0001', 'CVE-2026-0002'],
        'name': 'foo',
        'arch': 'x86_64',
        'installed_version': '0:1.0-1',
        'approved_version': '0:1.2-3',
        'compliance_level': 'HIGH',
        'advisory_ids': ['FLEET-2026:0001', 'FLEET-2026:0002'],
        'release_date': '2026-01-03T00:00:00Z',
        'reason': 'Approved by rule 1 (any update; 7 days after 2026-01-03); 1.2-3 is available and 1.0-1 is installed.',
    }]
    assert evaluation.install_targets == [('foo', 'x86_64', '0:1.2-3')]


def test_installed_reports_the_approving_record_at_the_installed_version_and_no_cves():
    patch = evaluate(
        baseline('dnf', rules=[rule(patch_filter('CLASSIFICATION', 'Security'), level='CRITICAL')]),
        universe('dnf', [installed('foo', '0:1.2-3')], [
            advisory_record('foo', '0:1.2-3', advisory='FLEET-2026:0002', severity='Important', cves=('CVE-2026-2',)),
            advisory_record('foo', '0:1.2-3', advisory='FLEET-2026:0003', classification='Bugfix', severity='Low'),
        ]), NOW).patches[0]
    assert (patch['state'], patch['title'], patch['classification'], patch['severity'], patch['cve_ids'],
            patch['advisory_ids'], patch['compliance_level']) == (
        'INSTALLED', 'foo.x86_64:0:1.2-3', 'Security', 'Important', [], ['FLEET-2026:0002'], 'CRITICAL')


def test_installed_other_reports_no_classification_or_severity():
    patch = evaluate(baseline('dnf', rules=[SECURITY_CRITICAL]),
                     universe('dnf', [installed('foo', '0:1.0-1')], [advisory_record('foo', '0:1.1-1', severity='Low')]),
                     NOW).patches[0]
    assert (patch['state'], patch['classification'], patch['severity'], patch['release_date'], patch['cve_ids']) == (
        'INSTALLED_OTHER', None, None, None, [])


def test_apt_reports_priority_as_severity_title_without_epoch_and_never_cves():
    record = apt_record('openssl', '3.0.13-0ubuntu3.4', security=True, priority='important')
    record.cve_ids = ('CVE-2024-0727',)  # even if a backend filled them, apt never reports CVEs
    patch = evaluate(baseline('apt', rules=[rule(patch_filter('PRIORITY', 'Important'))]),
                     universe('apt', [installed('openssl', '3.0.13-0ubuntu3.1', arch='amd64')], [record]), NOW).patches[0]
    assert (patch['state'], patch['title'], patch['kb_id'], patch['classification'], patch['severity'],
            patch['cve_ids'], patch['release_date']) == (
        'MISSING', 'openssl.amd64:3.0.13-0ubuntu3.4', 'openssl.amd64', 'Security', 'important', [], None)


def test_patches_are_sorted_by_name_and_arch():
    packages = [installed('zlib', '0:1-1'), installed('glibc', '0:1-1', arch='x86_64'),
                installed('glibc', '0:1-1', arch='i686'), installed('bash', '0:1-1')]
    patches = evaluate(baseline('dnf'), universe('dnf', packages, []), NOW).patches
    assert [(patch['name'], patch['arch']) for patch in patches] == [
        ('bash', 'x86_64'), ('glibc', 'i686'), ('glibc', 'x86_64'), ('zlib', 'x86_64')]


# -- NOT_APPLICABLE (§3.1 step 7, §11.12) ------------------------------------------------------

def test_not_applicable_counts_approved_name_arch_that_are_not_installed():
    evaluation = evaluate(
        baseline('dnf', rules=[ANY_SECURITY], rejected=['rejected-tool']),
        universe('dnf', [installed('foo', '0:1.0-1')], [
            advisory_record('foo', '0:1.2-3'),
            advisory_record('bar', '0:1.0-1'), advisory_record('bar', '0:1.1-1'),   # one name+arch, counted once
            advisory_record('bar', '0:1.1-1', arch='i686'),                          # another arch: counted
            rpm_record('baz', '0:1.0-1'),                                            # not approved (no notice)
            advisory_record('rejected-tool', '0:1.0-1'),                             # rejected
            advisory_record('foo', '0:1.2-3', arch='i686'),                          # other arch of an installed name
        ]), NOW)
    assert evaluation.not_applicable_count == 3
    assert [patch['kb_id'] for patch in evaluation.patches] == ['foo.x86_64']


# -- BLOCK and dependencies (§4.4) -----------------------------------------------------------

class RecordingResolver(object):
    """Stands in for the backend's dependency closure (a real one needs a package manager)."""

    def __init__(self, closures):
        self.closures = closures
        self.calls = []

    def __call__(self, name, arch, version):
        self.calls.append((name, arch, version))
        return self.closures.get((name, arch, version), [])


def test_block_keeps_an_update_needing_a_rejected_dependency_missing_and_out_of_the_targets():
    resolver = RecordingResolver({('app', 'x86_64', '0:2.0-1'): [('app', 'x86_64', '0:2.0-1'),
                                                                 ('libbad', 'x86_64', '0:2.0-1')]})
    evaluation = evaluate(
        baseline('dnf', rules=[ANY_SECURITY], rejected=['libbad*'], action='BLOCK'),
        universe('dnf', [installed('app', '0:1.0-1'), installed('other', '0:1.0-1')],
                 [advisory_record('app', '0:2.0-1'), advisory_record('other', '0:1.1-1')]),
        NOW, dependency_resolver=resolver)
    patches = by_name(evaluation)
    assert patches['app.x86_64']['state'] == 'MISSING'
    assert patches['app.x86_64']['reason'] == (
        'Approved by rule 1 (any update; 0 days after 2026-01-03); 2.0-1 is available and 1.0-1 is installed, '
        "but the update needs libbad.x86_64 2.0-1, which RejectedPatches entry 'libbad*' blocks.")
    assert 'blocked' not in patches['app.x86_64']
    assert evaluation.install_targets == [('other', 'x86_64', '0:1.1-1')]
    assert sorted(resolver.calls) == [('app', 'x86_64', '0:2.0-1'), ('other', 'x86_64', '0:1.1-1')]


@pytest.mark.parametrize('action, rejected', [('ALLOW_AS_DEPENDENCY', ['libbad*']), ('BLOCK', [])])
def test_resolver_is_only_asked_with_block_and_a_rejected_list(action, rejected):
    resolver = RecordingResolver({('app', 'x86_64', '0:2.0-1'): [('libbad', 'x86_64', '0:2.0-1')]})
    evaluation = evaluate(baseline('dnf', rules=[ANY_SECURITY], rejected=rejected, action=action),
                          universe('dnf', [installed('app', '0:1.0-1')], [advisory_record('app', '0:2.0-1')]),
                          NOW, dependency_resolver=resolver)
    assert resolver.calls == []
    assert evaluation.install_targets == [('app', 'x86_64', '0:2.0-1')]


def test_resolver_is_not_asked_for_packages_already_at_their_target():
    resolver = RecordingResolver({})
    evaluate(baseline('dnf', rules=[ANY_SECURITY], rejected=['libbad'], action='BLOCK'),
             universe('dnf', [installed('app', '0:2.0-1')], [advisory_record('app', '0:2.0-1')]),
             NOW, dependency_resolver=resolver)
    assert resolver.calls == []


# -- end to end with the counters ----------------------------------------------------------

def test_summary_of_an_evaluation():
    evaluation = evaluate(
        baseline('dnf', rules=[SECURITY_CRITICAL, rule(patch_filter('CLASSIFICATION', 'Bugfix'), days=0)],
                 rejected=['telnet'], action='BLOCK'),
        universe('dnf', [installed('foo', '0:1.0-1'), installed('bar', '0:1.0-1'), installed('telnet', '0:1.0-1'),
                         installed('baz', '0:1.1-1')],
                 [advisory_record('foo', '0:1.2-3'), advisory_record('bar', '0:1.1-1', classification='Bugfix'),
                  advisory_record('baz', '0:1.1-1', classification='Bugfix'), advisory_record('qux', '0:1.0-1')]),
        NOW)
    summary = summarise(evaluation.patches, evaluation.not_applicable_count)
    assert summary == {
        'installed_count': 1, 'installed_other_count': 0, 'installed_pending_reboot_count': 0,
        'installed_rejected_count': 1, 'missing_count': 2, 'failed_count': 0, 'not_applicable_count': 1,
        'critical_non_compliant_count': 1, 'security_non_compliant_count': 1, 'other_non_compliant_count': 2,
        'compliance_status': 'NON_COMPLIANT', 'non_compliant_severity': 'CRITICAL',
    }


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize('bad, path, allowed', [
    ({'global_filters': {'patch_filters': [patch_filter('MSRC_SEVERITY', 'Critical')]}},
     'global_filters.patch_filters[0].key', 'CLASSIFICATION, PRIORITY, PRODUCT, SECTION, SEVERITY'),
    ({'approval_rules': {'patch_rules': [rule(level='SEVERE')]}},
     'approval_rules.patch_rules[0].compliance_level', 'UNSPECIFIED, INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL'),
    ({'approval_rules': {'patch_rules': [rule(until='03/01/2026')]}},
     'approval_rules.patch_rules[0].approve_until_date', 'YYYY-MM-DD'),
])
def test_a_baseline_the_engine_cannot_evaluate_names_the_field(bad, path, allowed):
    document = baseline('dnf')
    document.update(bad)
    with pytest.raises(BaselineValidationError) as raised:
        evaluate(document, universe('dnf', [installed('foo', '0:1-1')], [advisory_record('foo', '0:2-1')]), NOW)
    assert raised.value.path == path
    assert allowed in str(raised.value)


# -- version order around the installed version ----------------------------------------

def test_versions_are_split_around_the_installed_one_newest_first():
    # 0:1.00-1 equals 0:1.0-1 for rpm: it is "the same" version, not newer or older.
    versions = {'0:1.0-1': [], '0:1.00-1': [], '0:1.10-1': [], '0:1.2-1': [], '0:0.9-1': []}
    newer, same, older = order_versions('dnf', versions, '0:1.0-1')
    assert newer == ['0:1.10-1', '0:1.2-1']
    assert sorted(same) == ['0:1.0-1', '0:1.00-1']
    assert older == ['0:0.9-1']


def test_an_installed_version_no_repository_offers_is_in_no_list():
    assert order_versions('apt', {'1.0-1': [], '2.0-1': []}, '1.5-1') == (['2.0-1'], [], ['1.0-1'])


# -- advisory-only hint (the property test checks it against evaluate) --------------------

@pytest.mark.parametrize('family, document, expected', [
    ('dnf', baseline(rules=[rule(patch_filter('CLASSIFICATION', 'Security'))]), True),
    ('dnf', baseline(rules=[rule(patch_filter('CLASSIFICATION', '*'))]), True),  # the security gate stops notice-less records
    ('dnf', baseline(rules=[rule(patch_filter('CLASSIFICATION', '*'), non_security=True)]), False),
    ('dnf', baseline(rules=[rule(non_security=True)]), False),
    ('dnf', baseline(rules=[rule(patch_filter('SEVERITY', 'Critical'), non_security=True)]), True),
    ('dnf', baseline(rules=[rule(non_security=True)], global_filters=[patch_filter('CLASSIFICATION', 'Bugfix')]), True),
    ('dnf', baseline(rules=[rule(patch_filter('PRODUCT', 'RedhatEnterpriseLinux9.4'), non_security=True)]), False),
    ('dnf', baseline(approved=['openssl'], approved_non_security=True), False),
    ('dnf', baseline(approved=['openssl'], approved_non_security=False), True),
    ('dnf', baseline(approved=['RHSA-2026:0001', 'CVE-2026-1234', '1000001'], approved_non_security=True), True),
    ('dnf', baseline(approved=['RHSA-2026:0001', 'open*'], approved_non_security=True), False),
    ('zypper', baseline('zypper', rules=[rule()]), False),  # SUSE has no security gate (§3.4)
    ('zypper', baseline('zypper', rules=[rule(patch_filter('CLASSIFICATION', 'Security'))]), True),
    ('zypper', baseline('zypper', approved=['vim']), False),
    ('zypper', baseline('zypper', approved=['CVE-2026-1234']), True),
    # apt: whether a version that is not a security update can be approved
    ('apt', baseline('apt', rules=[rule(patch_filter('PRIORITY', 'Required'))]), True),
    ('apt', baseline('apt'), True),
    ('apt', baseline('apt', rules=[rule(patch_filter('PRIORITY', 'Required'), non_security=True)]), False),
    ('apt', baseline('apt', approved=['openssl'], approved_non_security=True), False),
    ('apt', baseline('apt', approved=['openssl'], approved_non_security=False), True),
])
def test_advisory_records_suffice(family, document, expected):
    assert advisory_records_suffice(document, family) is expected


@pytest.mark.parametrize('name, family, expected', [
    ('AWS-RedHatDefaultPatchBaseline', 'dnf', True),
    ('AWS-AmazonLinux2023DefaultPatchBaseline', 'dnf', True),
    ('AWS-SuseDefaultPatchBaseline', 'zypper', True),
    ('AWS-UbuntuDefaultPatchBaseline', 'apt', True),
    ('AWS-DebianDefaultPatchBaseline', 'apt', True),
])
def test_predefined_baselines_need_only_advisory_or_security_records(name, family, expected):
    assert advisory_records_suffice(get_predefined(name), family) is expected


# -- an installed version no repository offers: judged on what the package database records --

def test_an_installed_version_only_the_package_database_has_is_approved_on_its_own_attributes():
    from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import DatabaseRecord
    rules = [rule(patch_filter('PRIORITY', 'Optional'), patch_filter('SECTION', 'admin'), non_security=True)]
    packages = [installed('kilo', '1.0-1', arch='amd64'), installed('lima', '2.0-1', arch='amd64')]
    records = [DatabaseRecord('kilo', 'amd64', '1.0-1', priority='optional', section='admin'),
               DatabaseRecord('lima', 'amd64', '2.0-1', priority='optional', section='web'),
               apt_record('lima', '1.0-1', section='web')]
    patches = by_name(evaluate(baseline('apt', rules=rules), universe('apt', packages, records), NOW))
    kilo, lima = patches['kilo.amd64'], patches['lima.amd64']
    assert (kilo['state'], kilo['approved_version'], kilo['severity']) == ('INSTALLED', '1.0-1', 'optional')
    assert kilo['reason'] == ('Approved by rule 1 (PRIORITY=optional, SECTION=admin) as the package database records '
                              '1.0-1, which no repository offers; it is installed.')
    assert lima['state'] == 'INSTALLED_OTHER'
    assert lima['reason'] == ('No approved version: no repository offers lima.amd64 2.0-1; as the package database '
                              'records it, rule 1 needs SECTION admin and 2.0-1 has web.')


def test_an_installed_version_only_the_package_database_has_is_never_security_on_apt():
    from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import DatabaseRecord
    packages = [installed('kilo', '1.0-1', arch='amd64')]
    records = [DatabaseRecord('kilo', 'amd64', '1.0-1', priority='required', section='admin')]
    kilo = by_name(evaluate(get_predefined('AWS-UbuntuDefaultPatchBaseline'), universe('apt', packages, records),
                            NOW))['kilo.amd64']
    assert kilo['state'] == 'INSTALLED_OTHER'
    assert 'non-security update' in kilo['reason']
