# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One description of a test package universe, rendered as .deb or .rpm repositories.

The same scenario (packages, versions, dependencies, advisories) can then be served to
apt, dnf and zypper, so tests of the three families assert the same expectations.
"""

import dataclasses
import typing


@dataclasses.dataclass(frozen=True)
class PackageSpec:
    """One version of one package as it sits in a repository."""

    name: str
    version: str
    release: str = '1'
    epoch: int = 0
    depends: typing.Tuple[str, ...] = ()       # plain package names, or 'name (>= version-release)'
    priority: str = 'optional'                 # Debian control Priority
    section: str = 'utils'                     # Debian control Section
    summary: str = ''
    postinst_fails: bool = False               # maintainer script / %post exits non-zero
    size_kib: int = 1                          # payload size, for disk-full tests

    @property
    def deb_version(self):
        """The Debian version string (epoch omitted when 0)."""
        base = '%s-%s' % (self.version, self.release)
        return '%d:%s' % (self.epoch, base) if self.epoch else base

    @property
    def evr(self):
        """The rpm EVR string with the epoch always present."""
        return '%d:%s-%s' % (self.epoch, self.version, self.release)


@dataclasses.dataclass(frozen=True)
class AdvisorySpec:
    """An updateinfo notice (dnf) / patch (zypper) listing package versions."""

    advisory_id: str                           # e.g. 'FLEET-2026:0001'
    type: str = 'security'                     # security | bugfix | enhancement | recommended ...
    severity: typing.Optional[str] = 'Important'
    issued: str = '2026-01-01 00:00:00'        # UTC, updateinfo format
    updated: typing.Optional[str] = None
    cves: typing.Tuple[str, ...] = ()
    bugzillas: typing.Tuple[str, ...] = ()
    packages: typing.Tuple[typing.Tuple[str, str], ...] = ()   # (name, evr 'E:V-R')
    title: str = ''
