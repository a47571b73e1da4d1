# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""maintenance_window_info as a user runs it: ansible and ansible-playbook against the example registry."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess
import sys

import pytest

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
COLLECTIONS_ROOT = os.path.abspath(os.path.join(COLLECTION, '..', '..', '..'))
EXAMPLES = os.path.join(COLLECTION, 'examples', 'patch_registry')
BIN = os.path.dirname(sys.executable)
# A callback that keeps every task result of web1 in a JSON file, in task order.
RECORDER = """
import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.results = []

    def v2_runner_on_ok(self, result, *args, **kwargs):
        self.results.append(dict(result._result))

    def v2_runner_on_failed(self, result, *args, **kwargs):
        self.results.append(dict(result._result, recorded_as_failed=True))

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['RECORD_FILE'], 'w') as handle:
            json.dump(self.results, handle)
"""


def tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else shutil.which(name)


@pytest.fixture
def inventory(tmp_path):
    """An inventory directory with the example registry beside it (an unreachable host: nothing connects)."""
    (tmp_path / 'hosts.yml').write_text('all:\n  hosts:\n    web1:\n      ansible_host: 192.0.2.1\n')
    (tmp_path / 'ansible.cfg').write_text('[defaults]\n')
    (tmp_path / 'callback_plugins').mkdir()
    (tmp_path / 'callback_plugins' / 'record.py').write_text(RECORDER)
    os.symlink(EXAMPLES, str(tmp_path / 'patch_registry'))
    return tmp_path


def run(argv, cwd):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_CALLBACK_PLUGINS=str(cwd / 'callback_plugins'),
               ANSIBLE_CALLBACKS_ENABLED='record', RECORD_FILE=str(cwd / 'results.json'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=str(cwd / 'tmp'), ANSIBLE_CONFIG=str(cwd / 'ansible.cfg'))
    return subprocess.run(argv, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=300, check=False)


def task_results(directory):
    with open(str(directory / 'results.json')) as handle:
        return json.load(handle)


def test_playbook_lists_executions_without_touching_the_host_in_check_mode(inventory):
    (inventory / 'play.yml').write_text('''
- hosts: web1
  gather_facts: false
  tasks:
    - fleetops.patch_manager.maintenance_window_info:
        window: prod-sunday
        after: "2026-03-29T00:00:00"
        count: 2
    - fleetops.patch_manager.maintenance_window_info:
        policy: fleet
        after: "2026-03-01T00:00:00Z"
        count: 1
    - fleetops.patch_manager.maintenance_window_info:
        window:
          Name: broken
          Schedule: cron(0 2 ? * SUN *)
          Duration: 4
          Cutoff: 1
          Targets: [{Key: "tag:Patch Group", Values: [Production]}]
          Tasks:
            - {Name: scan, MaxConcurrency: "1", MaxErrors: "5 %", Parameters: {Operation: [Scan]}}
      ignore_errors: true
''')
    completed = run([tool('ansible-playbook'), '-i', 'hosts.yml', '--check', 'play.yml'], inventory)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    production, policy, broken = task_results(inventory)
    # Spring forward on 2026-03-29: Berlin's clocks jump from 02:00 to 03:00, that Sunday has no 02:00.
    assert [execution['start'] for execution in production['executions']] == [
        '2026-04-05T02:00:00+02:00', '2026-04-12T02:00:00+02:00']
    assert production['executions'][0]['end'] == '2026-04-05T06:00:00+02:00'
    assert production['systemd_on_calendar'] == 'Sun *-*-* 02:00:00 Europe/Berlin'
    assert production['awx_schedule'].startswith('DTSTART;TZID=Europe/Berlin:20260405T020000 RRULE:FREQ=DAILY')
    assert production['state'] == 'closed' and production['current_execution'] is None
    assert production['changed'] is False
    assert [window['window']['name'] for window in policy['windows']] == ['fleet-scan', 'fleet-install']
    assert policy['windows'][1]['executions'][0]['start'] == '2026-03-01T02:00:00+00:00'
    assert broken.get('recorded_as_failed') is True
    assert broken['msg'].startswith("Tasks[0].MaxErrors: must be a count of 0 or more or a percentage 0%..100% (got 5 %)")


def test_ad_hoc_names_a_window_that_is_not_in_the_registry(inventory):
    completed = run([tool('ansible'), '-i', 'hosts.yml', 'web1', '-m', 'fleetops.patch_manager.maintenance_window_info',
                     '-a', 'window=weekly'], inventory)
    assert completed.returncode != 0
    assert "no window named 'weekly' (known: dev-nightly, prod-sunday, staging-tue-thu, fleet-install, fleet-scan)" in (
        completed.stdout + completed.stderr)


def test_ansible_doc_renders_the_module(inventory):
    completed = subprocess.run([tool('ansible-doc'), 'fleetops.patch_manager.maintenance_window_info'],
                               env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT,
                                        ANSIBLE_CONFIG=str(inventory / 'ansible.cfg')),
                               capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    assert 'systemd_on_calendar' in completed.stdout and 'SKIPPED' not in completed.stderr
