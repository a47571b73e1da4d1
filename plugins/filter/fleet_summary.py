# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: fleet_summary
short_description: The fleet patch summary per patch group, from the host records of a fleet run
version_added: 1.0.0
author:
  - fleetops.patch_manager contributors (@fleetops)
description:
  - Aggregates the per-host records that the P(fleetops.patch_manager.rate_control#strategy) strategy sets as
    C(patch_fleet_result) into one block per patch group and the totals - the hosts compliant, non-compliant,
    failed, unreachable and not attempted, and the missing, failed, critical and security patch counts, in the
    manner of AWS C(DescribePatchGroupState).
  - With O(text=true), the same summary as lines of text, as the P(fleetops.patch_manager.patch_summary#callback)
    callback prints it.
options:
  _input:
    description: C(patch_fleet_result), or its C(hosts) mapping of host name to record.
    type: dict
    required: true
  text:
    description: Return the summary as lines of text instead of data.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Publish the fleet summary for AWX
  ansible.builtin.set_stats:
    data:
      patch_fleet_summary: "{{ patch_fleet_result | fleetops.patch_manager.fleet_summary }}"
    per_host: false

- name: Show it
  ansible.builtin.debug:
    msg: "{{ patch_fleet_result | fleetops.patch_manager.fleet_summary(text=true) }}"
'''

RETURN = r'''
_value:
  description:
    - The summary - C(groups) (patch group name to group) and C(totals), each group with C(hosts), the count per
      outcome (C(compliant), C(non_compliant), C(failed), C(unreachable), C(not_attempted)), the summed
      C(missing_count), C(failed_count), C(critical_non_compliant_count), C(security_non_compliant_count), and
      C(hosts_by_outcome).
    - With O(text=true), a list of lines.
  type: raw
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _fleet


def fleet_summary(result, text=False):
    if not isinstance(result, dict):
        raise AnsibleFilterError('fleet_summary: expects the patch_fleet_result dict, not %s' % type(result).__name__)
    records = result.get('hosts', result) if isinstance(result.get('hosts'), dict) else result
    summary = _fleet.FleetSummary().add_records(records).build()
    return _fleet.render(summary) if text else summary


class FilterModule(object):

    def filters(self):
        return {'fleet_summary': fleet_summary}
