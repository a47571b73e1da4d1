# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment: ee/execution-environment.yml builds a context with the collection,
and the collection declares every third-party library its controller-side code imports."""

from __future__ import annotations

import ast
import os
import re
import sys

import yaml

from conftest import FQCN, REPO, VENV_BIN, installed_root, run

# Controller-side code: everything under plugins/ except what runs on the managed hosts.
HOST_SIDE = ('modules', 'module_utils', 'doc_fragments')


def requirement_names(path):
    """Distribution names of a pip requirements file, normalised (PEP 503)."""
    names = []
    with open(path) as handle:
        for line in handle:
            line = line.split('#', 1)[0].strip()
            if line:
                names.append(normalise(re.split(r'[\s<>=!~;\[]', line, maxsplit=1)[0]))
    return names


def normalise(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def test_builder_context_installs_the_collection(tmp_path):
    context = tmp_path / 'context'
    run([os.path.join(VENV_BIN, 'ansible-builder'), 'create', '-f', os.path.join(REPO, 'ee', 'execution-environment.yml'),
         '-c', str(context), '--output-filename', 'Containerfile'])
    containerfile = (context / 'Containerfile').read_text()
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert FQCN in [entry['name'] for entry in galaxy['collections']]
    # The collections of requirements.yml are installed, then ansible-builder's introspection
    # gathers their meta/execution-environment.yml dependencies into the image.
    assert 'ansible-galaxy collection install' in containerfile and '-r requirements.yml' in containerfile
    assert 'introspect' in containerfile and 'install-from-bindep' in containerfile
    assert 'ansible-core>=2.16' in containerfile


def test_installed_collection_hands_its_requirements_to_ansible_builder(installed):
    """ansible-builder's introspection (the step that runs inside the image build) reads the
    installed archive's meta/execution-environment.yml and gets every declared requirement."""
    from ansible_builder._target_scripts import introspect

    found = introspect.process(data_dir=installed)
    root = installed_root(installed)
    declared = requirement_names(os.path.join(root, 'meta', 'ee-requirements.txt'))
    assert 'pyyaml' in declared
    python = [normalise(re.split(r'[\s<>=!~;\[]', line, maxsplit=1)[0]) for line in found['python'].get(FQCN, [])]
    assert sorted(python) == sorted(declared)
    system = found['system'].get(FQCN, [])
    assert system == introspect.bindep_file_data(os.path.join(root, 'meta', 'ee-bindep.txt'))
    # The image installs them, less what ansible-builder knows the image has (PyYAML comes with ansible-core).
    out = yaml.safe_load(run([os.path.join(VENV_BIN, 'ansible-builder'), 'introspect', '--sanitize', installed]).stdout)
    expected = sorted(name for name in declared if name not in introspect.EXCLUDE_REQUIREMENTS)
    assert sorted(normalise(re.split(r'[\s<>=!~;\[]', line, maxsplit=1)[0]) for line in out['python']) == expected


def third_party_imports(path):
    """Top-level names of the modules a Python file imports that are neither the standard
    library nor Ansible."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split('.')[0])
    return set(name for name in names
               if name not in sys.stdlib_module_names and name not in ('ansible', 'ansible_collections', '__future__'))


def test_controller_imports_are_declared_for_the_ee_and_the_venv():
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    ee = set(requirement_names(os.path.join(REPO, 'meta', 'ee-requirements.txt')))
    dev = set(requirement_names(os.path.join(REPO, 'requirements-dev.txt')))
    undeclared = []
    plugins = os.path.join(REPO, 'plugins')
    for kind in sorted(os.listdir(plugins)):
        if kind in HOST_SIDE or not os.path.isdir(os.path.join(plugins, kind)):
            continue
        for directory, _dirs, files in os.walk(os.path.join(plugins, kind)):
            for name in sorted(files):
                if not name.endswith('.py'):
                    continue
                path = os.path.join(directory, name)
                for module in sorted(third_party_imports(path)):
                    dists = [normalise(d) for d in distributions.get(module, [module])]
                    for missing_from, declared in (('meta/ee-requirements.txt', ee), ('requirements-dev.txt', dev)):
                        if not set(dists) & declared:
                            where = os.path.relpath(path, REPO)
                            undeclared.append('%s imports %s, not in %s' % (where, module, missing_from))
    assert not undeclared, '\n'.join(undeclared)


def test_collection_ee_metadata_points_at_its_requirement_files():
    with open(os.path.join(REPO, 'meta', 'execution-environment.yml')) as handle:
        meta = yaml.safe_load(handle)
    assert meta['dependencies'] == {'python': 'meta/ee-requirements.txt', 'system': 'meta/ee-bindep.txt'}
