# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scan / Install orchestration for one host (the body of AWS-RunPatchBaseline).

``prepare`` validates every input before anything on the host is read or changed;
``execute`` drives one backend; ``run`` is both in one call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import re

from ansible.module_utils.six import string_types

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _baseline
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _compliance
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _documents
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _overrides
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _platform
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _state
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import (
    BackendError, BaselineValidationError, InputError, LockTimeoutError, PatchManagerError)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._validation import patch_group_problem, type_name
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import (
    EPOCH, OPERATIONS, REBOOT_OPTIONS, STATE_REPORT_ORDER, UTC, iso_time, parse_time,
)

# The key of a resolved entry that applies whatever the host's OS (a task's baseline).
ANY_OS = '*'

SNAPSHOT_ID_PATTERN = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


class RunRequest(object):
    """Validated inputs of one run."""

    def __init__(self, **fields):
        self.operation = fields['operation']
        self.reboot_option = fields['reboot_option']
        self.baseline = fields['baseline']
        self.override_entries = fields['override_entries']     # None: no InstallOverrideList
        self.evaluation_time = fields['evaluation_time']
        self.operating_system = fields['operating_system']
        self.product = fields['product']
        self.family = fields['family']
        self.root = fields['root']
        self.patch_group = fields['patch_group']
        self.snapshot_id = fields['snapshot_id']
        self.update_cache = fields['update_cache']              # None: the default (refresh)
        self.cache_valid_time = fields.get('cache_valid_time', 0)
        self.warnings = fields['warnings']
        # The controller's resolved entry (baseline_source, snapshot_reused), None when run on its own.
        self.resolved = fields.get('resolved')


# ---------------------------------------------------------------- validation (pure)

def choice(params, field, allowed, default):
    value = params.get(field)
    if value is None:
        return default
    if value not in allowed:
        raise InputError(field, '%r is not one of %s' % (value, ', '.join(allowed)))
    return value


# The evaluation times a run accepts: approval delays (up to 360 days) are subtracted from them.
EARLIEST_EVALUATION_TIME = EPOCH
LATEST_EVALUATION_TIME = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
EVALUATION_TIME_EXAMPLE = 'such as 2026-01-31T00:00:00Z'


def parse_evaluation_time(value, default):
    """ISO 8601 text -> aware UTC datetime; no offset means UTC; a bare date means midnight UTC."""
    if value is None or value == '':
        return default
    if not isinstance(value, string_types):
        raise InputError('evaluation_time', 'must be an ISO 8601 time %s, not %s'
                         % (EVALUATION_TIME_EXAMPLE, type_name(value)))
    outside = InputError('evaluation_time', '%r is outside %s..%s' % (
        value, iso_time(EARLIEST_EVALUATION_TIME), iso_time(LATEST_EVALUATION_TIME)))
    try:
        parsed = parse_time(value)
    except OverflowError:       # a valid time whose offset moves it past the ends of the calendar
        raise outside
    except ValueError:
        raise InputError('evaluation_time', '%r is not an ISO 8601 time %s' % (value, EVALUATION_TIME_EXAMPLE))
    if not EARLIEST_EVALUATION_TIME <= parsed <= LATEST_EVALUATION_TIME:
        raise outside
    return parsed


def validate_patch_group(value):
    """The patch group to report ('' when none); AWS's rule for the name otherwise."""
    if value is None or value == '':
        return ''
    problem = patch_group_problem(value)
    if problem:
        raise InputError('patch_group', problem)
    return value


def validate_snapshot_id(value):
    if value is None or value == '':
        return ''
    if not isinstance(value, string_types) or not SNAPSHOT_ID_PATTERN.match(value):
        raise InputError('snapshot_id', '%r is not a GUID such as 2f5c6a0e-1b3d-4a5e-9f00-1234567890ab' % (value,))
    return value


def seconds(params, field, default):
    """A number of seconds (0 or more) as the module's argument spec converts it: an integer, or its digits as text."""
    value = params.get(field)
    if value is None:
        return default
    if isinstance(value, string_types) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(field, '%r is not a number of seconds (0 or more)' % (value,))
    return value


