# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report playbook, and its page in a real headless Chromium (Debian's ``chromium``).

The page is opened from the file with every host name resolving nowhere: it must render and
run its script with no network; the numbers it shows must be the store's; a screenshot is
written to tests/output/report.png for people to look at.
"""

import csv
import datetime
import html.parser
import json
import os
import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query as query
from tests.support import storedata

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUTPUT = os.path.join(REPO_ROOT, 'tests', 'output')
HOSTS = 40
DAYS = 10
FAILED_HOST = storedata.host_name(7)
START = datetime.datetime(2026, 11, 14, 2, 0, tzinfo=datetime.timezone.utc)


def chromium():
    for name in ('chromium', 'chromium-browser'):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip('Chromium is not installed (make system-deps installs Debian package chromium)')


def run_chromium(tmp_path, *arguments):
    profile = tmp_path / ('chromium-profile-%d' % len(os.listdir(str(tmp_path))))
    argv = [chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--user-data-dir=%s' % profile, '--host-resolver-rules=MAP * ~NOTFOUND', '--hide-scrollbars',
            '--window-size=1440,2400'] + list(arguments)
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=180,
                          check=True)


def build_store(url):
    """40 hosts reporting daily for 10 days, getting better; one host's last run failed; one window execution."""
    with _store.open_store(url) as store:
        for day in range(DAYS):
            for index in range(HOSTS):
                when = START + datetime.timedelta(days=day, minutes=index)
                name = storedata.host_name(index)
                if name == FAILED_HOST and day == DAYS - 1:
                    store.record_result(name, {'failed': True, 'msg': 'The dpkg lock was held for 120 s'},
                                        recorded_time=when)
                    continue
                behind = max(0, (40 - 4 * day) // (1 + index % 5)) if index % 3 else 0
                store.record_result(name, storedata.make_result(index, run=day, patch_count=250, non_compliant=behind,
                                                                when=_store.format_time(when)), recorded_time=when)
        store.record_window_execution({'window': 'prod-sunday', 'window_execution_id': 'we-0001', 'status': 'SUCCESS',
                                       'start_time': '2026-11-22T02:00:00+01:00', 'end_time': '2026-11-22T03:10:00+01:00',
                                       'tasks': [{'name': 'scan', 'priority': 1, 'status': 'SUCCESS',
                                                  'start_time': '2026-11-22T01:00:00Z', 'end_time': '2026-11-22T01:20:00Z',
                                                  'hosts': {'node00000': 'compliant'}}]})


class Attributes(html.parser.HTMLParser):
    """Collects the attributes of every element of the rendered DOM."""

    def __init__(self):
        super(Attributes, self).__init__()
        self.elements = []
        self.metrics = {}
        self._metric = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self._metric = attributes.get('data-metric')

    def handle_data(self, data):
        if self._metric and data.strip():
            self.metrics[self._metric] = data.strip()
            self._metric = None

    def with_attribute(self, name):
        return [attributes for tag, attributes in self.elements if name in attributes]


def number(text):
    return int(text.replace(',', ''))


def ansible_playbook(*arguments):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1')
    return subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook')] + list(arguments),
                          cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    directory = tmp_path_factory.mktemp('report')
    url = 'sqlite://%s' % (directory / 'store.sqlite3')
    build_store(url)
    report_dir = directory / 'out'
    completed = ansible_playbook('playbooks/report.yml', '-e', 'report_dir=%s' % report_dir, '-e', 'patch_store=%s' % url)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return url, report_dir, completed


def test_the_page_renders_offline_and_shows_the_stores_numbers(report, tmp_path):
    url, report_dir, dummy = report
    page = report_dir / 'index.html'
    dom = run_chromium(tmp_path, '--dump-dom', page.as_uri()).stdout
    parsed = Attributes()
    parsed.feed(dom)
    with _store.open_store(url) as store:
        items, dummy = query.instance_patch_states(store)
        summary = query.fleet_summary(store)['totals']
        exposure = query.cve_exposure(store)
    failed = [item for item in items if item['last_operation_status'] == 'Failed']
    succeeded = [item for item in items if item['last_operation_status'] == 'Success']
    # The script ran (it marks the body) with no network at all.
    body = [attributes for tag, attributes in parsed.elements if tag == 'body'][0]
    assert body.get('data-rendered-hosts') == str(HOSTS)
    metrics = dict((key, number(value)) for key, value in parsed.metrics.items() if re.match(r'^[\d,]+$', value))
    assert metrics['instances'] == HOSTS == len(items)
    assert metrics['compliant'] == sum(1 for item in succeeded if item['compliance_status'] == 'COMPLIANT')
    assert metrics['non_compliant'] == sum(1 for item in succeeded if item['compliance_status'] == 'NON_COMPLIANT')
    assert metrics['failed'] == len(failed) == 1
    for field in ('critical_non_compliant_count', 'security_non_compliant_count', 'missing_count'):
        assert metrics[field] == summary[field] == sum(item[field] or 0 for item in items), field
    assert metrics['hosts_shown'] == HOSTS
    assert parsed.metrics['as_of'] == max(item['last_operation_time'] for item in items)
    # Compliance by patch group, as the store has it.
    groups = dict((attributes['data-group'], attributes) for attributes in parsed.with_attribute('data-group'))
    for name in ('Production', 'Staging', 'Development'):
        members = [item for item in succeeded if item['patch_group'] == name]
        assert number(groups[name]['data-hosts']) == sum(1 for item in items if item['patch_group'] == name)
        assert number(groups[name]['data-compliant']) == sum(1 for item in members
                                                             if item['compliance_status'] == 'COMPLIANT')
    assert '(no patch group)' in groups
    systems = dict((attributes['data-os'], attributes) for attributes in parsed.with_attribute('data-os'))
    assert sorted(systems) == sorted(set(item['operating_system'] for item in items))
    # CVE exposure rows and every host in the table.
    cves = dict((attributes['data-cve'], number(attributes['data-hosts'])) for attributes in parsed.with_attribute('data-cve'))
    assert cves and cves == dict((item['cve_id'], item['instance_count']) for item in exposure if item['instance_count'])
    table_hosts = [attributes['data-instance'] for tag, attributes in parsed.elements
                   if tag == 'tr' and 'data-outcome' in attributes]
    assert sorted(table_hosts) == sorted(item['instance_id'] for item in items)
    assert len(parsed.with_attribute('data-date')) == DAYS
    assert parsed.with_attribute('data-window-execution')[0]['data-window-execution'] == 'we-0001'


def test_the_page_is_self_contained(report):
    text = (report[1] / 'index.html').read_text()
    assert not re.search(r'''(src|href)\s*=\s*["']?(https?:)?//''', text)
    assert '<link' not in text and '@import' not in text and 'url(' not in text
    assert '<script src' not in text


def test_a_screenshot_of_the_page(report, tmp_path):
    os.makedirs(OUTPUT, exist_ok=True)
    target = os.path.join(OUTPUT, 'report.png')
    if os.path.exists(target):
        os.unlink(target)
    run_chromium(tmp_path, '--screenshot=%s' % target, (report[1] / 'index.html').as_uri())
    with open(target, 'rb') as handle:
        header = handle.read(8)
    assert header == b'\x89PNG\r\n\x1a\n'
    assert os.path.getsize(target) > 50000  # a rendered dashboard, not a blank page


def test_csv_json_and_junit_files_match_the_store(report):
    url, report_dir, dummy = report
    with _store.open_store(url) as store:
        items, dummy = query.instance_patch_states(store)
        non_compliant = query.instance_patches(store, filters=[{'Key': 'State', 'Values': list(_store.NON_COMPLIANT_STATES)}])
    with open(str(report_dir / 'instances.csv')) as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row['instance_id'] for row in rows) == sorted(item['instance_id'] for item in items)
    by_host = dict((item['instance_id'], item) for item in items)
    assert all(int(row['missing_count']) == by_host[row['instance_id']]['missing_count'] for row in rows
               if row['missing_count'])
    with open(str(report_dir / 'patches.csv')) as handle:
        patches = list(csv.DictReader(handle))
    assert len(patches) == len(non_compliant) > 0
    assert set(row['state'] for row in patches) <= set(_store.NON_COMPLIANT_STATES)
    with open(str(report_dir / 'compliance.json')) as handle:
        document = json.load(handle)
    assert document['summary']['totals']['instances'] == HOSTS
    assert len(document['instances']) == HOSTS
    tree = ElementTree.parse(str(report_dir / 'junit.xml'))
    cases = tree.getroot().findall('.//testcase')
    failing = sorted(case.get('name') for case in cases if case.find('failure') is not None)
    assert len(cases) == HOSTS
    assert failing == sorted(item['instance_id'] for item in items
                             if item['compliance_status'] != 'COMPLIANT' or item['last_operation_status'] == 'Failed')
    assert FAILED_HOST in failing
    assert int(tree.getroot().get('failures')) == len(failing)


def test_the_report_is_idempotent_and_needs_a_directory(report):
    url, report_dir, dummy = report
    again = ansible_playbook('playbooks/report.yml', '-e', 'report_dir=%s' % report_dir, '-e', 'patch_store=%s' % url)
    assert again.returncode == 0 and 'changed=0' in again.stdout, again.stdout
    missing = ansible_playbook('playbooks/report.yml', '-e', 'patch_store=%s' % url)
    assert missing.returncode != 0
    assert 'report_dir: required' in missing.stdout
