# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Patch states -> node counters, compliance status and severity (``ssm-semantics.md`` §5).

Also the state rewrites that depend on what a run did: ``after_install`` (Install results)
and ``apply_pending`` (Scan of a host with NoReboot installs not yet booted past), and
``install_failure`` (whether and why an Install fails). This module is the one place that
decides FAILED: backends only report what the package manager said about a package
(``InstallOutcome.problems``), and the evaluation after the run says what is installed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _versions
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import (
    COMPLIANCE_RANK, INSTALLED_STATES, NON_COMPLIANT_STATES, STATE_COUNTERS,
)


def highest_level(levels):
    """The most severe of ``levels`` (UNSPECIFIED when there are none)."""
    best = 'UNSPECIFIED'
    for level in levels:
        if COMPLIANCE_RANK.get(level, 0) > COMPLIANCE_RANK[best]:
            best = level
    return best


def summarise(patches, not_applicable_count):
    """The ``instance_patch_state`` counters, ``compliance_status`` and ``non_compliant_severity``.

    Non-compliant items are counted as critical (compliance level CRITICAL) and/or
    security (classification Security) -- one item can be both -- or else as other.
    The severity is the highest compliance level among non-compliant items,
    INFORMATIONAL when they are all UNSPECIFIED, and None for a compliant node.
    """
    summary = dict((counter, 0) for dummy, counter in STATE_COUNTERS)
    counter_of = dict(STATE_COUNTERS)
    summary.update(not_applicable_count=int(not_applicable_count or 0), critical_non_compliant_count=0,
                   security_non_compliant_count=0, other_non_compliant_count=0)
    non_compliant_levels = []
    for patch in patches:
        state = patch['state']
        if state not in counter_of:
            raise ValueError('patch %s has state %r, not one of %s'
                             % (patch.get('kb_id'), state, ', '.join(sorted(counter_of))))
        summary[counter_of[state]] += 1
        if state not in NON_COMPLIANT_STATES:
            continue
        level = patch.get('compliance_level') or 'UNSPECIFIED'
        non_compliant_levels.append(level)
        critical = level == 'CRITICAL'
        security = (patch.get('classification') or '').lower() == 'security'
        if critical:
            summary['critical_non_compliant_count'] += 1
        if security:
            summary['security_non_compliant_count'] += 1
        if not (critical or security):
            summary['other_non_compliant_count'] += 1
    if non_compliant_levels:
        summary['compliance_status'] = 'NON_COMPLIANT'
        severity = highest_level(non_compliant_levels)
        summary['non_compliant_severity'] = 'INFORMATIONAL' if severity == 'UNSPECIFIED' else severity
    else:
        summary['compliance_status'] = 'COMPLIANT'
        summary['non_compliant_severity'] = None
    return summary


def _triple(item):
    """``(name, arch, version)`` of a tuple or a dict with name/arch/version (version may be absent)."""
    if isinstance(item, dict):
        return (item['name'], item['arch'], item.get('version'))
    item = tuple(item)
    return item[:3] + (None,) * (3 - len(item[:3]))


def _by_name_arch(items):
    """``{(name, arch): (name, arch, version)}`` for tuples or dicts."""
    return dict((triple[:2], triple) for triple in (_triple(item) for item in items or ()))


def _shown(version):
    """A version as people read it: dpkg never prints a zero epoch, so dropping ``0:`` is safe."""
    return version[2:] if version and version.startswith('0:') else version