def baseline_from_option(value):
    """The canonical baseline for the ``baseline`` option (dict or predefined name), or None when unset."""
    if value is None or value == '':
        return None
    if isinstance(value, string_types):
        if _predefined.is_predefined_name(value):
            return _predefined.get_predefined(value)
        if not (_documents.looks_like_document(value) or '/' in value):
            raise InputError('baseline', '%r is neither a predefined baseline (%s) nor a baseline file'
                             % (value, ', '.join(_predefined.predefined_names())))
        value = _overrides.read_document(value, 'baseline')
    if not isinstance(value, dict):
        raise InputError('baseline', 'must be a baseline (a dict in the AWS or YAML shape) or a predefined '
                                     'baseline name, not %s' % type_name(value))
    try:
        return _baseline.normalise_baseline(value)
    except BaselineValidationError as exc:
        raise BaselineValidationError('baseline.%s' % exc.path, exc.problem)


def detect_platform(root, operating_system):
    """(operating_system, product, family) from ``<root>/etc/os-release``; an explicit OS wins."""
    platform = _platform.detect(root, operating_system or None)
    return platform.operating_system, platform.product, platform.family


def is_set(value):
    return value not in (None, '', [])


def validate_options(params, default_time=None):
    """Validate every option that needs no host (the action plugin runs this on the controller too).

    Returns a dict of parsed values; raises InputError / BaselineValidationError naming the field.
    """
    options = dict(
        operation=choice(params, 'operation', OPERATIONS, 'Scan'),
        reboot_option=choice(params, 'reboot_option', REBOOT_OPTIONS, 'RebootIfNeeded'),
    )
    if is_set(params.get('install_override_list')) and is_set(params.get('baseline_override')):
        raise InputError('baseline_override', 'cannot be combined with install_override_list; '
                                              'AWS-RunPatchBaseline refuses the same combination')
    options['evaluation_time'] = parse_evaluation_time(params.get('evaluation_time'), default_time)
    options['snapshot_id'] = validate_snapshot_id(params.get('snapshot_id'))
    options['patch_group'] = validate_patch_group(params.get('patch_group'))
    options['lock_timeout'] = seconds(params, 'lock_timeout', 120)
    options['cache_valid_time'] = seconds(params, 'cache_valid_time', 0)
    options['override_entries'] = None
    if is_set(params.get('install_override_list')):
        options['override_entries'] = _overrides.parse_install_override_list(params['install_override_list'])
    options['overrides'] = []
    if is_set(params.get('baseline_override')):
        options['overrides'] = _overrides.parse_baseline_override(params['baseline_override'])
    options['baseline'] = baseline_from_option(params.get('baseline'))
    return options


def resolved_entry(resolved_baselines, operating_system):
    """The controller's entry for the host's OS (or for any OS): ``{'baseline' | 'predefined', 'baseline_source', ...}``."""
    entry = resolved_baselines.get(operating_system) or resolved_baselines.get(ANY_OS)
    if not isinstance(entry, dict) or not ('baseline' in entry or 'predefined' in entry):
        raise InputError('resolved_baselines', 'the controller resolved baselines for %s, but the host runs %s; '
                                               'check the host\'s facts and the operating_system option'
                         % (', '.join(sorted(resolved_baselines)) or 'no operating system', operating_system))
    return entry


def choose_baseline(params, options, operating_system):
    """(canonical baseline, entry or None) for the host: the controller's resolved entry when given.

    Without one (the module run on its own), the same order the controller applies:
    the ``baseline_override`` entry for the OS, the ``baseline`` option, the predefined one.
    A baseline for another operating system fails before the host is touched, naming both.
    """
    entry = None
    if params.get('resolved_baselines'):
        entry = resolved_entry(params['resolved_baselines'], operating_system)
        baseline = entry.get('baseline') or _predefined.get_predefined(entry['predefined'])
    else:
        baseline = (_overrides.select_baseline_override(options['overrides'], operating_system)
                    or options['baseline'] or _predefined.get_predefined(_predefined.predefined_name_for(operating_system)))
    if baseline.get('operating_system') != operating_system:
        raise InputError('baseline', 'the baseline %s is for %s, but the host runs %s; choose a baseline for %s'
                         % (baseline.get('name'), baseline.get('operating_system'), operating_system, operating_system))
    return baseline, entry


