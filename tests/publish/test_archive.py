# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Galaxy archive: what it ships, what it leaves out, and that it works once installed."""

from __future__ import annotations

import fnmatch
import json
import os
import tarfile

import pytest
import yaml

from conftest import DEVELOPER_LEFTOVERS, FQCN, REPO, VENV_BIN, ansible_env, installed_root, run, tracked_files

# Trees a user of the collection needs: every file of them that git tracks ships.
SHIPPED_TREES = ('plugins/', 'roles/', 'playbooks/', 'meta/', 'docs/docsite/', 'awx/', 'ee/', 'examples/', 'tests/unit/')
SHIPPED_FILES = ('README.md', 'COPYING', 'changelogs/changelog.yaml', 'changelogs/config.yaml',
                 'MANIFEST.json', 'FILES.json')
# What only a checkout uses (patterns on archive paths); none of it may ship.
DEVELOPER_ONLY = (
    'Makefile', '*.mk', 'ansible.cfg', 'requirements-dev.txt', 'BENCHMARKS.md', '.ansible-lint', '.gitignore',
    '.ci/*', 'bench/*', 'build/*', '.venv*', '.collections*', '*.hypothesis*', '*.pytest_cache*',
    'tests/output/*', 'tests/fleet/*', 'tests/fleet_layer/*', 'tests/functional/*', 'tests/support/*',
    'tests/utils/*', 'tests/publish/*', 'docs/DESIGN.md', 'docs/site/*', '*__pycache__*', '*.pyc', '*.tar.gz',
    'galaxy.yml', 'changelogs/.plugin-cache.yaml',
)


def archive_files(archive):
    with tarfile.open(archive) as tar:
        return sorted(member.name for member in tar.getmembers() if member.isfile())


def test_archive_ships_what_users_need(archive):
    files = set(archive_files(archive))
    missing = [name for name in SHIPPED_FILES if name not in files]
    for path in tracked_files():
        if path.startswith(SHIPPED_TREES) and path not in files:
            missing.append(path)
    assert not missing, 'the archive lacks: %s' % ', '.join(missing)
    for tree in ('plugins/modules/', 'plugins/module_utils/', 'roles/', 'playbooks/', 'docs/docsite/rst/'):
        assert any(name.startswith(tree) for name in files), tree


def test_archive_leaves_out_developer_files(archive):
    files = archive_files(archive)
    shipped = [name for name in files if any(fnmatch.fnmatch(name, pattern) for pattern in DEVELOPER_ONLY)]
    assert not shipped, 'developer files in the archive: %s' % ', '.join(shipped)
    # The planted leftovers are gone whatever their name.
    assert not set(files) & set(DEVELOPER_LEFTOVERS)


def test_files_named_by_the_ee_metadata_ship(archive):
    files = set(archive_files(archive))
    with open(os.path.join(REPO, 'meta', 'execution-environment.yml')) as handle:
        dependencies = yaml.safe_load(handle)['dependencies']
    for key in ('python', 'system'):
        assert dependencies[key] in files, key


def test_manifest_names_the_real_project_urls(archive):
    with tarfile.open(archive) as tar:
        info = json.load(tar.extractfile('MANIFEST.json'))['collection_info']
    assert info['repository'] == 'https://github.com/fleetops/patch_manager'
    assert info['issues'] == info['repository'] + '/issues'
    assert info['homepage'] == info['repository']
    assert info['documentation'] == 'https://fleetops.github.io/patch_manager/'
    assert info['dependencies'] == {}
    assert 'patching' in info['tags']


def plugin_names(root, kind):
    """Public plugins of one kind by their files (private helpers start with an underscore)."""
    directory = os.path.join(root, 'plugins', kind)
    if not os.path.isdir(directory):
        return []
    return sorted(os.path.splitext(name)[0] for name in os.listdir(directory)
                  if name.endswith('.py') and not name.startswith('_'))


