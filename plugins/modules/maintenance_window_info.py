#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: maintenance_window_info
short_description: Validate a maintenance window and list its next executions, with AWX and systemd schedules
version_added: 1.0.0
description:
  - Reads a maintenance window kept as data, in the shape C(aws ssm get-maintenance-window) prints plus C(Targets)
    and C(Tasks), or the same fields in snake_case, and validates it with the limits of AWS Systems Manager.
  - Returns the window in its normalised form, its next executions (start, end and cutoff, as
    C(describe-maintenance-window-schedule) lists them), the execution open at O(after), and how to trigger the
    window from an AWX schedule (an RFC 5545 rrule) or a systemd timer (an C(OnCalendar=) value).
  - "Schedules: AWS cron with 6 fields (C(Minutes Hours Day-of-month Month Day-of-week Year)) or 7 with a leading
    C(Seconds) field, where exactly one day field is C(?), day-of-week 1 is Sunday, and C(L), C(LW), C(nW), C(nL)
    and C(n#k) work as in AWS; C(rate(n minutes|hours|days)) anchored at C(StartDate); C(at(YYYY-MM-DDTHH:MM:SS))."
  - Times are local wall-clock times of C(ScheduleTimezone) (default UTC). A local time the clocks skip has no
    execution; a local time that occurs twice runs once, at its first occurrence.
  - Runs on the controller only; it never connects to the host it is run for.
author:
  - fleetops.patch_manager contributors (@fleetops)
extends_documentation_fragment:
  - fleetops.patch_manager._attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads; check mode returns the same result.
  diff_mode:
    support: none
  platform:
    platforms: all
    support: full
    details:
      - Runs on the controller through its action plugin.
options:
  window:
    description:
      - The window to describe.
      - The name of a window in the patch registry (the file C(windows/<Name>.yml), or a window made from a patch
        policy, C(<policy>-scan) or C(<policy>-install)), or a window definition in either shape.
      - The registry is the directory named by the variable C(patch_registry_dir) (relative to the inventory
        directory), else C(patch_registry/) beside the inventory.
      - Exactly one of O(window) and O(policy) is required.
    type: raw
  policy:
    description:
      - A patch policy (SSM Quick Setup) instead of a window; the name of a policy in the registry (the file
        C(policies/<Name>.yml)) or a policy definition.
      - The result then describes both windows the policy makes, in RV(windows).
    type: raw
  after:
    description:
      - List executions that start at or after this ISO 8601 time.
      - A time without a UTC offset is read in the window's C(ScheduleTimezone).
      - Defaults to now.
    type: str
  count:
    description:
      - How many executions to list.
    type: int
    default: 10
notes:
  - An invalid window fails before anything else, naming the field as it was written (for example
    C(Tasks[1].MaxErrors) or C(Cutoff)) and the allowed values.
  - C(awx_schedule) and C(systemd_on_calendar) are null with a reason where the other scheduler cannot fire at
    exactly the window's starts (for example C(nW) near the month end, a C(ScheduleOffset) that crosses month ends,
    or, for systemd, an C(EndDate) or a timezone whose clocks change off the hour such as C(Pacific/Chatham)).
seealso:
  - name: Maintenance window scheduling options
    description: How AWS reads Schedule, ScheduleTimezone, ScheduleOffset, StartDate and EndDate.
    link: https://docs.aws.amazon.com/systems-manager/latest/userguide/maintenance-windows-schedule-options.html
  - name: Cron and rate expressions for Systems Manager
    description: The AWS cron dialect.
    link: https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html
'''

EXAMPLES = r'''
---
- name: Next four Production windows, and how to schedule them in AWX
  fleetops.patch_manager.maintenance_window_info:
    window: prod-sunday
    count: 4
  register: prod

- name: Show them
  ansible.builtin.debug:
    msg: "{{ prod.executions | map(attribute='start') | list }} / AWX: {{ prod.awx_schedule }}"