def prepare(params, default_time=None):
    """Validate every option; return a RunRequest. Reads only ``<root>/etc/os-release`` and option files."""
    options = validate_options(params, default_time)
    operation, reboot_option = options['operation'], options['reboot_option']
    warnings = []
    root = params.get('root') or '/'
    operating_system, product, family = detect_platform(root, params.get('operating_system'))
    baseline, entry = choose_baseline(params, options, operating_system)
    if root != '/' and reboot_option == 'RebootIfNeeded':
        reboot_option = 'NoReboot'
        if operation == 'Install':
            warnings.append('root is %s, not /: the machine is never rebooted; this run behaves as NoReboot.' % root)
    update_cache = params.get('update_cache')
    return RunRequest(
        operation=operation, reboot_option=reboot_option, baseline=baseline,
        override_entries=options['override_entries'], evaluation_time=options['evaluation_time'],
        operating_system=operating_system, product=product, family=family, root=root,
        patch_group=options['patch_group'], snapshot_id=options['snapshot_id'],
        update_cache=None if update_cache is None else bool(update_cache),
        cache_valid_time=options['cache_valid_time'],
        warnings=warnings, resolved=entry,
    )


# ---------------------------------------------------------------- helpers (pure)

def backend_module(family):
    """The module_utils module of ``family``'s backend, imported only now: a run needs one backend.

    Plain import statements (not importlib) so that AnsiballZ's module_utils finder still ships all three.
    """
    # pylint: disable=import-outside-toplevel
    if family == 'apt':
        from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend_apt as module
    elif family == 'dnf':
        from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend_dnf as module
    elif family == 'zypper':
        from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend_zypper as module
    else:
        raise InputError('operating_system', 'no backend for the %s package family' % family)
    return module


def backend_for(family, **kwargs):
    """Instantiate the PatchBackend subclass of ``family``."""
    module = backend_module(family)
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, _backend.PatchBackend) and getattr(value, 'family', None) == family:
            return value(**kwargs)
    raise InputError('operating_system', 'no backend for the %s package family' % family)


def installed_versions(universe):
    return dict(((package.name, package.arch), package.version) for package in universe.installed)


def changed_packages(before, after):
    """(name, arch, version) of packages whose installed version the run changed or added."""
    old = installed_versions(before)
    return sorted((name, arch, version) for (name, arch), version in installed_versions(after).items()
                  if old.get((name, arch)) != version)


def sort_patches(patches):
    rank = dict((state, index) for index, state in enumerate(STATE_REPORT_ORDER))
    return sorted(patches, key=lambda patch: (rank.get(patch['state'], len(rank)), patch['name'], patch['arch']))


def instance_patch_state(request, summary, start, end, last_no_reboot_time):
    baseline = request.baseline
    state = dict(
        patch_group=request.patch_group,
        baseline_id=baseline.get('baseline_id') or baseline.get('name') or '',
        snapshot_id=request.snapshot_id,
        operation=request.operation,
        reboot_option=request.reboot_option,
        operation_start_time=iso_time(start),
        operation_end_time=iso_time(end),
        last_no_reboot_install_operation_time=last_no_reboot_time,
        operating_system=request.operating_system,
    )
    state.update(summary)
    return state


def reads_advisories_only(request):
    """Whether the backend may leave out records without an advisory: the baseline cannot approve them
    and no InstallOverrideList (which installs regardless of approval) is in play."""
    if request.operation == 'Install' and request.override_entries is not None:
        return False
    return _evaluate.advisory_records_suffice(request.baseline, request.family)


def read_universe(backend, request, advisory_only):
    return backend.read_universe(request.operating_system, request.product, advisory_only=advisory_only)


@contextlib.contextmanager
def no_sources_change():
    yield


