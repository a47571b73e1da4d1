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
import subprocess
import tempfile
import time

from tests.fleet import fleetctl, scenario
from tests.fleet.conftest import HERE, PlaybookReport, by_name

NEW = {'fleet-base': '1.1-1', 'fleet-tool': '2.1-1', 'fleet-broken': '1.1-1', 'fleet-big': '1.1-1'}


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


def assert_scan_tells_truth(fleet, node, names):
    """A Scan reports each package at the version the package manager has, MISSING while below the update."""
    _rc, results, _report = fleet.patch('Scan', limit=node['name'])
    patches = by_name(results[node['name']])
    actual = fleet.versions(node, names)
    for name in names:
        assert actual[name] is not None, '%s was lost from %s' % (name, node['name'])
        assert patches[name]['installed_version'].split(':')[-1] == actual[name]
        expected = 'INSTALLED' if actual[name] == NEW[name] else 'MISSING'
        assert patches[name]['state'] in (expected, 'INSTALLED_PENDING_REBOOT' if expected == 'INSTALLED' else expected)
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
    results = report.results('patch')
    assert results[victim['name']]['fleet_status'] == 'unreachable'
    for node in fleet.nodes:
        if node is not victim:
            assert results[node['name']]['fleet_status'] == 'ok'
            assert results[node['name']]['instance_patch_state']['operation'] == 'Scan'
    # Bring the node back the way an operator would (a reboot) and ask again.
    fleetctl.node_exec(victim, ['kill', '-USR1', '1'])
    fleetctl.wait_for_ssh(victim)
    assert_scan_tells_truth(fleet, victim, ['fleet-base', 'fleet-tool'])


def test_package_manager_lock_held_by_another_process(fleet):
    node = node_named(fleet, 'node5')
    put_back(fleet, node, [scenario.BASE_OLD])
    holder_program = ('import fcntl, os, time\n'
                      'lock = open("/var/lib/dpkg/lock-frontend", "w")\n'
                      'fcntl.lockf(lock, fcntl.LOCK_EX)\n'
                      'open("/run/fleet-lock-holder.pid", "w").write(str(os.getpid()))\n'
                      'time.sleep(100000)\n')
    # Detached, with no tie to the SSH session's pipes, like a package manager run from cron.
    fleet.ssh(node, 'sh', '-c', 'setsid -f python3 -c "$1" </dev/null >/dev/null 2>&1', 'holder', holder_program)
    holder = wait_for_file(fleet, node, '/run/fleet-lock-holder.pid')[0]
    try:
        _rc, results, _report = fleet.patch('Install', limit=node['name'], check=False, reboot_option='NoReboot',
                                            lock_timeout=3)
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


def test_failing_maintainer_script(fleet):
    node = node_named(fleet, 'node2')
    put_back(fleet, node, [scenario.BROKEN_OLD, scenario.BASE_OLD])
    _rc, results, _report = fleet.patch('Install', limit=node['name'], check=False, reboot_option='NoReboot')
    result = results[node['name']]
    assert by_name(result)['fleet-broken']['state'] == 'FAILED'
    assert result['instance_patch_state']['failed_count'] >= 1
    assert result['instance_patch_state']['compliance_status'] == 'NON_COMPLIANT'
    # The failure of one package does not cost the others their update.
    assert fleet.versions(node, ['fleet-base']) == {'fleet-base': '1.1-1'}
    status = fleet.ssh(node, 'dpkg-query', '-W', '-f', '${db:Status-Abbrev}', 'fleet-broken').stdout.strip()
    _rc, results, _report = fleet.patch('Scan', limit=node['name'])
    broken = by_name(results[node['name']])['fleet-broken']
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


def test_install_killed_part_way(fleet):
    node = node_named(fleet, 'node5')
    put_back(fleet, node, [scenario.TOOL_OLD])
    hook = '/etc/apt/apt.conf.d/99fleet-interrupt'
    # After dpkg has changed the packages, before the module can record anything: stop there.
    with open(fleetctl.node_path(node, hook), 'w') as handle:
        handle.write('DPkg::Post-Invoke { "echo $$ $PPID > /run/fleet-interrupt.pids; exec sleep 100000"; };\n')
    try:
        run = fleet.patch_in_background('Install', limit=node['name'], reboot_option='NoReboot')
        hook_pid = wait_for_file(fleet, node, '/run/fleet-interrupt.pids')[0]
        # The chain from the hook up to the module's Python process: kill all of it at once.
        table = {}
        for line in fleet.ssh(node, 'ps', '-eo', 'pid=,ppid=,args=').stdout.splitlines():
            pid, ppid, args = line.split(None, 2)
            table[pid] = (ppid, args)
        chain = [hook_pid]
        while not table[chain[-1]][1].startswith('/usr/bin/python3 ') or 'AnsiballZ_run_patch_baseline' not in table[chain[-1]][1]:
            chain.append(table[chain[-1]][0])
            assert chain[-1] in table, 'the module is not an ancestor of the apt hook: %s' % table
        fleet.ssh(node, 'kill', '-KILL', *chain)
        output, _errors = run.communicate()
        report = PlaybookReport(json.loads(output))
        assert report.results('patch')[node['name']]['fleet_status'] == 'failed'
    finally:
        os.remove(fleetctl.node_path(node, hook))
    assert fleet.versions(node, ['fleet-tool']) == {'fleet-tool': '2.1-1'}     # dpkg had finished
    result = assert_scan_tells_truth(fleet, node, ['fleet-base', 'fleet-tool'])
    assert by_name(result)['fleet-tool']['state'] in ('INSTALLED', 'INSTALLED_PENDING_REBOOT')
    assert fleet.ssh(node, 'dpkg', '--audit').stdout.strip() == ''
