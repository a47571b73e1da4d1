# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The apt backend: python-apt (apt_pkg) reads, apt-get and dpkg act.

How ``root`` is honoured, and why:

- Reading happens in this process with apt_pkg and ``RootDir=<root>``, set *before*
  apt's configuration is loaded, so the root's own apt.conf.d, sources, lists and dpkg
  status are used and this machine's apt configuration never leaks in: apt_pkg's global
  configuration is emptied before each load and, for another root, this machine's
  ``APT_CONFIG`` file is not read. A read writes nothing into the root except what the
  root's own configuration has apt keep (its binary cache, as ``apt list`` would); when
  that configuration disables the binary cache, the cache is built in memory.
- Acting runs ``chroot <root> apt-get ...``: the root's own apt, dpkg and maintainer
  scripts run exactly as on that system. (Host apt with ``RootDir`` plus
  ``DPkg::Chroot-Directory`` mis-resolves several paths, and dpkg ``--root`` alone
  would run this machine's apt against the root's configuration.)
- Every path we pass through apt options is therefore relative to the root: the same
  option means the same file for apt_pkg (RootDir) and for the chrooted CLI.

A package dpkg has not fully installed (unpacked, half-configured, half-installed,
triggers-awaited) is reported at dpkg's version with a ``~<state>`` suffix, e.g.
``1.1-1~halfconfigured``. The suffix says what dpkg says, and it sorts just below the
version proper, so the engine reports that version MISSING (Scan) / FAILED (Install)
instead of INSTALLED. ``AptInstalledPackage.dpkg_state`` carries the raw state too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import os
import re
import shutil
import struct
import tempfile

try:
    import fcntl
except ImportError:  # pragma: no cover - not a Linux target
    fcntl = None

try:
    import apt_pkg
    HAS_APT_PKG = True
except ImportError:
    apt_pkg = None
    HAS_APT_PKG = False

from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend import (
    InstallOutcome, PatchBackend, first_missing_ancestor, gc_paused, remove_empty_directories, sources_for_product,
    wait_for)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BackendError, MetadataError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import (
    Candidate, DatabaseRecord, InstalledPackage, Universe)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import UTC

# A full environment on purpose: the runner may replace the environment rather than update it,
# and the chrooted tools need a PATH that makes sense inside the root.
APT_ENV = {
    'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'DEBIAN_FRONTEND': 'noninteractive',
    'DEBIAN_PRIORITY': 'critical',
    'APT_LISTCHANGES_FRONTEND': 'none',
    'NEEDRESTART_MODE': 'l',
    'LC_ALL': 'C.UTF-8',
    'LANG': 'C.UTF-8',
    'LANGUAGE': 'C',
}
# Keep the node's changed conffiles; take the maintainer's version only where untouched.
DPKG_CONF_OPTIONS = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold']

# dpkg states that count as "installed at this version" (trigger processing pending is
# still a fully working package; dpkg itself treats it as installed for dependencies).
FULLY_INSTALLED_STATES = ('installed', 'triggers-pending')
# apt_pkg current_state numbers -> dpkg state names (apt's pkgCache::State::PkgCurrentState).
APT_CURRENT_STATES = {0: 'not-installed', 1: 'unpacked', 2: 'half-configured', 4: 'half-installed',
                      5: 'config-files', 6: 'installed', 7: 'triggers-awaited', 8: 'triggers-pending'}
NOT_INSTALLED_STATES = ('not-installed', 'config-files')
NOT_INSTALLED_STATE_NUMBERS = frozenset(number for number, state in APT_CURRENT_STATES.items() if state in NOT_INSTALLED_STATES)
# apt's priority numbers -> the control-file words (priority_str is translated, and slow).
PRIORITY_NAMES = {1: 'required', 2: 'important', 3: 'standard', 4: 'optional', 5: 'extra'}

PRIVATE_SOURCES_PARENT = '/var/lib/fleetops-patch'
PRIVATE_OPTION_KEYS = ('Dir::Etc::sourcelist', 'Dir::Etc::sourceparts', 'Dir::State::lists',
                       'Dir::Cache::pkgcache', 'Dir::Cache::srcpkgcache')
