# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counters, compliance status and severity (ssm-semantics §5.3, §5.4); Install and pending-reboot states."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._compliance import (
    after_install,
    apply_pending,
    install_failure,
    summarise,
)


def patch(name, state, level='UNSPECIFIED', classification=None, installed_version='0:1.0-1', approved_version=None,
          arch='x86_64'):
    return {'name': name, 'arch': arch, 'kb_id': '%s.%s' % (name, arch), 'state': state, 'compliance_level': level,
            'classification': classification, 'installed_version': installed_version,
            'approved_version': approved_version, 'reason': 'Approved by rule 1; it is available.'}


@pytest.mark.parametrize('patches, expected', [
    pytest.param([], {'compliance_status': 'COMPLIANT', 'non_compliant_severity': None}, id='empty-host-is-compliant'),
    pytest.param([patch('a', 'INSTALLED', 'CRITICAL', 'Security'), patch('b', 'INSTALLED_OTHER')],
                 {'installed_count': 1, 'installed_other_count': 1, 'compliance_status': 'COMPLIANT',
                  'non_compliant_severity': None}, id='installed-states-are-compliant'),
    pytest.param([patch('a', 'MISSING', 'CRITICAL', 'Security')],
                 {'missing_count': 1, 'critical_non_compliant_count': 1, 'security_non_compliant_count': 1,
                  'compliance_status': 'NON_COMPLIANT', 'non_compliant_severity': 'CRITICAL'},
                 id='an-item-can-be-critical-and-security'),
    pytest.param([patch('a', 'FAILED', 'HIGH', 'security')],
                 {'failed_count': 1, 'security_non_compliant_count': 1, 'compliance_status': 'NON_COMPLIANT',
                  'non_compliant_severity': 'HIGH'}, id='security-classification-case-insensitive'),
    pytest.param([patch('a', 'MISSING', 'LOW', 'Bugfix'), patch('b', 'INSTALLED_REJECTED')],
                 {'missing_count': 1, 'installed_rejected_count': 1, 'other_non_compliant_count': 2,
                  'compliance_status': 'NON_COMPLIANT', 'non_compliant_severity': 'LOW'},
                 id='neither-critical-nor-security-is-other'),
    pytest.param([patch('a', 'INSTALLED_PENDING_REBOOT'), patch('b', 'MISSING')],
                 {'installed_pending_reboot_count': 1, 'missing_count': 1, 'other_non_compliant_count': 2,
                  'compliance_status': 'NON_COMPLIANT', 'non_compliant_severity': 'INFORMATIONAL'},
                 id='all-unspecified-gives-informational'),
    pytest.param([patch('a', 'MISSING', 'MEDIUM'), patch('b', 'MISSING', 'LOW'), patch('c', 'INSTALLED', 'CRITICAL')],
                 {'missing_count': 2, 'installed_count': 1, 'other_non_compliant_count': 2,
                  'compliance_status': 'NON_COMPLIANT', 'non_compliant_severity': 'MEDIUM'},
                 id='severity-counts-non-compliant-items-only'),
])
def test_summarise(patches, expected):
    summary = summarise(patches, 4)
    defaults = dict((key, 0) for key in (
        'installed_count', 'installed_other_count', 'installed_pending_reboot_count', 'installed_rejected_count',
        'missing_count', 'failed_count', 'critical_non_compliant_count', 'security_non_compliant_count',
        'other_non_compliant_count'))
    defaults.update(not_applicable_count=4)
    defaults.update(expected)
    assert summary == defaults


def test_summarise_rejects_an_unknown_state():
    with pytest.raises(ValueError, match='NOT_A_STATE'):
        summarise([patch('a', 'NOT_A_STATE')], 0)


BEFORE = [patch('a', 'MISSING', approved_version='0:1.2-1'), patch('b', 'MISSING', approved_version='0:2.0-1'),
          patch('c', 'MISSING', approved_version='0:3.0-1'), patch('d', 'INSTALLED')]
AFTER = [patch('a', 'INSTALLED', installed_version='0:1.2-1', approved_version='0:1.2-1'),
         patch('b', 'MISSING', approved_version='0:2.0-1'),
         patch('c', 'MISSING', approved_version='0:3.0-1'),
         patch('d', 'INSTALLED'),
         patch('e', 'INSTALLED_OTHER', installed_version='0:0.5-1')]
TARGETS = [('a', 'x86_64', '0:1.2-1'), ('b', 'x86_64', '0:2.0-1')]
CHANGED = [('a', 'x86_64', '0:1.2-1'), ('e', 'x86_64', '0:0.5-1')]


