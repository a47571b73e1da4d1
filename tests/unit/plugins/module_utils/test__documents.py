# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._documents import (
    DocumentError,
    expanded_size,
    load_document,
    read_document_file,
)

# 9 levels of 9 aliases each: under 500 bytes, 9**9 (387 million) strings once expanded.
ALIAS_BOMB = '\n'.join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + ['%s: &%s [%s]' % (chr(ord('a') + level), chr(ord('a') + level),
                         ','.join(['*%s' % chr(ord('a') + level - 1)] * 9)) for level in range(1, 9)]
    + ['patches: *i']) + '\n'


def test_alias_bomb_is_refused():
    assert len(ALIAS_BOMB) < 500
    with pytest.raises(DocumentError) as caught:
        load_document(ALIAS_BOMB)
    assert 'expands to more than' in str(caught.value)
    assert 'aliases' in str(caught.value)


def test_self_referencing_alias_is_refused():
    with pytest.raises(DocumentError) as caught:
        load_document('a: &a [1, *a]\n')
    assert 'refers to itself' in str(caught.value)


def test_shared_aliases_within_the_limit_load():
    text = 'rule: &rule {key: PRIORITY, values: [Required]}\nfilters: [*rule, *rule, *rule]\n'
    data = load_document(text)
    assert data['filters'] == [{'key': 'PRIORITY', 'values': ['Required']}] * 3
    # Every alias counts in full: 1 + 2 keys + rule(1 + 2 keys + 1 + values list 2) + filters(1 + 3 rules).
    assert expanded_size(data) == expanded_size({'rule': data['rule'], 'filters': [dict(data['rule']) for _ in range(3)]})


@pytest.mark.parametrize('text', [
    'password: s3cr3t-value\n  bad: [indent\n',
    '{"token": "s3cr3t-value" "more"}',
])
def test_parse_errors_never_quote_the_text(text):
    with pytest.raises(DocumentError) as caught:
        load_document(text)
    assert 's3cr3t' not in str(caught.value)
    assert 'line ' in str(caught.value)


def test_json_and_yaml_both_load():
    assert load_document('{"Name": "x"}') == {'Name': 'x'}
    assert load_document('Name: x\n') == {'Name': 'x'}


def test_file_errors_name_the_file(tmp_path):
    path = tmp_path / 'override.yml'
    with pytest.raises(DocumentError) as caught:
        read_document_file(str(path))
    assert str(path) in str(caught.value)
    path.write_text('patches: [unclosed\n')
    with pytest.raises(DocumentError) as caught:
        read_document_file(str(path))
    assert str(caught.value).startswith(str(path) + ' is not valid YAML or JSON (line 2')
