# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The scan and report playbooks under ansible-runner, the engine AWX runs job templates with.

Two inventory hosts scan one generated dnf root (``patch_root``) over a local connection; the
test reads what an AWX user sees: the job events, the ``set_stats`` artifacts
(``patch_fleet_summary``, ``patch_compliance_report``) and the compliance store the job wrote.
"""

import os

import pytest

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query as query

ansible_runner = pytest.importorskip('ansible_runner')

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HOSTS = ('web-a', 'web-b')


@pytest.fixture
def family():
    return 'dnf'


def run_job(private_data_dir, playbook, inventory, extravars, env):
    private_data_dir.mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(private_data_dir), playbook=os.path.join(REPO_ROOT, 'playbooks', playbook),
        inventory=inventory, extravars=extravars, envvars=env, forks=1, quiet=True)
    events = list(runner.events)
    return runner, events


def artifacts(events):
    """The set_stats data the job published (what AWX shows as job artifacts)."""
    for event in events:
        if event.get('event') == 'playbook_on_stats':
            return event['event_data'].get('artifact_data') or {}
    raise AssertionError('the job has no playbook_on_stats event')


def test_scan_and_report_jobs_under_ansible_runner(node, tmp_path, monkeypatch):
    # The runner starts the ansible-playbook of PATH, as an execution environment has it.
    monkeypatch.setenv('PATH', os.path.join(REPO_ROOT, '.venv', 'bin') + os.pathsep + os.environ['PATH'])
    store_url = 'sqlite://%s' % (tmp_path / 'awx-store.sqlite3')
    inventory = {'all': {'hosts': dict((name, {'ansible_connection': 'local', 'patch_group': 'Production'})
                                       for name in HOSTS),
                         'vars': {'ansible_python_interpreter': '/usr/bin/python3', 'patch_root': node.root}}}
    env = {'ANSIBLE_CONFIG': os.path.join(REPO_ROOT, 'ansible.cfg'),
           'ANSIBLE_COLLECTIONS_PATH': os.path.join(REPO_ROOT, '.collections'),
           'FLEETOPS_PATCH_SNAPSHOT_DIR': str(tmp_path / 'snapshots'), 'FLEETOPS_PATCH_STORE': store_url}
    runner, events = run_job(tmp_path / 'scan-job', 'scan.yml', inventory, {}, env)
    assert runner.status == 'successful' and runner.rc == 0, runner.stdout.read()[-3000:]

    # What the job events say about each host's scan.
    states = {}
    for event in events:
        data = event.get('event_data') or {}
        result = data.get('res') or {}
        if event.get('event') == 'runner_on_ok' and isinstance(result.get('instance_patch_state'), dict):
            states[data['host']] = result['instance_patch_state']
    assert sorted(states) == list(HOSTS)
    assert all(state['missing_count'] > 0 and state['compliance_status'] == 'NON_COMPLIANT' for state in states.values())

    summary = artifacts(events)['patch_fleet_summary']
    assert summary['totals']['hosts'] == 2
    assert summary['groups']['Production']['non_compliant'] == 2

    # The job wrote the store.
    with _store.open_store(store_url, create=False) as store:
        items, dummy = query.instance_patch_states(store)
        group_state = query.patch_group_state(store, 'Production')
    assert [item['instance_id'] for item in items] == list(HOSTS)
    for item in items:
        assert item['missing_count'] == states[item['instance_id']]['missing_count']
        assert item['snapshot_id'] == states[item['instance_id']]['snapshot_id'] != ''
    assert group_state['instances'] == 2 and group_state['instances_with_missing_patches'] == 2

    # The report job reads the same store and publishes its summary.
    report_dir = tmp_path / 'report'
    runner, events = run_job(tmp_path / 'report-job', 'report.yml', {'all': {'hosts': {}}},
                             {'report_dir': str(report_dir)}, env)
    assert runner.status == 'successful' and runner.rc == 0, runner.stdout.read()[-3000:]
    published = artifacts(events)['patch_compliance_report']
    assert published['instances'] == 2 and published['non_compliant'] == 2
    assert sorted(os.path.basename(path) for path in published['files']) == [
        'compliance.json', 'index.html', 'instances.csv', 'junit.xml', 'patches.csv']
    assert all(os.path.isfile(path) for path in published['files'])
