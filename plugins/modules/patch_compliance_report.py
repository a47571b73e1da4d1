#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: patch_compliance_report
short_description: Write the fleet's patch compliance report (HTML dashboard, CSV, JSON, JUnit) from the compliance store
version_added: 1.0.0
description:
  - Reads the compliance store that M(fleetops.patch_manager.run_patch_baseline) results fill and writes, into
    O(dest), a report for people and for tools.
  - C(index.html) - a self-contained dashboard (inline CSS, SVG charts and a small script; it opens from a file
    with no network) - compliance by patch group and by operating system, the hosts most behind, critical and
    security counts, CVE exposure, the trend over the history, maintenance window executions and a sortable,
    filterable table of every host.
  - C(instances.csv) (one row per host), C(patches.csv) (the non-compliant patches, or every patch with
    O(include_all_patches)), C(compliance.json) (everything the page shows) and C(junit.xml) (one testcase per
    host; a non-compliant host, or one whose latest run failed, is a failure).
  - Runs on the controller only (its action plugin reads the store and writes the files); it never connects to
    the hosts. The playbook C(fleetops.patch_manager.report) runs it.
  - The report is dated by the newest record in the store, so an unchanged store gives unchanged files and the
    task reports no change.
author:
  - fleetops.patch_manager contributors (@fleetops)
extends_documentation_fragment:
  - fleetops.patch_manager._attributes
  - fleetops.patch_manager._store
attributes:
  check_mode:
    support: full
    details:
      - In check mode nothing is written; RV(changed_files) names the files that would change.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
options:
  dest:
    description: The directory to write the report into (created when missing).
    type: path
    required: true
  title:
    description: The page title.
    type: str
    default: Patch compliance
  trend_days:
    description: How many days the trend chart covers, ending on the day of the newest record.
    type: int
    default: 30
  stale_after:
    description:
      - A host whose latest state is older than this (counted back from the newest record) is counted as not
        reported; V(7d), V(36h), V(2w) or an ISO 8601 duration such as V(P7D).
    type: str
    default: 7d
  most_behind:
    description: How many hosts the "hosts most behind" table lists.
    type: int
    default: 15
  include_all_patches:
    description:
      - List every patch of every host in C(patches.csv) and C(compliance.json), not only the non-compliant ones
        (about 3,000 rows a host on a real system).
    type: bool
    default: false
seealso:
  - module: fleetops.patch_manager.patch_compliance_info
  - module: fleetops.patch_manager.run_patch_baseline
'''

EXAMPLES = r'''
- name: Write the compliance report
  fleetops.patch_manager.patch_compliance_report:
    dest: /srv/reports/patch
  delegate_to: localhost
  run_once: true

- name: Report from the shared PostgreSQL store, every patch listed
  fleetops.patch_manager.patch_compliance_report:
    dest: /srv/reports/patch
    store: postgresql://patch@db.example.com/patch_store
    include_all_patches: true
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
files:
  description: The paths of the report files.
  returned: success
  type: list
  elements: str
  sample: [/srv/reports/patch/index.html, /srv/reports/patch/instances.csv]
changed_files:
  description: The file names whose content changed (or would change, in check mode).
  returned: success
  type: list
  elements: str
  sample: [index.html, compliance.json]
summary:
  description: The fleet totals the report shows.
  returned: success
  type: dict
  contains:
    instances:
      description: Hosts in the store.
      type: int
      sample: 96
    compliant:
      description: Hosts whose latest state is compliant and whose latest run succeeded.
      type: int
      sample: 80
    non_compliant:
      description: Hosts whose latest state is non-compliant and whose latest run succeeded.
      type: int
      sample: 14
    failed:
      description: Hosts whose latest run failed.
      type: int
      sample: 2
    unreported:
      description: Hosts with no compliance data (every run failed).
      type: int
      sample: 0
    stale:
      description: Hosts not reported within O(stale_after).
      type: int
      sample: 1
    as_of:
      description: The time of the newest record in the store.
      type: str
      sample: '2026-11-25T09:30:05Z'
store:
  description: The store that was read, without its password.
  returned: always
  type: str
  sample: sqlite:///root/.ansible/fleetops_patch/patch_store.sqlite3
'''

from ansible.module_utils.basic import AnsibleModule


def argument_spec():
    return dict(
        dest=dict(type='path', required=True),
        store=dict(type='str'),
        title=dict(type='str', default='Patch compliance'),
        trend_days=dict(type='int', default=30),
        stale_after=dict(type='str', default='7d'),
        most_behind=dict(type='int', default=15),
        include_all_patches=dict(type='bool', default=False),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    module.fail_json(msg='fleetops.patch_manager.patch_compliance_report runs on the controller through its action '
                         'plugin; it cannot run on a host.')


if __name__ == '__main__':
    main()
