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
version_added: 0.1.0
author:
  - fleetops.patch_manager contributors (@fleetops)
description:
  - At the end of a playbook run, prints one block per patch group with the number of hosts that are
    compliant, non-compliant, failed, unreachable and not attempted, and the missing, failed, critical
    and security patch counts, in the manner of AWS Systems Manager C(DescribePatchGroupState).
  - Reads the per-host record C(patch_run_result) that the P(fleetops.patch_manager.patch#role) role sets,
    and otherwise the C(instance_patch_state) that M(fleetops.patch_manager.run_patch_baseline) returns,
    plus unreachable and failed hosts.
  - When the run publishes C(patch_fleet_summary) with M(ansible.builtin.set_stats) (the
    C(fleetops.patch_manager.scan) and C(fleetops.patch_manager.install) playbooks do,
    so that AWX keeps it as job artifacts), the printed summary is that published data.
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

OUTCOMES = ('compliant', 'non_compliant', 'failed', 'unreachable', 'not_attempted')
PATCH_COUNTS = ('missing_count', 'failed_count', 'critical_non_compliant_count', 'security_non_compliant_count')
NO_GROUP = ''
STATS_KEY = 'patch_fleet_summary'
RECORD_FACT = 'patch_run_result'


def outcome_of_state(instance_patch_state):
    """compliant or non_compliant from a run_patch_baseline ``instance_patch_state``."""
    return 'compliant' if instance_patch_state.get('compliance_status') == 'COMPLIANT' else 'non_compliant'


def _count(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class FleetSummary(object):
    """Builds the fleet summary from plain per-host data; no Ansible objects involved.

    Feed it with ``add_record`` (the role's ``patch_run_result``), ``add_state`` (a module's
    ``instance_patch_state``), ``add_unreachable`` and ``add_failed``; ``build()`` returns the
    summary dict that is printed and published.
    """

    def __init__(self):
        self.hosts = {}

    def _host(self, host, patch_group):
        entry = self.hosts.setdefault(host, {'patch_group': NO_GROUP, 'record': None, 'state': None,
                                             'unreachable': False, 'failed': False})
        if patch_group:
            entry['patch_group'] = str(patch_group)
        return entry

    def add_record(self, host, record):
        """The role's final word on a host: ``{patch_group, outcome, <PATCH_COUNTS>...}``."""
        self._host(host, record.get('patch_group'))['record'] = dict(record)

    def add_state(self, host, instance_patch_state, patch_group=None):
        self._host(host, patch_group or instance_patch_state.get('patch_group'))['state'] = dict(instance_patch_state)

    def add_unreachable(self, host, patch_group=None):
        self._host(host, patch_group)['unreachable'] = True

    def add_failed(self, host, patch_group=None):
        self._host(host, patch_group)['failed'] = True

    def host_outcome(self, host):
        """``(outcome, counts)`` of one host."""
        entry = self.hosts[host]
        if entry['record'] is not None:
            record = entry['record']
            outcome = record.get('outcome') if record.get('outcome') in OUTCOMES else 'failed'
            return outcome, dict((key, _count(record.get(key))) for key in PATCH_COUNTS)
        state = entry['state'] or {}
        counts = dict((key, _count(state.get(key))) for key in PATCH_COUNTS)
        if entry['unreachable']:
            return 'unreachable', counts
        if entry['failed']:
            return 'failed', counts
        return outcome_of_state(state), counts

    def build(self):
        """``{'groups': {name: group}, 'totals': group}`` where a group holds the host count, the
        count per outcome, the summed patch counts and ``hosts_by_outcome`` (sorted names)."""
        groups = {}
        totals = _empty_group()
        for host in sorted(self.hosts):
            outcome, counts = self.host_outcome(host)
            group = groups.setdefault(self.hosts[host]['patch_group'], _empty_group())
            for target in (group, totals):
                target['hosts'] += 1
                target[outcome] += 1
                target['hosts_by_outcome'][outcome].append(host)
                for key in PATCH_COUNTS:
                    target[key] += counts[key]
        return {'groups': groups, 'totals': totals}


def _empty_group():
    group = {'hosts': 0, 'hosts_by_outcome': dict((outcome, []) for outcome in OUTCOMES)}
    for key in OUTCOMES + PATCH_COUNTS:
        group[key] = 0
    return group


def render(summary, show_hosts=True):
    """The summary as text lines, one block per patch group, then the totals."""
    lines = []

    def block(title, group):
        lines.append(title)
        lines.append('  hosts: %d  compliant: %d  non-compliant: %d  failed: %d  unreachable: %d  not attempted: %d'
                     % tuple([group['hosts']] + [group[outcome] for outcome in OUTCOMES]))
        lines.append('  patches: missing %d  failed %d  critical non-compliant %d  security non-compliant %d'
                     % tuple(group[key] for key in PATCH_COUNTS))
        if show_hosts:
            for outcome in OUTCOMES[1:]:
                names = group['hosts_by_outcome'].get(outcome) or []
                if names:
                    lines.append('  %s: %s' % (outcome.replace('_', ' '), ', '.join(names)))

    groups = summary.get('groups', {})
    for name in sorted(groups):
        block('Patch group %s' % (name if name != NO_GROUP else '(none)'), groups[name])
    if groups:
        block('All patch groups', summary['totals'])
    else:
        lines.append('No host reported patch data.')
    return lines


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
        facts = data.get('ansible_facts') or {}
        host = result._host.get_name()
        if isinstance(facts.get(RECORD_FACT), dict):
            self.summary.add_record(host, facts[RECORD_FACT])
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
