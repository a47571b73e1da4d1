# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._rate_control import (
    RateLimit,
    concurrency_for,
    error_budget_spent,
    errors_allowed,
    parse_max_concurrency,
    parse_max_errors,
)


@pytest.mark.parametrize('value, expected', [
    ('1', RateLimit(1, False)),
    (10, RateLimit(10, False)),
    ('250', RateLimit(250, False)),
    ('1%', RateLimit(1, True)),
    ('50%', RateLimit(50, True)),
    ('100%', RateLimit(100, True)),
])
def test_max_concurrency_accepts_aws_values(value, expected):
    assert parse_max_concurrency(value) == expected


@pytest.mark.parametrize('value', ['0', '0%', '101%', '05', '1.5', '', '-1', 'all', '%', True, None, [1]])
def test_max_concurrency_rejects_what_aws_rejects(value):
    with pytest.raises(InputError) as err:
        parse_max_concurrency(value)
    assert err.value.field == 'max_concurrency'
    assert 'percentage 1%..100%' in str(err.value)


@pytest.mark.parametrize('value, expected', [
    ('0', RateLimit(0, False)),
    (0, RateLimit(0, False)),
    ('3', RateLimit(3, False)),
    ('0%', RateLimit(0, True)),
    ('9%', RateLimit(9, True)),
    ('100%', RateLimit(100, True)),
])
def test_max_errors_accepts_aws_values(value, expected):
    assert parse_max_errors(value) == expected


@pytest.mark.parametrize('value', ['00', '101%', '-1', 'x', '3 %', False])
def test_max_errors_rejects_what_aws_rejects(value):
    with pytest.raises(InputError) as err:
        parse_max_errors(value)
    assert err.value.field == 'max_errors'


@pytest.mark.parametrize('limit, targets, expected', [
    ('5', 50, 5),
    ('10%', 50, 5),
    ('10%', 5, 1),     # never below one host at a time
    ('100%', 7, 7),
    ('33%', 10, 3),
])
def test_concurrency_for(limit, targets, expected):
    assert concurrency_for(parse_max_concurrency(limit), targets) == expected


@pytest.mark.parametrize('limit, targets, errors, spent', [
    # The examples AWS documents: 3 stops at the 4th error, 0 at the first, 10% of 50 at the 6th.
    ('3', 10, 3, False),
    ('3', 10, 4, True),
    ('0', 10, 0, False),
    ('0', 10, 1, True),
    ('10%', 50, 5, False),
    ('10%', 50, 6, True),
    ('1', 4, 1, False),
    ('1', 4, 2, True),
    ('0%', 4, 1, True),
    ('100%', 4, 4, False),
])
def test_error_budget(limit, targets, errors, spent):
    assert error_budget_spent(parse_max_errors(limit), targets, errors) is spent


def test_errors_allowed_rounds_percentages_down():
    assert errors_allowed(parse_max_errors('10%'), 15) == 1
    assert str(parse_max_errors('10%')) == '10%'
    assert str(parse_max_errors('2')) == '2'


def simulate(durations, max_concurrency, max_errors=None, failing=()):
    """Run targets with the given durations under a RateWindow; return ({target: (start, end)}, not attempted)."""
    from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._rate_control import RateWindow
    window = RateWindow(list(durations), max_concurrency, max_errors)
    clock, running, spans = 0, {}, {}
    for name in window.admit():
        running[name] = clock + durations[name]
        spans[name] = [clock, None]
    while running:
        name = min(running, key=lambda key: (running[key], key))
        clock = running.pop(name)
        spans[name][1] = clock
        window.finished(name, error=name in failing)
        for started in window.admit():
            running[started] = clock + durations[started]
            spans[started] = [clock, None]
    return dict((name, tuple(span)) for name, span in spans.items()), window.not_attempted()


def most_at_once(spans):
    events = sorted([(start, 1) for start, dummy in spans.values()] + [(end, -1) for dummy, end in spans.values()],
                    key=lambda event: (event[0], event[1]))
    level = peak = 0
    for dummy, change in events:
        level += change
        peak = max(peak, level)
    return peak