BINARY_CACHE_KEYS = ('Dir::Cache::pkgcache', 'Dir::Cache::srcpkgcache')
# Root-relative; Debian policy reserves /nonexistent as a path that never exists.
NO_BINARY_CACHE_DIRECTORY = '/nonexistent/fleetops-patch-no-binary-cache'
LOCK_FILES_INSTALL = ('var/lib/dpkg/lock-frontend', 'var/lib/dpkg/lock', 'var/cache/apt/archives/lock')
LOCK_FILES_REFRESH = ('var/lib/apt/lists/lock',)

FLOCK_FORMAT = 'hhqqi4x'

PLAN_INST_RE = re.compile(r'^Inst (?P<name>\S+) (?:\[(?P<old>[^\]]+)\] )?\((?P<new>\S+) [^\[]*\[(?P<arch>[^\]]+)\]')
PLAN_REMV_RE = re.compile(r'^Remv (?P<name>\S+)(?: \[(?P<old>[^\]]+)\])?')


class AptInstalledPackage(InstalledPackage):
    """An installed package plus dpkg's state word (``installed``, ``half-configured`` ...)."""

    __slots__ = ('dpkg_state',)

    def __init__(self, name, arch, version, installed_time=None, dpkg_state='installed'):
        super(AptInstalledPackage, self).__init__(name, arch, version, installed_time)
        self.dpkg_state = dpkg_state


# --- small pure helpers ----------------------------------------------------------------------

def reported_version(version, dpkg_state):
    """The version we report: dpkg's, marked with ``~<state>`` when not fully installed."""
    if dpkg_state in FULLY_INSTALLED_STATES:
        return version
    return '%s~%s' % (version, dpkg_state.replace('-', ''))


def is_security_origin(archive, codename, label, trusted):
    """CONTRACT decision: a trusted origin whose suite/codename ends -security or labelled Debian-Security."""
    if not trusted:
        return False
    return bool((archive or '').endswith('-security') or (codename or '').endswith('-security')
                or label == 'Debian-Security')


def parse_dpkg_status(text):
    """dpkg status file text -> {(name, arch): (version, state)}; only packages dpkg knows of."""
    packages = {}
    for stanza in text.split('\n\n'):
        fields = {}
        for line in stanza.splitlines():
            if line[:1] in (' ', '\t') or ':' not in line:
                continue
            key, value = line.split(':', 1)
            if key in ('Package', 'Status', 'Version', 'Architecture'):
                fields[key] = value.strip()
        if 'Package' not in fields or 'Status' not in fields:
            continue
        state = fields['Status'].split()[-1]
        packages[(fields['Package'], fields.get('Architecture', ''))] = (fields.get('Version'), state)
    return packages


def parse_simulation(output):
    """``apt-get -s`` output -> transaction items (DESIGN "Backends")."""
    items = []
    for line in output.splitlines():
        match = PLAN_INST_RE.match(line)
        if match:
            name, arch = _split_arch(match.group('name'), match.group('arch'))
            items.append({'name': name, 'arch': arch, 'from_version': match.group('old'),
                          'to_version': match.group('new'),
                          'action': 'upgrade' if match.group('old') else 'install'})
            continue
        match = PLAN_REMV_RE.match(line)
        if match:
            name, arch = _split_arch(match.group('name'), None)
            items.append({'name': name, 'arch': arch, 'from_version': match.group('old'),
                          'to_version': None, 'action': 'remove'})
    return items


def _split_arch(name, arch):
    if ':' in name:
        name, arch = name.split(':', 1)
    return name, arch


def parse_sources_lines(sources, product=None):
    """Baseline Sources -> apt one-line source entries for ``product`` (all when product is None).

    A source applies as ``sources_for_product`` says. Comment and blank lines are dropped.
    """
    lines = []
    for index, source in enumerate(sources_for_product(sources, product)):
        for line in (source.get('configuration') or '').splitlines():
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            if not (line.startswith('deb ') or line.startswith('deb-src ')):
                # the index among the sources that apply to this node; the name makes it unambiguous
                raise BackendError('sources[%d].configuration (source %r): %r is not an apt source line; '
                                   'lines must start with "deb " or "deb-src "' % (index, source.get('name'), line))
            lines.append(line)
    return lines


