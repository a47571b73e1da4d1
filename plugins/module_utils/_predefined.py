# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWS predefined patch baselines, as AWS-shape data, by AWS name and by OS.

Rules follow ssm-semantics.md §8 and the CONTRACT decisions: every predefined
baseline reports compliance level UNSPECIFIED; the RHEL family and Amazon Linux
approve Security Critical/Important plus every Bugfix notice after 7 days;
Ubuntu/Debian approve security-pocket updates of any priority (their 7 days are
not evaluated on apt, as in AWS's own copy).

BaselineIds are the us-east-1 ARNs AWS publishes for the per-OS defaults; the two
extra Windows baselines get ARNs of the same form.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.fleetops.patch_manager.plugins.module_utils._baseline import normalise_baseline
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError

_ARN_PREFIX = 'arn:aws:ssm:us-east-1:075727635805:patchbaseline/'


def _filter(key, *values):
    return {'Key': key, 'Values': list(values)}


def _rule(filters, approve_after_days=7, enable_non_security=False):
    return {
        'PatchFilterGroup': {'PatchFilters': filters},
        'ComplianceLevel': 'UNSPECIFIED',
        'ApproveAfterDays': approve_after_days,
        'EnableNonSecurity': enable_non_security,
    }


def _baseline(name, operating_system, baseline_id, description, rules, global_filters=None):
    return {
        'BaselineId': _ARN_PREFIX + baseline_id,
        'Name': name,
        'OperatingSystem': operating_system,
        'Description': description,
        'GlobalFilters': {'PatchFilters': global_filters if global_filters is not None else [_filter('PRODUCT', '*')]},
        'ApprovalRules': {'PatchRules': rules},
        'ApprovedPatches': [],
        'ApprovedPatchesComplianceLevel': 'UNSPECIFIED',
        'ApprovedPatchesEnableNonSecurity': False,
        'RejectedPatches': [],
        'RejectedPatchesAction': 'ALLOW_AS_DEPENDENCY',
        'Sources': [],
    }


def _security_and_bugfix_rules(severities):
    return [
        _rule([_filter('CLASSIFICATION', 'Security'), _filter('SEVERITY', *severities)]),
        _rule([_filter('CLASSIFICATION', 'Bugfix'), _filter('SEVERITY', '*')]),
    ]


def _apt_rules():
    return [_rule([_filter('PRIORITY', 'Required', 'Important', 'Standard', 'Optional', 'Extra')])]


def _windows_os_rule():
    return _rule([_filter('CLASSIFICATION', 'CriticalUpdates', 'SecurityUpdates'),
                  _filter('MSRC_SEVERITY', 'Critical', 'Important')])


def _rpm_default(name, operating_system, baseline_id, label, severities=('Critical', 'Important')):
    return _baseline(name, operating_system, baseline_id,
                     'Predefined baseline for %s: security updates of severity %s and all bug fixes, '
                     '7 days after release or last update.' % (label, ' or '.join(severities)),
                     _security_and_bugfix_rules(severities))


def _apt_default(name, operating_system, baseline_id, label):
    return _baseline(name, operating_system, baseline_id,
                     'Predefined baseline for %s: updates from the security repositories, any priority, '
                     'approved immediately (apt has no release dates).' % label,
                     _apt_rules())


_PREDEFINED_LIST = [
    _rpm_default('AWS-AmazonLinuxDefaultPatchBaseline', 'AMAZON_LINUX', 'pb-0c10e657807c7a700', 'Amazon Linux'),
    _rpm_default('AWS-AmazonLinux2DefaultPatchBaseline', 'AMAZON_LINUX_2', 'pb-0be8c61cde3be63f3', 'Amazon Linux 2'),
    _rpm_default('AWS-AmazonLinux2022DefaultPatchBaseline', 'AMAZON_LINUX_2022', 'pb-0028ca011460d5eaf',
                 'Amazon Linux 2022'),
    _rpm_default('AWS-AmazonLinux2023DefaultPatchBaseline', 'AMAZON_LINUX_2023', 'pb-05c9c9bf778d4c4d0',
                 'Amazon Linux 2023'),
    _rpm_default('AWS-RedHatDefaultPatchBaseline', 'REDHAT_ENTERPRISE_LINUX', 'pb-0cbb3a633de00f07c',
                 'Red Hat Enterprise Linux'),
    _rpm_default('AWS-RockyLinuxDefaultPatchBaseline', 'ROCKY_LINUX', 'pb-03ec98bc512aa3ac0', 'Rocky Linux'),
    _rpm_default('AWS-AlmaLinuxDefaultPatchBaseline', 'ALMA_LINUX', 'pb-0cb0c4966f86b059b', 'AlmaLinux'),
    _rpm_default('AWS-OracleLinuxDefaultPatchBaseline', 'ORACLE_LINUX', 'pb-06bff38e95fe85c02', 'Oracle Linux',
                 severities=('Important', 'Moderate')),
    # CentOS (Stream) repositories carry no updateinfo: AWS approves everything, non-security included.
    _baseline('AWS-CentOSDefaultPatchBaseline', 'CENTOS', 'pb-03e3f588eec25344c',
              'Predefined baseline for CentOS and CentOS Stream: all updates, including non-security ones, '
              '7 days after they become available.',
              [_rule([_filter('CLASSIFICATION', '*'), _filter('SEVERITY', '*')], enable_non_security=True)]),
    _baseline('AWS-SuseDefaultPatchBaseline', 'SUSE', 'pb-07d8884178197b66b',
              'Predefined baseline for SUSE Linux Enterprise Server: security patches of severity Critical or '
              'Important, 7 days after release.',
              [_rule([_filter('CLASSIFICATION', 'Security'), _filter('SEVERITY', 'Critical', 'Important')])]),
    _apt_default('AWS-UbuntuDefaultPatchBaseline', 'UBUNTU', 'pb-0c7e89f711c3095f4', 'Ubuntu Server'),
    _apt_default('AWS-DebianDefaultPatchBaseline', 'DEBIAN', 'pb-09a5f8eb62bde80b1', 'Debian Server'),
    _apt_default('AWS-DefaultRaspbianPatchBaseline', 'RASPBIAN', 'pb-0ec16280999c5c75e', 'Raspberry Pi OS'),
    # macOS is out of scope for this collection; the rules paraphrase AWS's prose (unverified detail).
    _baseline('AWS-MacOSDefaultPatchBaseline', 'MACOS', 'pb-0ee4f94581368c0d4',
              'Predefined baseline for macOS: updates classified Security, plus packages with a current update.',
              [_rule([_filter('CLASSIFICATION', 'Security')]), _rule([_filter('CLASSIFICATION', '*')])]),
    _baseline('AWS-DefaultPatchBaseline', 'WINDOWS', 'pb-09ca3fb51f0412ec3',
              'Default baseline for Windows Server: operating system updates classified CriticalUpdates or '
              'SecurityUpdates with MSRC severity Critical or Important, 7 days after release.',
              [_windows_os_rule()], global_filters=[]),
    _baseline('AWS-WindowsPredefinedPatchBaseline-OS', 'WINDOWS', 'pb-016fba33e5fe8578f',
              'Windows Server operating system updates classified CriticalUpdates or SecurityUpdates with MSRC '
              'severity Critical or Important, 7 days after release.',
              [_windows_os_rule()], global_filters=[]),
    _baseline('AWS-WindowsPredefinedPatchBaseline-OS-Applications', 'WINDOWS', 'pb-0d7bdb9cc1ff5d6ee',
              'Windows Server operating system updates classified CriticalUpdates or SecurityUpdates with MSRC '
              'severity Critical or Important, and all updates for Microsoft applications, 7 days after release.',
              [_windows_os_rule(),
               _rule([_filter('PATCH_SET', 'APPLICATION'), _filter('PRODUCT', '*'), _filter('CLASSIFICATION', '*'),
                      _filter('MSRC_SEVERITY', '*')])],
              global_filters=[]),
]

PREDEFINED_BASELINES = dict((document['Name'], document) for document in _PREDEFINED_LIST)

# The baseline each OS uses when nothing else is registered (the initial default in AWS).
_DEFAULT_NAME_BY_OS = {
    'AMAZON_LINUX': 'AWS-AmazonLinuxDefaultPatchBaseline',
    'AMAZON_LINUX_2': 'AWS-AmazonLinux2DefaultPatchBaseline',
    'AMAZON_LINUX_2022': 'AWS-AmazonLinux2022DefaultPatchBaseline',
    'AMAZON_LINUX_2023': 'AWS-AmazonLinux2023DefaultPatchBaseline',
    'REDHAT_ENTERPRISE_LINUX': 'AWS-RedHatDefaultPatchBaseline',
    'ROCKY_LINUX': 'AWS-RockyLinuxDefaultPatchBaseline',
    'ALMA_LINUX': 'AWS-AlmaLinuxDefaultPatchBaseline',
    'ORACLE_LINUX': 'AWS-OracleLinuxDefaultPatchBaseline',
    'CENTOS': 'AWS-CentOSDefaultPatchBaseline',
    'SUSE': 'AWS-SuseDefaultPatchBaseline',
    'UBUNTU': 'AWS-UbuntuDefaultPatchBaseline',
    'DEBIAN': 'AWS-DebianDefaultPatchBaseline',
    'RASPBIAN': 'AWS-DefaultRaspbianPatchBaseline',
    'MACOS': 'AWS-MacOSDefaultPatchBaseline',
    'WINDOWS': 'AWS-DefaultPatchBaseline',
}


def predefined_names():
    """The AWS names of every predefined baseline, sorted."""
    return sorted(PREDEFINED_BASELINES)


def is_predefined_name(name):
    return name in PREDEFINED_BASELINES


def predefined_document(name):
    """A copy of predefined baseline ``name`` in the AWS (get-patch-baseline) shape."""
    if name not in PREDEFINED_BASELINES:
        raise InputError('baseline', '%r is not a predefined baseline; the predefined baselines are %s'
                         % (name, ', '.join(predefined_names())))
    return copy.deepcopy(PREDEFINED_BASELINES[name])


def get_predefined(name):
    """Predefined baseline ``name`` as a canonical baseline dict (a new one each call)."""
    return normalise_baseline(predefined_document(name))


def predefined_name_for(operating_system):
    """The AWS name of the default predefined baseline for ``operating_system``."""
    if operating_system not in _DEFAULT_NAME_BY_OS:
        raise InputError('operating_system', '%r is not one of %s'
                         % (operating_system, ', '.join(sorted(_DEFAULT_NAME_BY_OS))))
    return _DEFAULT_NAME_BY_OS[operating_system]
