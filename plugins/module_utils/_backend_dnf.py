# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The dnf backend: reads and acts through the dnf Python API (dnf 4 / libdnf / hawkey).

One ``dnf.Base`` per operation, confined to ``root`` (``installroot``): the root's
dnf.conf, its ``/etc/yum.repos.d`` (or the baseline's Sources), caches under the root.
Only ``refresh`` fetches metadata: reads run cache-only, and acting never lets cached
metadata expire (so an Install acts on what its Scan half read). A repository that
cannot be fetched fails the run, unless the node set skip_if_unavailable on it (then it
is skipped with a warning, as dnf does); baseline Sources never get skipped.

Truthful state after a failing %post: rpm keeps the package installed at the new
version (the payload is on disk and in the rpmdb), so the next ``read_universe``
reports that version; ``install`` reports the scriptlet error in ``InstallOutcome.problems``
(``_compliance`` then fails the run).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser
import contextlib
import datetime
import gc
import os
import re
import shutil
import tempfile

from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend import (
    InstallOutcome,
    PatchBackend,
    fcntl_lock_holder,
    gc_paused,
    one_line,
    pid_file_holder,
    sources_for_product,
    wait_for_all,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import (
    BackendError,
    InputError,
    LockTimeoutError,
    MetadataError,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import (
    Candidate,
    DatabaseRecord,
    InstalledPackage,
    Universe,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import UTC

# The bindings (python3-dnf, python3-rpm), imported on first use by import_bindings():
# importing dnf takes a tenth of a second that hosts of other families, which load this
# module through _run, should not pay.
dnf = hawkey = rpm = None
DNF_IMPORT_ERROR = None


def import_bindings():
    """Import dnf, hawkey and rpm into this module once; raise BackendError naming the package when missing."""
    global dnf, hawkey, rpm, DNF_IMPORT_ERROR  # pylint: disable=global-statement
    if dnf is not None:
        return
    try:
        import dnf.callback  # noqa: F811  pylint: disable=redefined-outer-name
        import dnf.conf
        import dnf.exceptions
        import dnf.rpm
        import hawkey  # noqa: F811  pylint: disable=redefined-outer-name
    except ImportError as exc:  # pragma: no cover - depends on the interpreter
        DNF_IMPORT_ERROR = exc
        raise BackendError('The dnf backend needs the dnf Python library (package python3-dnf) '
                           'in this interpreter: %s' % exc)
    try:
        import rpm  # noqa: F811  pylint: disable=redefined-outer-name
    except ImportError:  # pragma: no cover - the rpm lock is then not probed
        rpm = None


# Packages whose update needs a reboot, as dnf-utils needs-restarting -r lists them.
REBOOT_PACKAGES = frozenset((
    'kernel', 'kernel-core', 'kernel-rt', 'kernel-rt-core', 'kernel-uek', 'kernel-uek-core',
    'glibc', 'linux-firmware', 'systemd', 'udev', 'dbus', 'dbus-broker', 'dbus-daemon',
    'openssl-libs', 'gnutls', 'microcode_ctl', 'zlib',
))

_SCRIPTLET_ERROR_RE = re.compile(r'Error in (\S+) scriptlet in rpm package (\S+)')


def advisory_classification(kind):
    """Classification (as AWS lists it) of a hawkey advisory type."""
    # libdnf knows four notice types; anything else (Red Hat's 'recommended') is UNKNOWN
    return {
        hawkey.ADVISORY_SECURITY: 'Security',
        hawkey.ADVISORY_BUGFIX: 'Bugfix',
        hawkey.ADVISORY_ENHANCEMENT: 'Enhancement',
        hawkey.ADVISORY_NEWPACKAGE: 'Newpackage',
    }.get(kind, 'Recommended')


def utc_from_timestamp(seconds):
    """Aware UTC datetime from a Unix time; None for 0 / missing."""
    if not seconds:
        return None
    return datetime.datetime.fromtimestamp(int(seconds), UTC)


def evr_of(package):
    """'E:V-R' with the epoch always present."""
    return '%d:%s-%s' % (package.epoch or 0, package.version, package.release)


def hawkey_evr(version):
    """Our 'E:V-R' as hawkey writes evr (no '0:' prefix)."""
    return version[2:] if version.startswith('0:') else version


def write_source_files(sources, directory):
    """Write each source's yum configuration as ``<directory>/<name>.repo``; validate first."""
    for index, source in enumerate(sources):
        # the index among the sources that apply to this node; the name makes it unambiguous
        field = 'Sources[%d].Configuration' % index
        if source.get('name'):
            field += ' (source %r)' % source['name']
        text = source.get('configuration') or ''
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error as exc:
            raise InputError(field, 'is not a yum .repo stanza: %s' % str(exc).splitlines()[0])
        if not parser.sections():
            raise InputError(field, 'has no [repository] section')
        for section in parser.sections():
            if not (parser.has_option(section, 'baseurl') or parser.has_option(section, 'mirrorlist')
                    or parser.has_option(section, 'metalink')):
                raise InputError(field, 'repository [%s] needs one of baseurl, mirrorlist, metalink' % section)
        name = re.sub(r'[^A-Za-z0-9_.-]', '_', source.get('name') or 'source-%d' % index)
        with open(os.path.join(directory, '%s-%d.repo' % (name, index)), 'w') as handle:
            handle.write(text if text.endswith('\n') else text + '\n')


def _recording_display():
    """A dnf TransactionProgress that collects rpm's per-package error messages (in ``.errors``)."""

    class RecordingDisplay(dnf.callback.TransactionProgress):

        def __init__(self):
            super(RecordingDisplay, self).__init__()
            self.errors = []

        def error(self, message):
            self.errors.append(message)

    return RecordingDisplay()


class DnfBackend(PatchBackend):
    """dnf/rpm hosts (RHEL and rebuilds, Amazon Linux 2023, CentOS Stream)."""

    family = 'dnf'

    def __init__(self, root='/', run_command=None, lock_timeout=120, releasever=None):
        super(DnfBackend, self).__init__(root=root, run_command=run_command, lock_timeout=lock_timeout)
        import_bindings()
        self.releasever = releasever
        self._reposdir_override = None
        self._cachedir_override = None
        # install times of the installed reboot-relevant packages, as of the last read
        # (None: not read since the last install); spares reboot_required a second rpmdb load
        self._reboot_package_times = None

    # ---- dnf set-up ------------------------------------------------------------------

    def _in_root(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def _detect_releasever(self):
        if self.releasever:
            return self.releasever
        detected = dnf.rpm.detect_releasever(self.root)
        if detected:
            return detected
        # no *-release package in the rpmdb (minimal or test roots): use os-release
        try:
            with open(self._in_root('/etc/os-release')) as handle:
                for line in handle:
                    if line.startswith('VERSION_ID='):
                        return line.split('=', 1)[1].strip().strip('"\'').split('.')[0]
        except (IOError, OSError):
            pass
        return None

    def _new_base(self, cacheonly=False):
        base = dnf.Base()
        conf = base.conf
        conf.installroot = self.root
        root_config = self._in_root('/etc/dnf/dnf.conf')
        if self.root != '/' and os.path.exists(root_config):
            conf.config_file_path = root_config
        conf.read(priority=dnf.conf.PRIO_MAINCONFIG)
        if self._reposdir_override:
            conf.reposdir = list(self._reposdir_override)
        elif self.root != '/':
            conf.reposdir = [self._in_root(path) for path in conf.reposdir]
        conf.substitutions.update_from_etc(self.root, varsdir=conf.varsdir)
        releasever = self._detect_releasever()
        if releasever:
            conf.releasever = releasever
        for option in ('cachedir', 'logdir', 'persistdir'):
            conf.prepend_installroot(option)
        if self._cachedir_override:
            conf.cachedir = self._cachedir_override
        conf.exit_on_lock = True        # we wait ourselves (lock_timeout), dnf must never block forever
        conf.assumeyes = True
        conf.cacheonly = cacheonly      # before the repositories are read: it sets their sync strategy
        return base

    def _locks(self, base):
        """[(what, probe)] of dnf's pid-file locks and rpm's transaction lock."""
        conf = base.conf
        locks = [('dnf rpmdb lock', pid_file_holder, os.path.join(conf.persistdir, 'rpmdb_lock.pid')),
                 ('dnf metadata lock', pid_file_holder, os.path.join(conf.cachedir, 'metadata_lock.pid')),
                 ('dnf download lock', pid_file_holder, os.path.join(conf.cachedir, 'download_lock.pid'))]
        if rpm is not None:
            locks.append(('rpm transaction lock', fcntl_lock_holder,
                          self._in_root(rpm.expandMacro('%{_rpmlock_path}'))))
        return [('The %s %s' % (what, path), lambda probe=probe, path=path: probe(path))
                for what, probe, path in locks]

    def _wait_for_locks(self, base):
        wait_for_all(self._locks(base), self.lock_timeout)

    def _read_repos(self, base):
        """Read the repository configuration; returns the ids of the enabled repositories.

        Baseline Sources are never skipped: one that cannot be read fails the run.
        """
        base.read_all_repos()
        enabled = [repo.id for repo in base.repos.iter_enabled()]
        if self._reposdir_override:
            for repo in base.repos.iter_enabled():
                repo.skip_if_unavailable = False
        return enabled

    def _note_skipped(self, base, enabled, what):
        """Warn about enabled repositories dnf skipped (skip_if_unavailable) instead of failing."""
        still = set(repo.id for repo in base.repos.iter_enabled())
        for repo_id in enabled:
            warning = ('dnf skipped repository %s (skip_if_unavailable is set): its metadata %s, so nothing it offers '
                       'was evaluated.' % (repo_id, what))
            if repo_id not in still and warning not in self.warnings:
                self.warnings.append(warning)
        return [repo_id for repo_id in enabled if repo_id in still]

    @contextlib.contextmanager
    def _session(self, load_available=True, reading=True):
        """A filled dnf.Base, closed afterwards; lock waits and dnf errors translated.

        ``reading``: cache-only (nothing is fetched). Otherwise (acting) the cached metadata
        never expires, so only packages are downloaded.
        """
        base = self._new_base(cacheonly=reading)
        try:
            self._wait_for_locks(base)
            try:
                enabled = self._read_repos(base)
                if reading and load_available:
                    never_fetched = [repo.id for repo in base.repos.iter_enabled()
                                     if not repo.skip_if_unavailable and not _has_cached_metadata(repo)]
                    if never_fetched:
                        raise MetadataError('dnf has no usable metadata under %s: the metadata of %s was never fetched; '
                                            'refresh the package lists first (update_cache, or dnf makecache)'
                                            % (self.root, ', '.join(never_fetched)))
                if not reading:
                    for repo in base.repos.iter_enabled():
                        repo.metadata_expire = -1
                base.fill_sack(load_system_repo=True, load_available_repos=load_available)
            except dnf.exceptions.RepoError as exc:
                raise MetadataError('dnf has no usable metadata under %s: %s; refresh the package lists first '
                                    '(update_cache, or dnf makecache)' % (self.root, one_line(exc)))
            if load_available:
                self._note_skipped(base, enabled, 'cannot be read')
            yield base
        except dnf.exceptions.LockError as exc:
            raise LockTimeoutError('dnf could not take its lock under %s: %s' % (self.root, exc))
        finally:
            _close_quickly(base)

    # ---- reading ---------------------------------------------------------------------

    def refresh(self):
        base = self._new_base()
        try:
            self._wait_for_locks(base)
            enabled = self._read_repos(base)
            if not enabled:
                raise MetadataError('dnf has no enabled repository under %s to fetch metadata from.' % self.root)
            for repo in base.repos.iter_enabled():
                # what dnf --refresh does: mark the cache expired so it is fetched again now
                if hasattr(repo, '_repo'):
                    repo._repo.expire()  # pylint: disable=protected-access
                else:
                    repo.metadata_expire = 0
            base.fill_sack(load_system_repo=False, load_available_repos=True)
            self._note_skipped(base, enabled, 'could not be fetched')
        except dnf.exceptions.RepoError as exc:
            raise MetadataError('dnf could not fetch the metadata of every repository: %s' % one_line(exc))
        except dnf.exceptions.LockError as exc:
            raise LockTimeoutError('dnf could not take its lock under %s: %s' % (self.root, exc))
        finally:
            base.close()

    def read_universe(self, operating_system, product, advisory_only=False):
        with self._session() as base:
            with gc_paused():
                installed, candidates = self._read(base, advisory_only)
        return Universe('dnf', operating_system, product, installed, candidates)

    def _read(self, base, advisory_only):
        """(installed packages, candidate records) from the filled sack.

        Records: every available version of an installed name+arch from the installed
        version up, and every available version of packages that are not installed in an
        architecture this node can install (for NOT_APPLICABLE). With ``advisory_only``
        only versions that are in a notice.
        """
        sack = base.sack
        query = sack.query()
        installed_query = query.installed()
        latest_installed = dict(((package.name, package.arch), package) for package in installed_query.latest())
        installed = [InstalledPackage(package.name, package.arch, evr_of(package),
                                      utc_from_timestamp(package.installtime))
                     for package in latest_installed.values()]
        installed_evr = dict((key, package.evr) for key, package in latest_installed.items())
        # a Python pass over the installed packages: libsolv's name filter walks the whole pool
        self._reboot_package_times = [package.installtime for package in installed_query
                                      if package.name in REBOOT_PACKAGES]
        # The arch check is a set lookup per record: cheaper than a libsolv arch filter
        # over every available package.
        arches = frozenset(sack.list_arches())
        # skipped repositories (skip_if_unavailable) are disabled by now
        repositories = sorted(repo.id for repo in base.repos.iter_enabled())
        if not repositories:
            raise MetadataError('dnf has no usable repository under %s: none is enabled, or every one was skipped.'
                                % self.root)
        if not query.available():
            raise MetadataError('dnf has no usable metadata under %s: the repositories %s offer no package.'
                                % (self.root, ', '.join(repositories)))
        notices, first_repository, advisories = {}, {}, {}
        for repository in repositories:
            _collect_notices(sack, query.available().filterm(reponame=repository), repository, notices,
                             first_repository, advisories)
        if advisory_only:
            # Only versions some notice lists: the notice index names them, no pass over the repositories.
            offered = ((name, arch, evr, first_repository[(name, arch, evr)], None) for name, arch, evr in notices)
        else:
            offered = ((package.name, package.arch, package.evr, repository, package)
                       for repository in repositories for package in query.available().filterm(reponame=repository))
        seen = set()
        candidates = self._candidates(offered, notices, installed_evr, arches, sack.evr_cmp, seen)
        unoffered = [package for (name, arch), package in latest_installed.items() if (name, arch, package.evr) not in seen]
        if unoffered:
            candidates.extend(_database_records(sack, installed_query.filter(pkg=unoffered), advisories, advisory_only))
        return installed, candidates

    @staticmethod
    def _candidates(offered, notices, installed_evr, arches, evr_cmp, seen):
        """Candidate records of ``offered`` (name, arch, evr, repository, hawkey package or None), in order.

        ``seen`` (a set) receives the (name, arch, evr) of every record. The hot loop for
        large repositories: as few attribute reads, lookups and calls per package as possible.
        """
        installed_get, notices_get = installed_evr.get, notices.get
        candidates, dates = [], {}
        append, seen_add = candidates.append, seen.add
        for name, arch, evr, repository, package in offered:
            if arch not in arches:
                continue            # not installable on this node
            key = (name, arch, evr)
            if key in seen:
                continue            # the first repository wins when two carry the same NEVRA
            current = installed_get((name, arch))
            if current is not None and evr != current and evr_cmp(evr, current) < 0:
                continue            # older than the installed version: never a candidate
            seen_add(key)
            version = evr if ':' in evr else '0:' + evr
            found = notices_get(key)
            if found is None:
                # no notice: the build time stands in for the release date (ssm-semantics 3.7)
                buildtime = package.buildtime
                release_date = dates.get(buildtime)
                if release_date is None:
                    release_date = dates[buildtime] = utc_from_timestamp(buildtime)
                append(Candidate(name, arch, version, repository, False, None, None, None, None, None, release_date))
                continue
            for advisory_id, classification, severity, release_date, cve_ids, bugzilla_ids in found:
                append(Candidate(name, arch, version, repository, True, advisory_id, classification, severity,
                                 None, None, release_date, cve_ids, bugzilla_ids))
        return candidates

    # ---- resolving and acting --------------------------------------------------------

    def _mark_targets(self, base, targets):
        """Mark the exact upgrades; return {name.arch: why} for targets that cannot be marked."""
        problems = {}
        for name, arch, version in targets:
            label = '%s.%s' % (name, arch)
            matches = base.sack.query().available().filterm(name=name, arch=arch, evr=hawkey_evr(version))
            if not matches:
                problems[label] = 'version %s is not available in the enabled repositories' % version
                continue
            try:
                if not base.package_upgrade(matches[0]):
                    problems[label] = 'version %s is not above the installed version' % version
            except dnf.exceptions.MarkingError:
                problems[label] = 'it is not installed; only installed packages are updated'
        return problems

    def _resolve(self, base, targets):
        """Resolve the exact upgrades; returns (transaction items, {name.arch: why not})."""
        problems = self._mark_targets(base, targets)
        try:
            base.resolve(allow_erasing=False)
        except dnf.exceptions.DepsolveError as exc:
            problems.update(self._isolate_unresolvable(base, targets, problems, exc))
        items = transaction_items(base)
        planned = set((item['name'], item['arch'], item['to_version']) for item in items)
        for name, arch, version in targets:
            label = '%s.%s' % (name, arch)
            if label not in problems and (name, arch, version) not in planned:
                problems[label] = 'dnf skipped the update to %s (its dependencies cannot be resolved)' % version
        return items, problems

    def _isolate_unresolvable(self, base, targets, problems, error):
        """One target broke the whole resolve: find which, resolve the rest without them."""
        remaining = [target for target in targets if '%s.%s' % target[:2] not in problems]
        found = {}
        if len(remaining) == 1:
            found['%s.%s' % remaining[0][:2]] = 'dnf cannot resolve the update: %s' % one_line(error)
        else:
            for target in remaining:
                base.reset(goal=True)
                self._mark_targets(base, [target])
                try:
                    base.resolve(allow_erasing=False)
                except dnf.exceptions.DepsolveError as exc:
                    found['%s.%s' % target[:2]] = 'dnf cannot resolve the update: %s' % one_line(exc)
        base.reset(goal=True)
        resolvable = [target for target in remaining if '%s.%s' % target[:2] not in found]
        if resolvable:
            self._mark_targets(base, resolvable)
            try:
                base.resolve(allow_erasing=False)
            except dnf.exceptions.DepsolveError as exc:
                # only a combination of targets conflicts: report them all rather than guess
                base.reset(goal=True)
                for target in resolvable:
                    found['%s.%s' % target[:2]] = 'dnf cannot resolve these updates together: %s' % one_line(exc)
        return found

    def plan(self, targets):
        with self._session() as base:
            items, _problems = self._resolve(base, targets)
        return items

    def dependency_closure(self, name, arch, version):
        with self._session() as base:
            items, problems = self._resolve(base, [(name, arch, version)])
        if problems:
            return []       # not installable at all: Install reports it FAILED with dnf's reason
        # the dependencies only: the target itself is what the caller asked about
        return [(item['name'], item['arch'], item['to_version']) for item in items
                if item['action'] in ('upgrade', 'install') and (item['name'], item['arch']) != (name, arch)]

    def install(self, targets):
        targets = list(targets)
        self._reboot_package_times = None
        messages, errors = [], []
        with self._session(reading=False) as base:
            items, problems = self._resolve(base, targets)
            if not items:
                return InstallOutcome([], problems, messages)
            display = _recording_display()
            try:
                base.download_packages(list(base.transaction.install_set))
                base.do_transaction(display=display)
            except dnf.exceptions.DownloadError as exc:
                errors.append('download failed: %s' % one_line(exc))
            except dnf.exceptions.Error as exc:
                errors.append('the rpm transaction failed: %s' % one_line(exc))
            messages.extend(display.errors + errors)
        # whatever dnf said, the rpmdb is the truth about what is installed now
        problems.update(self._verify(targets, display.errors, problems, '; '.join(errors)))
        return InstallOutcome(items, problems, messages)

    def _verify(self, targets, errors, already_failed, transaction_error=''):
        """What the rpmdb after the transaction shows of the targets, with rpm's errors attributed to them."""
        scriptlet_errors = {}
        for message in errors:
            match = _SCRIPTLET_ERROR_RE.search(message)
            if match:
                scriptlet_errors.setdefault(match.group(2), []).append(match.group(1))
        with self._session(load_available=False) as base:
            now_installed = dict(((package.name, package.arch), evr_of(package))
                                 for package in base.sack.query().installed().latest())
        failed = {}
        for name, arch, version in targets:
            label = '%s.%s' % (name, arch)
            if label in already_failed:
                continue
            current = now_installed.get((name, arch))
            if name in scriptlet_errors:
                failed[label] = ('%s is installed at %s but its %s scriptlet failed'
                                 % (label, current, '/'.join(scriptlet_errors[name])))
            elif current != version:
                failed[label] = transaction_error or ('still at %s after the transaction, expected %s'
                                                      % (current, version))
        return failed

    # ---- reboot and sources ----------------------------------------------------------

    def reboot_required(self):
        """Whether a reboot-relevant package (REBOOT_PACKAGES) was installed since boot."""
        times = self._reboot_package_times
        if times is None:
            with self._session(load_available=False) as base:
                times = [package.installtime
                         for package in base.sack.query().installed().filterm(name=sorted(REBOOT_PACKAGES))]
        boot_time = _boot_time()
        return any(boot_time is None or installtime > boot_time for installtime in times)

    @contextlib.contextmanager
    def sources_replaced(self, sources, product=None):
        """Use only the baseline Sources (those for ``product``, if given) inside the block.

        The node's repository files and metadata cache are never touched: dnf reads the
        Sources from a private temporary directory and caches their metadata there too,
        fetched on entry (a Source that cannot be fetched raises MetadataError naming it);
        the directory is removed on exit, whatever happened inside.
        """
        chosen = sources_for_product(sources, product)
        if not chosen:
            yield self
            return
        directory = tempfile.mkdtemp(prefix='fleetops-dnf-sources.')
        previous = self._reposdir_override, self._cachedir_override
        try:
            repos = os.path.join(directory, 'yum.repos.d')
            os.mkdir(repos)
            write_source_files(chosen, repos)
            self._reposdir_override = [repos]
            self._cachedir_override = os.path.join(directory, 'cache')
            self.refresh()
            yield self
        finally:
            self._reposdir_override, self._cachedir_override = previous
            shutil.rmtree(directory, ignore_errors=True)


def _collect_notices(sack, packages, repository, notices, first_repository, advisories):
    """Add the notices listing ``packages`` (a query of one repository) to ``notices``.

    ``notices``: {(name, arch, evr): [notice attributes]}; ``first_repository``: the first
    repository seen offering each of those NEVRAs; ``advisories``: {advisory id: notice
    attributes}, so that each notice's attributes are built once. One pass over libsolv's
    advisory index per repository.
    """
    for advisory_package in packages.get_advisory_pkgs(hawkey.EQ):
        key = (advisory_package.name, advisory_package.arch, advisory_package.evr)
        advisory = advisory_package.get_advisory(sack)
        attributes = advisories.get(advisory.id)
        if attributes is None:
            attributes = advisories[advisory.id] = _notice_attributes(advisory)
        bucket = notices.get(key)
        if bucket is None:
            notices[key] = [attributes]
            first_repository[key] = repository
        elif attributes not in bucket:
            bucket.append(attributes)


def _database_records(sack, packages, advisories, advisory_only):
    """DatabaseRecords of installed ``packages`` (a query) that no repository offers.

    Each is judged by what the rpmdb and the notices know of it: one record per notice that
    lists the installed NEVRA, else (unless ``advisory_only``) one without advisory whose
    release date is the package's build time, as for an available version without notice.
    """
    notices, first_repository = {}, {}
    _collect_notices(sack, packages, None, notices, first_repository, advisories)
    records = []
    for package in packages:
        version = evr_of(package)
        found = notices.get((package.name, package.arch, package.evr))
        if found is None:
            if not advisory_only:
                records.append(DatabaseRecord(package.name, package.arch, version,
                                              release_date=utc_from_timestamp(package.buildtime)))
            continue
        for advisory_id, classification, severity, release_date, cve_ids, bugzilla_ids in found:
            records.append(DatabaseRecord(package.name, package.arch, version, None, True, advisory_id,
                                          classification, severity, None, None, release_date, cve_ids, bugzilla_ids))
    return records


def _notice_attributes(advisory):
    """(advisory_id, classification, severity, release_date, cve_ids, bugzilla_ids) of a notice."""
    cves, bugs = [], []
    for reference in advisory.references:
        if reference.type == hawkey.REFERENCE_CVE:
            cves.append(reference.id)
        elif reference.type == hawkey.REFERENCE_BUGZILLA:
            bugs.append(reference.id)
    # hawkey gives a naive local-time datetime of libsolv's date (updated, else issued)
    updated = advisory.updated
    release_date = utc_from_timestamp(updated.timestamp()) if updated else None
    return (advisory.id, advisory_classification(advisory.type), advisory.severity or None, release_date,
            tuple(cves), tuple(bugs))


def transaction_items(base):
    """The resolved transaction as DESIGN transaction items."""
    installed = dict(((package.name, package.arch), evr_of(package))
                     for package in base.sack.query().installed().latest())
    items, upgraded = [], set()
    if base.transaction is None:        # nothing resolved (every target was refused)
        return items
    for package in sorted(base.transaction.install_set, key=lambda p: (p.name, p.arch)):
        key = (package.name, package.arch)
        before = installed.get(key)
        upgraded.add(key)
        items.append({'name': package.name, 'arch': package.arch, 'from_version': before,
                      'to_version': evr_of(package), 'action': 'upgrade' if before else 'install'})
    for package in sorted(base.transaction.remove_set, key=lambda p: (p.name, p.arch)):
        if (package.name, package.arch) not in upgraded:
            items.append({'name': package.name, 'arch': package.arch, 'from_version': evr_of(package),
                          'to_version': None, 'action': 'remove'})
    return items


def _has_cached_metadata(repo):
    """Whether dnf's cache holds metadata of ``repo`` (a fetch has happened; cache-only reading can load it)."""
    cached = getattr(repo, '_repo', None)
    if cached is None:          # pragma: no cover - dnf without libdnf repositories: let dnf itself say
        return True
    return os.path.isfile(os.path.join(cached.getCachedir(), 'repodata', 'repomd.xml'))


def _close_quickly(base):
    """``base.close()`` without its forced full garbage collection walking our records.

    dnf collects to free the sack's file descriptors at once; a Scan's tens of thousands
    of (acyclic) records would make that walk cost as much as reading them. Freezing moves
    what exists now out of the collector's view; the sack is freed by a later collection
    (or at exit) instead.
    """
    gc.freeze()
    try:
        base.close()
    finally:
        gc.unfreeze()


def _boot_time():
    try:
        with open('/proc/stat') as handle:
            for line in handle:
                if line.startswith('btime '):
                    return int(line.split()[1])
    except (IOError, OSError):
        pass
    return None