def lists_problem(source_list, cache):
    """Why the package lists apt read cannot be trusted (a clause), or None.

    No source configured; a source none of whose index files was ever fetched; or no
    package at all in the fetched indexes: each would make every installed package look
    current.
    """
    sources = source_list.list
    if not sources:
        return 'no apt source is configured (sources.list and sources.list.d name none)'
    never_fetched = ['%s %s' % (source.uri, source.dist) for source in sources if not _was_fetched(source)]
    if never_fetched:
        return ('the lists of %s were never fetched; refresh the package lists first (update_cache, or '
                'apt-get update)' % ', '.join(never_fetched))
    if not any(package_file.size for package_file in cache.file_list if not package_file.not_source):
        return 'the lists of %s hold no package' % ', '.join('%s %s' % (source.uri, source.dist) for source in sources)
    return None


def _was_fetched(source):
    """Whether apt has fetched a source: one of its indexes is in the lists, else its (In)Release file is.

    (A suite that has no index for this node's architectures, such as an empty security
    pocket, leaves only its Release file.)
    """
    if any(index.exists for index in source.index_files):
        return True
    dist = source.dist if source.dist.endswith('/') else 'dists/%s/' % source.dist
    prefix = os.path.join(apt_pkg.config.find_dir('Dir::State::lists'), apt_pkg.uri_to_filename(source.uri + dist))
    return any(os.path.exists(prefix + name) for name in ('InRelease', 'Release'))


def lock_holder(path):
    """'PID n' (or 'another process') when someone holds a write lock on ``path``, else None."""
    if fcntl is None or not os.path.exists(path):
        return None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        # struct flock: l_type, l_whence, l_start, l_len, l_pid (+ tail padding of the C struct).
        request = struct.pack(FLOCK_FORMAT, fcntl.F_WRLCK, 0, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, request)
        lock_type, _whence, _start, _length, pid = struct.unpack(FLOCK_FORMAT, answer)
    finally:
        os.close(fd)
    if lock_type == fcntl.F_UNLCK:
        return None
    return 'PID %d' % pid if pid > 0 else 'another process'


def _last_errors(text, limit=5):
    errors = [line.strip() for line in (text or '').splitlines() if line.startswith(('E:', 'dpkg: error'))]
    return '; '.join(errors[-limit:])


# --- the backend -----------------------------------------------------------------------------

