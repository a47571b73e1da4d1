# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsing what ``zypper --xmlout`` prints: pure functions over the text, unit-tested on captured output.

Versions are turned into ``E:V-R`` (epoch always present); patches into ``_rpmmd.PatchInfo``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import xml.etree.ElementTree as ET

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BackendError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._rpmmd import PatchInfo, merge_patch, parse_issue_date

# The repository ``zypper search`` names for versions only the rpm database has.
SYSTEM_REPOSITORY = '(System Packages)'


def normalise_edition(edition):
    """zypper's edition ('1.2-3' or '1:1.2-3') -> 'E:V-R' with the epoch always present."""
    if ':' in edition:
        return edition
    return '0:' + edition


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
        merge_patch(patches, PatchInfo(
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
