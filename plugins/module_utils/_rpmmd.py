# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""rpm-md repository metadata, read straight from a metadata cache: updateinfo and primary.

zypper keeps each repository's raw rpm-md files under ``<cache>/raw/<alias>/repodata``;
these pure functions read them (updateinfo's ``<update>`` elements are zypper's patches,
``PatchInfo``; primary gives every package version). Unit-tested on real files.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import gzip
import os
import re
import xml.etree.ElementTree as ET

from ansible_collections.fleetops.patch_manager.plugins.module_utils._versions import compare
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import (
    EPOCH, ISO_DATE_FORMAT, ISO_UTC_FORMAT, UTC)


def evr_from_parts(epoch, version, release):
    """updateinfo package attributes -> 'E:V-R'."""
    return '%s:%s-%s' % (epoch or '0', version, release)


_PLAIN_DATE = re.compile(r'^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)Z?)?$')


def parse_issue_date(value):
    """An updateinfo/zypper issue date -> aware UTC datetime; unparsable or missing -> 1970-01-01 (section 3.8)."""
    value = (value or '').strip()
    if value.isdigit():
        return datetime.datetime.fromtimestamp(int(value), UTC)
    match = _PLAIN_DATE.match(value)
    if match:
        return datetime.datetime(*[int(part or 0) for part in match.groups()], tzinfo=UTC)
    for layout in ('%Y-%m-%d %H:%M:%S', ISO_UTC_FORMAT, '%Y-%m-%d %H:%M', ISO_DATE_FORMAT):
        try:
            return datetime.datetime.strptime(value, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return EPOCH


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
        self.issued = issued if issued is not None else EPOCH
        self.cve_ids = tuple(cve_ids)
        self.bugzilla_ids = tuple(bugzilla_ids)
        self.packages = set(packages)     # {(name, arch, 'E:V-R')}
        self.repository = repository      # alias of the repository whose updateinfo carries the patch

    def __repr__(self):
        return 'PatchInfo(%r, category=%r, severity=%r)' % (self.name, self.category, self.severity)


def merge_patch(patches, patch):
    """Keep one PatchInfo per name: attributes of the highest patch version, packages of all."""
    known = patches.get(patch.name)
    if known is None:
        patches[patch.name] = patch
        return
    packages = known.packages | patch.packages
    if compare('zypper', patch.version or '0', known.version or '0') > 0:
        patches[patch.name] = patch
    patches[patch.name].packages = packages


def _local_name(tag):
    """'{namespace}name' -> 'name'."""
    return tag.rsplit('}', 1)[-1]


def _updateinfo_patch(update, wanted_names):
    """One <update> element -> PatchInfo; None when it carries none of ``wanted_names`` (a set, or None for all).

    One pass over the update's children (thousands of updates per repository): its id, severity
    and issue date, the references of <references> and the packages of <pkglist>.
    """
    packages, cves, bugs = set(), [], []
    name, severity, issued = '', None, None
    for child in update:
        tag = child.tag
        if tag == 'pkglist':
            for package in child.iter('package'):
                package_name = package.get('name')
                if wanted_names is None or package_name in wanted_names:
                    packages.add((package_name, package.get('arch'),
                                  evr_from_parts(package.get('epoch'), package.get('version'), package.get('release'))))
        elif tag == 'references':
            for reference in child.iter('reference'):
                kind, ident = reference.get('type'), reference.get('id')
                if kind == 'cve' and ident and ident not in cves:
                    cves.append(ident)
                elif kind == 'bugzilla' and ident and ident not in bugs:
                    bugs.append(ident)
        elif tag == 'id':
            name = (child.text or '').strip()
        elif tag == 'severity':
            severity = child.text
        elif tag == 'issued':
            issued = child.get('date')
    if not packages and wanted_names is not None:
        return None
    return PatchInfo(name=name, version=update.get('version') or '', category=update.get('type'), severity=severity,
                     issued=parse_issue_date(issued), cve_ids=cves, bugzilla_ids=bugs, packages=packages)


def parse_updateinfo(source, wanted_names=None, patches=None):
    """Stream an updateinfo.xml (path or file object) into {patch name: PatchInfo}.

    ``wanted_names`` (a set of package names) keeps memory small on large repositories:
    only package versions of those names are kept. updateinfo has no XML namespace
    (createrepo_c, OBS and SUSE's tools write none): tags are compared as they are.
    """
    patches = {} if patches is None else patches
    for _event, element in ET.iterparse(source, events=('end',)):
        if element.tag != 'update':
            continue
        patch = _updateinfo_patch(element, wanted_names)
        if patch is not None and patch.name:
            merge_patch(patches, patch)
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


_PRIMARY_PACKAGES = re.compile(br'<metadata\b[^>]*\spackages="(\d+)"')


def primary_package_count(path):
    """The number of packages a primary.xml(.gz) at ``path`` declares (its root's ``packages``), or None when unknown."""
    if path is None:
        return None
    with open_metadata(path) as handle:
        match = _PRIMARY_PACKAGES.search(handle.read(4096))
    return int(match.group(1)) if match else None


def open_metadata(path):
    """Open a (possibly gzip-compressed) metadata file for binary reading."""
    if path.endswith('.gz'):
        return gzip.open(path, 'rb')
    return open(path, 'rb')
