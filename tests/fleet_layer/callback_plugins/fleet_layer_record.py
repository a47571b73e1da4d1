# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test helper: writes every task result and the custom stats of a run to $FLEET_LAYER_RECORD (JSON)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_layer_record
type: aggregate
short_description: Record task results for the fleet layer tests
description: Writes the results of every task and the custom stats of the run to the file named by C(FLEET_LAYER_RECORD).
author:
  - fleetops.patch_manager contributors (@fleetops)
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'fleet_layer_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None, options=None):
        super(CallbackModule, self).__init__(display=display, options=options)
        self.results = {}

    def _store(self, result, status):
        entry = dict(result._result)
        entry['_status'] = status
        self.results.setdefault(result._task.name or result._task.get_name(), {})[result._host.get_name()] = entry

    def v2_runner_on_ok(self, result):
        self._store(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._store(result, 'failed')

    def v2_runner_on_unreachable(self, result):
        self._store(result, 'unreachable')

    def v2_runner_on_skipped(self, result):
        self._store(result, 'skipped')

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('FLEET_LAYER_RECORD')
        if path:
            with open(path, 'w') as handle:
                json.dump({'results': self.results, 'custom_stats': stats.custom}, handle, default=str, indent=1)
