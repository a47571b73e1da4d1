# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ApprovedPatches / RejectedPatches / InstallOverrideList matching (ssm-semantics §4.1)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.fleetops.patch_manager.plugins.module_utils._patterns import (
    compile_list,
    compile_override_list,
    glob_match,
    package_title,
)
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.engine_cases import (
    advisory_record,
    apt_record,
    rpm_record,
)

# The example package of the AWS name-format page: dbus.x86_64:1:1.12.28-1.amzn2023.0.1
DBUS = ('dbus', 'x86_64', '1:1.12.28-1.amzn2023.0.1')

RPM_FORMS = [
    pytest.param('dbus', id='name'),
    pytest.param('dbus.x86_64', id='name.arch'),
    pytest.param('dbus-1.12.28', id='name-version'),
    pytest.param('dbus-1.12.28-1.amzn2023.0.1', id='name-version-release'),
    pytest.param('dbus-1.12.28-1.amzn2023.0.1.x86_64', id='name-version-release.arch'),
    pytest.param('1.12.28', id='version'),
    pytest.param('1.12.28-1.amzn2023.0.1', id='version-release'),
    pytest.param('1:1.12.28-1.amzn2023.0.1', id='epoch:version-release'),
    pytest.param('dbus-1:1.12.28-1.amzn2023.0.1', id='name-epoch:version-release'),
    pytest.param('dbus-1:1.12.28-1.amzn2023.0.1.x86_64', id='name-epoch:version-release.arch'),
    pytest.param('1:dbus-1.12.28-1.amzn2023.0.1.x86_64', id='epoch:name-version-release.arch'),
    pytest.param('dbus.x86_64:1:1.12.28-1.amzn2023.0.1', id='name.arch:epoch:version-release'),
    pytest.param('DBUS.X86_64', id='case-insensitive'),
    pytest.param('dbus*', id='wildcard-suffix'),
    pytest.param('dbus-1.12.2*', id='wildcard-in-version'),
    pytest.param('dbus-*:1.12.28-1.amzn2023.0.1.x86_64', id='wildcard-for-epoch'),
    pytest.param('*.x86_64', id='wildcard-prefix'),
    pytest.param('d?us', id='question-mark'),
    pytest.param('[a-d]bus.x86_64', id='bracket-range'),
    pytest.param('[!x]bus', id='bracket-negation'),
    pytest.param('[!-a]bus', id='bracket-negation-with-literal-hyphen'),
    pytest.param('[z-ad]bus', id='reversed-range-matches-nothing-but-the-rest'),
]


@pytest.mark.parametrize('family', ['dnf', 'zypper'])
@pytest.mark.parametrize('entry', RPM_FORMS)
def test_rpm_name_form_matches(family, entry):
    for approved in (True, False):
        patterns = compile_list(['unrelated', entry], family, approved)
        assert patterns.match_package(*DBUS) == entry


RPM_NON_MATCHES = [
    pytest.param('dbus-x11', id='other-name'),
    pytest.param('dbus.i686', id='other-arch'),
    pytest.param('dbus-1.12.29', id='other-version'),
    pytest.param('dbus-0:1.12.28-1.amzn2023.0.1', id='other-epoch'),
    pytest.param('dbu', id='prefix-is-not-a-match'),
    pytest.param('dbus-1.12', id='partial-version-without-wildcard'),
    pytest.param('1.12.28-1.amzn2023.0.1*dbus', id='wildcard-does-not-join-two-forms'),
    pytest.param('[!d]bus', id='negated-bracket'),
    pytest.param('dbus-1.12.28-1.amzn2023.0.1.x86_64.rpm', id='rpm-file-form-is-zypper-only'),
]


@pytest.mark.parametrize('entry', RPM_NON_MATCHES)
def test_rpm_name_form_non_matches(entry):
    assert compile_list([entry], 'dnf', approved=True).match_package(*DBUS) is None


@pytest.mark.parametrize('entry, expected', [
    pytest.param('openssl', 'openssl', id='bare-name'),
    pytest.param('OpenSSL', 'OpenSSL', id='case-insensitive'),
    pytest.param('open*', 'open*', id='wildcard'),
    pytest.param('openssl.amd64', None, id='no-arch-forms'),
    pytest.param('openssl-3.0.13-0ubuntu3.4', None, id='no-version-forms'),
    pytest.param('3.0.13-0ubuntu3.4', None, id='no-bare-version'),
])
def test_apt_takes_bare_names_only(entry, expected):
    patterns = compile_list([entry], 'apt', approved=True)
    for arch in ('amd64', 'i386', 'all'):
        assert patterns.match_package('openssl', arch, '3.0.13-0ubuntu3.4') == expected
    assert patterns.match_candidate(apt_record('openssl', '3.0.13-0ubuntu3.4', security=True)) == expected


