# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hypothesis settings for every unit test: no wall-clock limits.

Hypothesis' per-example deadline and its "input generation is slow" health check measure time,
so on a loaded machine (2 shared cores, several test runs at once) they fail tests whose
properties hold. The tests assert behaviour only; speed belongs to bench/.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from hypothesis import HealthCheck, settings

settings.register_profile('fleetops-untimed', deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile('fleetops-untimed')
