# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the apt backend tests: repositories inside a root, dpkg's view, the backend runner.

python-apt lives in the system python3, not in the venv, so the backend runs in a
/usr/bin/python3 subprocess (apt_runner.py); pytest itself stays in the venv.
"""

import json
import os
import subprocess

from tests.support import debrepo

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'apt_runner.py')
SYSTEM_PYTHON = '/usr/bin/python3'
REPO_IN_ROOT = '/srv/fleetops-repo'


class BackendCallError(Exception):
    """The backend raised one of our errors; ``kind`` is its class name."""

    def __init__(self, kind, message, results):
        super(BackendCallError, self).__init__('%s: %s' % (kind, message))
        self.kind = kind
        self.message = message
        self.results = results


def run_backend(root, steps, sources=None, product=None, lock_timeout=30, env=None, host_config_first=False,
                read_whole_cache=False):
    """Run backend ``steps`` in one system-python process; return the list of results.

    ``env`` updates the process environment (e.g. APT_CONFIG); ``host_config_first`` loads
    this host's apt configuration into apt_pkg before the backend starts, as any earlier
    apt_pkg user in the same process would.
    """
    request = {'root': root, 'steps': steps, 'sources': sources, 'product': product,
               'lock_timeout': lock_timeout, 'host_config_first': host_config_first,
               'read_whole_cache': read_whole_cache}
    environment = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(RUNNER), '..', '..', '..', '.collections'))
    environment.update(env or {})
    completed = subprocess.run([SYSTEM_PYTHON, RUNNER], input=json.dumps(request), env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                               check=False)
    if completed.returncode != 0:
        raise AssertionError('backend runner crashed:\n%s' % completed.stderr)
    answer = json.loads(completed.stdout)
    if 'error' in answer:
        error = answer['error']
        raise BackendCallError(error['type'], error['message'], error['results'])
    return answer['results']


def add_repository(root, main, security=(), updates=None, subdir='main', write_sources=True):
    """Build a repository inside ``root`` (so the chrooted apt sees it) and optionally use it."""
    path = os.path.join(REPO_IN_ROOT, subdir)
    repo = debrepo.build_repository(root + path, main, security=security, updates=updates)
    lines = repo.sources_list('file://' + path)
    if write_sources:
        with open(os.path.join(root, 'etc/apt/sources.list'), 'w') as handle:
            handle.write(lines)
    return lines


def dpkg_state(root, name):
    """(version, status word) of ``name`` as dpkg itself reports it, or None."""
    completed = subprocess.run(['dpkg-query', '--admindir=%s/var/lib/dpkg' % root, '-W',
                                '-f=${Version} ${db:Status-Status}', name],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                               check=False)
    if completed.returncode != 0 or not completed.stdout.strip():
        return None
    version, status = completed.stdout.split()
    return version, status


def prepared_root(root, main, security, updates, *installed):
    """``root`` using a repository with the three suites, its lists fetched, ``installed`` (``name=version``) installed."""
    add_repository(root, main, security=security, updates=updates)
    run_backend(root, [['refresh']])
    install_directly(root, *installed)


def install_directly(root, *specs):
    """Install package versions with the root's own apt-get (test setup, not the backend)."""
    subprocess.run(['chroot', root, 'apt-get', 'install', '-y', '-q', '--allow-downgrades'] + list(specs),
                   env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'), check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