NOTICE = advisory_record('openssl', '1:3.0.7-27.el9', advisory='RHSA-2024:1234', cves=('CVE-2024-0727',),
                         bugzillas=('2259944',))


@pytest.mark.parametrize('entry', [
    pytest.param('RHSA-2024:1234', id='advisory-id'),
    pytest.param('rhsa-2024:1234', id='advisory-id-case-insensitive'),
    pytest.param('RHSA-2024:*', id='advisory-id-wildcard'),
    pytest.param('CVE-2024-0727', id='cve-id'),
    pytest.param('2259944', id='bugzilla-id'),
])
def test_dnf_approved_list_matches_notice_identifiers(entry):
    assert compile_list([entry], 'dnf', approved=True).match_candidate(NOTICE) == entry
    other = advisory_record('openssl', '1:3.0.7-28.el9', advisory='RHSA-2024:9999')
    if entry != 'RHSA-2024:*':
        assert compile_list([entry], 'dnf', approved=True).match_candidate(other) is None


@pytest.mark.parametrize('entry', ['RHSA-2024:1234', 'CVE-2024-0727', '2259944'])
def test_dnf_rejected_list_ignores_notice_identifiers(entry):
    assert compile_list([entry], 'dnf', approved=False).match_candidate(NOTICE) is None


def test_all_digit_entry_is_a_bugzilla_id_not_a_version():
    record = rpm_record('tool', '0:2259944-1')
    assert compile_list(['2259944'], 'dnf', approved=True).match_candidate(record) is None


def test_identifiers_of_a_record_without_notice_match_nothing():
    record = rpm_record('openssl', '1:3.0.7-27.el9')
    assert compile_list(['RHSA-2024:1234', 'CVE-*', '1'], 'dnf', approved=True).match_candidate(record) is None


ZYPPER_PATCH = advisory_record('example-pkg', '0:2023.15.4-46.17.1', advisory='SUSE-SLE-Example-Package-15-2023-123',
                               cves=('CVE-2023-1111',))


@pytest.mark.parametrize('entry', [
    pytest.param('SUSE-SLE-Example-Package-15-2023-123', id='patch-name'),
    pytest.param('SUSE-SLE-Example-Package-15-2023-*', id='patch-name-wildcard'),
    pytest.param('example-pkg-2023.15.4-46.17.1.x86_64.rpm', id='rpm-file-name'),
    pytest.param('example-pkg-2023.15.4-46.17.1.*.rpm', id='rpm-file-name-wildcard'),
    pytest.param('example-pkg.x86_64', id='rpm-name-form'),
])
def test_zypper_patch_and_file_names_in_both_lists(entry):
    for approved in (True, False):
        assert compile_list([entry], 'zypper', approved).match_candidate(ZYPPER_PATCH) == entry


def test_zypper_cve_ids_only_in_the_approved_list():
    assert compile_list(['CVE-2023-1111'], 'zypper', approved=True).match_candidate(ZYPPER_PATCH) == 'CVE-2023-1111'
    assert compile_list(['CVE-2023-1111'], 'zypper', approved=False).match_candidate(ZYPPER_PATCH) is None


def test_exact_entries_are_preferred_and_empty_list_matches_nothing():
    assert compile_list(['dbus*', 'dbus'], 'dnf', approved=False).match_package(*DBUS) == 'dbus'
    assert not compile_list([], 'dnf', approved=False)
    assert compile_list([], 'dnf', approved=False).match_package(*DBUS) is None


@pytest.mark.parametrize('family, version, title', [
    ('dnf', '1:1.12.28-1.amzn2023.0.1', 'dbus.x86_64:1:1.12.28-1.amzn2023.0.1'),
    ('zypper', '0:1.2-3', 'dbus.x86_64:0:1.2-3'),
    ('apt', '1:1.2-3ubuntu1', 'dbus.x86_64:1:1.2-3ubuntu1'),
    ('apt', '1.2-3ubuntu1', 'dbus.x86_64:1.2-3ubuntu1'),
])
def test_package_title(family, version, title):
    assert package_title(family, 'dbus', 'x86_64', version) == title


OVERRIDES = [
    pytest.param({'id': 'dbus.x86_64'}, True, id='id-only'),
    pytest.param({'id': 'DBUS.*'}, True, id='id-wildcard-case-insensitive'),
    pytest.param({'id': 'dbus'}, False, id='id-is-name.arch-not-name'),
    pytest.param({'id': 'dbus.i686'}, False, id='id-other-arch'),
    pytest.param({'title': 'dbus.x86_64:1:1.12.28-1.amzn2023.0.1'}, True, id='title-only'),
    pytest.param({'title': 'dbus.x86_64:1:1.12.*'}, True, id='title-wildcard'),
    pytest.param({'id': 'dbus.x86_64', 'title': 'dbus.x86_64:1:1.12.28*'}, True, id='id-and-title'),
    pytest.param({'id': 'dbus.x86_64', 'title': 'dbus.x86_64:1:1.13*'}, False, id='id-and-title-must-both-match'),
    pytest.param({'id': 'other.x86_64', 'title': 'dbus.x86_64:*'}, False, id='title-and-id-must-both-match'),
]


