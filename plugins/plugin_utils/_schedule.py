# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The schedule engine of maintenance windows: AWS cron, rate() and at() in an IANA timezone.

``parse_schedule`` validates a window's schedule fields as AWS does and returns a
``Schedule``; ``Schedule.occurrences(after)`` yields its executions' start times in
ascending order. Rules (docs/DESIGN.md "Schedule engine" has the reasons):

- cron: 6 fields ``Minutes Hours Day-of-month Month Day-of-week Year``, optionally a leading
  ``Seconds`` field; exactly one day field is ``?``; day-of-week 1 = SUN .. 7 = SAT; ``L``,
  ``LW``, ``nW``, ``nL``, ``n#k``; names JAN-DEC and SUN-SAT in any case; lists, ranges
  (wrapping in the cyclic fields, e.g. ``FRI-MON``) and increments. Runs at the local
  wall-clock time of ``ScheduleTimezone``.
- rate(n minutes|hours): every n*unit of elapsed time from the StartDate;
  rate(n days): every n calendar days at the StartDate's local wall-clock time. A rate
  needs a StartDate (a window kept in a file has no creation time to anchor it at).
- at(YYYY-MM-DDTHH:MM:SS): once, at that local time of ``ScheduleTimezone``.
- A local time that does not exist (clocks spring forward) has no run; a local time that
  occurs twice (clocks fall back) runs once, at its first occurrence. This is what AWS
  EventBridge Scheduler, systemd timers and AWX schedules do.
- ``ScheduleOffset`` (cron only) moves every cron match 1..6 calendar days later, same
  local time; a match before StartDate does not run even when match + offset is after it.
- Executions never start before ``StartDate`` nor after ``EndDate`` (both inclusive).

Controller-only code (Python 3.11, stdlib only).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bisect
import calendar
import datetime
import re
import zoneinfo

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError

UTC = datetime.timezone.utc
SCHEDULE_MAX_LENGTH = 256
# SSM: "Cron expressions that lead to rates faster than five (5) minute are not supported".
MIN_INTERVAL_SECONDS = 300
OFFSET_RANGE = (1, 6)
YEAR_RANGE = (1970, 2199)
DEFAULT_TIMEZONE = 'UTC'

KIND_CRON = 'cron'
KIND_RATE = 'rate'
KIND_AT = 'at'

RATE_UNITS = {'minute': 60, 'hour': 3600, 'day': 86400}

MONTH_NAMES = ('JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC')
DAY_NAMES = ('SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT')

# (name, low, high, names, cyclic) of the plain cron fields.
SECONDS_FIELD = ('Seconds', 0, 59, None, True)
MINUTES_FIELD = ('Minutes', 0, 59, None, True)
HOURS_FIELD = ('Hours', 0, 23, None, True)
DAY_OF_MONTH_FIELD = ('Day-of-month', 1, 31, None, False)
MONTH_FIELD = ('Month', 1, 12, MONTH_NAMES, True)
DAY_OF_WEEK_FIELD = ('Day-of-week', 1, 7, DAY_NAMES, True)
YEAR_FIELD = ('Year', YEAR_RANGE[0], YEAR_RANGE[1], None, False)

CRON_SYNTAX = ('cron(Minutes Hours Day-of-month Month Day-of-week Year), optionally with a leading Seconds '
               'field, for example cron(0 2 ? * SUN *)')
RATE_SYNTAX = 'rate(<n> minute|minutes|hour|hours|day|days), singular for 1 and plural otherwise'
AT_SYNTAX = 'at(YYYY-MM-DDTHH:MM:SS)'

_RATE_RE = re.compile(r'^rate\(\s*([0-9]+)\s+([A-Za-z]+)\s*\)$')
_AT_RE = re.compile(r'^at\(\s*([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})\s*\)$')
_CRON_RE = re.compile(r'^cron\((.*)\)$')


class ScheduleError(InputError):
    """A schedule field is invalid; ``field`` is the AWS field name (``Schedule``, ``StartDate``, ...)."""


def aws_weekday(day):
    """AWS day-of-week number (1 = SUN .. 7 = SAT) of a date."""
    return (day.weekday() + 1) % 7 + 1


def load_timezone(name, field='ScheduleTimezone'):
    """The ZoneInfo of an IANA timezone name; raises ScheduleError naming ``field``."""
    if name is None or name == '':
        name = DEFAULT_TIMEZONE
    if not isinstance(name, str):
        raise ScheduleError(field, '%r is not an IANA timezone name such as Europe/Berlin or UTC' % (name,))
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(field, '%r is not an IANA timezone name (for example Europe/Berlin, America/New_York, '
                                   'UTC)' % name)


