# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/support/roots.py: the golden root has no real sources; overlays never leak."""

import os
import subprocess
import sys

from tests.support import roots

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _mounted(path):
    return any(mount_point == path for mount_point, _owner in roots._our_mounts())  # pylint: disable=protected-access


def test_golden_root_has_only_what_tests_configure(golden_root):
    with open(os.path.join(golden_root, 'etc/apt/sources.list')) as handle:
        assert handle.read().strip() == ''
    assert os.listdir(os.path.join(golden_root, 'etc/apt/sources.list.d')) == []
    assert [name for name in os.listdir(os.path.join(golden_root, 'var/lib/apt/lists')) if name.endswith('Packages')] == []
    assert any(name.startswith('apt_pkg') for name in os.listdir(os.path.join(golden_root, 'usr/lib/python3/dist-packages')))
    assert os.path.exists(os.path.join(golden_root, 'usr/sbin/sshd'))
    assert roots.golden_debian_root() == golden_root


def test_overlay_writes_stay_out_of_the_golden_root_and_unmount(golden_root, tmp_path):
    with roots.overlay_root(golden_root, str(tmp_path)) as root:
        assert _mounted(root)
        with open(os.path.join(root, 'etc/fleetops-marker'), 'w') as handle:
            handle.write('x')
    assert not _mounted(root)
    assert not os.path.exists(os.path.join(golden_root, 'etc/fleetops-marker'))
    assert os.path.exists(str(tmp_path / 'upper' / 'etc' / 'fleetops-marker'))


def test_mounts_of_a_crashed_run_are_removed_and_live_ones_kept(golden_root, tmp_path):
    # A run that died inside the with-block: its process is gone, its mount is still there.
    crashed = subprocess.run(
        [sys.executable, '-c', 'import os, sys\n'
         'sys.path.insert(0, sys.argv[1])\n'
         'from tests.support import roots\n'
         'context = roots.overlay_root(sys.argv[2], sys.argv[3])\n'
         'print(context.__enter__(), flush=True)\n'
         'os._exit(1)\n', REPO_ROOT, golden_root, str(tmp_path / 'crashed')],
        stdout=subprocess.PIPE, universal_newlines=True, check=False)
    stale = crashed.stdout.strip()
    assert _mounted(stale)

    with roots.overlay_root(golden_root, str(tmp_path / 'live')) as live:
        assert not _mounted(stale)
        roots.remove_stale_overlays()
        assert _mounted(live)
