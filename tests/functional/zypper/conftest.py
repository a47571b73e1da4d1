# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the zypper backend tests: generated rpm-md repositories and rpm roots driven by real zypper.

The backend only runs the zypper and rpm command-line tools, so it runs in the test's
own Python. Roots come from tests/support/rpmroot.py (an rpmdb, /bin/sh for %post) with
a SUSE /etc/os-release and the repository in <root>/etc/zypp/repos.d.
"""

import hashlib
import os
import shutil
import sys

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
for _path in (os.path.join(REPO_ROOT, '.collections'), REPO_ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.support import rpmrepo, rpmroot  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_zypper import (  # noqa: E402  pylint: disable=wrong-import-position
    ZypperBackend,
)

SUSE_OS_RELEASE = ('NAME="SLES"\nVERSION="15-SP6"\nVERSION_ID="15.6"\nID="sles"\nID_LIKE="suse"\n'
                   'PRETTY_NAME="SUSE Linux Enterprise Server 15 SP6"\n')


def pytest_collection_modifyitems(items):
    missing = [tool for tool in ('zypper', 'rpm', 'rpmbuild', 'createrepo_c', 'modifyrepo_c') if shutil.which(tool) is None]
    if missing or os.geteuid() != 0:
        reason = 'zypper backend tests need root and %s' % (', '.join(missing) or 'nothing else')
        for item in items:
            if os.path.dirname(str(item.fspath)) == os.path.dirname(os.path.abspath(__file__)):
                item.add_marker(pytest.mark.skip(reason=reason))


def tree_digest(path):
    """{relative path: sha256 of the content (or link target)} of every file below ``path``."""
    digest = {}
    for directory, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(directory, name)
            if os.path.islink(full):
                digest[os.path.relpath(full, path)] = 'symlink to ' + os.readlink(full)
                continue
            with open(full, 'rb') as handle:
                digest[os.path.relpath(full, path)] = hashlib.sha256(handle.read()).hexdigest()
    return digest


def add_repository(root, repository, enabled=True):
    """Configure ``repository`` in the root's /etc/zypp/repos.d."""
    return repository.write_repo_file(os.path.join(root, 'etc', 'zypp', 'repos.d'), enabled=enabled)


@pytest.fixture
def zypper_scenario(tmp_path):
    """Factory: (packages, advisories, installed specs) -> (root, repository, backend), metadata refreshed."""
    def make(packages, advisories=(), installed=(), name='fleetops-test', lock_timeout=120):
        repository = rpmrepo.build_repository(str(tmp_path / ('repo-' + name)), packages, advisories, name=name)
        root = rpmroot.create_root(str(tmp_path / 'root'))
        with open(os.path.join(root, 'etc', 'os-release'), 'w') as handle:
            handle.write(SUSE_OS_RELEASE)
        add_repository(root, repository)
        if installed:
            rpmroot.install_with_rpm(root, [repository.rpm_path(spec) for spec in installed])
        backend = ZypperBackend(root=root, lock_timeout=lock_timeout)
        backend.refresh()
        return root, repository, backend
    return make
