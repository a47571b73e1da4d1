# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults on fleet nodes: each test checks that nothing is lost and the next Scan tells the truth.

"The truth" is what the node's own package manager says (dpkg-query / rpm -q) about the
packages the run touched. Each test uses its own node, so they do not depend on each other.
"""

import errno
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from tests.fleet import fleetctl, scenario
from tests.fleet.conftest import HERE, PlaybookReport, by_name
from tests.support import rpmrepo

NEW = {'fleet-base': '1.1-1', 'fleet-tool': '2.1-1', 'fleet-broken': '1.1-1', 'fleet-big': '1.1-1'}
# One node per package family for the faults that run on every family (fleet mix: node2 deb, node3 rpm, node4 suse, ...).
NODE_OF_FAMILY = {'deb': 'node5', 'rpm': 'node3', 'suse': 'node7'}
FAMILY_NODES = [pytest.param(name, id=family) for family, name in sorted(NODE_OF_FAMILY.items())]


def node_named(fleet, name):
    return fleet.node(name)


def put_back(fleet, node, specs):
    """Install exactly these (older) versions on the node, with its own package manager."""
    if node['family'] == 'deb':
        fleetctl.node_exec(node, ['apt-get', '-q', '-y', '--allow-downgrades', 'install'] +
                           ['%s=%s' % (spec.name, spec.deb_version) for spec in specs],
                           env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))
    else:
        for spec in specs:
            if fleet.versions(node, [spec.name])[spec.name] is not None:
                fleetctl.node_exec(node, ['rpm', '-e', '--nodeps', '--noscripts', spec.name])
        fleetctl.install_initial_packages(node, os.path.join(fleetctl.run_dir(), 'repos'), specs)
    assert fleet.versions(node, [spec.name for spec in specs]) == {spec.name: '%s-%s' % (spec.version, spec.release)
                                                                   for spec in specs}


def assert_scan_tells_truth(fleet, node, names, pending=()):
    """A Scan reports each package at the version the package manager has, MISSING while below the update.

    ``pending``: packages a NoReboot run of this boot updated; at the new version they must be
    INSTALLED_PENDING_REBOOT (others may be either, depending on the node's history).
    """
    _rc, results, _report = fleet.patch('Scan', limit=node['name'])
    patches = by_name(results[node['name']])
    actual = fleet.versions(node, names)
    for name in names:
        assert actual[name] is not None, '%s was lost from %s' % (name, node['name'])
        assert patches[name]['installed_version'].split(':')[-1] == actual[name]
        if actual[name] != NEW[name]:
            expected = ('MISSING',)
        elif name in pending:
            expected = ('INSTALLED_PENDING_REBOOT',)
        else:
            expected = ('INSTALLED', 'INSTALLED_PENDING_REBOOT')
        assert patches[name]['state'] in expected, (name, patches[name])
    return results[node['name']]


def wait_for_file(fleet, node, path, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fleet.ssh(node, 'test', '-s', path, check=False).returncode == 0:
            return fleet.ssh(node, 'cat', path).stdout.split()
        time.sleep(0.2)
    raise AssertionError('%s did not appear on %s' % (path, node['name']))


def test_sshd_dying_mid_run_makes_only_that_node_unreachable(fleet):
    victim = node_named(fleet, 'node4')
    _rc, report = fleet.ansible_playbook(os.path.join(HERE, 'playbooks', 'sshd_dies.yml'), check=False, extra_vars={
        'fleet_victim': victim['name'],
        'fleet_baselines': {family: scenario.fleet_baseline(family) for family in fleetctl.FAMILIES}})
    assert report.unreachable_hosts() == [victim['name']]
    results = report.results('Patch')
    assert results[victim['name']]['fleet_status'] == 'unreachable'
    for node in fleet.nodes:
        if node is not victim:
            assert results[node['name']]['fleet_status'] == 'ok'
            assert results[node['name']]['instance_patch_state']['operation'] == 'Scan'
    # Bring the node back the way an operator would (a reboot) and ask again. Signalled from
    # outside: a kill run inside the node may itself be stopped by the reboot before it exits.
    os.kill(victim['init_pid'], signal.SIGUSR1)
    fleetctl.wait_for_ssh(victim)
    assert_scan_tells_truth(fleet, victim, ['fleet-base', 'fleet-tool'])


# The lock each family's package manager takes, held the way that package manager holds it:
# apt/dpkg an fcntl lock, dnf and zypper a pid file naming a live process.
LOCK_FILES = {'deb': '/var/lib/dpkg/lock-frontend', 'rpm': '/var/lib/dnf/rpmdb_lock.pid', 'suse': '/run/zypp.pid'}
LOCK_HOLDER = ('import fcntl, os, sys, time\n'
               'os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)\n'
               'lock = open(sys.argv[1], "w")\n'
               'fcntl.lockf(lock, fcntl.LOCK_EX)\n'
               'lock.write(str(os.getpid()))\n'
               'lock.flush()\n'
               'open("/run/fleet-lock-holder.pid", "w").write(str(os.getpid()))\n'
               'time.sleep(100000)\n')


@pytest.mark.parametrize('node_name', FAMILY_NODES)
def test_package_manager_lock_held_by_another_process(fleet, node_name):
    node = node_named(fleet, node_name)
    put_back(fleet, node, [scenario.BASE_OLD])
    fleet.ssh(node, 'rm', '-f', '/run/fleet-lock-holder.pid')
    # Detached, with no tie to the SSH session's pipes, like a package manager run from cron.
    fleet.ssh(node, 'sh', '-c', 'setsid -f python3 -c "$1" "$2" </dev/null >/dev/null 2>&1', 'holder', LOCK_HOLDER,
              LOCK_FILES[node['family']])
    holder = wait_for_file(fleet, node, '/run/fleet-lock-holder.pid')[0]
    try:
        _rc, results, _report = fleet.patch('Install', limit=node['name'], check=False, reboot_option='NoReboot',
                                            lock_timeout=1)
        result = results[node['name']]
        assert result['fleet_status'] == 'failed'
        assert 'lock' in result['msg'] and holder in result['msg']
        assert fleet.versions(node, ['fleet-base']) == {'fleet-base': '1.0-1'}     # nothing was changed
    finally:
        fleet.ssh(node, 'kill', holder)
    assert assert_scan_tells_truth(fleet, node, ['fleet-base', 'fleet-tool'])['instance_patch_state']['missing_count'] >= 1
    _rc, results, _report = fleet.patch('Install', limit=node['name'], reboot_option='NoReboot')
    assert by_name(results[node['name']])['fleet-base']['state'] == 'INSTALLED_PENDING_REBOOT'
    assert fleet.versions(node, ['fleet-base']) == {'fleet-base': '1.1-1'}


@pytest.mark.parametrize('node_name', [pytest.param('node2', id='deb'), pytest.param('node6', id='rpm'),
                                       pytest.param('node4', id='suse')])
def test_failing_maintainer_script(fleet, node_name):
    node = node_named(fleet, node_name)
    put_back(fleet, node, [scenario.BROKEN_OLD, scenario.BASE_OLD])
    _rc, results, _report = fleet.patch('Install', limit=node['name'], check=False, reboot_option='NoReboot')
    result = results[node['name']]
    # Every family fails the task loudly, naming the package.
    assert result['fleet_status'] == 'failed' and 'fleet-broken' in result['msg']
    assert result['instance_patch_state']['compliance_status'] == 'NON_COMPLIANT'
    # The failure of one package does not cost the others their update.
    assert fleet.versions(node, ['fleet-base']) == {'fleet-base': '1.1-1'}
    if node['family'] != 'deb':
        # rpm keeps a package whose %post failed installed at the new version; the Scan says so,
        # and both updates of this NoReboot run wait for a reboot.
        assert fleet.versions(node, ['fleet-broken']) == {'fleet-broken': '1.1-1'}
        assert_scan_tells_truth(fleet, node, ['fleet-broken', 'fleet-base'], pending=['fleet-broken', 'fleet-base'])
        return
    assert by_name(result)['fleet-broken']['state'] == 'FAILED'
    assert result['instance_patch_state']['failed_count'] >= 1
    status = fleet.ssh(node, 'dpkg-query', '-W', '-f', '${db:Status-Abbrev}', 'fleet-broken').stdout.strip()
    _rc, results, _report = fleet.patch('Scan', limit=node['name'])
    broken = by_name(results[node['name']])['fleet-broken']
    assert by_name(results[node['name']])['fleet-base']['state'] == 'INSTALLED_PENDING_REBOOT'
    # The version dpkg has, possibly marked as not configured (e.g. '1.1-1~halfconfigured').
    assert broken['installed_version'].startswith(('1.0-1', '1.1-1'))
    if status != 'ii':
        # Unpacked but not configured is not "installed": the node must stay non-compliant.
        assert broken['state'] != 'INSTALLED'
        assert results[node['name']]['instance_patch_state']['compliance_status'] == 'NON_COMPLIANT'


def node_mount_namespace(node, argv):
    """Run a host binary in the node's mount namespace (paths are the host's view of the node root)."""
    subprocess.run(['nsenter', '--target', str(node['init_pid']), '--mount'] + argv, check=True)


def test_full_disk(fleet):
    node = node_named(fleet, 'node6')
    put_back(fleet, node, [scenario.BIG_OLD])
    payload = '/usr/share/fleetops-test'
    inside = os.path.join(node['root'], payload.lstrip('/'))
    saved = tempfile.mkdtemp()
    shutil.copytree(fleetctl.node_path(node, payload), os.path.join(saved, 'copy'), symlinks=True)
    # A 4 MiB file system over the directory the packages unpack into, filled up.
    node_mount_namespace(node, ['mount', '-t', 'tmpfs', '-o', 'size=4m', 'fleetops-fleet-full-disk', inside])
    try:
        shutil.copytree(os.path.join(saved, 'copy'), fleetctl.node_path(node, payload), symlinks=True, dirs_exist_ok=True)
        try:
            with open(fleetctl.node_path(node, payload + '/filler'), 'wb') as handle:
                while True:
                    handle.write(b'\0' * 65536)
                    handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        _rc, results, _report = fleet.patch('Install', limit=node['name'], check=False, reboot_option='NoReboot')
        result = results[node['name']]
        if result['fleet_status'] == 'ok':
            assert by_name(result)['fleet-big']['state'] == 'FAILED'
        else:
            assert 'fleet-big' in result['msg'] or 'space' in result['msg'].lower()
        assert fleet.versions(node, ['fleet-big']) == {'fleet-big': '1.0-1'}
        assert_scan_tells_truth(fleet, node, ['fleet-big', 'fleet-base', 'fleet-tool'])
    finally:
        node_mount_namespace(node, ['umount', inside])
        shutil.rmtree(saved)
    _rc, results, _report = fleet.patch('Install', limit=node['name'], reboot_option='NoReboot')
    assert fleet.versions(node, ['fleet-big']) == {'fleet-big': '1.1-1'}


# Stops the package manager inside its transaction, after it changed the packages, until killed:
# apt runs DPkg::Post-Invoke after dpkg; rpm runs an installed package's %transfiletriggerin at the
# end of every transaction that installs matching files (dnf in its own process, zypper through rpm).
INTERRUPT_PIDS = '/run/fleet-interrupt.pids'
INTERRUPT_ARMED = '/run/fleet-interrupt.armed'
APT_INTERRUPT_HOOK = '/etc/apt/apt.conf.d/99fleet-interrupt'
INTERRUPT_RPM = 'fleet-interrupt-hook'
INTERRUPT_SPEC = """Name: %s
Version: 1
Release: 1
Summary: Stops rpm transactions of the fleet test packages until killed (fault tests only)
License: GPL-3.0-or-later
BuildArch: noarch
%%description
Fault test hook; acts only while %s exists.
%%transfiletriggerin -- /usr/share/fleetops-test
[ -e %s ] || exit 0
rm -f %s
echo $$ > %s
exec sleep 100000
%%files
""" % (INTERRUPT_RPM, INTERRUPT_ARMED, INTERRUPT_ARMED, INTERRUPT_ARMED, INTERRUPT_PIDS)


@pytest.fixture(scope='module')
def interrupt_rpm(tmp_path_factory):
    built = rpmrepo.rpmbuild_spec(INTERRUPT_SPEC, str(tmp_path_factory.mktemp('interrupt')))
    return os.path.join(built, '%s-1-1.noarch.rpm' % INTERRUPT_RPM)


def install_interrupt_hook(fleet, node, request):
    if node['family'] == 'deb':
        with open(fleetctl.node_path(node, APT_INTERRUPT_HOOK), 'w') as handle:
            handle.write('DPkg::Post-Invoke { "echo $$ > %s; exec sleep 100000"; };\n' % INTERRUPT_PIDS)
        return
    package = request.getfixturevalue('interrupt_rpm')
    staged = '/var/tmp/' + os.path.basename(package)
    shutil.copyfile(package, fleetctl.node_path(node, staged))
    fleetctl.node_exec(node, ['rpm', '-i', '--nodeps', '--nosignature', '--nodigest', staged])
    os.remove(fleetctl.node_path(node, staged))
    fleet.ssh(node, 'touch', INTERRUPT_ARMED)


def remove_interrupt_hook(fleet, node):
    if node['family'] == 'deb':
        os.remove(fleetctl.node_path(node, APT_INTERRUPT_HOOK))
    else:
        fleetctl.node_exec(node, ['rpm', '-e', '--nodeps', INTERRUPT_RPM])
    fleet.ssh(node, 'rm', '-f', INTERRUPT_ARMED, INTERRUPT_PIDS)


def kill_from_hook_to_module(fleet, node, hook_pid):
    """SIGKILL the chain of processes from the hook up to the module's Python process, all at once."""
    table = {}
    for line in fleet.ssh(node, 'ps', '-eo', 'pid=,ppid=,args=').stdout.splitlines():
        pid, ppid, args = line.split(None, 2)
        table[pid] = (ppid, args)
    chain = [hook_pid]
    while not table[chain[-1]][1].startswith('/usr/bin/python3 ') or 'AnsiballZ_run_patch_baseline' not in table[chain[-1]][1]:
        chain.append(table[chain[-1]][0])
        assert chain[-1] in table, 'the module is not an ancestor of the package manager hook: %s' % table
    fleet.ssh(node, 'kill', '-KILL', *chain)


