# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent brute-force evaluator of window schedules, and hypothesis strategies for them.

The strategies build each cron field as data (the set of values it means) and render it
as text; the evaluator reads only the data, never the text and never the engine. It walks
UTC time minute by minute and asks, for each instant, whether the local wall clock shows
a matching time that is the first occurrence of that wall time (``fold == 0``): a local
time skipped by the clocks is never shown, so it never runs, and a repeated one runs once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime
import zoneinfo

from hypothesis import strategies as st

UTC = datetime.timezone.utc
MONTHS = ('JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC')
DAYS = ('SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT')
# DST in both hemispheres, a 30-minute DST (Lord Howe), none (Kolkata), a +12:45 zone.
TIMEZONES = ('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata',
             'America/Sao_Paulo', 'Pacific/Chatham', 'Europe/London')
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


def aws_day(day):
    """1 = Sunday .. 7 = Saturday, from the ISO weekday (Monday 1 .. Sunday 7)."""
    return day.isoweekday() % 7 + 1


def month_length(day):
    return calendar.monthrange(day.year, day.month)[1]


class DayRule(object):
    """What a day field means, as a predicate over dates."""

    def __init__(self, kind, values=None, n=None, k=None):
        self.kind, self.values, self.n, self.k = kind, values, n, k

    def __call__(self, day):
        kind = self.kind
        if kind == 'any':
            return True
        if kind == 'dom':
            return day.day in self.values
        if kind == 'dow':
            return aws_day(day) in self.values
        if kind == 'last':
            return (day + datetime.timedelta(days=1)).month != day.month
        if kind == 'last_weekday':
            later = [day.replace(day=number) for number in range(day.day + 1, month_length(day) + 1)]
            return aws_day(day) not in (1, 7) and all(aws_day(other) in (1, 7) for other in later)
        if kind == 'nearest_weekday':
            if self.n > month_length(day):
                return False
            weekdays = [number for number in range(1, month_length(day) + 1)
                        if aws_day(day.replace(day=number)) not in (1, 7)]
            return day.day == min(weekdays, key=lambda number: abs(number - self.n))
        if kind == 'last_of':
            return aws_day(day) == self.n and (day + datetime.timedelta(days=7)).month != day.month
        if kind == 'nth':
            return aws_day(day) == self.n and (day.day - 1) // 7 + 1 == self.k
        raise AssertionError(kind)


class CronCase(object):
    """A generated cron expression: its text and, separately, its meaning."""

    def __init__(self, text, seconds, minutes, hours, day_rule, months, years):
        self.text = text
        self.seconds, self.minutes, self.hours = seconds, minutes, hours
        self.day_rule, self.months, self.years = day_rule, months, years

    def date_matches(self, day):
        return day.year in self.years and day.month in self.months and self.day_rule(day)

    def time_matches(self, wall):
        return wall.hour in self.hours and wall.minute in self.minutes and wall.second in self.seconds

    def shortest_gap(self):
        """Seconds between the two closest runs of a day (also across midnight), or None for one run."""
        times = sorted(hour * 3600 + minute * 60 + second
                       for hour in self.hours for minute in self.minutes for second in self.seconds)
        if len(times) < 2:
            return None
        gaps = [later - earlier for earlier, later in zip(times, times[1:])]
        return min(gaps + [times[0] + 86400 - times[-1]])


# --- strategies ----------------------------------------------------------------------------------------


def _name(value, low, names, draw):
    if names and draw(st.booleans()):
        text = names[value - low]
        return draw(st.sampled_from([text, text.lower(), text.capitalize()]))
    return str(value)


