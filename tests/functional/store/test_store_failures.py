# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A store that cannot be used fails loudly, names the store, and loses nothing already stored.

Corrupt and foreign SQLite files, wrong URLs and DSNs, and a real full disk: a small tmpfs
mounted by the test (root), filled while results are being written, unmounted after.
"""

import hashlib
import os
import sqlite3
import subprocess

import pytest

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query as query
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._store import StoreError
from tests.support import pgserver, storedata


def digest(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_a_corrupt_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / 'patch_store.sqlite3'
    path.write_bytes(b'this was a store until a disk sector went bad\n' * 200)
    before = digest(path)
    with pytest.raises(StoreError) as caught:
        _store.open_store('sqlite://%s' % path)
    message = str(caught.value)
    assert 'The patch store sqlite://%s cannot be opened' % path in message
    assert 'not a SQLite database; it was left untouched' in message
    assert digest(path) == before


def test_a_damaged_store_fails_to_read_naming_the_store(tmp_path):
    path = tmp_path / 'patch_store.sqlite3'
    url = 'sqlite://%s' % path
    with _store.open_store(url) as store:
        for index in range(30):
            store.record_result(storedata.host_name(index), storedata.make_result(index, patch_count=200))
    # Overwrite the pages after the first one (keeps the header, breaks the tables).
    with open(path, 'r+b') as handle:
        handle.seek(4096)
        handle.write(b'\xff' * 40960)
    for suffix in ('-wal', '-shm'):
        if os.path.exists(str(path) + suffix):
            os.unlink(str(path) + suffix)
    with pytest.raises(StoreError, match=r'The patch store sqlite://%s cannot be' % path):
        with _store.open_store(url) as store:
            query.instance_patch_states(store)
            query.instance_patches(store)


def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / 'inventory.db'
    connection = sqlite3.connect(str(path))
    connection.execute('CREATE TABLE hosts (name TEXT, address TEXT)')
    connection.execute("INSERT INTO hosts VALUES ('web1', '192.0.2.10')")
    connection.commit()
    connection.close()
    before = digest(path)
    with pytest.raises(StoreError) as caught:
        _store.open_store('sqlite://%s' % path)
    assert 'is a database that this collection did not create (it has the tables hosts' in str(caught.value)
    assert digest(path) == before


@pytest.mark.parametrize('url, message', [
    ('mysql://db/patch', r"patch_store: the scheme 'mysql' of mysql://db/patch is not one of sqlite, postgresql"),
    ('/var/lib/patch.db', r"patch_store: '/var/lib/patch.db' is not a store URL; use sqlite:///<absolute path>"),
    ('sqlite://', r'patch_store: sqlite:// names no file'),
])
def test_a_wrong_url_names_what_is_allowed(url, message):
    with pytest.raises(StoreError, match=message):
        _store.open_store(url)


def test_a_missing_store_is_not_created_by_a_query(tmp_path):
    path = tmp_path / 'none.sqlite3'
    with pytest.raises(StoreError, match='does not exist: no run_patch_baseline result has been kept there yet'):
        _store.open_store('sqlite://%s' % path, create=False)
    assert not path.exists()


def test_postgresql_wrong_dsn_and_wrong_password_name_the_store_not_the_password(postgres):
    with pytest.raises(StoreError) as caught:
        _store.open_store(postgres.url('no_such_database'))
    assert 'The patch store postgresql://fleetops@/no_such_database' in str(caught.value)
    assert 'no_such_database' in str(caught.value) and 'does not exist' in str(caught.value)
    url = postgres.tcp_url('postgres', password='wrong-secret-value')
    with pytest.raises(StoreError) as caught:
        _store.open_store(url)
    assert 'postgresql://fleetops:***@127.0.0.1' in str(caught.value)
    assert 'wrong-secret-value' not in str(caught.value)
    assert 'password authentication failed' in str(caught.value)


def test_postgresql_database_with_other_tables_is_shared_but_ours_must_be_complete(postgres):
    url = postgres.create_database('shared_with_others')
    postgres.psql('CREATE TABLE awx_like_table (id INTEGER)', database='shared_with_others')
    with _store.open_store(url) as store:
        store.record_result('web1', storedata.make_result(1, patch_count=20))
    # Our tables without our schema table: not something we created.
    postgres.psql('DROP TABLE patch_store_schema', database='shared_with_others')
    with pytest.raises(StoreError, match='did not create'):
        _store.open_store(url)


@pytest.fixture
def small_disk(tmp_path):
    """A real 3 MiB filesystem (tmpfs), mounted for the test and unmounted after."""
    if os.geteuid() != 0:
        pytest.skip('mounting a small filesystem needs root')
    mountpoint = tmp_path / 'small'
    mountpoint.mkdir()
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', str(mountpoint)], check=True)
    try:
        yield mountpoint
    finally:
        subprocess.run(['umount', '-l', str(mountpoint)], check=False)


def test_a_full_disk_fails_the_write_and_keeps_everything_stored_before(small_disk):
    path = small_disk / 'patch_store.sqlite3'
    url = 'sqlite://%s' % path
    # Ballast that we remove later to make room again.
    ballast = small_disk / 'ballast'
    ballast.write_bytes(os.urandom(512 * 1024))
    kept = {}
    error = None
    with _store.open_store(url) as store:
        for index in range(400):
            result = storedata.make_result(index, patch_count=400)
            try:
                store.record_result(storedata.host_name(index), result)
            except StoreError as exc:
                error = exc
                break
            kept[storedata.host_name(index)] = result
    assert error is not None, 'the filesystem never filled up'
    assert str(error).startswith('The patch store %s cannot be written: ' % url)
    assert 'full' in str(error)
    assert len(kept) > 3
    ballast.unlink()
    with _store.open_store(url) as store:
        items, dummy = query.instance_patch_states(store)
        assert sorted(item['instance_id'] for item in items) == sorted(kept)
        for item in items:
            assert item['missing_count'] == kept[item['instance_id']]['instance_patch_state']['missing_count']
        last = sorted(kept)[-1]
        patches = query.instance_patches(store, instances=[last])
        assert len(patches) == len(kept[last]['patches'])
        assert len(query.history(store)) == len(kept)
        # With room again, the store takes the next write.
        store.record_result('after-the-disk-was-freed', storedata.make_result(1, patch_count=10))
        assert len(query.instance_patch_states(store)[0]) == len(kept) + 1


def test_keep_result_fails_the_task_and_keeps_the_result_data(tmp_path):
    path = tmp_path / 'garbage.sqlite3'
    path.write_bytes(b'\x00garbage' * 1000)
    result = storedata.make_result(1, patch_count=20)
    kept = _store.keep_result({'patch_store': 'sqlite://%s' % path, 'inventory_hostname': 'web1'}, None, dict(result))
    assert kept['failed'] is True
    assert kept['msg'].startswith('The patch store sqlite://%s cannot be opened' % path)
    assert kept['instance_patch_state'] == result['instance_patch_state']
    assert kept['patches'] == result['patches']


def test_keep_result_in_check_mode_keeps_nothing(tmp_path):
    url = 'sqlite://%s' % (tmp_path / 'store.sqlite3')
    result = storedata.make_result(1, patch_count=20)
    _store.keep_result({'patch_store': url, 'inventory_hostname': 'web1', 'ansible_check_mode': True}, None, result)
    assert not (tmp_path / 'store.sqlite3').exists()
    _store.keep_result({'patch_store': url, 'inventory_hostname': 'web1'}, None, result)
    with _store.open_store(url) as store:
        assert [item['instance_id'] for item in query.instance_patch_states(store)[0]] == ['web1']


def test_the_store_url_comes_from_the_variable_then_the_environment_then_the_default(tmp_path):
    assert _store.store_url({'patch_store': 'sqlite:///a.db'}, {'FLEETOPS_PATCH_STORE': 'sqlite:///b.db'}) == \
        'sqlite:///a.db'
    assert _store.store_url({}, {'FLEETOPS_PATCH_STORE': 'postgresql://u@h/db'}) == 'postgresql://u@h/db'
    assert _store.parse_url(_store.store_url({}, {})) == (
        'sqlite', os.path.expanduser('~/.ansible/fleetops_patch/patch_store.sqlite3'))
    assert _store.parse_url('sqlite:////var/lib/x.db') == ('sqlite', '/var/lib/x.db')
    assert _store.parse_url('sqlite:///var/lib/x.db') == ('sqlite', '/var/lib/x.db')
    assert _store.display_url('postgresql://patch:s3cret@db:5432/store') == 'postgresql://patch:***@db:5432/store'
    assert pgserver.PASSWORD not in _store.display_url('postgresql://u:%s@h/d' % pgserver.PASSWORD)
