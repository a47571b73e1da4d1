# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ApprovedPatches / RejectedPatches and InstallOverrideList matching, per package family.

A package version is matched by generating every name form AWS accepts for it
(``ssm-semantics.md`` §4.1) and testing them against the list: an exact hit in a set,
or one search of a single compiled regex that holds every wildcard entry. Matching is
case-insensitive; ``*``, ``?`` and ``[...]`` (shell style) may sit anywhere.

- apt: bare package names only (an entry covers every arch and version).
- dnf: rpm name forms; the approved list also takes advisory, CVE and Bugzilla IDs
  (an all-digit entry is a Bugzilla ID), which approve every package of the notice.
- zypper: rpm name forms, ``name-version-release.arch.rpm`` and patch names; the
  approved list also takes CVE and Bugzilla IDs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.fleetops.patch_manager.plugins.module_utils._versions import split_evr
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import RPM_FAMILIES

WILDCARD_CHARACTERS = frozenset('*?[')
# Generated forms are joined with this separator and searched in one regex call;
# no package name, version or advisory ID contains it.
_SEPARATOR = '\n'


def has_wildcard(pattern):
    """Whether ``pattern`` uses shell-style wildcards."""
    return not WILDCARD_CHARACTERS.isdisjoint(pattern)


class _GroupNames(object):
    """Unique names for the capture groups of one compiled regex (several patterns may share it)."""

    def __init__(self):
        self.count = 0

    def next(self):
        self.count += 1
        return 'g%d' % self.count


def _glob_tokens(pattern):
    """A lower-cased shell pattern -> tokens: None for ``*``, else regex text matching exactly one character.

    Consecutive stars are one star. A literal separator can never match (no form contains one).
    """
    tokens = []
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        index += 1
        if char == '*':
            if not tokens or tokens[-1] is not None:
                tokens.append(None)
        elif char == '?':
            tokens.append('[^\n]')
        elif char == '[':
            end = index
            if end < length and pattern[end] == '!':
                end += 1
            if end < length and pattern[end] == ']':
                end += 1
            end = pattern.find(']', end)
            if end < 0:  # no closing bracket: a literal '['
                tokens.append('\\[')
                continue
            body = pattern[index:end]
            index = end + 1
            negate = body.startswith('!')
            tokens.append(_bracket_to_regex(body[1:] if negate else body, negate))
        elif char == _SEPARATOR:
            tokens.append('(?!)')
        else:
            tokens.append(re.escape(char))
    return tokens


def _glob_to_regex(pattern, names=None):
    """Regex text for one lower-cased shell pattern; wildcards never cross a separator.

    Linear by construction, whatever the number of stars: the pattern is the segments
    between its stars (each matches a fixed number of characters). The first segment
    must start the text and the last must end it; every segment in between is matched
    at its leftmost occurrence and never tried elsewhere -- a segment further left only
    leaves more room for the rest, so that occurrence succeeds whenever any does. The
    commitment is a lookahead (atomic in Python's re) whose capture is then consumed by
    a backreference, so the regex engine cannot backtrack into earlier segments: at most
    one pass over the text per segment, O(len(text) * len(pattern)), where a plain
    translation of ``*`` backtracks exponentially in the number of stars.

    Written here rather than taken from ``fnmatch.translate`` because that function's
    output changed shape between Python 3.8 and 3.11 (and 3.8's backtracks).
    """
    names = names or _GroupNames()
    segments = [[]]
    for token in _glob_tokens(pattern):
        if token is None:
            segments.append([])
        else:
            segments[-1].append(token)
    if len(segments) == 1:
        return ''.join(segments[0])
    parts = [''.join(segments[0])]
    for segment in segments[1:-1]:
        name = names.next()
        parts.append('(?=(?P<%s>[^\n]*?%s))(?P=%s)' % (name, ''.join(segment), name))
    parts.append('[^\n]*' + ''.join(segments[-1]))
    return ''.join(parts)


