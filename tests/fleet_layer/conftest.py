# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SSH test fleet of tests/fleet (6 nodes: deb, rpm, suse x Production, Staging) for the fleet layer tests.

Brought up once per session and torn down at the end, as tests/fleet does; only one fleet
can run on a machine, so do not run this beside another fleet session. Needs root.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
VENV_BIN = os.path.join(REPO_ROOT, '.venv', 'bin')
for _path in (REPO_ROOT, os.path.join(REPO_ROOT, '.collections')):
    if _path not in sys.path:
        sys.path.insert(0, _path)

try:
    from tests.fleet import fleetctl  # pylint: disable=wrong-import-position
except ImportError:  # pragma: no cover - the fleet tool is another part of the tree
    fleetctl = None

FLEET_SIZE = 6
SESSION_LOCK = 'session.lock'


@pytest.fixture(scope='session')
def fleet():
    if fleetctl is None:
        pytest.skip('the SSH test fleet tool (tests/fleet/fleetctl.py) is not in the tree yet')
    if os.geteuid() != 0:
        pytest.skip('the test fleet needs root')
    # One fleet per machine: hold the fleet's session lock for the whole session (tests/fleet takes
    # it too), so that two sessions never tear down each other's fleet.
    with _session_lock():
        state = fleetctl.up(FLEET_SIZE, 'mix')
        try:
            yield state
        finally:
            with fleetctl.fleet_lock():
                fleetctl.down()


@contextlib.contextmanager
def _session_lock():
    if hasattr(fleetctl, 'session_lock'):
        with fleetctl.session_lock():
            yield
        return
    os.makedirs(fleetctl.fleet_dir(), exist_ok=True)
    with open(os.path.join(fleetctl.fleet_dir(), SESSION_LOCK), 'a') as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        yield


class Run(object):
    """One ansible-playbook run: return code, printed output and recorded results."""

    def __init__(self, returncode, stdout, stderr, record):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.results = record.get('results', {})
        self.custom_stats = record.get('custom_stats', {})

    def task(self, name):
        if name not in self.results:
            raise AssertionError('no task named %r ran; tasks: %s\n%s' % (name, sorted(self.results), self.stdout[-4000:]))
        return self.results[name]

    @property
    def summary(self):
        return self.custom_stats['_run']['patch_fleet_summary']


class Workspace(object):
    """A copy of the fleet file with the example registry beside it, in a temporary directory."""

    def __init__(self, state, directory):
        self.state = state
        self.directory = str(directory)
        self.fleet_file = os.path.join(self.directory, 'fleet.yml')
        self.registry = os.path.join(self.directory, 'patch_registry')
        self.lock_dir = os.path.join(self.directory, 'window-locks')
        self.store_url = 'sqlite:///%s' % os.path.join(self.directory, 'store', 'patch.sqlite')
        shutil.copytree(os.path.join(HERE, 'patch_registry'), self.registry)
        with open(state['fleet_file']) as handle:
            self.fleet = json.load(handle)
        self.write_fleet()

    def write_fleet(self):
        with open(self.fleet_file, 'w') as handle:
            json.dump(self.fleet, handle, indent=1)

    def node(self, family, patch_group):
        for node in self.state['nodes']:
            if node['family'] == family and node['patch_group'] == patch_group:
                return node
        raise AssertionError('no %s node in %s' % (family, patch_group))

    def ssh(self, node, *command):
        return subprocess.run(fleetctl.ssh_argv(node, *command), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False)

    def playbook(self, playbook, extra_vars=None, options=()):
        record_path = os.path.join(self.directory, 'record-%s.json' % uuid.uuid4().hex)
        env = dict(os.environ,
                   ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'),
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'),
                   ANSIBLE_CALLBACKS_ENABLED='fleet_layer_record,fleetops.patch_manager.patch_summary',
                   ANSIBLE_NOCOLOR='1',
                   ANSIBLE_FORCE_COLOR='0',
                   FLEET_LAYER_RECORD=record_path,
                   FLEETOPS_PATCH_SNAPSHOT_DIR=os.path.join(self.directory, 'snapshots'),
                   FLEETOPS_PATCH_WINDOW_LOCK_DIR=self.lock_dir,
                   FLEETOPS_PATCH_STORE=self.store_url)
        argv = [os.path.join(VENV_BIN, 'ansible-playbook'), playbook, '-i', self.fleet_file, '--forks', '6'] + list(options)
        if extra_vars:
            argv += ['--extra-vars', json.dumps(extra_vars)]
        result = subprocess.run(argv, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, check=False)
        record = {}
        if os.path.exists(record_path):
            with open(record_path) as handle:
                record = json.load(handle)
        return Run(result.returncode, result.stdout, result.stderr, record)


@pytest.fixture
def workspace(fleet, tmp_path):
    return Workspace(fleet, tmp_path)
