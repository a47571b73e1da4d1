# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the apt backend tests (helpers are in aptnode.py)."""

import os

import pytest

from tests.functional.apt.aptnode import SYSTEM_PYTHON


@pytest.fixture
def apt_root(overlay):
    """An overlay root with /usr/bin/python3 available to run the backend against it."""
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip('needs the system python3 with python3-apt')
    return overlay
