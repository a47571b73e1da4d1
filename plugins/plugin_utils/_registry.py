# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline registry users keep in git: loading and validating it, finding it for a host.

Layout (CONTRACT.md "Patch groups")::

    patch_registry/
      baselines/      one baseline per .yml/.yaml/.json file, either shape; a file written
                      by `aws ssm get-patch-baseline` works untouched
      registry.yml    default_baselines: {OS: baseline}
                      patch_groups: {group: [baseline, ...]}   # at most one per OS

A baseline is referenced by its ``Name``, its ``BaselineId`` (or an ARN ending in it), or
the name of a predefined AWS baseline. A baseline file exported from AWS that carries
``PatchGroups`` registers itself for those groups, as it was registered in AWS.

Which baseline a host gets is decided in ``_resolve``, which reads a loaded Registry.
Controller-only code.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _baseline
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _documents
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import (
    BaselineValidationError,
    PatchManagerError,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._validation import patch_group_problem
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import OPERATING_SYSTEMS

REGISTRY_FILE = 'registry.yml'
BASELINES_DIR = 'baselines'
DEFAULT_REGISTRY_DIR_NAME = 'patch_registry'
BASELINE_SUFFIXES = ('.yml', '.yaml', '.json')
REGISTRY_KEYS = ('default_baselines', 'patch_groups')


class RegistryError(PatchManagerError):
    """The registry is invalid; ``where`` names the file and key, ``problem`` says what is wrong."""

    def __init__(self, where, problem):
        self.where = where
        self.problem = problem
        super(RegistryError, self).__init__('%s: %s' % (where, problem))


def read_document_file(path):
    """Parse one YAML or JSON file; errors name the file, never quote it."""
    try:
        return _documents.read_document_file(path)
    except _documents.DocumentError as exc:
        raise RegistryError(path, exc.problem)


def _field(document, pascal, snake):
    if pascal in document:
        return document[pascal]
    return document.get(snake)


class Registry(object):
    """A loaded, validated registry.

    ``baselines``: {name: {'baseline': canonical, 'path': file, 'baseline_id': id or None}};
    ``default_baselines``: {OS: name}; ``patch_groups``: {group: {OS: name}};
    ``registered_by``: {(group, OS): 'registry.yml' or the baseline file that registered it}.
    """

    def __init__(self, path, baselines, default_baselines, patch_groups, registered_by, by_id=None):
        self.path = path
        self.baselines = baselines
        self.default_baselines = default_baselines
        self.patch_groups = patch_groups
        self.registered_by = registered_by
        self.by_id = by_id or {}

    def baseline(self, name):
        if name not in self.baselines:
            return _predefined.get_predefined(name)
        return self.baselines[name]['baseline']

    def lookup(self, where, reference):
        """The name a reference denotes: a registry name, a BaselineId or an ARN ending in one, or a predefined name.

        Raises RegistryError naming ``where`` and the known baselines.
        """
        if isinstance(reference, str) and reference:
            if reference in self.baselines:
                return reference
            candidate = reference.rsplit('/', 1)[-1] if reference.startswith('arn:') else reference
            if candidate in self.by_id:
                return self.by_id[candidate]
            if candidate in self.baselines or _predefined.is_predefined_name(candidate):
                return candidate
        raise RegistryError(where, '%r is not a baseline in %s nor a predefined AWS baseline (known: %s)'
                            % (reference, os.path.join(self.path, BASELINES_DIR), ', '.join(sorted(self.baselines)) or 'none'))


def _predefined_by_name(name):
    """The canonical predefined baseline called ``name``, or None when there is none."""
    if not _predefined.is_predefined_name(name):
        return None
    return _predefined.get_predefined(name)


class _Loader(object):
    """Builds a Registry, validating like the AWS API does, with errors naming file and key."""

    def __init__(self, path):
        self.path = path
        self.normalise = _baseline.normalise_baseline
        self.predefined_by_name = _predefined_by_name
        self.baselines = {}
        self.by_id = {}
        self.file_groups = []

    def load(self):
        if not os.path.isdir(self.path):
            raise RegistryError(self.path, 'the patch registry directory does not exist')
        self._load_baselines()
        registry_path = os.path.join(self.path, REGISTRY_FILE)
        document = {}
        if os.path.exists(registry_path):
            document = read_document_file(registry_path)
            if document is None:
                document = {}
            if not isinstance(document, dict):
                raise RegistryError(registry_path, 'must be a mapping with the keys %s' % ', '.join(REGISTRY_KEYS))
            unknown = sorted(str(key) for key in document if key not in REGISTRY_KEYS)
            if unknown:
                raise RegistryError(registry_path, 'unknown key %s (allowed: %s)' % (', '.join(unknown), ', '.join(REGISTRY_KEYS)))
        defaults = self._load_defaults(registry_path, document.get('default_baselines'))
        groups, registered_by = self._load_groups(registry_path, document.get('patch_groups'))
        return Registry(self.path, self.baselines, defaults, groups, registered_by, self.by_id)

    def _load_baselines(self):
        directory = os.path.join(self.path, BASELINES_DIR)
        if not os.path.isdir(directory):
            return
        for file_name in sorted(os.listdir(directory)):
            if not file_name.endswith(BASELINE_SUFFIXES) or file_name.startswith('.'):
                continue
            file_path = os.path.join(directory, file_name)
            document = read_document_file(file_path)
            if not isinstance(document, dict):
                raise RegistryError(file_path, 'must hold one baseline (a mapping in the AWS or YAML shape), not %s'
                                    % type(document).__name__)
            try:
                canonical = self.normalise(document)
            except BaselineValidationError as exc:
                raise RegistryError(file_path, str(exc))
            name = canonical.get('name')
            if not name:
                raise RegistryError(file_path, 'Name: required (the registry refers to baselines by name)')
            if name in self.baselines:
                raise RegistryError(file_path, 'Name: %r is already used by %s; baseline names must be unique'
                                    % (name, self.baselines[name]['path']))
            if self.predefined_by_name(name) is not None:
                raise RegistryError(file_path, 'Name: %r is the name of a predefined AWS baseline; choose another name' % name)
            baseline_id = canonical.get('baseline_id') or _field(document, 'BaselineId', 'baseline_id')
            self.baselines[name] = {'baseline': canonical, 'path': file_path, 'baseline_id': baseline_id}
            if baseline_id:
                self.by_id[baseline_id] = name
            exported_groups = _field(document, 'PatchGroups', 'patch_groups') or []
            if not isinstance(exported_groups, list):
                raise RegistryError(file_path, 'PatchGroups: must be a list of patch group names')
            for index, group in enumerate(exported_groups):
                problem = patch_group_problem(group)
                if problem:
                    raise RegistryError(file_path, 'PatchGroups[%d]: %s' % (index, problem))
                self.file_groups.append((group, name, file_path))

    def reference(self, where, reference):
        """The registered name a reference denotes (registry names, ids, ARNs, predefined names)."""
        if not isinstance(reference, str) or not reference:
            raise RegistryError(where, 'must be a baseline name, not %r' % (reference,))
        if reference in self.baselines:
            return reference
        candidate = reference.rsplit('/', 1)[-1] if reference.startswith('arn:') else reference
        if candidate in self.by_id:
            return self.by_id[candidate]
        if candidate in self.baselines:
            return candidate
        predefined = self.predefined_by_name(candidate)
        if predefined is not None:
            canonical = predefined if 'operating_system' in predefined else self.normalise(predefined)
            self.baselines[candidate] = {'baseline': canonical, 'path': None, 'baseline_id': canonical.get('baseline_id')}
            return candidate
        known = sorted(self.baselines)
        raise RegistryError(where, '%r is not a baseline in %s nor a predefined AWS baseline (known: %s)'
                            % (reference, os.path.join(self.path, BASELINES_DIR), ', '.join(known) or 'none'))

    def _operating_system(self, name):
        return self.baselines[name]['baseline'].get('operating_system')

    def _load_defaults(self, registry_path, section):
        defaults = {}
        if section is None:
            return defaults
        if not isinstance(section, dict):
            raise RegistryError(registry_path, 'default_baselines: must be a mapping {OperatingSystem: baseline name}')
        for operating_system, reference in section.items():
            where = '%s: default_baselines.%s' % (registry_path, operating_system)
            if operating_system not in OPERATING_SYSTEMS:
                raise RegistryError('%s: default_baselines' % registry_path, '%r is not one of %s'
                                    % (operating_system, ', '.join(OPERATING_SYSTEMS)))
            name = self.reference(where, reference)
            actual = self._operating_system(name)
            if actual != operating_system:
                raise RegistryError(where, 'baseline %r is for %s, not %s' % (name, actual, operating_system))
            defaults[operating_system] = name
        return defaults

    def _register(self, groups, registered_by, group, name, where, origin):
        operating_system = self._operating_system(name)
        current = groups.setdefault(group, {}).get(operating_system)
        if current is not None and current != name:
            # AWS RegisterPatchBaselineForPatchGroup raises AlreadyExistsException here.
            raise RegistryError(where, 'patch group %r already has baseline %r for %s (registered in %s); '
                                'a patch group has at most one baseline per operating system'
                                % (group, current, operating_system, registered_by[(group, operating_system)]))
        groups[group][operating_system] = name
        registered_by.setdefault((group, operating_system), origin)

    def _load_groups(self, registry_path, section):
        groups = {}
        registered_by = {}
        if section is not None and not isinstance(section, dict):
            raise RegistryError(registry_path, 'patch_groups: must be a mapping {patch group: [baseline name, ...]}')
        for group, references in (section or {}).items():
            where = '%s: patch_groups.%s' % (registry_path, group)
            problem = patch_group_problem(group)
            if problem:
                raise RegistryError(where, problem)
            if isinstance(references, str):
                references = [references]
            if not isinstance(references, list) or not references:
                raise RegistryError(where, 'must be a list of baseline names (at most one per operating system)')
            for index, reference in enumerate(references):
                item = '%s[%d]' % (where, index)
                self._register(groups, registered_by, group, self.reference(item, reference), item, REGISTRY_FILE)
        for group, name, file_path in self.file_groups:
            self._register(groups, registered_by, group, name, '%s: PatchGroups' % file_path, os.path.basename(file_path))
        return groups, registered_by


def load_registry(path):
    """Load and validate the registry at ``path``; raises RegistryError naming file and key."""
    return _Loader(path).load()


_REGISTRY_CACHE = {}


def _tree_signature(path):
    """Changes whenever a registry file is added, removed or modified."""
    signature = []
    for directory in (path, os.path.join(path, BASELINES_DIR)):
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            try:
                stat = os.stat(os.path.join(directory, name))
            except OSError:
                continue
            signature.append((directory, name, stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


def cached_registry(path):
    """``load_registry`` once per process and registry content."""
    key = (os.path.realpath(path), _tree_signature(path))
    if key not in _REGISTRY_CACHE:
        _REGISTRY_CACHE.clear()
        _REGISTRY_CACHE[key] = load_registry(path)
    return _REGISTRY_CACHE[key]


def inventory_dirs(task_vars):
    """The directories the host's inventory came from: ``inventory_dir``, else those of every inventory source.

    ``localhost`` (implicit, as controller-side plays use it) has no ``inventory_dir``; the
    sources given with ``-i`` (``ansible_inventory_sources``) stand in for it.
    """
    if task_vars.get('inventory_dir'):
        return [task_vars['inventory_dir']]
    directories = []
    for source in task_vars.get('ansible_inventory_sources') or []:
        source = str(source)
        directory = source if os.path.isdir(source) else os.path.dirname(os.path.abspath(source))
        if directory not in directories:
            directories.append(directory)
    return directories


def registry_dir_for_host(task_vars):
    """The registry directory for a host, or None when there is none.

    ``patch_registry_dir`` when set (relative paths are taken from the inventory
    directory); else ``patch_registry/`` beside the host's inventory source, when it exists.
    """
    directories = inventory_dirs(task_vars)
    configured = task_vars.get('patch_registry_dir')
    if configured:
        configured = os.path.expanduser(str(configured))
        if not os.path.isabs(configured) and directories:
            configured = os.path.join(directories[0], configured)
        if not os.path.isdir(configured):
            raise RegistryError('patch_registry_dir', '%s is not a directory' % configured)
        return configured
    for directory in directories:
        candidate = os.path.join(directory, DEFAULT_REGISTRY_DIR_NAME)
        if os.path.isdir(candidate):
            return candidate
    return None
