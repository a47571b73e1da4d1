# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render ``specs.PackageSpec`` / ``AdvisorySpec`` lists into real rpm-md repositories.

``build_repository`` builds real noarch rpms with rpmbuild, indexes them with
createrepo_c and injects an ``updateinfo.xml`` with modifyrepo_c. The same repository
serves dnf (updateinfo notices) and zypper (which reads each notice as a patch).

Speed: rpm lets a subpackage carry its own Epoch/Version/Release, so every package
whose name is not yet in the batch goes into one spec and one rpmbuild call. Built rpms
are cached by a hash of their spec under ``$FLEETOPS_TEST_CACHE/rpms``.

``synthetic_repository`` writes repodata for thousands of packages without building
any rpm (benchmarks only; the packages cannot be installed).
"""

import dataclasses
import datetime
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import xml.sax.saxutils

CACHE_FORMAT = '1'   # bump when the rendering changes, so stale cached rpms are not reused
DEFAULT_BUILD_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
PAYLOAD_DIR = '/usr/share/fleetops-test'
_DEPEND_RE = re.compile(r'^\s*([^\s(]+)\s*(?:\(\s*(<<|>>|<=|>=|=|<|>)\s*([^\s)]+)\s*\))?\s*$')
_DEBIAN_TO_RPM_OPERATOR = {'<<': '<', '>>': '>', '<=': '<=', '>=': '>=', '=': '=', '<': '<', '>': '>'}


def cache_dir():
    """The directory where built artefacts are kept between test runs."""
    return os.environ.get('FLEETOPS_TEST_CACHE', '/var/cache/fleetops-patch-tests')


def split_evr(evr):
    """'E:V-R' (epoch optional) -> (epoch int, version, release)."""
    epoch, _sep, rest = evr.rpartition(':')
    version, _sep, release = rest.rpartition('-')
    if not version:
        raise ValueError('%r is not an E:V-R version' % evr)
    return int(epoch or 0), version, release


def rpm_filename(spec):
    """The file name rpmbuild gives the package (noarch; the epoch is not in it)."""
    return '%s-%s-%s.noarch.rpm' % (spec.name, spec.version, spec.release)


def rpm_requires(depend):
    """A PackageSpec dependency ('name' or 'name (>= 1.0-1)') as an rpm Requires value."""
    match = _DEPEND_RE.match(depend)
    if not match:
        raise ValueError('cannot read dependency %r; use "name" or "name (>= version-release)"' % depend)
    name, operator, version = match.groups()
    if not operator:
        return name
    return '%s %s %s' % (name, _DEBIAN_TO_RPM_OPERATOR[operator], version)


def _spec_key(spec, build_time):
    fields = dataclasses.asdict(spec)
    text = repr((CACHE_FORMAT, sorted(fields.items()), int(build_time.timestamp())))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:24]


def _subpackage_section(spec):
    lines = ['%%package -n %s' % spec.name,
             'Summary: %s' % (spec.summary or 'fleetops test package %s' % spec.name),
             'Version: %s' % spec.version,
             'Release: %s' % spec.release]
    if spec.epoch:
        lines.append('Epoch: %d' % spec.epoch)
    lines.extend('Requires: %s' % rpm_requires(depend) for depend in spec.depends)
    lines.extend(['%%description -n %s' % spec.name, 'Test package %s %s.' % (spec.name, spec.evr), ''])
    if spec.postinst_fails:
        # rpm keeps the package installed when %post fails; the tests rely on that
        lines.extend(['%%post -n %s' % spec.name, 'echo "%s: post-install script fails on purpose" >&2' % spec.name,
                      'exit 1', ''])
    return lines


def render_batch_spec(packages):
    """One spec file whose subpackages are ``packages`` (names must be unique)."""
    names = [spec.name for spec in packages]
    if len(set(names)) != len(names):
        raise ValueError('one rpmbuild batch cannot hold two versions of the same name')
    lines = ['Name: fleetops-build-batch', 'Version: 1', 'Release: 1', 'Summary: fleetops test batch',
             'License: GPL-3.0-or-later', 'BuildArch: noarch', '%description', 'Build batch.', '']
    for spec in packages:
        lines.extend(_subpackage_section(spec))
    lines.append('%install')
    for spec in packages:
        target = '%%{buildroot}%s/%s' % (PAYLOAD_DIR, spec.name)
        lines.append('mkdir -p %s' % target)
        lines.append('head -c %d /dev/zero > %s/payload' % (spec.size_kib * 1024, target))
    lines.append('')
    for spec in packages:
        lines.extend(['%%files -n %s' % spec.name, '%s/%s' % (PAYLOAD_DIR, spec.name), ''])
    return '\n'.join(lines) + '\n'


def _batches(packages):
    """Split into batches with unique names (the n-th version of each name in batch n)."""
    batches = []
    for spec in packages:
        for batch in batches:
            if spec.name not in batch:
                batch[spec.name] = spec
                break
        else:
            batches.append({spec.name: spec})
    return [list(batch.values()) for batch in batches]


def _rpmbuild(packages, build_time, workdir):
    return rpmbuild_spec(render_batch_spec(packages), workdir, build_time)


def rpmbuild_spec(spec_text, workdir, build_time=DEFAULT_BUILD_TIME):
    """Build the noarch binary rpms of ``spec_text`` under ``workdir``; return the directory holding them."""
    spec_path = os.path.join(workdir, 'batch.spec')
    with open(spec_path, 'w') as handle:
        handle.write(spec_text)
    topdir = os.path.join(workdir, 'top')
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(int(build_time.timestamp())), LC_ALL='C')
    argv = ['rpmbuild', '-bb', '--quiet',
            '--define', '_topdir %s' % topdir,
            '--define', '_tmppath %s' % os.path.join(workdir, 'tmp'),
            '--define', 'use_source_date_epoch_as_buildtime 1',
            '--define', '_buildhost fleetops.test',
            '--define', '_build_id_links none',
            '--define', 'debug_package %{nil}',
            '--define', '_binary_payload w1.gzdio',
            spec_path]
    result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, check=False)
    if result.returncode != 0:
        raise RuntimeError('rpmbuild failed (rc %d): %s%s' % (result.returncode, result.stdout, result.stderr))
    return os.path.join(topdir, 'RPMS', 'noarch')


def build_rpms(packages, build_time=DEFAULT_BUILD_TIME, cache=None):
    """Build (or take from the cache) one noarch rpm per PackageSpec; return {spec: path}."""
    cache = os.path.join(cache or cache_dir(), 'rpms')
    os.makedirs(cache, exist_ok=True)
    paths, missing = {}, []
    for spec in dict.fromkeys(packages):
        path = os.path.join(cache, _spec_key(spec, build_time), rpm_filename(spec))
        paths[spec] = path
        if not os.path.exists(path):
            missing.append(spec)
    for batch in _batches(missing):
        with tempfile.TemporaryDirectory(prefix='rpmbuild-', dir=cache) as workdir:
            built = _rpmbuild(batch, build_time, workdir)
            for spec in batch:
                final = paths[spec]
                os.makedirs(os.path.dirname(final), exist_ok=True)
                staged = final + '.%d.tmp' % os.getpid()
                shutil.copyfile(os.path.join(built, rpm_filename(spec)), staged)
                os.replace(staged, final)   # atomic: parallel test runs may build the same rpm
    return paths


def _attr(value):
    return xml.sax.saxutils.quoteattr(str(value))


def _text(value):
    return xml.sax.saxutils.escape(str(value))


def render_updateinfo(advisories, arch='noarch', collection='fleetops'):
    """updateinfo.xml text for ``advisories`` (read by dnf as notices, by zypper as patches)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<updates>']
    for advisory in advisories:
        out.append('  <update from="security@fleetops.test" status="stable" type=%s version="1">'
                   % _attr(advisory.type))
        out.append('    <id>%s</id>' % _text(advisory.advisory_id))
        out.append('    <title>%s</title>' % _text(advisory.title or '%s update' % advisory.advisory_id))
        if advisory.severity:
            out.append('    <severity>%s</severity>' % _text(advisory.severity))
        out.append('    <release>fleetops test</release>')
        out.append('    <issued date=%s/>' % _attr(advisory.issued))
        if advisory.updated:
            out.append('    <updated date=%s/>' % _attr(advisory.updated))
        out.append('    <references>')
        for cve in advisory.cves:
            out.append('      <reference href=%s id=%s title=%s type="cve"/>'
                       % (_attr('https://cve.example.test/' + cve), _attr(cve), _attr(cve)))
        for bug in advisory.bugzillas:
            out.append('      <reference href=%s id=%s title=%s type="bugzilla"/>'
                       % (_attr('https://bugzilla.example.test/%s' % bug), _attr(bug), _attr('Bug %s' % bug)))
        out.append('    </references>')
        out.append('    <description>%s</description>' % _text(advisory.title or advisory.advisory_id))
        out.append('    <pkglist>')
        out.append('      <collection short=%s>' % _attr(collection))
        out.append('        <name>%s</name>' % _text(collection))
        for name, evr in advisory.packages:
            epoch, version, release = split_evr(evr)
            out.append('        <package name=%s version=%s release=%s epoch=%s arch=%s src=%s>'
                       % (_attr(name), _attr(version), _attr(release), _attr(epoch), _attr(arch),
                          _attr('%s-%s-%s.src.rpm' % (name, version, release))))
            out.append('          <filename>%s-%s-%s.%s.rpm</filename>' % (_text(name), _text(version), _text(release), arch))
            out.append('        </package>')
        out.append('      </collection>')
        out.append('    </pkglist>')
        out.append('  </update>')
    out.append('</updates>')
    return '\n'.join(out) + '\n'


