# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the dnf backend tests: generated rpm repositories, rpm roots, a backend runner.

The backend runs under /usr/bin/python3 (python3-dnf is not in the venv) through
backend_runner.py; these fixtures talk JSON to it.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from tests.support import rpmrepo, rpmroot  # noqa: E402  pylint: disable=wrong-import-position

SYSTEM_PYTHON = '/usr/bin/python3'
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'backend_runner.py')


def _missing_tools():
    missing = [tool for tool in ('rpm', 'rpmbuild', 'createrepo_c', 'modifyrepo_c', 'dnf') if shutil.which(tool) is None]
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import dnf'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if probe.returncode != 0:
        missing.append('python3-dnf')
    return missing


def pytest_collection_modifyitems(items):
    missing = _missing_tools()
    if missing or os.geteuid() != 0:
        reason = 'dnf backend tests need root and %s' % (', '.join(missing) or 'nothing else')
        for item in items:
            if os.path.dirname(str(item.fspath)) == os.path.dirname(__file__):
                item.add_marker(pytest.mark.skip(reason=reason))


class BackendCallError(Exception):
    """The backend raised one of our errors; ``type`` is its class name."""

    def __init__(self, error):
        self.type = error['type']
        super(BackendCallError, self).__init__('%s: %s' % (error['type'], error['message']))


def call_backend(root, calls, lock_timeout=120, sources=None, product=None):
    """Run [(method, args)] on a DnfBackend for ``root`` in the system Python; return results."""
    request = {'root': root, 'lock_timeout': lock_timeout, 'product': product,
               'calls': [{'method': method, 'args': list(args)} for method, args in calls]}
    if sources is not None:
        request['sources'] = sources
    process = subprocess.run([SYSTEM_PYTHON, RUNNER], input=json.dumps(request), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True, check=False)
    if process.returncode != 0:
        raise RuntimeError('backend runner crashed (rc %d):\n%s' % (process.returncode, process.stderr))
    answer = json.loads(process.stdout)
    if 'error' in answer:
        raise BackendCallError(answer['error'])
    return answer['results']


def backend(root, method, *args, **kwargs):
    """One backend call; its result."""
    return call_backend(root, [(method, args)], **kwargs)[0]


@pytest.fixture
def rpm_scenario(tmp_path):
    """Factory: (packages, advisories, installed specs) -> (root, repository)."""
    def make(packages, advisories=(), installed=(), name='fleetops-test', build_time=rpmrepo.DEFAULT_BUILD_TIME):
        repository = rpmrepo.build_repository(str(tmp_path / 'repo'), packages, advisories, name=name,
                                              build_time=build_time)
        root = rpmroot.create_root(str(tmp_path / 'root'))
        repository.write_repo_file(os.path.join(root, 'etc', 'yum.repos.d'))
        if installed:
            rpmroot.install_with_rpm(root, [repository.rpm_path(spec) for spec in installed])
        return root, repository
    return make
