# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side snapshot store: runs that share a snapshot_id evaluate the same approvals.

As with AWS GetDeployablePatchSnapshotForInstance, the first run with an id freezes, per
(patch group, OS), the resolved baseline, and for the whole id the evaluation time; every
later run with that id (other hosts, later batches, later playbook runs) gets the frozen
data. A snapshot lives 3 days; reusing the id after that starts a new snapshot.

One JSON file per id under ``~/.ansible/fleetops_patch_snapshots/`` (or ``$FLEETOPS_PATCH_SNAPSHOT_DIR``); Ansible forks run
action plugins in parallel processes, so every read-modify-write holds an flock.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fcntl
import json
import os
import re
import tempfile

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _registry

DEFAULT_SNAPSHOT_DIR = os.path.join('~', '.ansible', 'fleetops_patch_snapshots')
# Lets a controller keep snapshots elsewhere (shared storage for several controllers, tests).
SNAPSHOT_DIR_ENV = 'FLEETOPS_PATCH_SNAPSHOT_DIR'
SNAPSHOT_LIFETIME = datetime.timedelta(days=3)
# AWS takes a GUID; any id that is safe as a file name is accepted here.
SNAPSHOT_ID_PATTERN = r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$'
TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
SNAPSHOT_FORMAT = 1


def format_time(moment):
    return moment.astimezone(datetime.timezone.utc).strftime(TIME_FORMAT)


def parse_time(text, field='evaluation_time'):
    """An ISO 8601 time (``Z`` or an offset; naive means UTC) as an aware UTC datetime."""
    if isinstance(text, datetime.datetime):
        moment = text
    else:
        value = str(text).strip()
        if value.endswith(('Z', 'z')):
            value = value[:-1] + '+00:00'
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise InputError(field, '%r is not an ISO 8601 time such as 2026-01-31T12:00:00Z' % (text,))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def check_snapshot_id(snapshot_id):
    if not isinstance(snapshot_id, str) or not re.match(SNAPSHOT_ID_PATTERN, snapshot_id):
        raise InputError('snapshot_id', '%r must match %s (a GUID such as 3f2c1a9e-0b7d-4e55-9a43-1c2d3e4f5a6b works)'
                         % (snapshot_id, SNAPSHOT_ID_PATTERN))
    return snapshot_id


def entry_key(patch_group, operating_system):
    # '|' cannot occur in a patch group name (AWS pattern), so the key is unambiguous.
    return '%s|%s' % (operating_system, patch_group or '')


class SnapshotStore(object):
    """The snapshot files of one controller user."""

    def __init__(self, directory=None, clock=None):
        self.directory = os.path.expanduser(directory or os.environ.get(SNAPSHOT_DIR_ENV) or DEFAULT_SNAPSHOT_DIR)
        self.clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc))

    def _path(self, snapshot_id, suffix):
        return os.path.join(self.directory, check_snapshot_id(snapshot_id) + suffix)

    def _read(self, path, now):
        try:
            with open(path) as handle:
                snapshot = json.load(handle)
        except (IOError, OSError, ValueError):
            return None
        try:
            created = parse_time(snapshot['created'])
        except (KeyError, TypeError, InputError):
            return None
        if snapshot.get('format') != SNAPSHOT_FORMAT or now - created > SNAPSHOT_LIFETIME:
            return None
        return snapshot

    def _write(self, path, snapshot):
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix='.snapshot-', suffix='.json')
        try:
            with os.fdopen(handle, 'w') as stream:
                json.dump(snapshot, stream, indent=1, sort_keys=True)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def load(self, snapshot_id):
        """The live snapshot with this id, or None (absent or expired)."""
        return self._read(self._path(snapshot_id, '.json'), self.clock())

    def freeze(self, snapshot_id, patch_group, operating_system, resolve, evaluation_time=None):
        """The frozen resolution for (patch group, OS) under ``snapshot_id``; ``resolve()`` runs only once.

        ``resolve`` returns ``{'baseline', 'baseline_source'}``. Returns that plus
        ``evaluation_time`` (ISO string), ``snapshot_id``, ``snapshot_created`` and
        ``snapshot_reused`` (True when an earlier run froze this entry) and ``warnings``.
        """
        if not os.path.isdir(self.directory):
            os.makedirs(self.directory, mode=0o700)
        path = self._path(snapshot_id, '.json')
        warnings = []
        with open(self._path(snapshot_id, '.lock'), 'a') as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            now = self.clock()
            snapshot = self._read(path, now)
            if snapshot is None:
                moment = parse_time(evaluation_time) if evaluation_time else now
                snapshot = {'format': SNAPSHOT_FORMAT, 'snapshot_id': snapshot_id, 'created': format_time(now),
                            'evaluation_time': format_time(moment), 'baselines': {}}
            elif evaluation_time and format_time(parse_time(evaluation_time)) != snapshot['evaluation_time']:
                warnings.append('snapshot %s froze the evaluation time %s; the evaluation_time %s of this run is ignored.'
                                % (snapshot_id, snapshot['evaluation_time'], evaluation_time))
            key = entry_key(patch_group, operating_system)
            entry = snapshot['baselines'].get(key)
            reused = entry is not None
            if entry is None:
                resolved = resolve()
                entry = {'baseline': resolved['baseline'], 'baseline_source': resolved['baseline_source'],
                         'frozen_at': format_time(now)}
                snapshot['baselines'][key] = entry
                self._write(path, snapshot)
            elif not os.path.exists(path):
                self._write(path, snapshot)
        return {
            'baseline': entry['baseline'],
            'baseline_source': entry['baseline_source'],
            'evaluation_time': snapshot['evaluation_time'],
            'snapshot_id': snapshot_id,
            'snapshot_created': snapshot['created'],
            'snapshot_reused': reused,
            'warnings': warnings,
        }

    def purge_expired(self):
        """Delete the files of expired snapshots; returns the ids removed."""
        removed = []
        if not os.path.isdir(self.directory):
            return removed
        now = self.clock()
        for name in sorted(os.listdir(self.directory)):
            if not name.endswith('.json') or name.startswith('.'):
                continue
            snapshot_id = name[:-len('.json')]
            if self._read(os.path.join(self.directory, name), now) is None:
                for suffix in ('.json', '.lock'):
                    try:
                        os.unlink(os.path.join(self.directory, snapshot_id + suffix))
                    except OSError:
                        pass
                removed.append(snapshot_id)
        return removed


