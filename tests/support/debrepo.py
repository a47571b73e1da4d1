# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real Debian repositories generated from ``specs.PackageSpec`` lists.

``build_repository(directory, main, security=..., updates=...)`` writes real .deb files
(dpkg-deb) and a repository whose suites look like Debian's: ``<codename>`` (label
Debian), ``<codename>-security`` (label Debian-Security) and optionally
``<codename>-updates``. It is unsigned; ``sources_list()`` emits ``[trusted=yes]`` lines.
The same tree can be served over file:// (``repo.uri``) or HTTP (pass the base URI).

``write_synthetic_apt_root(...)`` is the benchmark fast path: a dpkg status file and a
Packages index for thousands of packages, without building any .deb.
"""

import dataclasses
import gzip
import os
import shutil
import subprocess
import typing

MAINTAINER = 'fleetops test suite <tests@fleetops.invalid>'
COMPONENT = 'main'


def host_architecture():
    return subprocess.run(['dpkg', '--print-architecture'], check=True, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout.strip()


def control_text(spec):
    """The DEBIAN/control of one package version."""
    lines = [
        'Package: %s' % spec.name,
        'Version: %s' % spec.deb_version,
        'Architecture: all',
        'Maintainer: %s' % MAINTAINER,
        'Priority: %s' % spec.priority,
        'Section: %s' % spec.section,
    ]
    if spec.depends:
        lines.append('Depends: %s' % ', '.join(spec.depends))
    lines.append('Description: %s' % (spec.summary or 'fleetops test package %s' % spec.name))
    return '\n'.join(lines) + '\n'


def postinst_text(spec):
    """A postinst that succeeds, or fails on purpose when the spec says so."""
    if spec.postinst_fails:
        return ('#!/bin/sh\necho "fleetops test: postinst of %s %s fails on purpose" >&2\nexit 1\n'
                % (spec.name, spec.deb_version))
    return '#!/bin/sh\nset -e\nexit 0\n'


def build_deb(spec, output_dir):
    """Build ``<name>_<version>_all.deb`` in ``output_dir``; return its path.

    The payload is ``/usr/share/fleetops-test/<name>/version`` (the version, so a test can
    see what is really installed) and a ``payload`` file of ``size_kib`` KiB.
    """
    file_version = spec.deb_version.replace(':', '%3a')
    deb_path = os.path.join(output_dir, '%s_%s_all.deb' % (spec.name, file_version))
    tree = deb_path + '.tree'
    share = os.path.join(tree, 'usr/share/fleetops-test', spec.name)
    os.makedirs(os.path.join(tree, 'DEBIAN'))
    os.makedirs(share)
    with open(os.path.join(tree, 'DEBIAN/control'), 'w') as handle:
        handle.write(control_text(spec))
    postinst = os.path.join(tree, 'DEBIAN/postinst')
    with open(postinst, 'w') as handle:
        handle.write(postinst_text(spec))
    os.chmod(postinst, 0o755)
    with open(os.path.join(share, 'version'), 'w') as handle:
        handle.write(spec.deb_version + '\n')
    with open(os.path.join(share, 'payload'), 'wb') as handle:
        handle.write(os.urandom(1024) * spec.size_kib)
    # Uncompressed data keeps the build fast and the size_kib honest on disk.
    subprocess.run(['dpkg-deb', '--root-owner-group', '-Znone', '--build', tree, deb_path], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(['rm', '-rf', tree], check=True)
    return deb_path


@dataclasses.dataclass
class DebRepository:
    """A generated repository: ``path`` on disk, its suites and how to point apt at it."""

    path: str
    codename: str
    suites: typing.Tuple[str, ...]

    @property
    def uri(self):
        return 'file://' + self.path

    def sources_list(self, base_uri=None):
        """sources.list lines for every suite, at ``base_uri`` (default: file://)."""
        base = base_uri or self.uri
        return ''.join('deb [trusted=yes] %s %s %s\n' % (base, suite, COMPONENT) for suite in self.suites)


def _release_labels(suite):
    label = 'Debian-Security' if suite.endswith('-security') else 'Debian'
    return {'Origin': 'Debian', 'Label': label, 'Suite': suite, 'Codename': suite}


def _write_indexes(path, suite, architecture):
    """Packages (+ .gz) and Release for one suite, with apt-ftparchive."""
    binary_dir = os.path.join(path, 'dists', suite, COMPONENT, 'binary-%s' % architecture)
    os.makedirs(binary_dir, exist_ok=True)
    pool = os.path.join('pool', suite)
    packages = subprocess.run(['apt-ftparchive', 'packages', pool], cwd=path, check=True,
                              stdout=subprocess.PIPE).stdout
    _write_packages(binary_dir, packages)
    _write_release(path, suite, architecture)


def _write_packages(binary_dir, packages_bytes):
    with open(os.path.join(binary_dir, 'Packages'), 'wb') as handle:
        handle.write(packages_bytes)
    with gzip.open(os.path.join(binary_dir, 'Packages.gz'), 'wb', compresslevel=1) as handle:
        handle.write(packages_bytes)


def _write_release(path, suite, architecture):
    argv = ['apt-ftparchive']
    for key, value in _release_labels(suite).items():
        argv += ['-o', 'APT::FTPArchive::Release::%s=%s' % (key, value)]
    argv += ['-o', 'APT::FTPArchive::Release::Architectures=%s' % architecture,
             '-o', 'APT::FTPArchive::Release::Components=%s' % COMPONENT,
             'release', os.path.join('dists', suite)]
    release = subprocess.run(argv, cwd=path, check=True, stdout=subprocess.PIPE).stdout
    with open(os.path.join(path, 'dists', suite, 'Release'), 'wb') as handle:
        handle.write(release)


def build_repository(directory, main, security=(), updates=None, codename='bookworm'):
    """Render PackageSpec lists into a repository under ``directory``; return a DebRepository.

    ``main`` goes to suite ``<codename>``, ``security`` to ``<codename>-security``,
    ``updates`` (when not None) to ``<codename>-updates``. Every suite is always
    written, even when empty, so sources lines never point at a missing suite.
    """
    path = os.path.abspath(directory)
    architecture = host_architecture()
    suites = [(codename, main), (codename + '-security', security)]
    if updates is not None:
        suites.append((codename + '-updates', updates))
    for suite, specs in suites:
        pool = os.path.join(path, 'pool', suite)
        os.makedirs(pool, exist_ok=True)
        for spec in specs:
            build_deb(spec, pool)
        _write_indexes(path, suite, architecture)
    return DebRepository(path=path, codename=codename, suites=tuple(suite for suite, _specs in suites))


# --- benchmark fast path -------------------------------------------------------------------

APT_QUOTED_CHARACTERS = '\\|{}[]<>"^~_=!@#$%^&*'


def apt_list_file_name(path):
    """The lists/ file name apt gives a file: URI path (apt's URItoFileName: quote, then / -> _)."""
    quoted = ''.join('%%%02x' % ord(char) if char in APT_QUOTED_CHARACTERS or ord(char) <= 0x20 or ord(char) >= 0x7f
                     else char for char in path)
    return quoted.replace('/', '_')


def _stanza(fields):
    return ''.join('%s: %s\n' % item for item in fields) + '\n'


def write_synthetic_apt_root(root, repo_dir, available_count=60000, installed_count=3000, updated_count=300,
                             security_every=3, not_installed_security_count=500, codename='bookworm'):
    """Fill ``root`` with a Debian-sized synthetic package universe (no .deb files: reading only).

    ``available_count`` distinct packages ``pkgNNNNN`` at ``1.0-1`` in suite ``<codename>``
    (a third ``Architecture: all``, the rest the host architecture); ``installed_count``
    of them, spread evenly, are installed at ``1.0-1``. The first ``updated_count``
    installed packages have ``1.0-2``: every ``security_every``-th in
    ``<codename>-security``, the others in ``<codename>-updates``. The first
    ``not_installed_security_count`` packages that are not installed have ``1.0-2`` in
    ``<codename>-security`` too (security updates for software the node does not have).
    Writes ``<root>/etc/apt/sources.list``, the lists apt-get update would fetch,
    ``<root>/etc/os-release`` (Debian 12) and dpkg's status and file lists, so apt can
    read the root at once without any apt binaries inside it. Returns the DebRepository.
    """
    architecture = host_architecture()
    repo_path = os.path.abspath(repo_dir)
    security_suite, updates_suite = codename + '-security', codename + '-updates'
    suite_stanzas = {codename: [], updates_suite: [], security_suite: []}
    step = max(available_count // max(installed_count, 1), 1)
    installed = set(range(0, step * installed_count, step)) if installed_count else set()
    status_lines, installed_names = [], []
    updated = not_installed_updated = 0

    def synthetic_depends(index):
        # The same in dpkg's status as in the index: apt treats differing dependencies as another version.
        return 'pkg%05d (>= 1.0)' % ((index * 7) % available_count)

    def stanza(name, arch, version, suite, priority, section):
        return _stanza([
            ('Package', name), ('Version', version), ('Installed-Size', '120'), ('Maintainer', MAINTAINER),
            ('Architecture', arch), ('Depends', synthetic_depends(int(name[3:]))),
            ('Priority', priority), ('Section', section),
            ('Filename', 'pool/%s/%s_%s_%s.deb' % (suite, name, version, arch)),
            ('Size', '48210'), ('SHA256', '%064x' % int(name[3:])),
            ('Description', 'synthetic benchmark package %s' % name),
            ('Description-md5', '%032x' % int(name[3:])),
        ])

    for index in range(available_count):
        name = 'pkg%05d' % index
        arch = 'all' if index % 3 == 0 else architecture
        priority, section = ('important', 'admin') if index % 2 else ('optional', 'utils')
        suite_stanzas[codename].append(stanza(name, arch, '1.0-1', codename, priority, section))
        if index in installed:
            installed_names.append(name)
            status_lines.append(_stanza([
                ('Package', name), ('Status', 'install ok installed'), ('Priority', priority),
                ('Section', section), ('Installed-Size', '120'), ('Maintainer', MAINTAINER),
                ('Architecture', arch), ('Version', '1.0-1'), ('Depends', synthetic_depends(index)),
                ('Description', 'synthetic benchmark package %s' % name),
            ]))
            if updated < updated_count:
                updated += 1
                suite = security_suite if updated % security_every == 0 else updates_suite
                suite_stanzas[suite].append(stanza(name, arch, '1.0-2', suite, priority, section))
        elif not_installed_updated < not_installed_security_count:
            not_installed_updated += 1
            suite_stanzas[security_suite].append(stanza(name, arch, '1.0-2', security_suite, priority, section))
    dpkg_dir = os.path.join(root, 'var/lib/dpkg')
    os.makedirs(os.path.join(dpkg_dir, 'info'), exist_ok=True)
    for name in installed_names:
        # dpkg keeps a file list per installed package; its mtime is the install time.
        with open(os.path.join(dpkg_dir, 'info', '%s.list' % name), 'w') as handle:
            handle.write('/.\n')
    with open(os.path.join(dpkg_dir, 'status'), 'w') as handle:
        handle.write(''.join(status_lines))
    lists = os.path.join(root, 'var/lib/apt/lists')
    os.makedirs(lists, exist_ok=True)
    for suite, stanzas in suite_stanzas.items():
        binary_dir = os.path.join(repo_path, 'dists', suite, COMPONENT, 'binary-%s' % architecture)
        os.makedirs(binary_dir, exist_ok=True)
        _write_packages(binary_dir, ''.join(stanzas).encode())
        _write_release(repo_path, suite, architecture)
        # What apt-get update would leave in the lists directory (apt's URI-to-file-name mangling).
        prefix = os.path.join(lists, apt_list_file_name('%s/dists/%s' % (repo_path, suite)))
        shutil.copy(os.path.join(repo_path, 'dists', suite, 'Release'), prefix + '_Release')
        shutil.copy(os.path.join(binary_dir, 'Packages'),
                    '%s_%s_binary-%s_Packages' % (prefix, COMPONENT, architecture))
    repo = DebRepository(path=repo_path, codename=codename, suites=tuple(suite_stanzas))
    for sub in ('etc/apt/sources.list.d', 'etc/apt/apt.conf.d', 'etc/apt/preferences.d',
                'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial'):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    with open(os.path.join(root, 'etc/apt/sources.list'), 'w') as handle:
        handle.write(repo.sources_list())
    with open(os.path.join(root, 'etc/os-release'), 'w') as handle:
        handle.write('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
                     'VERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n')
    # No dpkg in this root, but apt reads dpkg's architecture tables from it.
    tables = os.path.join(root, 'usr/share/dpkg')
    os.makedirs(tables, exist_ok=True)
    for table in ('cputable', 'ostable', 'tupletable'):
        if os.path.exists(os.path.join('/usr/share/dpkg', table)):
            shutil.copy(os.path.join('/usr/share/dpkg', table), tables)
    with open(os.path.join(root, 'etc/apt/apt.conf.d/00architecture'), 'w') as handle:
        handle.write('APT::Architecture "%s";\nAPT::Architectures { "%s"; };\n' % (architecture, architecture))
    return repo
