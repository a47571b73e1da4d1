# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""InstallOverrideList parsing, BaselineOverride selection and override install targets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _overrides
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BaselineValidationError, InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import Candidate, InstalledPackage, Universe


def test_list_of_entries_keeps_id_and_title_and_drops_extra_fields():
    entries = _overrides.parse_install_override_list([
        {'id': 'openssl.*'},
        {'id': 'curl.x86_64', 'title': 'curl.x86_64:0:7.76.1-*', 'kb': 'ignored'},
    ])
    assert entries == [{'id': 'openssl.*', 'title': None},
                       {'id': 'curl.x86_64', 'title': 'curl.x86_64:0:7.76.1-*'}]


def test_yaml_text_with_patches_key():
    text = "patches:\n  - id: 'dhcp*'\n    title: '*1.2.27'\n  - id: cryptsetup-bin.*\n"
    assert _overrides.parse_install_override_list(text) == [
        {'id': 'dhcp*', 'title': '*1.2.27'}, {'id': 'cryptsetup-bin.*', 'title': None}]


def test_file_path_is_read(tmp_path):
    path = tmp_path / 'override.yml'
    path.write_text("patches:\n  - id: bash.amd64\n")
    assert _overrides.parse_install_override_list(str(path)) == [{'id': 'bash.amd64', 'title': None}]


def test_empty_patches_list_means_install_nothing():
    assert _overrides.parse_install_override_list({'patches': []}) == []


@pytest.mark.parametrize('value, field, problem', [
    ([{'id': 'a'}, {'id': 'b'}, {'title': 'c'}], 'install_override_list[2].id', 'required'),
    ({'patches': [{'id': 'a'}, {'title': 'x'}]}, 'install_override_list.patches[1].id', 'required'),
    ([{'id': ''}], 'install_override_list[0].id', 'must not be empty'),
    ([{'id': ['a']}], 'install_override_list[0].id', 'must be a string'),
    ([{'id': 'a', 'title': {'x': 1}}], 'install_override_list[0].title', 'must be a string'),
    (['bash'], 'install_override_list[0]', 'must be a dict'),
    ({'packages': []}, 'install_override_list', 'patches'),
    ({'patches': 'bash'}, 'install_override_list.patches', 'must be a list'),
    ('patches: [unclosed\n', 'install_override_list', 'not valid'),
    ('/nonexistent/override.yml', 'install_override_list', '/nonexistent/override.yml cannot be read'),
])
def test_bad_override_lists_name_the_field(value, field, problem):
    with pytest.raises(InputError) as caught:
        _overrides.parse_install_override_list(value)
    assert caught.value.field == field
    assert problem in str(caught.value)
    assert str(caught.value).startswith(field + ': ')


UBUNTU = {'Name': 'ubuntu-all', 'OperatingSystem': 'UBUNTU',
          'ApprovalRules': {'PatchRules': [{'PatchFilterGroup': {'PatchFilters': [{'Key': 'PRIORITY', 'Values': ['*']}]},
                                            'ApproveAfterDays': 0}]}}
DEBIAN = {'name': 'debian-all', 'operating_system': 'DEBIAN', 'approved_patches': ['bash']}


def test_override_entry_matching_the_os_wins_and_others_are_ignored():
    baselines = _overrides.parse_baseline_override([UBUNTU, DEBIAN])
    assert _overrides.select_baseline_override(baselines, 'DEBIAN')['name'] == 'debian-all'
    assert _overrides.select_baseline_override(baselines, 'UBUNTU')['name'] == 'ubuntu-all'
    assert _overrides.select_baseline_override(baselines, 'SUSE') is None


def test_override_json_text_is_accepted():
    import json
    baselines = _overrides.parse_baseline_override(json.dumps([UBUNTU]))
    assert baselines[0]['operating_system'] == 'UBUNTU'


def test_invalid_override_entry_names_its_index_and_field():
    bad = dict(UBUNTU, ApprovalRules={'PatchRules': [{'PatchFilterGroup': {'PatchFilters': [{'Key': 'PRIORITY', 'Values': ['*']}]},
                                                      'ApproveAfterDays': 400}]})
    with pytest.raises(BaselineValidationError) as caught:
        _overrides.parse_baseline_override([DEBIAN, bad])
    assert caught.value.path == 'baseline_override[1].ApprovalRules.PatchRules[0].ApproveAfterDays'
    assert '400' in str(caught.value)


@pytest.mark.parametrize('value', [[], 'not-a-file-and-not-a-list', [42]])
def test_override_that_is_not_a_list_of_baselines_fails(value):
    with pytest.raises(InputError) as caught:
        _overrides.parse_baseline_override(value)
    assert caught.value.field.startswith('baseline_override')


def _universe(family, installed, candidates):
    return Universe(family, 'DEBIAN' if family == 'apt' else 'REDHAT_ENTERPRISE_LINUX', 'x',
                    [InstalledPackage(*item) for item in installed], [Candidate(*item) for item in candidates])


def test_override_targets_pick_highest_listed_version_of_installed_packages_only():
    universe = _universe('apt', [('bash', 'amd64', '5.1-1'), ('curl', 'amd64', '7.0-1')], [
        ('bash', 'amd64', '5.1-1'), ('bash', 'amd64', '5.2-1'), ('bash', 'amd64', '5.2-2'),
        ('curl', 'amd64', '7.1-1'), ('vim', 'amd64', '9.0-1'),
    ])
    entries = [{'id': 'bash.*', 'title': None}, {'id': 'vim.amd64', 'title': None}]
    assert _overrides.override_targets(entries, universe) == [('bash', 'amd64', '5.2-2')]


def test_override_title_limits_the_version_and_both_id_and_title_must_match():
    universe = _universe('dnf', [('curl', 'x86_64', '0:7.0-1')], [
        ('curl', 'x86_64', '0:7.1-1'), ('curl', 'x86_64', '0:7.2-1'), ('curl', 'i686', '0:7.2-1'),
    ])
    assert _overrides.override_targets([{'id': 'curl.x86_64', 'title': 'curl.x86_64:0:7.1-*'}], universe) == [
        ('curl', 'x86_64', '0:7.1-1')]
    assert _overrides.override_targets([{'id': 'bash.x86_64', 'title': 'curl.x86_64:0:7.1-*'}], universe) == []


def test_override_matching_is_case_insensitive():
    universe = _universe('apt', [('libFoo', 'amd64', '1-1')], [('libFoo', 'amd64', '2-1')])
    assert _overrides.override_targets([{'id': 'LIBFOO.AMD64', 'title': None}], universe) == [('libFoo', 'amd64', '2-1')]


SECRET = 'hunter2-0123456789'


@pytest.mark.parametrize('text', [
    'patches:\n  - id: openssl\n    title: "%s\n' % SECRET,                # unterminated quote
    'patches: [{id: %s}, {id: %s: x}]\n' % (SECRET, SECRET),               # a colon inside a flow mapping
    '{"patches": [{"id": "%s" "title": 1}]}' % SECRET,                    # JSON missing a comma
    'patches:\n\t- id: %s\n' % SECRET,                                     # a tab
])
def test_unparsable_documents_say_where_without_quoting_them(tmp_path, text):
    path = tmp_path / 'override.yml'
    path.write_text(text)
    for value in (str(path), text):
        with pytest.raises(InputError) as caught:
            _overrides.parse_install_override_list(value)
        message = str(caught.value)
        assert message.startswith('install_override_list: ') and 'is not valid YAML or JSON (line ' in message
        assert SECRET not in message and 'patches:' not in message
