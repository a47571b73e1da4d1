# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Disposable Debian system roots for tests: one cached golden root, cheap overlays of it.

API (root privileges required for both):

- ``golden_debian_root()`` -> path of a minimal bookworm system (python3, python3-apt,
  openssh-server) built once with mmdebstrap from this machine's own apt sources and
  cached under ``$FLEETOPS_TEST_CACHE`` (default ``/var/cache/fleetops-patch-tests``).
  It has no apt sources and no package lists: a test root sees only the repositories a
  test configures. Treat it as read-only.
- ``overlay_root(golden, workdir)`` -> context manager yielding a writable root
  (``<workdir>/root``): an overlayfs mount with ``golden`` as the lower layer and the
  changes kept in ``workdir``. Unmounted (with anything mounted below it) on exit.
  Mounts left behind by a crashed earlier run are removed on the next call.
"""

import contextlib
import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import tempfile

CACHE_ENV = 'FLEETOPS_TEST_CACHE'
DEFAULT_CACHE = '/var/cache/fleetops-patch-tests'
GOLDEN_SUITE = 'bookworm'
GOLDEN_PACKAGES = ('python3', 'python3-apt', 'openssh-server')
# The overlay's "device" name: marks the mounts this module owns, with the owner's PID.
MOUNT_SOURCE_PREFIX = 'fleetops-test-root:'


def cache_dir():
    """The directory holding cached roots (created if missing)."""
    path = os.environ.get(CACHE_ENV) or DEFAULT_CACHE
    os.makedirs(path, exist_ok=True)
    return path


def host_apt_source_files():
    """This machine's apt source files, so mmdebstrap fetches from wherever the host does."""
    files = []
    if os.path.exists('/etc/apt/sources.list'):
        with open('/etc/apt/sources.list') as handle:
            if any(line.strip() and not line.lstrip().startswith('#') for line in handle):
                files.append('/etc/apt/sources.list')
    files.extend(sorted(glob.glob('/etc/apt/sources.list.d/*.list')))
    files.extend(sorted(glob.glob('/etc/apt/sources.list.d/*.sources')))
    if not files:
        raise RuntimeError('this machine has no apt sources to build the test root from')
    return files


def _golden_argv(target, source_files):
    return (['mmdebstrap', '--variant=minbase', '--include=' + ','.join(GOLDEN_PACKAGES),
             '--quiet', GOLDEN_SUITE, target] + list(source_files))


def _recipe_id():
    # A change of the recipe (suite, packages) gives a new cache entry instead of a stale one.
    recipe = ' '.join(_golden_argv('TARGET', []))
    return hashlib.sha256(recipe.encode()).hexdigest()[:12]


def _strip_real_sources(root):
    """Leave the root with no Debian sources or lists: tests add their own repositories."""
    sources_list = os.path.join(root, 'etc/apt/sources.list')
    with open(sources_list, 'w'):
        pass
    for path in glob.glob(os.path.join(root, 'etc/apt/sources.list.d/*')):
        os.remove(path)
    lists = os.path.join(root, 'var/lib/apt/lists')
    for path in glob.glob(os.path.join(lists, '*')):
        if os.path.isfile(path) and os.path.basename(path) != 'lock':
            os.remove(path)
    for path in glob.glob(os.path.join(root, 'var/cache/apt/*.bin')):
        os.remove(path)


def golden_debian_root():
    """Return the cached golden bookworm root, building it first if it is missing.

    Built into a temporary directory and renamed into place, so an interrupted build
    never leaves a half root behind; a file lock keeps concurrent callers from building twice.
    """
    cache = cache_dir()
    golden = os.path.join(cache, 'debian-%s-%s' % (GOLDEN_SUITE, _recipe_id()))
    if os.path.isdir(golden):
        return golden
    with open(os.path.join(cache, '.golden.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isdir(golden):
            return golden
        build = tempfile.mkdtemp(prefix='.build-', dir=cache)
        try:
            target = os.path.join(build, 'root')
            subprocess.run(_golden_argv(target, host_apt_source_files()), check=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            _strip_real_sources(target)
            os.rename(target, golden)
        finally:
            shutil.rmtree(build, ignore_errors=True)
    return golden


def _our_mounts():
    """(mount point, owner PID) of every overlay this module mounted, from mountinfo."""
    mounts = []
    with open('/proc/self/mountinfo') as handle:
        for line in handle:
            fields = line.split()
            separator = fields.index('-')
            source = fields[separator + 2]
            if fields[separator + 1] == 'overlay' and source.startswith(MOUNT_SOURCE_PREFIX):
                mount_point = fields[4].replace('\\040', ' ')
                try:
                    owner = int(source[len(MOUNT_SOURCE_PREFIX):])
                except ValueError:
                    owner = None
                mounts.append((mount_point, owner))
    return mounts


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _unmount_tree(mount_point):
    # -R also takes down whatever a user mounted inside the root (proc, binds).
    if subprocess.run(['umount', '-R', mount_point], stderr=subprocess.DEVNULL, check=False).returncode != 0:
        subprocess.run(['umount', '-R', '-l', mount_point], stderr=subprocess.DEVNULL, check=False)


def remove_stale_overlays():
    """Unmount overlays left by runs whose process is gone (never another live run's)."""
    for mount_point, owner in _our_mounts():
        if owner is None or not _pid_alive(owner):
            _unmount_tree(mount_point)


@contextlib.contextmanager
def overlay_root(golden, workdir):
    """Yield ``<workdir>/root``: a writable overlay of ``golden``; unmounted on exit."""
    remove_stale_overlays()
    workdir = os.path.abspath(workdir)
    upper, work, merged = (os.path.join(workdir, name) for name in ('upper', 'work', 'root'))
    for path in (upper, work, merged):
        os.makedirs(path, exist_ok=True)
    options = 'lowerdir=%s,upperdir=%s,workdir=%s' % (os.path.abspath(golden), upper, work)
    subprocess.run(['mount', '-t', 'overlay', '%s%d' % (MOUNT_SOURCE_PREFIX, os.getpid()),
                    '-o', options, merged], check=True)
    try:
        yield merged
    finally:
        _unmount_tree(merged)
