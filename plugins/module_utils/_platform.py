# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which OS a root holds: ``/etc/os-release`` -> AWS OperatingSystem, product string, package family.

The product string is what SSM Agent reports as the node's PRODUCT (``Ubuntu22.04``,
``RedhatEnterpriseLinux9.4``, ``Suse15.5``, ...), matched by PRODUCT filters.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import os
import re
import shlex

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import (
    FAMILY_BY_OS, OPERATING_SYSTEMS, SUPPORTED_OPERATING_SYSTEMS,
)

Platform = collections.namedtuple('Platform', ['operating_system', 'product', 'family'])

OS_RELEASE_PATHS = ('etc/os-release', 'usr/lib/os-release')

# os-release ID -> (AWS OperatingSystem, product prefix). Amazon Linux is decided by VERSION_ID.
_BY_ID = {
    'debian': ('DEBIAN', 'Debian'),
    'ubuntu': ('UBUNTU', 'Ubuntu'),
    'raspbian': ('RASPBIAN', 'Raspbian'),
    'rhel': ('REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux'),
    'rocky': ('ROCKY_LINUX', 'RockyLinux'),
    'almalinux': ('ALMA_LINUX', 'AlmaLinux'),
    'ol': ('ORACLE_LINUX', 'OracleLinux'),
    'centos': ('CENTOS', 'CentOS'),
    'amzn': (None, 'AmazonLinux'),
    'sles': ('SUSE', 'Suse'),
    'sles_sap': ('SUSE', 'Suse'),
    'opensuse': ('SUSE', 'Suse'),
    'opensuse-leap': ('SUSE', 'Suse'),
    'opensuse-tumbleweed': ('SUSE', 'Suse'),
}

# Product prefix for an explicit operating_system when the os-release ID is not one we know.
_PRODUCT_PREFIX_BY_OS = {
    'DEBIAN': 'Debian', 'UBUNTU': 'Ubuntu', 'RASPBIAN': 'Raspbian', 'REDHAT_ENTERPRISE_LINUX': 'RedhatEnterpriseLinux',
    'ROCKY_LINUX': 'RockyLinux', 'ALMA_LINUX': 'AlmaLinux', 'ORACLE_LINUX': 'OracleLinux', 'CENTOS': 'CentOS',
    'AMAZON_LINUX': 'AmazonLinux', 'AMAZON_LINUX_2': 'AmazonLinux', 'AMAZON_LINUX_2022': 'AmazonLinux',
    'AMAZON_LINUX_2023': 'AmazonLinux', 'SUSE': 'Suse',
}

_AMAZON_BY_VERSION = {'2': 'AMAZON_LINUX_2', '2022': 'AMAZON_LINUX_2022', '2023': 'AMAZON_LINUX_2023'}
_AMAZON_LINUX_1_VERSION = re.compile(r'^20[0-9]{2}\.[0-9]{2}$')  # 2017.09, 2018.03