class AptBackend(PatchBackend):
    """Patch backend for Debian and Ubuntu (apt/dpkg)."""

    family = 'apt'

    def __init__(self, root='/', run_command=None, lock_timeout=120):
        super(AptBackend, self).__init__(root=root, run_command=run_command, lock_timeout=lock_timeout)
        self.root = os.path.abspath(self.root)
        self._extra_options = {}      # apt option -> value (root-relative paths), e.g. private sources
        self._closure = None          # (options, cache, depcache) kept for dependency_closure

    # -- paths and commands --

    def _host_path(self, relative):
        return os.path.join(self.root, relative.lstrip('/'))

    def _option_args(self):
        args = []
        for key, value in sorted(self._extra_options.items()):
            args += ['-o', '%s=%s' % (key, value)]
        return args

    def _command(self, tool, args):
        argv = [tool] + self._option_args() + list(args)
        if self.root != '/':
            argv = ['/usr/sbin/chroot', self.root] + argv
        return argv

    def _run(self, tool, args, check=True):
        argv = self._command(tool, args)
        rc, out, err = self.run_command(argv, env=dict(APT_ENV))
        if check and rc != 0:
            raise BackendError('%s failed (rc=%s): %s' % (tool, rc, _last_errors(out + '\n' + err) or err.strip()),
                               rc=rc, stdout=out, stderr=err, cmd=argv)
        return rc, out, err

    def _wait_for_locks(self, relative_paths):
        """Wait (one lock_timeout in all) until none of the lock files is held."""
        paths = [self._host_path(relative) for relative in relative_paths]

        def holder():
            for path in paths:
                who = lock_holder(path)
                if who:
                    return '%s (holding %s)' % (who, path)
            return None

        wait_for(holder, self.lock_timeout, 'the apt/dpkg lock')

    # -- apt_pkg --

    def _require_apt_pkg(self):
        if not HAS_APT_PKG:
            raise BackendError('The apt backend needs the python3-apt bindings (apt_pkg), which this Python '
                               'interpreter cannot import; run under the system python3 or install python3-apt.')

    def _load_root_config(self):
        """Load apt's configuration of the root, and only the root's, into apt_pkg's (global) configuration.

        Returns {option: value} of PRIVATE_OPTION_KEYS as the root configures them. Whatever an
        earlier reader loaded (this host's configuration, another root's) is forgotten first, and
        for another root this host's ``APT_CONFIG`` file is not read. A root whose configuration
        disables the binary cache (``Dir::Cache::pkgcache ""``, as Debian container images do)
        gets a cache file apt can neither find nor create: under RootDir apt would turn the
        empty name into the root directory itself, fail, and leave temporary files there.
        """
        config = apt_pkg.config
        for key in config.list():
            config.clear(key)
        host_apt_config = None
        if self.root != '/':
            # Before init_config, so the root's apt.conf.d is read instead of this machine's.
            config.set('RootDir', self.root + '/')
            host_apt_config = os.environ.pop('APT_CONFIG', None)
        try:
            apt_pkg.init_config()
        finally:
            if host_apt_config is not None:
                os.environ['APT_CONFIG'] = host_apt_config
        apt_pkg.init_system()
        values = dict((key, config.find(key)) for key in PRIVATE_OPTION_KEYS)
        if self.root != '/':
            for key in BINARY_CACHE_KEYS:
                if not values[key]:
                    values[key] = self._missing_cache_file(key.rsplit(':', 1)[1] + '.bin')
        return values

    def _missing_cache_file(self, filename):
        """A root-relative cache file in a directory that does not exist (apt then keeps the cache in memory)."""
        directory = NO_BINARY_CACHE_DIRECTORY
        while os.path.lexists(self._host_path(directory)):
            directory += '_'
        return '%s/%s' % (directory, filename)

    def _open_cache(self):
        """A fresh apt_pkg cache of the root, with the current extra options."""
        self._require_apt_pkg()
        root_values = self._load_root_config()
        config = apt_pkg.config
        for key in PRIVATE_OPTION_KEYS:
            config.set(key, self._extra_options.get(key, root_values[key]))
        try:
            cache = apt_pkg.Cache(None)
            source_list = apt_pkg.SourceList()
            source_list.read_main_list()
        except SystemError as exc:      # apt_pkg.Error: broken lists, status file, configuration
            raise BackendError('apt could not read the package cache of %s: %s' % (self.root, exc))
        return cache, source_list

    def refresh(self):
        """``apt-get update``; a source that cannot be fetched fails it (``APT::Update::Error-Mode=any``).

        apt before 2.1.16 does not know the option (it exits 0 with a warning instead); the
        lists check of ``read_universe`` then still names a source whose lists are missing.
        """
        self._closure = None
        self._wait_for_locks(LOCK_FILES_REFRESH)
        argv = self._command('apt-get', ['-q', '-y', '-o', 'APT::Update::Error-Mode=any', 'update'])
        rc, out, err = self.run_command(argv, env=dict(APT_ENV))
        if rc != 0:
            raise MetadataError('apt could not fetch the package lists of every source (rc=%s): %s'
                                % (rc, _last_errors(out + '\n' + err, limit=10) or err.strip()),
                                rc=rc, stdout=out, stderr=err, cmd=argv)

    def read_universe(self, operating_system, product, advisory_only=False):
        """The root's installed packages and the versions its sources offer (DESIGN "Package universe").

        Installed packages get a record for every carried version at or above the installed
        one. Packages that are not installed get one record per distinct carried version
        (a version string carried as two builds gives a second record only when its origin
        or fields differ), so the engine can count approved ones as NOT_APPLICABLE; packages
        of architectures the node is not configured for (APT::Architectures) are skipped.
        With ``advisory_only`` (the baseline cannot approve a version that is not a security
        update: ``_evaluate.advisory_records_suffice``) versions of packages that are not
        installed are given only when they come from a security source: the others could
        only be counted as not approved. Installed packages always get every record.

        Which packages are read: every package of the cache, or with ``advisory_only`` only
        those that can give a record (``packages_to_read``): a few thousand instead of every
        name apt knows (60,000+), with the same records.
        """
        cache, source_list = self._open_cache()
        problem = lists_problem(source_list, cache)
        if problem:
            raise MetadataError('apt has no usable package lists in %s: %s.' % (self.root, problem))
        architectures = frozenset(apt_pkg.get_architectures())
        info_dir = self._host_path('var/lib/dpkg/info')
        memo = _RecordMemo(source_list)
        version_record = memo.version_record
        packages = packages_to_read(cache, memo, self._host_path(apt_pkg.config.find('Dir::State::status'))) \
            if advisory_only else cache.packages
        version_compare = apt_pkg.version_compare
        not_installed_states = NOT_INSTALLED_STATE_NUMBERS
        installed, candidates = [], []
        add_installed, add_candidate = installed.append, candidates.append
        # Hot loop over the whole cache (60,000+ packages on a Debian host): every python-apt
        # attribute read builds a Python object, so each is read once, only where it can matter;
        # records are shared per (package file, priority, section); no cyclic GC meanwhile.
        with gc_paused():
            for package in packages:
                current = package.current_ver
                if current is None or package.current_state in not_installed_states:
                    versions = package.version_list
                    if not versions:          # a name only mentioned (virtual, missing, foreign)
                        continue
                    if len(versions) == 1:
                        version = versions[0]
                        # apt files an 'all' version under the native architecture, any other
                        # under its own: so this is the package's architecture check.
                        arch = version.arch
                        if arch != 'all' and arch not in architectures:
                            continue
                        record = version_record(version)
                        if record is not None and (record[1] or not advisory_only):
                            add_candidate(_AptCandidate(package.name, arch, version.ver_str, record))
                        continue
                    if package.architecture not in architectures:
                        continue
                    name, arch, seen = package.name, None, []
                    for version in versions:
                        record = version_record(version)
                        if record is None or (advisory_only and not record[1]):
                            continue
                        version_string = version.ver_str
                        # The same version string twice (rebuilds in two suites) matters only when the
                        # records differ.
                        if (version_string, record) in seen:
                            continue
                        seen.append((version_string, record))
                        if arch is None:
                            # One name+arch per package, that of its newest version ('all' or the
                            # architecture), so the engine counts it once and names it as apt would.
                            arch = version.arch
                        add_candidate(_AptCandidate(name, arch, version_string, record))
                    continue
                state = APT_CURRENT_STATES.get(package.current_state, 'unknown')
                name, arch, current_version = package.name, current.arch, current.ver_str
                add_installed(AptInstalledPackage(
                    name, arch, reported_version(current_version, state),
                    _installed_time(info_dir, name, package.architecture), state))
                # apt keeps a package's versions sorted newest first: stop below the installed one.
                for version in package.version_list:
                    version_string = version.ver_str
                    if version_string != current_version and version_compare(version_string, current_version) < 0:
                        break
                    record = version_record(version)
                    if record is not None:
                        add_candidate(_AptCandidate(name, arch, version_string, record))
                    elif version_string == current_version and state in FULLY_INSTALLED_STATES:
                        # Only the dpkg status has it: judged on the Priority and Section dpkg recorded.
                        add_candidate(DatabaseRecord(name, arch, current_version, priority=PRIORITY_NAMES.get(
                            version.priority), section=version.section or None))
        return Universe('apt', operating_system, product, installed, candidates)

    def _closure_depcache(self):
        """One cache + depcache reused across dependency_closure calls (reset, not rebuilt, each time)."""
        key = tuple(sorted(self._extra_options.items()))
        if self._closure is None or self._closure[0] != key:
            cache, _sources = self._open_cache()
            self._closure = (key, cache, apt_pkg.DepCache(cache))
        else:
            self._closure[2].init()
        return self._closure[1], self._closure[2]

    def dependency_closure(self, name, arch, version):
        cache, depcache = self._closure_depcache()
        package = _find_package(cache, name, arch)
        target = _find_version(package, version)
        depcache.set_candidate_ver(package, target)
        depcache.mark_install(package, True, True)
        closure = []
        for other in cache.packages:
            if other.id == package.id:
                continue
            if depcache.marked_install(other) or depcache.marked_upgrade(other):
                candidate = depcache.get_candidate_ver(other)
                closure.append((other.name, candidate.arch, candidate.ver_str))
        return sorted(closure)

    def _install_args(self, targets):
        specs = []
        native = None
        for name, arch, version in targets:
            if arch in (None, '', 'all'):
                specs.append('%s=%s' % (name, version))
                continue
            if native is None:
                native = self._native_architecture()
            specs.append('%s=%s' % (name if arch == native else '%s:%s' % (name, arch), version))
        # --only-upgrade: never install a target that is not installed; recommends are not
        # dependencies, so they are not pulled in either.
        return ['-y', '-q', '--only-upgrade', '--no-install-recommends'] + DPKG_CONF_OPTIONS + ['install'] + specs

    def _native_architecture(self):
        _rc, out, _err = self._run('dpkg', ['--print-architecture'])
        return out.strip()

    def plan(self, targets):
        if not targets:
            return []
        _rc, out, _err = self._run('apt-get', ['-s'] + self._install_args(targets))
        return parse_simulation(out)

    def _installable(self, targets):
        """(targets to run, their transaction, {key: why} for targets left out).

        When the whole set does not resolve, targets are added one by one and kept only
        while the set still resolves, so one unsatisfiable update (missing version, held
        package, broken or blocked dependency) fails only itself.
        """
        try:
            return list(targets), self.plan(targets), {}
        except BackendError as exc:
            if len(targets) == 1:
                return [], [], {_key(targets[0]): 'apt cannot resolve this update: %s' % exc}
        kept, transaction, refused = [], [], {}
        for target in targets:
            try:
                transaction = self.plan(kept + [target])
            except BackendError as exc:
                refused[_key(target)] = 'apt cannot resolve this update: %s' % exc
                continue
            kept.append(target)
        if not kept:
            transaction = []
        return kept, transaction, refused

    def _dpkg_status(self):
        with open(self._host_path('var/lib/dpkg/status')) as handle:
            return parse_dpkg_status(handle.read())

    def _recover_interrupted_dpkg(self, messages):
        updates = self._host_path('var/lib/dpkg/updates')
        pending = os.path.isdir(updates) and any(entry.isdigit() for entry in os.listdir(updates))
        unfinished = [key for key, (_v, state) in self._dpkg_status().items()
                      if state not in FULLY_INSTALLED_STATES + NOT_INSTALLED_STATES]
        if not pending and not unfinished:
            return
        rc, out, err = self._run('dpkg', ['--configure', '-a'], check=False)
        messages.append('dpkg was interrupted before; ran dpkg --configure -a (rc=%s)%s'
                        % (rc, ': ' + _last_errors(out + '\n' + err) if rc else ''))

    def install(self, targets):
        if not targets:
            return InstallOutcome([])
        self._wait_for_locks(LOCK_FILES_INSTALL)
        self._closure = None
        messages = []
        self._recover_interrupted_dpkg(messages)
        runnable, transaction, refused = self._installable(list(targets))
        if not runnable:
            return InstallOutcome([], problems=refused, messages=messages)
        # apt waits on the frontend lock itself too, in case someone took it since we looked.
        args = ['-o', 'DPkg::Lock::Timeout=%d' % max(int(self.lock_timeout), 0)] + self._install_args(runnable)
        rc, out, err = self._run('apt-get', args, check=False)
        apt_errors = _last_errors(out + '\n' + err)
        if rc != 0:
            messages.append('apt-get install failed (rc=%s): %s' % (rc, apt_errors or err.strip()))
        problems = dpkg_problems(transaction, runnable, self._dpkg_status(), apt_errors if rc else '')
        problems.update(refused)
        return InstallOutcome(transaction, problems=problems, messages=messages)

    def upgrade_python_apt(self):
        """AWS upgrades python3-apt on every apt Install, whatever the baseline (ssm-semantics 3.5, 11.16).

        Returns the InstallOutcome, or None when python3-apt is not installed or current.
        """
        cache, _sources = self._open_cache()
        try:
            package = cache['python3-apt']
        except KeyError:
            return None
        current = package.current_ver
        if current is None:
            return None
        # The policy's candidate, so the node's pinning and its sources are respected.
        newest = apt_pkg.DepCache(cache).get_candidate_ver(package)
        if newest is None or apt_pkg.version_compare(newest.ver_str, current.ver_str) <= 0:
            return None
        return self.install([('python3-apt', current.arch, newest.ver_str)])

    def reboot_required(self):
        return any(os.path.exists(self._host_path(path))
                   for path in ('run/reboot-required', 'var/run/reboot-required'))

    @contextlib.contextmanager
    def sources_replaced(self, sources, product=None):
        """Use only the baseline's apt ``sources`` (those for ``product``) inside the block.

        The node's sources, lists and package cache files are never touched: apt reads a
        private source list and keeps private lists in a temporary directory under
        ``<root>/var/lib/fleetops-patch``, removed on exit. The private lists are fetched
        on entry (a source that cannot be fetched raises MetadataError naming it, and cleans up).
        """
        lines = parse_sources_lines(sources, product)
        if not lines:
            yield self
            return
        parent = self._host_path(PRIVATE_SOURCES_PARENT)
        created = first_missing_ancestor(parent)      # removed again afterwards (check mode writes nothing)
        if created:
            os.makedirs(parent, 0o755)
        private = tempfile.mkdtemp(prefix='apt-sources.', dir=parent)
        inside = '/' + os.path.relpath(private, self.root)
        saved = dict(self._extra_options)
        try:
            os.chmod(private, 0o755)
            os.makedirs(os.path.join(private, 'sources.list.d'))
            os.makedirs(os.path.join(private, 'lists', 'partial'))
            with open(os.path.join(private, 'sources.list'), 'w') as handle:
                handle.write('\n'.join(lines) + '\n')
            self._extra_options.update({
                'Dir::Etc::sourcelist': inside + '/sources.list',
                'Dir::Etc::sourceparts': inside + '/sources.list.d',
                'Dir::State::lists': inside + '/lists/',
                # Private cache files: the node's pkgcache.bin must not describe our private lists
                # (an empty value would mean "no cache" to apt, but RootDir turns it into the root).
                'Dir::Cache::pkgcache': inside + '/pkgcache.bin',
                'Dir::Cache::srcpkgcache': inside + '/srcpkgcache.bin',
            })
            # The private lists start empty: fetch them now, whether or not the caller refreshes.
            self.refresh()
            yield self
        finally:
            self._extra_options = saved
            shutil.rmtree(private, ignore_errors=True)
            remove_empty_directories(parent, created)