def refreshes_node_lists(request, check_mode, start, last_refresh):
    """Whether this run fetches the node's repository metadata before it reads (AWS-RunPatchBaseline does).

    In order: check mode never refreshes (it writes nothing, lists included); ``update_cache``
    false never refreshes; otherwise a refresh younger than ``cache_valid_time`` seconds
    (``last_refresh``, by an earlier run) is enough; ``cache_valid_time`` 0 always refreshes.
    """
    if check_mode or request.update_cache is False:
        return False
    if request.cache_valid_time and last_refresh is not None:
        age = (start - last_refresh).total_seconds()
        return not 0 <= age < request.cache_valid_time
    return True


# ---------------------------------------------------------------- orchestration

def execute(request, backend, now, boot_id, check_mode):
    """Run Scan or Install with ``backend``; return the module result (see the module's RETURN)."""
    start = now()
    # Without an explicit evaluation_time the run's start is "now" for every evaluation of the run.
    request.evaluation_time = request.evaluation_time or start
    sources = _backend.sources_for_product(request.baseline.get('sources'), request.product or '')
    context = backend.sources_replaced(sources) if sources else no_sources_change()
    with context:
        # Baseline Sources replace the node's repositories and are fetched as the context opens.
        last_refresh = _state.last_refresh(request.root) if request.cache_valid_time else None
        if not sources and refreshes_node_lists(request, check_mode, start, last_refresh):
            backend.refresh()
            _state.record_refresh(request.root, start)
        advisory_only = reads_advisories_only(request)
        before = read_universe(backend, request, advisory_only)
        evaluation = _evaluate.evaluate(request.baseline, before, request.evaluation_time,
                                        dependency_resolver=backend.dependency_closure, advisory_only=advisory_only)
        node_state, state_warning = _state.load_state(request.root)
        pending = _state.pending_entries(node_state, boot_id, before.installed)
        result = dict(changed=False, rebooted=False, reboot_due=False, warnings=list(request.warnings))
        if state_warning:
            result['warnings'].append(state_warning)
        if request.operation == 'Scan':
            patches = _compliance.apply_pending(evaluation.patches, pending)
            not_applicable = evaluation.not_applicable_count
        else:
            if request.override_entries is not None:
                targets = _overrides.override_targets(request.override_entries, before)
            else:
                targets = list(evaluation.install_targets)
            patches, not_applicable, node_state = _install(request, backend, result, evaluation, before, targets,
                                                           pending, node_state, now, boot_id, check_mode, advisory_only)
        result['reboot_required'] = bool(backend.reboot_required())
    result['warnings'].extend(warning for warning in backend.warnings if warning not in result['warnings'])
    end = now()
    patches = sort_patches(patches)
    summary = _compliance.summarise(patches, not_applicable)
    ips = instance_patch_state(request, summary, start, end, node_state.get('last_no_reboot_install_operation_time'))
    result.update(instance_patch_state=ips, patches=patches, ansible_facts=dict(patch_compliance=ips))
    if request.resolved:
        result.update(baseline_source=request.resolved.get('baseline_source'),
                      snapshot_reused=bool(request.resolved.get('snapshot_reused')))
    message = _compliance.install_failure(patches, result.pop('problems', None))
    if message:
        result.update(failed=True, msg=message)
    return result


