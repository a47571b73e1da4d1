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
    spec_path = os.path.join(workdir, 'batch.spec')
    with open(spec_path, 'w') as handle:
        handle.write(render_batch_spec(packages))
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


def _primary_entry(spec, build_time):
    checksum = hashlib.sha256(('%s-%s' % (spec.name, spec.evr)).encode('utf-8')).hexdigest()
    requires = ''.join('<rpm:entry name=%s/>' % _attr(rpm_requires(depend).split()[0]) for depend in spec.depends)
    return (
        '<package type="rpm"><name>{name}</name><arch>noarch</arch>'
        '<version epoch="{epoch}" ver={ver} rel={rel}/>'
        '<checksum type="sha256" pkgid="YES">{checksum}</checksum>'
        '<summary>synthetic</summary><description>synthetic</description><packager/><url/>'
        '<time file="{time}" build="{time}"/><size package="1024" installed="1024" archive="1024"/>'
        '<location href={href}/>'
        '<format><rpm:license>GPL-3.0-or-later</rpm:license><rpm:vendor/><rpm:group>Unspecified</rpm:group>'
        '<rpm:buildhost>fleetops.test</rpm:buildhost><rpm:sourcerpm/><rpm:header-range start="0" end="1"/>'
        '<rpm:provides><rpm:entry name={pname} flags="EQ" epoch="{epoch}" ver={ver} rel={rel}/></rpm:provides>'
        '{requires}</format></package>').format(
            name=_text(spec.name), epoch=spec.epoch, ver=_attr(spec.version), rel=_attr(spec.release),
            checksum=checksum, time=int(build_time.timestamp()), href=_attr(rpm_filename(spec)),
            pname=_attr(spec.name), requires='<rpm:requires>%s</rpm:requires>' % requires if requires else '')


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
    documents = {
        'primary': '<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
                   'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">\n%s\n</metadata>\n'
                   % (count, '\n'.join(_primary_entry(spec, build_time) for spec in packages)),
        'filelists': '<?xml version="1.0" encoding="UTF-8"?>\n<filelists xmlns="http://linux.duke.edu/metadata/filelists" '
                     'packages="0">\n</filelists>\n',
        'other': '<?xml version="1.0" encoding="UTF-8"?>\n<otherdata xmlns="http://linux.duke.edu/metadata/other" '
                 'packages="0">\n</otherdata>\n',
    }
    if advisories:
        documents['updateinfo'] = render_updateinfo(advisories)
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
