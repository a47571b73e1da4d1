# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The zypper backend: the universe from rpm, zypper and the raw rpm-md cache; ``zypper install`` acting.

The parts: ``_zypper_cli`` runs zypper and rpm (argv, the zypp lock, exit codes; reads never
refresh), ``_zypper_xml`` parses zypper's ``--xmlout`` output, ``_rpmmd`` reads the raw
rpm-md metadata (updateinfo, primary) zypper caches; this module builds the universe from
them and acts.

Where the universe comes from (one rpm call, one zypper call, two files per repository):

- installed packages: ``rpm --root R -qa --qf`` (name, arch, E:V-R, install time);
- enabled repositories: ``zypper repos`` (alias, to find the raw metadata cache);
- patches and the package versions they carry: the repository's own ``updateinfo``
  in zypper's raw metadata cache ``<cache>/raw/<alias>/repodata`` (as AWS does,
  ssm-semantics section 3.4). ``zypper info -t patch`` per patch would be one solver
  load per patch; the raw file is the same data in one read. A repository whose raw
  cache holds no updateinfo file falls back to ``zypper list-patches --all`` plus one
  ``zypper info -t patch`` call for all of its patches (those give no arch: such
  contents match the installed arches of the name only);
- available versions without a patch: the repository's raw ``primary`` metadata in the
  same cache (every version of every package, the installed one included when the
  repository carries it); a repository without it cached falls back to ``zypper search
  --details -t package`` (the same rows, from one solver load of all repositories).
  With ``advisory_only`` (the baseline cannot approve a version without a patch) the
  search is skipped: the records are the patches' package versions, assumed available
  from the repository that carries the patch.

Records cover installed name+arch from the installed version up, and packages that
are not installed (every version, installable architectures only) so that the engine
can count NOT_APPLICABLE.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import functools
import os
import re
import shutil
import tempfile
import threading
import xml.etree.ElementTree as ET