def _run(argv):
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    if result.returncode != 0:
        raise RuntimeError('%s failed (rc %d): %s%s' % (argv[0], result.returncode, result.stdout, result.stderr))
    return result.stdout


def add_updateinfo(path, advisories):
    """Write ``advisories`` into the repository at ``path`` as its updateinfo (modifyrepo_c)."""
    if shutil.which('modifyrepo_c') is None:
        raise RuntimeError('modifyrepo_c is missing; install the createrepo-c package')
    with tempfile.TemporaryDirectory() as workdir:
        source = os.path.join(workdir, 'updateinfo.xml')
        with open(source, 'w') as handle:
            handle.write(render_updateinfo(advisories))
        _run(['modifyrepo_c', '--mdtype=updateinfo', source, os.path.join(path, 'repodata')])


@dataclasses.dataclass
class RpmRepository:
    """A generated rpm-md repository on disk."""

    name: str
    path: str
    packages: tuple = ()
    advisories: tuple = ()

    @property
    def baseurl(self):
        return 'file://' + self.path

    def repo_stanza(self, enabled=True, metadata_expire='0'):
        """The ``.repo`` text dnf and zypper both read.

        ``metadata_expire='0'`` (tests: always see the repository as it is now); None
        leaves the tool's default (benchmarks: a warm cache is not re-checked).
        """
        text = ('[{name}]\nname=fleetops test repository {name}\nbaseurl={url}\nenabled={enabled}\n'
                'gpgcheck=0\nrepo_gpgcheck=0\n').format(name=self.name, url=self.baseurl, enabled=1 if enabled else 0)
        if metadata_expire is not None:
            text += 'metadata_expire=%s\n' % metadata_expire
        return text

    def write_repo_file(self, directory, enabled=True, metadata_expire='0'):
        """Write ``<directory>/<name>.repo``; return its path."""
        os.makedirs(directory, exist_ok=True)
        target = os.path.join(directory, '%s.repo' % self.name)
        with open(target, 'w') as handle:
            handle.write(self.repo_stanza(enabled, metadata_expire))
        return target

    def rpm_path(self, spec):
        return os.path.join(self.path, rpm_filename(spec))


