# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A root is read with its own apt configuration, whatever this host's says, and a Scan writes nothing there.

Debian container images (and this development machine) disable apt's binary cache with
``Dir::Cache::pkgcache ""``. Read through RootDir, apt turns that empty name into the root
directory itself: the read failed ("The package cache file is corrupted") and left two
temporary cache files of megabytes in the root's top directory. The host's configuration
leaked in too: through ``APT_CONFIG`` (read even under RootDir) and through whatever an
earlier apt_pkg user in the same process had loaded. Real apt_pkg, real overlay roots.
"""

import os

import pytest

from tests.functional.apt.aptnode import prepared_root, run_backend
from tests.support.specs import PackageSpec

MAIN = [PackageSpec('alpha', '1.0'), PackageSpec('unrelated', '1.0')]
SECURITY = [PackageSpec('alpha', '1.1', priority='important', section='admin')]
UPDATES = [PackageSpec('alpha', '1.2')]
NO_BINARY_CACHE = 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
CACHE_FILES = ('var/cache/apt/pkgcache.bin', 'var/cache/apt/srcpkgcache.bin')


@pytest.fixture
def node(apt_root):
    """A root with alpha 1.0-1 installed from a three-suite repository, and its universe read as configured."""
    prepared_root(apt_root, MAIN, SECURITY, UPDATES, 'alpha=1.0-1')
    universe, = run_backend(apt_root, [['read_universe', 'DEBIAN', 'Debian12']])
    remove_cache_files(apt_root)
    return apt_root, universe


def remove_cache_files(root):
    for relative in CACHE_FILES:
        path = os.path.join(root, relative)
        if os.path.exists(path):
            os.unlink(path)


def tree_state(root):
    """{root-relative path: (size, mtime_ns)} of everything in the root."""
    state = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            state[os.path.relpath(path, root)] = (info.st_size, info.st_mtime_ns)
    return state


def alpha_records(universe):
    return sorted((record['version'], record['repository'], record['security'])
                  for record in universe['candidates'] if record['name'] == 'alpha')


def test_a_root_without_binary_cache_is_read_and_nothing_is_written_into_it(node):
    root, as_configured = node
    with open(os.path.join(root, 'etc/apt/apt.conf.d/docker-clean'), 'w') as handle:
        handle.write(NO_BINARY_CACHE)
    before = tree_state(root)

    universe, = run_backend(root, [['read_universe', 'DEBIAN', 'Debian12']])

    assert universe == as_configured
    assert alpha_records(universe) == [('1.0-1', 'bookworm', False), ('1.1-1', 'bookworm-security', True),
                                       ('1.2-1', 'bookworm-updates', False)]
    assert tree_state(root) == before
    assert not any(os.path.exists(os.path.join(root, relative)) for relative in CACHE_FILES)


@pytest.mark.parametrize('host_config_first', [False, True], ids=['fresh-process', 'host-config-loaded-first'])
def test_the_hosts_apt_configuration_does_not_reach_the_root(node, tmp_path, host_config_first):
    root, as_configured = node
    host_config = tmp_path / 'host-apt.conf'
    # What a controller's apt configuration might say: no binary cache, lists elsewhere.
    host_config.write_text(NO_BINARY_CACHE + 'Dir::State::lists "/nonexistent-host-lists/";\n')

    universe, = run_backend(root, [['read_universe', 'DEBIAN', 'Debian12']],
                            env={'APT_CONFIG': str(host_config)}, host_config_first=host_config_first)

    assert universe == as_configured
    assert not [name for name in os.listdir(root) if name.startswith('.')]
    # The root's own configuration keeps apt's binary cache, so apt keeps it, as apt list would.
    assert all(os.path.exists(os.path.join(root, relative)) for relative in CACHE_FILES)
