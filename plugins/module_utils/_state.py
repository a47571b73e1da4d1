# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Node-local state: which packages a NoReboot Install left pending a reboot.

``<root>/var/lib/fleetops-patch/state.json`` holds::

    {"last_no_reboot_install_operation_time": "2024-05-01T10:00:00Z" or null,
     "boot_id": "<boot id when those packages were installed>" or null,
     "pending": [{"name": ..., "arch": ..., "version": ...}]}

A package stays INSTALLED_PENDING_REBOOT while the host runs the same boot (boot id,
as ``ansible.builtin.reboot`` compares it) *and* the same version is still installed
(the tracking-file model of CONTRACT.md, ssm-semantics.md §6.2).

A NoReboot Install writes the state twice: ``pending_before_install`` before the package
manager runs (so that a run killed after it changed packages still leaves them pending),
then ``pending_after_install`` with what the run really installed. Both are read-modify-write
updates (``update_state``): under an exclusive lock on ``state.lock`` beside the file, the
state is read again, changed and written, so that two runs on one node never overwrite each
other's pending marks. Everything here is a pure function except ``load_state``,
``save_state``, ``state_lock``, ``update_state``, ``update_state_before_install`` and
``current_boot_id``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import errno
import fcntl
import json
import os
import time

from ansible_collections.fleetops.patch_manager.plugins.module_utils._files import write_atomically
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._validation import type_name
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import iso_time, parse_time

STATE_DIRECTORY = 'var/lib/fleetops-patch'
STATE_FILE = 'state.json'
LOCK_FILE = 'state.lock'
# When this module last refreshed the node's package lists (ISO 8601 UTC): what cache_valid_time measures.
REFRESH_STAMP_FILE = 'lists-refreshed'
# Updates hold the lock for a read and an atomic write (milliseconds); a lock held this long is stuck.
LOCK_TIMEOUT = 60
BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id'
PROC_STAT_PATH = '/proc/stat'


def empty_state():
    return {'last_no_reboot_install_operation_time': None, 'boot_id': None, 'pending': []}


def state_path(root='/'):
    """Where the state file of the system under ``root`` lives."""
    return os.path.join(root, STATE_DIRECTORY, STATE_FILE)


def lock_path(root='/'):
    """The lock file that serialises updates of the state file (never removed)."""
    return os.path.join(root, STATE_DIRECTORY, LOCK_FILE)


# --- reading and writing --------------------------------------------------------------

