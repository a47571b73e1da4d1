# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the publishing checks (`make publish-test`).

They look at the collection as a user gets it: the archive `ansible-galaxy collection build`
makes from a checkout with the usual developer leftovers in it, installed with
`ansible-galaxy collection install` into an empty collections directory.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
VENV_BIN = os.path.dirname(sys.executable)
NAMESPACE, NAME = 'fleetops', 'patch_manager'
FQCN = NAMESPACE + '.' + NAME

# Files a developer's checkout has besides the tracked ones (all git-ignored); the archive
# is built from a copy that has them, so the test sees what a careless build would ship.
DEVELOPER_LEFTOVERS = (
    '.venv/bin/python3',
    '.venv-2.16/bin/python3',
    '.hypothesis/examples/0123/4567',
    '.pytest_cache/v/cache/lastfailed',
    'tests/unit/.hypothesis/examples/89ab/cdef',
    'build/docs/build/html/index.html',
    'build/fleetops-patch_manager-0.0.1.tar.gz',
    'bench/results/run.json',
    'tests/output/junit/python3.11-controller-units.xml',
    'plugins/modules/__pycache__/run_patch_baseline.cpython-311.pyc',
    'changelogs/.plugin-cache.yaml',
)


def run(argv, **kwargs):
    """Run a command; on failure the assertion shows its output."""
    kwargs.setdefault('cwd', REPO)
    result = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    command = ' '.join(argv)
    assert result.returncode == 0, '%s failed (rc %d):\n%s\n%s' % (command, result.returncode, result.stdout, result.stderr)
    return result


def ansible_env(collections_dir):
    """Environment of an ansible command that sees only the collections under collections_dir."""
    env = dict(os.environ)
    env.pop('ANSIBLE_CONFIG', None)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_dir,
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
        'ANSIBLE_NOCOLOR': '1',
        'PATH': VENV_BIN + os.pathsep + env.get('PATH', ''),
    })
    return env


def tracked_files():
    """Files of the checkout that git would ship in a commit: tracked, or untracked and not ignored."""
    out = run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard']).stdout
    return sorted(path for path in out.split('\0') if path and os.path.isfile(os.path.join(REPO, path)))


def galaxy_version():
    with open(os.path.join(REPO, 'galaxy.yml')) as handle:
        return yaml.safe_load(handle)['version']


@pytest.fixture(scope='session')
def checkout_copy(tmp_path_factory):
    """A copy of the checkout with the developer leftovers planted in it."""
    root = str(tmp_path_factory.mktemp('checkout') / NAME)
    for path in tracked_files():
        dest = os.path.join(root, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(os.path.join(REPO, path), dest)
    for path in DEVELOPER_LEFTOVERS:
        dest = os.path.join(root, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, 'w') as handle:
            handle.write('developer leftover\n')
    return root


@pytest.fixture(scope='session')
def archive(checkout_copy, tmp_path_factory):
    """The collection archive, as `make build` makes it (from the copy with leftovers)."""
    out = str(tmp_path_factory.mktemp('dist'))
    run([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', out, checkout_copy],
        cwd=checkout_copy)
    built = glob.glob(os.path.join(out, '*.tar.gz'))
    assert [os.path.basename(p) for p in built] == ['%s-%s-%s.tar.gz' % (NAMESPACE, NAME, galaxy_version())]
    return built[0]


@pytest.fixture(scope='session')
def installed(archive, tmp_path_factory):
    """The archive installed as a user installs it; returns the collections directory."""
    collections_dir = str(tmp_path_factory.mktemp('collections'))
    run([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '-p', collections_dir,
         archive], cwd=collections_dir, env=ansible_env(collections_dir))
    return collections_dir


def installed_root(collections_dir):
    return os.path.join(collections_dir, 'ansible_collections', NAMESPACE, NAME)
