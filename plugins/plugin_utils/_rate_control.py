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
    """One task's targets under its MaxConcurrency and MaxErrors (None: unlimited)."""

    def __init__(self, targets, max_concurrency=None, max_errors=None, name=None):
        self.name = name
        self.targets = list(targets)
        count = len(self.targets)
        self.concurrency = count if max_concurrency is None else concurrency_for(
            parse_max_concurrency(max_concurrency), count)
        self.allowed_errors = count if max_errors is None else errors_allowed(parse_max_errors(max_errors), count)
        self.started = []
        self.running = set()
        self.errors = set()
        self._schedule = None

    @property
    def budget_spent(self):
        return len(self.errors) > self.allowed_errors

    @property
    def has_slot(self):
        return len(self.running) < self.concurrency

    def start(self, name):
        self.started.append(name)
        self.running.add(name)

    def finished(self, name, error=False):
        """A started target has finished (``error``: it failed or was unreachable)."""
        self.running.discard(name)
        if error:
            self.errors.add(name)

    def admit(self):
        """The targets of this window alone that start now (possibly none), in order."""
        if self._schedule is None:
            self._schedule = RateSchedule([self])
        return self._schedule.admit()

    def not_attempted(self):
        """Targets that were never started; final once nothing runs any more."""
        started = set(self.started)
        return [name for name in self.targets if name not in started]


class RateSchedule(object):
    """The windows of several tasks that run at the same time over one set of hosts.

    Maintenance-window tasks of equal priority run together, each with its own limits; a
    fleet run is the one-window case. A host that several tasks target starts when each of
    their windows has a slot, and counts in each. No host starts once any of its windows'
    error budget is spent, nor at or after ``closes_at`` (a window's cutoff; compared with
    ``admit(now)``). Hosts start in the order of the windows, then of their targets.
    """

    def __init__(self, windows, closes_at=None):
        self.windows = list(windows)
        self.closes_at = closes_at
        self.order = []
        self.membership = {}
        for window in self.windows:
            for name in window.targets:
                if name not in self.membership:
                    self.order.append(name)
                self.membership.setdefault(name, []).append(window)
        self.started = []
        self.running = set()
        self._pending = list(self.order)

    @property
    def closed(self):
        return bool(self.closes_at is not None and self._now is not None and self._now >= self.closes_at)

    _now = None

    def admit(self, now=None):
        """The hosts that start now (possibly none), in order."""
        self._now = now
        admitted = []
        if self.closed:
            return admitted
        for name in list(self._pending):
            windows = self.membership[name]
            if any(window.budget_spent for window in windows):
                continue
            if all(window.has_slot for window in windows):
                for window in windows:
                    window.start(name)
                self._pending.remove(name)
                self.started.append(name)
                self.running.add(name)
                admitted.append(name)
        return admitted

    def finished(self, name, error=False):
        self.running.discard(name)
        for window in self.membership.get(name, []):
            window.finished(name, error)

    @property
    def targets(self):
        return list(self.order)

    def not_attempted(self):
        """Hosts that were never started; final once nothing runs any more."""
        return list(self._pending)


def schedule_for_play(play_hosts, max_concurrency=None, max_errors=None, tasks=None, closes_at=None):
    """The RateSchedule of a play; raises RateLimitError / InputError naming the variable.

    ``max_concurrency``/``max_errors``: one window over ``play_hosts`` (a fleet run). ``tasks``:
    one window per task instead, ``[{name, hosts, max_concurrency, max_errors}]`` (maintenance
    window tasks of one priority), hosts outside the play left out. ``closes_at``: an aware
    datetime after which no host starts (a window's cutoff).
    """
    if tasks is None:
        windows = [RateWindow(play_hosts,
                              None if max_concurrency is None else parse_max_concurrency(
                                  max_concurrency, field='patch_max_concurrency'),
                              None if max_errors is None else parse_max_errors(max_errors, field='patch_max_errors'))]
        return RateSchedule(windows, closes_at=closes_at)
    if not isinstance(tasks, list):
        raise InputError('patch_rate_control.tasks', 'must be a list of {name, hosts, max_concurrency, max_errors}')
    in_play = set(play_hosts)
    windows = []
    for index, task in enumerate(tasks):
        where = 'patch_rate_control.tasks[%d]' % index
        if not isinstance(task, dict) or not isinstance(task.get('hosts'), list):
            raise InputError(where, 'must be a dict {name, hosts: [...], max_concurrency, max_errors}')
        windows.append(RateWindow(
            [host for host in task['hosts'] if host in in_play],
            parse_max_concurrency(task.get('max_concurrency') or '100%', field=where + '.max_concurrency'),
            parse_max_errors(task.get('max_errors') or '100%', field=where + '.max_errors'),
            name=task.get('name') or 'task-%d' % index))
    return RateSchedule(windows, closes_at=closes_at)


def window_report(schedule):
    """Per window: ``{name, hosts, started, not_attempted, errors}`` (host lists in start order)."""
    report = []
    for window in schedule.windows:
        started = set(window.started)
        report.append({'name': window.name, 'hosts': list(window.targets), 'started': list(window.started),
                       'not_attempted': [name for name in window.targets if name not in started],
                       'errors': sorted(window.errors)})
    return report