def parse_instant(value, field, default_timezone=None):
    """An ISO 8601 time as an aware datetime.

    A value without a UTC offset is taken in ``default_timezone`` (a tzinfo) when given,
    else refused. ``Z`` means UTC. ``datetime`` objects (YAML timestamps) are accepted.
    """
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text[-1:] in ('Z', 'z'):
            text = text[:-1] + '+00:00'
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ScheduleError(field, '%r is not an ISO 8601 time such as 2026-03-01T02:00:00+01:00' % (value,))
    else:
        raise ScheduleError(field, '%r is not an ISO 8601 time such as 2026-03-01T02:00:00+01:00' % (value,))
    if moment.tzinfo is None or moment.utcoffset() is None:
        if default_timezone is None:
            raise ScheduleError(field, '%r has no UTC offset; write it with one, for example %s+01:00 or %sZ'
                                % (str(value), moment.isoformat(), moment.isoformat()))
        moment = resolve_local(moment, default_timezone) or moment.replace(tzinfo=default_timezone)
    return moment


def resolve_local(naive, tz):
    """The instant a local wall-clock time names in ``tz``.

    None when the time does not exist there (clocks spring forward over it); the first of
    the two instants when it occurs twice (clocks fall back). Returns an aware datetime in ``tz``.
    """
    naive = naive.replace(tzinfo=None, fold=0)
    # zoneinfo gives fold=0 the offset from before the transition: for a repeated time
    # that is the first instant; for a skipped time the round trip lands elsewhere.
    instant = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    if instant.replace(tzinfo=None, fold=0) != naive:
        return None
    return instant


def local_wall(moment, tz):
    """The naive local wall-clock time of an aware datetime in ``tz``."""
    return moment.astimezone(tz).replace(tzinfo=None, fold=0)


class DaySpec(object):
    """One day field: ``kind`` is one of any, none, set, last, last_weekday, nearest_weekday,
    last_of_weekday, nth_weekday; ``values`` the set for ``set``; ``day``/``weekday``/``nth`` the operands."""

    def __init__(self, kind, values=(), day=None, weekday=None, nth=None):
        self.kind = kind
        self.values = frozenset(values)
        self.day = day
        self.weekday = weekday
        self.nth = nth

    def __repr__(self):
        return 'DaySpec(%r, %r, day=%r, weekday=%r, nth=%r)' % (
            self.kind, sorted(self.values), self.day, self.weekday, self.nth)


class CronSpec(object):
    """A parsed AWS cron expression: sorted tuples per field plus the two day specs."""

    def __init__(self, seconds, minutes, hours, day_of_month, months, day_of_week, years, has_seconds):
        self.seconds = tuple(sorted(seconds))
        self.minutes = tuple(sorted(minutes))
        self.hours = tuple(sorted(hours))
        self.day_of_month = day_of_month
        self.months = tuple(sorted(months))
        self.day_of_week = day_of_week
        self.years = tuple(sorted(years))
        self.has_seconds = has_seconds
        self.times = tuple(sorted(hour * 3600 + minute * 60 + second
                                  for hour in self.hours for minute in self.minutes for second in self.seconds))
        self._days = {}

    def days(self, year, month):
        """The days of one month the day fields select, ascending."""
        key = (year, month)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = tuple(_month_days(self.day_of_month, self.day_of_week, year, month))
        return found