def dpkg_problems(transaction, targets, status, apt_errors):
    """{'name.arch': what dpkg's status shows} for every package the run set out to change that it did not leave
    fully installed at the planned version (with apt's errors, when it gave some). Observations, not verdicts."""
    failed = {}
    wanted = [(item['name'], item['arch'], item['to_version']) for item in transaction if item['action'] != 'remove']
    planned = set((name, version) for name, _arch, version in wanted)
    wanted += [target for target in targets if (target[0], target[2]) not in planned]
    for name, arch, version in wanted:
        current = _status_of(status, name, arch)
        key = '%s.%s' % (name, arch)
        if current is None:
            failed[key] = 'not installed after the run%s' % (': ' + apt_errors if apt_errors else '')
            continue
        current_version, state = current
        if current_version == version and state in FULLY_INSTALLED_STATES:
            continue
        if current_version == version:
            failed[key] = ('dpkg left %s %s at %s: its maintainer script or a dependency failed%s'
                           % (name, state, version, ': ' + apt_errors if apt_errors else ''))
        else:
            failed[key] = ('still at %s (%s), wanted %s%s'
                           % (current_version, state, version, ': ' + apt_errors if apt_errors else ''))
    return failed


def _key(target):
    return '%s.%s' % (target[0], target[1])