def after_install(before, after, attempted, installed_by_run, pending, override=False, problems=None, family=None):
    """Install states from the evaluation after the run (``after``, a patch list).

    - ``before``: the patch list evaluated before the run (for the versions it started from);
    - ``attempted``: the install targets ``(name, arch, version)`` the run tried;
    - ``installed_by_run``: ``(name, arch, version)`` the run installed or upgraded;
    - ``pending``: ``(name, arch, version)`` installed by NoReboot runs and not yet booted past;
    - ``override``: the run used an InstallOverrideList (then ``family`` orders versions);
    - ``problems``: ``{'name.arch': what the package manager said}`` (``InstallOutcome.problems``),
      quoted in the reason of a package that did not get there.

    FAILED: without an override list, an approved update still MISSING after the run (AWS
    never reports MISSING from Install), attempted or not; with one, compliance stays relative
    to the baseline (MISSING stays) and a listed package that did not reach the version the
    run tried is FAILED. An installed package recorded as pending becomes
    INSTALLED_PENDING_REBOOT.
    """
    started_from = dict(((patch['name'], patch['arch']), patch.get('installed_version')) for patch in before or ())
    tried = _by_name_arch(attempted)
    changed = _by_name_arch(installed_by_run)
    pending_keys = set(_triple(item) for item in pending or ())
    problems = problems or {}
    result = []
    for patch in after:
        key = (patch['name'], patch['arch'])
        state = patch['state']
        said = problems.get('%s.%s' % key)
        if override and key in tried and _below(family, patch.get('installed_version'), tried[key][2]):
            patch = dict(patch, state='FAILED', reason=_with_problem(
                'The install override list asked for %s but %s is still installed'
                % (tried[key][2], patch.get('installed_version')), said))
        elif state == 'MISSING' and not override:
            if key in tried:
                reason = _with_problem('Install tried %s but %s is still installed' % (
                    _shown(tried[key][2] or patch.get('approved_version')), _shown(patch.get('installed_version'))), said)
            else:
                reason = 'Install did not update it: %s' % _lower_first(patch.get('reason') or 'it was not attempted.')
            patch = dict(patch, state='FAILED', reason=reason)
        elif state in INSTALLED_STATES and (key[0], key[1], patch.get('installed_version')) in pending_keys:
            if key in changed:
                reason = ('Installed by this run (%s to %s) with NoReboot; the host has not booted since.'
                          % (_shown(started_from.get(key)) or 'not installed', _shown(patch.get('installed_version'))))
            else:
                reason = ('Installed (%s) by an earlier Install run with NoReboot; the host has not booted since.'
                          % _shown(patch.get('installed_version')))
            patch = dict(patch, state='INSTALLED_PENDING_REBOOT', reason=reason)
        result.append(patch)
    return result


def install_failure(patches, problems):
    """Why an Install fails (one sentence naming every package), or None when it does not.

    It fails when a patch is FAILED, and when the package manager reported a problem with a
    package even though the package got there (a scriptlet that failed after rpm recorded
    the new version): the run did not go as it should, as AWS-RunPatchBaseline's exit code says.
    """
    failed = dict(('%s.%s' % (patch['name'], patch['arch']), None) for patch in patches if patch['state'] == 'FAILED')
    for key, why in (problems or {}).items():
        failed[key] = why
    if not failed:
        return None
    parts = ['%s (%s)' % (key, why) if why else key for key, why in sorted(failed.items())]
    return 'Install failed for %d package(s): %s.' % (len(parts), '; '.join(parts))


def _below(family, installed, target):
    return installed is None or _versions.compare(family, installed, target) < 0


def _with_problem(sentence, said):
    """``sentence.`` or ``sentence: what the package manager said.``"""
    if not said:
        return sentence + '.'
    return '%s: %s%s' % (sentence, said, '' if said.endswith('.') else '.')


def apply_pending(patches, pending_keys):
    """Scan: installed patches a NoReboot run recorded, not yet booted past, become INSTALLED_PENDING_REBOOT.

    ``pending_keys``: ``(name, arch, version)`` tuples or ``{name, arch, version}`` dicts
    (the node state file's ``pending`` list); the installed version must still match.
    """
    pending = set(_triple(item) for item in pending_keys or ())
    result = []
    for patch in patches:
        if patch['state'] in INSTALLED_STATES and (patch['name'], patch['arch'], patch.get('installed_version')) in pending:
            patch = dict(patch, state='INSTALLED_PENDING_REBOOT',
                         reason=('Installed (%s) by an Install run with NoReboot; the host has not booted since.'
                                 % _shown(patch.get('installed_version'))))
        result.append(patch)
    return result


def _lower_first(text):
    return text[:1].lower() + text[1:] if text else text