- name: Check a definition before committing it to the registry
  fleetops.patch_manager.maintenance_window_info:
    window:
      Name: patch-tuesday-plus-two
      Schedule: cron(30 23 ? * TUE#2 *)
      ScheduleOffset: 2
      ScheduleTimezone: America/New_York
      Duration: 4
      Cutoff: 1
      Targets:
        - Key: tag:PatchGroup
          Values: [Web]
      Tasks:
        - Name: install
          Priority: 1
          MaxConcurrency: 10%
          MaxErrors: "0"
          Parameters: {Operation: [Install], RebootOption: [RebootIfNeeded]}
    after: "2026-01-01T00:00:00"

- name: Is a window open on a given Sunday morning? (a rehearsal time)
  fleetops.patch_manager.maintenance_window_info:
    window: prod-sunday
    after: "2026-03-01T05:30:00+01:00"
    count: 1
  register: rehearsal

- name: The two windows of a patch policy
  fleetops.patch_manager.maintenance_window_info:
    policy: fleet
'''

RETURN = r'''
window:
  description:
    - The window in its normalised form (snake_case, every optional field filled; see docs/DESIGN.md).
    - Absent with O(policy).
  returned: success and O(window) given
  type: dict
  sample:
    name: prod-sunday
    schedule: cron(0 2 ? * SUN *)
    schedule_timezone: Europe/Berlin
    schedule_offset: null
    duration: 4
    cutoff: 1
    start_date: null
    end_date: null
    enabled: true
    targets: [{key: "tag:Patch Group", values: [Production]}]
    tasks:
      - name: scan
        priority: 1
        max_concurrency: 10%
        max_errors: "1"
        cutoff_behavior: CONTINUE_TASK
        targets: null
        parameters: {operation: Scan, reboot_option: RebootIfNeeded, baseline_override: null,
                     install_override_list: null, snapshot_id: null}
executions:
  description:
    - The next executions, ascending, starting at or after O(after); never before C(StartDate) nor after C(EndDate);
      empty for a disabled window.
    - Times are ISO 8601 with the UTC offset of the window's timezone at that time. C(end) is C(start) plus
      C(Duration) hours; C(cutoff) is C(end) minus C(Cutoff) hours.
    - C(window_execution_id) is the same for every run that asks about the same execution; the tasks of an
      execution share it as their snapshot id.
  returned: success and O(window) given
  type: list
  elements: dict
  sample:
    - start: "2026-03-01T02:00:00+01:00"
      end: "2026-03-01T06:00:00+01:00"
      cutoff: "2026-03-01T05:00:00+01:00"
      window_execution_id: 17d73320-91bb-5e0c-9d21-48f0e91f71d1
      snapshot_id: 17d73320-91bb-5e0c-9d21-48f0e91f71d1
current_execution:
  description:
    - The execution open at O(after) (its start at or before O(after), its end after it), or null.
  returned: success and O(window) given
  type: dict
state:
  description:
    - Where O(after) falls, for the window's playbook. V(open) (tasks may start), V(after_cutoff), V(closed)
      or V(disabled).
  returned: success and O(window) given
  type: str
  sample: closed
message:
  description: One sentence saying whether an execution is open at O(after) and when the next one starts.
  returned: success and O(window) given
  type: str
awx_schedule:
  description:
    - An AWX schedule C(rrule) that starts a job exactly at the window's executions from O(after) on, with
      C(DTSTART;TZID=<ScheduleTimezone>) at the next execution; null when there is none.
  returned: success and O(window) given
  type: str
  sample: DTSTART;TZID=Europe/Berlin:20260301T020000 RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0;BYSECOND=0;BYDAY=SU
awx_schedule_reason:
  description: Why RV(awx_schedule) is null; null when it is set.
  returned: success and O(window) given
  type: str
systemd_on_calendar:
  description:
    - A systemd timer C(OnCalendar=) value, timezone included, that fires exactly at the window's executions;
      null when there is none.
    - A timer started inside a repeated local hour (the night the clocks fall back) fires once more at a time's
      second occurrence; the window playbook then finds no new execution open and starts nothing.
  returned: success and O(window) given
  type: str
  sample: Sun *-*-* 02:00:00 Europe/Berlin
systemd_on_calendar_reason:
  description: Why RV(systemd_on_calendar) is null; null when it is set.
  returned: success and O(window) given
  type: str
policy:
  description: The patch policy in its normalised form.
  returned: success and O(policy) given
  type: dict
windows:
  description:
    - With O(policy), one entry per window the policy makes (C(<Name>-scan), and C(<Name>-install) for
      C(ScanAndInstall)), each with the keys a window result has (RV(window), RV(executions), RV(awx_schedule), ...).
  returned: success and O(policy) given
  type: list
  elements: dict
'''

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    window=dict(type='raw'),
    policy=dict(type='raw'),
    after=dict(type='str'),
    count=dict(type='int', default=10),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           required_one_of=[('window', 'policy')], mutually_exclusive=[('window', 'policy')])
    # The work happens on the controller, in the action plugin of the same name.
    module.fail_json(msg='fleetops.patch_manager.maintenance_window_info runs on the controller through its action '
                         'plugin; call it as a task, not as a module on a host.')


if __name__ == '__main__':
    main()
