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
import hashlib
import os
import shutil
import subprocess
import typing
import zlib

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


# What this machine's real bookworm indexes hold per stanza (measured 2026-11-25 with
# stanza_statistics() from /var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages
# (63,440 stanzas, snapshot 20250520), ..._bookworm-security_main_... (3,020) and /var/lib/dpkg/status
# (771 installed packages)). Fields: share of stanzas that have it, mean entries where present.
MEASURED_BOOKWORM = {
    'Packages': {'stanza_bytes': 789, 'Package_length': 17.1, 'Version_length': 10.4, 'Maintainer_length': 57.2,
                 'Description_length': 46.1, 'Description-md5': 1.0, 'MD5sum': 1.0, 'Homepage': 0.93, 'Source': 0.716,
                 'Tag': 0.478, 'Multi-Arch': 0.361, 'Built-Using': 0.043, 'Architecture_all': 0.49,
                 'Depends': (0.879, 4.99), 'Pre-Depends': (0.013, 1.15), 'Recommends': (0.156, 2.90),
                 'Suggests': (0.177, 2.33), 'Breaks': (0.084, 2.15), 'Conflicts': (0.050, 2.13),
                 'Replaces': (0.094, 1.84), 'Enhances': (0.023, 1.0), 'Provides': (0.152, 3.91),
                 'versioned_dependencies': 0.589, 'missing_dependency_names': 0.26},
    'security Packages': {'stanza_bytes': 836, 'Version_length': 17.8, 'Depends': (0.924, 6.95)},
    'status': {'stanza_bytes': 893, 'Description_length': 412, 'Conffiles': 0.10, 'Depends': (0.874, 3.71),
               'Provides': (0.127, 2.74), 'Multi-Arch': 0.829},
}
# There are no Translation-en files on this machine (Acquire::Languages "none", docker-no-languages):
# Packages carry the short Description and Description-md5 only, as written here.

RELATIONSHIP_FIELDS = ('Depends', 'Pre-Depends', 'Recommends', 'Suggests', 'Breaks', 'Conflicts', 'Replaces',
                       'Enhances', 'Provides')


def stanza_statistics(text):
    """Per-stanza averages of a Packages or dpkg status text (what MEASURED_BOOKWORM records).

    {'stanzas', 'stanza_bytes', 'Description_length', '<field>': share of stanzas,
    '<relationship field>': (share, mean entries where present), 'versioned_dependencies':
    share of Depends alternatives with a version}.
    """
    stanzas = [stanza for stanza in text.split('\n\n') if stanza.strip()]
    count = max(len(stanzas), 1)
    present, entries, description = {}, {}, 0
    alternatives = versioned = 0
    for stanza in stanzas:
        for line in stanza.split('\n'):
            if line[:1] in (' ', '\t') or ':' not in line:
                continue
            key, value = line.split(':', 1)
            present[key] = present.get(key, 0) + 1
            if key in RELATIONSHIP_FIELDS:
                parts = value.split(',')
                entries[key] = entries.get(key, 0) + len(parts)
                if key == 'Depends':
                    for part in value.replace('|', ',').split(','):
                        alternatives += 1
                        versioned += '(' in part
            elif key == 'Description':
                description += len(value.strip())
        if '\nDescription:' in stanza:
            start = stanza.index('\nDescription:')
            long_lines = stanza[start + 1:].split('\n')[1:]
            description += sum(len(line) + 1 for line in long_lines if line[:1] == ' ' and not line.startswith(' /'))
    statistics = {'stanzas': len(stanzas), 'stanza_bytes': sum(len(stanza) + 2 for stanza in stanzas) / count,
                  'Description_length': description / count,
                  'versioned_dependencies': versioned / max(alternatives, 1)}
    for key, number in present.items():
        statistics[key] = (number / count, entries[key] / number) if key in RELATIONSHIP_FIELDS else number / count
    return statistics


def _stanza(fields):
    return ''.join('%s: %s\n' % item for item in fields if item[1] is not None) + '\n'


