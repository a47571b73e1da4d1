# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared vocabulary: AWS enums, patch states, compliance levels and time formats.

One place for the names every layer uses, host side and controller side alike, so that
a value is spelt once. Python 3.8, standard library only (it runs on targets).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

UTC = datetime.timezone.utc

# ---- operating systems (the AWS OperatingSystem enum) -------------------------------

OPERATING_SYSTEMS = (
    'WINDOWS', 'AMAZON_LINUX', 'AMAZON_LINUX_2', 'AMAZON_LINUX_2022', 'AMAZON_LINUX_2023',
    'UBUNTU', 'REDHAT_ENTERPRISE_LINUX', 'SUSE', 'CENTOS', 'ORACLE_LINUX', 'DEBIAN',
    'MACOS', 'RASPBIAN', 'ROCKY_LINUX', 'ALMA_LINUX',
)
AMAZON_OPERATING_SYSTEMS = ('AMAZON_LINUX', 'AMAZON_LINUX_2', 'AMAZON_LINUX_2022', 'AMAZON_LINUX_2023')
REDHAT_FAMILY_OPERATING_SYSTEMS = ('REDHAT_ENTERPRISE_LINUX', 'CENTOS', 'ORACLE_LINUX', 'ROCKY_LINUX', 'ALMA_LINUX')
RPM_OPERATING_SYSTEMS = AMAZON_OPERATING_SYSTEMS + REDHAT_FAMILY_OPERATING_SYSTEMS
APT_OPERATING_SYSTEMS = ('UBUNTU', 'DEBIAN', 'RASPBIAN')
LINUX_OPERATING_SYSTEMS = RPM_OPERATING_SYSTEMS + APT_OPERATING_SYSTEMS + ('SUSE',)

# The package family (backend) that patches each supported OS. AWS drives AMAZON_LINUX(_2),
# RHEL 7, Oracle 7 and CentOS 7 with yum; we use dnf's library for every rpm-family OS.
FAMILY_BY_OS = dict([(name, 'apt') for name in APT_OPERATING_SYSTEMS] + [('SUSE', 'zypper')]
                    + [(name, 'dnf') for name in RPM_OPERATING_SYSTEMS])
SUPPORTED_OPERATING_SYSTEMS = tuple(name for name in OPERATING_SYSTEMS if name in FAMILY_BY_OS)
FAMILIES = ('apt', 'dnf', 'zypper')
RPM_FAMILIES = ('dnf', 'zypper')

# ---- run options --------------------------------------------------------------------

OPERATIONS = ('Scan', 'Install')
REBOOT_OPTIONS = ('RebootIfNeeded', 'NoReboot')

# ---- patch states and compliance (PatchComplianceDataState, §5) ---------------------

PATCH_STATES = ('INSTALLED', 'INSTALLED_OTHER', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED', 'MISSING',
                'FAILED')
# The instance_patch_state counter of each listed state.
STATE_COUNTERS = tuple((state, state.lower() + '_count') for state in PATCH_STATES)
NON_COMPLIANT_STATES = frozenset(('MISSING', 'FAILED', 'INSTALLED_REJECTED', 'INSTALLED_PENDING_REBOOT'))
INSTALLED_STATES = frozenset(('INSTALLED', 'INSTALLED_OTHER'))
# The order patches are listed in a result: what needs attention first.
STATE_REPORT_ORDER = ('FAILED', 'MISSING', 'INSTALLED_REJECTED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED',
                      'INSTALLED_OTHER')

# The AWS enum order, most severe first (as AWS lists it in messages).
COMPLIANCE_LEVELS = ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNSPECIFIED')
# Higher rank = more severe.
COMPLIANCE_RANK = dict((level, rank) for rank, level in enumerate(reversed(COMPLIANCE_LEVELS)))
COMPLIANCE_STATUSES = ('COMPLIANT', 'NON_COMPLIANT')

# ---- times --------------------------------------------------------------------------

# Every time we report or store: ISO 8601, UTC, whole seconds.
ISO_UTC_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
ISO_DATE_FORMAT = '%Y-%m-%d'
# The Unix epoch: the release date of an update without one (ssm-semantics section 3.8), and the
# earliest evaluation time a run accepts.
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def as_utc(value):
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_time(value):
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC, or None."""
    if value is None:
        return None
    return as_utc(value).strftime(ISO_UTC_FORMAT)


def iso_date(value):
    """``YYYY-MM-DD`` of the UTC day of ``value``."""
    return as_utc(value).strftime(ISO_DATE_FORMAT)


def parse_time(text):
    """ISO 8601 text (``Z`` or an offset; none means UTC; a bare date is midnight UTC) -> aware UTC datetime.

    Raises ValueError with the reason; callers name their field.
    """
    if isinstance(text, datetime.datetime):
        return as_utc(text)
    value = str(text).strip()
    if value.endswith(('Z', 'z')):
        value = value[:-1] + '+00:00'
    if len(value) == 10:
        parsed = datetime.datetime.strptime(value, ISO_DATE_FORMAT)
    else:
        parsed = datetime.datetime.fromisoformat(value)
    return as_utc(parsed)