def _status_of(status, name, arch):
    if (name, arch) in status:
        return status[(name, arch)]
    for (other, _arch), value in status.items():
        if other == name:
            return value
    return None


def _installed_time(info_dir, name, package_arch):
    """When dpkg last wrote the package's file list: its install/upgrade time (UTC)."""
    candidates = ['%s.list' % name, '%s:%s.list' % (name, package_arch)]
    for filename in candidates:
        try:
            mtime = os.stat(os.path.join(info_dir, filename)).st_mtime
        except OSError:
            continue
        return datetime.datetime.fromtimestamp(int(mtime), UTC)
    return None


def packages_to_read(cache, memo, status_path):
    """The packages of ``cache`` that can give a record when only security versions of packages that are
    not installed matter: those the dpkg status lists, and those a security source's index lists.

    The names come from the index files themselves (apt_pkg.TagFile, which reads apt's compressed
    lists too), each package once, in a fixed order; a name that is not in the cache for an
    architecture this node has is skipped, as a read of the whole cache would skip it.
    """
    native = apt_pkg.config.find('APT::Architecture')
    files = [status_path] + [package_file.filename for package_file in cache.file_list
                             if not package_file.not_source and (memo.origin(package_file) or (None, False))[1]]
    keys = set()
    for path in files:
        with apt_pkg.TagFile(path) as index:
            for section in index:
                arch = section.find('Architecture') or native
                keys.add((section.find('Package'), native if arch == 'all' else arch))
    packages = []
    for name, arch in sorted(keys):
        try:
            packages.append(cache['%s:%s' % (name, arch)])
        except KeyError:
            continue
    return packages


