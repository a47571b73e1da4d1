# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The schedule engine: AWS's documented examples, DST, month ends, leap years, offsets, bounds, refusals."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._schedule import (
    ScheduleError,
    format_time,
    parse_instant,
    parse_schedule,
)

UTC = datetime.timezone.utc


def runs(expression, after, count=5, timezone=None, **kwargs):
    schedule = parse_schedule(expression, timezone, **kwargs)
    return [format_time(moment) for moment in schedule.occurrences(parse_instant(after, 'after'), count=count)]


# --- AWS's own examples (Systems Manager user guide, cron and rate reference) --------------------------

@pytest.mark.parametrize('expression, after, expected', [
    # "02:00 AM the third Thursday of every month"
    ('cron(0 2 ? * THU#3 *)', '2026-01-01T00:00:00Z',
     ['2026-01-15T02:00:00+00:00', '2026-02-19T02:00:00+00:00', '2026-03-19T02:00:00+00:00']),
    # "10:15 AM every day"
    ('cron(15 10 ? * * *)', '2026-01-01T11:00:00Z',
     ['2026-01-02T10:15:00+00:00', '2026-01-03T10:15:00+00:00', '2026-01-04T10:15:00+00:00']),
    # "10:15 AM every Monday, Tuesday, Wednesday, Thursday and Friday" (2026-01-02 is a Friday)
    ('cron(15 10 ? * MON-FRI *)', '2026-01-02T00:00:00Z',
     ['2026-01-02T10:15:00+00:00', '2026-01-05T10:15:00+00:00', '2026-01-06T10:15:00+00:00']),
    # "02:00 AM on the last day of every month"
    ('cron(0 2 L * ? *)', '2026-01-01T00:00:00Z',
     ['2026-01-31T02:00:00+00:00', '2026-02-28T02:00:00+00:00', '2026-03-31T02:00:00+00:00']),
    # "10:15 AM on the last Friday of every month"
    ('cron(15 10 ? * 6L *)', '2026-01-01T00:00:00Z',
     ['2026-01-30T10:15:00+00:00', '2026-02-27T10:15:00+00:00', '2026-03-27T10:15:00+00:00']),
    # 7 fields: "9:30:24 AM every day"
    ('cron(24 30 09 ? * * *)', '2026-01-01T00:00:00Z',
     ['2026-01-01T09:30:24+00:00', '2026-01-02T09:30:24+00:00', '2026-01-03T09:30:24+00:00']),
    # The 6-field form of the same: "9:30 AM every day"
    ('cron(30 09 ? * * *)', '2026-01-01T00:00:00Z',
     ['2026-01-01T09:30:00+00:00', '2026-01-02T09:30:00+00:00', '2026-01-03T09:30:00+00:00']),
    # "Run every 15 minutes"
    ('cron(0/15 * * * ? *)', '2026-01-01T00:07:00Z',
     ['2026-01-01T00:15:00+00:00', '2026-01-01T00:30:00+00:00', '2026-01-01T00:45:00+00:00']),
    # "every 5 minutes Monday through Friday between 8:00 AM and 5:55 PM" (2026-01-02 is a Friday)
    ('cron(0/5 8-17 ? * MON-FRI *)', '2026-01-02T17:50:00Z',
     ['2026-01-02T17:50:00+00:00', '2026-01-02T17:55:00+00:00', '2026-01-05T08:00:00+00:00']),
    # "Run at 8:00 AM every 1st day of the month"
    ('cron(0 8 1 * ? *)', '2026-01-01T09:00:00Z',
     ['2026-02-01T08:00:00+00:00', '2026-03-01T08:00:00+00:00', '2026-04-01T08:00:00+00:00']),
    # The day-of-week number of the # example: 3#2 is the second Tuesday.
    ('cron(0 2 ? * 3#2 *)', '2026-01-01T00:00:00Z',
     ['2026-01-13T02:00:00+00:00', '2026-02-10T02:00:00+00:00', '2026-03-10T02:00:00+00:00']),
])
def test_documented_cron_examples(expression, after, expected):
    assert runs(expression, after, count=3) == expected


