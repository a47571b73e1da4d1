# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Soak: 20 consecutive fleet scans of a 24-node mixed fleet, every one without a failure (``make soak``).

Not part of ``make test`` (about ten minutes). A scan that fails or leaves a host failed,
unreachable or not attempted fails the soak with that run's output.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
for _path in (REPO_ROOT, os.path.join(REPO_ROOT, '.collections')):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.fleet import fleetctl  # noqa: E402  pylint: disable=wrong-import-position

NODES = int(os.environ.get('FLEETOPS_SOAK_NODES', '24'))
SCANS = int(os.environ.get('FLEETOPS_SOAK_SCANS', '20'))
REGISTRY = os.path.join(REPO_ROOT, 'tests', 'fleet_layer', 'patch_registry')


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip('the test fleet needs root')
    with fleetctl.session_lock():
        state = fleetctl.up(NODES, 'mix')
        try:
            directory = str(tmp_path_factory.mktemp('soak'))
            shutil.copytree(REGISTRY, os.path.join(directory, 'patch_registry'))
            shutil.copy(state['fleet_file'], os.path.join(directory, 'fleet.yml'))
            yield state, directory
        finally:
            with fleetctl.fleet_lock():
                fleetctl.down()


def test_consecutive_fleet_scans_never_fail(fleet):
    state, directory = fleet
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'),
               FLEETOPS_PATCH_SNAPSHOT_DIR=os.path.join(directory, 'snapshots'), ANSIBLE_NOCOLOR='1')
    for scan in range(1, SCANS + 1):
        result = subprocess.run(
            [os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook'), 'fleetops.patch_manager.scan',
             '-i', os.path.join(directory, 'fleet.yml'), '--forks', str(NODES)],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
            check=False)
        assert result.returncode == 0, 'scan %d of %d failed:\n%s' % (scan, SCANS, result.stdout[-6000:])
        recap = result.stdout[result.stdout.index('PLAY RECAP'):]
        assert 'failed=1' not in recap and 'unreachable=1' not in recap, 'scan %d:\n%s' % (scan, recap)
        assert ('hosts: %d  compliant: ' % NODES) in result.stdout, result.stdout[-3000:]
        assert 'failed: 0  unreachable: 0  not attempted: 0' in result.stdout.split('All patch groups')[-1]
