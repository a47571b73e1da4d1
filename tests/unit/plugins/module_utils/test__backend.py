# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The helpers every backend shares: lock probing and waiting, Sources selection, the gc pause.

Locks are real: a child process writes its PID into a pid file or holds an fcntl lock.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import os
import subprocess
import sys

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import LockTimeoutError

# Holds a write lock on argv[1] (as rpm does on its transaction lock) until stdin closes.
LOCK_HOLDER = '''
import fcntl, sys
handle = open(sys.argv[1], 'a')
fcntl.lockf(handle, fcntl.LOCK_EX)
print('locked', flush=True)
sys.stdin.read()
'''


def _command_of(pid):
    with open('/proc/%d/comm' % pid) as handle:
        return handle.read().strip()


@pytest.fixture
def sleeper():
    """A live child process (its PID stands in a pid file); killed afterwards."""
    process = subprocess.Popen(['sleep', '600'])
    while _command_of(process.pid) != 'sleep':    # Popen may return before the exec is visible
        pass
    yield process
    process.kill()
    process.wait()


@pytest.fixture
def fcntl_holder(tmp_path):
    """(path, process): a child process holding a write lock on ``path``."""
    path = tmp_path / 'rpm.lock'
    path.write_text('')
    process = subprocess.Popen([sys.executable, '-c', LOCK_HOLDER, str(path)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, universal_newlines=True)
    assert process.stdout.readline().strip() == 'locked'
    yield str(path), process
    process.stdin.close()
    process.wait()


def test_pid_file_of_a_live_process_names_pid_and_command(tmp_path, sleeper):
    lock = tmp_path / 'zypp.pid'
    lock.write_text('%d\n' % sleeper.pid)
    assert _backend.pid_file_holder(str(lock)) == 'PID %d (sleep)' % sleeper.pid


@pytest.mark.parametrize('content', ['', '\n', 'not a pid', '0'])
def test_pid_file_without_a_pid_is_not_held(tmp_path, content):
    lock = tmp_path / 'rpmdb_lock.pid'
    lock.write_text(content)
    assert _backend.pid_file_holder(str(lock)) is None


def test_missing_pid_file_is_not_held_and_not_created(tmp_path):
    assert _backend.pid_file_holder(str(tmp_path / 'absent.pid')) is None
    assert not (tmp_path / 'absent.pid').exists()


def test_stale_pid_file_of_an_ended_process_is_not_held(tmp_path):
    ended = subprocess.Popen(['true'])
    ended.wait()
    lock = tmp_path / 'zypp.pid'
    lock.write_text(str(ended.pid))
    assert _backend.pid_file_holder(str(lock)) is None


def test_our_own_pid_is_not_a_holder(tmp_path):
    lock = tmp_path / 'zypp.pid'
    lock.write_text(str(os.getpid()))
    assert _backend.pid_file_holder(str(lock)) is None


def test_fcntl_lock_held_by_another_process(fcntl_holder):
    path, process = fcntl_holder
    assert _backend.fcntl_lock_holder(path) == 'another process'
    process.stdin.close()
    process.wait()
    assert _backend.fcntl_lock_holder(path) is None


def test_fcntl_probe_of_a_missing_file_does_not_create_it(tmp_path):
    assert _backend.fcntl_lock_holder(str(tmp_path / '.rpm.lock')) is None
    assert not (tmp_path / '.rpm.lock').exists()


def test_waiting_for_a_held_pid_lock_times_out_naming_file_and_holder(tmp_path, sleeper):
    lock = tmp_path / 'rpmdb_lock.pid'
    lock.write_text(str(sleeper.pid))
    locks = [('The dnf rpmdb lock %s' % lock, lambda: _backend.pid_file_holder(str(lock)))]
    with pytest.raises(LockTimeoutError) as caught:
        _backend.wait_for_all(locks, 0.2, interval=0.05)
    message = str(caught.value)
    assert str(lock) in message and 'PID %d' % sleeper.pid in message and 'lock_timeout' in message


def test_waiting_returns_once_the_holder_is_gone(tmp_path):
    lock = tmp_path / 'zypp.pid'
    holder = subprocess.Popen(['sleep', '600'])
    lock.write_text(str(holder.pid))
    probes = []

    def probe():
        probes.append(1)
        if len(probes) == 2:     # the holder ends while we wait
            holder.kill()
            holder.wait()
        return _backend.pid_file_holder(str(lock))

    _backend.wait_for_all([('The zypper lock', probe)], 60, interval=0.01)
    assert len(probes) == 2      # held once, then free


def test_all_locks_share_one_timeout(tmp_path, sleeper, fcntl_holder):
    """A second held lock does not get a fresh timeout: the whole wait is bounded."""
    path, _process = fcntl_holder
    ticks = iter(range(1000))
    free = tmp_path / 'free.pid'
    locks = [('The free lock', lambda: _backend.pid_file_holder(str(free))),
             ('The rpm transaction lock %s' % path, lambda: _backend.fcntl_lock_holder(path))]
    with pytest.raises(LockTimeoutError) as caught:
        _backend.wait_for_all(locks, 3, clock=lambda: next(ticks), sleep=lambda _seconds: None)
    assert path in str(caught.value) and 'another process' in str(caught.value)


SOURCES = [{'name': 'one', 'products': ['Suse15.6']}, {'name': 'two', 'products': ['*']},
           {'name': 'three', 'products': ['Suse12.*']}, {'name': 'four', 'products': ['REDHATENTERPRISELINUX9*']}]


@pytest.mark.parametrize('product, names', [
    ('Suse15.6', ['one', 'two']),
    ('Suse12.5', ['two', 'three']),
    ('RedhatEnterpriseLinux9.4', ['two', 'four']),      # case-insensitive, as AWS matches products
    (None, ['one', 'two', 'three', 'four']),             # the caller has chosen already
])
def test_sources_for_product(product, names):
    assert [source['name'] for source in _backend.sources_for_product(SOURCES, product)] == names


def test_sources_without_products_apply_to_all():
    assert _backend.sources_for_product([{'name': 'any'}], 'Suse15.6') == [{'name': 'any'}]
    assert _backend.sources_for_product(None, 'Suse15.6') == []


@pytest.mark.parametrize('enabled', [True, False])
def test_gc_pause_restores_the_collector_state(enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.raises(ValueError):
            with _backend.gc_paused():
                assert not gc.isenabled()
                raise ValueError('the body failed')
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