def install_killed_part_way(fleet, node, request, reboot_option):
    """Install with the module killed after the package manager changed packages; the names it changed."""
    names = ['fleet-base', 'fleet-tool']
    put_back(fleet, node, [scenario.BASE_OLD, scenario.TOOL_OLD])
    fleet.ssh(node, 'rm', '-f', INTERRUPT_PIDS)
    # After the package manager has changed the packages, before the module can record anything: stop there.
    install_interrupt_hook(fleet, node, request)
    try:
        run = fleet.patch_in_background('Install', limit=node['name'], reboot_option=reboot_option)
        kill_from_hook_to_module(fleet, node, wait_for_file(fleet, node, INTERRUPT_PIDS)[0])
        output, _errors = run.communicate()
        report = PlaybookReport(json.loads(output))
        assert report.results('Patch')[node['name']]['fleet_status'] == 'failed'
    finally:
        remove_interrupt_hook(fleet, node)
    # apt changes both in one dpkg run; zypper runs rpm once per package and was stopped after the first.
    changed = [name for name, version in fleet.versions(node, names).items() if version == NEW[name]]
    assert changed, 'the package manager changed nothing before it was stopped'
    if node['family'] == 'deb':
        assert changed == names
        assert fleet.ssh(node, 'dpkg', '--audit').stdout.strip() == ''
    else:
        for name in names:   # one rpmdb entry each: no half-finished upgrade left behind
            assert len(fleet.ssh(node, 'rpm', '-q', name).stdout.split()) == 1, name
    return changed


