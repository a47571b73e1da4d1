# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The normalised package universe: what a backend reads and the engine evaluates.

Versions are strings in the family's native form (apt: Debian version as dpkg prints
it; dnf/zypper: ``E:V-R`` with the epoch always present) and are compared only
through ``_versions``. Times are timezone-aware UTC datetimes or None.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import FAMILIES


class InstalledPackage(object):
    """One installed package (name + arch) at one version."""

    __slots__ = ('name', 'arch', 'version', 'installed_time')

    def __init__(self, name, arch, version, installed_time=None):
        self.name = name
        self.arch = arch
        self.version = version
        self.installed_time = installed_time

    def __repr__(self):
        return 'InstalledPackage(%r, %r, %r)' % (self.name, self.arch, self.version)


class Candidate(object):
    """One available version of a package, as seen through one advisory (or none)."""

    __slots__ = ('name', 'arch', 'version', 'repository', 'security', 'advisory_id',
                 'classification', 'severity', 'priority', 'section', 'release_date',
                 'cve_ids', 'bugzilla_ids')

    def __init__(self, name, arch, version, repository=None, security=False, advisory_id=None,
                 classification=None, severity=None, priority=None, section=None,
                 release_date=None, cve_ids=(), bugzilla_ids=()):
        self.name = name
        self.arch = arch
        self.version = version
        self.repository = repository
        self.security = security
        self.advisory_id = advisory_id
        self.classification = classification
        self.severity = severity
        self.priority = priority
        self.section = section
        self.release_date = release_date
        self.cve_ids = tuple(cve_ids)
        self.bugzilla_ids = tuple(bugzilla_ids)

    # True only for DatabaseRecord: what the package database says of an installed version no repository carries.
    from_package_database = False

    def __repr__(self):
        return '%s(%r, %r, %r, advisory_id=%r)' % (type(self).__name__, self.name, self.arch, self.version,
                                                   self.advisory_id)


class DatabaseRecord(Candidate):
    """The installed version of a package as the package database records it, when no repository carries it.

    So that the engine judges it on its own attributes, as AWS does (apt: Section and
    Priority from the dpkg status, never security: no origin vouches for it; dnf and
    zypper: the notices or patches that name the installed version, else a record
    without advisory). ``repository`` is None.
    """

    __slots__ = ()
    from_package_database = True


class Universe(object):
    """Everything the engine needs to know about one node."""

    __slots__ = ('family', 'operating_system', 'product', 'installed', 'candidates')

    def __init__(self, family, operating_system, product, installed, candidates):
        if family not in FAMILIES:
            raise ValueError('family must be one of %s, not %r' % (', '.join(FAMILIES), family))
        self.family = family
        self.operating_system = operating_system
        self.product = product
        self.installed = list(installed)
        self.candidates = list(candidates)
