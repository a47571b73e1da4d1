# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rate_control
short_description: AWS Run Command rate control - a sliding window of hosts and a run-wide error budget
version_added: 1.0.0
author:
  - fleetops.patch_manager contributors (@fleetops)
description:
  - Runs every host through all of the play's tasks on its own, as P(ansible.builtin.free#strategy) does,
    but with the rate control of AWS Run Command and maintenance windows.
  - B(MaxConcurrency) is a sliding window - at most C(patch_max_concurrency) hosts run at once, and a new host
    starts as soon as a running one has finished all its tasks (not in batches that wait for the slowest host,
    as C(serial) does). Hosts start in inventory order.
  - B(MaxErrors) counts failed and unreachable hosts across the whole play - once they exceed
    C(patch_max_errors), no new host starts (V(0) stops after the first error). Hosts already running finish.
    Hosts never started are I(not attempted).
  - Both are play variables (templated, so extra variables and C(hostvars) work) with the AWS patterns - a count
    or a percentage of the play's hosts. Unset means no limit. An invalid value fails the play before any host
    starts, naming the variable and the allowed values.
  - Maintenance windows run tasks of equal priority together, each with its own limits - the play variable
    C(patch_rate_control) C({tasks - [{name, hosts, max_concurrency, max_errors}], closes_at}) gives one window per
    task (a host of several tasks needs a slot in each and counts in each) and the time (ISO 8601) after which no
    host starts, the window's cutoff. It replaces the two variables above.
  - At the end of the play the outcome of every host of the play is set as the variable C(patch_fleet_result) of
    C(localhost) - C({hosts - {<host> - record}, tasks, closed, max_concurrency, max_errors, not_attempted, start_time,
    end_time})
    where a record holds the host's C(outcome) (C(compliant), C(non_compliant), C(failed), C(unreachable),
    C(not_attempted)), its patch group, the counters of its last M(fleetops.patch_manager.run_patch_baseline)
    result, the task and message of its first failure, and when it started and finished (C(start_time),
    C(end_time), ISO 8601 UTC). The filter P(fleetops.patch_manager.fleet_summary#filter) turns it into the fleet summary.
  - The fleet playbooks C(fleetops.patch_manager.scan) and C(fleetops.patch_manager.install) use it.
notes:
  - The C(forks) setting caps the window too; set it at least as high as the concurrency you ask for.
  - As with the free strategy, C(run_once) and C(any_errors_fatal) do not apply across hosts.
"""

import datetime
import time

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.plugins.strategy.free import StrategyModule as FreeStrategyModule
from ansible.template import Templar

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError, PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import iso_time, parse_time
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _fleet
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._rate_control import schedule_for_play, window_report

VARIABLES = ('patch_max_concurrency', 'patch_max_errors', 'patch_rate_control')
RESULT_VARIABLE = 'patch_fleet_result'
RESULTS_VARIABLE = 'patch_fleet_results'
PATCH_ACTIONS = ('fleetops.patch_manager.run_patch_baseline', 'run_patch_baseline')


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def _result_parts(result):
    """(host name, task, return data) of a task result, on every supported ansible-core."""
    host = getattr(result, 'host', None) or result._host
    task = getattr(result, 'task', None) or result._task
    data = getattr(result, '_return_data', None)
    if data is None:
        data = result._result
    return host.get_name(), task, data


class StrategyModule(FreeStrategyModule):

    def __init__(self, tqm):
        super(StrategyModule, self).__init__(tqm)
        self._schedule = None
        self._limits = {}
        self._patch_results = {}
        self._failures = {}
        self._errors = {}
        self._times = {}

    # ---- the window --------------------------------------------------------------

    def _read_variables(self, iterator):
        variables = self._variable_manager.get_vars(play=iterator._play, _hosts=self._hosts_cache,
                                                    _hosts_all=self._hosts_cache_all)
        templar = Templar(loader=self._loader, variables=variables)
        values = {}
        for name in VARIABLES:
            value = templar.template(variables[name]) if name in variables else None
            values[name] = None if value in (None, '') else value
        return values

    def _open_schedule(self, iterator):
        self._limits = self._read_variables(iterator)
        control = self._limits['patch_rate_control'] or {}
        try:
            if not isinstance(control, dict):
                raise InputError('patch_rate_control', 'must be a dict {tasks, closes_at}')
            closes_at = control.get('closes_at')
            if closes_at:
                try:
                    closes_at = parse_time(closes_at)
                except (ValueError, OverflowError):
                    raise InputError('patch_rate_control.closes_at', '%r is not an ISO 8601 time' % (closes_at,))
            return schedule_for_play(self._hosts_cache, self._limits['patch_max_concurrency'],
                                     self._limits['patch_max_errors'], tasks=control.get('tasks'),
                                     closes_at=closes_at or None)
        except PatchManagerError as exc:
            raise AnsibleError('rate_control strategy: %s' % exc)

    def _host_outcome(self, iterator, host):
        """None while a started host still has work; else True when it ended in error (failed or unreachable).

        The free strategy never advances a host past its last task, so the host's state is
        looked at as the next step would leave it: a failure inside a block with ``always``
        only counts once the ``always`` tasks have run.
        """
        name = host.get_name()
        if name in self._tqm._unreachable_hosts:
            return True
        if self._blocked_hosts.get(name, False):
            return None
        state, task = iterator.get_next_task_for_host(host, peek=True)
        if task is not None:
            return None
        return name in self._tqm._failed_hosts or iterator._check_failed_state(state)

    def get_hosts_left(self, iterator):
        """The started hosts, after starting those the schedule admits now.

        Started hosts stay in the list (unreachable ones too: the free strategy skips them),
        so the list only grows while the free strategy iterates over it by position.
        """
        if self._schedule is None:
            self._schedule = self._open_schedule(iterator)
            self._started_at = _utc_now()
            if (self._limits['patch_rate_control'] or {}).get('keep_failed_hosts'):
                self._keep_failed_hosts(iterator)
        schedule = self._schedule
        for name in list(schedule.running):
            host = self._inventory.get_host(name)
            error = True if host is None else self._host_outcome(iterator, host)
            if error is not None:
                schedule.finished(name, error=error)
                self._errors[name] = error
                self._times[name][1] = iso_time(_utc_now())
        now = _utc_now()
        for name in schedule.admit(now):
            self._times[name] = [iso_time(now), None]
        hosts = []
        for name in schedule.started:
            host = self._inventory.get_host(name)
            if host is not None:
                hosts.append(host)
        return hosts

    # ---- what happened to each host ---------------------------------------------

    def _process_pending_results(self, iterator, *args, **kwargs):
        results = super(StrategyModule, self)._process_pending_results(iterator, *args, **kwargs)
        # Each pass of the free strategy peeks at the next task of every started host (a copy of
        # its state each); while every running host is busy nothing can start, so wait here for a
        # result rather than pass again: hundreds of passes per run cost the controller more CPU
        # than the hosts' results (BENCHMARKS.md).
        while not results and not args and not kwargs and self._every_running_host_busy() \
                and not self._tqm._terminated:
            time.sleep(C.DEFAULT_INTERNAL_POLL_INTERVAL)
            results = super(StrategyModule, self)._process_pending_results(iterator)
        for result in results:
            self._observe(result)
        return results

    def _every_running_host_busy(self):
        """Whether every host the window runs has a task in flight (none can take a new task, none can start)."""
        running = self._schedule.running if self._schedule is not None else ()
        return bool(running) and all(self._blocked_hosts.get(name, False) for name in running)

    def _observe(self, result):
        name, task, data = _result_parts(result)
        action = getattr(task, 'resolved_action', None) or task.action
        if action in PATCH_ACTIONS and not data.get('skipped'):
            # A loop (a host that several window tasks of one priority target) reports its last item.
            items = [item for item in data.get('results') or [] if isinstance(item, dict) and not item.get('skipped')]
            last = items[-1] if items else data
            # Keep what the summary reads, not the ~3,000 patches.
            self._patch_results[name] = {'instance_patch_state': last.get('instance_patch_state'),
                                         'rebooted': any(item.get('rebooted') for item in items or [data])}
        if name not in self._failures and (result.is_unreachable() or (result.is_failed() and not task.ignore_errors)):
            self._failures[name] = ('unreachable' if result.is_unreachable() else task.get_name(),
                                    str(data.get('msg') or ''))

    def _final_error(self, iterator, name, host):
        if name not in self._errors and host is not None and name in self._schedule.started:
            self._errors[name] = bool(self._host_outcome(iterator, host))
        return self._errors.get(name, False)

    def _records(self, iterator):
        schedule = self._schedule
        started = set(schedule.started)
        records = {}
        for name in schedule.targets:
            host = self._inventory.get_host(name)
            records[name] = _fleet.host_record(
                patch_group=host.vars.get('patch_group') if host is not None else None,
                started=name in started,
                unreachable=name in self._tqm._unreachable_hosts,
                failed=self._final_error(iterator, name, host),
                patch_result=self._patch_results.get(name),
                failure=self._failures.get(name),
                times=self._times.get(name))
        return records

    def _keep_failed_hosts(self, iterator):
        """Let hosts that failed or were unreachable in an earlier play run this one (window tasks are independent)."""
        for name in self._hosts_cache_all or []:
            host = self._inventory.get_host(name)
            if host is None:
                continue
            if name in self._tqm._failed_hosts or name in self._tqm._unreachable_hosts:
                self._tqm._failed_hosts.pop(name, None)
                self._tqm._unreachable_hosts.pop(name, None)
                iterator.clear_host_errors(host)

    def run(self, iterator, play_context):
        self._schedule = None
        self._patch_results = {}
        self._failures = {}
        self._errors = {}
        self._times = {}
        result = super(StrategyModule, self).run(iterator, play_context)
        if self._schedule is not None:
            self._publish(iterator)
        return result

    def _publish(self, iterator):
        """Set patch_fleet_result on localhost (and, for a play with a rate-control id, patch_fleet_results[id])."""
        record = {
            'hosts': self._records(iterator),
            'not_attempted': self._schedule.not_attempted(),
            'tasks': window_report(self._schedule),
            'closed': self._schedule.closed,
            'max_concurrency': self._limits.get('patch_max_concurrency'),
            'max_errors': self._limits.get('patch_max_errors'),
            'start_time': iso_time(self._started_at),
            'end_time': iso_time(_utc_now()),
        }
        facts = {RESULT_VARIABLE: record}
        play_id = (self._limits.get('patch_rate_control') or {}).get('id')
        if play_id:
            earlier = self._variable_manager.get_vars(host=self._inventory.get_host('localhost')).get(RESULTS_VARIABLE)
            facts[RESULTS_VARIABLE] = dict(earlier or {}, **{str(play_id): record})
        self._variable_manager.set_nonpersistent_facts('localhost', facts)