@st.composite
def plain_field(draw, low, high, names=None, cyclic=True, max_list=3, steps=True):
    """(text, values) of a list / range / increment / * field."""
    size = high - low + 1
    kind = draw(st.sampled_from(['star', 'value', 'list', 'range', 'step', 'range_step'] if steps
                                else ['star', 'value', 'list', 'range']))
    if kind == 'star':
        return '*', set(range(low, high + 1))
    if kind == 'value':
        value = draw(st.integers(low, high))
        return _name(value, low, names, draw), {value}
    if kind == 'list':
        values = draw(st.lists(st.integers(low, high), min_size=2, max_size=max_list, unique=True))
        return ','.join(_name(value, low, names, draw) for value in values), set(values)
    first = draw(st.integers(low, high))
    last = draw(st.integers(low, high)) if cyclic else draw(st.integers(first, high))
    if kind == 'step':
        step = draw(st.integers(1, size - 1))
        base = draw(st.sampled_from(['*', 'value']))
        start = low if base == '*' else first
        text = '%s/%d' % ('*' if base == '*' else _name(first, low, names, draw), step)
        return text, set(range(start, high + 1, step))
    span = (last - first) % size if cyclic else last - first
    step = draw(st.integers(1, size - 1)) if kind == 'range_step' else 1
    values = set((first - low + offset) % size + low for offset in range(0, span + 1, step))
    text = '%s-%s' % (_name(first, low, names, draw), _name(last, low, names, draw))
    if kind == 'range_step':
        text += '/%d' % step
    return text, values


@st.composite
def day_fields(draw):
    """(day-of-month text, day-of-week text, DayRule)."""
    side = draw(st.sampled_from(['dom', 'dow']))
    if side == 'dom':
        kind = draw(st.sampled_from(['any', 'set', 'set', 'last', 'last_weekday', 'nearest_weekday']))
        if kind == 'any':
            return '*', '?', DayRule('any')
        if kind == 'set':
            text, values = draw(plain_field(1, 31, cyclic=False))
            return text, '?', DayRule('dom', values)
        if kind == 'last':
            return 'L', '?', DayRule('last')
        if kind == 'last_weekday':
            return 'LW', '?', DayRule('last_weekday')
        day = draw(st.integers(1, 31))
        return '%dW' % day, '?', DayRule('nearest_weekday', n=day)
    kind = draw(st.sampled_from(['any', 'set', 'set', 'saturday', 'last_of', 'nth']))
    if kind == 'any':
        return '?', '*', DayRule('any')
    if kind == 'set':
        text, values = draw(plain_field(1, 7, names=DAYS, cyclic=True))
        return '?', text, DayRule('dow', values)
    if kind == 'saturday':
        return '?', 'L', DayRule('dow', {7})
    weekday = draw(st.integers(1, 7))
    name = _name(weekday, 1, DAYS, draw)
    if kind == 'last_of':
        return '?', '%sL' % name, DayRule('last_of', n=weekday)
    nth = draw(st.integers(1, 5))
    return '?', '%s#%d' % (name, nth), DayRule('nth', n=weekday, k=nth)


@st.composite
def cron_cases(draw, first_year=2000, last_year=2060):
    with_seconds = draw(st.booleans())
    second = draw(st.integers(0, 59))
    minutes_text, minutes = draw(st.one_of(
        plain_field(0, 59, max_list=3),
        st.sampled_from([('0', {0}), ('30', {30}), ('0/15', {0, 15, 30, 45}), ('5/20', {5, 25, 45})])))
    hours_text, hours = draw(plain_field(0, 23, max_list=4))
    dom_text, dow_text, rule = draw(day_fields())
    month_text, months = draw(plain_field(1, 12, names=MONTHS, max_list=4))
    year_text, years = draw(st.one_of(
        st.just(('*', set(range(1970, 2200)))),
        plain_field(first_year, last_year, cyclic=False, steps=False).map(
            lambda pair: pair if pair[0] != '*' else ('*', set(range(1970, 2200))))))
    fields = [minutes_text, hours_text, dom_text, month_text, dow_text, year_text]
    if with_seconds:
        fields.insert(0, str(second))
    return CronCase('cron(%s)' % ' '.join(fields), {second if with_seconds else 0}, minutes, hours, rule,
                    months, years)


