# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Session fixture: one fleet of 6 nodes (deb, rpm, suse x 2 patch groups) for all fleet tests.

The fleet is brought up once per session and torn down at the end; the tests that
change a node (reboot, faults) leave it reachable again. Needs root.
"""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
for path in (REPO_ROOT, os.path.join(REPO_ROOT, '.collections')):
    if path not in sys.path:
        sys.path.insert(0, path)

from tests.fleet import fleetctl, scenario  # noqa: E402  pylint: disable=wrong-import-position

FLEET_SIZE = 6
VENV_BIN = os.path.join(REPO_ROOT, '.venv', 'bin')


@pytest.fixture(scope='session')
def fleet():
    if os.geteuid() != 0:
        pytest.skip('the test fleet needs root')
    # One fleet per machine: other sessions (tests/fleet_layer) wait until this one is done.
    with fleetctl.session_lock():
        state = fleetctl.up(FLEET_SIZE, 'mix')
        try:
            yield Fleet(state)
        finally:
            with fleetctl.fleet_lock():
                fleetctl.down()


class Fleet(object):
    """The running fleet as the tests see it."""

    def __init__(self, state):
        self.state = state
        self.nodes = state['nodes']
        self.inventory = state['inventory']

    def restart(self):
        """A fresh fleet of the same size (after a test took it down)."""
        self.__init__(fleetctl.up(FLEET_SIZE, 'mix'))

    def node(self, name):
        return fleetctl.find_node(self.state, name)

    def of_family(self, family):
        return [node for node in self.nodes if node['family'] == family]

    def ssh(self, node, *command, check=True):
        result = subprocess.run(fleetctl.ssh_argv(node, *command), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, check=False)
        if check and result.returncode != 0:
            raise AssertionError('ssh %s %s failed (rc %d): %s' % (node['name'], ' '.join(command), result.returncode,
                                                                   result.stderr))
        return result

    def reboot(self, node):
        """Reboot the node with its own reboot command; return once it answers with a new boot id."""
        return fleetctl.reboot(node)

    def boot_id(self, node):
        return self.ssh(node, 'cat', '/proc/sys/kernel/random/boot_id').stdout.strip()

    def _playbook_argv(self, playbook, limit, extra_vars):
        argv = [os.path.join(VENV_BIN, 'ansible-playbook'), '-i', self.inventory, playbook, '--forks', '6']
        if limit:
            argv += ['--limit', limit]
        if extra_vars:
            argv += ['--extra-vars', json.dumps(extra_vars)]
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'), ANSIBLE_STDOUT_CALLBACK='fleet_results')
        return argv, env

    def patch_in_background(self, operation, limit=None, **options):
        """Start run_patch_baseline without waiting; returns the Popen (stdout: the JSON report)."""
        argv, env = self._playbook_argv(os.path.join(HERE, 'playbooks', 'patch.yml'), limit,
                                        self._patch_vars(operation, options))
        return subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True)

    @staticmethod
    def _patch_vars(operation, options):
        extra_vars = {'patch_operation': operation,
                      'fleet_baselines': {family: scenario.fleet_baseline(family) for family in fleetctl.FAMILIES}}
        extra_vars.update(('patch_%s' % key, value) for key, value in options.items())
        return extra_vars

    def ansible_playbook(self, playbook, limit=None, extra_vars=None, check=True):
        """Run a playbook against the fleet inventory; return (rc, {host: [task results]}) from the json callback."""
        argv, env = self._playbook_argv(playbook, limit, extra_vars)
        result = subprocess.run(argv, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, check=False)
        try:
            report = json.loads(result.stdout)
        except ValueError:
            raise AssertionError('ansible-playbook printed no JSON (rc %d):\n%s\n%s' % (
                result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
        if check and result.returncode != 0:
            raise AssertionError('ansible-playbook failed (rc %d):\n%s' % (result.returncode, json.dumps(report, indent=1)[-6000:]))
        return result.returncode, PlaybookReport(report)

    def patch(self, operation='Scan', limit=None, check=True, **options):
        """run_patch_baseline on the fleet with scenario.fleet_baseline; (rc, {host: result})."""
        rc, report = self.ansible_playbook(os.path.join(HERE, 'playbooks', 'patch.yml'), limit=limit,
                                           extra_vars=self._patch_vars(operation, options), check=check)
        return rc, report.results('Patch'), report

    def versions(self, node, names=('fleet-base', 'fleet-tool')):
        """{name: installed version} as the node's own package manager reports it (None: not installed)."""
        found = {}
        for name in names:
            if node['family'] == 'deb':
                result = self.ssh(node, 'dpkg-query', '-W', '-f', '${db:Status-Abbrev} ${Version}', name, check=False)
                words = result.stdout.split()
                found[name] = words[-1] if result.returncode == 0 and words and words[0] != 'un' else None
            else:
                result = self.ssh(node, 'rpm', '-q', '--qf', '%{VERSION}-%{RELEASE}', name, check=False)
                found[name] = result.stdout.strip() if result.returncode == 0 else None
        return found


def by_name(result):
    """{package name: patch dict} of one host's run_patch_baseline result."""
    return {patch['name']: patch for patch in result['patches']}


class PlaybookReport(object):
    """Per-host task results and stats of the json callback's output."""

    def __init__(self, report):
        self.raw = report
        self.stats = report.get('stats', {})

    def results(self, task_name):
        """{host: result} of the first task with this name."""
        for task in self.raw.get('tasks', []):
            if task['name'] == task_name:
                return task['hosts']
        raise AssertionError('no task named %r ran' % task_name)

    def unreachable_hosts(self):
        return sorted(host for host, stat in self.stats.items() if stat.get('unreachable'))
