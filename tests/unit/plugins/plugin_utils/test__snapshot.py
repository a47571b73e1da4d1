# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fcntl
import json
import multiprocessing
import os
import time

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _snapshot
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._snapshot import SnapshotError, SnapshotStore

SNAPSHOT_ID = '3f2c1a9e-0b7d-4e55-9a43-1c2d3e4f5a6b'
START = datetime.datetime(2026, 3, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)
PROD_UBUNTU = ('Production', 'UBUNTU')


class Clock(object):
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


def resolver(name, calls):
    def resolve(missing):
        calls.append((name, list(missing)))
        return dict((key, {'baseline': {'name': name, 'operating_system': key[1]},
                           'baseline_source': {'kind': 'registry', 'name': name, 'why': 'test'}}) for key in missing)
    return resolve


def frozen_name(result, key=PROD_UBUNTU):
    return result['entries'][key]['baseline']['name']


def test_first_run_freezes_baseline_and_time_for_later_runs(tmp_path):
    clock = Clock(START)
    store = SnapshotStore(str(tmp_path), clock=clock)
    calls = []
    first = store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('v1', calls))
    assert first['evaluation_time'] == '2026-03-01T08:00:00Z'
    assert first['reused'] == {PROD_UBUNTU: False}
    # Two days later the registry says v2, but the snapshot still gives v1 and the old "now".
    clock.moment = START + datetime.timedelta(days=2)
    later = SnapshotStore(str(tmp_path), clock=clock).freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('v2', calls))
    assert frozen_name(later) == 'v1'
    assert later['evaluation_time'] == '2026-03-01T08:00:00Z'
    assert later['reused'] == {PROD_UBUNTU: True}
    assert calls == [('v1', [PROD_UBUNTU])]


def test_each_group_and_os_is_frozen_separately_and_only_missing_ones_resolve(tmp_path):
    store = SnapshotStore(str(tmp_path), clock=Clock(START))
    calls = []
    store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('first', calls))
    keys = [PROD_UBUNTU, ('Staging', 'UBUNTU'), (None, 'UBUNTU'), ('Production', 'SUSE')]
    result = store.freeze(SNAPSHOT_ID, keys, resolver('second', calls))
    assert [frozen_name(result, key) for key in keys] == ['first', 'second', 'second', 'second']
    assert calls[1] == ('second', keys[1:])
    assert result['reused'] == {PROD_UBUNTU: True, keys[1]: False, keys[2]: False, keys[3]: False}


def test_snapshot_expires_after_three_days_and_is_purged(tmp_path):
    clock = Clock(START)
    store = SnapshotStore(str(tmp_path), clock=clock)
    calls = []
    store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('v1', calls))
    clock.moment = START + datetime.timedelta(days=3, seconds=1)
    renewed = store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('v2', calls))
    assert frozen_name(renewed) == 'v2'
    assert renewed['evaluation_time'] == '2026-03-04T08:00:01Z'
    assert store.purge_expired() == []
    clock.moment += datetime.timedelta(days=4)
    assert store.purge_expired() == [SNAPSHOT_ID]
    assert not os.path.exists(os.path.join(str(tmp_path), SNAPSHOT_ID + '.json'))


def test_purge_removes_only_its_own_files(tmp_path):
    clock = Clock(START)
    store = SnapshotStore(str(tmp_path), clock=clock)
    store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('v1', []))
    foreign = {'notes.json': '{"mine": true}', 'inventory.json': '[1, 2]', 'broken.json': '{', 'readme.txt': 'x',
               'other.lock': ''}
    for name, text in foreign.items():
        (tmp_path / name).write_text(text)
    clock.moment = START + datetime.timedelta(days=10)
    assert store.purge_expired() == [SNAPSHOT_ID]
    assert sorted(os.listdir(str(tmp_path))) == sorted(list(foreign) + ['.store.lock', '.last-purge'])


def _hold_store_lock(directory, ready, release):
    with open(os.path.join(directory, '.store.lock'), 'a') as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_SH)
        ready.set()
        release.wait(30)


def test_purge_never_runs_while_another_process_uses_the_store(tmp_path):
    clock = Clock(START)
    store = SnapshotStore(str(tmp_path), clock=clock)
    store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('v1', []))
    clock.moment = START + datetime.timedelta(days=10)
    context = multiprocessing.get_context('fork')
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_store_lock, args=(str(tmp_path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        assert store.purge_expired() == []
        assert os.path.exists(os.path.join(str(tmp_path), SNAPSHOT_ID + '.lock'))
    finally:
        release.set()
        holder.join(30)
    assert store.purge_expired() == [SNAPSHOT_ID]


def _slow_freeze(directory, moment, inside, release, results):
    def resolve(missing):
        inside.set()
        release.wait(20)
        return resolver('slow', [])(missing)
    result = SnapshotStore(directory, clock=Clock(moment)).freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolve)
    results.put(('slow', frozen_name(result)))


def _purge_then_freeze(directory, moment, results):
    store = SnapshotStore(directory, clock=Clock(moment))
    store.purge_expired()
    results.put(('fast', frozen_name(store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('fast', [])))))