def _validated(data):
    """The state in ``data`` (parsed JSON), or raise ValueError saying what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError('it holds %s, not a JSON object' % type_name(data))
    state = empty_state()
    for key in ('last_no_reboot_install_operation_time', 'boot_id'):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError('%s is not a string' % key)
        state[key] = value
    pending = data.get('pending', [])
    if not isinstance(pending, list):
        raise ValueError('pending is not a list')
    for position, entry in enumerate(pending):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) for key in ('name', 'arch', 'version')):
            raise ValueError('pending[%d] is not an object with string name, arch and version' % position)
        state['pending'].append({'name': entry['name'], 'arch': entry['arch'], 'version': entry['version']})
    return state


def load_state(root='/'):
    """(state, warning): the saved state, or an empty one when the file is missing or unreadable.

    Never raises for a bad file: a corrupt file yields an empty state and a warning
    sentence for the user (pending-reboot tracking then starts afresh, as AWS's does
    when its tracking file is lost).
    """
    path = state_path(root)
    try:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8')
    except (IOError, OSError) as exc:
        if not os.path.exists(path):
            return empty_state(), None
        return empty_state(), 'Cannot read the node state file %s (%s); pending-reboot tracking starts afresh.' % (
            path, exc.strerror or exc)
    except UnicodeDecodeError:
        return empty_state(), 'Ignoring the node state file %s: it is not UTF-8 text; pending-reboot tracking starts afresh.' % path
    try:
        return _validated(json.loads(text)), None
    except ValueError as exc:
        return empty_state(), 'Ignoring the corrupt node state file %s (%s); pending-reboot tracking starts afresh.' % (path, exc)


def save_state(root, state):
    """Write ``state`` atomically: temp file in the same directory, fsync, rename; mode 0644."""
    _state_directory(root)
    path = state_path(root)
    write_atomically(path, (json.dumps(_validated(state), indent=2, sort_keys=True) + '\n').encode('utf-8'))
    return path


def _state_directory(root):
    """The state directory, created (0755) when missing; another run may be creating it at the same time."""
    directory = os.path.dirname(state_path(root))
    if not os.path.isdir(directory):
        try:
            os.makedirs(directory)
        except OSError as exc:
            if exc.errno != errno.EEXIST or not os.path.isdir(directory):
                raise
        else:
            os.chmod(directory, 0o755)
    return directory


@contextlib.contextmanager
def state_lock(root, timeout=LOCK_TIMEOUT, clock=time.monotonic, sleep=time.sleep):
    """Hold the exclusive lock on ``<state dir>/state.lock`` inside the block.

    Waits at most ``timeout`` seconds, then raises PatchManagerError naming the lock file.
    The lock is released when the holder exits, however it exits (killed included).
    """
    _state_directory(root)
    path = lock_path(root)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = clock() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if clock() >= deadline:
                raise PatchManagerError('The node state lock %s is still held by another run after %s seconds.'
                                        % (path, timeout))
            sleep(0.05)
        yield path
    finally:
        os.close(descriptor)


def update_state(root, change, timeout=LOCK_TIMEOUT):
    """Read-modify-write the node state under ``state_lock``: ``change(current state) -> new state``.

    The state is read again under the lock, so what another run wrote since this run first
    read it is kept (as far as ``change`` keeps it). Returns the state written.
    """
    with state_lock(root, timeout):
        current, _warning = load_state(root)
        state = change(current)
        save_state(root, state)
        return state


def update_state_before_install(root, change):
    """``update_state``, for the write that must succeed before the package manager may run.

    Any failure to write (read-only or full file system, a directory where the file
    should be, no permission) becomes a PatchManagerError naming the path and the reason.
    """
    path = state_path(root)
    try:
        return update_state(root, change)
    except (IOError, OSError) as exc:
        raise PatchManagerError('Cannot record the packages pending a reboot in %s (%s); nothing was installed.'
                                % (path, exc.strerror or exc))


def refresh_stamp_path(root='/'):
    return os.path.join(root, STATE_DIRECTORY, REFRESH_STAMP_FILE)


def last_refresh(root='/'):
    """When a run last refreshed the package lists of the system under ``root`` (aware UTC), or None."""
    try:
        with open(refresh_stamp_path(root)) as handle:
            return parse_time(handle.read(64).strip())
    except (IOError, OSError, ValueError, OverflowError):
        return None


def record_refresh(root, when):
    """Note that the package lists were refreshed at ``when``; a stamp that cannot be written only costs a refresh."""
    try:
        _state_directory(root)
        write_atomically(refresh_stamp_path(root), (iso_time(when) + '\n').encode('ascii'), durable=False)
    except (IOError, OSError):
        pass


def current_boot_id(boot_id_path=BOOT_ID_PATH, proc_stat_path=PROC_STAT_PATH):
    """This boot's identity: the kernel boot id, else ``btime-<seconds>`` from /proc/stat, else None."""
    try:
        with open(boot_id_path) as handle:
            boot_id = handle.read().strip()
        if boot_id:
            return boot_id
    except (IOError, OSError):
        pass
    try:
        with open(proc_stat_path) as handle:
            for line in handle:
                if line.startswith('btime '):
                    return 'btime-%s' % line.split()[1]
    except (IOError, OSError, IndexError):
        pass
    return None


# --- pure functions -------------------------------------------------------------------

def _triple(item):
    """(name, arch, version) from an InstalledPackage, a dict or a tuple."""
    if isinstance(item, dict):
        return item['name'], item['arch'], item['version']
    if isinstance(item, (tuple, list)):
        return tuple(item[:3])
    return item.name, item.arch, item.version


def _iso(when):
    """A datetime as the state stores it (ISO 8601 UTC); text is kept as it is."""
    return iso_time(when) if isinstance(when, datetime.datetime) else when


def _same_boot(state, boot_id):
    return boot_id is not None and state.get('boot_id') == boot_id


def pending_entries(state, boot_id, installed):
    """(name, arch, version) of recorded packages still pending: same boot, same version installed."""
    if not _same_boot(state, boot_id):
        return set()
    installed_now = set(_triple(item) for item in installed)
    return set(_triple(entry) for entry in state.get('pending', ())) & installed_now


