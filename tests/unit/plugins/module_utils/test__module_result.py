# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Handing the result to Ansible: what the controller receives is exactly what exit_json would send."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import functools
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common import warnings as module_warnings

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _module_result

PATCH = {'title': 'bash.amd64:5.2-1', 'kb_id': 'bash.amd64', 'classification': None, 'severity': 'required',
         'state': 'INSTALLED_OTHER', 'installed_time': '2026-01-01T00:00:00Z', 'cve_ids': [], 'name': 'bash',
         'arch': 'amd64', 'installed_version': '5.2-1', 'approved_version': None, 'compliance_level': 'UNSPECIFIED',
         'advisory_ids': [], 'release_date': None, 'reason': 'No approved version: hunter2 is not approved.'}
RESULT = {'changed': False, 'rebooted': False, 'reboot_due': False, 'reboot_required': False,
          'instance_patch_state': {'missing_count': 0, 'compliance_status': 'COMPLIANT', 'non_compliant_severity': None},
          'patches': [dict(PATCH, name='p%d' % number) for number in range(50)]}


def module_with(monkeypatch, spec, args):
    """A fresh module, as a module process has: warnings are process-wide in ansible-core (a list before 2.19)."""
    for name in ('_global_warnings', '_global_deprecations'):
        monkeypatch.setattr(module_warnings, name, type(getattr(module_warnings, name))())
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8'))
    if hasattr(basic, '_ANSIBLE_PROFILE'):      # ansible-core 2.19: the serialization profile of the module
        monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy')
    return AnsibleModule(argument_spec=spec)


def emitted(capsys, exit_function):
    with pytest.raises(SystemExit):
        exit_function()
    return json.loads(capsys.readouterr().out)


def test_without_secret_options_the_result_is_what_exit_json_sends(monkeypatch, capsys):
    spec = {'operation': {'type': 'str'}}
    module = module_with(monkeypatch, spec, {'operation': 'Scan'})
    module.warn('a warning')
    fast = emitted(capsys, lambda: _module_result.exit_json(module, json.loads(json.dumps(RESULT))))
    module = module_with(monkeypatch, spec, {'operation': 'Scan'})
    module.warn('a warning')
    reference = emitted(capsys, functools.partial(module.exit_json, **json.loads(json.dumps(RESULT))))
    assert fast == reference
    assert fast['invocation'] == {'module_args': {'operation': 'Scan'}} and fast['patches'][0] == dict(PATCH, name='p0')
    assert basic.remove_values is not _module_result._unchanged     # ansible-core is as it was afterwards


def test_a_secret_option_is_still_hidden_wherever_it_appears(monkeypatch, capsys):
    spec = {'operation': {'type': 'str'}, 'token': {'type': 'str', 'no_log': True}}
    module = module_with(monkeypatch, spec, {'operation': 'Scan', 'token': 'hunter2'})
    result = emitted(capsys, lambda: _module_result.exit_json(module, json.loads(json.dumps(RESULT))))
    assert 'hunter2' not in json.dumps(result)


@pytest.mark.parametrize('value', [
    pytest.param({'when': datetime.datetime(2026, 12, 3, 7, 0, 0)}, id='datetime'),
    pytest.param({'names': ('a', 'b')}, id='tuple'),
    pytest.param({'text': u'S\u00fcd \u2013 \U0001f600'}, id='non-ascii'),
    pytest.param({'numbers': {1: 'one'}}, id='int-key'),
])
def test_values_beyond_plain_json_are_encoded_as_ansible_core_encodes_them(monkeypatch, capsys, value):
    spec = {'operation': {'type': 'str'}}
    result = dict(RESULT, extra=value)
    fast = emitted(capsys, lambda: _module_result.exit_json(module_with(monkeypatch, spec, {'operation': 'Scan'}),
                                                            dict(result)))
    reference = emitted(capsys, lambda: module_with(monkeypatch, spec, {'operation': 'Scan'}).exit_json(**dict(result)))
    assert fast == reference
    assert fast['extra'] != {}


def test_plain_results_skip_the_profile_encoder_and_others_reach_it(capsys):
    reached = []
    record = _module_result._plain_json_first(reached.append)
    record(RESULT)
    assert reached == [] and json.loads(capsys.readouterr().out) == RESULT
    record({'when': datetime.date(2026, 12, 3)})
    assert reached == [{'when': datetime.date(2026, 12, 3)}] and capsys.readouterr().out == ''