def transitions(tz, year):
    """UTC instants (to the hour) around which ``tz`` changes its UTC offset in ``year``."""
    found = []
    moment = datetime.datetime(year, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year == year:
        later = moment + datetime.timedelta(days=1)
        if later.astimezone(tz).utcoffset() != offset:
            probe = moment
            while probe.astimezone(tz).utcoffset() == offset:
                probe += HOUR
            found.append(probe)
            offset = later.astimezone(tz).utcoffset()
        moment = later
    return found


@st.composite
def start_times(draw, timezone, first_year=2000, last_year=2060):
    """An aware UTC instant: anywhere, or within a day of one of the timezone's offset changes."""
    year = draw(st.integers(first_year, last_year))
    near = transitions(zoneinfo.ZoneInfo(timezone), year)
    if near and draw(st.booleans()):
        base = draw(st.sampled_from(near))
        return base + datetime.timedelta(minutes=draw(st.integers(-26 * 60, 2 * 60)))
    return datetime.datetime(year, 1, 1, tzinfo=UTC) + datetime.timedelta(
        minutes=draw(st.integers(0, 365 * 24 * 60)), seconds=draw(st.sampled_from([0, 0, 30])))


# --- the brute-force walk ------------------------------------------------------------------------------


def walk(tz, after, horizon, count, is_run, date_ok, hour_ok=None, second=0, end=None, wall_clock=True):
    """Instants from ``after`` to ``after + horizon`` (and ``end``) where the local wall clock shows a run.

    ``is_run(local wall datetime, instant)`` decides each minute (at second ``second``).
    Shortcuts that never skip a minute that could run: a local day that ``date_ok`` refuses
    is crossed an hour at a time while the next hour is still that day, and, from the top of
    a local hour that ``hour_ok`` refuses, a step of one hour is taken only when it lands
    exactly on the top of the next local hour. ``wall_clock``: runs are local wall-clock times,
    so a repeated local time runs only at its first occurrence (False for elapsed-time rates).
    """
    moment = after.replace(second=0, microsecond=0) - MINUTE
    last = after + horizon
    if end is not None and end < last:
        last = end
    found = []
    while moment <= last and len(found) < count:
        instant = moment + datetime.timedelta(seconds=second)
        wall = instant.astimezone(tz)
        if not date_ok(wall.date()):
            moment += HOUR if (instant + HOUR).astimezone(tz).date() == wall.date() else MINUTE
            continue
        if hour_ok is not None and not hour_ok(wall.hour) and wall.minute == 0:
            ahead = (instant + HOUR).astimezone(tz)
            if ahead.minute == 0 and ahead.hour == (wall.hour + 1) % 24:
                moment += HOUR
                continue
        if instant >= after and (wall.fold == 0 or not wall_clock) and is_run(wall, instant):
            found.append(instant)
        moment += MINUTE
    return found


def cron_runs(case, timezone, after, horizon, count, offset=0, start=None, end=None):
    """The runs of ``case`` by brute force (ScheduleOffset, StartDate and EndDate included)."""
    tz = zoneinfo.ZoneInfo(timezone)
    shift = datetime.timedelta(days=offset)
    start_wall = start.astimezone(tz).replace(tzinfo=None) if start is not None else None

    def date_ok(day):
        return case.date_matches(day - shift)

    def is_run(wall, instant):
        if not case.time_matches(wall):
            return False
        if start is not None and (instant < start or wall.replace(tzinfo=None) - shift < start_wall):
            return False
        return end is None or instant <= end

    second = min(case.seconds)
    return walk(tz, after, horizon, count, is_run, date_ok, hour_ok=lambda hour: hour in case.hours,
                second=second, end=end)


def rate_runs(number, unit, timezone, anchor, after, horizon, count, end=None):
    """The runs of rate(number unit) anchored at ``anchor`` by brute force."""
    tz = zoneinfo.ZoneInfo(timezone)
    anchor_wall = anchor.astimezone(tz)

    def date_ok(day):
        return unit != 'day' or (day - anchor_wall.date()).days % number == 0

    def is_run(wall, instant):
        if instant < anchor or (end is not None and instant > end):
            return False
        if unit == 'day':
            return (wall.hour, wall.minute, wall.second) == (anchor_wall.hour, anchor_wall.minute, anchor_wall.second)
        step = number * (60 if unit == 'minute' else 3600)
        return (instant - anchor).total_seconds() % step == 0

    return walk(tz, after, horizon, count, is_run, date_ok, second=anchor.second, end=end, wall_clock=unit == 'day')