def build_repository(path, packages, advisories=(), name='fleetops-test', build_time=DEFAULT_BUILD_TIME):
    """Build a real rpm-md repository at ``path`` (created if absent; rebuilt in place if present)."""
    packages = tuple(packages)
    advisories = tuple(advisories)
    path = os.path.abspath(path)
    os.makedirs(path, exist_ok=True)
    for spec, built in build_rpms(packages, build_time).items():
        target = os.path.join(path, rpm_filename(spec))
        if os.path.exists(target):      # rebuilding a repository in place (tests of changing repositories)
            os.unlink(target)
        # a copy, not a hard link: a test that damages a repository must not damage the cache
        shutil.copyfile(built, target)
    _run(['createrepo_c', '--quiet', '--no-database', '--workers', '1', path])
    if advisories:
        add_updateinfo(path, advisories)
    return RpmRepository(name=name, path=path, packages=packages, advisories=advisories)


# ---- synthetic repodata (benchmarks): no rpms, metadata only -------------------------------

def _write_gz(path, text):
    data = text.encode('utf-8')
    with open(path, 'wb') as handle:
        # mtime=0: identical input gives identical files
        with gzip.GzipFile(fileobj=handle, mode='wb', mtime=0, compresslevel=1) as compressed:
            compressed.write(data)
    with open(path, 'rb') as handle:
        packed = handle.read()
    return hashlib.sha256(packed).hexdigest(), hashlib.sha256(data).hexdigest(), len(packed), len(data)


