# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Patch policies become a scan window and an install window, validated as windows are."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import yaml

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _policy
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _window
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._registry import RegistryError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._schedule import format_time, parse_instant
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._window import WindowValidationError

POLICY = {
    'Name': 'fleet',
    'Baselines': {'UBUNTU': 'AWS-UbuntuDefaultPatchBaseline', 'REDHAT_ENTERPRISE_LINUX': 'AWS-RedHatDefaultPatchBaseline'},
    'Targets': [{'Key': 'tag:Environment', 'Values': ['prod']}],
}


def test_quick_setup_defaults_scan_daily_at_one_and_install_on_sunday_at_two_utc():
    result = _policy.normalise_policy(POLICY)
    scan, install = result['windows']
    assert (scan['name'], scan['schedule'], scan['schedule_timezone']) == ('fleet-scan', 'cron(0 1 * * ? *)', 'UTC')
    assert (install['name'], install['schedule']) == ('fleet-install', 'cron(0 2 ? * SUN *)')
    assert [task['parameters']['operation'] for task in scan['tasks'] + install['tasks']] == ['Scan', 'Install']
    assert install['tasks'][0]['max_concurrency'] == '10%' and install['tasks'][0]['max_errors'] == '2%'
    assert install['tasks'][0]['parameters']['baselines'] == POLICY['Baselines']
    assert result['policy']['operation'] == 'ScanAndInstall'


def test_scan_only_policy_in_snake_case_with_its_own_schedule_and_rate_control():
    result = _policy.normalise_policy({
        'name': 'scans', 'operation': 'Scan', 'scan_schedule': 'rate(12 hours)', 'start_date': '2026-01-01T00:00:00Z',
        'schedule_timezone': 'Europe/Berlin', 'targets': [{'key': 'tag-key', 'values': ['Environment']}],
        'max_concurrency': 5, 'max_errors': 0, 'reboot_option': 'NoReboot'})
    (scan,) = result['windows']
    starts = _window.executions(scan, parse_instant('2026-01-01T01:00:00Z', 'after'), count=2)
    assert [format_time(execution['start']) for execution in starts] == [
        '2026-01-01T13:00:00+01:00', '2026-01-02T01:00:00+01:00']
    assert (scan['tasks'][0]['max_concurrency'], scan['tasks'][0]['max_errors']) == ('5', '0')


@pytest.mark.parametrize('change, message', [
    ({'Operation': 'Install'}, "Operation: 'Install' is not one of Scan, ScanAndInstall"),
    ({'InstallSchedule': 'rate(5 hour)'}, 'InstallSchedule: rate(5 hour) must use the plural unit'),
    ({'ScanSchedule': 'cron(0 1 * * * *)'}, 'ScanSchedule: exactly one of Day-of-month'),
    ({'MaxErrors': '5 %'}, "MaxErrors: must be a count of 0 or more or a percentage 0%..100% (got 5 %)"),
    ({'Baselines': {'PLAN9': 'x'}}, "Baselines: 'PLAN9' is not one of WINDOWS"),
    ({'Targets': [{'Key': 'Name', 'Values': ['x']}]}, "Targets[0].Key: 'Name' is not a target key"),
    ({'Duration': 30}, 'Duration: 30 is outside 1..24'),
    ({'Surprise': 1}, "unknown key 'Surprise'"),
])
def test_invalid_policies_name_their_own_fields(change, message):
    with pytest.raises(WindowValidationError) as caught:
        _policy.normalise_policy(dict(POLICY, **change))
    assert message in str(caught.value)


def test_registry_policies_check_their_baselines_and_apply_them_as_an_override(tmp_path):
    registry = tmp_path / 'patch_registry'
    (registry / 'policies').mkdir(parents=True)
    (registry / 'policies' / 'fleet.yml').write_text(yaml.safe_dump(POLICY))
    window = _policy.find_window(str(registry), 'fleet-install')
    args = _window.run_patch_baseline_args(window['tasks'][0], registry_dir=str(registry))
    assert sorted(baseline['name'] for baseline in args['baseline_override']) == [
        'AWS-RedHatDefaultPatchBaseline', 'AWS-UbuntuDefaultPatchBaseline']
    (registry / 'policies' / 'fleet.yml').write_text(yaml.safe_dump(dict(POLICY, Baselines={
        'UBUNTU': 'AWS-RedHatDefaultPatchBaseline'})))
    with pytest.raises(RegistryError, match="fleet.yml: Baselines.UBUNTU: baseline 'AWS-RedHatDefaultPatchBaseline' is for "
                                            "REDHAT_ENTERPRISE_LINUX, not UBUNTU"):
        _policy.load_policies(str(registry), registry=_FakeRegistry())
    with pytest.raises(RegistryError, match="no window named 'fleet-weekly' \\(known: fleet-install, fleet-scan\\)"):
        _policy.find_window(str(registry), 'fleet-weekly')


class _FakeRegistry(object):
    """A registry with no baselines of its own (only the predefined ones resolve)."""
    baselines = {}
