# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution lease between real processes: a second start of a running window is refused."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import multiprocessing
import os

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._window_lock import LOCK_DIR_ENV, WindowLock

CONTEXT = multiprocessing.get_context('fork')


def hold(directory, execution_id, ready, done):
    """A window run in another process: takes the lease for itself, waits, then ends (releasing or not)."""
    status, dummy = WindowLock('prod-sunday', directory).acquire(execution_id, owner_pid=os.getpid())
    ready.put(status)
    release = done.get()
    if release:
        WindowLock('prod-sunday', directory).release(execution_id, owner_pid=os.getpid())


def start_holder(directory, execution_id):
    ready, done = CONTEXT.Queue(), CONTEXT.Queue()
    process = CONTEXT.Process(target=hold, args=(directory, execution_id, ready, done))
    process.start()
    assert ready.get(timeout=30) == 'acquired'
    return process, done


def test_a_second_start_while_one_runs_is_refused_and_names_the_running_execution(tmp_path):
    directory = str(tmp_path)
    process, done = start_holder(directory, 'execution-1')
    status, holder = WindowLock('prod-sunday', directory).acquire('execution-2', owner_pid=os.getpid())
    assert status == 'running'
    assert (holder['pid'], holder['execution_id']) == (process.pid, 'execution-1')
    done.put(True)
    process.join(30)
    # Execution 1 ran to its end: starting it again finds it completed; the next execution runs.
    assert WindowLock('prod-sunday', directory).acquire('execution-1', owner_pid=os.getpid())[0] == 'completed'
    status, holder = WindowLock('prod-sunday', directory).acquire('execution-2', owner_pid=os.getpid())
    assert status == 'acquired' and holder['execution_id'] == 'execution-2'


def test_a_lease_left_by_a_process_that_died_is_taken_over_and_its_execution_runs_again(tmp_path):
    directory = str(tmp_path)
    process, done = start_holder(directory, 'execution-1')
    done.put(False)         # ends without releasing, as a killed ansible-playbook would
    process.join(30)
    assert WindowLock('prod-sunday', directory).holder() is None
    assert WindowLock('prod-sunday', directory).acquire('execution-1', owner_pid=os.getpid())[0] == 'acquired'


def test_other_windows_do_not_block_each_other_and_the_owner_may_ask_again(tmp_path, monkeypatch):
    monkeypatch.setenv(LOCK_DIR_ENV, str(tmp_path))
    assert WindowLock('prod-sunday').acquire('a', owner_pid=os.getpid())[0] == 'acquired'
    assert WindowLock('prod-sunday').acquire('a', owner_pid=os.getpid())[0] == 'acquired'
    assert WindowLock('dev-nightly').acquire('b', owner_pid=os.getpid())[0] == 'acquired'
    assert WindowLock('prod-sunday').release('a', owner_pid=os.getpid()) is True
    assert os.listdir(str(tmp_path))


def race(directory, barrier, results, index):
    barrier.wait()
    results.put((index, WindowLock('prod-sunday', directory).acquire('execution-%d' % index, owner_pid=os.getpid())[0]))
    barrier.wait()          # stay alive until every contender has tried


def test_of_processes_starting_together_exactly_one_wins(tmp_path):
    contenders = 6
    barrier, results = CONTEXT.Barrier(contenders), CONTEXT.Queue()
    processes = [CONTEXT.Process(target=race, args=(str(tmp_path), barrier, results, index)) for index in range(contenders)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=30)[1] for dummy in range(contenders)]
    for process in processes:
        process.join(30)
    assert sorted(outcomes) == ['acquired'] + ['running'] * (contenders - 1)