# Per-package sizes of the synthetic metadata. Estimates of what real RHEL 9 / SLES 15
# repositories carry (not measured from a mirror, which cannot be reached from here):
# a dozen requires, several provides (name, name(arch), config(), sonames), a description
# of a few hundred bytes, a few changelog entries, and file lists (real ones average more;
# 20 keeps the setup time reasonable). The requires are all satisfiable by the package
# itself (rpmlib() features, its own sonames and name): every update stays installable
# without dependency chains, so the native tools' solvers do less than on a real
# repository (this favours the native side of the benchmarks). No vendor: the installed
# rpms have none, and zypper does not update across a vendor change.
SONAMES_PER_PACKAGE = 4
RPMLIB_REQUIRES = ('rpmlib(CompressedFileNames) <= 3.0.4-1', 'rpmlib(FileDigests) <= 4.6.0-1',
                   'rpmlib(PayloadFilesHavePrefix) <= 4.0-1', 'rpmlib(PayloadIsZstd) <= 5.4.18-1')
FILES_PER_PACKAGE = 20
CHANGELOG_PER_PACKAGE = 3
DESCRIPTION = ('This package provides the %s component of the synthetic benchmark distribution. It installs a '
               'command line tool, its shared library and the documentation, and is rebuilt with every update '
               'of the components it depends on. Configuration files under /etc are kept across upgrades, and '
               'the service it may ship is restarted only when it was running before.')
# Updateinfo notices: a long description and several references (the packages are the
# scenario's: all of them in the repository, as in real update repositories).
NOTICE_DESCRIPTION = ('An update for %s is now available. Security Fix(es): a flaw was found in the way input was '
                      'parsed, which allowed a remote attacker to cause a denial of service or possibly execute '
                      'code with the privileges of the service. ')
NOTICE_DESCRIPTION_REPEAT = 5     # about 1,300 bytes, as long as a typical RHSA/SUSE-SU description


def _sonames(spec):
    return ['lib%s.so.%d()(64bit)' % (spec.name, number) for number in range(1, SONAMES_PER_PACKAGE + 1)]


def _synthetic_requires(spec):
    evr = '<rpm:entry name=%s flags="EQ" epoch="%s" ver=%s rel=%s/>'
    entries = []
    for requirement in RPMLIB_REQUIRES:
        name, _flags, version = requirement.split()
        ver, rel = version.rsplit('-', 1)
        entries.append('<rpm:entry name=%s flags="LE" epoch="0" ver=%s rel=%s pre="1"/>' % (_attr(name), _attr(ver), _attr(rel)))
    entries += ['<rpm:entry name=%s/>' % _attr(name) for name in ['config(%s)' % spec.name] + _sonames(spec)]
    entries += [evr % (_attr(name), spec.epoch, _attr(spec.version), _attr(spec.release))
                for name in (spec.name, '%s(x86-64)' % spec.name)]
    return ''.join(entries)


def _synthetic_provides(spec):
    evr = '<rpm:entry name=%s flags="EQ" epoch="%s" ver=%s rel=%s/>'
    entries = [evr % (_attr(name), spec.epoch, _attr(spec.version), _attr(spec.release))
               for name in (spec.name, '%s(x86-64)' % spec.name, 'config(%s)' % spec.name)]
    entries += ['<rpm:entry name=%s/>' % _attr(name) for name in _sonames(spec)]
    return ''.join(entries)


