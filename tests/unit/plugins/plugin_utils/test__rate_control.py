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
