# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller's snapshot store: runs that share a snapshot id evaluate the same approvals.

As with AWS ``GetDeployablePatchSnapshotForInstance``, the first run with an id freezes the
evaluation time for the whole id and, per (patch group, operating system), the resolved
baseline; every later run with that id (other hosts, later playbook runs) gets the frozen
data. A snapshot lives 3 days; reusing the id after that starts a new snapshot. The store
knows nothing about how a baseline is resolved: ``freeze`` takes a callable for that.

One JSON file per id under ``~/.ansible/fleetops_patch_snapshots/`` (or
``$FLEETOPS_PATCH_SNAPSHOT_DIR``). Ansible runs action plugins in parallel forks, so:

- every read-modify-write of a snapshot holds that snapshot's ``<id>.lock`` (flock) and a
  shared lock on the store's ``.store.lock``; ``purge_expired`` takes the store lock
  exclusively, so it never deletes a lock file that another process may hold;
- writes go to a temporary file that is fsynced and renamed over the snapshot, then the
  directory is fsynced: a crash leaves the old or the new snapshot, never half of one;
- purging removes only files this store wrote (``<id>.json`` holding our format, and their
  ``<id>.lock``), nothing else in the directory;
- a snapshot that cannot be read or is not ours is an error naming the file, never silently
  replaced (it froze approvals that other hosts may already have used).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import fcntl
import json
import os
import re
import time

from ansible_collections.fleetops.patch_manager.plugins.module_utils._files import write_atomically
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError, PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import iso_time, parse_time

DEFAULT_SNAPSHOT_DIR = os.path.join('~', '.ansible', 'fleetops_patch_snapshots')
# Lets a controller keep snapshots elsewhere (shared storage for several controllers, tests).
SNAPSHOT_DIR_ENV = 'FLEETOPS_PATCH_SNAPSHOT_DIR'
SNAPSHOT_LIFETIME = datetime.timedelta(days=3)
# AWS takes a GUID; any id that is safe as a file name is accepted here.
SNAPSHOT_ID_PATTERN = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$')
SNAPSHOT_FORMAT = 1
STORE_LOCK = '.store.lock'
PURGE_MARKER = '.last-purge'
PURGE_INTERVAL = 3600


class SnapshotError(PatchManagerError):
    """A snapshot file cannot be used; the message names it and says what to do."""


def check_snapshot_id(snapshot_id):
    if not isinstance(snapshot_id, str) or not SNAPSHOT_ID_PATTERN.match(snapshot_id):
        raise InputError('snapshot_id', '%r must match %s (a GUID such as 3f2c1a9e-0b7d-4e55-9a43-1c2d3e4f5a6b works)'
                         % (snapshot_id, SNAPSHOT_ID_PATTERN.pattern))
    return snapshot_id


def entry_key(patch_group, operating_system):
    # '|' cannot occur in a patch group name (AWS pattern), so the key is unambiguous.
    return '%s|%s' % (operating_system, patch_group or '')


def _evaluation_time(text):
    try:
        return parse_time(text)
    except (ValueError, OverflowError):
        raise InputError('evaluation_time', '%r is not an ISO 8601 time such as 2026-01-31T12:00:00Z' % (text,))


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


