# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""patch_compliance_info as a user calls it: `ansible localhost -m fleetops.patch_manager.patch_compliance_info`."""

import json
import os
import subprocess

import pytest

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from tests.functional.module.conftest import parse_result
from tests.support import storedata

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MODULE = 'fleetops.patch_manager.patch_compliance_info'


def info(args, *extra, **env):
    environment = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1')
    environment.pop('FLEETOPS_PATCH_STORE', None)
    environment.update(env)
    completed = subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible'), 'localhost', '-m', MODULE, '-a',
                                json.dumps(args)] + list(extra), cwd=REPO_ROOT, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    return parse_result(completed)


@pytest.fixture(scope='module')
def store(tmp_path_factory):
    url = 'sqlite://%s' % (tmp_path_factory.mktemp('info') / 'store.sqlite3')
    results = {}
    with _store.open_store(url) as opened:
        for index in range(8):
            results[storedata.host_name(index)] = storedata.make_result(index, patch_count=200)
            opened.record_result(storedata.host_name(index), results[storedata.host_name(index)])
    return url, results


def test_queries_answer_items_keyed_by_instance_id(store):
    url, results = store
    behind = [{'Key': 'MissingCount', 'Type': 'GreaterThan', 'Values': ['0']}]
    answer = info({'query': 'instance_patch_states', 'filters': behind}, FLEETOPS_PATCH_STORE=url)
    assert not answer['failed'] and answer['changed'] is False
    assert [item['instance_id'] for item in answer['items']] == sorted(
        host for host, result in results.items() if result['instance_patch_state']['missing_count'] > 0)
    assert answer['store'] == url
    group = info({'query': 'patch_group_state', 'patch_group': 'Production', 'store': url})
    assert group['state']['instances'] == 2
    checked = info({'query': 'patch_group_state', 'patch_group': 'Production'}, '--check', '-e', 'patch_store=%s' % url)
    assert checked['state'] == group['state']
    ungrouped = info({'query': 'instance_patch_states', 'without_patch_group': True, 'store': url})
    assert [item['instance_id'] for item in ungrouped['items']] == ['node00003', 'node00007']
    patches = info({'query': 'instance_patches', 'instances': ['node00001'], 'store': url,
                    'filters': [{'Key': 'State', 'Values': ['INSTALLED']}]})
    assert patches['items'] and all(item['state'] == 'INSTALLED' and item['instance_id'] == 'node00001'
                                    for item in patches['items'])


@pytest.mark.parametrize('args, message', [
    ({'query': 'patch_group_state'}, 'query is patch_group_state but all of the following are missing: patch_group'),
    ({'query': 'history', 'cve_ids': ['CVE-2026-0001']}, 'cve_ids: applies only to query=cve_exposure, not to query=history'),
    ({'query': 'instance_patch_states', 'filters': [{'Key': 'Nope', 'Values': ['1']}]}, "filters[0].Key: 'Nope' is not one of"),
    ({'query': 'instance_patch_states', 'not_reported_within': 'soon'}, "not_reported_within: 'soon' is not an age"),
    ({'query': 'windows'}, 'value of query must be one of: instance_patch_states, patch_group_state'),
])
def test_bad_options_fail_naming_the_option(store, args, message):
    answer = info(dict(args, store=store[0]))
    assert answer['failed'] and message in answer['msg']


def test_a_store_that_does_not_exist_is_named_and_not_created(tmp_path):
    url = 'sqlite://%s' % (tmp_path / 'nothing-here.sqlite3')
    answer = info({'query': 'history', 'store': url})
    assert answer['failed'] and answer['msg'].startswith('The patch store %s does not exist' % url)
    assert not (tmp_path / 'nothing-here.sqlite3').exists()
