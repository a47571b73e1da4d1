# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""run_patch_baseline results in the module's exact shape, made up, for store tests and the store benchmark.

A result has ``instance_patch_state`` (counters computed from the patches, as the module does)
and ``patches`` (one dict per installed package with every CONTRACT key). Deterministic for a
given (host index, run) so that tests can predict what the store must answer.
"""

import random

GROUPS = ('Production', 'Staging', 'Development', '')
SYSTEMS = (('UBUNTU', 'amd64', 'deb'), ('REDHAT_ENTERPRISE_LINUX', 'x86_64', 'rpm'), ('SUSE', 'x86_64', 'rpm'),
           ('DEBIAN', 'amd64', 'deb'))
NON_COMPLIANT = ('MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED')
SEVERITIES = ('Critical', 'Important', 'Moderate', 'Low')


def patch(name, arch, family, state, installed, approved=None, classification=None, severity=None,
          compliance_level='UNSPECIFIED', cve_ids=(), advisory_ids=(), reason=None, installed_time=None):
    version = approved if state in ('MISSING', 'FAILED') and approved else installed
    title = ('%s.%s:%s' % (name, arch, version)) if family == 'deb' else ('%s.%s:0:%s' % (name, arch, version))
    return {
        'title': title, 'kb_id': '%s.%s' % (name, arch), 'classification': classification, 'severity': severity,
        'state': state, 'installed_time': installed_time or '2026-01-05T08:00:00Z',
        'cve_ids': list(cve_ids) if state in ('MISSING', 'FAILED') else [], 'name': name, 'arch': arch,
        'installed_version': installed, 'approved_version': approved, 'compliance_level': compliance_level,
        'advisory_ids': list(advisory_ids), 'release_date': '2026-01-02T00:00:00Z' if approved else None,
        'reason': reason or ('No approved version: %s is a non-security update and rule 1 does not enable '
                             'non-security updates.' % installed if state == 'INSTALLED_OTHER'
                             else 'Approved by rule 1 (CLASSIFICATION=Security); %s is available and %s is '
                                  'installed.' % (approved, installed)),
    }


def summarise(patches, not_applicable_count=0):
    """The module's counters (ssm-semantics §5.3/§5.4) of a patch list."""
    counts = dict((key, 0) for key in (
        'installed_count', 'installed_other_count', 'installed_pending_reboot_count', 'installed_rejected_count',
        'missing_count', 'failed_count', 'critical_non_compliant_count', 'security_non_compliant_count',
        'other_non_compliant_count'))
    field = {'INSTALLED': 'installed_count', 'INSTALLED_OTHER': 'installed_other_count',
             'INSTALLED_PENDING_REBOOT': 'installed_pending_reboot_count',
             'INSTALLED_REJECTED': 'installed_rejected_count', 'MISSING': 'missing_count', 'FAILED': 'failed_count'}
    levels = []
    for item in patches:
        counts[field[item['state']]] += 1
        if item['state'] in NON_COMPLIANT:
            critical = item['compliance_level'] == 'CRITICAL'
            security = item['classification'] == 'Security'
            counts['critical_non_compliant_count'] += critical
            counts['security_non_compliant_count'] += security
            counts['other_non_compliant_count'] += not (critical or security)
            levels.append(item['compliance_level'])
    order = ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL')
    severity = ''
    if levels:
        severity = next((level for level in order if level in levels), 'INFORMATIONAL')
    counts['not_applicable_count'] = not_applicable_count
    counts['compliance_status'] = 'NON_COMPLIANT' if levels else 'COMPLIANT'
    counts['non_compliant_severity'] = severity
    return counts


def make_result(index, run=0, patch_count=3000, non_compliant=None, when='2026-11-25T09:30:00Z', patch_group=None,
                operating_system=None):
    """One host's result. ``non_compliant`` (default: 0..60, random per host and run) patches are not compliant;
    a fixed 5 % are INSTALLED, the rest INSTALLED_OTHER."""
    rng = random.Random(index * 7919 + run)
    system, arch, family = SYSTEMS[index % len(SYSTEMS)] if operating_system is None else \
        next(entry for entry in SYSTEMS if entry[0] == operating_system)
    group = GROUPS[index % len(GROUPS)] if patch_group is None else patch_group
    if non_compliant is None:
        non_compliant = rng.choice((0, 0, 0, 2, 5, 12, 30, 60))
    installed_share = patch_count // 20
    patches = []
    for number in range(patch_count):
        name = 'pkg-%04d' % number
        if number < non_compliant:
            state = 'MISSING' if number % 7 else rng.choice(NON_COMPLIANT)
            critical = number % 11 == 0
            cves = ['CVE-2026-%04d' % (number % 40 + 1)] if number % 3 == 0 else []
            patches.append(patch(name, arch, family, state, '1.0-1', '1.1-1', classification='Security'
                                 if number % 4 else 'Bugfix', severity=SEVERITIES[number % 4],
                                 compliance_level='CRITICAL' if critical else 'UNSPECIFIED', cve_ids=cves,
                                 advisory_ids=['FLEET-2026:%04d' % number]))
        elif number < non_compliant + installed_share:
            patches.append(patch(name, arch, family, 'INSTALLED', '1.1-1', '1.1-1', classification='Security',
                                 severity='Important', advisory_ids=['FLEET-2026:%04d' % number]))
        else:
            patches.append(patch(name, arch, family, 'INSTALLED_OTHER', '2.%d-1' % (number % 9)))
    state = summarise(patches, not_applicable_count=40 + index % 17)
    state.update(patch_group=group, baseline_id='pb-0123456789abcdef0', snapshot_id='', operation='Scan',
                 reboot_option='RebootIfNeeded', operation_start_time=when, operation_end_time=when,
                 last_no_reboot_install_operation_time=None, operating_system=system)
    return {'changed': False, 'instance_patch_state': state, 'patches': patches, 'reboot_required': False,
            'rebooted': False, 'ansible_facts': {'patch_compliance': dict(state)}}


def host_name(index):
    return 'node%05d' % index