@pytest.mark.parametrize('node_name', FAMILY_NODES)
def test_install_killed_part_way(fleet, node_name, request):
    node = node_named(fleet, node_name)
    changed = install_killed_part_way(fleet, node, request, 'NoReboot')
    # The state recorded before the install keeps the updates pending although the module never finished.
    assert_scan_tells_truth(fleet, node, ['fleet-base', 'fleet-tool'], pending=changed)


def test_reboot_if_needed_install_killed_before_its_reboot(fleet, request):
    # RebootIfNeeded records nothing pending: AWS reports its updates INSTALLED, the state its
    # reboot leaves. Killed before that reboot, the node keeps running and the next Scan says
    # INSTALLED too (packages installed outside a NoReboot run are never pending, CONTRACT.md).
    node = node_named(fleet, NODE_OF_FAMILY['deb'])     # not node2: its dpkg keeps the failing fleet-broken
    fleet.reboot(node)      # a boot without pending entries of earlier tests
    boot_id = fleet.boot_id(node)
    changed = install_killed_part_way(fleet, node, request, 'RebootIfNeeded')
    assert fleet.boot_id(node) == boot_id
    result = assert_scan_tells_truth(fleet, node, ['fleet-base', 'fleet-tool'])
    assert [by_name(result)[name]['state'] for name in changed] == ['INSTALLED'] * len(changed)
