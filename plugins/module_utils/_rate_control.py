# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MaxConcurrency and MaxErrors as AWS Run Command and maintenance windows define them.

A value is a count (``3``) or a percentage of the targets (``10%``). The patterns are the
ones of the AWS API (ssm-semantics.md section 9.4). The error budget counts errors across
the whole run: scheduling stops once the errors *exceed* MaxErrors (``0`` stops after the
first error, ``3`` at the fourth, ``10%`` of 50 targets at the sixth).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError

MAX_CONCURRENCY_PATTERN = r'^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$'
MAX_ERRORS_PATTERN = r'^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$'


class RateLimit(object):
    """A parsed MaxConcurrency or MaxErrors value: a count or a percentage of the targets."""

    def __init__(self, value, is_percent):
        self.value = value
        self.is_percent = is_percent

    def __eq__(self, other):
        return isinstance(other, RateLimit) and (self.value, self.is_percent) == (other.value, other.is_percent)

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return 'RateLimit(%r, is_percent=%r)' % (self.value, self.is_percent)

    def __str__(self):
        return '%d%%' % self.value if self.is_percent else str(self.value)


def _parse(field, value, pattern, example):
    if isinstance(value, bool):
        raise InputError(field, '%r is not a count or a percentage (for example %s)' % (value, example))
    text = str(value).strip() if isinstance(value, (int, str)) else None
    if text is None or not re.match(pattern, text):
        raise InputError(field, '%r does not match %s (a count such as %s, or a percentage of the targets)'
                         % (value, pattern, example))
    if text.endswith('%'):
        return RateLimit(int(text[:-1]), True)
    return RateLimit(int(text), False)


def parse_max_concurrency(value):
    """Parse MaxConcurrency: ``1``.. or ``1%``..``100%``; raises InputError naming the field."""
    return _parse('max_concurrency', value, MAX_CONCURRENCY_PATTERN, "'10' or '25%'")


def parse_max_errors(value):
    """Parse MaxErrors: ``0``.. or ``0%``..``100%``; raises InputError naming the field."""
    return _parse('max_errors', value, MAX_ERRORS_PATTERN, "'0', '3' or '10%'")


def concurrency_for(limit, target_count):
    """How many targets may run at once; a percentage rounds down, but never below one."""
    if not limit.is_percent:
        return limit.value
    return max(1, (target_count * limit.value) // 100)


def errors_allowed(limit, target_count):
    """How many errors the run tolerates before it stops starting targets (percentages round down)."""
    if not limit.is_percent:
        return limit.value
    return (target_count * limit.value) // 100


def error_budget_spent(limit, target_count, error_count):
    """True once the errors so far exceed MaxErrors: no new target may start."""
    return error_count > errors_allowed(limit, target_count)
