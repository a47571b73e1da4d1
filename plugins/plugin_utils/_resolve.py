# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one resolution step on the controller: which baseline a host gets, and why.

Order (CONTRACT "Patch groups", AWS): the ``baseline_override`` entry for the host's OS ->
the task's ``baseline`` -> the baseline registered for the host's patch group and OS ->
the registry's default for the OS -> the predefined baseline for the OS.

The host's OS is certain only once the module has read the host's os-release, and asking
the host first would cost a second module call per host. So the controller resolves for
every operating system the host may run (only for the one its facts or the
``operating_system`` option name, when known) and hands the module one finished entry per
OS; the module takes the entry of the OS it detects and nothing else. Under a
``snapshot_id`` the entries and the evaluation time are frozen in the snapshot store.

An entry: ``{'baseline': canonical dict}`` or ``{'predefined': name}`` (the predefined
baselines ship with the module), plus ``baseline_source`` ``{kind, name, why[, path]}`` and
``snapshot_reused``. The key ``*`` holds a task ``baseline``, which applies whatever the OS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _baseline
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _run
from ansible_collections.fleetops.patch_manager.plugins.module_utils._run import ANY_OS
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import (
    BaselineValidationError,
    InputError,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import (
    SUPPORTED_OPERATING_SYSTEMS,
    iso_time,
)
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _registry
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils._snapshot import PURGE_INTERVAL, SnapshotStore

# Where the baseline came from, as reported in ``baseline_source.kind``.
SOURCE_OVERRIDE = 'override'
SOURCE_TASK = 'task'
SOURCE_REGISTRY = 'registry'
SOURCE_DEFAULT = 'default'
SOURCE_PREDEFINED = 'predefined'

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


def _source(kind, name, why, path=None):
    source = {'kind': kind, 'name': name, 'why': why}
    if path:
        source['path'] = path
    return source


def _registered(registry, name):
    return {'baseline': registry.baseline(name), 'path': registry.baselines[name]['path']}


class Resolver(object):
    """Resolves entries for one host's inputs; the registry is loaded only when an entry needs it.

    ``overrides``: canonical baselines of ``baseline_override``; ``task_baseline``: the
    task's ``baseline`` (a raw or canonical dict, or a name: a registry baseline or a
    predefined one), or None; ``registry_dir``: the registry directory or None.
    """

    def __init__(self, patch_group=None, overrides=None, task_baseline=None, registry_dir=None):
        self.patch_group = patch_group or None
        self.overrides = overrides or []
        self.task_baseline = task_baseline
        self.registry_dir = registry_dir
        self._registry = None

    @property
    def registry(self):
        if self._registry is None and self.registry_dir:
            self._registry = _registry.cached_registry(self.registry_dir)
        return self._registry

    def keys_for(self, operating_system):
        """The entry keys a host needs: its OS when known, else every supported OS; ``*`` for a task baseline."""
        systems = [operating_system] if operating_system else list(SUPPORTED_OPERATING_SYSTEMS)
        keys = [name for name in systems if self.override_for(name) is not None]
        if self.task_baseline is not None:
            return keys + [ANY_OS]
        return keys + [name for name in systems if name not in keys]

    def override_for(self, operating_system):
        for entry in self.overrides:
            if entry.get('operating_system') == operating_system:
                return entry
        return None

    def entry(self, key):
        """The entry for one key (an OS, or ``*``)."""
        if key == ANY_OS:
            return self._task_entry()
        override = self.override_for(key)
        if override is not None:
            return {'baseline': override, 'baseline_source': _source(
                SOURCE_OVERRIDE, override.get('name'),
                'baseline_override has an entry for %s, which wins over every registered baseline.' % key)}
        return self._registered_entry(key)

    def _task_entry(self):
        value = self.task_baseline
        if isinstance(value, dict):
            baseline = _normalise(value, 'baseline')
            return {'baseline': baseline, 'baseline_source': _source(
                SOURCE_TASK, baseline.get('name'), 'The task sets the baseline option to this baseline.')}
        if self.registry is not None:
            name = self.registry.lookup('baseline', value)
            if name not in self.registry.baselines or self.registry.baselines[name]['path'] is None:
                return {'predefined': name, 'baseline_source': _source(
                    SOURCE_TASK, name, 'The task sets the baseline option to the predefined %r.' % name)}
            found = _registered(self.registry, name)
            return {'baseline': found['baseline'], 'baseline_source': _source(
                SOURCE_TASK, name, 'The task sets the baseline option to %r.' % value, found['path'])}
        if not _predefined.is_predefined_name(value):
            raise InputError('baseline', '%r is not a predefined AWS baseline (%s) and no patch registry is configured'
                             % (value, ', '.join(_predefined.predefined_names())))
        return {'predefined': value, 'baseline_source': _source(
            SOURCE_TASK, value, 'The task sets the baseline option to the predefined %r.' % value)}

    def _registered_entry(self, operating_system):
        registry = self.registry
        group = self.patch_group
        if registry is not None and group:
            name = registry.patch_groups.get(group, {}).get(operating_system)
            if name is not None:
                origin = registry.registered_by.get((group, operating_system), _registry.REGISTRY_FILE)
                found = _registered(registry, name)
                return {'baseline': found['baseline'], 'baseline_source': _source(
                    SOURCE_REGISTRY, name, 'Patch group %r has baseline %r registered for %s (%s in %s).'
                    % (group, name, operating_system, origin, registry.path), found['path'])}
        group_text = ('patch group %r has no baseline registered for %s' % (group, operating_system)
                      if group else 'the host has no patch group')
        if registry is not None and operating_system in registry.default_baselines:
            name = registry.default_baselines[operating_system]
            found = _registered(registry, name)
            return {'baseline': found['baseline'], 'baseline_source': _source(
                SOURCE_DEFAULT, name, 'The registry default for %s applies: %s (%s).'
                % (operating_system, group_text, registry.path), found['path'])}
        registry_text = ('the registry %s has no default for %s' % (registry.path, operating_system)
                         if registry is not None else 'no patch registry is configured')
        name = _predefined.predefined_name_for(operating_system)
        return {'predefined': name, 'baseline_source': _source(
            SOURCE_PREDEFINED, name, 'The predefined baseline for %s applies: %s and %s.'
            % (operating_system, group_text, registry_text))}


def _normalise(document, field):
    try:
        return _baseline.normalise_baseline(document)
    except BaselineValidationError as exc:
        raise BaselineValidationError('%s.%s' % (field, exc.path), exc.problem)


def host_operating_system(explicit, task_vars, root):
    """The host's OS as the controller knows it: the ``operating_system`` option, else its facts, else None.

    Facts describe the machine, not a system installed under another ``root``.
    """
    if explicit:
        return explicit
    if (root or '/') != '/':
        return None
    return operating_system_from_facts(task_vars.get('ansible_facts'))


def resolve(task_vars, operating_system=None, patch_group=None, overrides=None, task_baseline=None,
            snapshot_id=None, evaluation_time=None, root='/', store=None):
    """Resolve a host's baseline entries; the action plugin's one call.

    ``task_vars``: the host's variables (``patch_registry_dir``, ``inventory_dir``,
    ``ansible_facts``); the other arguments are the task's validated options
    (``evaluation_time`` a datetime or None). Returns ``{'baselines': {key: entry},
    'evaluation_time': ISO string or None, 'snapshot_id': str, 'warnings': [str]}``.
    """
    known = host_operating_system(operating_system, task_vars, root)
    resolver = Resolver(patch_group=patch_group, overrides=overrides, task_baseline=task_baseline,
                        registry_dir=_registry.registry_dir_for_host(task_vars))
    keys = resolver.keys_for(known)
    if not snapshot_id:
        entries = dict((key, dict(resolver.entry(key), snapshot_reused=False)) for key in keys)
        resolution = {'baselines': entries, 'evaluation_time': iso_time(evaluation_time), 'snapshot_id': '',
                      'warnings': []}
    else:
        resolution = _frozen(resolver, keys, snapshot_id, evaluation_time, store)
    if known:
        # What the module will do with the host's OS, checked before any host is touched.
        _run.choose_baseline({'resolved_baselines': resolution['baselines']}, None, known)
    return resolution


def _frozen(resolver, keys, snapshot_id, evaluation_time, store):
    store = store or SnapshotStore()
    store.purge_expired(interval=PURGE_INTERVAL)
    pairs = [(resolver.patch_group, key) for key in keys]
    frozen = store.freeze(snapshot_id, pairs, lambda missing: dict((pair, resolver.entry(pair[1])) for pair in missing),
                          evaluation_time=iso_time(evaluation_time))
    entries = {}
    for pair in pairs:
        entry = dict(frozen['entries'][pair], snapshot_reused=frozen['reused'][pair])
        entry.pop('frozen_at', None)
        entries[pair[1]] = entry
    return {'baselines': entries, 'evaluation_time': frozen['evaluation_time'], 'snapshot_id': snapshot_id,
            'warnings': frozen['warnings']}

