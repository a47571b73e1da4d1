# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet itself: identity over SSH, inventories, package managers over HTTP, reboot."""

import json
import os
import subprocess

from tests.fleet import fleetctl
from tests.fleet.conftest import REPO_ROOT, VENV_BIN

OS_IDS = {'deb': ('debian', '12'), 'rpm': ('rhel', '9.4'), 'suse': ('sles', '15.5')}


def os_release(fleet, node):
    text = fleet.ssh(node, 'cat', '/etc/os-release').stdout
    pairs = (line.split('=', 1) for line in text.splitlines() if '=' in line)
    return {key: value.strip('"') for key, value in pairs}


def test_six_nodes_of_three_families_in_two_patch_groups(fleet):
    assert len(fleet.nodes) >= 6
    assert {node['family'] for node in fleet.nodes} == {'deb', 'rpm', 'suse'}
    for group in fleetctl.PATCH_GROUPS:
        assert {node['family'] for node in fleet.nodes if node['patch_group'] == group} == {'deb', 'rpm', 'suse'}


def test_each_node_has_its_own_os_hostname_and_boot_id(fleet):
    boot_ids = set()
    for node in fleet.nodes:
        release = os_release(fleet, node)
        assert (release['ID'], release['VERSION_ID']) == OS_IDS[node['family']], node['name']
        assert fleet.ssh(node, 'hostname').stdout.strip() == node['name']
        # The node sees only its own processes: its init is PID 1.
        assert fleet.ssh(node, 'cat', '/proc/1/cmdline').stdout.split('\0')[1].endswith('nodeinit.py')
        boot_ids.add(fleet.boot_id(node))
    assert len(boot_ids) == len(fleet.nodes)


def test_sshd_accepts_only_the_fleet_key(fleet):
    node = fleet.nodes[0]
    argv = fleetctl.ssh_argv(node, 'true')
    key_index = argv.index('-i') + 1
    other_key = os.path.join(fleetctl.run_dir(), 'not-the-fleet-key')
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', other_key], check=True)
    argv[key_index] = other_key
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert result.returncode == 255
    assert 'Permission denied' in result.stderr


def test_static_inventory_reaches_every_node(fleet):
    result = subprocess.run([os.path.join(VENV_BIN, 'ansible'), 'all', '-i', fleet.inventory, '-m', 'ansible.builtin.ping',
                             '--one-line'], cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(line.split()[0] for line in result.stdout.splitlines() if 'SUCCESS' in line) == \
        sorted(node['name'] for node in fleet.nodes)


def test_fleet_file_groups_nodes_by_patch_group_tags(fleet):
    result = subprocess.run([os.path.join(VENV_BIN, 'ansible-inventory'), '-i', fleet.state['fleet_file'], '--list'],
                            cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, check=False)
    assert result.returncode == 0, result.stderr
    inventory = json.loads(result.stdout)
    for group in fleetctl.PATCH_GROUPS:
        expected = sorted(node['name'] for node in fleet.nodes if node['patch_group'] == group)
        assert sorted(inventory['patch_group_%s' % group]['hosts']) == expected
    first = fleet.nodes[0]
    assert inventory['_meta']['hostvars'][first['name']]['ansible_host'] == first['address']


def test_package_managers_fetch_the_repositories_over_http(fleet):
    url = fleet.state['repository_url']
    assert url.startswith('http://127.0.0.1:')
    for node in fleet.of_family('deb'):
        fleet.ssh(node, 'apt-get', '-q', 'update')
        madison = fleet.ssh(node, 'apt-cache', 'madison', 'fleet-base').stdout
        assert '1.1-1 | %s/deb bookworm-security/main' % url in madison
        assert '1.0-1 | %s/deb bookworm/main' % url in madison
    for node in fleet.of_family('rpm'):
        listed = fleet.ssh(node, 'dnf', '-q', '--refresh', 'repoquery', '--qf', '%{name}-%{evr} %{reponame}', 'fleet-base').stdout
        assert 'fleet-base-1.1-1 fleetops-fleet' in listed.splitlines()
    for node in fleet.of_family('suse'):
        fleet.ssh(node, 'zypper', '-n', 'refresh', '--force')
        found = fleet.ssh(node, 'zypper', '-n', 'search', '-s', '-x', 'fleet-base').stdout
        assert [line for line in found.splitlines() if '1.1-1' in line and 'fleetops test fleet repository' in line]
        assert 'FLEET-2026:0001' in fleet.ssh(node, 'zypper', '-n', 'search', '-t', 'patch', 'FLEET').stdout


def test_ansible_builtin_reboot_restarts_the_node(fleet, tmp_path):
    node = fleet.of_family('rpm')[0]
    before = fleet.boot_id(node)
    # A process that a reboot must end; its PID file lives in /run, which a boot empties.
    fleet.ssh(node, 'sh', '-c', 'sleep 100000 </dev/null >/dev/null 2>&1 & echo $! > /run/fleet-sleeper.pid')
    playbook = tmp_path / 'reboot.yml'
    playbook.write_text('- hosts: all\n  gather_facts: false\n  tasks:\n    - name: reboot\n      ansible.builtin.reboot:\n'
                        '        reboot_timeout: 120\n')
    _rc, report = fleet.ansible_playbook(str(playbook), limit=node['name'])
    assert report.results('reboot')[node['name']]['rebooted'] is True
    after = fleet.boot_id(node)
    assert after != before
    assert fleet.ssh(node, 'test', '-e', '/run/fleet-sleeper.pid', check=False).returncode == 1
    assert 'sleep 100000' not in fleet.ssh(node, 'ps', '-eo', 'args').stdout