# Plugin directory -> ansible-doc type, for the kinds that carry their own documentation.
DOCUMENTED_KINDS = {
    'modules': 'module', 'inventory': 'inventory', 'callback': 'callback', 'lookup': 'lookup',
    'connection': 'connection', 'become': 'become', 'cache': 'cache', 'vars': 'vars', 'strategy': 'strategy',
}


def test_installed_collection_documents_every_plugin(installed):
    env = ansible_env(installed)
    root = installed_root(installed)
    checked = 0
    for kind, doc_type in DOCUMENTED_KINDS.items():
        for name in plugin_names(root, kind):
            fqcn = '%s.%s' % (FQCN, name)
            doc = json.loads(run([os.path.join(VENV_BIN, 'ansible-doc'), '--json', '-t', doc_type, fqcn],
                                 env=env, cwd=installed).stdout)
            assert doc[fqcn]['doc']['short_description'], fqcn
            checked += 1
    assert checked >= 3
    roles = json.loads(run([os.path.join(VENV_BIN, 'ansible-doc'), '--json', '-t', 'role', '-l', FQCN],
                           env=env, cwd=installed).stdout)
    assert sorted(os.listdir(os.path.join(root, 'roles'))) == sorted(name.split('.')[-1] for name in roles)


def test_installed_playbooks_parse_by_their_fqcn(installed, tmp_path):
    env = ansible_env(installed)
    inventory = tmp_path / 'hosts.ini'
    inventory.write_text('localhost ansible_connection=local\n')
    playbooks = sorted(os.path.splitext(name)[0]
                       for name in os.listdir(os.path.join(installed_root(installed), 'playbooks'))
                       if name.endswith(('.yml', '.yaml')))
    assert playbooks
    for name in playbooks:
        run([os.path.join(VENV_BIN, 'ansible-playbook'), '--syntax-check', '-i', str(inventory),
             '%s.%s' % (FQCN, name)], env=env, cwd=str(tmp_path))


@pytest.fixture(scope='module')
def galaxy_import(archive, tmp_path_factory):
    """galaxy-importer on the archive, offline, as Galaxy runs it on upload (without its container
    ansible-test run, which needs podman or docker; `make sanity` covers that)."""
    workdir = str(tmp_path_factory.mktemp('importer'))
    config = os.path.join(workdir, 'galaxy-importer.cfg')
    with open(config, 'w') as handle:
        handle.write('[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\nOFFLINE_ANSIBLE_LINT = True\n'
                     'RUN_ANSIBLE_DOC = True\nCHECK_CHANGELOG = True\nCHECK_REQUIRED_TAGS = False\n')
    env = ansible_env(os.path.join(workdir, 'no-collections'))
    env['GALAXY_IMPORTER_CONFIG'] = config
    result = run([os.path.join(VENV_BIN, 'python'), '-m', 'galaxy_importer.main', archive], cwd=workdir, env=env)
    with open(os.path.join(workdir, 'importer_result.json')) as handle:
        return result.stdout + result.stderr, json.load(handle)


def test_galaxy_importer_accepts_the_archive(galaxy_import, archive):
    log, result = galaxy_import
    assert 'Importer processing completed successfully' in log
    problems = [line for line in log.splitlines() if 'WARNING' in line or 'ERROR' in line]
    assert not problems, '\n'.join(problems)
    assert result['requires_ansible'] == '>=2.16.0'
    assert result['docs_blob']['collection_readme']['name'] == 'README.md'
    imported = set((item['content_type'], item['name']) for item in result['contents'])
    files = archive_files(archive)
    expected = set()
    for name in files:
        parts = name.split('/')
        if parts[0] == 'plugins' and parts[1] == 'modules' and name.endswith('.py'):
            expected.add(('module', os.path.splitext(parts[2])[0]))
        elif parts[0] == 'roles' and len(parts) > 2:
            expected.add(('role', parts[1]))
        elif parts[0] == 'playbooks' and len(parts) == 2 and name.endswith(('.yml', '.yaml')):
            expected.add(('playbook', parts[1]))
    assert expected and expected <= imported, sorted(expected - imported)
