# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A NoReboot Install that dies mid-way leaves a node the next Scan reports truthfully (issue 3).

The module process is SIGKILLed from inside the package manager's own transaction, after
it has changed packages and before the module could do anything with the outcome: by a
``DPkg::Post-Invoke`` hook (apt) or by an rpm transaction file trigger (``%transfiletriggerin``
of a small package installed in the root beforehand; dnf runs it in-process, zypper through
``rpm``). The hook walks /proc up from itself to the nearest Python ancestor -- the module --
and kills it, so the root gets a /proc mount for the run. Nodes, repositories and the
module runner are those of conftest.py.

The targets and the dependencies the resolved transaction adds are recorded before the
install: golf, a new package that foxtrot 1.1 needs, is pending after the crash too, as it
is after a run that finishes.
"""

import os
import subprocess
import time

import pytest

from tests.functional.module.conftest import ALL_SECURITY, expected_version, states
from tests.support import rpmrepo, rpmroot

# The packages the all-security baseline updates (conftest's scenario), and the new dependency.
UPDATED = ('alpha', 'delta', 'foxtrot', 'india')
STATE_DIRECTORY = 'var/lib/fleetops-patch'
ARMED = '/etc/fleetops-test-kill-module'          # the hook acts only while this file exists
KILLED = '/run/fleetops-test-killed-module'       # the hook writes the PID it killed here
HOOK_PATH = '/usr/local/sbin/fleetops-test-kill-module'
# dash only (the rpm roots have nothing else): field 2 of /proc/PID/stat is "(comm)", field 4 the parent.
KILL_MODULE = '''[ -e {armed} ] || exit 0
rm -f {armed}
pid=$PPID
while [ "$pid" -gt 1 ]; do
    read -r stat < /proc/$pid/stat || exit 1
    set -- $stat
    case "$2" in
        "(python"*) echo "$pid" > {killed}; kill -KILL "$pid"; exit 0 ;;
    esac
    pid=$4
done
exit 1
'''.format(armed=ARMED, killed=KILLED)
APT_HOOK = 'DPkg::Post-Invoke { "%s"; };\n' % HOOK_PATH
TRIGGER_SPEC = '''Name: fleetops-test-kill-module
Version: 1
Release: 1
Summary: Kills the run_patch_baseline module from inside an rpm transaction (tests only)
License: GPL-3.0-or-later
BuildArch: noarch
%description
Test hook: once armed, the end of a transaction that installs a test package kills the module.
%transfiletriggerin -- /usr/share/fleetops-test
{script}
%files
'''.format(script=KILL_MODULE)


@pytest.fixture(scope='module')
def trigger_rpm(tmp_path_factory):
    built = rpmrepo.rpmbuild_spec(TRIGGER_SPEC, str(tmp_path_factory.mktemp('trigger')))
    return os.path.join(built, 'fleetops-test-kill-module-1-1.noarch.rpm')


def in_root(node, path):
    return os.path.join(node.root, path.lstrip('/'))


def install_kill_hook(node, request):
    """Put the hook into the node's package manager; it stays inert until ``arm``."""
    if node.family == 'apt':
        os.makedirs(os.path.dirname(in_root(node, HOOK_PATH)), exist_ok=True)
        with open(in_root(node, HOOK_PATH), 'w') as handle:
            handle.write('#!/bin/sh\n' + KILL_MODULE)
        os.chmod(in_root(node, HOOK_PATH), 0o755)
        with open(in_root(node, '/etc/apt/apt.conf.d/99fleetops-test-kill-module'), 'w') as handle:
            handle.write(APT_HOOK)
    else:
        rpmroot.install_with_rpm(node.root, [request.getfixturevalue('trigger_rpm')])


def arm(node):
    with open(in_root(node, ARMED), 'w'):
        pass


def processes_inside(root):
    """PIDs of processes whose root directory is ``root`` (the package manager the module left running)."""
    found = []
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                if os.readlink('/proc/%s/root' % name) == root:
                    found.append(int(name))
            except OSError:
                pass
    return found


def wait_until_no_process_inside(root):
    """The killed module's package manager may still be finishing: let it, as a real node would."""
    deadline = time.monotonic() + 120
    while processes_inside(root):
        assert time.monotonic() < deadline, 'processes still running in %s: %s' % (root, processes_inside(root))
        time.sleep(0.1)


@pytest.fixture
def proc_in_root():
    """Mount /proc in a node root for as long as the test runs (the hook reads it inside the chroot)."""
    mounted = []

    def mount(node):
        target = in_root(node, '/proc')
        os.makedirs(target, exist_ok=True)
        subprocess.run(['mount', '-t', 'proc', 'fleetops-test-proc', target], check=True)
        mounted.append(target)
    yield mount
    for target in mounted:
        subprocess.run(['umount', target], check=False)


def test_module_killed_after_the_package_manager_keeps_the_packages_pending_until_a_boot(node, request, proc_in_root):
    install_kill_hook(node, request)
    proc_in_root(node)
    arm(node)
    killed = node.run(operation='Install', reboot_option='NoReboot', baseline=ALL_SECURITY[node.family])
    wait_until_no_process_inside(node.root)
    assert killed['failed'] is True and 'patches' not in killed, killed   # the module never reported
    assert os.path.exists(in_root(node, KILLED)), 'the hook did not kill the module'

    # What the package manager says it did, package by package.
    now = node.installed()
    new = expected_version(node.family, '1.1')
    changed = [name for name in UPDATED if now[name] == new]
    assert changed, 'the package manager changed nothing before the module was killed: %s' % now
    scan = node.run(baseline=ALL_SECURITY[node.family])
    assert scan['failed'] is False, scan.get('msg')
    assert states(scan, *UPDATED) == dict((name, 'INSTALLED_PENDING_REBOOT' if name in changed else 'MISSING')
                                          for name in UPDATED)
    if 'golf' in now:       # foxtrot's new dependency got installed before the kill
        assert states(scan, 'golf') == {'golf': 'INSTALLED_PENDING_REBOOT'}
    assert scan['instance_patch_state']['last_no_reboot_install_operation_time']
    assert scan['instance_patch_state']['compliance_status'] == 'NON_COMPLIANT'

    node.boot()
    after_boot = node.run(baseline=ALL_SECURITY[node.family])
    assert states(after_boot, *changed) == dict.fromkeys(changed, 'INSTALLED')
    assert after_boot['instance_patch_state']['installed_pending_reboot_count'] == 0


def test_unwritable_state_location_fails_the_install_before_any_package_changes(node):
    directory = in_root(node, STATE_DIRECTORY)
    os.makedirs(directory)
    digest = node.database_digest()
    # A read-only file system over the state directory, as on a host whose /var went read-only.
    subprocess.run(['mount', '--bind', directory, directory], check=True)
    try:
        subprocess.run(['mount', '-o', 'remount,bind,ro', directory], check=True)
        result = node.run(operation='Install', reboot_option='NoReboot', baseline=ALL_SECURITY[node.family])
    finally:
        subprocess.run(['umount', directory], check=True)
    assert result['failed'] is True
    assert os.path.join(directory, 'state.json') in result['msg'] and 'Read-only file system' in result['msg']
    assert node.database_digest() == digest
    assert node.installed()['alpha'] == expected_version(node.family, '1.0')
    assert os.listdir(directory) == []
