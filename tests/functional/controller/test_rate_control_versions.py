# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rate_control strategy on every ansible-core the repository has a venv for (the oldest supported too).

Local-connection hosts (no fleet needed) run tests/fleet_layer/playbooks/rate_window.yml; the
strategy uses ansible-core internals (the free strategy's loop, the play iterator), so this is
the guard that they still behave as it expects.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PLAYBOOK = os.path.join(REPO_ROOT, 'tests', 'fleet_layer', 'playbooks', 'rate_window.yml')
CALLBACKS = os.path.join(REPO_ROOT, 'tests', 'fleet_layer', 'callback_plugins')
VENVS = ('.venv', '.venv-2.16')
HOSTS = ['node2', 'node3', 'node4', 'node5', 'node6', 'node7']


def run(venv, tmp_path, concurrency, errors, seconds, failing=()):
    playbook = os.path.join(REPO_ROOT, venv, 'bin', 'ansible-playbook')
    if not os.path.exists(playbook):
        pytest.skip('%s is not set up here (make venv-oldest)' % venv)
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text('[all]\n%s\n[all:vars]\nansible_connection=local\n' % '\n'.join(HOSTS))
    record = tmp_path / 'record.json'
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
               ANSIBLE_CALLBACKS_ENABLED='fleet_layer_record', FLEET_LAYER_RECORD=str(record),
               ANSIBLE_PYTHON_INTERPRETER=os.path.join(REPO_ROOT, venv, 'bin', 'python'))
    extra = {'window_concurrency': concurrency, 'window_errors': errors, 'window_seconds': seconds,
             'window_failing': list(failing)}
    result = subprocess.run([playbook, '-i', str(inventory), PLAYBOOK, '--forks', '6', '-e', json.dumps(extra)],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, check=False)
    with open(str(record)) as handle:
        stats = json.load(handle)['custom_stats']['_run']
    return result, stats['patch_fleet_result'], stats['patch_fleet_summary']


@pytest.mark.parametrize('venv', VENVS)
def test_window_and_error_budget(venv, tmp_path):
    result, records, summary = run(venv, tmp_path, 2, 0, {'node2': 6}, failing=['node4'])
    assert result.returncode != 0, result.stdout[-3000:]
    outcomes = dict((host, record['outcome']) for host, record in records['hosts'].items())
    # node3 finishes first and node4 takes its slot; node4 fails, so after node2 finishes (or
    # before, whichever comes first) at most one more host may have started.
    assert outcomes['node4'] == 'failed'
    assert outcomes['node2'] == outcomes['node3'] == 'non_compliant'
    assert records['not_attempted'] in (['node5', 'node6', 'node7'], ['node6', 'node7'])
    assert summary['totals']['failed'] == 1
    assert records['hosts']['node4']['failed_step'] == 'Fail on the hosts the test chose'


@pytest.mark.parametrize('venv', VENVS)
def test_bad_limit_fails_the_play_before_any_host(venv, tmp_path):
    playbook = os.path.join(REPO_ROOT, venv, 'bin', 'ansible-playbook')
    if not os.path.exists(playbook):
        pytest.skip('%s is not set up here' % venv)
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text('[all]\nnode2\n[all:vars]\nansible_connection=local\n')
    extra = {'window_concurrency': 1, 'window_errors': '5 %', 'window_seconds': {}, 'window_failing': []}
    result = subprocess.run([playbook, '-i', str(inventory), PLAYBOOK, '-e', json.dumps(extra)], cwd=REPO_ROOT,
                            env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg')),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert result.returncode != 0
    assert 'patch_max_errors must be a count of 0 or more or a percentage 0%..100% (got 5 %)' in result.stdout
    assert 'Work for the host' not in result.stdout
