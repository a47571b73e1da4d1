# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the maintenance window schedule engine: 1,000 next executions per expression.

For each expression the time to parse and validate it, and the time to compute its next
1,000 executions (and to build the AWX rrule and systemd OnCalendar forms, which compute the
next execution again), in a DST timezone. Medians of --repeat runs, in milliseconds.

Usage: .venv/bin/python bench/schedule_bench.py [--repeat N]
"""

import argparse
import datetime
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, '.collections'))

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule  # noqa: E402
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule_export  # noqa: E402

AFTER = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
COUNT = 1000
ZONE = 'Europe/Berlin'
# (expression, keyword arguments): dense, sparse, each day form, offsets, rates, seconds.
CASES = (
    ('cron(0/5 * * * ? *)', {}),
    ('cron(0 2 ? * SUN *)', {}),
    ('cron(15 10 ? * MON-FRI *)', {}),
    ('cron(0 2 ? * THU#3 *)', {}),
    ('cron(15 10 ? * 6L *)', {}),
    ('cron(0 2 L * ? *)', {}),
    ('cron(0 0 LW * ? *)', {}),
    ('cron(0 0 15W * ? *)', {}),
    ('cron(24 30 09 ? * * *)', {}),
    ('cron(30 23 ? * TUE#2 *)', {'offset': 2}),
    ('cron(0 0 29 2 ? *)', {}),
    ('rate(5 minutes)', {'start_date': '2025-06-01T00:00:00Z'}),
    ('rate(7 days)', {'start_date': '2025-01-07T03:15:00+01:00'}),
)


def measure(function, repeat):
    times = []
    for dummy in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=7)
    args = parser.parse_args()
    print('Python %s; %d next executions from %s in %s; median of %d runs' % (
        sys.version.split()[0], COUNT, AFTER.date(), ZONE, args.repeat))
    print('%-34s %10s %14s %16s %12s' % ('expression', 'parse ms', '1000 next ms', 'AWX+systemd ms', 'last start'))
    worst = 0.0
    for expression, kwargs in CASES:
        schedule = _schedule.parse_schedule(expression, ZONE, **kwargs)
        parse_ms = measure(lambda: _schedule.parse_schedule(expression, ZONE, **kwargs), args.repeat)
        found = list(schedule.occurrences(AFTER, count=COUNT))
        next_ms = measure(lambda: list(schedule.occurrences(AFTER, count=COUNT)), args.repeat)
        export_ms = measure(lambda: (_schedule_export.awx_rrule(schedule, AFTER),
                                     _schedule_export.systemd_calendar(schedule, AFTER)), args.repeat)
        worst = max(worst, parse_ms + next_ms)
        label = expression + (' offset %d' % kwargs['offset'] if 'offset' in kwargs else '')
        last = found[-1].date() if found else '-'
        print('%-34s %10.2f %14.1f %16.2f %12s' % (label, parse_ms, next_ms, export_ms, last))
    print('slowest parse + 1,000 executions: %.1f ms' % worst)
    return 0


if __name__ == '__main__':
    sys.exit(main())
