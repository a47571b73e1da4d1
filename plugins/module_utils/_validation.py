# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Input rules the host and the controller share, and the words errors use for values.

Python 3.8, standard library only (it runs on targets too).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import unicodedata

from collections.abc import Mapping

# AWS CreatePatchBaseline/RegisterPatchBaselineForPatchGroup: PatchGroup is 1..256 characters of
# ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (letters, separators, numbers and this punctuation).
PATCH_GROUP_MAX_LENGTH = 256
PATCH_GROUP_PUNCTUATION = '_.:/=+-@'
# Unicode general categories of \p{L} (letters), \p{Z} (separators) and \p{N} (numbers).
PATCH_GROUP_CATEGORIES = frozenset(('Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Zs', 'Zl', 'Zp', 'Nd', 'Nl', 'No'))


def type_name(value):
    """What ``value`` is, in the words of YAML and JSON (``a string``, ``an integer``, ``a mapping`` ...).

    Never the name of a Python class a user did not write: ansible-core 2.19 hands plugins
    tagged subclasses (``_AnsibleTaggedInt``, ``_AnsibleTaggedDict`` ...) of the plain types.
    """
    if value is None:
        return 'null'
    for kind, words in ((bool, 'a boolean'), (int, 'an integer'), (float, 'a number'), (str, 'a string'),
                        (bytes, 'bytes'), (Mapping, 'a mapping'), ((list, tuple, set, frozenset), 'a list'),
                        (datetime.datetime, 'a date and time'), (datetime.date, 'a date')):
        if isinstance(value, kind):
            return words
    name = next(cls.__name__ for cls in type(value).__mro__ if not cls.__name__.startswith('_'))
    return '%s %s' % ('an' if name[:1].lower() in 'aeiou' else 'a', name)


def patch_group_problem(value):
    """Why ``value`` is not a valid AWS patch group name (a sentence fragment), or None when it is."""
    if not isinstance(value, str):
        return 'a patch group name must be a string, not %s' % type_name(value)
    if not 1 <= len(value) <= PATCH_GROUP_MAX_LENGTH:
        return 'a patch group name has 1..%d characters, not %d' % (PATCH_GROUP_MAX_LENGTH, len(value))
    for char in value:
        if char not in PATCH_GROUP_PUNCTUATION and unicodedata.category(char) not in PATCH_GROUP_CATEGORIES:
            return ('%r is not allowed in a patch group name (allowed: letters, numbers, spaces and %s)'
                    % (char, ' '.join(PATCH_GROUP_PUNCTUATION)))
    return None
