# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Package version comparison for Debian (apt) and rpm (dnf, zypper) versions.

``compare(family, a, b)`` returns -1, 0 or 1. When the system library is importable
(``apt_pkg`` for apt, ``rpm`` for dnf/zypper) it decides, so we agree with the package
manager bit for bit; otherwise a pure-Python implementation of the documented
algorithms (dpkg ``verrevcmp``, rpm ``rpmvercmp``) stands in. The unit tests check
that the two agree.

Version strings are in the family's native form: apt ``[epoch:]upstream[-revision]``,
rpm ``[epoch:]version[-release]``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import re

from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import FAMILIES, RPM_FAMILIES

# Comparisons are cached: the engine compares the same few thousand versions
# against each other many times per run.
_CACHE_SIZE = 1 << 17

# The libraries are imported on first use: a host has at most one of them that matters
# (an apt host never needs rpm, an rpm host never needs apt_pkg).
_libraries = {}


def _imported(name):
    """The module ``name`` (``apt_pkg`` or ``rpm``), or None when it is not importable."""
    if name not in _libraries:
        try:
            _libraries[name] = __import__(name)
        except ImportError:
            _libraries[name] = None
    return _libraries[name]


def _rpm_library():
    return _imported('rpm')


_apt_pkg_ready = []


def _apt_library():
    """``apt_pkg`` ready for ``version_compare``, or None when it cannot be used."""
    apt_pkg = _imported('apt_pkg')
    if apt_pkg is None:
        return None
    if not _apt_pkg_ready:
        try:
            # version_compare needs the versioning system, which needs the config.
            apt_pkg.init_config()
            apt_pkg.init_system()
        except Exception:  # pylint: disable=broad-except
            _apt_pkg_ready.append(False)
        else:
            _apt_pkg_ready.append(True)
    return apt_pkg if _apt_pkg_ready[0] else None


def library_in_use(family):
    """Name of the system library deciding comparisons for ``family``, or None (fallback)."""
    _check_family(family)
    if family == 'apt':
        return 'apt_pkg' if _apt_library() is not None else None
    return 'rpm' if _rpm_library() is not None else None


def _check_family(family):
    if family not in FAMILIES:
        raise ValueError('family must be one of %s, not %r' % (', '.join(FAMILIES), family))


def split_evr(version):
    """Split ``[epoch:]version[-release]`` into ``(epoch, version, release)`` strings.

    A missing epoch is ``'0'``, a missing release ``''``. The epoch ends at the first
    colon and the release starts after the last hyphen (Debian upstream versions may
    contain hyphens; their revision cannot).
    """
    epoch, sep, rest = version.partition(':')
    if not sep:
        epoch, rest = '0', version
    upstream, sep, release = rest.rpartition('-')
    if not sep:
        upstream, release = rest, ''
    return epoch or '0', upstream, release


def join_evr(epoch, version, release, family='dnf'):
    """Inverse of ``split_evr`` in the family's native form.

    dnf/zypper always carry the epoch (``0:1.2-3``); apt omits a zero epoch
    (``1.2-3``), as dpkg prints it. An empty release is left out.
    """
    _check_family(family)
    epoch = str(epoch) if epoch not in (None, '') else '0'
    text = version
    if release:
        text = '%s-%s' % (text, release)
    if family in RPM_FAMILIES or epoch.lstrip('0'):
        text = '%s:%s' % (epoch, text)
    return text


# --- Debian (dpkg verrevcmp) -------------------------------------------------

def _debian_order(char):
    """Sort weight of one character: ``~`` first, then end/digits, letters, the rest."""
    if char == '~':
        return -1
    if char.isdigit():
        return 0
    if 'a' <= char <= 'z' or 'A' <= char <= 'Z':
        return ord(char)
    return ord(char) + 256


def _debian_fragment_compare(left, right):
    """dpkg's ``verrevcmp``: alternate non-digit and digit runs."""
    if not left or not right:
        # libapt ranks an empty fragment below any non-empty one not starting with '~'
        # (dpkg would equate '' and '0'; only an invalid trailing '-' gets here).
        if left == right:
            return 0
        if not left:
            return 1 if right.startswith('~') else -1
        return -1 if left.startswith('~') else 1
    i = j = 0
    len_left, len_right = len(left), len(right)
    while i < len_left or j < len_right:
        # Non-digit run, character by character; end of string weighs 0.
        while (i < len_left and not left[i].isdigit()) or (j < len_right and not right[j].isdigit()):
            left_weight = _debian_order(left[i]) if i < len_left else 0
            right_weight = _debian_order(right[j]) if j < len_right else 0
            if left_weight != right_weight:
                return -1 if left_weight < right_weight else 1
            i += 1
            j += 1
        # Digit run, compared as a number (leading zeros do not count).
        start_i = i
        while i < len_left and left[i].isdigit():
            i += 1
        start_j = j
        while j < len_right and right[j].isdigit():
            j += 1
        left_number = int(left[start_i:i] or '0')
        right_number = int(right[start_j:j] or '0')
        if left_number != right_number:
            return -1 if left_number < right_number else 1
    return 0


