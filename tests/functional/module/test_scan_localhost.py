# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make scan`: scanning this machine changes no package and prints the table and the summary.

Reads this machine's real apt state after refreshing its package lists, as the Scan does by
default; asserts nothing about which patches exist, only what `make scan` promises.
"""

import hashlib
import os
import subprocess

import pytest

from tests.functional.module.conftest import parse_result

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DPKG_STATUS = '/var/lib/dpkg/status'


def digest(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def debian_machine():
    if not os.path.exists(DPKG_STATUS) or not os.path.exists('/usr/bin/python3'):
        pytest.skip('this machine is not an apt system')


def ansible(*argv, **env):
    environment = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1', **env)
    return subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', argv[0])] + list(argv[1:]), cwd=REPO_ROOT,
                          env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          check=False)


def test_scan_playbook_prints_table_and_summary_and_changes_nothing(debian_machine):
    before = digest(DPKG_STATUS)
    completed = ansible('ansible-playbook', 'playbooks/scan_localhost.yml')
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert 'Compliance: ' in completed.stdout
    assert 'installed=' in completed.stdout and 'missing=' in completed.stdout
    assert 'changed=0' in completed.stdout
    assert digest(DPKG_STATUS) == before


def test_ad_hoc_scan(debian_machine):
    # a refresh in the last hour (the playbook's, above) is enough
    completed = ansible('ansible', 'localhost', '-m', 'fleetops.patch_manager.run_patch_baseline', '-a',
                        'operation=Scan cache_valid_time=3600')
    assert completed.returncode == 0, completed.stdout + completed.stderr
    result = parse_result(completed)
    state = result['instance_patch_state']
    assert state['operating_system'] in ('DEBIAN', 'UBUNTU')
    assert state['baseline_id'] and state['compliance_status'] in ('COMPLIANT', 'NON_COMPLIANT')
    assert state['installed_count'] + state['installed_other_count'] + state['missing_count'] == len(result['patches'])
    assert result['changed'] is False


def apt_security_upgrades():
    """What apt itself lists as upgradable from a -security suite: {name.arch: candidate version}."""
    completed = subprocess.run(['apt', 'list', '--upgradable'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               universal_newlines=True, check=True, env=dict(os.environ, LC_ALL='C'))
    upgrades = {}
    for line in completed.stdout.splitlines():
        fields = line.split()
        if '/' not in line or len(fields) < 3:
            continue  # "Listing..."
        name, suites = fields[0].split('/', 1)
        if any(suite.endswith('-security') for suite in suites.split(',')):
            upgrades['%s.%s' % (name, fields[2])] = fields[1]
    return upgrades


def test_ad_hoc_scan_reports_the_security_updates_apt_lists(debian_machine):
    # The predefined Debian baseline approves every security-suite update, whatever its priority:
    # what apt lists as upgradable from a -security suite is exactly what Scan reports MISSING.
    expected = apt_security_upgrades()
    # a refresh in the last hour (the playbook's, above) is enough
    completed = ansible('ansible', 'localhost', '-m', 'fleetops.patch_manager.run_patch_baseline', '-a',
                        'operation=Scan cache_valid_time=3600')
    assert completed.returncode == 0, completed.stdout + completed.stderr
    result = parse_result(completed)
    missing = dict((patch['kb_id'], patch['approved_version']) for patch in result['patches'] if patch['state'] == 'MISSING')
    assert missing == expected
    assert all(patch['classification'] == 'Security' for patch in result['patches'] if patch['state'] == 'MISSING')
    assert result['instance_patch_state']['security_non_compliant_count'] == len(expected)
    assert result['instance_patch_state']['compliance_status'] == ('NON_COMPLIANT' if expected else 'COMPLIANT')
