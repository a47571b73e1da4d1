# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running zypper and rpm for the zypper backend: exit codes, the zypp lock, one place that builds argv.

Every zypper call is ``zypper --root <root> --non-interactive --xmlout [repository options]
[--no-refresh] ...`` with ``LANG=C``, never a shell string. Reads always pass ``--no-refresh``,
so that only ``refresh`` fetches metadata (a Scan in check mode fetches nothing).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import time

from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend import pid_file_holder, wait_for
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BackendError, LockTimeoutError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import InstalledPackage
from ansible_collections.fleetops.patch_manager.plugins.module_utils._versions import split_evr
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import UTC
from ansible_collections.fleetops.patch_manager.plugins.module_utils._zypper_xml import error_summary, parse_xml_stream

# zypper exit codes (zypper(8), "EXIT CODES"); the 10x codes are informational.
ZYPPER_EXIT_OK = 0
ZYPPER_EXIT_ERR_ZYPP = 4            # solver problem or other libzypp error
ZYPPER_EXIT_NO_REPOS = 6            # no enabled repository is defined
ZYPPER_EXIT_ZYPP_LOCKED = 7         # another process holds the zypp lock
ZYPPER_EXIT_ERR_COMMIT = 8          # the transaction failed while committing
ZYPPER_EXIT_INF_UPDATE_NEEDED = 100  # updates are needed (patch-check, list-*)
ZYPPER_EXIT_INF_SEC_UPDATE_NEEDED = 101
ZYPPER_EXIT_INF_REBOOT_NEEDED = 102  # done; a reboot is needed (also needs-rebooting)
ZYPPER_EXIT_INF_RESTART_NEEDED = 103  # zypper updated itself: run the command again
ZYPPER_EXIT_INF_CAP_NOT_FOUND = 104  # a requested package/version does not exist
ZYPPER_EXIT_ON_SIGNAL = 105
ZYPPER_EXIT_INF_REPOS_SKIPPED = 106  # some repositories could not be refreshed and were skipped
ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED = 107  # installed, but a %pre/%post scriptlet failed

SUCCESS_CODES = frozenset((ZYPPER_EXIT_OK, ZYPPER_EXIT_INF_UPDATE_NEEDED, ZYPPER_EXIT_INF_SEC_UPDATE_NEEDED,
                           ZYPPER_EXIT_INF_REBOOT_NEEDED, ZYPPER_EXIT_INF_REPOS_SKIPPED,
                           ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED))

RPM_QUERY_FORMAT = '%{NAME}\\t%{ARCH}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\n'

LOCK_FILE = 'run/zypp.pid'


def parse_rpm_query(text):
    """``rpm -qa --qf RPM_QUERY_FORMAT`` output -> [InstalledPackage]; gpg-pubkey entries are skipped."""
    packages = []
    for line in text.splitlines():
        fields = line.split('\t')
        if len(fields) != 4 or fields[0] == 'gpg-pubkey':
            continue
        name, arch, evr, installed = fields
        installed_time = None
        if installed.isdigit():
            installed_time = datetime.datetime.fromtimestamp(int(installed), UTC)
        packages.append(InstalledPackage(name, arch, evr, installed_time))
    return packages


def nvra(name, arch, evr):
    """The name-version-release.arch rpm prints (epoch omitted)."""
    _epoch, version, release = split_evr(evr)
    return '%s-%s-%s.%s' % (name, version, release, arch) if release else '%s-%s.%s' % (name, version, arch)


def capability(name, arch, version):
    """A zypper install argument naming one exact package version: 'name.arch=E:V-R'."""
    return '%s.%s=%s' % (name, arch, version)


def zypp_lock_holder(root):
    """'PID 123 (zypper)' when a live process holds <root>/run/zypp.pid, else None."""
    return pid_file_holder(os.path.join(root, LOCK_FILE))


class ZypperCommands(object):
    """zypper and rpm for one root: the repository options in use, the zypp lock, exit codes.

    ``repository_options`` / ``cache_dir`` point zypper at private repositories
    (``--reposd-dir``/``--cache-dir`` of baseline Sources) while they are set.
    """

    def __init__(self, root, run_command, lock_timeout):
        self.root = root
        self.run_command = run_command
        self.lock_timeout = lock_timeout
        self.repository_options = []
        self.cache_dir = os.path.join(root, 'var/cache/zypp')

    @staticmethod
    def environment():
        env = dict(os.environ)
        env.update(LANG='C', LC_ALL='C', LANGUAGE='C')
        return env

    def argv(self, args, refresh=False):
        """The zypper command line; every command but a refresh runs with ``--no-refresh``."""
        argv = ['zypper', '--root', self.root, '--non-interactive', '--xmlout'] + self.repository_options
        if not refresh:
            argv.append('--no-refresh')
        return argv + list(args)

    def run(self, args, refresh=False):
        """Run zypper, waiting for the zypp lock; rerun once on exit code 103. Returns (rc, out, err, argv)."""
        argv = self.argv(args, refresh=refresh)
        lock_path = os.path.join(self.root, LOCK_FILE)
        deadline = time.monotonic() + self.lock_timeout
        reruns = 0
        while True:
            wait_for(lambda: zypp_lock_holder(self.root), max(0, deadline - time.monotonic()),
                     'The zypper lock %s' % lock_path)
            rc, out, err = self.run_command(argv, env=self.environment())
            if rc == ZYPPER_EXIT_ZYPP_LOCKED:
                # Another process took the lock between our check and zypper's.
                if time.monotonic() >= deadline:
                    raise LockTimeoutError('The zypper lock %s is still held after waiting %s seconds: %s'
                                           % (lock_path, self.lock_timeout, (out + err).strip()[:300]),
                                           rc=rc, stdout=out, stderr=err, cmd=argv)
                time.sleep(0.5)
                continue
            if rc == ZYPPER_EXIT_INF_RESTART_NEEDED and reruns == 0:
                reruns += 1
                continue
            return rc, out, err, argv

    def checked(self, args, what, ok=SUCCESS_CODES, refresh=False):
        """zypper's stdout; an exit code not in ``ok`` raises BackendError saying what failed and why."""
        rc, out, err, argv = self.run(args, refresh=refresh)
        if rc not in ok:
            raise BackendError('zypper failed to %s (exit code %d): %s' % (what, rc, failure_detail(out, err)),
                               rc=rc, stdout=out, stderr=err, cmd=argv)
        return out

    def installed_packages(self):
        """[InstalledPackage] as the root's rpm database lists them."""
        argv = ['rpm', '--root', self.root, '-qa', '--qf', RPM_QUERY_FORMAT]
        rc, out, err = self.run_command(argv, env=self.environment())
        if rc != 0:
            raise BackendError('rpm could not list the installed packages (exit code %d): %s' % (rc, err.strip()[:500]),
                               rc=rc, stdout=out, stderr=err, cmd=argv)
        return parse_rpm_query(out)


def failure_detail(out, err):
    """zypper's error messages from its XML output, else the start of its stderr."""
    try:
        detail = error_summary(parse_xml_stream(out))
    except BackendError:
        detail = ''
    return detail or err.strip()[:500]