def _bracket_to_regex(body, negate):
    """Regex for a shell ``[...]`` class: single characters and ``a-z`` ranges, as fnmatch reads them."""
    members = []
    index, length = 0, len(body)
    while index < length:
        if index + 2 < length and body[index + 1] == '-':
            low, high = body[index], body[index + 2]
            if low <= high:  # a reversed range matches nothing, as in fnmatch
                members.append('%s-%s' % (re.escape(low), re.escape(high)))
            index += 3
        else:
            members.append(re.escape(body[index]))
            index += 1
    if not members:
        return '[^\n]' if negate else '(?!)'
    return '[%s%s]' % ('^\n' if negate else '', ''.join(members))


def compile_glob(pattern):
    """A predicate ``matches(text)`` for one case-insensitive shell pattern (linear time, see _glob_to_regex)."""
    lowered = pattern.lower()
    if not has_wildcard(lowered):
        return lambda text: text.lower() == lowered
    regex = re.compile('(?:%s)\\Z' % _glob_to_regex(lowered))
    return lambda text: regex.match(text.lower()) is not None


def glob_match(pattern, text):
    """Case-insensitive shell-style match of one ``pattern`` against the whole ``text``."""
    return compile_glob(pattern)(text)


def display_version(family, version):
    """A version as people write it: rpm without a zero epoch (``1.2-3``), apt unchanged."""
    if family in RPM_FAMILIES and version.startswith('0:'):
        return version[2:]
    return version


def package_title(family, name, arch, version):
    """The AWS patch title: rpm ``name.arch:epoch:version-release``, apt ``name.arch:version``."""
    if family in RPM_FAMILIES:
        epoch, upstream, release = split_evr(version)
        evr = '%s:%s-%s' % (epoch, upstream, release) if release else '%s:%s' % (epoch, upstream)
        return '%s.%s:%s' % (name, arch, evr)
    return '%s.%s:%s' % (name, arch, version)


def rpm_name_forms(name, arch, version):
    """Every rpm name construction AWS accepts for one package version (§4.1)."""
    epoch, upstream, release = split_evr(version)
    vr = '%s-%s' % (upstream, release) if release else upstream
    evr = '%s:%s' % (epoch, vr)
    return (
        name,
        '%s.%s' % (name, arch),
        '%s-%s' % (name, upstream),
        '%s-%s' % (name, vr),
        '%s-%s.%s' % (name, vr, arch),
        upstream,
        vr,
        evr,
        '%s-%s' % (name, evr),
        '%s-%s.%s' % (name, evr, arch),
        '%s:%s-%s.%s' % (epoch, name, vr, arch),
        '%s.%s:%s' % (name, arch, evr),
    )


def name_forms(family, name, arch, version):
    """The lower-cased strings a list entry is tested against for one package version."""
    if family == 'apt':
        return (name.lower(),)
    forms = rpm_name_forms(name, arch, version)
    if family == 'zypper':
        epoch, upstream, release = split_evr(version)
        vr = '%s-%s' % (upstream, release) if release else upstream
        forms += ('%s-%s.%s.rpm' % (name, vr, arch),)
    return tuple(form.lower() for form in forms)


