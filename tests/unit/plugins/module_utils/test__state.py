# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Node state: the pending-reboot tracking file and the rules that read it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import json
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._state import (
    clear_if_rebooted, current_boot_id, empty_state, load_state, pending_after_install, pending_before_install,
    pending_entries, pending_packages, save_state, state_path, update_state, update_state_before_install,
    withdraw_pending,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import InstalledPackage

BOOT_A = '6f1c0d52-8f1e-4b8e-9a0e-2f4f1b7e9c01'
BOOT_B = '0b6e3a7c-1d2e-4f5a-8b9c-3d4e5f6a7b8c'

STATE_A = {
    'last_no_reboot_install_operation_time': '2024-05-01T10:00:00Z',
    'boot_id': BOOT_A,
    'pending': [{'name': 'bash', 'arch': 'amd64', 'version': '5.2-1'},
                {'name': 'curl', 'arch': 'amd64', 'version': '7.88.1-10+deb12u5'}],
}


def installed(*triples):
    return [InstalledPackage(name, arch, version) for name, arch, version in triples]


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# --- file ------------------------------------------------------------------------------

def test_state_path_is_under_the_root(tmp_path):
    assert state_path(str(tmp_path)) == os.path.join(str(tmp_path), 'var/lib/fleetops-patch/state.json')
    assert state_path('/') == '/var/lib/fleetops-patch/state.json'


def test_missing_file_is_an_empty_state_without_warning(tmp_path):
    assert load_state(str(tmp_path)) == (empty_state(), None)


def test_save_and_load_round_trip(tmp_path):
    root = str(tmp_path)
    path = save_state(root, STATE_A)
    assert path == state_path(root)
    assert load_state(root) == (STATE_A, None)
    assert mode(path) == 0o644
    assert mode(os.path.dirname(path)) == 0o755
    assert os.listdir(os.path.dirname(path)) == ['state.json']  # no temporary file left behind
    with open(path) as handle:
        assert json.load(handle) == STATE_A


def test_save_replaces_the_previous_state(tmp_path):
    root = str(tmp_path)
    save_state(root, STATE_A)
    save_state(root, empty_state())
    assert load_state(root) == (empty_state(), None)


def test_failed_save_keeps_the_previous_file(tmp_path):
    root = str(tmp_path)
    save_state(root, STATE_A)
    with pytest.raises(ValueError):
        save_state(root, {'pending': 'not a list'})
    assert load_state(root) == (STATE_A, None)
    assert os.listdir(os.path.dirname(state_path(root))) == ['state.json']


CORRUPT = [
    ('truncated-json', b'{"boot_id": "abc", "pending": [', 'Ignoring the corrupt node state file'),
    ('not-an-object', b'["bash"]', 'it holds a list, not a JSON object'),
    ('pending-not-list', b'{"pending": {"bash": "5.2-1"}}', 'pending is not a list'),
    ('entry-without-version', b'{"boot_id": "x", "pending": [{"name": "bash", "arch": "amd64"}]}',
     'pending[0] is not an object with string name, arch and version'),
    ('boot-id-number', b'{"boot_id": 42, "pending": []}', 'boot_id is not a string'),
    ('not-utf8', b'\xff\xfe\x00garbage', 'it is not UTF-8 text'),
    ('empty-file', b'', 'Ignoring the corrupt node state file'),
]


@pytest.mark.parametrize('content, fragment', [case[1:] for case in CORRUPT], ids=[case[0] for case in CORRUPT])
def test_corrupt_file_gives_empty_state_and_a_warning(tmp_path, content, fragment):
    root = str(tmp_path)
    path = state_path(root)
    os.makedirs(os.path.dirname(path))
    with open(path, 'wb') as handle:
        handle.write(content)
    state, warning = load_state(root)
    assert state == empty_state()
    assert fragment in warning
    assert path in warning and 'pending-reboot tracking starts afresh' in warning


def test_unreadable_state_file_is_a_warning(tmp_path):
    root = str(tmp_path)
    os.makedirs(state_path(root))  # a directory where the file should be
    state, warning = load_state(root)
    assert state == empty_state()
    assert warning.startswith('Cannot read the node state file %s' % state_path(root))


def test_saving_a_state_keeps_it_usable_after_a_corrupt_one(tmp_path):
    root = str(tmp_path)
    os.makedirs(os.path.dirname(state_path(root)))
    with open(state_path(root), 'w') as handle:
        handle.write('{{{')
    state, warning = load_state(root)
    assert warning
    save_state(root, pending_before_install(state, BOOT_A, '2024-05-02T08:00:00Z', [('bash', 'amd64', '5.2-1')]))
    assert load_state(root)[0]['pending'] == [{'name': 'bash', 'arch': 'amd64', 'version': '5.2-1'}]


# --- boot identity ------------------------------------------------------------------------

def test_current_boot_id_reads_the_kernel_boot_id(tmp_path):
    boot_id_file = tmp_path / 'boot_id'
    boot_id_file.write_text(BOOT_A + '\n')
    assert current_boot_id(str(boot_id_file), str(tmp_path / 'missing-stat')) == BOOT_A


def test_current_boot_id_falls_back_to_btime(tmp_path):
    proc_stat = tmp_path / 'stat'
    proc_stat.write_text('cpu  1 2 3 4\nintr 5\nbtime 1714550400\nprocesses 42\n')
    assert current_boot_id(str(tmp_path / 'no-boot-id'), str(proc_stat)) == 'btime-1714550400'


def test_current_boot_id_unknown(tmp_path):
    assert current_boot_id(str(tmp_path / 'a'), str(tmp_path / 'b')) is None


def test_current_boot_id_of_this_machine():
    # The real kernel interfaces: a boot id that stays the same within one boot.
    first = current_boot_id()
    assert first and first == current_boot_id()


# --- pending ----------------------------------------------------------------------------------

PENDING_CASES = [
    ('same-boot-same-version', STATE_A, BOOT_A,
     installed(('bash', 'amd64', '5.2-1'), ('curl', 'amd64', '7.88.1-10+deb12u5')), {('bash', 'amd64'), ('curl', 'amd64')}),
    ('rebooted', STATE_A, BOOT_B, installed(('bash', 'amd64', '5.2-1')), set()),
    ('version-changed-since', STATE_A, BOOT_A,
     installed(('bash', 'amd64', '5.2-2'), ('curl', 'amd64', '7.88.1-10+deb12u5')), {('curl', 'amd64')}),
    ('removed-since', STATE_A, BOOT_A, installed(('curl', 'amd64', '7.88.1-10+deb12u5')), {('curl', 'amd64')}),
    ('other-arch', STATE_A, BOOT_A, installed(('bash', 'i386', '5.2-1')), set()),
    ('unknown-boot-id', STATE_A, None, installed(('bash', 'amd64', '5.2-1')), set()),
    ('empty-state', empty_state(), BOOT_A, installed(('bash', 'amd64', '5.2-1')), set()),
    ('tuples-as-installed', STATE_A, BOOT_A, [('bash', 'amd64', '5.2-1')], {('bash', 'amd64')}),
]


@pytest.mark.parametrize('state, boot_id, now_installed, expected', [case[1:] for case in PENDING_CASES],
                         ids=[case[0] for case in PENDING_CASES])
def test_pending_packages(state, boot_id, now_installed, expected):
    assert pending_packages(state, boot_id, now_installed) == expected


def test_tracking_starts_with_time_and_boot():
    state = pending_before_install(empty_state(), BOOT_A, datetime.datetime(2024, 5, 1, 12, 30, 5, tzinfo=datetime.timezone.utc),
                                   [('bash', 'amd64', '5.2-1')])
    assert state == {'last_no_reboot_install_operation_time': '2024-05-01T12:30:05Z', 'boot_id': BOOT_A,
                     'pending': [{'name': 'bash', 'arch': 'amd64', 'version': '5.2-1'}]}


def test_attempt_time_in_other_timezones_is_stored_in_utc():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    state = pending_before_install(empty_state(), BOOT_A, datetime.datetime(2024, 5, 1, 14, 0, 0, tzinfo=plus_two), [])
    assert state['last_no_reboot_install_operation_time'] == '2024-05-01T12:00:00Z'


def test_targets_may_be_dicts_and_installed_packages():
    state = pending_before_install(empty_state(), BOOT_A, '2024-05-01T00:00:00Z',
                                   [{'name': 'a', 'arch': 'x86_64', 'version': '0:1-1'}, InstalledPackage('b', 'noarch', '0:2-1')])
    assert [entry['name'] for entry in state['pending']] == ['a', 'b']


@pytest.mark.parametrize('boot_id, expected_pending', [(BOOT_A, STATE_A['pending']), (BOOT_B, []), (None, [])],
                         ids=['same-boot', 'rebooted', 'unknown-boot'])
def test_clear_if_rebooted(boot_id, expected_pending):
    state = clear_if_rebooted(STATE_A, boot_id)
    assert state['pending'] == expected_pending
    # The time of the last NoReboot install is history, not pending state: it stays.
    assert state['last_no_reboot_install_operation_time'] == STATE_A['last_no_reboot_install_operation_time']
    assert state is not STATE_A and state['pending'] is not STATE_A['pending']


# --- recorded before the install, rewritten after it -------------------------------------------

def entry(name, arch, version):
    return {'name': name, 'arch': arch, 'version': version}


def test_before_install_adds_the_targets_with_the_attempt_time_and_boot():
    state = pending_before_install(empty_state(), BOOT_A, datetime.datetime(2024, 5, 2, 8, 0, 0, tzinfo=datetime.timezone.utc),
                                   [('zlib1g', 'amd64', '1:1.2.13.dfsg-1'), ('bash', 'amd64', '5.2-1')])
    assert state == {'last_no_reboot_install_operation_time': '2024-05-02T08:00:00Z', 'boot_id': BOOT_A,
                     'pending': [entry('bash', 'amd64', '5.2-1'), entry('zlib1g', 'amd64', '1:1.2.13.dfsg-1')]}


def test_before_install_keeps_the_earlier_version_next_to_the_new_target():
    before = copy.deepcopy(STATE_A)
    state = pending_before_install(STATE_A, BOOT_A, '2024-05-02T08:00:00Z', [('bash', 'amd64', '5.3-1')])
    assert state['pending'] == [entry('bash', 'amd64', '5.2-1'), entry('bash', 'amd64', '5.3-1'),
                                entry('curl', 'amd64', '7.88.1-10+deb12u5')]
    assert STATE_A == before  # pure
    # Whichever bash the install leaves, it is reported pending: 5.2-1 if the update failed, 5.3-1 if it worked.
    for version in ('5.2-1', '5.3-1'):
        assert pending_packages(state, BOOT_A, [('bash', 'amd64', version)]) == {('bash', 'amd64')}


def test_before_install_after_a_reboot_holds_only_the_targets():
    state = pending_before_install(STATE_A, BOOT_B, '2024-05-03T08:00:00Z', [('vim', 'amd64', '2:9.0.1378-2')])
    assert state['boot_id'] == BOOT_B and state['pending'] == [entry('vim', 'amd64', '2:9.0.1378-2')]


def test_a_target_that_did_not_install_is_not_pending():
    state = pending_before_install(empty_state(), BOOT_A, '2024-05-02T08:00:00Z', [('bash', 'amd64', '5.3-1')])
    assert pending_packages(state, BOOT_A, [('bash', 'amd64', '5.2-1')]) == set()


def test_after_install_holds_what_the_run_installed_and_what_is_still_pending():
    now_installed = [('bash', 'amd64', '5.3-1'), ('curl', 'amd64', '7.88.1-10+deb12u5'), ('libfoo', 'amd64', '2-1')]
    # bash 5.3-1 was a target and installed, libfoo came in as a dependency; zlib1g was a target that failed.
    state = pending_after_install(STATE_A, BOOT_A, '2024-05-02T08:05:00Z',
                                  [('bash', 'amd64', '5.3-1'), ('libfoo', 'amd64', '2-1')], now_installed)
    assert state == {'last_no_reboot_install_operation_time': '2024-05-02T08:05:00Z', 'boot_id': BOOT_A,
                     'pending': [entry('bash', 'amd64', '5.3-1'), entry('curl', 'amd64', '7.88.1-10+deb12u5'),
                                 entry('libfoo', 'amd64', '2-1')]}
    assert pending_entries(state, BOOT_A, now_installed) == set(now_installed)


def test_after_install_drops_earlier_entries_no_longer_installed_and_other_boots():
    # curl was downgraded since the earlier run: no longer pending, not kept.
    state = pending_after_install(STATE_A, BOOT_A, '2024-05-02T08:05:00Z', [],
                                  [('bash', 'amd64', '5.2-1'), ('curl', 'amd64', '7.88.1-10')])
    assert state['pending'] == [entry('bash', 'amd64', '5.2-1')]
    rebooted = pending_after_install(STATE_A, BOOT_B, '2024-05-03T08:05:00Z', [('vim', 'amd64', '2:9.0.1378-2')],
                                     [('bash', 'amd64', '5.2-1'), ('vim', 'amd64', '2:9.0.1378-2')])
    assert rebooted['boot_id'] == BOOT_B and rebooted['pending'] == [entry('vim', 'amd64', '2:9.0.1378-2')]


def test_before_and_after_states_are_valid_files(tmp_path):
    root = str(tmp_path)
    state = pending_before_install(STATE_A, BOOT_A, '2024-05-02T08:00:00Z', [('bash', 'amd64', '5.3-1')])
    update_state_before_install(root, lambda current: state)
    assert load_state(root) == (state, None)


UNWRITABLE = [
    ('directory-where-the-file-should-be', lambda root: os.makedirs(state_path(root)), 'Is a directory'),
    ('file-where-the-directory-should-be',
     lambda root: os.makedirs(os.path.join(root, 'var', 'lib')) or open(os.path.dirname(state_path(root)), 'w').close(),
     'exists'),
]


@pytest.mark.parametrize('make_unwritable, reason', [case[1:] for case in UNWRITABLE], ids=[case[0] for case in UNWRITABLE])
def test_save_before_install_fails_naming_the_path_and_the_reason(tmp_path, make_unwritable, reason):
    root = str(tmp_path)
    make_unwritable(root)
    with pytest.raises(PatchManagerError) as caught:
        update_state_before_install(root, lambda current: STATE_A)
    message = str(caught.value)
    assert message.startswith('Cannot record the packages pending a reboot in %s (' % state_path(root))
    assert reason in message and message.endswith('nothing was installed.')


# --- concurrent updates ---------------------------------------------------------------

# One process's updates: each adds its own pending entry by read-modify-write.
UPDATER = r"""
import os, sys, time
from ansible_collections.fleetops.patch_manager.plugins.module_utils._state import update_state
root, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
while not os.path.exists(go):
    time.sleep(0.01)
for number in range(count):
    def change(state, number=number):
        state = dict(state, boot_id='boot-a')
        state['pending'] = state['pending'] + [{'name': name, 'arch': 'amd64', 'version': str(number)}]
        return state
    update_state(root, change)
"""


def test_updates_of_two_processes_are_serialised(tmp_path):
    root, go = str(tmp_path), str(tmp_path / 'go')
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    children = [subprocess.Popen([sys.executable, '-c', UPDATER, root, name, '100', go], env=environment)
                for name in ('bash', 'curl')]
    open(go, 'w').close()
    assert [child.wait() for child in children] == [0, 0]
    entries = set((entry['name'], entry['version']) for entry in load_state(root)[0]['pending'])
    assert entries == set((name, str(number)) for name in ('bash', 'curl') for number in range(100))


def test_after_install_keeps_entries_another_run_added_meanwhile():
    loaded = {'last_no_reboot_install_operation_time': None, 'boot_id': BOOT_A, 'pending': []}
    recorded = [('bash', 'amd64', '5.3-1'), ('libc6', 'amd64', '2.37-2')]
    mine = pending_before_install(loaded, BOOT_A, '2024-05-02T08:00:00Z', recorded)
    theirs = pending_before_install(mine, BOOT_A, '2024-05-02T08:00:01Z', [('vim', 'amd64', '9.1-1')])
    # This run installed bash only; vim (the other run's) is not installed yet: its run is in progress.
    state = pending_after_install(theirs, BOOT_A, '2024-05-02T08:00:02Z', [('bash', 'amd64', '5.3-1')],
                                  installed(('bash', 'amd64', '5.3-1'), ('libc6', 'amd64', '2.36-9')),
                                  loaded=loaded, recorded=recorded)
    assert state['pending'] == [entry('bash', 'amd64', '5.3-1'), entry('vim', 'amd64', '9.1-1')]


def test_withdraw_takes_back_only_what_the_run_recorded():
    loaded = pending_before_install(STATE_A, BOOT_A, '2024-05-02T08:00:00Z', [])
    loaded['last_no_reboot_install_operation_time'] = '2024-05-01T10:00:00Z'
    recorded = [('bash', 'amd64', '5.3-1'), ('curl', 'amd64', '7.88.1-10+deb12u5')]
    mine = pending_before_install(loaded, BOOT_A, '2024-05-02T08:00:00Z', recorded)
    theirs = pending_before_install(mine, BOOT_A, '2024-05-02T08:00:01Z', [('vim', 'amd64', '9.1-1')])
    withdrawn = withdraw_pending(theirs, BOOT_A, '2024-05-02T08:00:00Z', loaded, recorded)
    assert withdrawn['pending'] == [entry('bash', 'amd64', '5.2-1'), entry('curl', 'amd64', '7.88.1-10+deb12u5'),
                                    entry('vim', 'amd64', '9.1-1')]
    assert withdrawn['last_no_reboot_install_operation_time'] == '2024-05-02T08:00:01Z'
    alone = withdraw_pending(mine, BOOT_A, '2024-05-02T08:00:00Z', loaded, recorded)
    assert alone == loaded


def test_update_waits_for_the_lock_and_names_it_when_it_stays_held(tmp_path):
    from ansible_collections.fleetops.patch_manager.plugins.module_utils._state import lock_path, state_lock
    root = str(tmp_path)
    with state_lock(root):
        with pytest.raises(PatchManagerError) as caught:
            with state_lock(root, timeout=0):
                pass
    assert lock_path(root) in str(caught.value)
    update_state(root, lambda current: STATE_A)
    assert load_state(root) == (STATE_A, None)
