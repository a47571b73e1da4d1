# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seam between Scan/Install orchestration and one package manager.

A backend reads the host into a ``Universe`` and acts on the host; it never
decides what is approved. See docs/DESIGN.md for the contract of each method.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import gc
import os
import subprocess
import time

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import LockTimeoutError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._patterns import glob_match


def subprocess_runner(argv, env=None, data=None):
    """Run ``argv`` (a list, never a shell string); return (rc, stdout, stderr) as text.

    Used where no AnsibleModule is at hand (tests, benchmarks); the module passes
    ``module.run_command`` instead.
    """
    if isinstance(argv, str):
        raise TypeError('argv must be a list of arguments, not a shell string')
    process = subprocess.Popen(argv, stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               universal_newlines=True)
    stdout, stderr = process.communicate(data)
    return process.returncode, stdout, stderr


def module_runner(module):
    """Adapt ``module.run_command`` to the runner signature backends use."""
    def run(argv, env=None, data=None):
        return module.run_command(argv, environ_update=env or {}, data=data, binary_data=data is None,
                                  check_rc=False)
    return run


def wait_for(probe, timeout, what, interval=0.5, clock=time.monotonic, sleep=time.sleep):
    """Poll ``probe()`` until it returns a falsy value, at most ``timeout`` seconds.

    ``probe`` returns a description of the holder (for example ``'PID 1234'``) while
    the resource is busy. Raises LockTimeoutError naming ``what`` and the holder.
    """
    deadline = clock() + timeout
    while True:
        holder = probe()
        if not holder:
            return
        if clock() >= deadline:
            raise LockTimeoutError('%s is still held by %s after waiting %s seconds; '
                                   'try again later or raise lock_timeout' % (what, holder, timeout))
        sleep(interval)


def wait_for_all(locks, timeout, **kwargs):
    """``wait_for`` each of ``locks`` [(what, probe)] in turn, all within one ``timeout``."""
    clock = kwargs.get('clock', time.monotonic)
    deadline = clock() + timeout
    for what, probe in locks:
        wait_for(probe, max(0, deadline - clock()), what, **kwargs)


def pid_file_holder(path):
    """'PID n (command)' when the pid file ``path`` names a live process other than us, else None.

    A missing, empty or stale pid file (its process is gone) means nobody holds the lock:
    package managers leave such files behind.
    """
    try:
        with open(path) as handle:
            content = handle.read(32).strip()
    except (IOError, OSError):
        return None
    if not content.isdigit():
        return None
    pid = int(content)
    if pid <= 0 or pid == os.getpid() or not os.path.exists('/proc/%d' % pid):
        return None
    try:
        with open('/proc/%d/comm' % pid) as handle:
            return 'PID %d (%s)' % (pid, handle.read().strip())
    except (IOError, OSError):
        return 'PID %d' % pid


def fcntl_lock_holder(path):
    """'another process' when another process holds a write lock (fcntl/lockf) on ``path``, else None.

    A missing file is not held, and is not created: probing must not change the node.
    """
    try:
        handle = open(path, 'r')
    except (IOError, OSError):
        return None
    with handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except (IOError, OSError):
            return 'another process'
        fcntl.lockf(handle, fcntl.LOCK_UN)
    return None


def one_line(error):
    """An error's message on one line (tools' multi-line messages, for a result's msg)."""
    return ' '.join(str(error).split())


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building many acyclic objects.

    Tens of thousands of new records would trigger repeated full collections that find
    nothing (records hold no references back); pausing roughly halves a large read.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle_garbage_collector():
    """For a module process, which lives for one run: no automatic cyclic collections from
    here on, and every object that exists now is left out of later collections.

    A Scan builds tens of thousands of acyclic records and result dicts; automatic
    collections (and dnf's explicit ones, and the last one at interpreter exit) would walk
    them again and again and find nothing to free. Called again before the result is
    written, so the exit collection skips the run's objects too.
    """
    gc.disable()
    if hasattr(gc, 'freeze'):       # Python >= 3.7
        gc.freeze()


