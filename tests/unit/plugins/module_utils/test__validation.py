# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The input rules host and controller share: patch group names, and how errors name a value's type."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import datetime

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._validation import patch_group_problem, type_name


@pytest.mark.parametrize('value, ok', [
    ('Production', True), ('web servers', True), ('a_b.c:d/e=f+g-h@i', True), ('Produktion-Ä1', True),
    ('生产', True), ('x' * 256, True), ('a\u00a0b', True), ('a\u2028b', True), ('Ⅻ½', True),
    ('', False), ('x' * 257, False), ('a|b', False), ('a\tb', False), ('a#b', False), (5, False),
    ('web\nservers', False), ('a\rb', False), ('a\x1cb', False), ('a\x85b', False), ('a\x00b', False),
    ('a\x1b[31mb', False), ('a\u200bb', False),
], ids=repr)
def test_patch_group_names_follow_the_aws_pattern(value, ok):
    # ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$, 1..256: letters, separators (no control characters), numbers.
    assert (patch_group_problem(value) is None) is ok


def test_a_patch_group_problem_says_what_is_allowed():
    assert patch_group_problem('web\nservers') == ("'\\n' is not allowed in a patch group name (allowed: letters, "
                                                   "numbers, spaces and _ . : / = + - @)")
    assert patch_group_problem(5) == 'a patch group name must be a string, not an integer'


class _PrivateInt(int):
    pass


class _PrivateMapping(collections.OrderedDict):
    pass


@pytest.mark.parametrize('value, words', [
    (None, 'null'), (True, 'a boolean'), (3, 'an integer'), (_PrivateInt(3), 'an integer'), (1.5, 'a number'),
    ('x', 'a string'), (b'x', 'bytes'), ({}, 'a mapping'), (_PrivateMapping(), 'a mapping'), ([], 'a list'),
    ((), 'a list'), (datetime.date(2026, 1, 1), 'a date'), (datetime.datetime(2026, 1, 1), 'a date and time'),
    (object(), 'an object'),
])
def test_type_names_are_user_words(value, words):
    assert type_name(value) == words
