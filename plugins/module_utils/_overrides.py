# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""InstallOverrideList parsing and BaselineOverride selection (AWS-RunPatchBaseline parameters).

Both arrive as data (a list) or as document text (YAML or JSON); the action plugin reads
files on the controller, the module accepts whatever reaches it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six import string_types

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _baseline
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _documents
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _patterns
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _versions
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import (
    BaselineValidationError,
    InputError,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._validation import type_name

INSTALL_OVERRIDE_LIST = 'install_override_list'
BASELINE_OVERRIDE = 'baseline_override'


def parse_document(text, field):
    """Parse YAML or JSON ``text`` (see _documents); errors name ``field``, never quote the text."""
    try:
        return _documents.load_document(text)
    except _documents.DocumentError as exc:
        raise InputError(field, 'the document %s' % exc)


def read_document(value, field):
    """A string option is document text or a path to a file holding it; anything else is data."""
    if not isinstance(value, string_types):
        return value
    if _documents.looks_like_document(value):
        return parse_document(value, field)
    try:
        return _documents.read_document_file(value)
    except _documents.DocumentError as exc:
        raise InputError(field, str(exc))


def _optional_text(entry, key, path):
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, string_types + (int, float)):
        raise InputError('%s.%s' % (path, key), 'must be a string, not %s' % type_name(value))
    text = str(value).strip()
    if not text:
        raise InputError('%s.%s' % (path, key), 'must not be empty')
    return text


def parse_install_override_list(value, field=INSTALL_OVERRIDE_LIST):
    """Validate an InstallOverrideList and return ``[{'id': str, 'title': str or None}]``.

    Accepts a list of entries, a dict with a ``patches`` list, or YAML/JSON text (or a
    path to it). Extra fields of an entry are ignored, as AWS does.
    """
    document = read_document(value, field)
    entries_path = field
    if isinstance(document, dict):
        if 'patches' not in document:
            raise InputError(field, 'must be a list of {id, title} entries or a document with a "patches:" list')
        document = document['patches']
        entries_path = '%s.patches' % field
    if document is None:
        document = []
    if not isinstance(document, list):
        raise InputError(entries_path, 'must be a list of {id, title} entries, not %s' % type_name(document))
    entries = []
    for index, entry in enumerate(document):
        path = '%s[%d]' % (entries_path, index)
        if not isinstance(entry, dict):
            raise InputError(path, 'must be a dict with a required "id" and an optional "title", not %s'
                             % type_name(entry))
        patch_id = _optional_text(entry, 'id', path)
        if patch_id is None:
            raise InputError('%s.id' % path, 'required')
        entries.append({'id': patch_id, 'title': _optional_text(entry, 'title', path)})
    return entries


def _prefixed(error, prefix):
    return BaselineValidationError('%s.%s' % (prefix, error.path), error.problem)


def parse_baseline_override(value, field=BASELINE_OVERRIDE):
    """Validate every baseline of a BaselineOverride; return their canonical forms.

    A single baseline (a dict) is taken as a list of one.
    """
    document = read_document(value, field)
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list) or not document:
        raise InputError(field, 'must be a non-empty list of baselines (AWS or YAML shape)')
    baselines = []
    for index, entry in enumerate(document):
        path = '%s[%d]' % (field, index)
        if not isinstance(entry, dict):
            raise InputError(path, 'must be a baseline (a dict), not %s' % type_name(entry))
        try:
            baselines.append(_baseline.normalise_baseline(entry))
        except BaselineValidationError as exc:
            raise _prefixed(exc, path)
    return baselines


def select_baseline_override(baselines, operating_system):
    """The override baseline for ``operating_system`` (the first match), or None."""
    for baseline in baselines:
        if baseline.get('operating_system') == operating_system:
            return baseline
    return None


def override_targets(entries, universe):
    """Install targets of an override list: ``[(name, arch, version)]``.

    For every installed package that an entry selects, the highest repository version
    above the installed one that an entry selects (a title filters versions);
    baseline approvals and rejections play no part, as on AWS Linux.
    """
    family = universe.family
    matcher = _patterns.compile_override_list(entries, family)
    installed = dict(((package.name, package.arch), package.version) for package in universe.installed)
    best = {}
    for candidate in universe.candidates:
        key = (candidate.name, candidate.arch)
        current = installed.get(key)
        if current is None or _versions.compare(family, candidate.version, current) <= 0:
            continue
        if key in best and _versions.compare(family, candidate.version, best[key]) <= 0:
            continue
        if matcher.match(candidate.name, candidate.arch, candidate.version) is not None:
            best[key] = candidate.version
    return sorted((name, arch, version) for (name, arch), version in best.items())