def test_sliding_window_starts_a_host_as_soon_as_one_finishes():
    durations = {'h1': 10, 'h2': 1, 'h3': 1, 'h4': 1, 'h5': 1}
    spans, not_attempted = simulate(durations, '2')
    assert not_attempted == []
    assert most_at_once(spans) == 2
    # Batches would wait for h1 (10) before starting h3; the window starts h3, h4 and h5 meanwhile.
    assert spans['h3'][0] == 1 and spans['h5'][1] == 4 < spans['h1'][1]


@pytest.mark.parametrize('max_concurrency', ['1', '3', '50%', '100%'])
def test_window_never_exceeds_the_concurrency(max_concurrency):
    durations = dict(('h%02d' % index, (index * 7) % 5 + 1) for index in range(12))
    spans, dummy = simulate(durations, max_concurrency)
    limit = concurrency_for(parse_max_concurrency(max_concurrency), 12)
    assert most_at_once(spans) == limit


def test_error_budget_counts_across_the_run_and_leaves_the_rest_not_attempted():
    durations = dict(('h%d' % index, 1) for index in range(1, 8))
    spans, not_attempted = simulate(durations, '1', '1', failing={'h2', 'h4'})
    # The second error exceeds MaxErrors 1: h5 and later never start.
    assert sorted(spans) == ['h1', 'h2', 'h3', 'h4']
    assert not_attempted == ['h5', 'h6', 'h7']


def test_max_errors_zero_stops_after_the_first_error_but_running_hosts_finish():
    durations = {'a': 1, 'b': 5, 'c': 5, 'd': 1}
    spans, not_attempted = simulate(durations, '3', '0', failing={'a'})
    assert sorted(spans) == ['a', 'b', 'c']        # b and c were already running
    assert not_attempted == ['d']


def test_unlimited_window_starts_everything():
    spans, not_attempted = simulate({'a': 3, 'b': 1}, None, None, failing={'a', 'b'})
    assert spans == {'a': (0, 3), 'b': (0, 1)} and not_attempted == []


def test_equal_priority_tasks_each_keep_their_own_window_and_budget():
    from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._rate_control import (
        RateWindow, RateSchedule, window_report)
    scan = RateWindow(['a1', 'a2', 'a3'], '1', '100%', name='scan')
    install = RateWindow(['b1', 'b2', 'b3'], '2', '0', name='install')
    schedule = RateSchedule([scan, install])
    assert schedule.admit() == ['a1', 'b1', 'b2']
    schedule.finished('b1', error=True)            # install's budget is spent, scan's is not
    assert schedule.admit() == []
    schedule.finished('a1')
    assert schedule.admit() == ['a2']
    report = dict((entry['name'], entry) for entry in window_report(schedule))
    assert report['install']['not_attempted'] == ['b3'] and report['install']['errors'] == ['b1']
    assert report['scan']['started'] == ['a1', 'a2']


def test_a_host_of_two_tasks_needs_a_slot_in_both_and_counts_in_both():
    from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._rate_control import RateWindow, RateSchedule
    first = RateWindow(['shared', 'x'], '1', '0', name='first')
    second = RateWindow(['y', 'shared'], '1', '0', name='second')
    schedule = RateSchedule([first, second])
    assert schedule.admit() == ['shared']          # in order: shared (first's), then x waits for first's slot
    schedule.finished('shared', error=True)
    assert schedule.admit() == []                  # both budgets spent
    assert schedule.not_attempted() == ['x', 'y']


def test_no_host_starts_at_or_after_the_cutoff():
    import datetime
    from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._rate_control import schedule_for_play
    cutoff = datetime.datetime(2026, 3, 1, 5, 0, tzinfo=datetime.timezone.utc)
    schedule = schedule_for_play(['h1', 'h2', 'h3'], '1', '100%', closes_at=cutoff)
    assert schedule.admit(cutoff - datetime.timedelta(seconds=1)) == ['h1']
    schedule.finished('h1')
    assert schedule.admit(cutoff) == [] and schedule.closed
    assert schedule.not_attempted() == ['h2', 'h3']


def test_task_windows_name_the_variable_in_errors():
    from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._rate_control import schedule_for_play
    with pytest.raises(InputError) as caught:
        schedule_for_play(['h1'], tasks=[{'name': 'scan', 'hosts': ['h1'], 'max_concurrency': '0'}])
    assert str(caught.value) == ('patch_rate_control.tasks[0].max_concurrency must be a count of 1 or more or a '
                                 'percentage 1%..100% (got 0)')