class _RecordMemo(object):
    """What the package files say about versions, computed once per file and per (file, priority, section)."""

    def __init__(self, source_list):
        self.source_list = source_list
        self.origins = {}             # package file id -> (repository, security) or None (dpkg status)
        self.records = {}             # (package file id, priority, section) -> record of a version in that file only

    def origin(self, package_file):
        file_id = package_file.id
        try:
            return self.origins[file_id]
        except KeyError:
            origin = self.origins[file_id] = _origin(package_file, self.source_list)
            return origin

    def version_record(self, version):
        """(repository, security, classification, priority, section) of ``version``; None when no source carries it.

        The repository is the first source's, or the first security source's when one is.
        """
        file_list = version.file_list
        if len(file_list) == 1:           # the usual case: one dictionary lookup
            key = (file_list[0][0].id, version.priority, version.section)
            try:
                return self.records[key]
            except KeyError:
                record = self.records[key] = self._record(file_list, key[1], key[2])
                return record
        return self._record(file_list, version.priority, version.section)

    def _record(self, file_list, priority, section):
        best = None
        for package_file, _index in file_list:
            origin = self.origin(package_file)
            if origin is not None and (best is None or (origin[1] and not best[1])):
                best = origin
        if best is None:
            return None
        repository, security = best
        return (repository, security, 'Security' if security else None, PRIORITY_NAMES.get(priority), section or None)