def resolve_with_snapshot(task_vars, operating_system, snapshot_id=None, evaluation_time=None,
                          baseline_override=None, task_baseline=None, patch_group=None, store=None):
    """The one call the action plugin makes: resolve the host's baseline, frozen under ``snapshot_id``.

    Returns ``{'baseline': canonical, 'baseline_source': {'kind', 'name', 'why'[, 'path']},
    'evaluation_time': ISO string or None, 'snapshot_id': id or None,
    'snapshot_reused': bool, 'warnings': [str]}``. Without a snapshot id nothing is stored
    and ``evaluation_time`` is passed through (None means "now" for the module).
    """
    if patch_group is None:
        patch_group = task_vars.get('patch_group') or None

    def resolve():
        return _registry.resolve_for_host(task_vars, operating_system, patch_group=patch_group,
                                          baseline_override=baseline_override, task_baseline=task_baseline)

    if not snapshot_id:
        result = resolve()
        result.update({'evaluation_time': format_time(parse_time(evaluation_time)) if evaluation_time else None,
                       'snapshot_id': None, 'snapshot_reused': False, 'warnings': []})
        return result
    store = store or SnapshotStore()
    store.purge_expired()
    return store.freeze(snapshot_id, patch_group, operating_system, resolve, evaluation_time=evaluation_time)


def resolve_host(task_vars, args, detect_operating_system=None, store=None):
    """Full resolution for the run_patch_baseline action plugin, from the task's args and host vars.

    The host's OS comes from ``args['operating_system']``, else its gathered facts, else
    ``detect_operating_system()`` (the action plugin may pass a cheap remote
    ``/etc/os-release`` read). Returns None when there is nothing for the controller to
    resolve (a ``baseline_override`` is given, which the module applies itself; or the OS is
    unknown and no registry is configured: the module then uses the predefined baseline of
    the OS it detects). Raises RegistryError when a registry exists but the OS is unknown.

    Otherwise returns what ``resolve_with_snapshot`` returns plus ``operating_system``.
    """
    if args.get('baseline_override'):
        return None
    operating_system = (args.get('operating_system')
                        or _registry.operating_system_from_facts(task_vars.get('ansible_facts'))
                        or (detect_operating_system() if detect_operating_system else None))
    if not operating_system:
        if _registry.registry_dir_for_host(task_vars) is None:
            return None
        raise _registry.RegistryError(
            'operating_system', 'the host\'s OS is needed to pick its registered baseline: gather facts first '
            '(ansible.builtin.setup with gather_subset [min]) or set operating_system to one of %s'
            % ', '.join(_registry.OPERATING_SYSTEMS))
    details = resolve_with_snapshot(task_vars, operating_system, snapshot_id=args.get('snapshot_id'),
                                    evaluation_time=args.get('evaluation_time'), task_baseline=args.get('baseline'),
                                    patch_group=args.get('patch_group') or None, store=store)
    details['operating_system'] = operating_system
    return details