def test_start_date_example_first_run_is_the_first_wednesday_after_it():
    # Guide example 1 (its prose says "Wednesday, January 4, 2021"; 2021-01-04 was a Monday).
    assert runs('cron(0 09 ? * WED *)', '2020-06-01T00:00:00Z', count=2, timezone='America/Los_Angeles',
                start_date='2021-01-01T00:00:00-08:00') == ['2021-01-06T09:00:00-08:00', '2021-01-13T09:00:00-08:00']


def test_rate_start_and_end_date_example_runs_every_tuesday_until_june_25():
    # Guide example 2: rate(7 days) from Tuesday 2019-01-01, valid until 2019-06-30, Asia/Tokyo.
    schedule = parse_schedule('rate(7 days)', 'Asia/Tokyo', start_date='2019-01-01T00:03:15+09:00',
                              end_date='2019-06-30T00:06:15+09:00')
    found = [format_time(moment) for moment in schedule.occurrences(parse_instant('2018-12-01T00:00:00Z', 'after'))]
    assert found[0] == '2019-01-01T00:03:15+09:00'
    assert found[-1] == '2019-06-25T00:03:15+09:00'
    assert len(found) == 26
    assert all(datetime.datetime.fromisoformat(moment).weekday() == 1 for moment in found)


def test_at_example_runs_once_at_that_time():
    # Guide example 3: at(2020-07-07T15:55:00), no timezone: 3:55 PM UTC.
    assert runs('at(2020-07-07T15:55:00)', '2020-01-01T00:00:00Z') == ['2020-07-07T15:55:00+00:00']
    assert runs('at(2020-07-07T15:55:00)', '2020-07-07T15:55:01Z') == []


def test_at_is_read_in_the_schedule_timezone():
    assert runs('at(2019-07-07T13:15:30)', '2019-01-01T00:00:00Z', timezone='America/Los_Angeles') == [
        '2019-07-07T13:15:30-07:00']


def test_schedule_offset_example_runs_two_days_after_the_third_tuesday():
    # Guide example 4: cron(0 30 23 ? * TUE#3 *) with ScheduleOffset 2: the Thursday after.
    assert runs('cron(0 30 23 ? * TUE#3 *)', '2026-01-01T00:00:00Z', count=3, offset=2) == [
        '2026-01-22T23:30:00+00:00', '2026-02-19T23:30:00+00:00', '2026-03-19T23:30:00+00:00']


# --- daylight saving time -------------------------------------------------------------------------------

def test_berlin_spring_forward_skips_a_local_time_that_does_not_exist():
    # 2026-03-29 02:00 CET the clocks jump to 03:00 CEST: 02:30 does not exist that Sunday.
    assert runs('cron(30 2 ? * SUN *)', '2026-03-20T00:00:00Z', count=3, timezone='Europe/Berlin') == [
        '2026-03-22T02:30:00+01:00', '2026-04-05T02:30:00+02:00', '2026-04-12T02:30:00+02:00']


def test_berlin_spring_forward_keeps_the_local_times_around_the_gap():
    assert runs('cron(0 1,2,3 ? * SUN *)', '2026-03-29T00:00:00+01:00', count=3, timezone='Europe/Berlin') == [
        '2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00', '2026-04-05T01:00:00+02:00']


def test_berlin_fall_back_runs_a_repeated_local_time_once_at_its_first_occurrence():
    # 2026-10-25 03:00 CEST the clocks go back to 02:00 CET: 02:30 happens twice.
    assert runs('cron(30 2 ? * SUN *)', '2026-10-20T00:00:00Z', count=2, timezone='Europe/Berlin') == [
        '2026-10-25T02:30:00+02:00', '2026-11-01T02:30:00+01:00']


def test_berlin_fall_back_hourly_runs_have_one_run_per_local_hour():
    assert runs('cron(0 * * * ? *)', '2026-10-25T01:00:00+02:00', count=4, timezone='Europe/Berlin') == [
        '2026-10-25T01:00:00+02:00', '2026-10-25T02:00:00+02:00', '2026-10-25T03:00:00+01:00',
        '2026-10-25T04:00:00+01:00']