class SnapshotStore(object):
    """The snapshot files of one controller user."""

    def __init__(self, directory=None, clock=None):
        self.directory = os.path.expanduser(directory or os.environ.get(SNAPSHOT_DIR_ENV) or DEFAULT_SNAPSHOT_DIR)
        self.clock = clock or _utc_now

    def _path(self, snapshot_id, suffix):
        return os.path.join(self.directory, check_snapshot_id(snapshot_id) + suffix)

    @contextlib.contextmanager
    def _locked(self, path, mode):
        with open(path, 'a') as lock:
            fcntl.flock(lock.fileno(), mode)
            yield

    def _read(self, path, now):
        """The live snapshot at ``path``; None when absent or expired; SnapshotError when it is not usable."""
        try:
            with open(path) as handle:
                snapshot = json.load(handle)
        except (IOError, OSError) as exc:
            if not os.path.exists(path):
                return None
            raise SnapshotError('snapshot file %s cannot be read: %s' % (path, exc.strerror or exc))
        except ValueError as exc:
            raise SnapshotError('snapshot file %s is corrupt (%s); it froze approvals that hosts may already use: '
                                'remove it to start a new snapshot, or use another snapshot_id' % (path, exc))
        if not self._is_ours(snapshot):
            found = snapshot.get('format') if isinstance(snapshot, dict) else None
            raise SnapshotError('snapshot file %s was not written by fleetops.patch_manager (format %r); '
                                'remove it or use another snapshot_id' % (path, found))
        if now - parse_time(snapshot['created']) > SNAPSHOT_LIFETIME:
            return None
        return snapshot

    @staticmethod
    def _is_ours(snapshot):
        if not isinstance(snapshot, dict) or snapshot.get('format') != SNAPSHOT_FORMAT:
            return False
        try:
            parse_time(snapshot['created'])
            parse_time(snapshot['evaluation_time'])
        except (KeyError, TypeError, ValueError, OverflowError):
            return False
        return isinstance(snapshot.get('baselines'), dict)

    def _write(self, path, snapshot):
        write_atomically(path, json.dumps(snapshot, indent=1, sort_keys=True).encode('utf-8'), mode=None)

    def _ensure_directory(self):
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, mode=0o700)

    def load(self, snapshot_id):
        """The live snapshot with this id, or None (absent or expired)."""
        return self._read(self._path(snapshot_id, '.json'), self.clock())

    def freeze(self, snapshot_id, keys, resolve, evaluation_time=None):
        """The frozen entries for ``keys`` (``(patch group, OS)`` pairs) under ``snapshot_id``.

        ``resolve(missing_keys)`` returns ``{key: entry}`` (JSON-able dicts) for the keys no
        earlier run froze; it runs only when there are such keys. Returns ``{'entries': {key:
        entry}, 'reused': {key: bool}, 'evaluation_time': ISO string, 'warnings': [str]}``.
        """
        self._ensure_directory()
        path = self._path(snapshot_id, '.json')
        warnings = []
        with self._locked(os.path.join(self.directory, STORE_LOCK), fcntl.LOCK_SH):
            with self._locked(self._path(snapshot_id, '.lock'), fcntl.LOCK_EX):
                now = self.clock()
                snapshot = self._read(path, now)
                if snapshot is None:
                    moment = _evaluation_time(evaluation_time) if evaluation_time else now
                    snapshot = {'format': SNAPSHOT_FORMAT, 'snapshot_id': snapshot_id, 'created': iso_time(now),
                                'evaluation_time': iso_time(moment), 'baselines': {}}
                elif evaluation_time and iso_time(_evaluation_time(evaluation_time)) != snapshot['evaluation_time']:
                    warnings.append('snapshot %s froze the evaluation time %s; the evaluation_time %s of this run is '
                                    'ignored.' % (snapshot_id, snapshot['evaluation_time'], evaluation_time))
                frozen = snapshot['baselines']
                missing = [key for key in keys if entry_key(*key) not in frozen]
                if missing:
                    for key, entry in resolve(missing).items():
                        frozen[entry_key(*key)] = dict(entry, frozen_at=iso_time(now))
                    self._write(path, snapshot)
        return {
            'entries': dict((key, frozen[entry_key(*key)]) for key in keys),
            'reused': dict((key, key not in missing) for key in keys),
            'evaluation_time': snapshot['evaluation_time'],
            'warnings': warnings,
        }

    def purge_expired(self, interval=None):
        """Delete this store's expired snapshots (and their lock files); returns the ids removed.

        Skips, without waiting, while another process uses the store; leaves files it did
        not write, and snapshots it cannot read (``freeze`` reports those), alone. With
        ``interval`` (seconds), skips when the last purge was more recent than that, so that
        a fleet run does not read every snapshot once per host.
        """
        removed = []
        if not os.path.isdir(self.directory):
            return removed
        marker = os.path.join(self.directory, PURGE_MARKER)
        if interval is not None:
            try:
                if time.time() - os.stat(marker).st_mtime < interval:
                    return removed
            except OSError:
                pass
        with open(os.path.join(self.directory, STORE_LOCK), 'a') as store_lock:
            try:
                fcntl.flock(store_lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (IOError, OSError):
                return removed
            now = self.clock()
            for name in sorted(os.listdir(self.directory)):
                snapshot_id = name[:-len('.json')] if name.endswith('.json') else None
                if snapshot_id is None or not SNAPSHOT_ID_PATTERN.match(snapshot_id):
                    continue
                try:
                    if self._read(os.path.join(self.directory, name), now) is not None:
                        continue
                except SnapshotError:
                    continue
                for suffix in ('.json', '.lock'):
                    try:
                        os.unlink(os.path.join(self.directory, snapshot_id + suffix))
                    except OSError:
                        pass
                removed.append(snapshot_id)
            with open(marker, 'w'):
                pass
        return removed
