# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A window schedule as other schedulers write it: an AWX schedule rrule and a systemd OnCalendar.

Each converter returns ``(text, None)`` when the other scheduler fires at exactly the
window's execution starts from the reference time on, else ``(None, reason)``. "Exactly"
includes the daylight-saving rules: AWX skips a local time that does not exist and, like
systemd, runs a repeated local time once, at its first occurrence, as the engine does.

- ``awx_rrule``: ``DTSTART;TZID=<zone>:<next execution> RRULE:...`` as the AWX schedule
  API takes it (INTERVAL always present; no BYDAY with a numeric prefix, no BYSETPOS: the
  nth and last weekday become a weekday plus a day-of-month range; W and LW become
  several RRULEs, which AWX combines). DTSTART is the first execution at or after the
  reference time, so that AWX's and RFC 5545's readings of DTSTART agree.
- ``systemd_calendar``: one ``OnCalendar=`` value with the timezone; systemd has no start
  or end date, so a window whose StartDate is still ahead or that has an EndDate has none.
  A timer started inside a repeated local hour fires once at a time's second occurrence
  (systemd computes the next elapse from its start); no window execution is open then that
  has not already started. A timezone whose clocks change at a time that is not on the hour
  (Pacific/Chatham) gets none: systemd 252 skips runs next to such a change or cannot compute
  the next one (``clock_change_off_the_hour``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import functools

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._schedule import UTC

RRULE_DAYS = ('SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA')           # index = AWS day-of-week - 1
SYSTEMD_DAYS = ('Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat')
WEEKDAYS = (2, 3, 4, 5, 6)
# Beyond this, nW and shifted day ranges reach days that only some months have.
SHORTEST_MONTH = 28


class Unexpressible(Exception):
    """The schedule has no faithful equivalent; ``str()`` says why."""


def _all_years(years):
    return len(years) == _schedule.YEAR_RANGE[1] - _schedule.YEAR_RANGE[0] + 1


def _ranges(values):
    """Sorted integers as [(first, last)] runs."""
    runs = []
    for value in sorted(values):
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return [tuple(run) for run in runs]


def _join(values):
    return ','.join(str(value) for value in sorted(values))


def _shift_weekdays(weekdays, days):
    return sorted((weekday - 1 + days) % 7 + 1 for weekday in weekdays)


class DayRule(object):
    """A day selection both targets can write: weekdays AND days of the month (negative = from the end)."""

    def __init__(self, weekdays=None, month_days=None):
        self.weekdays = weekdays
        self.month_days = month_days


def _day_rules(spec):
    """The cron day fields (with ScheduleOffset applied) as a list of DayRule, or Unexpressible.

    Several rules mean the union of their days.
    """
    cron = spec.cron
    offset = spec.offset
    dom, dow = cron.day_of_month, cron.day_of_week
    if offset and len(cron.months) != 12:
        raise Unexpressible('ScheduleOffset moves runs across month ends, so a Month restriction (%s) has no '
                            'equivalent' % _join(cron.months))
    if dom.kind == 'any' or dow.kind == 'any':
        return [DayRule()]
    if dow.kind == 'set':
        return [DayRule(weekdays=_shift_weekdays(dow.values, offset))]
    if dow.kind == 'nth_weekday':
        first = 7 * (dow.nth - 1) + 1 + offset
        last = min(7 * dow.nth, 31) + offset
        if offset and last > SHORTEST_MONTH:
            raise Unexpressible('ScheduleOffset %d moves occurrence %d of the weekday past the 28th, into the next '
                                'month in some months' % (offset, dow.nth))
        return [DayRule(weekdays=_shift_weekdays([dow.weekday], offset), month_days=list(range(first, last + 1)))]
    if dom.kind == 'set':
        if offset and max(dom.values) + offset > SHORTEST_MONTH:
            raise Unexpressible('ScheduleOffset %d moves day %d past the 28th, into the next month in some months'
                                % (offset, max(dom.values)))
        return [DayRule(month_days=sorted(day + offset for day in dom.values))]
    if offset:
        raise Unexpressible('ScheduleOffset moves the last or nearest-weekday days of %s across month ends'
                            % spec.expression)
    if dow.kind == 'last_of_weekday':
        return [DayRule(weekdays=[dow.weekday], month_days=list(range(-7, 0)))]
    if dom.kind == 'last':
        return [DayRule(month_days=[-1])]
    if dom.kind == 'last_weekday':
        # The last day when it is a weekday, else the Friday before a Saturday or Sunday last day.
        return [DayRule(weekdays=list(WEEKDAYS), month_days=[-1]),
                DayRule(weekdays=[6], month_days=[-2]),
                DayRule(weekdays=[6], month_days=[-3])]
    if dom.kind == 'nearest_weekday':
        day = dom.day
        if day >= SHORTEST_MONTH:
            raise Unexpressible('%dW (the weekday nearest to day %d) depends on the length of each month' % (day, day))
        if day == 1:
            return [DayRule(weekdays=list(WEEKDAYS), month_days=[1]),
                    DayRule(weekdays=[2], month_days=[2]),      # the 1st is a Sunday
                    DayRule(weekdays=[2], month_days=[3])]      # the 1st is a Saturday
        return [DayRule(weekdays=list(WEEKDAYS), month_days=[day]),
                DayRule(weekdays=[6], month_days=[day - 1]),    # day is a Saturday
                DayRule(weekdays=[2], month_days=[day + 1])]    # day is a Sunday
    raise AssertionError((dom.kind, dow.kind))


def _first_execution(spec, reference):
    moment = spec.next_after(reference)
    if moment is None:
        raise Unexpressible('the window has no execution at or after %s' % _schedule.format_time(reference))
    return moment


def _rrule_time(moment):
    return moment.strftime('%Y%m%dT%H%M%S')


def _until(spec, extra=None):
    """The UNTIL part: EndDate and an upper year bound, whichever is earlier."""
    bounds = [bound for bound in (spec.end, extra) if bound is not None]
    if not bounds:
        return ''
    return ';UNTIL=%s' % min(bounds).astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')


def awx_rrule(spec, reference):
    """``(rrule, None)`` or ``(None, reason)`` for a ``_schedule.Schedule`` from ``reference`` (aware) on."""
    try:
        return _awx_rrule(spec, reference), None
    except Unexpressible as exc:
        return None, str(exc)


def _awx_rrule(spec, reference):
    first = _first_execution(spec, reference)
    if spec.kind == _schedule.KIND_AT:
        return 'DTSTART;TZID=%s:%s RRULE:FREQ=DAILY;INTERVAL=1;COUNT=1' % (spec.timezone, _rrule_time(first))
    if spec.kind == _schedule.KIND_RATE:
        number, unit = spec.rate
        if unit == 'day':
            # Calendar days at the local wall-clock time: the rrule's DAILY in the window's timezone.
            return 'DTSTART;TZID=%s:%s RRULE:FREQ=DAILY;INTERVAL=%d%s' % (
                spec.timezone, _rrule_time(first), number, _until(spec))
        # Elapsed time: counted in UTC, where wall-clock steps are real ones.
        return 'DTSTART;TZID=UTC:%s RRULE:FREQ=%s;INTERVAL=%d%s' % (
            _rrule_time(first.astimezone(UTC)), 'MINUTELY' if unit == 'minute' else 'HOURLY', number, _until(spec))
    cron = spec.cron
    year_bound = None
    if not _all_years(cron.years):
        runs = _ranges(cron.years)
        if len(runs) > 1:
            raise Unexpressible('an rrule cannot skip years: the Year field selects %s'
                                % ', '.join('%d-%d' % run if run[0] != run[1] else str(run[0]) for run in runs))
        year_bound = _schedule.resolve_local(datetime.datetime(runs[0][1], 12, 31, 23, 59, 59), spec.tz)
        if year_bound is not None and spec.offset:
            year_bound += datetime.timedelta(days=spec.offset)
    parts = ['FREQ=DAILY', 'INTERVAL=1']
    if len(cron.months) != 12:
        parts.append('BYMONTH=%s' % _join(cron.months))
    parts.extend(['BYHOUR=%s' % _join(cron.hours), 'BYMINUTE=%s' % _join(cron.minutes),
                  'BYSECOND=%s' % _join(cron.seconds)])
    until = _until(spec, year_bound)
    rules = []
    for rule in _day_rules(spec):
        day_parts = []
        if rule.weekdays is not None:
            day_parts.append('BYDAY=%s' % ','.join(RRULE_DAYS[weekday - 1] for weekday in rule.weekdays))
        if rule.month_days is not None:
            day_parts.append('BYMONTHDAY=%s' % ','.join(str(day) for day in rule.month_days))
        rules.append('RRULE:%s%s' % (';'.join(parts + day_parts), until))
    return 'DTSTART;TZID=%s:%s %s' % (spec.timezone, _rrule_time(first), ' '.join(rules))


def systemd_calendar(spec, reference):
    """``(OnCalendar value, None)`` or ``(None, reason)`` for a ``_schedule.Schedule`` from ``reference`` on."""
    try:
        return _systemd_calendar(spec, reference), None
    except Unexpressible as exc:
        return None, str(exc)


def _systemd_list(values):
    """Two-digit values, runs of three or more as ``first..last``."""
    parts = []
    for first, last in _ranges(values):
        if last - first >= 2:
            parts.append('%02d..%02d' % (first, last))
        else:
            parts.extend('%02d' % value for value in range(first, last + 1))
    return ','.join(parts)


def _systemd_years(years):
    if _all_years(years):
        return '*'
    return ','.join('%d..%d' % run if run[0] != run[1] else '%d' % run[0] for run in _ranges(years))


@functools.lru_cache(maxsize=None)
def clock_change_off_the_hour(timezone, year):
    """The local time (``HH:MM``) of a clock change of ``timezone`` in ``year`` that is not on the hour, or None.

    Found from the zone's offsets: day by day, then to the minute by bisection.
    """
    zone = _schedule.load_timezone(timezone)
    day = datetime.timedelta(days=1)
    moment = datetime.datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        following = moment + day
        if following.astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            before = moment.astimezone(zone).utcoffset()
            low, high = 0, 24 * 60                 # minutes after ``moment``: the offset changes in (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                if (moment + datetime.timedelta(minutes=middle)).astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            wall_before = moment + datetime.timedelta(minutes=high) + before     # the local time the old offset reaches
            if wall_before.minute:
                return wall_before.strftime('%H:%M')
        moment = following
    return None


def _systemd_calendar(spec, reference):
    first = _first_execution(spec, reference)
    if spec.end is not None:
        raise Unexpressible('a systemd timer has no end date: EndDate %s cannot be written in OnCalendar; stop the '
                            'timer then, or use the AWX schedule' % _schedule.format_time(spec.end))
    if spec.start is not None and spec.start > reference:
        raise Unexpressible('a systemd timer has no start date: StartDate %s is still ahead; enable the timer from '
                            'then on' % _schedule.format_time(spec.start))
    zone = spec.timezone
    local_times = not (spec.kind == _schedule.KIND_RATE and spec.rate[1] in ('minute', 'hour'))   # those run in UTC
    for year in (first.year, first.year + 1) if local_times else ():
        off_the_hour = clock_change_off_the_hour(zone, year)
        if off_the_hour:
            raise Unexpressible('systemd (252, Debian 12) miscomputes OnCalendar times around clock changes that are '
                                'not on the hour, and %s changes its clocks at %s local time; use the AWX schedule'
                                % (zone, off_the_hour))
    if spec.kind == _schedule.KIND_AT:
        return '%s %s' % (first.strftime('%Y-%m-%d %H:%M:%S'), zone)
    if spec.kind == _schedule.KIND_RATE:
        number, unit = spec.rate
        if unit == 'day':
            if number == 1:
                return '*-*-* %s %s' % (first.strftime('%H:%M:%S'), zone)
            if number == 7:
                return '%s *-*-* %s %s' % (SYSTEMD_DAYS[_schedule.aws_weekday(first) - 1], first.strftime('%H:%M:%S'), zone)
            raise Unexpressible('rate(%d days): systemd repeats days within each month, so only 1 and 7 days have an '
                                'OnCalendar form' % number)
        moment = first.astimezone(UTC)
        minutes = number * (1 if unit == 'minute' else 60)
        if minutes < 60 and 60 % minutes == 0:
            return '*-*-* *:%02d/%d:%02d UTC' % (moment.minute % minutes, minutes, moment.second)
        if minutes % 60 == 0 and 24 % (minutes // 60) == 0:
            hours = minutes // 60
            return '*-*-* %02d/%d:%02d:%02d UTC' % (moment.hour % hours, hours, moment.minute, moment.second)
        raise Unexpressible('%s: systemd repeats minutes within each hour and hours within each day, so only rates '
                            'that divide an hour or a day have an OnCalendar form' % spec.expression)
    cron = spec.cron
    if spec.offset and not _all_years(cron.years):
        raise Unexpressible('ScheduleOffset moves runs across year ends, so a Year restriction has no equivalent')
    rules = _day_rules(spec)
    if len(rules) > 1:
        raise Unexpressible('%s needs several OnCalendar lines (the nearest or last weekday)' % spec.expression)
    rule = rules[0]
    weekday = ''
    if rule.weekdays is not None:
        weekday = ','.join(SYSTEMD_DAYS[day - 1] for day in rule.weekdays) + ' '
    months = '*' if len(cron.months) == 12 else _systemd_list(cron.months)
    if rule.month_days is None:
        date = '%s-%s-*' % (_systemd_years(cron.years), months)
    elif all(day < 0 for day in rule.month_days):
        date = '%s-%s~%s' % (_systemd_years(cron.years), months, _systemd_list(-day for day in rule.month_days))
    else:
        date = '%s-%s-%s' % (_systemd_years(cron.years), months, _systemd_list(rule.month_days))
    time = '%s:%s:%s' % (_systemd_list(cron.hours), _systemd_list(cron.minutes), _systemd_list(cron.seconds))
    return '%s%s %s %s' % (weekday, date, time, zone)