NAME_PREFIXES = ('lib', 'python3-', 'golang-', 'node-', 'librust-', 'r-cran-', 'libghc-', 'fonts-', '')
NAME_SUFFIXES = ('-dev', '-doc', '-common', '-data', '-utils', '', '-perl', '-tools', '-bin', '-plugins', '-java',
                 '-l10n', '1', '-runtime', '6', '-examples')
MAINTAINERS = (
    'Debian Python Team <team+python@tracker.debian.org>',
    'Debian Haskell Group <pkg-haskell-maintainers@lists.alioth.debian.org>',
    'Debian Perl Group <pkg-perl-maintainers@lists.alioth.debian.org>',
    'Debian Rust Maintainers <pkg-rust-maintainers@alioth-lists.debian.net>',
    'Debian Javascript Maintainers <pkg-javascript-devel@lists.alioth.debian.org>',
    'Debian R Packages Maintainers <r-pkg-team@alioth-lists.debian.net>',
    'Debian Go Packaging Team <team+pkg-go@tracker.debian.org>',
    'Jane Maintainer <jane.maintainer@example.org>',
)
SECTIONS = ('libs', 'libdevel', 'python', 'doc', 'perl', 'devel', 'utils', 'haskell', 'golang', 'rust', 'net',
            'javascript', 'admin', 'misc', 'science', 'text', 'x11', 'graphics', 'gnu-r', 'fonts', 'web', 'sound')
TAGS = ('devel::library, implemented-in::c, role::devel-lib',
        'implemented-in::python, role::shared-lib, devel::lang:python',
        'admin::configuring, interface::commandline, role::program, scope::utility',
        'role::documentation, made-of::html')
BUILT_USING = 'rustc (= 1.63.0+dfsg1-2), golang-1.19 (= 1.19.8-2), gcc-12 (= 12.2.0-14), glibc (= 2.36-9+deb12u4)'


