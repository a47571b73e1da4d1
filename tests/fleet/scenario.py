# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The package universe the test fleet's repositories serve, for all three families.

Every node starts with the BASELINE_INSTALLED versions. The repositories carry one
security update (``fleet-base``) and one non-security update (``fleet-tool``), so a
Scan reports two missing patches under FLEET_BASELINE and an Install fixes both.
The FAULT_* packages are installed only by the fault tests that need them.
"""

from tests.support.specs import AdvisorySpec, PackageSpec

BASE_OLD = PackageSpec('fleet-base', '1.0', summary='fleet test package with a security update')
BASE_NEW = PackageSpec('fleet-base', '1.1', summary='fleet test package with a security update')
TOOL_OLD = PackageSpec('fleet-tool', '2.0', summary='fleet test package with a bugfix update')
TOOL_NEW = PackageSpec('fleet-tool', '2.1', summary='fleet test package with a bugfix update')
# Fault tests: an update whose maintainer script / %post fails, and a large update that
# fills a small disk or takes long enough to be interrupted.
BROKEN_OLD = PackageSpec('fleet-broken', '1.0', summary='fleet test package whose update fails')
BROKEN_NEW = PackageSpec('fleet-broken', '1.1', postinst_fails=True, summary='fleet test package whose update fails')
BIG_OLD = PackageSpec('fleet-big', '1.0', summary='large fleet test package')
BIG_NEW = PackageSpec('fleet-big', '1.1', size_kib=16384, summary='large fleet test package')

BASELINE_INSTALLED = (BASE_OLD, TOOL_OLD)
FAULT_INSTALLED = (BROKEN_OLD, BIG_OLD)
UPDATES = (BASE_NEW, TOOL_NEW, BROKEN_NEW, BIG_NEW)
MAIN_PACKAGES = (BASE_OLD, TOOL_OLD, TOOL_NEW, BROKEN_OLD, BIG_OLD)
SECURITY_PACKAGES = (BASE_NEW, BROKEN_NEW, BIG_NEW)

ADVISORIES = (
    AdvisorySpec('FLEET-2026:0001', type='security', severity='Important', cves=('CVE-2026-0001',),
                 packages=(('fleet-base', BASE_NEW.evr),), title='fleet-base security update'),
    AdvisorySpec('FLEET-2026:0002', type='bugfix', severity=None,
                 packages=(('fleet-tool', TOOL_NEW.evr),), title='fleet-tool bugfix update'),
    AdvisorySpec('FLEET-2026:0003', type='security', severity='Critical', cves=('CVE-2026-0003',),
                 packages=(('fleet-broken', BROKEN_NEW.evr),), title='fleet-broken security update'),
    AdvisorySpec('FLEET-2026:0004', type='security', severity='Important', cves=('CVE-2026-0004',),
                 packages=(('fleet-big', BIG_NEW.evr),), title='fleet-big security update'),
)

OPERATING_SYSTEMS = {'deb': 'DEBIAN', 'rpm': 'REDHAT_ENTERPRISE_LINUX', 'suse': 'SUSE'}


def fleet_baseline(family):
    """A baseline (YAML shape) that approves every update at once, security or not."""
    return {
        'name': 'FleetTest-%s' % family,
        'operating_system': OPERATING_SYSTEMS[family],
        'approval_rules': {'patch_rules': [{
            'patch_filter_group': {'patch_filters': [{'key': 'PRODUCT', 'values': ['*']}]},
            'approve_after_days': 0,
            'compliance_level': 'HIGH',
            'enable_non_security': True,
        }]},
    }
