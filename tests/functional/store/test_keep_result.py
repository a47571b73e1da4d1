# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""run_patch_baseline keeps its result in the store: a real ad hoc Scan of this machine (read-only)."""

import os
import subprocess

import pytest

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query as query
from tests.functional.module.conftest import parse_result

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture
def debian_machine():
    if not os.path.exists('/var/lib/dpkg/status') or not os.path.exists('/usr/bin/python3'):
        pytest.skip('this machine is not an apt system')


def ad_hoc_scan(*extra, **env):
    environment = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1', **env)
    environment.pop('FLEETOPS_PATCH_STORE', None)
    environment.update(env)
    completed = subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible'), 'localhost', '-m',
                                'fleetops.patch_manager.run_patch_baseline', '-a', 'operation=Scan'] + list(extra),
                               cwd=REPO_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, check=False)
    return parse_result(completed)


def test_an_ad_hoc_scan_is_kept_and_check_mode_keeps_nothing(debian_machine, tmp_path):
    path = tmp_path / 'store.sqlite3'
    url = 'sqlite://%s' % path
    ad_hoc_scan('--check', FLEETOPS_PATCH_STORE=url)
    assert not path.exists()
    result = ad_hoc_scan(FLEETOPS_PATCH_STORE=url)
    assert not result['failed'], result
    with _store.open_store(url, create=False) as store:
        items, dummy = query.instance_patch_states(store)
        patches = query.instance_patches(store, instances=['localhost'])
        history = query.history(store)
    assert [item['instance_id'] for item in items] == ['localhost']
    for key, value in result['instance_patch_state'].items():
        assert items[0][key] == value, key
    assert sorted(patch['kb_id'] for patch in patches) == sorted(patch['kb_id'] for patch in result['patches'])
    assert [(entry['instance_id'], entry['status'], entry['operation']) for entry in history] == [
        ('localhost', 'Success', 'Scan')]


def test_a_store_that_cannot_be_written_fails_the_task_naming_it(debian_machine, tmp_path):
    path = tmp_path / 'not-a-store.sqlite3'
    path.write_bytes(b'plain text, not SQLite\n' * 100)
    result = ad_hoc_scan('-e', 'patch_store=sqlite://%s' % path)
    assert result['failed']
    assert 'The patch store sqlite://%s cannot be opened' % path in result['msg']
    # The task's answer still carries the compliance data.
    assert result['instance_patch_state']['operation'] == 'Scan'
    assert result['patches']