def sources_for_product(sources, product):
    """The baseline Sources that apply to ``product`` (case-insensitive globs, '*' for all).

    ``product`` None means the caller has already chosen the sources: all apply.
    """
    if product is None:
        return list(sources or ())
    return [source for source in sources or ()
            if any(glob_match(pattern, product) for pattern in source.get('products') or ('*',))]


def first_missing_ancestor(path):
    """The top-most directory of ``path`` that does not exist yet (what creating it would add), or None."""
    missing = None
    while path and not os.path.exists(path):
        missing = path
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return missing


def remove_empty_directories(path, top):
    """Remove ``path`` and its parents up to and including ``top`` while they are empty (what a run created)."""
    while path and top and (path == top or path.startswith(top.rstrip('/') + '/')):
        try:
            os.rmdir(path)
        except OSError:
            return
        path = os.path.dirname(path)


class InstallOutcome(object):
    """What an install did, as the package manager saw it: never a verdict.

    ``transaction``: the items it ran; ``problems``: ``{'name.arch': what the package manager
    said or left behind for that package}`` (a refused resolution, a failed scriptlet, dpkg
    leaving it half-configured); ``messages``: what it said about the run as a whole (warnings).
    ``_compliance`` decides from the evaluation after the run which patches are FAILED and
    whether the run fails; a backend never does.
    """

    __slots__ = ('transaction', 'problems', 'messages')

    def __init__(self, transaction, problems=None, messages=None):
        self.transaction = list(transaction)
        self.problems = dict(problems or {})
        self.messages = list(messages or [])


class PatchBackend(object):
    """Base class of the apt, dnf and zypper backends."""

    family = None

    def __init__(self, root='/', run_command=None, lock_timeout=120):
        self.root = root or '/'
        self.run_command = run_command or subprocess_runner
        self.lock_timeout = lock_timeout
        # Sentences for the user about what the package manager did besides failing (a skipped repository).
        self.warnings = []

    def refresh(self):
        """Fetch the repository metadata (apt-get update, dnf makecache, zypper refresh).

        Fetches every enabled repository (inside ``sources_replaced``: every baseline Source);
        one that cannot be fetched raises MetadataError naming it (a dnf repository with
        skip_if_unavailable is skipped with a warning instead, as dnf does). Nothing else
        fetches metadata: reading never does.
        """
        raise NotImplementedError

    def read_universe(self, operating_system, product, advisory_only=False):
        """Return the node's ``Universe``: installed packages and candidate records.

        Records are given for every available version of the installed packages (from
        the installed version up) and for available packages that are not installed
        (so that the engine can count NOT_APPLICABLE). ``advisory_only`` True allows the
        backend to leave out records that carry no advisory (the baseline cannot approve
        them); it must still give every record that does. An installed version that no
        repository carries gets one record built from what the package database records
        about it (``_universe.DatabaseRecord``). Reads the metadata as it is on disk, never
        fetching; raises MetadataError naming what is missing when there is no usable
        metadata (no repository, a repository never fetched, nothing offered at all).
        """
        raise NotImplementedError

    def dependency_closure(self, name, arch, version):
        """Packages an update to ``version`` would newly install or upgrade: [(name, arch, version)]."""
        raise NotImplementedError

    def plan(self, targets):
        """Resolve updating ``targets`` [(name, arch, version)] without changing anything."""
        raise NotImplementedError

    def install(self, targets):
        """Update ``targets`` [(name, arch, version)]; return an ``InstallOutcome``."""
        raise NotImplementedError

    def reboot_required(self):
        """Whether the OS itself says a reboot is needed."""
        raise NotImplementedError

    def sources_replaced(self, sources):
        """Context manager: use only ``sources`` (baseline Sources) inside; restore after."""
        raise NotImplementedError