def test_a_start_inside_the_second_pass_of_a_repeated_hour_does_not_run_it_again():
    # 02:10 CET is the second 02:10 of that night; the 02:30 run happened at 02:30 CEST already.
    assert runs('cron(30 2 * * ? *)', '2026-10-25T02:10:00+01:00', count=1, timezone='Europe/Berlin') == [
        '2026-10-26T02:30:00+01:00']


def test_new_york_spring_forward_and_fall_back():
    assert runs('cron(30 2 * * ? *)', '2026-03-07T00:00:00-05:00', count=3, timezone='America/New_York') == [
        '2026-03-07T02:30:00-05:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00']
    assert runs('cron(30 1 * * ? *)', '2026-10-31T12:00:00-04:00', count=3, timezone='America/New_York') == [
        '2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00', '2026-11-03T01:30:00-05:00']


def test_rate_in_hours_counts_elapsed_time_across_dst():
    assert runs('rate(6 hours)', '2026-03-28T12:00:00+01:00', count=4, timezone='Europe/Berlin',
                start_date='2026-03-28T00:00:00+01:00') == [
        '2026-03-28T12:00:00+01:00', '2026-03-28T18:00:00+01:00', '2026-03-29T00:00:00+01:00',
        '2026-03-29T07:00:00+02:00']


def test_rate_in_days_keeps_the_local_wall_clock_time_and_skips_a_missing_one():
    assert runs('rate(1 day)', '2026-03-27T00:00:00Z', count=3, timezone='Europe/Berlin',
                start_date='2026-03-20T02:30:00+01:00') == [
        '2026-03-27T02:30:00+01:00', '2026-03-28T02:30:00+01:00', '2026-03-30T02:30:00+02:00']


def test_rate_with_a_past_start_date_keeps_its_anchor():
    # rate(7 days) from Tuesday 2025-01-07 03:15 Berlin: still every Tuesday 03:15 local, in summer too.
    assert runs('rate(7 days)', '2026-03-26T00:00:00Z', count=2, timezone='Europe/Berlin',
                start_date='2025-01-07T03:15:00+01:00') == ['2026-03-31T03:15:00+02:00', '2026-04-07T03:15:00+02:00']


def test_rate_in_minutes_from_its_anchor():
    assert runs('rate(30 minutes)', '2026-01-01T10:10:00Z', count=3, start_date='2026-01-01T08:05:00Z') == [
        '2026-01-01T10:35:00+00:00', '2026-01-01T11:05:00+00:00', '2026-01-01T11:35:00+00:00']


# --- month ends, leap years, offsets --------------------------------------------------------------------

def test_day_31_runs_only_in_months_that_have_it():
    assert runs('cron(0 2 31 * ? *)', '2026-01-01T00:00:00Z', count=4) == [
        '2026-01-31T02:00:00+00:00', '2026-03-31T02:00:00+00:00', '2026-05-31T02:00:00+00:00',
        '2026-07-31T02:00:00+00:00']


def test_last_day_of_february_in_leap_and_common_years():
    assert runs('cron(0 2 L FEB ? *)', '2027-01-01T00:00:00Z', count=3) == [
        '2027-02-28T02:00:00+00:00', '2028-02-29T02:00:00+00:00', '2029-02-28T02:00:00+00:00']


def test_february_29_runs_every_fourth_year_and_not_in_2100():
    assert runs('cron(0 0 29 2 ? *)', '2026-01-01T00:00:00Z', count=3) == [
        '2028-02-29T00:00:00+00:00', '2032-02-29T00:00:00+00:00', '2036-02-29T00:00:00+00:00']
    assert runs('cron(0 0 29 2 ? 2097-2104)', '2097-01-01T00:00:00Z', count=3) == ['2104-02-29T00:00:00+00:00']


def test_fifth_weekday_only_in_months_that_have_one():
    # Fifth Friday: January, May, July, October 2026 have one.
    assert runs('cron(0 2 ? * FRI#5 2026)', '2026-01-01T00:00:00Z', count=10) == [
        '2026-01-30T02:00:00+00:00', '2026-05-29T02:00:00+00:00', '2026-07-31T02:00:00+00:00',
        '2026-10-30T02:00:00+00:00']


