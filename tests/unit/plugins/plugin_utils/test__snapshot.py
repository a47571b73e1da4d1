# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import multiprocessing
import os

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _registry
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _snapshot
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._snapshot import SnapshotStore, resolve_with_snapshot

SNAPSHOT_ID = '3f2c1a9e-0b7d-4e55-9a43-1c2d3e4f5a6b'
START = datetime.datetime(2026, 3, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)


class Clock(object):
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


def resolver(name, calls):
    def resolve():
        calls.append(name)
        return {'baseline': {'name': name, 'operating_system': 'UBUNTU'},
                'baseline_source': {'kind': 'registry', 'name': name, 'why': 'test'}}
    return resolve


def test_first_run_freezes_baseline_and_time_for_later_runs(tmp_path):
    clock = Clock(START)
    store = SnapshotStore(str(tmp_path), clock=clock)
    calls = []
    first = store.freeze(SNAPSHOT_ID, 'Production', 'UBUNTU', resolver('v1', calls))
    assert first['evaluation_time'] == '2026-03-01T08:00:00Z'
    assert first['snapshot_reused'] is False
    # Two days later the registry says v2, but the snapshot still gives v1 and the old "now".
    clock.moment = START + datetime.timedelta(days=2)
    later = SnapshotStore(str(tmp_path), clock=clock).freeze(SNAPSHOT_ID, 'Production', 'UBUNTU', resolver('v2', calls))
    assert later['baseline']['name'] == 'v1'
    assert later['evaluation_time'] == '2026-03-01T08:00:00Z'
    assert later['snapshot_reused'] is True
    assert calls == ['v1']


def test_each_group_and_os_is_frozen_separately(tmp_path):
    store = SnapshotStore(str(tmp_path), clock=Clock(START))
    calls = []
    store.freeze(SNAPSHOT_ID, 'Production', 'UBUNTU', resolver('prod-ubuntu', calls))
    other = store.freeze(SNAPSHOT_ID, 'Staging', 'UBUNTU', resolver('staging-ubuntu', calls))
    none = store.freeze(SNAPSHOT_ID, None, 'UBUNTU', resolver('default-ubuntu', calls))
    assert (other['baseline']['name'], none['baseline']['name']) == ('staging-ubuntu', 'default-ubuntu')
    assert calls == ['prod-ubuntu', 'staging-ubuntu', 'default-ubuntu']


def test_snapshot_expires_after_three_days(tmp_path):
    clock = Clock(START)
    store = SnapshotStore(str(tmp_path), clock=clock)
    calls = []
    store.freeze(SNAPSHOT_ID, 'Production', 'UBUNTU', resolver('v1', calls))
    clock.moment = START + datetime.timedelta(days=3, seconds=1)
    renewed = store.freeze(SNAPSHOT_ID, 'Production', 'UBUNTU', resolver('v2', calls))
    assert renewed['baseline']['name'] == 'v2'
    assert renewed['evaluation_time'] == '2026-03-04T08:00:01Z'
    assert store.purge_expired() == []
    clock.moment += datetime.timedelta(days=4)
    assert store.purge_expired() == [SNAPSHOT_ID]
    assert not os.path.exists(os.path.join(str(tmp_path), SNAPSHOT_ID + '.json'))


def test_explicit_evaluation_time_is_frozen_and_a_later_different_one_warns(tmp_path):
    store = SnapshotStore(str(tmp_path), clock=Clock(START))
    first = store.freeze(SNAPSHOT_ID, None, 'UBUNTU', resolver('v1', []), evaluation_time='2026-02-01T00:00:00+01:00')
    assert first['evaluation_time'] == '2026-01-31T23:00:00Z'
    second = store.freeze(SNAPSHOT_ID, None, 'UBUNTU', resolver('v1', []), evaluation_time='2026-02-15T00:00:00Z')
    assert second['evaluation_time'] == '2026-01-31T23:00:00Z'
    assert 'is ignored' in second['warnings'][0]


@pytest.mark.parametrize('snapshot_id', ['', '../etc/passwd', 'a/b', '.hidden', 'x' * 129, None])
def test_unsafe_snapshot_ids_are_refused(tmp_path, snapshot_id):
    with pytest.raises(InputError) as err:
        SnapshotStore(str(tmp_path)).freeze(snapshot_id, None, 'UBUNTU', resolver('v1', []))
    assert err.value.field == 'snapshot_id'


def test_bad_evaluation_time_names_the_field(tmp_path):
    with pytest.raises(InputError) as err:
        SnapshotStore(str(tmp_path)).freeze(SNAPSHOT_ID, None, 'UBUNTU', resolver('v1', []), evaluation_time='yesterday')
    assert err.value.field == 'evaluation_time'


def _freeze_in_child(args):
    directory, name = args
    result = SnapshotStore(directory).freeze(SNAPSHOT_ID, 'Production', 'UBUNTU', resolver(name, []))
    return result['baseline']['name'], result['evaluation_time']


def test_parallel_forks_agree_on_one_snapshot(tmp_path):
    # Ansible forks resolve in separate processes: all of them must see the first writer's data.
    context = multiprocessing.get_context('fork')
    with context.Pool(4) as pool:
        results = pool.map(_freeze_in_child, [(str(tmp_path), 'candidate-%d' % index) for index in range(8)])
    assert len(set(results)) == 1


def test_resolve_with_snapshot_uses_the_registry_once(tmp_path, monkeypatch):
    calls = []

    def fake_resolve_for_host(task_vars, operating_system, patch_group=None, baseline_override=None, task_baseline=None):
        calls.append((operating_system, patch_group))
        return {'baseline': {'name': 'reg-%d' % len(calls), 'operating_system': operating_system},
                'baseline_source': {'kind': 'registry', 'name': 'reg', 'why': 'test'}}

    monkeypatch.setattr(_registry, 'resolve_for_host', fake_resolve_for_host)
    store = SnapshotStore(str(tmp_path), clock=Clock(START))
    task_vars = {'patch_group': 'Production'}
    first = resolve_with_snapshot(task_vars, 'UBUNTU', snapshot_id=SNAPSHOT_ID, store=store)
    second = resolve_with_snapshot(task_vars, 'UBUNTU', snapshot_id=SNAPSHOT_ID, store=store)
    assert first['baseline'] == second['baseline'] == {'name': 'reg-1', 'operating_system': 'UBUNTU'}
    assert calls == [('UBUNTU', 'Production')]
    plain = resolve_with_snapshot(task_vars, 'UBUNTU', evaluation_time='2026-01-01T00:00:00Z')
    assert (plain['snapshot_id'], plain['evaluation_time']) == (None, '2026-01-01T00:00:00Z')
    assert plain['baseline']['name'] == 'reg-2'


def test_default_store_lives_under_the_users_ansible_directory(monkeypatch, tmp_path):
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.delenv('FLEETOPS_PATCH_SNAPSHOT_DIR', raising=False)
    assert SnapshotStore().directory == os.path.join(str(tmp_path), '.ansible', 'fleetops_patch_snapshots')
    assert _snapshot.SNAPSHOT_LIFETIME == datetime.timedelta(days=3)


def test_snapshot_directory_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv('FLEETOPS_PATCH_SNAPSHOT_DIR', str(tmp_path / 'shared'))
    store = SnapshotStore(clock=Clock(START))
    store.freeze(SNAPSHOT_ID, None, 'UBUNTU', resolver('v1', []))
    assert os.path.exists(os.path.join(str(tmp_path), 'shared', SNAPSHOT_ID + '.json'))
