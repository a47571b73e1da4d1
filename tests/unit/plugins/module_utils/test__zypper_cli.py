# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running zypper and rpm: rpm query output, the zypp lock, capabilities."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _zypper_cli as zcli
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import UTC
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.zypper_fixtures import fixture


def test_rpm_query_gives_name_arch_evr_and_aware_install_time():
    packages = zcli.parse_rpm_query(fixture('rpm-qa.txt') + 'gpg-pubkey\t(none)\t0:1-1\t1\n')
    assert [(p.name, p.arch, p.version) for p in packages] == [
        ('fleet-sh', 'x86_64', '0:1-1'), ('bar', 'noarch', '0:2.0-1'), ('foo', 'noarch', '0:1.3-1')]
    assert packages[0].installed_time == datetime.datetime.fromtimestamp(1795596760, UTC)


def test_lock_holder_names_a_live_pid_and_ignores_stale(tmp_path):
    (tmp_path / 'run').mkdir()
    lock = tmp_path / 'run' / 'zypp.pid'
    assert zcli.zypp_lock_holder(str(tmp_path)) is None
    lock.write_text('')
    assert zcli.zypp_lock_holder(str(tmp_path)) is None     # zypper leaves an empty file behind
    lock.write_text('1\n')
    assert zcli.zypp_lock_holder(str(tmp_path)).startswith('PID 1')
    lock.write_text('999999999\n')
    assert zcli.zypp_lock_holder(str(tmp_path)) is None


def test_capability_and_nvra():
    assert zcli.capability('foo', 'noarch', '1:1.2-3') == 'foo.noarch=1:1.2-3'
    assert zcli.nvra('foo', 'noarch', '1:1.2-3') == 'foo-1.2-3.noarch'