@pytest.mark.parametrize('expression, after, expected', [
    # LW: last weekday; 2026-01-31 is a Saturday, 2026-05-31 a Sunday.
    ('cron(0 0 LW * ? *)', '2026-01-01T00:00:00Z', '2026-01-30T00:00:00+00:00'),
    ('cron(0 0 LW * ? *)', '2026-05-01T00:00:00Z', '2026-05-29T00:00:00+00:00'),
    ('cron(0 0 LW * ? *)', '2026-03-01T00:00:00Z', '2026-03-31T00:00:00+00:00'),
    # 1W: 2026-08-01 is a Saturday: Monday the 3rd, never July 31.
    ('cron(0 0 1W * ? *)', '2026-07-02T00:00:00Z', '2026-08-03T00:00:00+00:00'),
    # 1W: 2026-02-01 is a Sunday: Monday the 2nd.
    ('cron(0 0 1W * ? *)', '2026-01-02T00:00:00Z', '2026-02-02T00:00:00+00:00'),
    # 15W: 2026-08-15 is a Saturday: Friday the 14th; 2026-03-15 a Sunday: Monday the 16th.
    ('cron(0 0 15W AUG ? *)', '2026-01-01T00:00:00Z', '2026-08-14T00:00:00+00:00'),
    ('cron(0 0 15W MAR ? *)', '2026-01-01T00:00:00Z', '2026-03-16T00:00:00+00:00'),
    # 31W: 2026-05-31 is a Sunday: Friday the 29th, never June 1; 30-day months have no run.
    ('cron(0 0 31W * ? *)', '2026-05-01T00:00:00Z', '2026-05-29T00:00:00+00:00'),
    ('cron(0 0 31W * ? *)', '2026-06-01T00:00:00Z', '2026-07-31T00:00:00+00:00'),
])
def test_weekday_forms_stay_in_their_month(expression, after, expected):
    assert runs(expression, after, count=1) == [expected]


def test_offset_crosses_the_month_end():
    # The match of 2025-12-31 runs on 2026-01-02.
    assert runs('cron(0 22 L * ? *)', '2026-01-01T00:00:00Z', count=3, offset=2) == [
        '2026-01-02T22:00:00+00:00', '2026-02-02T22:00:00+00:00', '2026-03-02T22:00:00+00:00']


def test_offset_crosses_the_year_end_and_a_year_restriction():
    assert runs('cron(0 2 31 DEC ? 2026)', '2026-06-01T00:00:00Z', count=3, offset=1) == ['2027-01-01T02:00:00+00:00']


def test_offset_into_a_leap_day():
    assert runs('cron(0 2 27 FEB ? *)', '2027-06-01T00:00:00Z', count=2, offset=2) == [
        '2028-02-29T02:00:00+00:00', '2029-03-01T02:00:00+00:00']


def test_offset_keeps_the_local_time_across_dst():
    # Saturday 2026-03-28 02:30 + 1 day is Sunday 02:30, which does not exist in Berlin: no run.
    assert runs('cron(30 2 ? * SAT *)', '2026-03-20T00:00:00Z', count=2, timezone='Europe/Berlin', offset=1) == [
        '2026-03-22T02:30:00+01:00', '2026-04-05T02:30:00+02:00']


def test_a_match_before_start_date_does_not_run_even_when_match_plus_offset_is_after_it():
    # Match Tuesday 2026-01-13 23:30; +2 days = Thursday 01-15, after StartDate 01-14; AWS waits a period.
    assert runs('cron(30 23 ? * TUE#2 *)', '2026-01-01T00:00:00Z', count=1, offset=2,
                start_date='2026-01-14T00:00:00Z') == ['2026-02-12T23:30:00+00:00']


