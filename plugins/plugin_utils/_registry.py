# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline registry users keep in git, and baseline resolution for one host.

Layout (CONTRACT.md "Patch groups")::

    patch_registry/
      baselines/      one baseline per .yml/.yaml/.json file, either shape; a file written
                      by `aws ssm get-patch-baseline` works untouched
      registry.yml    default_baselines: {OS: baseline}
                      patch_groups: {group: [baseline, ...]}   # at most one per OS

A baseline is referenced by its ``Name``, its ``BaselineId`` (or an ARN ending in it), or
the name of a predefined AWS baseline. A baseline file exported from AWS that carries
``PatchGroups`` registers itself for those groups, as it was registered in AWS.

Resolution order for a host: ``baseline_override`` entry for its OS -> the task's
``baseline`` option -> the baseline registered for its patch group and OS -> the
registry's default for its OS -> the predefined baseline for its OS.

Controller-only code: runs inside the action plugin on the controller.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import (
    BaselineValidationError,
    PatchManagerError,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import OPERATING_SYSTEMS

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    HAS_YAML = False

REGISTRY_FILE = 'registry.yml'
BASELINES_DIR = 'baselines'
DEFAULT_REGISTRY_DIR_NAME = 'patch_registry'
BASELINE_SUFFIXES = ('.yml', '.yaml', '.json')
REGISTRY_KEYS = ('default_baselines', 'patch_groups')


# Where the baseline came from, as reported in ``baseline_source.kind``.
SOURCE_OVERRIDE = 'override'
SOURCE_TASK = 'task'
SOURCE_REGISTRY = 'registry'
SOURCE_DEFAULT = 'default'
SOURCE_PREDEFINED = 'predefined'

PATCH_GROUP_MAX_LENGTH = 256
PATCH_GROUP_PUNCTUATION = '_.:/=+-@'


class RegistryError(PatchManagerError):
    """The registry is invalid; ``where`` names the file and key, ``problem`` says what is wrong."""

    def __init__(self, where, problem):
        self.where = where
        self.problem = problem
        super(RegistryError, self).__init__('%s: %s' % (where, problem))


def _default_normalise(document):
    from ansible_collections.fleetops.patch_manager.plugins.module_utils import _baseline
    return _baseline.normalise_baseline(document)


def _default_predefined(operating_system):
    from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
    name = _predefined.predefined_name_for(operating_system)
    return name, _predefined.get_predefined(name)


def _default_predefined_by_name(name):
    """The predefined baseline called ``name``, or None when there is none."""
    from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
    try:
        return _predefined.get_predefined(name)
    except (KeyError, PatchManagerError):
        return None


def patch_group_problem(value):
    """Why ``value`` is not a valid AWS patch group name, or None when it is."""
    if not isinstance(value, str) or isinstance(value, bool):
        return 'a patch group name must be a string, not %s' % type(value).__name__
    if not 1 <= len(value) <= PATCH_GROUP_MAX_LENGTH:
        return 'a patch group name has 1..%d characters, not %d' % (PATCH_GROUP_MAX_LENGTH, len(value))
    for char in value:
        # AWS pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$: letters, separators, numbers, punctuation.
        if not (char.isalpha() or char.isnumeric() or char == ' ' or char.isspace() and char not in '\t\n\r\f\v'
                or char in PATCH_GROUP_PUNCTUATION):
            return ('%r is not allowed in a patch group name (allowed: letters, numbers, spaces and %s)'
                    % (char, ' '.join(PATCH_GROUP_PUNCTUATION)))
    return None


def read_document_file(path):
    """Parse one YAML or JSON file (by suffix); errors name the file."""
    try:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8')
    except (IOError, OSError, UnicodeDecodeError) as exc:
        raise RegistryError(path, 'cannot be read: %s' % exc)
    try:
        if path.endswith('.json'):
            return json.loads(text)
        if not HAS_YAML:
            raise RegistryError(path, 'PyYAML is needed to read YAML files')
        return yaml.safe_load(text)
    except ValueError as exc:
        raise RegistryError(path, 'is not valid JSON: %s' % exc)
    except Exception as exc:  # yaml.YAMLError and its subclasses
        if HAS_YAML and isinstance(exc, yaml.YAMLError):
            raise RegistryError(path, 'is not valid YAML: %s' % exc)
        raise


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

    def __init__(self, path, baselines, default_baselines, patch_groups, registered_by):
        self.path = path
        self.baselines = baselines
        self.default_baselines = default_baselines
        self.patch_groups = patch_groups
        self.registered_by = registered_by

    def baseline(self, name):
        return self.baselines[name]['baseline']


class _Loader(object):
    """Builds a Registry, validating like the AWS API does, with errors naming file and key."""

    def __init__(self, path, normalise, predefined_by_name):
        self.path = path
        self.normalise = normalise
        self.predefined_by_name = predefined_by_name
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
        return Registry(self.path, self.baselines, defaults, groups, registered_by)

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


def load_registry(path, normalise=None, predefined_by_name=None):
    """Load and validate the registry at ``path``; raises RegistryError naming file and key.

    ``normalise`` (a raw baseline document -> canonical dict) and ``predefined_by_name``
    (name -> baseline or None) default to the collection's baseline model.
    """
    loader = _Loader(path, normalise or _default_normalise, predefined_by_name or _default_predefined_by_name)
    return loader.load()


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


def cached_registry(path, **kwargs):
    """``load_registry`` once per process and registry content."""
    key = (os.path.realpath(path), _tree_signature(path))
    if key not in _REGISTRY_CACHE:
        _REGISTRY_CACHE.clear()
        _REGISTRY_CACHE[key] = load_registry(path, **kwargs)
    return _REGISTRY_CACHE[key]


def registry_dir_for_host(task_vars):
    """The registry directory for a host, or None when there is none.

    ``patch_registry_dir`` when set (relative paths are taken from the inventory
    directory); else ``patch_registry/`` beside the host's inventory source, when it exists.
    """
    inventory_dir = task_vars.get('inventory_dir') or ''
    configured = task_vars.get('patch_registry_dir')
    if configured:
        configured = os.path.expanduser(str(configured))
        if not os.path.isabs(configured) and inventory_dir:
            configured = os.path.join(inventory_dir, configured)
        if not os.path.isdir(configured):
            raise RegistryError('patch_registry_dir', '%s is not a directory' % configured)
        return configured
    if inventory_dir:
        candidate = os.path.join(inventory_dir, DEFAULT_REGISTRY_DIR_NAME)
        if os.path.isdir(candidate):
            return candidate
    return None


def _source(kind, name, why, path=None):
    source = {'kind': kind, 'name': name, 'why': why}
    if path:
        source['path'] = path
    return source


def resolve_baseline(operating_system, patch_group=None, registry=None, baseline_override=None,
                     task_baseline=None, predefined=None, normalise=None):
    """Pick a host's baseline in the contract's order; say which one and why.

    ``operating_system``: the host's AWS OperatingSystem; ``baseline_override``: canonical
    baselines (the entry for this OS wins); ``task_baseline``: the task's ``baseline``
    option (a raw/canonical dict, or a name: a registry baseline or a predefined one);
    ``predefined(os) -> (name, baseline)`` defaults to the collection's predefined baselines.

    Returns ``{'baseline': canonical, 'baseline_source': {'kind', 'name', 'why'[, 'path']}}``.
    """
    normalise = normalise or _default_normalise
    predefined = predefined or _default_predefined
    for entry in baseline_override or []:
        if entry.get('operating_system') == operating_system:
            return {'baseline': entry, 'baseline_source': _source(
                SOURCE_OVERRIDE, entry.get('name'),
                'baseline_override has an entry for %s, which wins over every registered baseline.' % operating_system)}

    if task_baseline is not None:
        return _resolve_task_baseline(task_baseline, operating_system, registry, normalise)

    if registry is not None and patch_group:
        name = registry.patch_groups.get(patch_group, {}).get(operating_system)
        if name is not None:
            origin = registry.registered_by.get((patch_group, operating_system), REGISTRY_FILE)
            return {'baseline': registry.baseline(name), 'baseline_source': _source(
                SOURCE_REGISTRY, name,
                'Patch group %r has baseline %r registered for %s (%s in %s).'
                % (patch_group, name, operating_system, origin, registry.path),
                registry.baselines[name]['path'])}

    group_text = ('patch group %r has no baseline registered for %s' % (patch_group, operating_system)
                  if patch_group else 'the host has no patch group')
    if registry is not None and operating_system in registry.default_baselines:
        name = registry.default_baselines[operating_system]
        return {'baseline': registry.baseline(name), 'baseline_source': _source(
            SOURCE_DEFAULT, name,
            'The registry default for %s applies: %s (%s).' % (operating_system, group_text, registry.path),
            registry.baselines[name]['path'])}

    registry_text = ('the registry %s has no default for %s' % (registry.path, operating_system)
                     if registry is not None else 'no patch registry is configured')
    name, baseline = predefined(operating_system)
    if 'operating_system' not in baseline:
        baseline = normalise(baseline)
    return {'baseline': baseline, 'baseline_source': _source(
        SOURCE_PREDEFINED, name,
        'The predefined baseline for %s applies: %s and %s.' % (operating_system, group_text, registry_text))}


def _resolve_task_baseline(task_baseline, operating_system, registry, normalise):
    if isinstance(task_baseline, dict):
        baseline = task_baseline if 'operating_system' in task_baseline else normalise(task_baseline)
        return {'baseline': baseline, 'baseline_source': _source(
            SOURCE_TASK, baseline.get('name'), 'The task sets the baseline option to this baseline.')}
    if registry is not None:
        loader = _Loader(registry.path, normalise, _default_predefined_by_name)
        loader.baselines, loader.by_id = registry.baselines, dict(
            (entry['baseline_id'], name) for name, entry in registry.baselines.items() if entry.get('baseline_id'))
        name = loader.reference('baseline', task_baseline)
        return {'baseline': registry.baseline(name), 'baseline_source': _source(
            SOURCE_TASK, name, 'The task sets the baseline option to %r.' % task_baseline, registry.baselines[name]['path'])}
    baseline = _default_predefined_by_name(task_baseline)
    if baseline is None:
        raise RegistryError('baseline', '%r is not a predefined AWS baseline and no patch registry is configured'
                            % (task_baseline,))
    if 'operating_system' not in baseline:
        baseline = normalise(baseline)
    return {'baseline': baseline, 'baseline_source': _source(
        SOURCE_TASK, task_baseline, 'The task sets the baseline option to the predefined %r.' % task_baseline)}


def resolve_for_host(task_vars, operating_system, patch_group=None, baseline_override=None, task_baseline=None):
    """The action plugin's entry point: registry lookup from the host's variables.

    ``patch_group`` defaults to the host variable ``patch_group`` (set by the
    ``patch_groups`` inventory plugin). Returns what ``resolve_baseline`` returns.
    """
    if operating_system not in OPERATING_SYSTEMS:
        raise RegistryError('operating_system', '%r is not one of %s' % (operating_system, ', '.join(OPERATING_SYSTEMS)))
    if patch_group is None:
        patch_group = task_vars.get('patch_group') or None
    path = registry_dir_for_host(task_vars)
    registry = cached_registry(path) if path else None
    return resolve_baseline(operating_system, patch_group=patch_group, registry=registry,
                            baseline_override=baseline_override, task_baseline=task_baseline)


# ansible_facts.distribution -> AWS OperatingSystem (Amazon Linux is split by version below).
_DISTRIBUTIONS = {
    'Ubuntu': 'UBUNTU',
    'Debian': 'DEBIAN',
    'Raspbian': 'RASPBIAN',
    'RedHat': 'REDHAT_ENTERPRISE_LINUX',
    'CentOS': 'CENTOS',
    'Rocky': 'ROCKY_LINUX',
    'AlmaLinux': 'ALMA_LINUX',
    'OracleLinux': 'ORACLE_LINUX',
    'SLES': 'SUSE',
    'SLES_SAP': 'SUSE',
    'SUSE': 'SUSE',
    'openSUSE Leap': 'SUSE',
    'openSUSE Tumbleweed': 'SUSE',
    'openSUSE': 'SUSE',
    'MacOSX': 'MACOS',
}


def operating_system_from_facts(facts):
    """The AWS OperatingSystem of a host from its gathered facts, or None when unknown or not gathered."""
    if not isinstance(facts, dict):
        return None
    distribution = facts.get('distribution')
    if facts.get('os_family') == 'Windows':
        return 'WINDOWS'
    if distribution == 'Amazon':
        major = str(facts.get('distribution_major_version', ''))
        return {'2': 'AMAZON_LINUX_2', '2022': 'AMAZON_LINUX_2022', '2023': 'AMAZON_LINUX_2023'}.get(
            major, 'AMAZON_LINUX' if major.startswith('20') else None)
    return _DISTRIBUTIONS.get(distribution)


def resolve_baseline_for_host(task_vars, args, detect_operating_system=None, store=None, report=None):
    """The hook ``plugins/action/run_patch_baseline.py`` calls: the value for the module's ``baseline``.

    Resolves in the contract's order (see ``_snapshot.resolve_host``), freezes it under
    ``args['snapshot_id']`` and, when a snapshot froze the evaluation time, sets
    ``args['evaluation_time']`` to it. Returns the task's own ``baseline`` unchanged when
    there is nothing to resolve (a ``baseline_override`` is given, which the module applies,
    or the host's OS is unknown and no registry is configured).

    When ``report`` (a dict) is given it receives the task result fields that say which
    baseline was chosen and why: ``baseline_source`` ({kind, name, why[, path]}) and,
    with a snapshot, ``snapshot_reused``; ``warnings`` lists what the user should see.
    """
    from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _snapshot
    details = _snapshot.resolve_host(task_vars, args, detect_operating_system=detect_operating_system, store=store)
    if details is None:
        return args.get('baseline')
    if details.get('evaluation_time'):
        args['evaluation_time'] = details['evaluation_time']
    if report is not None:
        report['baseline_source'] = details['baseline_source']
        if details.get('snapshot_id'):
            report['snapshot_reused'] = details['snapshot_reused']
        if details.get('warnings'):
            report['warnings'] = list(details['warnings'])
    return details['baseline']