class _AptCandidate(Candidate):
    """A Candidate built without the generic keyword handling: apt has no advisories, severities or dates.

    Tens of thousands are built per read, so the constructor takes exactly what apt knows and
    the fields apt never has are class attributes (read-only, like every record's).
    """

    __slots__ = ()
    advisory_id = None
    severity = None
    release_date = None
    cve_ids = ()
    bugzilla_ids = ()

    def __init__(self, name, arch, version, record):
        # pylint: disable=super-init-not-called
        self.name = name
        self.arch = arch
        self.version = version
        self.repository, self.security, self.classification, self.priority, self.section = record


def _origin(package_file, source_list):
    """(repository, security) of one package file; None for the dpkg status file."""
    if package_file.not_source:       # the dpkg status file: installed, not available
        return None
    index_file = source_list.find_index(package_file)
    trusted = bool(index_file and index_file.is_trusted)
    security = is_security_origin(package_file.archive, package_file.codename, package_file.label, trusted)
    return (package_file.archive or package_file.codename or None, security)


def _find_package(cache, name, arch):
    for key in ('%s:%s' % (name, arch), name):
        try:
            return cache[key]
        except KeyError:
            continue
    raise BackendError('package %s (%s) is not known to apt' % (name, arch))


def _find_version(package, version):
    for candidate in package.version_list:
        if candidate.ver_str == version:
            return candidate
    raise BackendError('no repository offers %s version %s' % (package.name, version))