_KEY_PATTERN = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def parse_os_release(text):
    """Parse os-release text (shell-style ``KEY=value`` lines, quotes and escapes) into a dict."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        key, sep, raw = line.partition('=')
        if not sep or not _KEY_PATTERN.match(key):
            continue
        try:
            words = shlex.split(raw, comments=False, posix=True)
        except ValueError:
            # Unbalanced quotes: keep what is there rather than lose the line.
            words = [raw.strip('"\'')]
        values[key] = ' '.join(words)
    return values


def _in_root(root, path):
    """``path`` inside ``root``, following symlinks as the system under ``root`` would see them."""
    candidate = os.path.join(root, path)
    for dummy in range(8):  # os-release is at most a link or two away
        if not os.path.islink(candidate):
            return candidate
        target = os.readlink(candidate)
        if os.path.isabs(target):
            candidate = os.path.join(root, target.lstrip('/'))
        else:
            candidate = os.path.join(os.path.dirname(candidate), target)
    return candidate


def read_os_release(root='/'):
    """Parse ``<root>/etc/os-release``, else ``<root>/usr/lib/os-release``; InputError when neither exists."""
    for path in OS_RELEASE_PATHS:
        location = _in_root(root, path)
        try:
            with open(location, 'rb') as handle:
                return parse_os_release(handle.read().decode('utf-8', 'replace'))
        except (IOError, OSError):
            continue
    raise InputError('root', 'neither %s nor %s exists, so the operating system cannot be detected; '
                             'set operating_system' % tuple(os.path.join(root, path) for path in OS_RELEASE_PATHS))


def family_for(operating_system):
    """The package family ('apt', 'dnf' or 'zypper') that manages ``operating_system``."""
    validate_operating_system(operating_system)
    return FAMILY_BY_OS[operating_system]


def validate_operating_system(operating_system):
    """Return ``operating_system`` if this collection can patch it, else raise InputError naming the choices."""
    if operating_system not in OPERATING_SYSTEMS:
        raise InputError('operating_system', '%r is not one of %s' % (operating_system, ', '.join(OPERATING_SYSTEMS)))
    if operating_system not in FAMILY_BY_OS:
        raise InputError('operating_system', '%s hosts cannot be patched by this collection; supported: %s'
                         % (operating_system, ', '.join(SUPPORTED_OPERATING_SYSTEMS)))
    return operating_system


def _product(prefix, os_release):
    version = os_release.get('VERSION_ID', '')
    if prefix == 'CentOS' and 'stream' in os_release.get('NAME', '').lower():
        prefix = 'CentOSStream'
    return prefix + version


def _detected_operating_system(os_release):
    """(operating_system, product prefix) from ID, or (None, None) when the ID is not supported."""
    os_id = os_release.get('ID', '').strip().lower()
    if os_id not in _BY_ID:
        return None, None
    operating_system, prefix = _BY_ID[os_id]
    if os_id == 'amzn':
        version = os_release.get('VERSION_ID', '')
        operating_system = _AMAZON_BY_VERSION.get(version)
        if operating_system is None and _AMAZON_LINUX_1_VERSION.match(version):
            operating_system = 'AMAZON_LINUX'
        if operating_system is None:
            return None, None
    return operating_system, prefix


def detect_platform(os_release, operating_system=None):
    """Platform(operating_system, product, family) for a parsed os-release.

    An explicit ``operating_system`` (the module option) is for systems whose os-release
    is missing or not one we map; one that contradicts a mapped os-release fails, naming
    both. The product is still taken from os-release when possible.
    """
    detected, prefix = _detected_operating_system(os_release)
    if operating_system is not None:
        validate_operating_system(operating_system)
        if detected is not None and detected != operating_system:
            raise InputError('operating_system', '%s contradicts the os-release of the system (ID=%s, VERSION_ID=%s: %s); '
                                                 'leave operating_system unset or set it to %s'
                             % (operating_system, os_release.get('ID'), os_release.get('VERSION_ID', ''), detected,
                                detected))
        if detected is None:
            prefix = _PRODUCT_PREFIX_BY_OS[operating_system]
        return Platform(operating_system, _product(prefix, os_release), FAMILY_BY_OS[operating_system])
    if detected is None:
        os_id = os_release.get('ID')
        described = ('ID=%s (%s)' % (os_id, os_release.get('PRETTY_NAME') or os_release.get('NAME') or 'no name')
                     if os_id else 'an os-release without ID')
        if os_id == 'amzn':
            described += ' VERSION_ID=%s' % os_release.get('VERSION_ID', '')
        raise InputError('operating_system', 'cannot map %s to an AWS operating system; supported os-release IDs: %s. '
                                             'Set operating_system to one of %s to treat it as one of them'
                         % (described, ', '.join(sorted(_BY_ID)), ', '.join(SUPPORTED_OPERATING_SYSTEMS)))
    return Platform(detected, _product(prefix, os_release), FAMILY_BY_OS[detected])


def detect(root='/', operating_system=None):
    """Platform of the system under ``root``; with an explicit ``operating_system`` os-release may be missing."""
    try:
        os_release = read_os_release(root)
    except InputError:
        if operating_system is None:
            raise
        os_release = {}
    return detect_platform(os_release, operating_system)