class PatternList(object):
    """One compiled ApprovedPatches or RejectedPatches list for one family.

    ``match_package`` / ``match_candidate`` return a list entry (as the user wrote
    it) that matched, or None; exact entries are tried before wildcard entries.
    """

    def __init__(self, entries, family, approved, forms_cache=None):
        self.entries = list(entries or ())
        self.family = family
        # Which identifiers of a candidate (besides its name forms) the list may name.
        self.match_advisories = family == 'zypper' or (approved and family == 'dnf')
        self.match_references = approved and family in RPM_FAMILIES
        self._exact = {}
        self._bugzilla = {}
        wildcard_entries = []
        for entry in self.entries:
            lowered = entry.lower()
            if self.match_references and lowered.isdigit():
                self._bugzilla.setdefault(lowered, entry)
            elif has_wildcard(lowered):
                wildcard_entries.append(entry)
            else:
                self._exact.setdefault(lowered, entry)
        self._wildcard_entries = wildcard_entries
        self._regex = None
        if wildcard_entries:
            names = _GroupNames()
            alternatives = '|'.join('(?P<e%d>%s)' % (index, _glob_to_regex(entry.lower(), names))
                                    for index, entry in enumerate(wildcard_entries))
            # One search per package: each alternative must span one whole form.
            self._regex = re.compile('(?:^|\n)(?:%s)(?=\n|$)' % alternatives)
        # Lists of one family may share it: the forms depend only on the package.
        self._forms_cache = {} if forms_cache is None else forms_cache

    def __bool__(self):
        return bool(self.entries)

    __nonzero__ = __bool__

    def _forms(self, name, arch, version):
        key = (name, arch, version)
        cached = self._forms_cache.get(key)
        if cached is None:
            forms = name_forms(self.family, name, arch, version)
            cached = (forms, _SEPARATOR.join(forms))
            self._forms_cache[key] = cached
        return cached

    def _search(self, forms, joined):
        for form in forms:
            entry = self._exact.get(form)
            if entry is not None:
                return entry
        if self._regex is not None:
            found = self._regex.search(joined)
            if found is not None:
                # the entry's group closes after the groups inside it: it is the last matched
                return self._wildcard_entries[int(found.lastgroup[1:])]
        return None

    def match_package(self, name, arch, version):
        """The entry naming this package version through its name forms, or None."""
        if not self.entries:
            return None
        forms, joined = self._forms(name, arch, version)
        return self._search(forms, joined)

    def match_identifiers(self, candidate):
        """The entry naming the candidate's advisory, CVE or Bugzilla IDs, or None."""
        identifiers = []
        if self.match_advisories and candidate.advisory_id:
            identifiers.append(candidate.advisory_id.lower())
        if self.match_references:
            for bugzilla_id in candidate.bugzilla_ids:
                entry = self._bugzilla.get(str(bugzilla_id).lower())
                if entry is not None:
                    return entry
            identifiers.extend(cve_id.lower() for cve_id in candidate.cve_ids)
        if not identifiers:
            return None
        return self._search(identifiers, _SEPARATOR.join(identifiers))

    def match_candidate(self, candidate):
        """The entry matching one candidate record by name form or identifier, or None."""
        if not self.entries:
            return None
        return (self.match_package(candidate.name, candidate.arch, candidate.version)
                or self.match_identifiers(candidate))


def compile_list(entries, family, approved, forms_cache=None):
    """Compile an ApprovedPatches (``approved=True``) or RejectedPatches list once.

    ``forms_cache``: a dict shared by the lists of one evaluation (same family).
    """
    return PatternList(entries, family, approved, forms_cache)


class OverrideList(object):
    """A compiled InstallOverrideList: ``{id, title}`` entries.

    ``id`` matches ``name.arch``; ``title`` matches the family's patch title
    (``package_title``); when an entry gives both, both must match.
    """

    def __init__(self, entries, family):
        self.family = family
        self.entries = []
        for entry in entries or ():
            patch_id, title = entry.get('id'), entry.get('title')
            self.entries.append((entry, _compile_one(patch_id), _compile_one(title)))

    def match(self, name, arch, version):
        """The first entry selecting this package version, or None."""
        kb_id = ('%s.%s' % (name, arch)).lower()
        title = package_title(self.family, name, arch, version).lower()
        for entry, id_matcher, title_matcher in self.entries:
            if id_matcher is None and title_matcher is None:
                continue
            if id_matcher is not None and not id_matcher(kb_id):
                continue
            if title_matcher is not None and not title_matcher(title):
                continue
            return entry
        return None


def _compile_one(pattern):
    """A predicate for one text, or None when no pattern is given."""
    if pattern is None or pattern == '':
        return None
    return compile_glob(str(pattern))


def compile_override_list(entries, family):
    """Compile InstallOverrideList entries (dicts with ``id`` and/or ``title``) once."""
    return OverrideList(entries, family)
