# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end fixtures: the real module run through `ansible` against generated repositories.

One package scenario is rendered for apt (a Debian root with main / -updates / -security
suites), dnf (an rpm root and an rpm-md repository with updateinfo) and zypper (the same
repository, read as zypper patches). Repositories are built once per test module; each
test gets a fresh root with the "before" packages installed.

The module runs as a user runs it: `.venv/bin/ansible localhost -m
fleetops.patch_manager.run_patch_baseline`, inside `unshare -m` with a per-node file
bind-mounted on /proc/sys/kernel/random/boot_id, so a test can "boot" a node by
changing that file.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess

import pytest

from tests.support import debrepo, rpmrepo, rpmroot
from tests.support.specs import AdvisorySpec, PackageSpec

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ANSIBLE = os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible')
MODULE = 'fleetops.patch_manager.run_patch_baseline'
FAMILIES = ('apt', 'dnf', 'zypper')
OPERATING_SYSTEM = {'apt': 'DEBIAN', 'dnf': 'REDHAT_ENTERPRISE_LINUX', 'zypper': 'SUSE'}
REPO_IN_ROOT = '/srv/fleetops-module-repo'
BOOT_ID_FILE = 'fleetops-test-boot-id'


def spec(name, version, **kwargs):
    return PackageSpec(name=name, version=version, **kwargs)


# The scenario. "before" = installed at the start of every test.
#   alpha    1.0 -> 1.1 security (Important)                 MISSING, then INSTALLED
#   bravo    1.0 -> 1.1 non-security                          INSTALLED_OTHER unless non-security is enabled
#   charlie  1.0, no update
#   delta    1.0 -> 1.1 security (Moderate)                   the package the rejection tests reject
#   foxtrot  1.0 -> 1.1 security, 1.1 needs the new package golf (BLOCK through a dependency)
#   golf     1.0 available only, not installed
#   hotel    1.0 security, not installed                      NOT_APPLICABLE
#   india    1.0 -> 1.1 security, released 2026-03-01 (the date-rule tests)
BEFORE = (spec('alpha', '1.0'), spec('bravo', '1.0'), spec('charlie', '1.0'), spec('delta', '1.0'),
          spec('foxtrot', '1.0'), spec('india', '1.0'))
MAIN_ONLY = (spec('golf', '1.0'),)
NON_SECURITY = (spec('bravo', '1.1'),)
SECURITY = (spec('alpha', '1.1'), spec('delta', '1.1'), spec('foxtrot', '1.1', depends=('golf',)),
            spec('hotel', '1.0'), spec('india', '1.1'))
ADVISORIES = (
    AdvisorySpec('FLEET-2026:0001', severity='Important', issued='2026-01-01 00:00:00',
                 cves=('CVE-2026-0001',), packages=(('alpha', '0:1.1-1'),), title='alpha security update'),
    AdvisorySpec('FLEET-2026:0002', severity='Moderate', issued='2026-01-01 00:00:00',
                 packages=(('delta', '0:1.1-1'),), title='delta security update'),
    AdvisorySpec('FLEET-2026:0004', severity='Important', issued='2026-01-01 00:00:00',
                 packages=(('foxtrot', '0:1.1-1'),), title='foxtrot security update'),
    AdvisorySpec('FLEET-2026:0005', severity='Important', issued='2026-01-01 00:00:00',
                 packages=(('hotel', '0:1.0-1'),), title='hotel security update'),
    AdvisorySpec('FLEET-2026:0006', severity='Important', issued='2026-03-01 00:00:00',
                 packages=(('india', '0:1.1-1'),), title='india security update'),
)
# A package whose update cannot be applied on any family: its maintainer script fails (apt)
# or it needs a package no repository has (rpm). Only used by the FAILED tests.
BROKEN_BEFORE = (spec('echo', '1.0'),)
BROKEN_DEB = (spec('echo', '1.1', postinst_fails=True),)
BROKEN_RPM = (spec('echo', '1.1', depends=('fleetops-no-such-package',)),)
BROKEN_ADVISORY = AdvisorySpec('FLEET-2026:0003', severity='Important', issued='2026-01-01 00:00:00',
                               packages=(('echo', '0:1.1-1'),), title='echo security update')

