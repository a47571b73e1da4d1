# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure helpers of _backend_apt: no apt_pkg, no root (apt_pkg itself is tested in tests/functional/apt)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend_apt as apt
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BackendError

SIMULATION = """NOTE: This is only a simulation!
Reading package lists...
Inst alpha [1.0-1] (1.1-1 Debian-Security:bookworm-security [all])
Inst newdep (1.0-1 Debian:bookworm-updates [all])
Inst libfoo:i386 [2:1.0-1] (2:1.1-1 Debian:bookworm [i386]) []
Remv oldthing [0.9-1]
Conf alpha (1.1-1 Debian-Security:bookworm-security [all])
"""


def test_simulation_becomes_transaction_items():
    assert apt.parse_simulation(SIMULATION) == [
        {'name': 'alpha', 'arch': 'all', 'from_version': '1.0-1', 'to_version': '1.1-1', 'action': 'upgrade'},
        {'name': 'newdep', 'arch': 'all', 'from_version': None, 'to_version': '1.0-1', 'action': 'install'},
        {'name': 'libfoo', 'arch': 'i386', 'from_version': '2:1.0-1', 'to_version': '2:1.1-1', 'action': 'upgrade'},
        {'name': 'oldthing', 'arch': None, 'from_version': '0.9-1', 'to_version': None, 'action': 'remove'},
    ]


def test_dpkg_status_keeps_version_and_state():
    text = ('Package: alpha\nStatus: install ok installed\nArchitecture: all\nVersion: 1.1-1\n'
            'Description: x\n continued line: not a field\n\n'
            'Package: gamma\nStatus: install ok half-configured\nArchitecture: all\nVersion: 1.1-1\n\n'
            'Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 3\n')
    assert apt.parse_dpkg_status(text) == {
        ('alpha', 'all'): ('1.1-1', 'installed'),
        ('gamma', 'all'): ('1.1-1', 'half-configured'),
        ('gone', 'amd64'): ('3', 'config-files'),
    }


@pytest.mark.parametrize('state, expected', [
    ('installed', '1.1-1'),
    ('triggers-pending', '1.1-1'),
    ('half-configured', '1.1-1~halfconfigured'),
    ('unpacked', '1.1-1~unpacked'),
    ('triggers-awaited', '1.1-1~triggersawaited'),
])
def test_reported_version_flags_unfinished_packages(state, expected):
    assert apt.reported_version('1.1-1', state) == expected


@pytest.mark.parametrize('archive, codename, label, trusted, expected', [
    ('bookworm-security', 'bookworm-security', 'Debian-Security', True, True),
    ('stable-security', 'bookworm-security', 'Debian-Security', True, True),
    ('jammy-security', 'jammy', 'Ubuntu', True, True),
    ('stable', 'bookworm', 'Debian-Security', True, True),
    ('bookworm-security', 'bookworm-security', 'Debian-Security', False, False),
    ('bookworm-updates', 'bookworm-updates', 'Debian', True, False),
    ('security', None, 'Debian', True, False),
])
def test_security_origin_follows_the_contract_decision(archive, codename, label, trusted, expected):
    assert apt.is_security_origin(archive, codename, label, trusted) is expected


def test_sources_for_the_product_only():
    sources = [
        {'name': 'a', 'products': ['Debian12'], 'configuration': '# mirror\ndeb http://m/debian bookworm main\n\n'},
        {'name': 'b', 'products': ['ubuntu*'], 'configuration': 'deb http://m/ubuntu jammy main'},
        {'name': 'c', 'products': ['*'], 'configuration': 'deb-src http://m/debian bookworm main'},
    ]
    assert apt.parse_sources_lines(sources, 'Debian12') == ['deb http://m/debian bookworm main',
                                                            'deb-src http://m/debian bookworm main']
    assert apt.parse_sources_lines(sources, 'Ubuntu22.04') == ['deb http://m/ubuntu jammy main',
                                                               'deb-src http://m/debian bookworm main']


def test_a_source_that_is_not_an_apt_line_is_named():
    with pytest.raises(BackendError) as caught:
        apt.parse_sources_lines([{'name': 'x', 'products': ['*'], 'configuration': '[repo]\nbaseurl=http://m'}])
    assert 'sources[0].configuration' in str(caught.value)
    assert 'deb ' in str(caught.value)