def _synthetic_files(spec):
    return ['/usr/bin/%s' % spec.name, '/usr/lib64/lib%s.so.1' % spec.name] + [
        '/usr/share/doc/%s/file-%02d.txt' % (spec.name, number) for number in range(FILES_PER_PACKAGE - 2)]


def _primary_entry(spec, build_time):
    checksum = hashlib.sha256(('%s-%s' % (spec.name, spec.evr)).encode('utf-8')).hexdigest()
    requires = ''.join('<rpm:entry name=%s/>' % _attr(rpm_requires(depend).split()[0]) for depend in spec.depends)
    requires += _synthetic_requires(spec)
    files = ''.join('<file>%s</file>' % _text(path) for path in _synthetic_files(spec)[:2])
    return (
        '<package type="rpm"><name>{name}</name><arch>noarch</arch>'
        '<version epoch="{epoch}" ver={ver} rel={rel}/>'
        '<checksum type="sha256" pkgid="YES">{checksum}</checksum>'
        '<summary>Synthetic benchmark component {name}</summary><description>{description}</description>'
        '<packager>Synthetic Build System &lt;build@fleetops.test&gt;</packager><url>https://fleetops.test/{name}</url>'
        '<time file="{time}" build="{time}"/><size package="1024" installed="1024" archive="1024"/>'
        '<location href={href}/>'
        '<format><rpm:license>GPL-3.0-or-later</rpm:license><rpm:vendor/><rpm:group>Unspecified</rpm:group>'
        '<rpm:buildhost>fleetops.test</rpm:buildhost><rpm:sourcerpm>{name}-{version}-{release}.src.rpm</rpm:sourcerpm>'
        '<rpm:header-range start="4504" end="28000"/>'
        '<rpm:provides>{provides}</rpm:provides><rpm:requires>{requires}</rpm:requires>{files}</format></package>').format(
            name=_text(spec.name), epoch=spec.epoch, ver=_attr(spec.version), rel=_attr(spec.release),
            version=_text(spec.version), release=_text(spec.release), description=_text(DESCRIPTION % spec.name),
            checksum=checksum, time=int(build_time.timestamp()), href=_attr(rpm_filename(spec)),
            provides=_synthetic_provides(spec), requires=requires, files=files)


def _filelists_entry(spec, checksum):
    return '<package pkgid="%s" name=%s arch="noarch"><version epoch="%s" ver=%s rel=%s/>%s</package>' % (
        checksum, _attr(spec.name), spec.epoch, _attr(spec.version), _attr(spec.release),
        ''.join('<file>%s</file>' % _text(path) for path in _synthetic_files(spec)))


def _other_entry(spec, checksum, build_time):
    stamp = int(build_time.timestamp())
    changes = ''.join('<changelog author="Synthetic Maintainer &lt;maint@fleetops.test&gt; - %s-%d" date="%d">'
                      '- Rebuilt for the benchmark distribution; fixes a parser flaw (bench #%d)</changelog>'
                      % (_text(spec.version), number, stamp - number * 86400, number) for number in range(CHANGELOG_PER_PACKAGE))
    return '<package pkgid="%s" name=%s arch="noarch"><version epoch="%s" ver=%s rel=%s/>%s</package>' % (
        checksum, _attr(spec.name), spec.epoch, _attr(spec.version), _attr(spec.release), changes)