def test_executions_stay_within_start_and_end_dates():
    schedule = parse_schedule('cron(0 2 ? * SUN *)', 'Europe/Berlin', start_date='2026-03-01T02:00:00+01:00',
                              end_date='2026-03-22T02:00:00+01:00')
    found = [format_time(moment) for moment in schedule.occurrences(parse_instant('2026-01-01T00:00:00Z', 'after'))]
    assert found == ['2026-03-01T02:00:00+01:00', '2026-03-08T02:00:00+01:00', '2026-03-15T02:00:00+01:00',
                     '2026-03-22T02:00:00+01:00']


def test_year_field_ends_the_schedule():
    assert runs('cron(0 2 1 JAN ? 2026-2027)', '2025-01-01T00:00:00Z', count=5) == [
        '2026-01-01T02:00:00+00:00', '2027-01-01T02:00:00+00:00']


def test_wrapping_ranges_and_names_in_any_case():
    # FRI-MON wraps over the end of the week; nov-feb over the end of the year.
    assert runs('cron(0 12 ? nov-feb fri-mon *)', '2026-02-26T00:00:00Z', count=4) == [
        '2026-02-27T12:00:00+00:00', '2026-02-28T12:00:00+00:00', '2026-11-01T12:00:00+00:00',
        '2026-11-02T12:00:00+00:00']


def test_day_of_week_l_alone_is_saturday():
    assert runs('cron(0 12 ? * L *)', '2026-01-01T00:00:00Z', count=2) == [
        '2026-01-03T12:00:00+00:00', '2026-01-10T12:00:00+00:00']


def test_latest_start_before_a_time():
    schedule = parse_schedule('cron(0 2 ? * SUN *)', 'Europe/Berlin')
    moment = parse_instant('2026-03-01T04:59:00+01:00', 'now')
    assert format_time(schedule.latest_before(moment, datetime.timedelta(hours=4))) == '2026-03-01T02:00:00+01:00'
    assert schedule.latest_before(moment, datetime.timedelta(hours=2)) is None


# --- refusals -------------------------------------------------------------------------------------------