def _debian_epoch(text):
    try:
        return int(text)
    except ValueError:
        return 0


def _debian_parts(version):
    """(epoch, upstream, revision); no revision at all counts as revision ``0``."""
    epoch, upstream, revision = split_evr(version)
    if not revision and not version.endswith('-'):
        revision = '0'
    return epoch, upstream, revision


def debian_compare(left, right):
    """Compare two Debian versions with the dpkg algorithm (pure Python)."""
    left_epoch, left_upstream, left_revision = _debian_parts(left)
    right_epoch, right_upstream, right_revision = _debian_parts(right)
    left_number, right_number = _debian_epoch(left_epoch), _debian_epoch(right_epoch)
    if left_number != right_number:
        return -1 if left_number < right_number else 1
    return (_debian_fragment_compare(left_upstream, right_upstream)
            or _debian_fragment_compare(left_revision, right_revision))


# --- rpm (rpmvercmp) ----------------------------------------------------------

def _is_rpm_alpha(char):
    return 'a' <= char <= 'z' or 'A' <= char <= 'Z'


def _is_rpm_digit(char):
    return '0' <= char <= '9'


def _is_rpm_separator(char):
    """Characters rpm skips between segments (anything but ASCII alnum, ``~``, ``^``)."""
    return not (_is_rpm_alpha(char) or _is_rpm_digit(char) or char in '~^')


def _rpm_marker_order(left_char, right_char):
    """Order decided by a ``~`` or ``^`` at the current position: -1/1, 0 (both the same marker, go on), else None.

    ``~`` sorts before everything, even the end of the string; ``^`` sorts after the
    end of the string but before anything else. ``''`` stands for the end.
    """
    for marker, end_order in (('~', 1), ('^', -1)):
        if left_char == marker or right_char == marker:
            if left_char == right_char:
                return 0
            if not (left_char and right_char):  # one side has ended
                return end_order if not left_char else -end_order
            return -1 if left_char == marker else 1
    return None


def rpmvercmp(left, right):
    """rpm's segment comparison of one version or release string (pure Python)."""
    if left == right:
        return 0
    i = j = 0
    len_left, len_right = len(left), len(right)
    while i < len_left or j < len_right:
        while i < len_left and _is_rpm_separator(left[i]):
            i += 1
        while j < len_right and _is_rpm_separator(right[j]):
            j += 1
        left_char = left[i] if i < len_left else ''
        right_char = right[j] if j < len_right else ''
        marker = _rpm_marker_order(left_char, right_char)
        if marker is not None:
            if marker:
                return marker
            i += 1
            j += 1
            continue
        if not (left_char and right_char):
            break
        is_segment_char = _is_rpm_digit if _is_rpm_digit(left_char) else _is_rpm_alpha
        end_i = i
        while end_i < len_left and is_segment_char(left[end_i]):
            end_i += 1
        end_j = j
        while end_j < len_right and is_segment_char(right[end_j]):
            end_j += 1
        left_segment, right_segment = left[i:end_i], right[j:end_j]
        if not right_segment:
            # Segments of different types: a numeric one is newer than an alphabetic one.
            return 1 if is_segment_char is _is_rpm_digit else -1
        if is_segment_char is _is_rpm_digit:
            left_segment = left_segment.lstrip('0')
            right_segment = right_segment.lstrip('0')
            if len(left_segment) != len(right_segment):
                return -1 if len(left_segment) < len(right_segment) else 1
        if left_segment != right_segment:
            return -1 if left_segment < right_segment else 1
        i, j = end_i, end_j
    left_rest, right_rest = i < len_left, j < len_right
    if not left_rest and not right_rest:
        return 0
    return 1 if left_rest else -1


def rpm_compare(left, right):
    """Compare two ``[E:]V[-R]`` strings as ``rpm.labelCompare`` does (pure Python)."""
    for left_part, right_part in zip(split_evr(left), split_evr(right)):
        result = rpmvercmp(left_part, right_part)
        if result:
            return result
    return 0


# --- tuple keys: the same orders, computed once per version ------------------------
#
# Sorting n versions with a comparison function costs O(n log n) interpreted calls.
# These keys encode the two algorithms above as plain tuples instead (computed once per
# version, compared in C). The unit tests check them against ``compare``.

_RPM_TILDE, _RPM_END, _RPM_CARET, _RPM_ALPHA, _RPM_DIGIT = (0,), (1,), (2,), 3, 4

# Segments rpmvercmp sees; everything else only separates them.
_RPM_SEGMENT = re.compile(r'[0-9]+|[a-zA-Z]+|~|\^')


