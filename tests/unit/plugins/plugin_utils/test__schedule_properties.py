# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The schedule engine against an independent brute-force evaluator (schedule_oracle.py), with hypothesis."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _schedule
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._schedule import ScheduleError
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.plugin_utils import schedule_oracle as oracle

PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RUNS = 6
HORIZON = datetime.timedelta(days=3 * 366)


@st.composite
def cron_scenarios(draw):
    case = draw(oracle.cron_cases())
    timezone = draw(st.sampled_from(oracle.TIMEZONES))
    after = draw(oracle.start_times(timezone))
    offset = draw(st.sampled_from([None, None, 1, 2, 6]))
    return case, timezone, after, offset


def engine_runs(schedule, after, horizon, count):
    return [moment.astimezone(oracle.UTC) for moment in schedule.occurrences(after, count=count, until=after + horizon)]


@PROPERTY_SETTINGS
@given(cron_scenarios())
def test_cron_runs_are_the_brute_force_runs(scenario):
    case, timezone, after, offset = scenario
    gap = case.shortest_gap()
    if gap is not None and gap < 300:
        with pytest.raises(ScheduleError, match='more often than every 5 minutes'):
            _schedule.parse_schedule(case.text, timezone, offset=offset)
        return
    schedule = _schedule.parse_schedule(case.text, timezone, offset=offset)
    expected = oracle.cron_runs(case, timezone, after, HORIZON, RUNS, offset=offset or 0)
    assert engine_runs(schedule, after, HORIZON, RUNS)[:len(expected)] == expected
    if len(expected) < RUNS:
        # The brute force reached the horizon: the engine has nothing more before it either.
        assert engine_runs(schedule, after, HORIZON, RUNS) == expected


@PROPERTY_SETTINGS
@given(cron_scenarios(), st.integers(-40 * 24 * 60, 40 * 24 * 60), st.integers(1, 200 * 24 * 60))
def test_cron_runs_respect_start_and_end_dates(scenario, start_minutes, length_minutes):
    case, timezone, after, offset = scenario
    gap = case.shortest_gap()
    assume(gap is None or gap >= 300)
    start = after + datetime.timedelta(minutes=start_minutes)
    end = start + datetime.timedelta(minutes=length_minutes)
    schedule = _schedule.parse_schedule(case.text, timezone, offset=offset, start_date=start.isoformat(),
                                        end_date=end.isoformat())
    expected = oracle.cron_runs(case, timezone, after, HORIZON, RUNS, offset=offset or 0, start=start, end=end)
    runs = engine_runs(schedule, after, HORIZON, RUNS)
    assert runs[:len(expected)] == expected
    assert all(start <= moment <= end for moment in runs)


@st.composite
def rate_scenarios(draw):
    unit = draw(st.sampled_from(['minute', 'hour', 'day']))
    number = draw(st.integers(5 if unit == 'minute' else 1, {'minute': 300, 'hour': 30, 'day': 40}[unit]))
    timezone = draw(st.sampled_from(oracle.TIMEZONES))
    anchor = draw(oracle.start_times(timezone)).replace(second=draw(st.sampled_from([0, 0, 15])))
    after = anchor + datetime.timedelta(minutes=draw(st.integers(-3 * 24 * 60, 400 * 24 * 60)))
    return number, unit, timezone, anchor, after


@PROPERTY_SETTINGS
@given(rate_scenarios())
def test_rate_runs_are_the_brute_force_runs(scenario):
    number, unit, timezone, anchor, after = scenario
    text = 'rate(%d %s%s)' % (number, unit, '' if number == 1 else 's')
    schedule = _schedule.parse_schedule(text, timezone, start_date=anchor.isoformat())
    horizon = datetime.timedelta(days=number * 4 + 3) if unit == 'day' else datetime.timedelta(hours=number * 4 + 3)
    horizon += max(anchor - after, datetime.timedelta(0))
    expected = oracle.rate_runs(number, unit, timezone, anchor, after, horizon, RUNS)
    assert engine_runs(schedule, after, horizon, RUNS)[:len(expected)] == expected
    assert expected, 'the horizon always holds a run'
