# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fleet run on the controller: its options, one record per host, and the fleet summary.

Data flows one way:

1. ``run_options`` validates a run's options once, before any host (the fleet playbooks'
   first play, through the ``fleetops.patch_manager.fleet_run`` filter) and picks the
   run's snapshot id;
2. the ``fleetops.patch_manager.rate_control`` strategy runs the hosts and turns what it
   saw of each into a ``host_record`` (outcome, counts, failed step);
3. ``FleetSummary`` aggregates records per patch group, in the manner of
   ``DescribePatchGroupState``; ``render`` prints it (the ``fleet_summary`` filter, the
   ``patch_summary`` callback).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import uuid

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import OPERATIONS
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _rate_control

OUTCOMES = ('compliant', 'non_compliant', 'failed', 'unreachable', 'not_attempted')
ERROR_OUTCOMES = ('failed', 'unreachable')
PATCH_COUNTS = ('missing_count', 'failed_count', 'critical_non_compliant_count', 'security_non_compliant_count')
RECORD_COUNTS = PATCH_COUNTS + ('installed_pending_reboot_count',)
NO_GROUP = ''
PATCH_GROUP_PREFIX = 'patch_group_'
HOOKS = ('pre_install_hook', 'post_install_hook', 'on_exit_hook')
DEFAULT_LIMITS = {'Scan': ('100%', '100%'), 'Install': ('10%', '2%')}


# ---- run options ------------------------------------------------------------------

def group_name_for(patch_group):
    """The inventory group of a patch group: ``patch_group_<value>``, every non-word character made ``_``."""
    return PATCH_GROUP_PREFIX + re.sub(r'\W', '_', str(patch_group))


def run_options(options):
    """Validate a fleet run's options; return what the run's plays read.

    ``options``: ``operation`` (Scan | Install), ``max_concurrency``, ``max_errors``,
    ``target_patch_group`` or ``target_hosts`` (at most one), ``snapshot_id``, and the hook
    task files ``pre_install_hook``, ``post_install_hook``, ``on_exit_hook``. Returns
    ``{operation, max_concurrency, max_errors, hosts (a host pattern), snapshot_id,
    with_hooks}`` with the AWS defaults filled in and a new GUID as snapshot id when none is
    given (AWS: one snapshot per operation, so that every host is evaluated against the same
    approvals). ``with_hooks``: an Install runs AWS-RunPatchBaselineWithHooks (the patch
    role), else AWS-RunPatchBaseline (one module call per host).
    """
    operation = options.get('operation') or 'Scan'
    if operation not in OPERATIONS:
        raise InputError('operation', '%r is not one of %s' % (operation, ', '.join(OPERATIONS)))
    default_concurrency, default_errors = DEFAULT_LIMITS[operation]
    max_concurrency = _rate_control.parse_max_concurrency(_given(options, 'max_concurrency', default_concurrency))
    max_errors = _rate_control.parse_max_errors(_given(options, 'max_errors', default_errors))
    group = options.get('target_patch_group')
    pattern = options.get('target_hosts')
    if _is_set(group) and _is_set(pattern):
        raise InputError('target_patch_group', 'set at most one of target_patch_group (a patch group name) and '
                                               'target_hosts (a host pattern)')
    if group is not None and not _is_set(group):
        raise InputError('target_patch_group', 'must be a patch group name, not empty')
    hosts = group_name_for(group) if _is_set(group) else (str(pattern) if _is_set(pattern) else 'all')
    snapshot_id = options.get('snapshot_id')
    return {
        'operation': operation,
        'max_concurrency': str(max_concurrency),
        'max_errors': str(max_errors),
        'hosts': hosts,
        'snapshot_id': str(snapshot_id) if _is_set(snapshot_id) else str(uuid.uuid4()),
        'with_hooks': any(_is_set(options.get(hook)) for hook in HOOKS),
    }


def _given(options, key, default):
    value = options.get(key)
    return default if value is None or value == '' else value


def _is_set(value):
    return value is not None and str(value) != ''


# ---- one record per host ----------------------------------------------------------

def host_record(patch_group=None, started=True, unreachable=False, failed=False, patch_result=None,
                failure=None, times=None):
    """What a fleet run says about one host.

    ``patch_result``: the host's last ``run_patch_baseline`` result (a dict) or None;
    ``failure``: ``(task name, message)`` of the host's first failure or None; ``times``:
    ``(start, end)`` ISO strings of the host's run or None. Returns ``{patch_group, outcome,
    <RECORD_COUNTS>, compliance_status, baseline_id, snapshot_id, rebooted, failed_step,
    message, start_time, end_time}``; ``outcome`` is one of OUTCOMES.
    """
    state = (patch_result or {}).get('instance_patch_state') or {}
    if not started:
        outcome = 'not_attempted'
    elif unreachable:
        outcome = 'unreachable'
    elif failed:
        outcome = 'failed'
    elif state.get('compliance_status') == 'COMPLIANT':
        outcome = 'compliant'
    else:
        outcome = 'non_compliant'
    record = {
        'patch_group': str(state.get('patch_group') or patch_group or NO_GROUP),
        'outcome': outcome,
        'compliance_status': state.get('compliance_status') or '',
        'baseline_id': state.get('baseline_id') or '',
        'snapshot_id': state.get('snapshot_id') or '',
        'rebooted': bool((patch_result or {}).get('rebooted')),
        'failed_step': '',
        'message': '',
        'start_time': (times or (None, None))[0],
        'end_time': (times or (None, None))[1],
    }
    for key in RECORD_COUNTS:
        record[key] = _count(state.get(key))
    if outcome in ERROR_OUTCOMES and failure:
        record['failed_step'], record['message'] = failure[0] or '', failure[1] or ''
    return record


def _count(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


# ---- the summary --------------------------------------------------------------------

def outcome_of_state(instance_patch_state):
    """compliant or non_compliant from a run_patch_baseline ``instance_patch_state``."""
    return 'compliant' if instance_patch_state.get('compliance_status') == 'COMPLIANT' else 'non_compliant'


class FleetSummary(object):
    """Builds the fleet summary from plain per-host data; no Ansible objects involved.

    Feed it with ``add_record`` (a ``host_record``), ``add_state`` (a module's
    ``instance_patch_state``), ``add_unreachable`` and ``add_failed``; ``build()`` returns
    the summary dict that is printed and published.
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
        self._host(host, record.get('patch_group'))['record'] = dict(record)

    def add_records(self, records):
        for host, record in (records or {}).items():
            self.add_record(host, record)
        return self

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
