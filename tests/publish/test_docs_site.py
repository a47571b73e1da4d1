# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The docs site (`make docs`), built offline and opened in headless Chromium as a reader would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser

import pytest
import yaml

from conftest import FQCN, REPO, VENV_BIN, ansible_env, run

CHROMIUM_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync')


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    """The site's HTML directory, built by the same script as `make docs`."""
    dest = str(tmp_path_factory.mktemp('docs') / 'site')
    env = dict(os.environ, VENV=os.path.dirname(VENV_BIN))
    result = run([os.path.join(REPO, 'docs', 'site', 'build.sh'), dest], env=env)
    # sphinx-build runs with -W: a warning of ours fails the build above; say so if one slipped through.
    assert 'WARNING' not in result.stdout + result.stderr
    return os.path.join(dest, 'build', 'html')


def rendered_dom(path):
    """The DOM Chromium renders for a local page (--dump-dom), from a fresh profile."""
    chromium = shutil.which('chromium')
    assert chromium, 'chromium is not installed (make system-deps installs it)'
    with tempfile.TemporaryDirectory() as profile:
        argv = [chromium] + list(CHROMIUM_FLAGS) + ['--user-data-dir=' + profile, '--dump-dom', 'file://' + path]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class Page(HTMLParser):
    """Link targets and text of a rendered page, and for each element id the text of the table
    row holding it (an option's or return value's row: name, type, description)."""

    def __init__(self, dom):
        super().__init__()
        self.ids = {}
        self.links = set()
        self.text = []
        self._rows = []  # open <tr>: (index into text where it starts, ids inside it)
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get('href'):
            self.links.add(attrs['href'].split('#')[0])
        if tag == 'tr':
            self._rows.append((len(self.text), []))
        if attrs.get('id'):
            self.ids[attrs['id']] = ''
            if self._rows:
                self._rows[-1][1].append(attrs['id'])

    def handle_data(self, data):
        self.text.append(data)

    def handle_endtag(self, tag):
        if tag == 'tr' and self._rows:
            start, ids = self._rows.pop()
            for element_id in ids:
                self.ids[element_id] = ''.join(self.text[start:])


def option_paths(spec, prefix='', child_key='suboptions'):
    """Slash-joined paths of every option (or return value) and their nested ones."""
    for name, entry in sorted((spec or {}).items()):
        yield prefix + name
        yield from option_paths(entry.get(child_key), prefix + name + '/', child_key)


def option_type(spec, path, child_key='suboptions'):
    """The type ansible-doc gives an option (antsibull-docs shows "any" for raw, "boolean" for bool...)."""
    entry = None
    for name in path.split('/'):
        entry = spec[name]
        spec = entry.get(child_key)
    kind = entry.get('type', 'str')
    return {'raw': 'any', 'str': 'string', 'bool': 'boolean', 'int': 'integer', 'dict': 'dictionary',
            'path': 'path', 'list': 'list', 'float': 'float'}.get(kind, kind)


def module_doc(name):
    collections = os.path.join(REPO, '.collections')
    fqcn = '%s.%s' % (FQCN, name)
    out = run([os.path.join(VENV_BIN, 'ansible-doc'), '--json', '-t', 'module', fqcn],
              env=ansible_env(collections)).stdout
    return json.loads(out)[fqcn]


def test_module_page_renders_every_option_and_return_value(site):
    doc = module_doc('run_patch_baseline')
    page = Page(rendered_dom(os.path.join(site, 'run_patch_baseline_module.html')))
    options = list(option_paths(doc['doc']['options']))
    # ansible_facts is the "Returned Facts" section; its facts have rows of their own.
    returns = [path for path in option_paths(doc['return'], child_key='contains') if path != 'ansible_facts']
    assert 'operation' in options and 'instance_patch_state' in returns
    for path in options:
        anchor = 'parameter-' + path
        assert anchor in page.ids, 'option %s is not on the page' % path
        assert path.split('/')[-1] in page.ids[anchor], 'option %s is not shown under its name' % path
        assert option_type(doc['doc']['options'], path) in page.ids[anchor], 'option %s is shown without its type' % path
    for path in returns:
        anchor = 'return-' + path
        assert anchor in page.ids, 'return value %s is not on the page' % path
        assert path.split('/')[-1] in page.ids[anchor], 'return value %s is not shown under its name' % path
    text = ''.join(page.text)
    assert 'Parameters' in text and 'Return Values' in text
    assert doc['doc']['short_description'] in text


def test_index_links_every_plugin_role_and_guide_page(site):
    page = Page(rendered_dom(os.path.join(site, 'index.html')))
    collections = os.path.join(REPO, '.collections')
    expected = []
    for doc_type in ('module', 'inventory', 'callback', 'filter', 'lookup', 'test', 'role'):
        listed = json.loads(run([os.path.join(VENV_BIN, 'ansible-doc'), '--json', '-t', doc_type, '-l', FQCN],
                                env=ansible_env(collections)).stdout)
        expected += ['%s_%s.html' % (name.split('.')[-1], doc_type) for name in listed]
    with open(os.path.join(REPO, 'docs', 'docsite', 'extra-docs.yml')) as handle:
        sections = yaml.safe_load(handle)['sections']
    expected += ['docsite/%s.html' % entry for section in sections for entry in section['toctree']]
    assert 'run_patch_baseline_module.html' in expected and 'docsite/guide_install.html' in expected
    missing = [target for target in expected if target not in page.links]
    assert not missing, 'not linked from the index: %s' % ', '.join(missing)
    for target in expected:
        assert os.path.isfile(os.path.join(site, target)), target


def test_references_to_ansible_docs_link_out_and_ours_stay_inside(site):
    page = Page(rendered_dom(os.path.join(site, 'run_patch_baseline_module.html')))
    # M(ansible.builtin.reboot) in the module's docs: resolved offline to the Ansible docs site.
    assert 'https://docs.ansible.com/projects/ansible/latest/collections/ansible/builtin/reboot_module.html' \
        in page.links
    guide = Page(rendered_dom(os.path.join(site, 'docsite', 'guide_first_scan.html')))
    assert '../run_patch_baseline_module.html' in guide.links