class _SyntheticArchive(object):
    """Deterministic control fields, sized like MEASURED_BOOKWORM, for ``count`` packages."""

    def __init__(self, count, architecture, seed=2026):
        import random  # pylint: disable=import-outside-toplevel
        self.count = count
        self.architecture = architecture
        self.random = random.Random(seed)
        self.names = [self._name(index) for index in range(count)]
        self.versions = [self._version() for _index in range(count)]

    def _name(self, index):
        return '%spkg%05d%s' % (NAME_PREFIXES[index % len(NAME_PREFIXES)], index,
                                NAME_SUFFIXES[(index // len(NAME_PREFIXES)) % len(NAME_SUFFIXES)])

    def source(self, index):
        return '%spkg%05d' % (NAME_PREFIXES[index % len(NAME_PREFIXES)], index)

    def _version(self):
        rng = self.random.random
        upstream = '%d.%d.%d' % (int(rng() * 5), int(rng() * 40), int(rng() * 12))
        version = '%s%s-%d' % (upstream, '+dfsg' if rng() < 0.2 else '', 1 + int(rng() * 4))
        return '1:' + version if rng() < 0.064 else version

    def _count(self, mean):
        return self.random.randint(1, max(1, int(round(2 * mean - 1))))

    def _relation(self, mean, versioned, operator='>='):
        rng = self.random.random
        parts = []
        for _entry in range(self._count(mean)):
            pick = rng()
            if pick < 0.08:
                target, version = 'virtual-%04d' % int(rng() * 4000), None
            elif pick < 0.13:
                target, version = 'missing-%05d' % int(rng() * 20000), None
            else:
                other = int(rng() * self.count)
                target, version = self.names[other], self.versions[other]
            part = target + (' (%s %s)' % (operator, version) if version and rng() < versioned else '')
            if rng() < 0.026:
                part += ' | ' + self.names[int(rng() * self.count)]
            parts.append(part)
        return ', '.join(parts)

    def _maybe(self, share, mean, versioned, operator='>='):
        return self._relation(mean, versioned, operator) if self.random.random() < share else None

    def control(self, index):
        """The fields a package carries in both the index and dpkg's status (apt matches versions on them)."""
        rng = self.random.random
        name = self.names[index]
        arch = 'all' if index % 100 < 49 else self.architecture
        multi_arch = rng()
        provides = None
        if rng() < 0.152:
            provides = ', '.join('virtual-%04d%s' % (int(rng() * 4000), ' (= %s)' % self.versions[index] if rng() < 0.77 else '')
                                 for _entry in range(self._count(3.91)))
        return {
            'Package': name, 'Architecture': arch,
            'Source': self.source(index) if rng() < 0.716 else None,
            'Installed-Size': str(10 + int(rng() * 990)),
            'Maintainer': MAINTAINERS[index % len(MAINTAINERS)],
            'Multi-Arch': (('same' if arch != 'all' else 'foreign') if multi_arch < 0.18 else 'foreign'
                           if multi_arch < 0.356 else 'allowed' if multi_arch < 0.361 else None),
            'Provides': provides,
            'Depends': self._maybe(0.879, 4.99, 0.66),
            'Pre-Depends': self._maybe(0.013, 1.15, 0.897),
            'Recommends': self._maybe(0.156, 2.90, 0.10),
            'Suggests': self._maybe(0.177, 2.33, 0.08),
            'Breaks': self._maybe(0.084, 2.15, 0.893, '<<'),
            'Conflicts': self._maybe(0.050, 2.13, 0.157, '<<'),
            'Replaces': self._maybe(0.094, 1.84, 0.688, '<<'),
            'Enhances': self._maybe(0.023, 1.0, 0.03),
            'Built-Using': BUILT_USING if rng() < 0.043 else None,
            'Homepage': 'https://example.org/%s' % name if rng() < 0.93 else None,
            'Tag': TAGS[index % len(TAGS)] if rng() < 0.478 else None,
            'Section': SECTIONS[int(rng() * rng() * len(SECTIONS))],
            'Priority': 'optional' if index % 200 else ('required', 'important', 'standard', 'extra')[index // 200 % 4],
        }

    def index_stanza(self, fields, version, suite, main_suite):
        name, arch = fields['Package'], fields['Architecture']
        source = fields['Source'] or name
        return _stanza([
            ('Package', name), ('Source', fields['Source']), ('Version', version),
            ('Installed-Size', fields['Installed-Size']), ('Maintainer', fields['Maintainer']), ('Architecture', arch),
            ('Multi-Arch', fields['Multi-Arch']), ('Provides', fields['Provides']), ('Depends', fields['Depends']),
            ('Pre-Depends', fields['Pre-Depends']), ('Recommends', fields['Recommends']),
            ('Suggests', fields['Suggests']), ('Breaks', fields['Breaks']), ('Conflicts', fields['Conflicts']),
            ('Replaces', fields['Replaces']), ('Enhances', fields['Enhances']), ('Built-Using', fields['Built-Using']),
            ('Description', 'synthetic %s package %s' % (fields['Section'], name)),
            ('Homepage', fields['Homepage']), ('Description-md5', _md5(name)),
            ('Tag', fields['Tag'] if suite == main_suite else None), ('Section', fields['Section']),
            ('Priority', fields['Priority']),
            ('Filename', 'pool/main/%s/%s/%s_%s_%s.deb' % (source[:1], source, name, version.split(':')[-1], arch)),
            ('Size', str(1000 + hash_of(name) % 400000)),
            ('MD5sum', _md5(version + name) if suite == main_suite else None),
            ('SHA256', hashlib.sha256((name + version).encode()).hexdigest()),
        ])

    def status_stanza(self, fields, version):
        name = fields['Package']
        conffiles = None
        if hash_of(name) % 10 == 0:
            conffiles = ''.join('\n /etc/%s/%s %s' % (name, conf, _md5(name + conf))
                                for conf in ('main.conf', 'defaults', 'logrotate.conf'))
        long_description = ''.join('\n %s' % line for line in (
            'A synthetic package of the benchmark, written to look like a Debian package on disk.',
            'Its long description is as long as the average dpkg status entry of a real',
            'bookworm system: several lines of prose describing the package and its use,',
            '.',
            'This package provides the %s part of the synthetic %s suite.' % (name, fields['Section'])))
        return _stanza([
            ('Package', name), ('Status', 'install ok installed'), ('Priority', fields['Priority']),
            ('Section', fields['Section']), ('Installed-Size', fields['Installed-Size']),
            ('Maintainer', fields['Maintainer']), ('Architecture', fields['Architecture']),
            ('Multi-Arch', fields['Multi-Arch']), ('Source', fields['Source']), ('Version', version),
            ('Replaces', fields['Replaces']), ('Provides', fields['Provides']), ('Depends', fields['Depends']),
            ('Pre-Depends', fields['Pre-Depends']), ('Recommends', fields['Recommends']),
            ('Suggests', fields['Suggests']), ('Breaks', fields['Breaks']), ('Conflicts', fields['Conflicts']),
            ('Enhances', fields['Enhances']), ('Conffiles', conffiles),
            ('Description', 'synthetic %s package %s%s' % (fields['Section'], name, long_description)),
            ('Homepage', fields['Homepage']),
        ])


def hash_of(text):
    """A stable number for a string (zlib's CRC-32; Python's hash() of a str changes per process)."""
    return zlib.crc32(text.encode())


def _md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def update_version(version):
    """The version a stable update gives a package (Debian's +deb12uN convention)."""
    return version + '+deb12u1'


def write_synthetic_apt_root(root, repo_dir, available_count=60000, installed_count=3000, updated_count=300,
                             security_every=3, not_installed_security_count=500, codename='bookworm'):
    """Fill ``root`` with a Debian-sized synthetic package universe (no .deb files: reading only).

    ``available_count`` distinct packages in suite ``<codename>`` whose stanzas are the size
    and shape of real bookworm ones (MEASURED_BOOKWORM: relationship fields, versions,
    descriptions, checksums; about half ``Architecture: all``); ``installed_count`` of them,
    spread evenly, are installed (dpkg status stanzas like a real system's: long
    descriptions, conffiles). The first ``updated_count`` installed packages have an update
    ``<version>+deb12u1``: every ``security_every``-th in ``<codename>-security``, the others
    in ``<codename>-updates``. The first ``not_installed_security_count`` packages that are
    not installed have such an update in ``<codename>-security`` too (security updates for
    software the node does not have). Writes ``<root>/etc/apt/sources.list``, the lists
    apt-get update would fetch (uncompressed, no Translation files), ``<root>/etc/os-release``
    (Debian 12) and dpkg's status and file lists, so apt can read the root at once without
    any apt binaries inside it. Returns the DebRepository.
    """
    architecture = host_architecture()
    archive = _SyntheticArchive(available_count, architecture)
    repo_path = os.path.abspath(repo_dir)
    security_suite, updates_suite = codename + '-security', codename + '-updates'
    suite_stanzas = {codename: [], updates_suite: [], security_suite: []}
    step = max(available_count // max(installed_count, 1), 1)
    installed = set(range(0, step * installed_count, step)) if installed_count else set()
    status_stanzas, installed_names = [], []
    updated = not_installed_updated = 0
    for index in range(available_count):
        fields = archive.control(index)
        version = archive.versions[index]
        suite_stanzas[codename].append(archive.index_stanza(fields, version, codename, codename))
        if index in installed:
            installed_names.append(fields['Package'])
            status_stanzas.append(archive.status_stanza(fields, version))
            if updated < updated_count:
                updated += 1
                suite = security_suite if updated % security_every == 0 else updates_suite
                suite_stanzas[suite].append(archive.index_stanza(fields, update_version(version), suite, codename))
        elif not_installed_updated < not_installed_security_count:
            not_installed_updated += 1
            suite_stanzas[security_suite].append(
                archive.index_stanza(fields, update_version(version), security_suite, codename))
    dpkg_dir = os.path.join(root, 'var/lib/dpkg')
    os.makedirs(os.path.join(dpkg_dir, 'info'), exist_ok=True)
    for name in installed_names:
        # dpkg keeps a file list per installed package; its mtime is the install time.
        with open(os.path.join(dpkg_dir, 'info', '%s.list' % name), 'w') as handle:
            handle.write('/.\n')
    with open(os.path.join(dpkg_dir, 'status'), 'w') as handle:
        handle.write(''.join(status_stanzas))
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