def test_failures_are_attributed_from_dpkg_status():
    transaction = [
        {'name': 'alpha', 'arch': 'all', 'from_version': '1.0-1', 'to_version': '1.1-1', 'action': 'upgrade'},
        {'name': 'gamma', 'arch': 'all', 'from_version': '1.0-1', 'to_version': '1.1-1', 'action': 'upgrade'},
        {'name': 'newdep', 'arch': 'all', 'from_version': None, 'to_version': '1.0-1', 'action': 'install'},
    ]
    status = {('alpha', 'all'): ('1.1-1', 'installed'), ('gamma', 'all'): ('1.1-1', 'half-configured')}
    failed = apt.dpkg_problems(transaction, [('alpha', 'all', '1.1-1'), ('gamma', 'all', '1.1-1'),
                                             ('beta', 'all', '2.0-1')], status, 'E: boom')
    assert sorted(failed) == ['beta.all', 'gamma.all', 'newdep.all']
    assert 'half-configured' in failed['gamma.all'] and 'E: boom' in failed['gamma.all']


# apt_pkg's PackageFile / Version / SourceList cannot be built without apt_pkg and a cache,
# so these stand-ins carry just the attributes _RecordMemo reads from the real ones.
class FakePackageFile(object):
    def __init__(self, file_id, archive, label='Debian', not_source=False, trusted=True):
        self.id = file_id
        self.archive = archive
        self.codename = archive
        self.label = label
        self.not_source = not_source
        self.trusted = trusted


class FakeIndex(object):
    def __init__(self, is_trusted):
        self.is_trusted = is_trusted


class FakeSourceList(object):
    def __init__(self):
        self.lookups = 0

    def find_index(self, package_file):
        self.lookups += 1
        return FakeIndex(package_file.trusted)


class FakeVersion(object):
    def __init__(self, files, priority=4, section='utils'):
        self.file_list = [(package_file, 0) for package_file in files]
        self.priority = priority
        self.section = section


STATUS = FakePackageFile(0, None, label=None, not_source=True)
MAIN = FakePackageFile(1, 'bookworm')
SECURITY = FakePackageFile(2, 'bookworm-security', label='Debian-Security')
UNTRUSTED_SECURITY = FakePackageFile(3, 'bookworm-security', label='Debian-Security', trusted=False)


def test_a_version_in_a_trusted_security_suite_is_a_security_record():
    memo = apt._RecordMemo(FakeSourceList())
    record = memo.version_record(FakeVersion([STATUS, MAIN, SECURITY], priority=2, section='admin'))
    assert record == ('bookworm-security', True, 'Security', 'important', 'admin')
    candidate = apt._AptCandidate('alpha', 'all', '1.1-1', record)
    assert (candidate.repository, candidate.security, candidate.classification) == ('bookworm-security', True, 'Security')
    assert (candidate.priority, candidate.section, candidate.advisory_id, candidate.severity) == ('important', 'admin', None, None)
    assert (candidate.release_date, candidate.cve_ids, candidate.bugzilla_ids) == (None, (), ())


def test_a_version_only_in_main_or_an_untrusted_security_suite_is_not_security():
    memo = apt._RecordMemo(FakeSourceList())
    assert memo.version_record(FakeVersion([MAIN]))[:2] == ('bookworm', False)
    assert memo.version_record(FakeVersion([UNTRUSTED_SECURITY]))[:2] == ('bookworm-security', False)


def test_a_version_only_dpkg_knows_of_is_not_available():
    assert apt._RecordMemo(FakeSourceList()).version_record(FakeVersion([STATUS])) is None


def test_each_package_file_is_looked_up_once():
    sources = FakeSourceList()
    memo = apt._RecordMemo(sources)
    for _round in range(50):
        memo.version_record(FakeVersion([MAIN, SECURITY]))
    assert sources.lookups == 2


def test_versions_of_one_file_share_a_record_per_priority_and_section():
    sources = FakeSourceList()
    memo = apt._RecordMemo(sources)
    optional = [memo.version_record(FakeVersion([SECURITY])) for _round in range(20)]
    important = memo.version_record(FakeVersion([SECURITY], priority=2, section='admin'))
    assert all(record is optional[0] for record in optional)
    assert optional[0] == ('bookworm-security', True, 'Security', 'optional', 'utils')
    assert important == ('bookworm-security', True, 'Security', 'important', 'admin')
    assert sources.lookups == 1


def test_a_disabled_binary_cache_gets_a_file_in_a_directory_the_root_does_not_have(tmp_path):
    backend = apt.AptBackend(root=str(tmp_path))
    first = backend._missing_cache_file('pkgcache.bin')  # pylint: disable=protected-access
    assert first == apt.NO_BINARY_CACHE_DIRECTORY + '/pkgcache.bin'
    # Should the root have that directory, apt could write there: another name is taken.
    (tmp_path / apt.NO_BINARY_CACHE_DIRECTORY.lstrip('/')).mkdir(parents=True)
    second = backend._missing_cache_file('pkgcache.bin')  # pylint: disable=protected-access
    assert second != first
    assert not (tmp_path / second.lstrip('/')).parent.exists()
