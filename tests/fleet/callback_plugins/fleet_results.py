# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stdout callback for the fleet tests: every task result of every host, and the stats, as one JSON document."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = '''
name: fleet_results
type: stdout
short_description: Task results per host and play stats as JSON (fleet tests only)
description:
  - Prints one JSON document at the end of the run, for tests to read.
'''

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'fleet_results'

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.tasks = []

    def _record(self, result, status):
        name = result._task.get_name()  # pylint: disable=protected-access
        entry = next((task for task in self.tasks if task['name'] == name), None)
        if entry is None:
            entry = {'name': name, 'hosts': {}}
            self.tasks.append(entry)
        payload = dict(result._result)  # pylint: disable=protected-access
        payload['fleet_status'] = status
        entry['hosts'][result._host.get_name()] = payload  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_playbook_on_stats(self, stats):
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._display.display(json.dumps({'tasks': self.tasks, 'stats': summary}, default=str))
