# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one reader of user documents (baselines, override lists, registry files): JSON or YAML text -> data.

Two protections every caller gets:

- a YAML document whose aliases expand to more than ``MAX_EXPANDED_VALUES`` values (an
  "alias bomb": a few hundred bytes that expand to billions of values) or refer to
  themselves is refused: loading shares the aliased objects, but anything that walks the
  data afterwards (validation, templating, JSON for the module) would expand them;
- a parse error says where (line and column) and what, never the document's text, which
  may hold a secret that would otherwise end up in job output.

Python 3.8, standard library (PyYAML when importable: JSON always works).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# Generous: a 1,500-entry InstallOverrideList is about 4,500 values, a large baseline a few hundred.
MAX_EXPANDED_VALUES = 1000000


class DocumentError(ValueError):
    """The text is not a usable document; ``str()`` says why without quoting the text."""


def yaml_library():
    """PyYAML, imported on first use (a run with inline or predefined data never needs it), or None."""
    try:
        import yaml
    except ImportError:
        return None
    return yaml


def looks_like_document(text):
    """Whether a string option holds document text rather than a file path."""
    stripped = text.strip()
    return '\n' in stripped or stripped[:1] in ('[', '{') or stripped.startswith('patches:')


def _yaml_problem(exc):
    mark = getattr(exc, 'problem_mark', None)
    problem = getattr(exc, 'problem', None) or type(exc).__name__
    if mark is not None:
        return 'line %d, column %d: %s' % (mark.line + 1, mark.column + 1, problem)
    return problem


def expanded_size(data, limit=MAX_EXPANDED_VALUES):
    """How many values ``data`` holds once every shared (aliased) container is counted in full.

    Linear in the distinct containers. Raises DocumentError beyond ``limit`` or on a cycle.
    """
    sizes = {}
    active = set()

    def size(value):
        if not isinstance(value, (dict, list, tuple)):
            return 1
        key = id(value)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise DocumentError('refers to itself through a YAML alias')
        active.add(key)
        total = 1
        children = value.items() if isinstance(value, dict) else ((None, item) for item in value)
        for child_key, child in children:
            total += size(child) + (0 if child_key is None else 1)
            if total > limit:
                raise DocumentError('expands to more than %d values through YAML aliases (anchors); refused' % limit)
        active.discard(key)
        sizes[key] = total
        return total

    return size(data)


def load_document(text):
    """Parse JSON or YAML ``text``; raises DocumentError (the reason, never the text).

    JSON is tried first (exported AWS baselines are JSON, and it is faster); YAML needs
    PyYAML, which ansible-core always brings on the controller.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise DocumentError('is not UTF-8 text (byte %d)' % exc.start)
    try:
        return json.loads(text)
    except RecursionError:
        raise DocumentError('nests too deeply to be read')
    except ValueError as json_error:
        yaml = yaml_library()
        if yaml is None:
            raise DocumentError('is not valid JSON (line %d, column %d: %s), and YAML cannot be read here because '
                                'PyYAML is not installed' % (json_error.lineno, json_error.colno, json_error.msg))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as yaml_error:
        raise DocumentError('is not valid YAML or JSON (%s)' % _yaml_problem(yaml_error))
    except RecursionError:
        raise DocumentError('nests too deeply to be read')
    try:
        expanded_size(data)
    except RecursionError:
        raise DocumentError('nests too deeply to be read')
    return data


def read_document_file(path):
    """Load the JSON or YAML file at ``path``; raises DocumentError naming the file, never quoting it."""
    try:
        with open(path, 'rb') as handle:
            text = handle.read()
    except (IOError, OSError) as exc:
        raise DocumentError('cannot read %s: %s' % (path, exc.strerror or exc))
    try:
        return load_document(text)
    except DocumentError as exc:
        raise DocumentError('%s %s' % (path, exc))