@pytest.mark.parametrize('entry, matches', OVERRIDES)
def test_install_override_list_entry(entry, matches):
    found = compile_override_list([entry], 'dnf').match(*DBUS)
    assert (found is entry) if matches else (found is None)


def test_install_override_list_apt_title_is_name_arch_version():
    entries = [{'id': 'openssl.amd64', 'title': 'openssl.amd64:3.0.13-0ubuntu3.*'}]
    assert compile_override_list(entries, 'apt').match('openssl', 'amd64', '3.0.13-0ubuntu3.4') is entries[0]
    assert compile_override_list(entries, 'apt').match('openssl', 'amd64', '3.0.14-0ubuntu1') is None


GLOB_TEXT = st.text(alphabet='ab.-:*?[]!^\\', max_size=8)


@settings(max_examples=600)
@given(pattern=GLOB_TEXT, text=st.text(alphabet='ab.-:[]!^\\', max_size=8))
def test_glob_match_agrees_with_fnmatch(pattern, text):
    """Wildcards (``*``, ``?``, ``[..]``, ``[!..]``, ranges) mean what the shell / fnmatch say."""
    assert glob_match(pattern, text) == fnmatch.fnmatchcase(text.lower(), pattern.lower())


@given(patterns=st.lists(GLOB_TEXT, min_size=1, max_size=6),
       name=st.text(alphabet='ab-', min_size=1, max_size=4),
       version=st.sampled_from(['0:1-1', '1:a.b-1', '0:1.0', '2:b-a.1']))
def test_compiled_list_agrees_with_fnmatch_over_the_forms(patterns, name, version):
    """The combined regex finds a match exactly when fnmatch finds one on some generated form."""
    from ansible_collections.fleetops.patch_manager.plugins.module_utils._patterns import name_forms
    forms = name_forms('dnf', name, 'noarch', version)
    expected = any(fnmatch.fnmatchcase(form, pattern.lower()) for pattern in patterns for form in forms)
    found = compile_list(patterns, 'dnf', approved=False).match_package(name, 'noarch', version)
    assert (found is not None) == expected
    if found is not None:
        assert any(fnmatch.fnmatchcase(form, found.lower()) for form in forms)


@settings(max_examples=600)
@given(pattern=st.text(alphabet='ab*?', max_size=14), text=st.text(alphabet='ab', max_size=14))
def test_glob_match_with_many_stars_agrees_with_fnmatch(pattern, text):
    """Star-heavy patterns (where a backtracking translation explodes) keep fnmatch's meaning."""
    assert glob_match(pattern, text) == fnmatch.fnmatchcase(text.lower(), pattern.lower())


# An AWS-sized entry (100 characters, 50 stars) that almost matches a long name: a regex
# translation of ``*`` tries every way to place the stars (exponential). The matcher is
# linear by construction (docs in _patterns._glob_to_regex); the subprocess and its timeout
# only keep a regression from hanging the test run -- the figures are not timed.
PATHOLOGICAL_CHILD = r"""
import json, sys
from ansible_collections.fleetops.patch_manager.plugins.module_utils._patterns import (
    compile_list, compile_override_list, glob_match)
entry = '*a' * 49 + '*b'
name = 'a' * 200
answers = {
    'glob_match': glob_match(entry, name),
    'glob_match_hit': glob_match(entry, name + 'b'),
    'approved': compile_list(['x*y*z', entry], 'dnf', True).match_package(name, 'x86_64', '0:1.0-1'),
    'approved_hit': compile_list([entry], 'dnf', True).match_package(name + 'b', 'noarch', '0:1.0-1'),
    'rejected_apt': compile_list([entry], 'apt', False).match_package(name, 'amd64', '1.0-1'),
    'override': compile_override_list([{'id': entry + '.*'}], 'apt').match(name, 'amd64', '1.0-1'),
}
print(json.dumps(answers))
"""


def test_many_star_entries_against_long_names_answer():
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    completed = subprocess.run([sys.executable, '-c', PATHOLOGICAL_CHILD], env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == {
        'glob_match': False, 'glob_match_hit': True, 'approved': None, 'approved_hit': '*a' * 49 + '*b',
        'rejected_apt': None, 'override': None,
    }
