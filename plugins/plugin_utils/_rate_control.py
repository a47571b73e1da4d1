# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MaxConcurrency and MaxErrors as AWS Run Command and maintenance windows define them.

A value is a count (``3``) or a percentage of the targets (``10%``), with the patterns of
the AWS API. ``RateWindow`` applies both to one run over an ordered list of targets:

- MaxConcurrency is a sliding window: a target starts as soon as a running one finishes,
  never more than the limit at once (not batches that wait for the slowest target);
- MaxErrors counts errors (failed or unreachable targets) across the whole run: once they
  *exceed* it no new target starts (``0`` stops after the first error, ``3`` at the fourth,
  ``10%`` of 50 targets at the sixth); targets already running finish and may add errors.
  Targets never started are *not attempted*.

Controller-only, pure: the ``fleetops.patch_manager.rate_control`` strategy feeds it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError

MAX_CONCURRENCY_PATTERN = re.compile(r'^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$')
MAX_ERRORS_PATTERN = re.compile(r'^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$')
MAX_CONCURRENCY_ALLOWED = 'a count of 1 or more or a percentage 1%..100%'
MAX_ERRORS_ALLOWED = 'a count of 0 or more or a percentage 0%..100%'


class RateLimitError(InputError):
    """A MaxConcurrency or MaxErrors value AWS would refuse; the message names the field and the allowed values."""

    def __init__(self, field, value, allowed):
        self.value = value
        self.allowed = allowed
        super(RateLimitError, self).__init__(field, 'must be %s (got %s)' % (allowed, value))

    def __str__(self):
        return '%s %s' % (self.field, self.problem)


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


def _parse(value, pattern, field, allowed):
    if isinstance(value, RateLimit):
        return value
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if text is None or not pattern.match(text):
        raise RateLimitError(field, value, allowed)
    if text.endswith('%'):
        return RateLimit(int(text[:-1]), True)
    return RateLimit(int(text), False)


def parse_max_concurrency(value, field='max_concurrency'):
    """Parse MaxConcurrency: ``1``.. or ``1%``..``100%``; raises RateLimitError naming ``field``."""
    return _parse(value, MAX_CONCURRENCY_PATTERN, field, MAX_CONCURRENCY_ALLOWED)


def parse_max_errors(value, field='max_errors'):
    """Parse MaxErrors: ``0``.. or ``0%``..``100%``; raises RateLimitError naming ``field``."""
    return _parse(value, MAX_ERRORS_PATTERN, field, MAX_ERRORS_ALLOWED)


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


class RateWindow(object):
    """Which targets of one run may start now, under MaxConcurrency and MaxErrors.

    ``targets``: names in the order they are started. Tell it what happened with
    ``finished(name, error)``; ``admit()`` returns the targets that start now. Unlimited
    (``None``) values admit everything and tolerate every error.
    """

    def __init__(self, targets, max_concurrency=None, max_errors=None):
        self.targets = list(targets)
        count = len(self.targets)
        self.concurrency = count if max_concurrency is None else concurrency_for(
            parse_max_concurrency(max_concurrency), count)
        self.allowed_errors = count if max_errors is None else errors_allowed(parse_max_errors(max_errors), count)
        self.started = []
        self.running = set()
        self.errors = set()
        self._next = 0

    @property
    def budget_spent(self):
        return len(self.errors) > self.allowed_errors

    def finished(self, name, error=False):
        """A started target has finished (``error``: it failed or was unreachable)."""
        self.running.discard(name)
        if error:
            self.errors.add(name)

    def admit(self):
        """The targets that start now (possibly none), in order."""
        admitted = []
        while (self._next < len(self.targets) and len(self.running) < self.concurrency
               and not self.budget_spent):
            name = self.targets[self._next]
            self._next += 1
            self.started.append(name)
            self.running.add(name)
            admitted.append(name)
        return admitted

    def not_attempted(self):
        """Targets that were never started; final once nothing runs any more."""
        return self.targets[self._next:]
