# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the dnf backend tests: generated rpm repositories, rpm roots, a backend runner.

The backend runs under /usr/bin/python3 (python3-dnf is not in the venv): see dnf_helpers.py.
"""

import os
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

SYSTEM_PYTHON = '/usr/bin/python3'


def _missing_tools():
    missing = [tool for tool in ('rpm', 'rpmbuild', 'createrepo_c', 'modifyrepo_c', 'dnf') if shutil.which(tool) is None]
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import dnf'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if probe.returncode != 0:
        missing.append('python3-dnf')
    return missing


def pytest_collection_modifyitems(items):
    missing = _missing_tools()
    if missing or os.geteuid() != 0:
        reason = 'dnf backend tests need root and %s' % (', '.join(missing) or 'nothing else')
        for item in items:
            if os.path.dirname(str(item.fspath)) == os.path.dirname(__file__):
                item.add_marker(pytest.mark.skip(reason=reason))