def render_synthetic_updateinfo(advisories):
    """updateinfo.xml text with notices the size of real ones (see NOTICE_* above)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<updates>']
    for advisory in advisories:
        first = advisory.packages[0][0] if advisory.packages else advisory.advisory_id
        out.append('<update from="security@fleetops.test" status="final" type=%s version="2">' % _attr(advisory.type))
        title = advisory.title or 'Important: %s security update' % first
        out.append('<id>%s</id><title>%s</title>' % (_text(advisory.advisory_id), _text(title)))
        if advisory.severity:
            out.append('<severity>%s</severity>' % _text(advisory.severity))
        out.append('<release>fleetops bench</release><rights>Copyright 2026 fleetops</rights>'
                   '<issued date=%s/><updated date=%s/>' % (_attr(advisory.issued), _attr(advisory.updated or advisory.issued)))
        refs = ['<reference href=%s id=%s title=%s type="self"/>' % (
            _attr('https://errata.fleetops.test/%s' % advisory.advisory_id), _attr(advisory.advisory_id), _attr(advisory.advisory_id))]
        refs += ['<reference href=%s id=%s title=%s type="cve"/>' % (_attr('https://cve.example.test/' + cve), _attr(cve), _attr(cve))
                 for cve in advisory.cves]
        refs += ['<reference href=%s id=%s title=%s type="bugzilla"/>' % (
            _attr('https://bugzilla.example.test/%s' % bug), _attr(bug), _attr('Bug %s: parser flaw in %s' % (bug, first)))
            for bug in advisory.bugzillas]
        out.append('<references>%s</references>' % ''.join(refs))
        out.append('<description>%s</description>' % _text((NOTICE_DESCRIPTION % first) * NOTICE_DESCRIPTION_REPEAT))
        out.append('<pkglist><collection short="bench"><name>bench</name>')
        for name, evr in advisory.packages:
            epoch, version, release = split_evr(evr)
            out.append('<package name=%s version=%s release=%s epoch=%s arch="noarch" src=%s>'
                       '<filename>%s-%s-%s.noarch.rpm</filename></package>'
                       % (_attr(name), _attr(version), _attr(release), _attr(epoch),
                          _attr('%s-%s-%s.src.rpm' % (name, version, release)), _text(name), _text(version), _text(release)))
        out.append('</collection></pkglist></update>')
    out.append('</updates>')
    return '\n'.join(out) + '\n'


def synthetic_repository(path, packages, advisories=(), name='fleetops-synthetic', build_time=DEFAULT_BUILD_TIME):
    """Write repodata (primary, filelists, other, updateinfo) for ``packages`` without any rpm.

    dnf and zypper can read and resolve against it, but not download from it: for
    benchmarks of metadata reading only.
    """
    packages = tuple(packages)
    advisories = tuple(advisories)
    path = os.path.abspath(path)
    repodata = os.path.join(path, 'repodata')
    if os.path.isdir(repodata):
        shutil.rmtree(repodata)
    os.makedirs(repodata)
    count = len(packages)
    checksums = [hashlib.sha256(('%s-%s' % (spec.name, spec.evr)).encode('utf-8')).hexdigest() for spec in packages]
    documents = {
        'primary': '<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
                   'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">\n%s\n</metadata>\n'
                   % (count, '\n'.join(_primary_entry(spec, build_time) for spec in packages)),
        'filelists': '<?xml version="1.0" encoding="UTF-8"?>\n<filelists xmlns="http://linux.duke.edu/metadata/filelists" '
                     'packages="%d">\n%s\n</filelists>\n'
                     % (count, '\n'.join(_filelists_entry(spec, checksum) for spec, checksum in zip(packages, checksums))),
        'other': '<?xml version="1.0" encoding="UTF-8"?>\n<otherdata xmlns="http://linux.duke.edu/metadata/other" '
                 'packages="%d">\n%s\n</otherdata>\n'
                 % (count, '\n'.join(_other_entry(spec, checksum, build_time) for spec, checksum in zip(packages, checksums))),
    }
    if advisories:
        documents['updateinfo'] = render_synthetic_updateinfo(advisories)
    timestamp = int(build_time.timestamp())
    entries = []
    for kind, text in documents.items():
        location = 'repodata/%s.xml.gz' % kind
        packed_sum, open_sum, packed_size, open_size = _write_gz(os.path.join(path, location), text)
        entries.append(
            '  <data type="{kind}">\n    <checksum type="sha256">{packed}</checksum>\n'
            '    <open-checksum type="sha256">{opened}</open-checksum>\n    <location href="{location}"/>\n'
            '    <timestamp>{ts}</timestamp>\n    <size>{size}</size>\n    <open-size>{osize}</open-size>\n'
            '  </data>'.format(kind=kind, packed=packed_sum, opened=open_sum, location=location, ts=timestamp,
                               size=packed_size, osize=open_size))
    with open(os.path.join(repodata, 'repomd.xml'), 'w') as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" '
                     'xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n  <revision>%d</revision>\n%s\n</repomd>\n'
                     % (timestamp, '\n'.join(entries)))
    return RpmRepository(name=name, path=path, packages=packages, advisories=advisories)