def _states(patches):
    return dict((item['name'], item['state']) for item in patches)


def test_after_install_still_missing_becomes_failed_and_says_why():
    result = after_install(BEFORE, AFTER, TARGETS, CHANGED, [])
    assert _states(result) == {'a': 'INSTALLED', 'b': 'FAILED', 'c': 'FAILED', 'd': 'INSTALLED', 'e': 'INSTALLED_OTHER'}
    reasons = dict((item['name'], item['reason']) for item in result)
    assert reasons['b'] == 'Install tried 2.0-1 but 1.0-1 is still installed.'
    assert reasons['c'].startswith('Install did not update it: approved by rule 1')
    assert AFTER[1]['state'] == 'MISSING'  # the input is not modified


def test_after_install_with_an_override_list_keeps_missing_what_it_did_not_list():
    result = after_install(BEFORE, AFTER, TARGETS, CHANGED, [], override=True, family='dnf')
    assert _states(result)['c'] == 'MISSING'


def test_after_install_an_override_listed_package_below_the_version_tried_is_failed():
    result = after_install(BEFORE, AFTER, TARGETS, CHANGED, [], override=True, family='dnf',
                           problems={'b.x86_64': 'nothing provides libfoo needed by b-2.0-1.x86_64'})
    assert _states(result) == {'a': 'INSTALLED', 'b': 'FAILED', 'c': 'MISSING', 'd': 'INSTALLED', 'e': 'INSTALLED_OTHER'}
    assert result[1]['reason'] == ('The install override list asked for 0:2.0-1 but 0:1.0-1 is still installed: nothing '
                                   'provides libfoo needed by b-2.0-1.x86_64.')


def test_after_install_quotes_the_package_manager_in_the_reason():
    result = after_install(BEFORE, AFTER, TARGETS, CHANGED, [], problems={'b.x86_64': 'dpkg left b half-configured'})
    assert result[1]['reason'] == 'Install tried 2.0-1 but 1.0-1 is still installed: dpkg left b half-configured.'


def test_install_failure_names_every_failed_package_and_every_problem():
    patches = [patch('bash', 'FAILED'), patch('curl', 'INSTALLED')]
    message = install_failure(patches, {'zlib.x86_64': 'its %post scriptlet failed'})
    assert message == 'Install failed for 2 package(s): bash.x86_64; zlib.x86_64 (its %post scriptlet failed).'
    assert install_failure(patches[1:], {}) is None


def test_after_install_no_reboot_marks_what_the_run_installed_pending():
    pending = set(CHANGED) | {('d', 'x86_64', '0:1.0-1')}
    result = after_install(BEFORE, AFTER, TARGETS, CHANGED, pending)
    assert _states(result) == {'a': 'INSTALLED_PENDING_REBOOT', 'b': 'FAILED', 'c': 'FAILED',
                               'd': 'INSTALLED_PENDING_REBOOT', 'e': 'INSTALLED_PENDING_REBOOT'}
    reasons = dict((item['name'], item['reason']) for item in result)
    assert reasons['a'] == 'Installed by this run (1.0-1 to 1.2-1) with NoReboot; the host has not booted since.'
    assert reasons['d'] == 'Installed (1.0-1) by an earlier Install run with NoReboot; the host has not booted since.'
    summary = summarise(result, 0)
    assert (summary['installed_pending_reboot_count'], summary['compliance_status']) == (3, 'NON_COMPLIANT')


def test_apply_pending_needs_the_same_installed_version():
    patches = [patch('a', 'INSTALLED', installed_version='0:1.2-1'), patch('b', 'INSTALLED_OTHER'),
               patch('c', 'INSTALLED', installed_version='0:1.3-1'), patch('d', 'MISSING'),
               patch('e', 'INSTALLED_REJECTED')]
    pending = [{'name': 'a', 'arch': 'x86_64', 'version': '0:1.2-1'}, ('b', 'x86_64', '0:1.0-1'),
               ('c', 'x86_64', '0:1.2-1'), ('d', 'x86_64', '0:1.0-1'), ('e', 'x86_64', '0:1.0-1')]
    result = apply_pending(patches, pending)
    assert _states(result) == {'a': 'INSTALLED_PENDING_REBOOT', 'b': 'INSTALLED_PENDING_REBOOT', 'c': 'INSTALLED',
                               'd': 'MISSING', 'e': 'INSTALLED_REJECTED'}
    assert result[0]['reason'] == 'Installed (1.2-1) by an Install run with NoReboot; the host has not booted since.'
