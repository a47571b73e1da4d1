# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: patch_summary
type: aggregate
short_description: Fleet patch summary per patch group at the end of a run
version_added: 1.0.0
author:
  - fleetops.patch_manager contributors (@fleetops)
description:
  - At the end of a playbook run, prints one block per patch group with the number of hosts that are
    compliant, non-compliant, failed, unreachable and not attempted, and the missing, failed, critical
    and security patch counts, in the manner of AWS Systems Manager C(DescribePatchGroupState).
  - Reads the C(instance_patch_state) that M(fleetops.patch_manager.run_patch_baseline) returns, plus
    unreachable and failed hosts, so it works for any playbook that runs the module.
  - When the run publishes C(patch_fleet_summary) with M(ansible.builtin.set_stats) (the
    C(fleetops.patch_manager.scan) and C(fleetops.patch_manager.install) playbooks do, from the host records
    of the P(fleetops.patch_manager.rate_control#strategy) strategy, including hosts not attempted, so that
    AWX keeps it as job artifacts), the printed summary is that published data.
  - This callback needs enabling, for example C(callbacks_enabled = fleetops.patch_manager.patch_summary)
    in C(ansible.cfg) or C(ANSIBLE_CALLBACKS_ENABLED=fleetops.patch_manager.patch_summary).
requirements:
  - enable in configuration
options:
  show_hosts:
    description: Also list the hosts of each outcome other than compliant.
    type: bool
    default: true
    env:
      - name: FLEETOPS_PATCH_SUMMARY_SHOW_HOSTS
    ini:
      - section: fleetops_patch_summary
        key: show_hosts
"""

from ansible.plugins.callback import CallbackBase

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._fleet import FleetSummary, render

STATS_KEY = 'patch_fleet_summary'


class CallbackModule(CallbackBase):

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'fleetops.patch_manager.patch_summary'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None, options=None):
        super(CallbackModule, self).__init__(display=display, options=options)
        self.summary = FleetSummary()
        self.published = None

    @staticmethod
    def _patch_group(result):
        try:
            return result._host.get_vars().get('patch_group')
        except AttributeError:
            return None

    def v2_runner_on_ok(self, result):
        data = result._result
        host = result._host.get_name()
        if isinstance(data.get('instance_patch_state'), dict):
            self.summary.add_state(host, data['instance_patch_state'], self._patch_group(result))
        published = (data.get('ansible_stats') or {}).get('data') or {}
        if isinstance(published.get(STATS_KEY), dict):
            self.published = published[STATS_KEY]

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if ignore_errors:
            return
        if isinstance(result._result.get('instance_patch_state'), dict):
            self.summary.add_state(result._host.get_name(), result._result['instance_patch_state'], self._patch_group(result))
        self.summary.add_failed(result._host.get_name(), self._patch_group(result))

    def v2_runner_on_unreachable(self, result):
        self.summary.add_unreachable(result._host.get_name(), self._patch_group(result))

    def v2_playbook_on_stats(self, stats):
        summary = self.published if self.published is not None else self.summary.build()
        if not summary.get('groups') and self.published is None and not self.summary.hosts:
            return
        self._display.banner('FLEET PATCH SUMMARY')
        for line in render(summary, show_hosts=self.get_option('show_hosts')):
            self._display.display(line)