# Baselines approving every security update of the family, immediately; the tests derive from these.
ALL_SECURITY = {
    'apt': {'name': 'all-security', 'operating_system': 'DEBIAN', 'approval_rules': {'patch_rules': [
        {'patch_filter_group': {'patch_filters': [
            {'key': 'PRIORITY', 'values': ['Required', 'Important', 'Standard', 'Optional', 'Extra']}]}}]}},
    'dnf': {'name': 'all-security', 'operating_system': 'REDHAT_ENTERPRISE_LINUX', 'approval_rules': {'patch_rules': [
        {'patch_filter_group': {'patch_filters': [{'key': 'CLASSIFICATION', 'values': ['Security']}]},
         'approve_after_days': 0}]}},
    'zypper': {'name': 'all-security', 'operating_system': 'SUSE', 'approval_rules': {'patch_rules': [
        {'patch_filter_group': {'patch_filters': [{'key': 'CLASSIFICATION', 'values': ['Security']}]},
         'approve_after_days': 0}]}},
}


def require_root():
    if os.geteuid() != 0:
        pytest.skip('needs root: mounts roots and runs package managers in them')


@pytest.fixture(scope='module')
def deb_repository(tmp_path_factory):
    require_root()
    directory = tmp_path_factory.mktemp('debrepo')
    return debrepo.build_repository(str(directory), BEFORE + MAIN_ONLY + BROKEN_BEFORE,
                                    security=SECURITY + BROKEN_DEB, updates=NON_SECURITY)


@pytest.fixture(scope='module')
def rpm_repository(tmp_path_factory):
    require_root()
    directory = tmp_path_factory.mktemp('rpmrepo')
    packages = BEFORE + MAIN_ONLY + NON_SECURITY + SECURITY + BROKEN_BEFORE + BROKEN_RPM
    return rpmrepo.build_repository(str(directory / 'repo'), packages, ADVISORIES + (BROKEN_ADVISORY,),
                                    name='fleetops-module')


def parse_result(completed):
    """The result dict that `ansible` prints as ``localhost | STATUS => {json}``.

    The printed result omits ``failed``: it is set from STATUS. ansible prints the
    module's warnings on stderr: they are added as ``printed_warnings`` (the text).
    """
    start = completed.stdout.find('\nlocalhost | ')
    header, sep, rest = completed.stdout[start + 1:].partition(' => ')
    if sep and header.startswith('localhost | '):
        try:
            result, dummy = json.JSONDecoder().raw_decode(rest.strip())
        except ValueError:
            result = None
        if isinstance(result, dict):
            result['failed'] = header.split('|', 1)[1].strip().startswith(('FAILED', 'UNREACHABLE'))
            result['printed_warnings'] = ' '.join(completed.stderr.split())
            return result
    raise AssertionError('ansible printed no result (rc %d):\n%s\n%s'
                         % (completed.returncode, completed.stdout, completed.stderr))