def pending_packages(state, boot_id, installed):
    """The set of (name, arch) still INSTALLED_PENDING_REBOOT.

    ``installed``: the packages installed now (InstalledPackage, dicts or tuples). A
    package is pending when the recorded boot id equals ``boot_id`` and the version the
    NoReboot run installed is still the installed one. An unknown ``boot_id`` (None)
    never matches, so a host whose boot cannot be identified is never stuck pending.
    """
    return set((name, arch) for name, arch, dummy in pending_entries(state, boot_id, installed))


def _as_state(when, boot_id, triples):
    return {
        'last_no_reboot_install_operation_time': _iso(when),
        'boot_id': boot_id,
        'pending': [{'name': name, 'arch': arch, 'version': version} for name, arch, version in sorted(set(triples))],
    }


def pending_before_install(state, boot_id, when, targets):
    """State to write *before* a NoReboot Install lets the package manager change anything.

    ``targets``: (name, arch, target version) the run is about to install. They are added
    next to the earlier entries of the same boot, not in their place: should a target not
    install, the version an earlier run left pending is still installed and still pending.
    A target that never gets installed is harmless (``pending_entries`` counts only
    installed versions). ``when`` becomes ``last_no_reboot_install_operation_time``: the
    time of the last attempt to patch the node with NoReboot.
    """
    earlier = [_triple(entry) for entry in clear_if_rebooted(state, boot_id)['pending']]
    return _as_state(when, boot_id, earlier + [_triple(target) for target in targets])


def _same_boot_entries(state, boot_id):
    """The recorded (name, arch, version) of ``boot_id``'s boot; none after a reboot."""
    if state is None or not _same_boot(state, boot_id):
        return set()
    return set(_triple(entry) for entry in state.get('pending', ()))


def pending_after_install(state, boot_id, when, installed_by_run, installed_now, loaded=None, recorded=()):
    """State after a NoReboot Install: what the run really installed plus what is pending besides.

    ``state``: the state as it is now (read again under the lock); ``installed_by_run``:
    (name, arch, version) the run installed or upgraded, dependencies included;
    ``installed_now``: every package installed after the run; ``loaded``: the state as the
    run read it when it started (None: ``state`` itself) and ``recorded``: what the run
    recorded before the package manager ran (``pending_before_install``'s targets).
    What the run recorded counts only through ``installed_by_run``, so targets that did not
    install are dropped and a later install outside our runs of that version is never taken
    for ours. Earlier entries count only while still pending (same boot, same version
    installed). Entries another run added meanwhile (in ``state``, not in ``loaded``) are kept
    as they are: that run is still in progress and settles them itself.
    """
    current = _same_boot_entries(state, boot_id)
    started_with = current if loaded is None else _same_boot_entries(loaded, boot_id)
    ours = set(_triple(item) for item in recorded) - started_with
    still_installed = set(_triple(item) for item in installed_now)
    kept = [entry for entry in current - ours if entry in still_installed or entry not in started_with]
    return _as_state(when, boot_id, kept + [_triple(item) for item in installed_by_run])


def withdraw_pending(state, boot_id, when, loaded, recorded):
    """State after a NoReboot Install that recorded ``recorded`` at ``when`` but never let the package manager run.

    Takes back what the run added to ``state`` (the state now, read again under the lock)
    and no more: the entries and time the run found (``loaded``) and whatever other runs
    wrote since stay.
    """
    current = _same_boot_entries(state, boot_id)
    ours = set(_triple(item) for item in recorded) - _same_boot_entries(loaded, boot_id)
    time_now = state.get('last_no_reboot_install_operation_time')
    if time_now == _iso(when):
        time_now = loaded.get('last_no_reboot_install_operation_time')
    return _as_state(time_now, state.get('boot_id'), current - ours)


def clear_if_rebooted(state, boot_id):
    """New state without pending entries when the host has booted since they were recorded."""
    new_state = {
        'last_no_reboot_install_operation_time': state.get('last_no_reboot_install_operation_time'),
        'boot_id': state.get('boot_id'),
        'pending': [dict(entry) for entry in state.get('pending', ())],
    }
    if not _same_boot(state, boot_id):
        new_state['boot_id'] = None
        new_state['pending'] = []
    return new_state
