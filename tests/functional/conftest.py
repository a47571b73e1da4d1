# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by every functional test: import paths, the golden Debian root, overlays.

Family- and fleet-specific fixtures live in conftest.py files of the subdirectories.
"""

import os
import shutil
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO_ROOT, '.collections')
for _path in (COLLECTIONS, REPO_ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.support import roots  # noqa: E402  pylint: disable=wrong-import-position


def _require_root_tools():
    if os.geteuid() != 0:
        pytest.skip('needs root: builds and mounts system roots')
    if shutil.which('mmdebstrap') is None:
        pytest.skip('needs mmdebstrap (make system-deps)')


@pytest.fixture(scope='session')
def golden_root():
    """Path of the cached minimal bookworm root (built on first use); never write to it."""
    _require_root_tools()
    return roots.golden_debian_root()


@pytest.fixture
def overlay(golden_root, tmp_path):
    """A writable root for one test: an overlay of the golden root, unmounted afterwards."""
    with roots.overlay_root(golden_root, str(tmp_path / 'overlay')) as root:
        yield root
