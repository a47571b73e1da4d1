# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One running execution per window on a controller: a second start is SKIPPED_OVERLAPPING.

The lock is a lease held by a process (by default the ``ansible-playbook`` process: action
plugins run in forked workers that end after each task, so the lease names their parent).
One JSON file per window under ``~/.ansible/fleetops_patch/window_locks/`` (or
``$FLEETOPS_PATCH_WINDOW_LOCK_DIR``) says who holds it: ``{pid, pid_start, execution_id,
acquired, completed_execution_id}`` (the last execution that ran to its end). Every read-modify-write holds an ``fcntl.flock`` on the window's ``.lock``
file, so two controllers' processes never both win. A lease whose process is gone (or
whose PID was reused by another process, told apart by its start time in
``/proc/<pid>/stat``) is stale and taken over.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fcntl
import json
import os
import re

from ansible_collections.fleetops.patch_manager.plugins.module_utils._files import write_atomically

DEFAULT_LOCK_DIR = os.path.join('~', '.ansible', 'fleetops_patch', 'window_locks')
LOCK_DIR_ENV = 'FLEETOPS_PATCH_WINDOW_LOCK_DIR'
_SAFE_NAME = re.compile(r'^[a-zA-Z0-9_\-.]{1,128}$')


def lock_dir(directory=None):
    return os.path.expanduser(directory or os.environ.get(LOCK_DIR_ENV) or DEFAULT_LOCK_DIR)


def process_start(pid):
    """The start time of a process (clock ticks since boot, from /proc), or None when it does not exist."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            text = handle.read()
    except (IOError, OSError):
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    return int(text.rsplit(')', 1)[1].split()[19])


def _alive(holder):
    pid = holder.get('pid')
    if not isinstance(pid, int):
        return False
    started = process_start(pid)
    return started is not None and (holder.get('pid_start') is None or started == holder.get('pid_start'))


class WindowLock(object):
    """The execution lease of one window."""

    def __init__(self, window_name, directory=None):
        if not _SAFE_NAME.match(window_name or ''):
            raise ValueError('%r is not a window name' % (window_name,))
        self.window_name = window_name
        self.directory = lock_dir(directory)
        self.path = os.path.join(self.directory, '%s.json' % window_name)

    def _locked(self):
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
        handle = open(os.path.join(self.directory, '%s.lock' % self.window_name), 'a')
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        return handle

    def _read(self):
        try:
            with open(self.path) as handle:
                holder = json.load(handle)
        except (IOError, OSError, ValueError):
            return None
        return holder if isinstance(holder, dict) else None

    def _write(self, holder):
        write_atomically(self.path, json.dumps(holder, sort_keys=True).encode('utf-8'), mode=None, durable=False)

    def holder(self):
        """The live holder ``{pid, pid_start, execution_id, acquired, completed_execution_id}``, or None."""
        with self._locked():
            holder = self._read()
        return holder if holder is not None and _alive(holder) else None

    def acquire(self, execution_id, owner_pid=None):
        """Take the lease for ``owner_pid`` (default: this process's parent, the ansible-playbook process).

        Returns ``(status, holder)``: ``acquired`` (taken, or already held by this owner for this
        execution); ``running`` when a live process holds it (the caller reports
        SKIPPED_OVERLAPPING; ``holder`` names it); ``completed`` when this execution already ran
        to its end on this controller (a timer or cron that starts the playbook again inside the
        same execution finds nothing left to do).
        """
        owner_pid = os.getppid() if owner_pid is None else owner_pid
        with self._locked():
            holder = self._read()
            if holder is not None and holder.get('pid') is not None and _alive(holder):
                if holder.get('pid') == owner_pid and holder.get('execution_id') == execution_id:
                    return 'acquired', holder
                return 'running', holder
            if holder is not None and holder.get('completed_execution_id') == execution_id:
                return 'completed', holder
            holder = {'pid': owner_pid, 'pid_start': process_start(owner_pid), 'execution_id': execution_id,
                      'acquired': _now(), 'completed_execution_id': (holder or {}).get('completed_execution_id')}
            self._write(holder)
            return 'acquired', holder

    def release(self, execution_id, owner_pid=None, completed=True):
        """Give the lease back; True when this owner held it for this execution.

        ``completed``: the execution ran to its end (all its tasks were decided), so a later
        start inside the same execution is told ``completed`` instead of running it again.
        """
        owner_pid = os.getppid() if owner_pid is None else owner_pid
        with self._locked():
            holder = self._read()
            if holder is None or holder.get('pid') != owner_pid or holder.get('execution_id') != execution_id:
                return False
            last = execution_id if completed else holder.get('completed_execution_id')
            self._write({'pid': None, 'execution_id': None, 'completed_execution_id': last, 'released': _now()})
            return True


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