from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend import (
    InstallOutcome,
    PatchBackend,
    first_missing_ancestor,
    gc_paused,
    one_line,
    sources_for_product,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BackendError, InputError, MetadataError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._rpmmd import (
    merge_patch,
    metadata_path,
    open_metadata,
    parse_primary,
    parse_updateinfo,
    primary_package_count,
    updateinfo_path,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import Candidate, DatabaseRecord, Universe
from ansible_collections.fleetops.patch_manager.plugins.module_utils._versions import compare
from ansible_collections.fleetops.patch_manager.plugins.module_utils._zypper_cli import (
    SUCCESS_CODES,
    ZYPPER_EXIT_ERR_ZYPP,
    ZYPPER_EXIT_INF_CAP_NOT_FOUND,
    ZYPPER_EXIT_INF_REBOOT_NEEDED,
    ZYPPER_EXIT_INF_REPOS_SKIPPED,
    ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED,
    ZYPPER_EXIT_NO_REPOS,
    ZYPPER_EXIT_OK,
    ZypperCommands,
    capability,
    failure_detail,
    nvra,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._zypper_xml import (
    SYSTEM_REPOSITORY,
    error_summary,
    parse_install_summary,
    parse_patch_info_contents,
    parse_patch_list,
    parse_repos,
    parse_search,
    parse_xml_stream,
    scriptlet_failures,
    solver_problems,
)

# How AWS spells the SUSE CLASSIFICATION and SEVERITY values (ssm-semantics section 2.1).
CLASSIFICATIONS = {'security': 'Security', 'recommended': 'Recommended', 'optional': 'Optional',
                   'feature': 'Feature', 'document': 'Document', 'yast': 'Yast'}
SEVERITIES = {'critical': 'Critical', 'important': 'Important', 'moderate': 'Moderate', 'low': 'Low'}


def compare_evr(left, right):
    """-1, 0 or 1 as rpm version 'E:V-R' ``left`` is older than, equal to or newer than ``right``."""
    return compare('zypper', left, right)


@functools.lru_cache(maxsize=None)
def aws_classification(category):
    """zypper patch category -> the CLASSIFICATION value AWS lists (Security, Recommended, ...)."""
    category = (category or '').strip()
    if not category:
        return None
    return CLASSIFICATIONS.get(category.lower(), category[:1].upper() + category[1:].lower())


@functools.lru_cache(maxsize=None)
def aws_severity(severity):
    """zypper patch severity -> the SEVERITY value AWS lists; 'unspecified' or empty -> None."""
    severity = (severity or '').strip()
    if not severity or severity.lower() == 'unspecified':
        return None
    return SEVERITIES.get(severity.lower(), severity[:1].upper() + severity[1:].lower())


# ---------------------------------------------------------------- building the universe

def index_patches(patches):
    """{patch name: PatchInfo} -> {(name, arch, E:V-R): [PatchInfo, ...]}; arch None matches any arch."""
    index = {}
    for patch in sorted(patches.values(), key=lambda item: item.name):
        for key in patch.packages:
            index.setdefault(key, []).append(patch)
    return index


# Architectures a node of each machine type can install (libzypp's compatibility table, abridged).
COMPATIBLE_ARCHES = {
    'x86_64': ('x86_64', 'i686', 'i586', 'i486', 'i386'),
    'aarch64': ('aarch64',),
    'ppc64le': ('ppc64le',),
    's390x': ('s390x',),
    'i686': ('i686', 'i586', 'i486', 'i386'),
    'armv7l': ('armv7l', 'armv7hl', 'armv6hl'),
}


def installable_arches(machine=None):
    """The package architectures a node of ``machine`` (default: this one) can install, noarch included."""
    machine = machine or os.uname()[4]
    return frozenset(COMPATIBLE_ARCHES.get(machine, (machine,)) + ('noarch',))


def highest_installed_versions(installed):
    """{(name, arch): the highest installed 'E:V-R'} (several kernels may be installed)."""
    highest = {}
    for package in installed:
        key = (package.name, package.arch)
        if key not in highest or compare_evr(package.version, highest[key]) > 0:
            highest[key] = package.version
    return highest


def _is_candidate(name, arch, evr, highest_installed, arches):
    """An installed name+arch from its installed version up; a name+arch not installed if installable."""
    floor = highest_installed.get((name, arch))
    if floor is None:
        return arch in arches
    return evr == floor or compare_evr(evr, floor) >= 0


def _records(name, arch, evr, repository, carrying, candidates, record=Candidate):
    """Append the records of one version: one per patch carrying it, else one without.

    ``record``: the class of the records (DatabaseRecord for an installed version no repository offers).
    Tens of thousands per read: positional arguments, the AWS spellings memoised.
    """
    if not carrying:
        candidates.append(record(name, arch, evr, repository))
    for patch in carrying:
        candidates.append(record(name, arch, evr, repository, True, patch.name, aws_classification(patch.category),
                                 aws_severity(patch.severity), None, None, patch.issued, patch.cve_ids,
                                 patch.bugzilla_ids))


def build_candidates(installed, available, patch_index, arches=None):
    """Records of every available version: of installed name+arch from the installed version up, of
    packages that are not installed every version in an installable architecture (NOT_APPLICABLE).

    One record per patch carrying a version; a version without patch gets one record.
    ``available``: [(name, arch, E:V-R, repository, status)] from ``parse_search``; rows
    of the rpm database itself (repository ``(System Packages)``) are not available versions.
    ``arches``: installable architectures (default: this machine's).
    """
    arches = installable_arches() if arches is None else arches
    highest_installed = highest_installed_versions(installed)
    candidates = []
    seen = set()
    for name, arch, evr, repository, _status in available:
        key = (name, arch, evr)
        if repository == SYSTEM_REPOSITORY or key in seen:
            continue
        if not _is_candidate(name, arch, evr, highest_installed, arches):
            continue
        seen.add(key)
        _records(name, arch, evr, repository, patch_index.get(key, []) + patch_index.get((name, None, evr), []),
                 candidates)
    # An installed version no repository offers: judged on the patches that name it, else on its own.
    for (name, arch), evr in highest_installed.items():
        if (name, arch, evr) not in seen:
            _records(name, arch, evr, None, patch_index.get((name, arch, evr), []) + patch_index.get((name, None, evr), []),
                     candidates, DatabaseRecord)
    return candidates


def build_patch_candidates(installed, patches, arches=None):
    """Records of the package versions the ``patches`` carry (no search: advisory-only reading).

    Assumes that a patch's package versions are available from the repository that
    carries the patch (true of SUSE's update repositories, whose updateinfo describes
    their own packages); versions below the installed one are dropped as in
    ``build_candidates``. Arch-free contents (the zypper-info fallback) match the
    installed arches of that name only.
    """
    arches = installable_arches() if arches is None else arches
    highest_installed = highest_installed_versions(installed)
    installed_arches = {}
    for name, arch in highest_installed:
        installed_arches.setdefault(name, []).append(arch)
    by_version = {}
    for patch in sorted(patches.values(), key=lambda item: item.name):
        for key in patch.packages:
            keys = (key,) if key[1] is not None else [(key[0], arch, key[2]) for arch in installed_arches.get(key[0], ())]
            for concrete in keys:
                carrying = by_version.get(concrete)
                if carrying is None:
                    by_version[concrete] = [patch]
                else:
                    carrying.append(patch)
    candidates = []
    for (name, arch, evr), carrying in by_version.items():
        if _is_candidate(name, arch, evr, highest_installed, arches):
            _records(name, arch, evr, carrying[0].repository, carrying, candidates)
    return candidates


# ---------------------------------------------------------------- sources and locks

def render_repo_file(source):
    """One baseline Source -> (file name, .repo text) for zypper's repos.d.

    The Configuration is a yum/zypper ``.repo`` stanza; a ``[main]`` section (as in AWS's
    examples) or a missing section header takes the Source's Name as repository alias.
    """
    name = source.get('name') or ''
    if not re.match(r'^[a-zA-Z0-9_\-.]{3,50}$', name):
        raise InputError('Sources[].Name', '%r must match [a-zA-Z0-9_-.]{3,50}' % name)
    configuration = (source.get('configuration') or '').strip()
    if not configuration:
        raise InputError('Sources[%s].Configuration' % name, 'is empty; give a .repo stanza with baseurl=')
    if not configuration.startswith('['):
        configuration = '[%s]\n%s' % (name, configuration)
    configuration = re.sub(r'^\[main\]\s*$', '[%s]' % name, configuration, flags=re.MULTILINE)
    return '%s.repo' % name, configuration + '\n'


class _InBackground(object):
    """Run ``function()`` in a thread; ``result()`` joins and returns its value or re-raises its error."""

    def __init__(self, function):
        self._value = None
        self._error = None
        self._thread = threading.Thread(target=self._run, args=(function,))
        self._thread.daemon = True
        self._thread.start()

    def _run(self, function):
        try:
            self._value = function()
        except Exception as exc:  # pylint: disable=broad-except  # re-raised in the caller's thread
            self._error = exc

    def join(self):
        """Wait for the function to end, whatever it returned or raised."""
        self._thread.join()

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


# ---------------------------------------------------------------- the backend

class ZypperBackend(PatchBackend):
    """zypper/rpm on SUSE-family systems (or any system under ``root``)."""

    family = 'zypper'

    def __init__(self, root='/', run_command=None, lock_timeout=120):
        super(ZypperBackend, self).__init__(root=root, run_command=run_command, lock_timeout=lock_timeout)
        self._cli = ZypperCommands(self.root, self.run_command, self.lock_timeout)
        self._reboot_signalled = False

    # -- reading

    def refresh(self):
        """``zypper refresh``; a repository that cannot be fetched fails the run, naming it (zypper's message)."""
        rc, out, err, argv = self._cli.run(['refresh'], refresh=True)
        if rc == ZYPPER_EXIT_NO_REPOS:
            raise MetadataError('zypper has no enabled repository under %s to fetch metadata from.' % self.root,
                                rc=rc, stdout=out, stderr=err, cmd=argv)
        if rc != ZYPPER_EXIT_OK:
            raise MetadataError('zypper could not fetch the metadata of every repository (exit code %d): %s'
                                % (rc, one_line(failure_detail(out, err))), rc=rc, stdout=out, stderr=err,
                                cmd=argv)

    def _enabled_repositories(self):
        """[{'alias', 'name', 'enabled'}] of the enabled repositories."""
        return [repo for repo in parse_repos(self._cli.checked(['repos'], 'list the repositories')) if repo['enabled']]

    def _parse_cached_updateinfo(self):
        """{alias: {patch name: PatchInfo}, or a MetadataError when the file cannot be parsed} of every
        repository whose raw cache holds updateinfo, enabled or not: it runs while zypper says which
        are enabled, and a broken cache of a disabled repository must not fail the Scan."""
        raw = os.path.join(self._cli.cache_dir, 'raw')
        parsed = {}
        for alias in sorted(os.listdir(raw)) if os.path.isdir(raw) else ():
            path = None
            try:
                path = updateinfo_path(os.path.join(raw, alias, 'repodata'))
                if path is not None:
                    with open_metadata(path) as handle:
                        parsed[alias] = parse_updateinfo(handle)
            except Exception as exc:  # pylint: disable=broad-except  # raised later, if the repository is enabled
                parsed[alias] = MetadataError(
                    "zypper's cached updateinfo of repository %s cannot be read (%s: %s); refresh the package lists "
                    "(update_cache, or zypper refresh --force %s)"
                    % (alias, path or os.path.join(raw, alias), one_line(exc) or type(exc).__name__, alias))
        return parsed

    @staticmethod
    def _merge_raw_patches(aliases, parsed, patches):
        """Fill ``patches`` from the ``parsed`` updateinfo of ``aliases``; return the aliases that have none cached."""
        uncached = []
        for alias in aliases:
            found = parsed.get(alias)
            if found is None:
                uncached.append(alias)
                continue
            if isinstance(found, Exception):
                raise found
            for patch in found.values():
                patch.repository = alias
                merge_patch(patches, patch)
        return uncached

    def _read_patches_through_zypper(self, aliases, patches):
        """Fallback for repositories without cached raw updateinfo: list-patches + one info call each."""
        for alias in aliases:
            listed = parse_patch_list(self._cli.checked(['list-patches', '--all', '--repo', alias], 'list the patches'))
            if not listed:
                continue
            contents = parse_patch_info_contents(self._cli.checked(['info', '-t', 'patch', '--repo', alias]
                                                                   + sorted(listed), 'read the patch contents'))
            for name, patch in listed.items():
                patch.packages = set((package, None, evr) for package, evr in contents.get(name, ()))
                patch.repository = alias
                merge_patch(patches, patch)

    def _read_raw_available(self, aliases):
        """Rows of every package in the raw primary metadata of ``aliases``; None when one has none cached."""
        rows = []
        for alias in aliases:
            path = metadata_path(os.path.join(self._cli.cache_dir, 'raw', alias, 'repodata'), 'primary')
            if path is None:
                return None
            with open_metadata(path) as handle:
                rows.extend(parse_primary(handle, alias))
        return rows

    def _usable_aliases(self, repositories):
        """The aliases of the enabled ``repositories``; MetadataError when there is none or one was never fetched."""
        aliases = [repo['alias'] for repo in repositories]
        if not aliases:
            raise MetadataError('zypper has no enabled repository under %s.' % self.root)
        never_fetched = [alias for alias in aliases if not os.path.isdir(os.path.join(self._cli.cache_dir, 'raw', alias))]
        if never_fetched:
            raise MetadataError('zypper has no usable metadata under %s: the metadata of %s was never fetched; refresh '
                                'the package lists first (update_cache, or zypper refresh)'
                                % (self.root, ', '.join(never_fetched)))
        return aliases

    def _offers_nothing(self, aliases, patches, available):
        """Whether the repositories offer no package at all (``available`` None: not read, count from primary)."""
        if patches:
            return False
        if available is not None:
            return not any(row[3] != SYSTEM_REPOSITORY for row in available)
        counts = [primary_package_count(metadata_path(os.path.join(self._cli.cache_dir, 'raw', alias, 'repodata'),
                                                      'primary')) for alias in aliases]
        return all(count == 0 for count in counts)

    def read_universe(self, operating_system, product, advisory_only=False):
        """Installed packages (rpm), patches (raw updateinfo) and, unless ``advisory_only``, every
        available version (raw primary metadata, else ``zypper search``); see the module docstring."""
        patches = {}
        # One pass of the collector, paused for the whole read: tens of thousands of acyclic records (and
        # gc.disable is process-wide: the threads below must not toggle it themselves).
        with gc_paused():
            # rpm reads its database in its own process, and the cached updateinfo is parsed, while zypper
            # lists the repositories; only the enabled repositories' patches are kept
            rpm_query = _InBackground(self._cli.installed_packages)
            cached_updateinfo = _InBackground(self._parse_cached_updateinfo)
            try:
                repositories = self._enabled_repositories()
                aliases = self._usable_aliases(repositories)
                uncached = self._merge_raw_patches(aliases, cached_updateinfo.result(), patches)
                available = None if advisory_only else self._read_raw_available(aliases)
            finally:
                cached_updateinfo.join()
                installed = rpm_query.result()
        if uncached:
            self._read_patches_through_zypper(uncached, patches)
        if available is None and not advisory_only:
            found = self._zypper_search()
            # search names repositories by their name; records name them by alias, as the raw metadata does
            alias_of = dict((repo['name'], repo['alias']) for repo in repositories)
            available = [(name, arch, version, alias_of.get(repository, repository), status)
                         for name, arch, version, repository, status in (parse_search(found) if found else [])]
        if self._offers_nothing(aliases, patches, available):
            raise MetadataError('zypper has no usable metadata under %s: the repositories %s offer no package.'
                                % (self.root, ', '.join(aliases)))
        with gc_paused():
            if advisory_only:
                candidates = build_patch_candidates(installed, patches)
            else:
                candidates = build_candidates(installed, available, index_patches(patches))
        return Universe('zypper', operating_system, product, installed, candidates)

    def _zypper_search(self):
        rc, out, err, argv = self._cli.run(['search', '--details', '-t', 'package'])
        if rc == ZYPPER_EXIT_INF_CAP_NOT_FOUND:
            return ''    # "No matching items found": no repository carries any package
        if rc not in SUCCESS_CODES:
            raise BackendError('zypper failed to list the available packages (exit code %d): %s'
                               % (rc, error_summary(parse_xml_stream(out)) or err.strip()[:500]),
                               rc=rc, stdout=out, stderr=err, cmd=argv)
        return out

    # -- resolving

    def _resolve(self, targets, dry_run):
        args = ['install', '--no-recommends', '--auto-agree-with-licenses']
        if dry_run:
            args.append('--dry-run')
        args.append('--')
        args += [capability(name, arch, version) for name, arch, version in targets]
        return self._cli.run(args)

    def plan(self, targets):
        """Resolve updating ``targets`` with ``zypper install --dry-run``; raises BackendError when unsolvable."""
        if not targets:
            return []
        rc, out, err, argv = self._resolve(targets, dry_run=True)
        if rc not in SUCCESS_CODES:
            stream = parse_xml_stream(out)
            why = '; '.join(solver_problems(out)) or error_summary(stream) or err.strip()[:500]
            raise BackendError('zypper cannot resolve the update of %s (exit code %d): %s'
                               % (', '.join(nvra(*target) for target in targets), rc, why),
                               rc=rc, stdout=out, stderr=err, cmd=argv)
        return parse_install_summary(out)

    def dependency_closure(self, name, arch, version):
        """What updating to ``version`` would newly install or upgrade, besides the package itself.

        An update zypper cannot resolve has no closure to check ([]); Install then reports it FAILED
        with the solver's reason.
        """
        try:
            items = self.plan([(name, arch, version)])
        except BackendError:
            return []
        return [(item['name'], item['arch'], item['to_version']) for item in items
                if item['action'] in ('install', 'upgrade') and (item['name'], item['arch']) != (name, arch)]

    # -- acting

    def _install_once(self, targets):
        """One zypper install transaction -> (items, failed, messages, unsolved, transaction_error).

        ``failed`` holds what is attributable to one package (scriptlet failures, or every
        target when the solver refused them); ``transaction_error`` is zypper's reason when
        the transaction itself failed, given later to the targets that did not get there.
        """
        rc, out, err, argv = self._resolve(targets, dry_run=False)
        try:
            stream = parse_xml_stream(out)
        except BackendError:
            stream = ET.Element('stream')
            out = "<?xml version='1.0'?><stream/>"
        items = parse_install_summary(out)
        messages = []
        failed = {}
        if rc == ZYPPER_EXIT_INF_REBOOT_NEEDED:
            self._reboot_signalled = True
            messages.append('zypper says a reboot is needed to complete the update.')
        if rc == ZYPPER_EXIT_INF_REPOS_SKIPPED:
            messages.append('zypper skipped repositories it could not refresh: %s' % error_summary(stream))
        if rc == ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED:
            by_nvra = dict((nvra(item['name'], item['arch'], item['to_version']), item)
                           for item in items if item['to_version'])
            for package, line in scriptlet_failures(out).items():
                item = by_nvra.get(package)
                key = '%s.%s' % (item['name'], item['arch']) if item else package
                failed[key] = 'installed, but its rpm scriptlet failed: %s' % line
        if rc in SUCCESS_CODES:
            return items, failed, messages, False, None
        if rc in (ZYPPER_EXIT_ERR_ZYPP, ZYPPER_EXIT_INF_CAP_NOT_FOUND) and not items:
            why = '; '.join(solver_problems(out)) or error_summary(stream) or err.strip()[:500]
            return [], dict(('%s.%s' % (name, arch), why) for name, arch, _version in targets), messages, True, None
        why = 'zypper install failed (exit code %d): %s' % (rc, error_summary(stream) or err.strip()[:500])
        messages.append('%s (%s)' % (why, ' '.join(argv[-len(targets):])))
        return items, failed, messages, False, why

    def install(self, targets):
        """Update ``targets`` to exactly the requested versions.

        All targets go in one transaction; if the solver rejects it, each target is tried
        alone so one unsatisfiable update does not hold back the others. Afterwards the rpm
        database is read again and every target not at its requested version is reported
        failed, with zypper's reason when it gave one.
        """
        targets = list(targets)
        if not targets:
            return InstallOutcome([])
        items, failed, messages, unsolved, transaction_error = self._install_once(targets)
        errors = dict.fromkeys(('%s.%s' % (name, arch) for name, arch, _version in targets), transaction_error)
        if unsolved and len(targets) > 1:
            items, failed = [], {}
            messages.append('zypper could not resolve all updates together; trying each package alone.')
            for target in targets:
                one_items, one_failed, one_messages, _unsolved, one_error = self._install_once([target])
                items += one_items
                failed.update(one_failed)
                messages += one_messages
                errors['%s.%s' % target[:2]] = one_error
        installed = dict(((package.name, package.arch), package.version) for package in self._cli.installed_packages())
        for name, arch, version in targets:
            key = '%s.%s' % (name, arch)
            now = installed.get((name, arch))
            if now is None or compare_evr(now, version) != 0:
                failed.setdefault(key, errors.get(key) or '%s is at %s after the update, not %s'
                                  % (key, now or 'not installed', version))
        return InstallOutcome(items, problems=failed, messages=messages)

    def reboot_required(self):
        """zypper's own signal: the flag file <root>/run/reboot-needed that libzypp sets when it installs a
        package flagged as needing a reboot (what ``zypper needs-rebooting`` reports, read without starting
        zypper), or an install in this run exited 102."""
        return self._reboot_signalled or os.path.exists(os.path.join(self.root, 'run/reboot-needed'))

    @contextlib.contextmanager
    def sources_replaced(self, sources, product=None):
        """Use only the baseline's ``sources`` (those for ``product`` or ``*``) inside the block.

        The node's repos.d and metadata cache are never written: zypper gets a private
        ``--reposd-dir`` and ``--cache-dir`` in a temporary directory, refreshed on entry
        and removed on exit. (libzypp keeps its @System cache under <root>/<cache-dir>;
        what that creates inside the root is removed too.)
        """
        selected = sources_for_product(sources, product)
        if not selected:
            yield
            return
        rendered = [render_repo_file(source) for source in selected]
        private = tempfile.mkdtemp(prefix='fleetops-zypper-')
        inside_root = None
        if os.path.realpath(self.root) != '/':
            inside_root = first_missing_ancestor(os.path.join(self.root, private.lstrip('/')))
        saved = (self._cli.repository_options, self._cli.cache_dir)
        try:
            reposd = os.path.join(private, 'repos.d')
            os.makedirs(reposd)
            for file_name, text in rendered:
                with open(os.path.join(reposd, file_name), 'w') as handle:
                    handle.write(text)
            self._cli.cache_dir = os.path.join(private, 'cache')
            self._cli.repository_options = ['--reposd-dir', reposd, '--cache-dir', self._cli.cache_dir]
            self.refresh()
            yield
        finally:
            self._cli.repository_options, self._cli.cache_dir = saved
            shutil.rmtree(private, ignore_errors=True)
            if inside_root:
                shutil.rmtree(inside_root, ignore_errors=True)
