# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The zypper backend: ``zypper --xmlout`` and ``rpm -qa`` reading, ``zypper install`` acting.

Every zypper call is ``zypper --root <root> --non-interactive --xmlout ...`` with
``LANG=C``; read paths add ``--no-refresh`` once a metadata cache exists, so a Scan
does not download anything. The parsing helpers are pure functions over the text
zypper and rpm print, unit-tested on captured real output.

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
import datetime
import functools
import gzip
import os
import re
import shutil
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend import (
    InstallOutcome,
    PatchBackend,
    gc_paused,
    pid_file_holder,
    sources_for_product,
    wait_for,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import (
    BackendError,
    InputError,
    LockTimeoutError,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import (
    Candidate,
    InstalledPackage,
    Universe,
)

from ansible_collections.fleetops.patch_manager.plugins.module_utils._versions import compare, split_evr

UTC = datetime.timezone.utc
EPOCH_START = datetime.datetime(1970, 1, 1, tzinfo=UTC)

# zypper exit codes (zypper(8), "EXIT CODES"); the 10x codes are informational.
ZYPPER_EXIT_OK = 0
ZYPPER_EXIT_ERR_ZYPP = 4            # solver problem or other libzypp error
ZYPPER_EXIT_ZYPP_LOCKED = 7         # another process holds the zypp lock
ZYPPER_EXIT_ERR_COMMIT = 8          # the transaction failed while committing
ZYPPER_EXIT_INF_UPDATE_NEEDED = 100  # updates are needed (patch-check, list-*)
ZYPPER_EXIT_INF_SEC_UPDATE_NEEDED = 101
ZYPPER_EXIT_INF_REBOOT_NEEDED = 102  # done; a reboot is needed (also needs-rebooting)
ZYPPER_EXIT_INF_RESTART_NEEDED = 103  # zypper updated itself: run the command again
ZYPPER_EXIT_INF_CAP_NOT_FOUND = 104  # a requested package/version does not exist
ZYPPER_EXIT_ON_SIGNAL = 105
ZYPPER_EXIT_INF_REPOS_SKIPPED = 106  # some repositories could not be refreshed and were skipped
ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED = 107  # installed, but a %pre/%post scriptlet failed

SUCCESS_CODES = frozenset((ZYPPER_EXIT_OK, ZYPPER_EXIT_INF_UPDATE_NEEDED, ZYPPER_EXIT_INF_SEC_UPDATE_NEEDED,
                           ZYPPER_EXIT_INF_REBOOT_NEEDED, ZYPPER_EXIT_INF_REPOS_SKIPPED,
                           ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED))

# How AWS spells the SUSE CLASSIFICATION and SEVERITY values (ssm-semantics section 2.1).
CLASSIFICATIONS = {'security': 'Security', 'recommended': 'Recommended', 'optional': 'Optional',
                   'feature': 'Feature', 'document': 'Document', 'yast': 'Yast'}
SEVERITIES = {'critical': 'Critical', 'important': 'Important', 'moderate': 'Moderate', 'low': 'Low'}

RPM_QUERY_FORMAT = '%{NAME}\\t%{ARCH}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\n'
SYSTEM_REPOSITORY = '(System Packages)'
LOCK_FILE = 'run/zypp.pid'


# ---------------------------------------------------------------- versions

def compare_evr(left, right):
    """-1, 0 or 1 as rpm version 'E:V-R' ``left`` is older than, equal to or newer than ``right``."""
    return compare('zypper', left, right)


def normalise_edition(edition):
    """zypper's edition ('1.2-3' or '1:1.2-3') -> 'E:V-R' with the epoch always present."""
    if ':' in edition:
        return edition
    return '0:' + edition


def evr_from_parts(epoch, version, release):
    """updateinfo package attributes -> 'E:V-R'."""
    return '%s:%s-%s' % (epoch or '0', version, release)


# ---------------------------------------------------------------- parsing zypper and rpm output

def parse_xml_stream(text):
    """Parse zypper's ``--xmlout`` stdout into the <stream> element.

    Anything printed before the XML declaration (a stray warning) is skipped.
    """
    start = text.find('<?xml')
    if start < 0:
        start = text.find('<stream')
    if start < 0:
        raise BackendError('zypper printed no XML output: %s' % text.strip()[:500])
    try:
        return ET.fromstring(text[start:])
    except ET.ParseError as exc:
        raise BackendError('zypper printed XML that cannot be parsed (%s)' % exc)


def stream_messages(stream, kinds=('error', 'warning', 'info')):
    """The text of <message> elements of the given types, in order, anywhere in the stream."""
    return [(message.get('type'), (message.text or '').strip())
            for message in stream.iter('message') if message.get('type') in kinds]


def error_summary(stream):
    """The error (else warning) messages of a stream joined into one string."""
    for kinds in (('error',), ('warning',)):
        texts = [text for _kind, text in stream_messages(stream, kinds) if text]
        if texts:
            return ' '.join(texts)
    return ''


def parse_rpm_query(text):
    """``rpm -qa --qf RPM_QUERY_FORMAT`` output -> [InstalledPackage]; gpg-pubkey entries are skipped."""
    packages = []
    for line in text.splitlines():
        fields = line.split('\t')
        if len(fields) != 4 or fields[0] == 'gpg-pubkey':
            continue
        name, arch, evr, installed = fields
        installed_time = None
        if installed.isdigit():
            installed_time = datetime.datetime.fromtimestamp(int(installed), UTC)
        packages.append(InstalledPackage(name, arch, evr, installed_time))
    return packages


def parse_search(text):
    """``zypper --xmlout search --details`` -> [(name, arch, E:V-R, repository, status)]."""
    stream = parse_xml_stream(text)
    return [(item.get('name'), item.get('arch'), normalise_edition(item.get('edition')),
             item.get('repository'), item.get('status'))
            for item in stream.iter('solvable') if item.get('kind', 'package') == 'package']


def parse_repos(text):
    """``zypper --xmlout repos`` -> [{'alias', 'name', 'enabled'}]."""
    stream = parse_xml_stream(text)
    return [{'alias': repo.get('alias'), 'name': repo.get('name'), 'enabled': repo.get('enabled') == '1'}
            for repo in stream.iter('repo')]


_PLAIN_DATE = re.compile(r'^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)Z?)?$')


def parse_issue_date(value):
    """An updateinfo/zypper issue date -> aware UTC datetime; unparsable or missing -> 1970-01-01 (section 3.8)."""
    value = (value or '').strip()
    if value.isdigit():
        return datetime.datetime.fromtimestamp(int(value), UTC)
    match = _PLAIN_DATE.match(value)
    if match:
        return datetime.datetime(*[int(part or 0) for part in match.groups()], tzinfo=UTC)
    for layout in ('%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d %H:%M', '%Y-%m-%d'):
        try:
            return datetime.datetime.strptime(value, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return EPOCH_START


# Memoised: called once per record (tens of thousands), with a handful of distinct values.
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


class PatchInfo(object):
    """One zypper patch: its attributes and the package versions it carries."""

    __slots__ = ('name', 'version', 'category', 'severity', 'issued', 'cve_ids', 'bugzilla_ids', 'packages',
                 'repository')

    def __init__(self, name, version='', category=None, severity=None, issued=None, cve_ids=(),
                 bugzilla_ids=(), packages=(), repository=None):
        self.name = name
        self.version = version
        self.category = category
        self.severity = severity
        self.issued = issued if issued is not None else EPOCH_START
        self.cve_ids = tuple(cve_ids)
        self.bugzilla_ids = tuple(bugzilla_ids)
        self.packages = set(packages)     # {(name, arch, 'E:V-R')}
        self.repository = repository      # alias of the repository whose updateinfo carries the patch

    def __repr__(self):
        return 'PatchInfo(%r, category=%r, severity=%r)' % (self.name, self.category, self.severity)


def _merge_patch(patches, patch):
    """Keep one PatchInfo per name: attributes of the highest patch version, packages of all."""
    known = patches.get(patch.name)
    if known is None:
        patches[patch.name] = patch
        return
    packages = known.packages | patch.packages
    if compare_evr(patch.version or '0', known.version or '0') > 0:
        patches[patch.name] = patch
    patches[patch.name].packages = packages


def _local_name(tag):
    """'{namespace}name' -> 'name'."""
    return tag.rsplit('}', 1)[-1]


def _updateinfo_patch(update, wanted_names):
    """One <update> element -> PatchInfo; None when it carries none of ``wanted_names`` (a set, or None for all)."""
    packages = set()
    for package in update.iter('package'):
        name = package.get('name')
        if wanted_names is None or name in wanted_names:
            packages.add((name, package.get('arch'),
                          evr_from_parts(package.get('epoch'), package.get('version'), package.get('release'))))
    if not packages and wanted_names is not None:
        return None
    fields = dict((_local_name(child.tag), child) for child in update)
    cves, bugs = [], []
    for reference in update.iter('reference'):
        kind, ident = reference.get('type'), reference.get('id')
        if kind == 'cve' and ident and ident not in cves:
            cves.append(ident)
        elif kind == 'bugzilla' and ident and ident not in bugs:
            bugs.append(ident)
    issued = fields.get('issued')
    severity = fields.get('severity')
    return PatchInfo(name=(fields['id'].text or '').strip() if 'id' in fields else '',
                     version=update.get('version') or '',
                     category=update.get('type'),
                     severity=severity.text if severity is not None else None,
                     issued=parse_issue_date(issued.get('date') if issued is not None else None),
                     cve_ids=cves, bugzilla_ids=bugs, packages=packages)


def parse_updateinfo(source, wanted_names=None, patches=None):
    """Stream an updateinfo.xml (path or file object) into {patch name: PatchInfo}.

    ``wanted_names`` (a set of package names) keeps memory small on large repositories:
    only package versions of those names are kept.
    """
    patches = {} if patches is None else patches
    for _event, element in ET.iterparse(source, events=('end',)):
        if _local_name(element.tag) != 'update':
            continue
        patch = _updateinfo_patch(element, wanted_names)
        if patch is not None and patch.name:
            _merge_patch(patches, patch)
        element.clear()
    return patches


def metadata_path(repodata_dir, kind):
    """The ``kind`` file (updateinfo, primary) a raw repodata cache directory holds, from its repomd.xml, or None."""
    repomd = os.path.join(repodata_dir, 'repomd.xml')
    if not os.path.isfile(repomd):
        return None
    try:
        tree = ET.parse(repomd)
    except ET.ParseError:
        return None
    for data in tree.getroot():
        if _local_name(data.tag) != 'data' or data.get('type') != kind:
            continue
        for location in data:
            if _local_name(location.tag) == 'location' and location.get('href'):
                path = os.path.join(os.path.dirname(repodata_dir), location.get('href'))
                return path if os.path.isfile(path) else None
    return None


def updateinfo_path(repodata_dir):
    """The updateinfo file a raw repodata cache directory holds, or None."""
    return metadata_path(repodata_dir, 'updateinfo')


# rpm-md primary.xml: each <package> starts with <name>, <arch>, <version .../> in this
# order (the schema's sequence); nothing else in the file is a <name> element.
_PRIMARY_PACKAGE = re.compile(br'<name>([^<]*)</name>\s*<arch>([^<]*)</arch>\s*<version\s([^>]*?)/?>')
# the attribute order createrepo_c and OBS write: the fast path
_PRIMARY_PACKAGE_USUAL = re.compile(br'<name>([^<&]*)</name>\s*<arch>([^<&]*)</arch>\s*'
                                    br'<version\s+epoch="([^"&]*)"\s+ver="([^"&]*)"\s+rel="([^"&]*)"')
_XML_ATTRIBUTE = re.compile(br'([\w:]+)\s*=\s*"([^"]*)"')
_PRIMARY_CHUNK = 1 << 22


_XML_ENTITY = re.compile(r'&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);')
_XML_ENTITIES = {'lt': '<', 'gt': '>', 'amp': '&', 'quot': '"', 'apos': "'"}


def _xml_entity(match):
    name = match.group(1)
    if name.startswith('#x'):
        return chr(int(name[2:], 16))
    if name.startswith('#'):
        return chr(int(name[1:]))
    return _XML_ENTITIES[name]


def _xml_text(raw):
    """Bytes of XML character data -> text, entities resolved (xml.sax.saxutils costs an urllib import)."""
    text = raw.decode('utf-8')
    return _XML_ENTITY.sub(_xml_entity, text) if '&' in text else text


def _primary_rows(data, repository):
    """Rows of the complete <package> elements in ``data`` (bytes)."""
    usual = _PRIMARY_PACKAGE_USUAL.findall(data)
    if len(usual) == data.count(b'<package '):
        return [(name.decode('utf-8'), arch.decode('utf-8'),
                 '%s:%s-%s' % ((epoch or b'0').decode('utf-8'), version.decode('utf-8'), release.decode('utf-8')),
                 repository, None)
                for name, arch, epoch, version, release in usual]
    rows = []
    for name, arch, version in _PRIMARY_PACKAGE.findall(data):
        attributes = dict(_XML_ATTRIBUTE.findall(version))
        rows.append((_xml_text(name), _xml_text(arch),
                     evr_from_parts(_xml_text(attributes.get(b'epoch') or b'0'), _xml_text(attributes.get(b'ver', b'')),
                                    _xml_text(attributes.get(b'rel', b''))),
                     repository, None))
    return rows


def parse_primary(handle, repository):
    """Stream an rpm-md primary.xml (binary file object) -> [(name, arch, E:V-R, repository, None)].

    The rows ``parse_search`` gives for the repository, read without a zypper process:
    regular expressions over the decompressed text in chunks (an XML parser would build
    an element per tag of tens of thousands of packages for three fields each).
    """
    rows = []
    pending = b''
    while True:
        chunk = handle.read(_PRIMARY_CHUNK)
        data = pending + chunk
        if chunk:
            cut = data.rfind(b'<package ')   # the last package may be incomplete: keep it for the next round
            if cut <= 0:
                pending = data
                continue
            data, pending = data[:cut], data[cut:]
        rows.extend(_primary_rows(data, repository))
        if not chunk:
            return rows


def open_metadata(path):
    """Open a (possibly gzip-compressed) metadata file for binary reading."""
    if path.endswith('.gz'):
        return gzip.open(path, 'rb')
    return open(path, 'rb')


def parse_patch_list(text):
    """``zypper --xmlout list-patches --all`` -> {patch name: PatchInfo} (without packages)."""
    stream = parse_xml_stream(text)
    patches = {}
    for update in stream.iter('update'):
        if update.get('kind') != 'patch':
            continue
        issued = update.find('issue-date')
        cves, bugs = [], []
        for issue in update.iter('issue'):
            target = cves if issue.get('type') == 'cve' else bugs if issue.get('type') == 'bugzilla' else None
            if target is not None and issue.get('id') and issue.get('id') not in target:
                target.append(issue.get('id'))
        _merge_patch(patches, PatchInfo(
            name=update.get('name'), version=update.get('edition') or '', category=update.get('category'),
            severity=update.get('severity'),
            issued=parse_issue_date(issued.get('time_t') if issued is not None else None),
            cve_ids=cves, bugzilla_ids=bugs))
    return patches


_CONFLICT_LINE = re.compile(r'^\s*(?:Conflicts\s*:)?\s*(\S+)\s*<\s*(\S+)\s*$')


def parse_patch_info_contents(text):
    """``zypper --xmlout info -t patch A B ...`` -> {patch name: {(package name, 'E:V-R')}}.

    A patch carries package version V as the conflict ``name < V`` (libzypp's encoding);
    zypper prints it without an arch, so the caller matches every arch of that name.
    """
    stream = parse_xml_stream(text)
    contents = {}
    for _kind, message in stream_messages(stream, ('info',)):
        name_match = re.search(r'^Name\s*:\s*(\S+)\s*$', message, re.MULTILINE)
        if not name_match:
            continue
        carried = contents.setdefault(name_match.group(1), set())
        in_conflicts = False
        for line in message.splitlines():
            if re.match(r'^\S[^:]*:', line):
                in_conflicts = line.startswith('Conflicts')
            if not in_conflicts:
                continue
            match = _CONFLICT_LINE.match(line)
            if match and match.group(1).partition(':')[0] != 'patch':
                carried.add((match.group(1), normalise_edition(match.group(2))))
    return contents


TRANSACTION_SECTIONS = {'to-upgrade': 'upgrade', 'to-install': 'install', 'to-remove': 'remove',
                        'to-downgrade': 'downgrade', 'to-reinstall': 'reinstall'}


def parse_install_summary(text):
    """``zypper --xmlout install [--dry-run]`` -> transaction items (packages only; patches skipped).

    Items are {'name', 'arch', 'from_version', 'to_version', 'action'}; versions are 'E:V-R'
    (None where not applicable).
    """
    stream = parse_xml_stream(text)
    items = []
    for summary in stream.iter('install-summary'):
        for section in summary:
            action = TRANSACTION_SECTIONS.get(section.tag)
            if action is None:
                continue
            for solvable in section.iter('solvable'):
                if solvable.get('type', 'package') != 'package':
                    continue
                old = solvable.get('edition-old')
                new = normalise_edition(solvable.get('edition'))
                items.append({
                    'name': solvable.get('name'), 'arch': solvable.get('arch'),
                    'from_version': new if action == 'remove' else normalise_edition(old) if old else None,
                    'to_version': None if action == 'remove' else new,
                    'action': action,
                })
    return items


def solver_problems(text):
    """The solver's problem descriptions (zypper's prompt text) of a failed resolution."""
    stream = parse_xml_stream(text)
    problems = []
    for prompt in stream.iter('prompt'):
        description = prompt.find('description')
        if description is not None and (description.text or '').strip():
            problems.append(description.text.strip())
    return problems


_SCRIPTLET_FAILURE = re.compile(r'%(\w+)\((\S+)\) scriptlet failed[^\n]*')


def scriptlet_failures(text):
    """rpm scriptlet failures reported in an install run -> {'name-version-release.arch': line}."""
    stream = parse_xml_stream(text)
    failures = {}
    for _kind, message in stream_messages(stream):
        for match in _SCRIPTLET_FAILURE.finditer(message):
            failures.setdefault(match.group(2), match.group(0).strip())
    return failures


def nvra(name, arch, evr):
    """The name-version-release.arch rpm prints (epoch omitted)."""
    _epoch, version, release = split_evr(evr)
    return '%s-%s-%s.%s' % (name, version, release, arch) if release else '%s-%s.%s' % (name, version, arch)


def capability(name, arch, version):
    """A zypper install argument naming one exact package version: 'name.arch=E:V-R'."""
    return '%s.%s=%s' % (name, arch, version)


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


def _records(name, arch, evr, repository, carrying, candidates):
    """Append the records of one available version: one per patch carrying it, else one without."""
    if not carrying:
        candidates.append(Candidate(name, arch, evr, repository=repository))
    for patch in carrying:
        candidates.append(Candidate(
            name, arch, evr, repository=repository, security=True, advisory_id=patch.name,
            classification=aws_classification(patch.category), severity=aws_severity(patch.severity),
            release_date=patch.issued, cve_ids=patch.cve_ids, bugzilla_ids=patch.bugzilla_ids))


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
        for name, arch, evr in patch.packages:
            for concrete in (installed_arches.get(name, ()) if arch is None else (arch,)):
                by_version.setdefault((name, concrete, evr), []).append(patch)
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


def zypp_lock_holder(root):
    """'PID 123 (zypper)' when a live process holds <root>/run/zypp.pid, else None."""
    return pid_file_holder(os.path.join(root, LOCK_FILE))


def _first_missing_ancestor(path):
    """The top-most directory of ``path`` that does not exist yet (what creating it would add), or None."""
    missing = None
    while path and not os.path.exists(path):
        missing = path
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return missing


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
        self._repo_args = []
        self._cache_dir = os.path.join(self.root, 'var/cache/zypp')
        self._reboot_signalled = False

    # -- running commands

    def _env(self):
        env = dict(os.environ)
        env.update(LANG='C', LC_ALL='C', LANGUAGE='C')
        return env

    def _zypper_argv(self, args, refresh=False):
        argv = ['zypper', '--root', self.root, '--non-interactive', '--xmlout'] + self._repo_args
        if not refresh and os.path.isdir(os.path.join(self._cache_dir, 'raw')):
            argv.append('--no-refresh')
        return argv + list(args)

    def _zypper(self, args, refresh=False):
        """Run zypper, waiting for the zypp lock; rerun once on exit code 103. Returns (rc, out, err, argv)."""
        argv = self._zypper_argv(args, refresh=refresh)
        lock_path = os.path.join(self.root, LOCK_FILE)
        deadline = time.monotonic() + self.lock_timeout
        reruns = 0
        while True:
            wait_for(lambda: zypp_lock_holder(self.root), max(0, deadline - time.monotonic()),
                     'The zypper lock %s' % lock_path)
            rc, out, err = self.run_command(argv, env=self._env())
            if rc == ZYPPER_EXIT_ZYPP_LOCKED:
                # Another process took the lock between our check and zypper's.
                if time.monotonic() >= deadline:
                    raise LockTimeoutError('The zypper lock %s is still held after waiting %s seconds: %s'
                                           % (lock_path, self.lock_timeout, (out + err).strip()[:300]),
                                           rc=rc, stdout=out, stderr=err, cmd=argv)
                time.sleep(0.5)
                continue
            if rc == ZYPPER_EXIT_INF_RESTART_NEEDED and reruns == 0:
                reruns += 1
                continue
            return rc, out, err, argv

    def _checked(self, args, what, ok=SUCCESS_CODES, refresh=False):
        rc, out, err, argv = self._zypper(args, refresh=refresh)
        if rc not in ok:
            detail = ''
            try:
                detail = error_summary(parse_xml_stream(out))
            except BackendError:
                pass
            raise BackendError('zypper failed to %s (exit code %d): %s' % (what, rc, detail or err.strip()[:500]),
                               rc=rc, stdout=out, stderr=err, cmd=argv)
        return out

    def _rpm_installed(self):
        argv = ['rpm', '--root', self.root, '-qa', '--qf', RPM_QUERY_FORMAT]
        rc, out, err = self.run_command(argv, env=self._env())
        if rc != 0:
            raise BackendError('rpm could not list the installed packages (exit code %d): %s' % (rc, err.strip()[:500]),
                               rc=rc, stdout=out, stderr=err, cmd=argv)
        return parse_rpm_query(out)

    # -- reading

    def refresh(self):
        """``zypper refresh``; repositories that cannot be refreshed (exit 106) fail the run."""
        self._checked(['refresh'], 'refresh the repository metadata', ok=(ZYPPER_EXIT_OK,), refresh=True)

    def _enabled_repositories(self):
        """[{'alias', 'name', 'enabled'}] of the enabled repositories."""
        return [repo for repo in parse_repos(self._checked(['repos'], 'list the repositories')) if repo['enabled']]

    def _read_raw_patches(self, aliases, patches):
        """Fill ``patches`` from the raw updateinfo of ``aliases``; return the aliases that have none cached."""
        uncached = []
        for alias in aliases:
            path = updateinfo_path(os.path.join(self._cache_dir, 'raw', alias, 'repodata'))
            if path is None:
                uncached.append(alias)
                continue
            with open_metadata(path) as handle:
                for patch in parse_updateinfo(handle).values():
                    patch.repository = alias
                    _merge_patch(patches, patch)
        return uncached

    def _read_patches_through_zypper(self, aliases, patches):
        """Fallback for repositories without cached raw updateinfo: list-patches + one info call each."""
        for alias in aliases:
            listed = parse_patch_list(self._checked(['list-patches', '--all', '--repo', alias], 'list the patches'))
            if not listed:
                continue
            contents = parse_patch_info_contents(self._checked(['info', '-t', 'patch', '--repo', alias]
                                                               + sorted(listed), 'read the patch contents'))
            for name, patch in listed.items():
                patch.packages = set((package, None, evr) for package, evr in contents.get(name, ()))
                patch.repository = alias
                _merge_patch(patches, patch)

    def _read_raw_available(self, aliases):
        """Rows of every package in the raw primary metadata of ``aliases``; None when one has none cached."""
        rows = []
        for alias in aliases:
            path = metadata_path(os.path.join(self._cache_dir, 'raw', alias, 'repodata'), 'primary')
            if path is None:
                return None
            with open_metadata(path) as handle:
                rows.extend(parse_primary(handle, alias))
        return rows

    def read_universe(self, operating_system, product, advisory_only=False):
        """Installed packages (rpm), patches (raw updateinfo) and, unless ``advisory_only``, every
        available version (raw primary metadata, else ``zypper search``); see the module docstring."""
        repositories = self._enabled_repositories()
        aliases = [repo['alias'] for repo in repositories]
        # rpm reads its database in its own process while this one parses the metadata
        rpm_query = _InBackground(self._rpm_installed)
        patches = {}
        try:
            with gc_paused():
                uncached = self._read_raw_patches(aliases, patches)
                available = None if advisory_only else self._read_raw_available(aliases)
        finally:
            installed = rpm_query.result()
        if uncached:
            self._read_patches_through_zypper(uncached, patches)
        if available is None and not advisory_only:
            found = self._zypper_search()
            # search names repositories by their name; records name them by alias, as the raw metadata does
            alias_of = dict((repo['name'], repo['alias']) for repo in repositories)
            available = [(name, arch, version, alias_of.get(repository, repository), status)
                         for name, arch, version, repository, status in (parse_search(found) if found else [])]
        with gc_paused():
            if advisory_only:
                candidates = build_patch_candidates(installed, patches)
            else:
                candidates = build_candidates(installed, available, index_patches(patches))
        return Universe('zypper', operating_system, product, installed, candidates)

    def _zypper_search(self):
        rc, out, err, argv = self._zypper(['search', '--details', '-t', 'package'])
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
        return self._zypper(args)

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
        installed = dict(((package.name, package.arch), package.version) for package in self._rpm_installed())
        for name, arch, version in targets:
            key = '%s.%s' % (name, arch)
            now = installed.get((name, arch))
            if now is None or compare_evr(now, version) != 0:
                failed.setdefault(key, errors.get(key) or '%s is at %s after the update, not %s'
                                  % (key, now or 'not installed', version))
        return InstallOutcome(items, failed=failed, messages=messages)

    def reboot_required(self):
        """zypper's own signal: ``zypper needs-rebooting`` exits 102 when libzypp set
        <root>/run/reboot-needed (a package flagged as needing a reboot was installed),
        or an install in this run exited 102."""
        if self._reboot_signalled:
            return True
        rc, _out, _err, _argv = self._zypper(['needs-rebooting'])
        if rc in (ZYPPER_EXIT_OK, ZYPPER_EXIT_INF_REBOOT_NEEDED):
            return rc == ZYPPER_EXIT_INF_REBOOT_NEEDED
        return os.path.exists(os.path.join(self.root, 'run/reboot-needed'))

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
            inside_root = _first_missing_ancestor(os.path.join(self.root, private.lstrip('/')))
        saved = (self._repo_args, self._cache_dir)
        try:
            reposd = os.path.join(private, 'repos.d')
            os.makedirs(reposd)
            for file_name, text in rendered:
                with open(os.path.join(reposd, file_name), 'w') as handle:
                    handle.write(text)
            self._cache_dir = os.path.join(private, 'cache')
            self._repo_args = ['--reposd-dir', reposd, '--cache-dir', self._cache_dir]
            self.refresh()
            yield
        finally:
            self._repo_args, self._cache_dir = saved
            shutil.rmtree(private, ignore_errors=True)
            if inside_root:
                shutil.rmtree(inside_root, ignore_errors=True)