class Node(object):
    """One test system under ``root`` with its own boot id; runs the module against it."""

    def __init__(self, family, root, workdir):
        self.family = family
        self.root = root
        self.operating_system = OPERATING_SYSTEM[family]
        self.boot_id_path = os.path.join(workdir, BOOT_ID_FILE)
        self.snapshot_dir = os.path.join(workdir, 'snapshots')
        self.boot()

    def boot(self):
        """Simulate a reboot: the node gets a new boot id."""
        with open('/proc/sys/kernel/random/uuid') as source, open(self.boot_id_path, 'w') as target:
            target.write(source.read())

    def run(self, check=False, timeout=None, **args):
        """Run the module once; return its result dict (``failed`` set on failure).

        ``timeout`` (seconds) only guards against a hang: the run is killed and the test fails.
        """
        args.setdefault('root', self.root)
        argv = [ANSIBLE, 'localhost', '-m', MODULE, '-a', json.dumps(args)]
        if check:
            argv.append('--check')
        mount_and_run = 'mount --bind "$0" /proc/sys/kernel/random/boot_id && exec "$@"'
        # Snapshots (snapshot_id) are frozen on the controller: keep them in the test's directory.
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_NOCOLOR='1',
                   FLEETOPS_PATCH_SNAPSHOT_DIR=self.snapshot_dir)
        command = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', mount_and_run, self.boot_id_path] + argv
        # A session of its own, so that a hang guard can stop every process of the run.
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   universal_newlines=True, start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise AssertionError('the module run did not finish within %s seconds: %s' % (timeout, ' '.join(argv[:4])))
        completed = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
        return parse_result(completed)

    def installed(self):
        """{name: version} as the package database itself says (dpkg-query / rpm -qa)."""
        if self.family == 'apt':
            output = subprocess.run(['dpkg-query', '--admindir=%s/var/lib/dpkg' % self.root, '-W',
                                     '-f=${Package} ${Version} ${db:Status-Status}\n'],
                                    stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
            return dict(line.split()[:2] for line in output.splitlines() if line.endswith(' installed'))
        return rpmroot.installed(self.root)

    def database_digest(self):
        """A digest of the package database files: byte-identical means untouched."""
        if self.family == 'apt':
            paths = [os.path.join(self.root, 'var/lib/dpkg/status')]
        else:
            dbdir = os.path.join(self.root, rpmroot.rpm_dbpath().lstrip('/'))
            # sqlite's -shm file is a shared-memory index that every reader rewrites; the data is in the rest.
            paths = sorted(os.path.join(dbdir, name) for name in os.listdir(dbdir) if not name.endswith('-shm'))
        digest = hashlib.sha256()
        for path in paths:
            if os.path.isfile(path):
                with open(path, 'rb') as handle:
                    digest.update(handle.read())
        return digest.hexdigest()

    # ---- package lists (repository metadata)

    METADATA = {'apt': 'var/lib/apt/lists', 'dnf': 'var/cache/dnf', 'zypper': 'var/cache/zypp'}
    UNREACHABLE = 'http://127.0.0.1:9/fleetops-unreachable'

    def metadata_digest(self):
        """A digest of the node's repository metadata (names, sizes, contents, mtimes): equal means untouched."""
        digest = hashlib.sha256()
        top = os.path.join(self.root, self.METADATA[self.family])
        for directory, subdirectories, files in os.walk(top):
            subdirectories.sort()
            for name in sorted(files):
                path = os.path.join(directory, name)
                status = os.lstat(path)
                digest.update(('%s %d %d\n' % (os.path.relpath(path, top), status.st_size, status.st_mtime_ns)).encode())
        return digest.hexdigest()

    def forget_metadata(self):
        """The node as if its package lists had never been fetched."""
        top = os.path.join(self.root, self.METADATA[self.family])
        if self.family == 'apt':
            for name in os.listdir(top):
                path = os.path.join(top, name)
                if name not in ('lock', 'partial'):
                    if os.path.isdir(path):
                        shutil.rmtree(path)
                    else:
                        os.unlink(path)
            for name in ('pkgcache.bin', 'srcpkgcache.bin'):
                if os.path.exists(os.path.join(self.root, 'var/cache/apt', name)):
                    os.unlink(os.path.join(self.root, 'var/cache/apt', name))
        else:
            shutil.rmtree(top, ignore_errors=True)

    def add_unreachable_repository(self, skip_if_unavailable=False):
        """A repository nobody serves (connection refused), next to the node's own."""
        if self.family == 'apt':
            with open(os.path.join(self.root, 'etc/apt/sources.list.d/unreachable.list'), 'w') as handle:
                handle.write('deb [trusted=yes] %s bookworm main\n' % self.UNREACHABLE)
            return self.UNREACHABLE
        directory = os.path.join(self.root, 'etc/yum.repos.d' if self.family == 'dnf' else 'etc/zypp/repos.d')
        with open(os.path.join(directory, 'unreachable.repo'), 'w') as handle:
            handle.write('[unreachable]\nname=unreachable\nbaseurl=%s\nenabled=1\ngpgcheck=0\n%s'
                         % (self.UNREACHABLE, 'skip_if_unavailable=1\n' if skip_if_unavailable else ''))
        return 'unreachable'

    def install_local(self, spec, workdir):
        """Install ``spec`` from a package file no repository carries (as a removed PPA or old point release leaves it)."""
        if self.family == 'apt':
            path = debrepo.build_deb(spec, workdir)
            os.makedirs(os.path.join(self.root, 'tmp'), exist_ok=True)
            shutil.copy(path, os.path.join(self.root, 'tmp', os.path.basename(path)))
            subprocess.run(['chroot', self.root, 'dpkg', '-i', '/tmp/' + os.path.basename(path)], check=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        else:
            rpmroot.install_with_rpm(self.root, [rpmrepo.build_rpms([spec])[spec]])

    def version(self, name):
        """The installed version of ``name`` in the family's patch-report form."""
        return self.installed().get(name)


def expected_version(family, version):
    """'1.1' -> what the module reports: apt '1.1-1', rpm '0:1.1-1'."""
    return '%s-1' % version if family == 'apt' else '0:%s-1' % version


def _apt_node(root, workdir, repository, broken):
    target = root + REPO_IN_ROOT
    os.makedirs(target, exist_ok=True)
    subprocess.run(['mount', '--bind', '-o', 'ro', repository.path, target], check=True)
    # copy: rather than file: -- apt links file: indexes into its lists by absolute path, which only
    # resolves inside the chroot; the module reads the lists from outside it.
    with open(os.path.join(root, 'etc/apt/sources.list'), 'w') as handle:
        handle.write(repository.sources_list('copy://' + REPO_IN_ROOT))
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(['chroot', root, 'apt-get', 'update', '-q'], env=env, check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    specs = BEFORE + (BROKEN_BEFORE if broken else ())
    subprocess.run(['chroot', root, 'apt-get', 'install', '-y', '-q', '--no-install-recommends']
                   + ['%s=%s' % (item.name, item.deb_version) for item in specs],
                   env=env, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return Node('apt', root, workdir)


SUSE_OS_RELEASE = ('NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\n'
                   'ID="sles"\nID_LIKE="suse"\nCPE_NAME="cpe:/o:suse:sles:15:sp5"\n')


def _rpm_node(family, root, workdir, repository, broken):
    rpmroot.create_root(root)
    if family == 'dnf':
        repository.write_repo_file(os.path.join(root, 'etc/yum.repos.d'))
    else:
        with open(os.path.join(root, 'etc/os-release'), 'w') as handle:
            handle.write(SUSE_OS_RELEASE)
        reposd = os.path.join(root, 'etc/zypp/repos.d')
        os.makedirs(reposd, exist_ok=True)
        with open(os.path.join(reposd, '%s.repo' % repository.name), 'w') as handle:
            handle.write(repository.repo_stanza() + 'type=rpm-md\nautorefresh=1\n')
    specs = BEFORE + (BROKEN_BEFORE if broken else ())
    rpmroot.install_with_rpm(root, [repository.rpm_path(item) for item in specs])
    # the node's metadata fetched once, as on a real host (the apt node runs apt-get update)
    if family == 'dnf':
        subprocess.run(rpmroot.dnf_argv(root, 'makecache'), check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    else:
        subprocess.run(['zypper', '--root', root, '--non-interactive', 'refresh'], env=dict(os.environ, LANG='C'),
                       check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return Node(family, root, workdir)


@pytest.fixture(params=FAMILIES)
def family(request):
    return request.param


@pytest.fixture
def make_node(family, request, tmp_path):
    """Factory: a fresh node of ``family`` with the "before" packages (``broken=True`` adds echo)."""
    require_root()

    def make(broken=False):
        workdir = str(tmp_path)
        if family == 'apt':
            root = request.getfixturevalue('overlay')
            return _apt_node(root, workdir, request.getfixturevalue('deb_repository'), broken)
        root = os.path.join(workdir, 'root')
        return _rpm_node(family, root, workdir, request.getfixturevalue('rpm_repository'), broken)
    return make


@pytest.fixture
def node(make_node):
    return make_node()


def by_name(result):
    """{package name: patch record} of a module result."""
    return dict((patch['name'], patch) for patch in result.get('patches', []))


def states(result, *names):
    """{name: state} for ``names`` (None when the package is not reported)."""
    patches = by_name(result)
    return dict((name, patches[name]['state'] if name in patches else None) for name in names)


def baseline(family, **changes):
    """The family's all-security baseline with top-level fields replaced."""
    result = json.loads(json.dumps(ALL_SECURITY[family]))
    result.update(changes)
    return result


def rule(family, **changes):
    """The family's single approval rule with fields replaced, as a patch_rules list."""
    rules = json.loads(json.dumps(ALL_SECURITY[family]['approval_rules']['patch_rules']))
    rules[0].update(changes)
    return {'patch_rules': rules}


def has_tools(*tools):
    return all(shutil.which(tool) for tool in tools)