@pytest.mark.parametrize('expression, kwargs, field, fragment', [
    ('cron(0 2 * * SUN *)', {}, 'Schedule', 'exactly one of Day-of-month'),
    ('cron(0 2 ? * ? *)', {}, 'Schedule', 'exactly one of Day-of-month'),
    ('cron(0 2 1 * MON *)', {}, 'Schedule', 'exactly one of Day-of-month'),
    ('cron(0 2 ? * SUN)', {}, 'Schedule', 'takes 6 fields'),
    ('cron(0 0 2 ? * SUN * 1)', {}, 'Schedule', 'takes 6 fields'),
    ('cron(60 2 ? * SUN *)', {}, 'Schedule', 'Minutes field'),
    ('cron(0 24 ? * SUN *)', {}, 'Schedule', 'outside 0-23'),
    ('cron(0 2 0 * ? *)', {}, 'Schedule', 'outside 1-31'),
    ('cron(0 2 32 * ? *)', {}, 'Schedule', 'outside 1-31'),
    ('cron(0 2 ? 13 SUN *)', {}, 'Schedule', 'outside 1-12 or JAN-DEC'),
    ('cron(0 2 ? * 8 *)', {}, 'Schedule', 'outside 1-7 or SUN-SAT'),
    ('cron(0 2 ? * SUN 1969)', {}, 'Schedule', 'outside 1970-2199'),
    ('cron(0 2 ? * SUN 2200)', {}, 'Schedule', 'outside 1970-2199'),
    ('cron(0 2 ? * SUN 2027-2026)', {}, 'Schedule', 'runs backwards'),
    ('cron(0 2 20-10 * ? *)', {}, 'Schedule', 'runs backwards'),
    ('cron(0 2 ? * FUN *)', {}, 'Schedule', "'FUN', which is not a value"),
    ('cron(0/0 2 ? * SUN *)', {}, 'Schedule', 'increment'),
    ('cron(0/60 2 ? * SUN *)', {}, 'Schedule', 'increment'),
    ('cron(0 2 ? * 3#1,6#3 *)', {}, 'Schedule', 'AWS refuses lists such as 3#1,6#3'),
    ('cron(0 2 ? * THU#6 *)', {}, 'Schedule', 'day#n is 1-5'),
    ('cron(0 2 L,15 * ? *)', {}, 'Schedule', 'stand alone'),
    ('cron(0 2 L-3 * ? *)', {}, 'Schedule', 'stand alone'),
    ('cron(0 2 ? * 6L,2 *)', {}, 'Schedule', 'stand alone'),
    ('cron(0 2 15W ? * *)', {}, 'Schedule', 'exactly one of Day-of-month'),
    ('cron(0/1 * * * ? *)', {}, 'Schedule', 'more often than every 5 minutes'),
    ('cron(0,3 10 * * ? *)', {}, 'Schedule', 'more often than every 5 minutes'),
    ('cron(1,58 0,23 * * ? *)', {}, 'Schedule', 'more often than every 5 minutes'),
    ('cron(* 30 9 * * ? *)', {}, 'Schedule', 'more often than every 5 minutes'),
    ('rate(1 hours)', {'start_date': '2026-01-01T00:00:00Z'}, 'Schedule', 'singular unit: rate(1 hour)'),
    ('rate(5 hour)', {'start_date': '2026-01-01T00:00:00Z'}, 'Schedule', 'plural unit: rate(5 hours)'),
    ('rate(0 minutes)', {'start_date': '2026-01-01T00:00:00Z'}, 'Schedule', 'positive whole number'),
    ('rate(4 minutes)', {'start_date': '2026-01-01T00:00:00Z'}, 'Schedule', 'more often than every 5 minutes'),
    ('rate(2 weeks)', {'start_date': '2026-01-01T00:00:00Z'}, 'Schedule', 'minute, minutes, hour, hours, day, days'),
    ('rate(7 days)', {}, 'StartDate', 'required with a rate() Schedule'),
    ('rate(7 days)', {'start_date': '2026-01-01T00:00:00Z', 'offset': 2}, 'ScheduleOffset', 'only allowed with a cron()'),
    ('at(2026-01-01T02:00:00)', {'offset': 1}, 'ScheduleOffset', 'only allowed with a cron()'),
    ('at(2026-02-30T02:00:00)', {}, 'Schedule', 'real date and time'),
    ('at(2026-01-01 02:00:00)', {}, 'Schedule', 'at(YYYY-MM-DDTHH:MM:SS)'),
    ('every sunday', {}, 'Schedule', 'is not cron('),
    ('', {}, 'Schedule', 'required'),
    ('cron(0 2 ? * SUN *)', {'offset': 7}, 'ScheduleOffset', 'outside 1..6'),
    ('cron(0 2 ? * SUN *)', {'offset': 0}, 'ScheduleOffset', 'outside 1..6'),
    ('cron(0 2 ? * SUN *)', {'timezone': 'Mars/Olympus'}, 'ScheduleTimezone', 'not an IANA timezone'),
    ('cron(0 2 ? * SUN *)', {'start_date': '2026-01-01T00:00:00'}, 'StartDate', 'has no UTC offset'),
    ('cron(0 2 ? * SUN *)', {'end_date': 'next week'}, 'EndDate', 'not an ISO 8601 time'),
    ('cron(0 2 ? * SUN *)', {'start_date': '2026-02-01T00:00:00Z', 'end_date': '2026-01-01T00:00:00Z'},
     'EndDate', 'is not after StartDate'),
])
def test_refuses_what_aws_refuses(expression, kwargs, field, fragment):
    kwargs = dict(kwargs)
    timezone = kwargs.pop('timezone', None)
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression, timezone, **kwargs)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ': ')
    assert fragment in str(caught.value)


def test_an_at_time_the_clocks_skip_is_refused():
    with pytest.raises(ScheduleError, match='does not exist in Europe/Berlin'):
        parse_schedule('at(2026-03-29T02:30:00)', 'Europe/Berlin')


def test_the_schedule_text_has_at_most_256_characters():
    with pytest.raises(ScheduleError, match='at most 256'):
        parse_schedule('cron(0 2 ? * SUN %s)' % ','.join(['2026'] * 60))
