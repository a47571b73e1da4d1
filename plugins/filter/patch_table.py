# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: patch_table
short_description: Render a run_patch_baseline result as a per-patch table and a compliance summary
version_added: 1.0.0
author:
  - fleetops.patch_manager contributors (@fleetops)
description:
  - Turns the registered result of M(fleetops.patch_manager.run_patch_baseline) into lines of text.
  - Non-compliant patches (C(FAILED), C(MISSING), C(INSTALLED_REJECTED), C(INSTALLED_PENDING_REBOOT)) come first.
  - When there are more patches than O(limit), every non-compliant patch is listed and the rest are counted.
options:
  _input:
    description: The registered result of M(fleetops.patch_manager.run_patch_baseline).
    type: dict
    required: true
  limit:
    description: List every patch when there are at most this many; otherwise only the non-compliant ones.
    type: int
    default: 40
'''

EXAMPLES = r'''
- name: Scan
  fleetops.patch_manager.run_patch_baseline:
    operation: Scan
  register: scan

- name: Show the table
  ansible.builtin.debug:
    msg: "{{ scan | fleetops.patch_manager.patch_table }}"
'''

RETURN = r'''
_value:
  description: The table and the summary, one list element per line.
  type: list
  elements: str
'''

from ansible.errors import AnsibleFilterError

NON_COMPLIANT = ('FAILED', 'MISSING', 'INSTALLED_REJECTED', 'INSTALLED_PENDING_REBOOT')
ORDER = NON_COMPLIANT + ('INSTALLED', 'INSTALLED_OTHER')
COLUMNS = (('NAME', 'name'), ('INSTALLED', 'installed_version'), ('APPROVED', 'approved_version'),
           ('STATE', 'state'), ('CLASSIFICATION', 'classification'), ('REASON', 'reason'))
SUMMARY_COUNTERS = ('installed_count', 'installed_other_count', 'installed_pending_reboot_count',
                    'installed_rejected_count', 'missing_count', 'failed_count', 'not_applicable_count',
                    'critical_non_compliant_count', 'security_non_compliant_count', 'other_non_compliant_count')


def ordered(patches):
    rank = dict((state, index) for index, state in enumerate(ORDER))
    return sorted(patches, key=lambda patch: (rank.get(patch.get('state'), len(rank)), patch.get('name') or ''))


def cell(patch, key):
    value = patch.get(key)
    if key == 'name' and patch.get('arch'):
        value = '%s.%s' % (value, patch['arch'])
    return '-' if value in (None, '') else str(value)


def table_lines(patches):
    if not patches:
        return []
    rows = [[cell(patch, key) for dummy, key in COLUMNS] for patch in patches]
    # The reason is last and left unpadded: it is a sentence.
    widths = [max(len(heading), max(len(row[index]) for row in rows)) for index, (heading, dummy) in enumerate(COLUMNS)]
    lines = []
    for row in [[heading for heading, dummy in COLUMNS]] + rows:
        padded = [value.ljust(widths[index]) for index, value in enumerate(row[:-1])] + [row[-1]]
        lines.append('  '.join(padded).rstrip())
    return lines


def state_counts(patches):
    counts = {}
    for patch in patches:
        counts[patch.get('state')] = counts.get(patch.get('state'), 0) + 1
    return ', '.join('%d %s' % (counts[state], state) for state in ORDER if state in counts)


def summary_lines(state):
    severity = state.get('non_compliant_severity') or '-'
    lines = ['Compliance: %s (non-compliant severity: %s)' % (state.get('compliance_status'), severity),
             'Baseline: %s   OS: %s   Operation: %s   %s .. %s' % (
                 state.get('baseline_id'), state.get('operating_system'), state.get('operation'),
                 state.get('operation_start_time'), state.get('operation_end_time'))]
    lines.append('  '.join('%s=%s' % (key[:-len('_count')], state.get(key, 0)) for key in SUMMARY_COUNTERS))
    return lines


def patch_table(result, limit=40):
    """Lines of text: the per-patch table, then the node summary."""
    if not isinstance(result, dict) or 'instance_patch_state' not in result:
        raise AnsibleFilterError('patch_table expects the registered result of run_patch_baseline '
                                 '(a dict with instance_patch_state and patches)')
    patches = ordered(result.get('patches') or [])
    shown = patches
    if len(patches) > limit:
        shown = [patch for patch in patches if patch.get('state') in NON_COMPLIANT]
    lines = table_lines(shown)
    rest = patches[len(shown):]
    if rest:
        lines.append('... and %d more compliant patches (%s)' % (len(rest), state_counts(rest)))
    return lines + [''] + summary_lines(result['instance_patch_state'])


class FilterModule(object):

    def filters(self):
        return {'patch_table': patch_table}