def _rpm_segment(token):
    if token == '~':
        return _RPM_TILDE
    if token == '^':
        return _RPM_CARET
    if token[0] <= '9':
        return (_RPM_DIGIT, int(token))
    return (_RPM_ALPHA, token)


@functools.lru_cache(maxsize=1 << 16)  # releases and epochs repeat across packages
def _rpm_segments_key(text):
    """rpmvercmp order of one version/release string as a tuple (ends with ``_RPM_END``)."""
    return tuple([_rpm_segment(token) for token in _RPM_SEGMENT.findall(text)] + [_RPM_END])


def rpm_key(version):
    """Tuple key ordering ``[E:]V[-R]`` strings as ``rpm_compare`` does."""
    return tuple(_rpm_segments_key(part) for part in split_evr(version))


_DEBIAN_EMPTY_RUN = ((0,), 0)
# libapt ranks an empty fragment (only a trailing '-' gives one) below any other
# fragment except those starting with '~' (as in _debian_fragment_compare).
_DEBIAN_EMPTY_FRAGMENT = (((0,), -1),)


@functools.lru_cache(maxsize=1 << 16)
def _debian_fragment_key(text):
    """dpkg verrevcmp order of one fragment: (non-digit weights + end, number) pairs."""
    if not text:
        return _DEBIAN_EMPTY_FRAGMENT
    pairs = []
    index, length = 0, len(text)
    while index < length:
        weights = []
        while index < length and not text[index].isdigit():
            weights.append(_debian_order(text[index]))
            index += 1
        weights.append(0)  # the end of a run weighs 0, between '~' and everything else
        end = index
        while end < length and text[end].isdigit():
            end += 1
        pairs.append((tuple(weights), int(text[index:end] or '0')))
        index = end
    # A shorter fragment goes on as empty runs. Every pair after the first starts with
    # a non-empty non-digit run, whose first weight is never 0, so one empty run at the
    # end decides against whatever the longer fragment has next.
    pairs.append(_DEBIAN_EMPTY_RUN)
    return tuple(pairs)


def debian_key(version):
    """Tuple key ordering Debian versions as ``debian_compare`` does."""
    epoch, upstream, revision = _debian_parts(version)
    return (_debian_epoch(epoch), _debian_fragment_key(upstream), _debian_fragment_key(revision))


def tuple_key(family):
    """The pure-Python order of ``family`` as a tuple ``key=`` function (oldest first)."""
    _check_family(family)
    return debian_key if family == 'apt' else rpm_key


# --- public API ---------------------------------------------------------------

def _sign(number):
    return (number > 0) - (number < 0)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _cached_compare(family, left, right):
    if family == 'apt':
        library = _apt_library()
        if library is not None:
            return _sign(library.version_compare(left, right))
        return debian_compare(left, right)
    rpm = _rpm_library()
    if rpm is not None:
        return _sign(rpm.labelCompare(split_evr(left), split_evr(right)))
    return rpm_compare(left, right)


def compare(family, left, right):
    """-1, 0 or 1 as version ``left`` is older than, equal to or newer than ``right``."""
    _check_family(family)
    return _cached_compare(family, left, right)


def sort_key(family):
    """A ``key=`` function that sorts version strings of ``family`` oldest first.

    The library's order (through ``compare``) when a system library decides, else the tuple key.
    """
    if library_in_use(family) is None:
        return tuple_key(family)
    return functools.cmp_to_key(functools.partial(compare, family))


def order(family, versions):
    """The distinct ``versions`` newest first, as a list of runs of equal versions: ``[[v, ...], ...]``.

    Sorted by the tuple key. When a system library decides comparisons, each adjacent
    pair of that order is checked with ``compare`` (the library); if any pair disagrees,
    the library sorts instead. A total order that agrees on every adjacent pair agrees
    everywhere, so the result is always the library's order, at n library calls
    instead of n log n.
    """
    key = tuple_key(family)
    keyed = sorted(((key(version), version) for version in set(versions)), reverse=True)
    if library_in_use(family) is not None:
        for (left_key, left), (right_key, right) in zip(keyed, keyed[1:]):
            if compare(family, left, right) != (1 if left_key > right_key else 0):
                return _order_by_library(family, [version for dummy, version in keyed])
    runs = []
    previous_key = None
    for version_key, version in keyed:
        if runs and version_key == previous_key:
            runs[-1].append(version)
        else:
            runs.append([version])
        previous_key = version_key
    return runs


def _order_by_library(family, versions):
    """``order`` with ``compare`` deciding every step (``versions``: distinct, in a fixed order)."""
    library_key = functools.cmp_to_key(functools.partial(compare, family))
    runs = []
    for version in sorted(versions, key=library_key, reverse=True):
        if runs and compare(family, runs[-1][0], version) == 0:
            runs[-1].append(version)
        else:
            runs.append([version])
    return runs