def _month_days(day_of_month, day_of_week, year, month):
    first_weekday, length = calendar.monthrange(year, month)
    # AWS number of the 1st: Monday (python 0) is 2, Sunday (python 6) is 1.
    first_aws = (first_weekday + 1) % 7 + 1

    def weekday_of(day):
        return (first_aws - 1 + day - 1) % 7 + 1

    if day_of_month.kind != 'none':
        spec = day_of_month
        if spec.kind == 'any':
            return range(1, length + 1)
        if spec.kind == 'set':
            return [day for day in range(1, length + 1) if day in spec.values]
        if spec.kind == 'last':
            return [length]
        if spec.kind == 'last_weekday':
            day = length
            while weekday_of(day) in (1, 7):
                day -= 1
            return [day]
        if spec.kind == 'nearest_weekday':
            return [day for day in [_nearest_weekday(spec.day, length, weekday_of)] if day is not None]
        raise AssertionError(spec.kind)
    spec = day_of_week
    if spec.kind == 'any':
        return range(1, length + 1)
    if spec.kind == 'set':
        return [day for day in range(1, length + 1) if weekday_of(day) in spec.values]
    first = (spec.weekday - first_aws) % 7 + 1      # the first such weekday of the month
    if spec.kind == 'nth_weekday':
        day = first + 7 * (spec.nth - 1)
        return [day] if day <= length else []
    if spec.kind == 'last_of_weekday':
        return [first + 7 * ((length - first) // 7)]
    raise AssertionError(spec.kind)


def _nearest_weekday(target, length, weekday_of):
    """Quartz ``nW``: the weekday nearest to day ``target`` within the month; None when the month is shorter."""
    if target > length:
        return None
    weekday = weekday_of(target)
    if weekday == 7:        # Saturday: the Friday before, or Monday the 3rd when the 1st is a Saturday
        return target - 1 if target > 1 else target + 2
    if weekday == 1:        # Sunday: the Monday after, or the Friday before when it is the last day
        return target + 1 if target < length else target - 2
    return target


# --- parsing -------------------------------------------------------------------------------------------


def _field_error(field, text, problem):
    return ScheduleError('Schedule', 'the %s field %r %s' % (field[0], text, problem))


def _allowed_text(field):
    name, low, high, names, dummy = field
    text = '%d-%d' % (low, high)
    if names:
        text += ' or %s-%s' % (names[0], names[-1])
    return text


def _value(field, text, whole):
    name, low, high, names, dummy = field
    upper = text.upper()
    if names and upper in names:
        return names.index(upper) + low
    if not re.match(r'^[0-9]+$', text):
        raise _field_error(field, whole, 'has %r, which is not a value (allowed: %s)' % (text, _allowed_text(field)))
    number = int(text)
    if not low <= number <= high:
        raise _field_error(field, whole, 'has %d, which is outside %s' % (number, _allowed_text(field)))
    return number


def _plain_values(field, text):
    """The set a list/range/increment/``*`` field denotes."""
    name, low, high, names, cyclic = field
    values = set()
    for part in text.split(','):
        if part == '':
            raise _field_error(field, text, 'has an empty list entry')
        step = None
        if '/' in part:
            base, step_text = part.split('/', 1)
            if not re.match(r'^[0-9]+$', step_text) or not 1 <= int(step_text) <= high - low:
                raise _field_error(field, text, 'has the increment %r; an increment is a number from 1 to %d'
                                   % (step_text, high - low))
            step = int(step_text)
        else:
            base = part
        if base == '*':
            start, end = low, high
        elif '-' in base:
            first, last = base.split('-', 1)
            start, end = _value(field, first, text), _value(field, last, text)
            if end < start and not cyclic:
                raise _field_error(field, text, 'has the range %s, which runs backwards (write it as a list, '
                                   'for example %d-%d,%d-%d)' % (base, start, high, low, end))
        else:
            start = _value(field, base, text)
            end = high if step is not None else start
        span = (end - start) % (high - low + 1) if cyclic else end - start
        offset = 0
        while offset <= span:
            values.add((start - low + offset) % (high - low + 1) + low)
            offset += step or 1
    return values


def _parse_day_of_month(text):
    field = DAY_OF_MONTH_FIELD
    upper = text.upper()
    if upper == '?':
        return DaySpec('none')
    if upper == '*':
        return DaySpec('any')
    if upper == 'L':
        return DaySpec('last')
    if upper == 'LW':
        return DaySpec('last_weekday')
    match = re.match(r'^([0-9]+)W$', upper)
    if match:
        return DaySpec('nearest_weekday', day=_value(field, match.group(1), text))
    if 'L' in upper or 'W' in upper or '#' in upper:
        raise _field_error(field, text, 'is not allowed: L, LW and nW (nearest weekday to day n) stand alone in '
                                        'the Day-of-month field, and # belongs to Day-of-week')
    return DaySpec('set', _plain_values(field, text))


def _parse_day_of_week(text):
    field = DAY_OF_WEEK_FIELD
    upper = text.upper()
    if upper == '?':
        return DaySpec('none')
    if upper == '*':
        return DaySpec('any')
    if upper == 'L':
        return DaySpec('set', [7])      # the last day of the week: Saturday
    match = re.match(r'^([0-9]+|[A-Z]{3})L$', upper)
    if match:
        return DaySpec('last_of_weekday', weekday=_value(field, match.group(1), text))
    match = re.match(r'^([0-9]+|[A-Z]{3})#([0-9]+)$', upper)
    if match:
        nth = int(match.group(2))
        if not 1 <= nth <= 5:
            raise _field_error(field, text, 'asks for occurrence %d of a weekday; n in day#n is 1-5' % nth)
        return DaySpec('nth_weekday', weekday=_value(field, match.group(1), text), nth=nth)
    if '#' in upper:
        raise _field_error(field, text, 'is not allowed: # takes one weekday and one number, alone in the field '
                                        '(for example THU#3 or 5#3); AWS refuses lists such as 3#1,6#3')
    if 'L' in upper or 'W' in upper.replace('WED', ''):
        raise _field_error(field, text, 'is not allowed: L and nL (last weekday n of the month) stand alone in the '
                                        'Day-of-week field, and W belongs to Day-of-month')
    return DaySpec('set', _plain_values(field, text))


def parse_cron(body):
    """A CronSpec from the text inside ``cron( )``; raises ScheduleError('Schedule', ...)."""
    fields = body.split()
    if len(fields) not in (6, 7):
        raise ScheduleError('Schedule', 'cron() takes 6 fields (Minutes Hours Day-of-month Month Day-of-week Year) '
                                        'or 7 with a leading Seconds field, not %d: %s' % (len(fields), CRON_SYNTAX))
    has_seconds = len(fields) == 7
    if has_seconds:
        seconds_text = fields.pop(0)
        seconds = _plain_values(SECONDS_FIELD, seconds_text)
    else:
        seconds = {0}
    minutes_text, hours_text, dom_text, month_text, dow_text, year_text = fields
    if (dom_text == '?') == (dow_text == '?'):
        raise ScheduleError('Schedule', 'exactly one of Day-of-month (%r) and Day-of-week (%r) must be ?: AWS does '
                                        'not combine a day of the month with a day of the week (for example '
                                        'cron(0 2 ? * SUN *) or cron(0 2 1 * ? *))' % (dom_text, dow_text))
    spec = CronSpec(
        seconds=seconds,
        minutes=_plain_values(MINUTES_FIELD, minutes_text),
        hours=_plain_values(HOURS_FIELD, hours_text),
        day_of_month=_parse_day_of_month(dom_text),
        months=_plain_values(MONTH_FIELD, month_text),
        day_of_week=_parse_day_of_week(dow_text),
        years=_plain_values(YEAR_FIELD, year_text),
        has_seconds=has_seconds,
    )
    _check_cron_interval(spec)
    return spec


def _check_cron_interval(spec):
    """Refuse expressions that run more often than every five minutes (AWS does)."""
    times = spec.times
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    if len(times) > 1:
        # Conservatively also across midnight, as consecutive days may both match.
        gaps.append(times[0] + 86400 - times[-1])
    if gaps and min(gaps) < MIN_INTERVAL_SECONDS:
        raise ScheduleError('Schedule', 'runs more often than every 5 minutes (two runs %d seconds apart); AWS does '
                                        'not support maintenance window schedules faster than that' % min(gaps))


def parse_rate(value, unit):
    """Seconds per step and the unit name of ``rate(value unit)``; AWS's singular/plural rule."""
    if not re.match(r'^[1-9][0-9]*$', value):
        raise ScheduleError('Schedule', 'rate(%s %s): the value must be a positive whole number: %s'
                            % (value, unit, RATE_SYNTAX))
    number = int(value)
    singular = unit[:-1] if unit.endswith('s') else unit
    if singular not in RATE_UNITS:
        raise ScheduleError('Schedule', 'rate(%s %s): the unit must be one of minute, minutes, hour, hours, day, days'
                            % (value, unit))
    if number == 1 and unit != singular:
        raise ScheduleError('Schedule', 'rate(1 %s) must use the singular unit: rate(1 %s) (AWS: %s)'
                            % (unit, singular, RATE_SYNTAX))
    if number > 1 and unit == singular:
        raise ScheduleError('Schedule', 'rate(%d %s) must use the plural unit: rate(%d %ss) (AWS: %s)'
                            % (number, unit, number, singular, RATE_SYNTAX))
    seconds = number * RATE_UNITS[singular]
    if seconds < MIN_INTERVAL_SECONDS:
        raise ScheduleError('Schedule', 'rate(%d %s) runs more often than every 5 minutes, which AWS does not support '
                                        'for maintenance windows' % (number, unit))
    return number, singular


# --- the schedule --------------------------------------------------------------------------------------


class Schedule(object):
    """A validated window schedule; build it with ``parse_schedule``.

    Attributes: ``kind`` (cron/rate/at), ``expression`` (as written), ``timezone`` (IANA
    name), ``tz`` (ZoneInfo), ``offset`` (days, 0 without ScheduleOffset), ``start`` and
    ``end`` (aware datetimes or None), ``cron`` (CronSpec), ``rate`` ((n, unit)), ``at``
    (naive local datetime).
    """

    def __init__(self, kind, expression, timezone, tz, offset=0, start=None, end=None, cron=None, rate=None, at=None):
        self.kind = kind
        self.expression = expression
        self.timezone = timezone
        self.tz = tz
        self.offset = offset
        self.start = start
        self.end = end
        self.cron = cron
        self.rate = rate
        self.at = at

    def occurrences(self, after, count=None, until=None):
        """Execution start times at or after ``after`` (aware), ascending, in the schedule's timezone.

        Stops after ``count`` times, at ``until`` (inclusive, aware) or at EndDate, whichever comes first.
        """
        if after.tzinfo is None:
            raise ValueError('after must be an aware datetime')
        # Compare instants in UTC: datetimes sharing a ZoneInfo compare by wall time.
        after = after.astimezone(UTC)
        if self.start is not None and after < self.start:
            after = self.start.astimezone(UTC)
        limit = self.end
        if until is not None and (limit is None or until < limit):
            limit = until
        limit = limit.astimezone(UTC) if limit is not None else None
        produced = 0
        for moment in self._candidates(after):
            instant = moment.astimezone(UTC)
            if limit is not None and instant > limit:
                return
            if instant < after:
                continue
            yield moment
            produced += 1
            if count is not None and produced >= count:
                return

    def next_after(self, after):
        """The first execution start at or after ``after``, or None."""
        for moment in self.occurrences(after, count=1):
            return moment
        return None

    def latest_before(self, moment, horizon):
        """The last execution start in ``[moment - horizon, moment]``, or None."""
        moment = moment.astimezone(UTC)
        latest = None
        for start in self.occurrences(moment - horizon, until=moment):
            latest = start
        return latest

    # Each generator yields aware datetimes in ascending order, from about ``after`` on.

    def _candidates(self, after):
        if self.kind == KIND_CRON:
            return self._cron_candidates(after)
        if self.kind == KIND_RATE:
            return self._rate_candidates(after)
        return self._at_candidates()

    def _at_candidates(self):
        moment = resolve_local(self.at, self.tz)
        if moment is not None:
            yield moment

    def _rate_candidates(self, after):
        number, unit = self.rate
        anchor = self.start.astimezone(UTC)
        if unit != 'day':
            step = datetime.timedelta(seconds=number * RATE_UNITS[unit])
            index = max(0, -((anchor - after) // step))     # ceil((after - anchor) / step)
            moment = anchor + step * index
            while True:
                yield moment.astimezone(self.tz)
                try:
                    moment += step
                except OverflowError:
                    return
        wall = local_wall(anchor, self.tz)
        after_wall = local_wall(after, self.tz)
        index = max(0, (after_wall - wall).days // number - 1)
        while True:
            try:
                candidate_wall = wall + datetime.timedelta(days=number * index)
            except OverflowError:
                return
            moment = resolve_local(candidate_wall, self.tz)
            if moment is not None and moment >= anchor:
                yield moment
            index += 1

    def _cron_candidates(self, after):
        offset = datetime.timedelta(days=self.offset)
        start_wall = local_wall(self.start, self.tz) if self.start is not None else None
        # A run at wall time w comes from the match at w - offset: begin one hour early, as a
        # repeated local hour may map an earlier wall time to a later instant.
        first_match = local_wall(after, self.tz) - offset - datetime.timedelta(hours=1)
        for match in _cron_walls(self.cron, first_match):
            if start_wall is not None and match < start_wall:
                continue
            moment = resolve_local(match + offset, self.tz)
            if moment is not None:
                yield moment


def _cron_walls(spec, begin):
    """Naive local wall-clock times matching ``spec``, at or after ``begin``, ascending."""
    times = spec.times
    year_index = bisect.bisect_left(spec.years, begin.year)
    for year in spec.years[year_index:]:
        for month in spec.months:
            if (year, month) < (begin.year, begin.month):
                continue
            same_month = (year, month) == (begin.year, begin.month)
            for day in spec.days(year, month):
                if same_month and day < begin.day:
                    continue
                first = 0
                if same_month and day == begin.day:
                    first = bisect.bisect_left(times, begin.hour * 3600 + begin.minute * 60 + begin.second
                                               + (1 if begin.microsecond else 0))
                base = datetime.datetime(year, month, day)
                for seconds in times[first:]:
                    yield base + datetime.timedelta(seconds=seconds)


def _integer(value, field, low, high):
    if isinstance(value, bool) or value is None:
        raise ScheduleError(field, '%r is not a whole number from %d to %d' % (value, low, high))
    if isinstance(value, str) and re.match(r'^\s*[0-9]+\s*$', value):
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise ScheduleError(field, '%r is outside %d..%d' % (value, low, high))
    return value


def parse_schedule(expression, timezone=None, offset=None, start_date=None, end_date=None):
    """Validate a window's schedule fields as AWS does; a ``Schedule``.

    ``expression``: the ``Schedule`` text; ``timezone``: IANA name (default UTC);
    ``offset``: ScheduleOffset days (cron only, 1..6) or None; ``start_date``/``end_date``:
    ISO 8601 with a UTC offset (or aware datetimes) or None. Raises ScheduleError whose
    ``field`` is the AWS field (``Schedule``, ``ScheduleTimezone``, ``ScheduleOffset``,
    ``StartDate``, ``EndDate``).
    """
    if not isinstance(expression, str) or not expression.strip():
        raise ScheduleError('Schedule', 'required: %s, %s or %s' % (CRON_SYNTAX, RATE_SYNTAX, AT_SYNTAX))
    expression = expression.strip()
    if len(expression) > SCHEDULE_MAX_LENGTH:
        raise ScheduleError('Schedule', 'has %d characters; AWS allows at most %d' % (len(expression), SCHEDULE_MAX_LENGTH))
    tz = load_timezone(timezone)
    timezone = timezone or DEFAULT_TIMEZONE
    start = parse_instant(start_date, 'StartDate') if start_date not in (None, '') else None
    end = parse_instant(end_date, 'EndDate') if end_date not in (None, '') else None
    if start is not None and end is not None and end <= start:
        raise ScheduleError('EndDate', '%s is not after StartDate %s' % (end.isoformat(), start.isoformat()))
    if offset is not None:
        offset = _integer(offset, 'ScheduleOffset', *OFFSET_RANGE)

    lowered = expression.lower()
    if lowered.startswith('cron('):
        match = _CRON_RE.match(expression)
        if not match:
            raise ScheduleError('Schedule', '%r is not %s' % (expression, CRON_SYNTAX))
        return Schedule(KIND_CRON, expression, timezone, tz, offset=offset or 0, start=start, end=end,
                        cron=parse_cron(match.group(1)))
    if offset is not None:
        raise ScheduleError('ScheduleOffset', 'is only allowed with a cron() Schedule, not with %s' % expression)
    if lowered.startswith('rate('):
        match = _RATE_RE.match(expression)
        if not match:
            raise ScheduleError('Schedule', '%r is not %s' % (expression, RATE_SYNTAX))
        rate = parse_rate(match.group(1), match.group(2))
        if start is None:
            raise ScheduleError('StartDate', 'required with a rate() Schedule: AWS anchors a rate at the StartDate (or at '
                                             'the creation time, which a window kept in a file does not have); set it '
                                             'to the first execution, for example 2026-01-06T03:15:00+01:00')
        return Schedule(KIND_RATE, expression, timezone, tz, start=start, end=end, rate=rate)
    if lowered.startswith('at('):
        match = _AT_RE.match(expression)
        try:
            at = datetime.datetime.strptime(match.group(1), '%Y-%m-%dT%H:%M:%S') if match else None
        except ValueError:
            at = None
        if at is None:
            raise ScheduleError('Schedule', '%r is not %s with a real date and time' % (expression, AT_SYNTAX))
        if resolve_local(at, tz) is None:
            raise ScheduleError('Schedule', '%s names a local time that does not exist in %s (the clocks move forward '
                                            'over it)' % (expression, timezone))
        return Schedule(KIND_AT, expression, timezone, tz, start=start, end=end, at=at)
    raise ScheduleError('Schedule', '%r is not %s, %s or %s' % (expression, CRON_SYNTAX, RATE_SYNTAX, AT_SYNTAX))


def format_time(moment):
    """ISO 8601 with the UTC offset the moment carries (seconds always shown)."""
    return moment.isoformat(timespec='seconds')
