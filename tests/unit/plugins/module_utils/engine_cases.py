# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builders for engine tests: canonical baselines, rules, universes and candidate records.

The canonical baseline is the shape ``_baseline.normalise_baseline`` returns
(docs/DESIGN.md); ``baseline()`` fills every field with its AWS default so a test
names only what it is about.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import (
    Candidate,
    InstalledPackage,
    Universe,
)

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 2, 1, 12, 0, 0, tzinfo=UTC)

OPERATING_SYSTEM = {'apt': 'UBUNTU', 'dnf': 'REDHAT_ENTERPRISE_LINUX', 'zypper': 'SUSE'}
PRODUCT = {'apt': 'Ubuntu24.04', 'dnf': 'RedhatEnterpriseLinux9.4', 'zypper': 'Suse15.6'}


def day(text, hour=0):
    """``'2026-01-03'`` -> aware UTC datetime."""
    return datetime.datetime.strptime(text, '%Y-%m-%d').replace(hour=hour, tzinfo=UTC)


def patch_filter(key, *values):
    return {'key': key, 'values': list(values)}


def rule(*filters, **options):
    """One approval rule; ``days`` (default 0) or ``until``, ``level``, ``non_security``."""
    until = options.get('until')
    return {
        'patch_filter_group': {'patch_filters': list(filters)},
        'approve_after_days': None if until else options.get('days', 0),
        'approve_until_date': until,
        'compliance_level': options.get('level', 'UNSPECIFIED'),
        'enable_non_security': options.get('non_security', False),
    }


def baseline(family='dnf', rules=(), global_filters=(), approved=(), rejected=(), action='ALLOW_AS_DEPENDENCY',
             approved_level='UNSPECIFIED', approved_non_security=False, operating_system=None):
    """A canonical baseline with AWS defaults for everything not given."""
    return {
        'name': 'EngineTest',
        'baseline_id': None,
        'operating_system': operating_system or OPERATING_SYSTEM[family],
        'description': None,
        'global_filters': {'patch_filters': list(global_filters)},
        'approval_rules': {'patch_rules': list(rules)},
        'approved_patches': list(approved),
        'approved_patches_compliance_level': approved_level,
        'approved_patches_enable_non_security': approved_non_security,
        'rejected_patches': list(rejected),
        'rejected_patches_action': action,
        'sources': [],
    }


def installed(name, version, arch='x86_64', installed_time=None):
    return InstalledPackage(name, arch, version, installed_time=installed_time)


def rpm_record(name, version, arch='x86_64', advisory=None, classification=None, severity=None, released=None,
               cves=(), bugzillas=(), security=None):
    """A dnf/zypper record; it is security exactly when it has an advisory (DESIGN)."""
    return Candidate(name, arch, version, repository='updates',
                     security=bool(advisory) if security is None else security, advisory_id=advisory,
                     classification=classification, severity=severity,
                     release_date=day(released) if isinstance(released, str) else released,
                     cve_ids=cves, bugzilla_ids=bugzillas)


def advisory_record(name, version, advisory='FLEET-2026:0001', classification='Security', severity='Critical',
                    released='2026-01-03', **kwargs):
    """A record seen through an updateinfo notice / zypper patch."""
    return rpm_record(name, version, advisory=advisory, classification=classification, severity=severity,
                      released=released, **kwargs)


def apt_record(name, version, arch='amd64', security=False, priority='optional', section='utils'):
    """An apt record: classification is Security for security pockets, no dates, no CVEs."""
    return Candidate(name, arch, version, repository='noble-security' if security else 'noble-updates',
                     security=security, classification='Security' if security else None,
                     priority=priority, section=section)


def universe(family, packages, candidates, product=None, operating_system=None):
    return Universe(family, operating_system or OPERATING_SYSTEM[family],
                    PRODUCT[family] if product is None else product, packages, candidates)


def by_name(evaluation):
    """``{kb_id: patch}`` of an evaluation."""
    return dict((patch['kb_id'], patch) for patch in evaluation.patches)