def test_a_purge_during_a_freeze_cannot_split_one_snapshot_in_two(tmp_path):
    # Reproduces the race of deleting lock files: a slow first freeze of an expired snapshot holds
    # the snapshot's lock while another process purges and freezes the same id.
    directory = str(tmp_path)
    SnapshotStore(directory, clock=Clock(START)).freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('expired', []))
    old = time.time() - 5 * 86400
    os.utime(os.path.join(directory, SNAPSHOT_ID + '.json'), (old, old))
    later = START + datetime.timedelta(days=5)
    context = multiprocessing.get_context('fork')
    inside, release, results = context.Event(), context.Event(), context.Queue()
    slow = context.Process(target=_slow_freeze, args=(directory, later, inside, release, results))
    slow.start()
    assert inside.wait(30)
    fast = context.Process(target=_purge_then_freeze, args=(directory, later, results))
    fast.start()
    fast.join(2)            # with the old store this finished (and froze "fast") while "slow" was still resolving
    release.set()
    slow.join(30)
    fast.join(30)
    answers = dict(results.get(timeout=10) for dummy in range(2))
    assert answers == {'slow': 'slow', 'fast': 'slow'}


def test_corrupt_snapshot_fails_naming_the_file_and_is_kept(tmp_path):
    path = tmp_path / (SNAPSHOT_ID + '.json')
    path.write_text('{"format": 1, "created": "2026-03-01T08:00:00Z", "baselines": {')
    store = SnapshotStore(str(tmp_path), clock=Clock(START))
    with pytest.raises(SnapshotError) as caught:
        store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('v1', []))
    assert str(path) in str(caught.value) and 'is corrupt' in str(caught.value)
    assert path.read_text().endswith('"baselines": {')
    path.write_text(json.dumps({'format': 99}))
    with pytest.raises(SnapshotError) as caught:
        store.freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver('v1', []))
    assert 'was not written by fleetops.patch_manager' in str(caught.value)


def test_explicit_evaluation_time_is_frozen_and_a_later_different_one_warns(tmp_path):
    store = SnapshotStore(str(tmp_path), clock=Clock(START))
    first = store.freeze(SNAPSHOT_ID, [(None, 'UBUNTU')], resolver('v1', []), evaluation_time='2026-02-01T00:00:00+01:00')
    assert first['evaluation_time'] == '2026-01-31T23:00:00Z'
    second = store.freeze(SNAPSHOT_ID, [(None, 'UBUNTU')], resolver('v1', []), evaluation_time='2026-02-15T00:00:00Z')
    assert second['evaluation_time'] == '2026-01-31T23:00:00Z'
    assert 'is ignored' in second['warnings'][0]


@pytest.mark.parametrize('snapshot_id', ['', '../etc/passwd', 'a/b', '.hidden', 'x' * 129, None])
def test_unsafe_snapshot_ids_are_refused(tmp_path, snapshot_id):
    with pytest.raises(InputError) as err:
        SnapshotStore(str(tmp_path)).freeze(snapshot_id, [(None, 'UBUNTU')], resolver('v1', []))
    assert err.value.field == 'snapshot_id'


def test_bad_evaluation_time_names_the_field(tmp_path):
    with pytest.raises(InputError) as err:
        SnapshotStore(str(tmp_path)).freeze(SNAPSHOT_ID, [(None, 'UBUNTU')], resolver('v1', []), evaluation_time='yesterday')
    assert err.value.field == 'evaluation_time'


def _freeze_in_child(args):
    directory, name = args
    return frozen_name(SnapshotStore(directory).freeze(SNAPSHOT_ID, [PROD_UBUNTU], resolver(name, [])))


def test_parallel_forks_agree_on_one_snapshot(tmp_path):
    # Ansible forks resolve in separate processes: all of them must see the first writer's data.
    context = multiprocessing.get_context('fork')
    with context.Pool(4) as pool:
        results = pool.map(_freeze_in_child, [(str(tmp_path), 'candidate-%d' % index) for index in range(8)])
    assert len(set(results)) == 1


def test_default_store_lives_under_the_users_ansible_directory(monkeypatch, tmp_path):
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.delenv('FLEETOPS_PATCH_SNAPSHOT_DIR', raising=False)
    assert SnapshotStore().directory == os.path.join(str(tmp_path), '.ansible', 'fleetops_patch_snapshots')
    assert _snapshot.SNAPSHOT_LIFETIME == datetime.timedelta(days=3)


def test_snapshot_directory_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv('FLEETOPS_PATCH_SNAPSHOT_DIR', str(tmp_path / 'shared'))
    store = SnapshotStore(clock=Clock(START))
    store.freeze(SNAPSHOT_ID, [(None, 'UBUNTU')], resolver('v1', []))
    assert os.path.exists(os.path.join(str(tmp_path), 'shared', SNAPSHOT_ID + '.json'))
