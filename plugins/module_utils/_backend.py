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

import subprocess
import time

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import LockTimeoutError


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


class InstallOutcome(object):
    """What an install did: the transaction, and per package what failed and why."""

    __slots__ = ('transaction', 'failed', 'messages')

    def __init__(self, transaction, failed=None, messages=None):
        self.transaction = list(transaction)
        self.failed = dict(failed or {})
        self.messages = list(messages or [])


class PatchBackend(object):
    """Base class of the apt, dnf and zypper backends."""

    family = None

    def __init__(self, root='/', run_command=None, lock_timeout=120):
        self.root = root or '/'
        self.run_command = run_command or subprocess_runner
        self.lock_timeout = lock_timeout

    def refresh(self):
        """Refresh repository metadata (apt-get update, dnf makecache, zypper refresh)."""
        raise NotImplementedError

    def read_universe(self, operating_system, product):
        """Return the node's ``Universe``: installed packages and candidate records."""
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