def _install(request, backend, result, evaluation, before, targets, pending, node_state, now, boot_id, check_mode,
             advisory_only):
    """The Install half of ``execute``; fills ``result`` and returns (patches, not_applicable, node_state)."""
    if check_mode:
        transaction = backend.plan(targets) if targets else []
        result.update(transaction=transaction, changed=bool(transaction))
        return _compliance.apply_pending(evaluation.patches, pending), evaluation.not_applicable_count, node_state
    no_reboot = request.reboot_option == 'NoReboot'
    recorded = []
    if no_reboot and targets:
        # Recorded before the package manager runs, so that a crash after it changed packages
        # cannot lose the pending mark; rewritten below with what the run really installed.
        recorded = list(targets) + planned_dependencies(backend, targets)
        attempted_at = now()
        _state.update_state_before_install(request.root, lambda current: _state.pending_before_install(
            current, boot_id, attempted_at, recorded))
    try:
        outcome = backend.install(targets) if targets else _backend.InstallOutcome([])
    except Exception as exc:
        if recorded:
            _settle_pending_after_failure(request, backend, before, node_state, recorded, attempted_at, now, boot_id,
                                          advisory_only, exc)
        raise
    after = read_universe(backend, request, advisory_only)
    after_evaluation = _evaluate.evaluate(request.baseline, after, request.evaluation_time,
                                          dependency_resolver=backend.dependency_closure, advisory_only=advisory_only)
    installed_by_run = changed_packages(before, after)
    result.update(transaction=outcome.transaction, changed=bool(installed_by_run), problems=outcome.problems)
    result['warnings'].extend(outcome.messages)
    still_pending = _state.pending_entries(node_state, boot_id, after.installed)
    if no_reboot:
        if targets or installed_by_run:
            finished_at = now()
            node_state = _save_after_install(request.root, node_state, result['warnings'], lambda current: (
                _state.pending_after_install(current, boot_id, finished_at, installed_by_run, after.installed,
                                             loaded=node_state, recorded=recorded)))
        reported_pending = set(still_pending) | set(installed_by_run)
    else:
        # AWS reports the state the reboot will leave: nothing pending. Nothing is recorded
        # either: should the run die before its reboot, the next Scan reports these packages
        # INSTALLED, as this run would have, and reboot_required tells whether the OS wants a reboot.
        result['reboot_due'] = bool(installed_by_run or still_pending)
        reported_pending = set()
    patches = _compliance.after_install(evaluation.patches, after_evaluation.patches, targets, installed_by_run,
                                        reported_pending, override=request.override_entries is not None,
                                        problems=outcome.problems, family=request.family)
    return patches, after_evaluation.not_applicable_count, node_state


def planned_dependencies(backend, targets):
    """(name, arch, version) that the resolved transaction for ``targets`` installs or upgrades besides them.

    So that a NoReboot run that dies part-way leaves the dependencies it pulled in pending
    too, as a finished run does. A transaction the package manager cannot resolve records
    the targets alone: the install itself then reports why.
    """
    try:
        transaction = backend.plan(targets)
    except BackendError:
        return []
    return [(item['name'], item['arch'], item['to_version']) for item in transaction
            if item.get('action') in ('upgrade', 'install') and item.get('to_version')]


def _save_after_install(root, node_state, warnings, change):
    """Update the pending state after the install (``change``); returns the state written.

    On failure the state written before the install stays (a safe superset), with a warning,
    and the state the run started from is returned for its report.
    """
    try:
        return _state.update_state(root, change)
    except (IOError, OSError, PatchManagerError) as exc:
        warnings.append('Cannot update the node state file %s (%s); it keeps every package this run tried to '
                        'install as pending a reboot.' % (_state.state_path(root), getattr(exc, 'strerror', None) or exc))
        return node_state


def _settle_pending_after_failure(request, backend, before, node_state, recorded, attempted_at, now, boot_id,
                                  advisory_only, error):
    """The package manager raised: record what it changed anyway, else take back what the run recorded.

    ``node_state`` is the state as the run read it at its start; both updates re-read the
    state under its lock, so what other runs recorded meanwhile stays.
    """
    try:
        if isinstance(error, LockTimeoutError):
            # It never got its lock, so it changed nothing: withdraw this run's marks, and only them.
            _state.update_state(request.root, lambda current: _state.withdraw_pending(
                current, boot_id, attempted_at, node_state, recorded))
            return
        after = read_universe(backend, request, advisory_only)
        finished_at = now()
        _state.update_state(request.root, lambda current: _state.pending_after_install(
            current, boot_id, finished_at, changed_packages(before, after), after.installed,
            loaded=node_state, recorded=recorded))
    except Exception:  # pylint: disable=broad-except
        # The error being raised is the one to report; the state written before the install is a safe superset.
        pass


def run(params, backend, now, boot_id, check_mode):
    """Validate ``params`` (module options) and run the operation with ``backend``."""
    return execute(prepare(params), backend, now, boot_id, check_mode)
