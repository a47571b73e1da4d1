# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline engine: a package universe + a canonical baseline + a time -> per-package results.

Pure: no host access. Follows ``ssm-semantics.md`` §3.1 (evaluation model), §3.7-§3.8
(security gate, dates), §4 (lists) and §5.2 (what each patch reports), with the
decisions of CONTRACT.md. See ``evaluate`` for the entry point and docs/DESIGN.md
"Engine" for the shapes.

Per candidate record (one version as seen through one advisory):

1. rejected list (by version: any record of a rejected version rejects the version) -> not approved;
2. approved list, if the record is security or ApprovedPatchesEnableNonSecurity (zypper: always)
   -> ApprovedPatchesComplianceLevel; the list bypasses global filters and rules;
3. global filters AND any rule (filters, security gate unless EnableNonSecurity or zypper,
   date test unless apt) -> that rule's ComplianceLevel; the record's level is the highest.

Per installed name+arch the target is the highest approved version; the state follows.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import datetime

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _versions
from ansible_collections.fleetops.patch_manager.plugins.module_utils._baseline import rpm_identifier_kind
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BaselineValidationError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._patterns import (
    compile_list,
    display_version,
    package_title,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import Candidate
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import (  # noqa: F401 pylint: disable=unused-import
    COMPLIANCE_RANK, UTC, as_utc, iso_date, iso_time,
)

ONE_DAY = datetime.timedelta(days=1)

Evaluation = collections.namedtuple('Evaluation', ['patches', 'not_applicable_count', 'install_targets'])

# Filter keys the engine evaluates against a candidate record. CLASSIFICATION and
# SEVERITY compare case-insensitively (the payload does so on dnf/zypper and title-cases
# on yum). PRIORITY does too: baselines write Debian priorities capitalised
# (`Required`, as DescribePatchProperties lists them) while control files and
# python-apt give them lower-case (`required`), so an exact comparison would never match.
# SECTION is free-form and compared exactly.
RECORD_ATTRIBUTES = {
    'CLASSIFICATION': 'classification',
    'SEVERITY': 'severity',
    'PRIORITY': 'priority',
    'SECTION': 'section',
}
CASE_INSENSITIVE_KEYS = frozenset(('CLASSIFICATION', 'SEVERITY', 'PRIORITY'))
SUPPORTED_KEYS = tuple(sorted(list(RECORD_ATTRIBUTES) + ['PRODUCT']))


def security_waived(family):
    """SUSE installs security and non-security patches alike (§3.4, §3.7): no security gate on zypper."""
    return family == 'zypper'


def _days(count):
    return '1 day' if int(count) == 1 else '%d days' % int(count)


def _values_text(values):
    values = list(values)
    if len(values) == 1:
        return values[0]
    return '%s or %s' % (', '.join(values[:-1]), values[-1])


def order_versions(family, versions, installed):
    """``(newer, same, older)`` than ``installed``; newer and older newest first.

    ``versions``: the candidate versions of one name+arch. The order is ``_versions.order``'s
    (the system library's when one decides, else the pure-Python tuple keys).
    """
    runs = _versions.order(family, set(versions) | set([installed]))
    position = next(index for index, run in enumerate(runs) if installed in run)
    newer = [version for run in runs[:position] for version in run]
    same = [version for version in runs[position] if version in versions]
    older = [version for run in runs[position + 1:] for version in run]
    return newer, same, older


class _Filter(object):
    """One compiled record filter: ``accepts(record)``; a ``*`` filter is never compiled."""

    __slots__ = ('key', 'values', 'attribute', 'accepted', 'folded')

    def __init__(self, key, values, operating_system):
        self.key = key
        self.values = list(values)
        self.attribute = RECORD_ATTRIBUTES[key]
        self.folded = key in CASE_INSENSITIVE_KEYS
        accepted = set(value.lower() for value in values) if self.folded else set(values)
        if key == 'SEVERITY' and operating_system == 'AMAZON_LINUX_2023' and 'medium' in accepted:
            accepted.add('moderate')  # AL2023: Medium also selects third-party Moderate
        self.accepted = frozenset(accepted)

    def value_of(self, record):
        return getattr(record, self.attribute)

    def accepts(self, record):
        value = getattr(record, self.attribute)
        if value is None:
            return False
        return (value.lower() if self.folded else value) in self.accepted

    def failure(self, record, subject):
        """Why ``record`` fails this filter, as a clause."""
        value = self.value_of(record)
        has = ('%s has %s' % (subject, value)) if value is not None else ('%s has no %s' % (subject, self.key))
        return 'needs %s %s and %s' % (self.key, _values_text(self.values), has)


class _FilterGroup(object):
    """Compiled filters of one group; PRODUCT is decided once, for the node."""

    def __init__(self, filters, path, product, operating_system):
        self.filters = []
        self.product_failure = None
        for index, patch_filter in enumerate(filters or ()):
            key = patch_filter.get('key')
            values = list(patch_filter.get('values') or ())
            if key not in SUPPORTED_KEYS:
                raise BaselineValidationError('%s[%d].key' % (path, index),
                                              '%r is not one of %s' % (key, ', '.join(SUPPORTED_KEYS)))
            if '*' in values:
                continue  # matches anything, including no value at all
            if key == 'PRODUCT':
                if product not in values and self.product_failure is None:
                    self.product_failure = 'needs PRODUCT %s and the node %s' % (
                        _values_text(values), 'is %s' % product if product else 'has no product')
                continue
            self.filters.append(_Filter(key, values, operating_system))

    def accepts(self, record):
        for record_filter in self.filters:
            if not record_filter.accepts(record):
                return False
        return True

    def failure(self, record, subject):
        """Why ``record`` fails the group, or None when it passes."""
        if self.product_failure:
            return self.product_failure
        for record_filter in self.filters:
            if not record_filter.accepts(record):
                return record_filter.failure(record, subject)
        return None

    def describe(self, record):
        """``KEY=value, ...`` of the record for the filters that restrict."""
        parts = ['%s=%s' % (record_filter.key, record_filter.value_of(record)) for record_filter in self.filters]
        return ', '.join(parts)


class _Rule(object):
    """One compiled approval rule."""

    def __init__(self, number, rule, family, evaluation_time, product, operating_system):
        path = 'approval_rules.patch_rules[%d]' % (number - 1)
        self.number = number
        group = rule.get('patch_filter_group') or {}
        self.group = _FilterGroup(group.get('patch_filters'), path + '.patch_filter_group.patch_filters',
                                  product, operating_system)
        level = rule.get('compliance_level') or 'UNSPECIFIED'
        if level not in COMPLIANCE_RANK:
            raise BaselineValidationError(path + '.compliance_level', '%r is not one of %s'
                                          % (level, ', '.join(sorted(COMPLIANCE_RANK, key=COMPLIANCE_RANK.get))))
        self.level = level
        self.rank = COMPLIANCE_RANK[level]
        self.enable_non_security = bool(rule.get('enable_non_security'))
        self.approve_after_days = rule.get('approve_after_days')
        self.approve_until_date = rule.get('approve_until_date')
        # apt has no release dates: date rules are ignored there (§3.5).
        self.cutoff = None
        if family != 'apt':
            if self.approve_until_date is not None:
                try:
                    until = datetime.datetime.strptime(str(self.approve_until_date), '%Y-%m-%d')
                except ValueError:
                    raise BaselineValidationError(path + '.approve_until_date',
                                                  '%r is not a date in the form YYYY-MM-DD' % (self.approve_until_date,))
                # The whole day counts: released before the next midnight UTC.
                self.cutoff = until.replace(tzinfo=UTC) + ONE_DAY
            elif self.approve_after_days is not None:
                self.cutoff = evaluation_time - datetime.timedelta(days=int(self.approve_after_days))
        self.usable = self.group.product_failure is None

    def date_passes(self, record):
        if self.cutoff is None or record.release_date is None:
            return True  # no release date counts as 1970-01-01: approved at once
        return as_utc(record.release_date) < self.cutoff

    def describe(self, record):
        """``rule 2 (CLASSIFICATION=Security, SEVERITY=Critical; 7 days after 2026-01-03)``."""
        parts = self.group.describe(record) or 'any update'
        date_text = self._date_text(record)
        if date_text:
            parts = '%s; %s' % (parts, date_text)
        return 'rule %d (%s)' % (self.number, parts)

    def _date_text(self, record):
        if self.cutoff is None:
            return None
        released = iso_date(record.release_date) if record.release_date is not None else None
        if self.approve_until_date is not None:
            return '%s, by %s' % ('released %s' % released if released else 'no release date',
                                  self.approve_until_date)
        if released is None:
            return 'no release date'
        return '%s after %s' % (_days(self.approve_after_days), released)

    def failure(self, record, subject, waive_security):
        """Why this rule does not approve ``record``, as a clause naming the rule, or None."""
        if self.group.product_failure:
            return 'rule %d %s' % (self.number, self.group.product_failure)
        if not (record.security or waive_security or self.enable_non_security):
            return '%s is a non-security update and rule %d does not enable non-security updates' % (subject, self.number)
        why = self.group.failure(record, subject)
        if why:
            return 'rule %d %s' % (self.number, why)
        if not self.date_passes(record):
            released = iso_date(record.release_date)
            if self.approve_until_date is not None:
                return ('rule %d approves only updates released by %s and %s was released %s'
                        % (self.number, self.approve_until_date, subject, released))
            days = int(self.approve_after_days)
            approvable = as_utc(record.release_date) + datetime.timedelta(days=days)
            return ('rule %d approves %s only after %s (%s after %s)'
                    % (self.number, subject, iso_date(approvable), _days(days), released))
        return None


class _Engine(object):
    """A baseline compiled for one universe and one evaluation time."""

    def __init__(self, baseline, universe, evaluation_time, dependency_resolver, advisory_only=False):
        self.family = family = universe.family
        self.advisory_only = advisory_only
        self._time_texts = {}
        self._approvals = {}
        self.product = universe.product
        operating_system = universe.operating_system or baseline.get('operating_system')
        self.evaluation_time = as_utc(evaluation_time)
        self.resolver = dependency_resolver
        forms_cache = {}
        self.approved = compile_list(baseline.get('approved_patches'), family, True, forms_cache)
        self.rejected = compile_list(baseline.get('rejected_patches'), family, False, forms_cache)
        self.block = (baseline.get('rejected_patches_action') or 'ALLOW_AS_DEPENDENCY') == 'BLOCK'
        approved_level = baseline.get('approved_patches_compliance_level') or 'UNSPECIFIED'
        if approved_level not in COMPLIANCE_RANK:
            raise BaselineValidationError('approved_patches_compliance_level', '%r is not one of %s'
                                          % (approved_level, ', '.join(sorted(COMPLIANCE_RANK, key=COMPLIANCE_RANK.get))))
        self.approved_level = approved_level
        self.approved_rank = COMPLIANCE_RANK[approved_level]
        self.approved_non_security = bool(baseline.get('approved_patches_enable_non_security'))
        self.waive_security = security_waived(family)
        self.global_group = _FilterGroup((baseline.get('global_filters') or {}).get('patch_filters'),
                                         'global_filters.patch_filters', self.product, operating_system)
        rules = (baseline.get('approval_rules') or {}).get('patch_rules') or ()
        self.rules = [_Rule(number, rule, family, self.evaluation_time, self.product, operating_system)
                      for number, rule in enumerate(rules, 1)]
        self.usable_rules = [rule for rule in self.rules if rule.usable]
        if self.global_group.product_failure:
            self.usable_rules = []

    # -- approval of one record / one version -------------------------------------------

    def approval(self, record):
        """``(rank, level, source)`` for an approved record, else None (rejection not included).

        ``source`` is ``('list', entry)`` or ``('rule', rule)``: the highest contributor.
        """
        if self.approved:
            return self._approval(record)
        # Without an approved list the answer depends only on these attributes, which
        # thousands of records share (one notice's packages, one Debian priority+section).
        key = (record.security, record.classification, record.severity, record.priority, record.section,
               record.release_date)
        try:
            return self._approvals[key]
        except KeyError:
            found = self._approvals[key] = self._approval(record)
            return found

    def _approval(self, record):
        best = None
        secure = record.security or self.waive_security
        if self.approved and (secure or self.approved_non_security):
            entry = self.approved.match_candidate(record)
            if entry is not None:
                best = (self.approved_rank, self.approved_level, ('list', entry))
        if self.usable_rules and self.global_group.accepts(record):
            for rule in self.usable_rules:
                if best is not None and rule.rank <= best[0]:
                    continue  # cannot raise the level
                if not (secure or rule.enable_non_security):
                    continue
                if rule.group.accepts(record) and rule.date_passes(record):
                    best = (rule.rank, rule.level, ('rule', rule))
        return best

    def rejected_entry(self, name, arch, version, records):
        """The RejectedPatches entry rejecting this version (by name form or zypper patch), or None."""
        if not self.rejected:
            return None
        entry = self.rejected.match_package(name, arch, version)
        if entry is None:
            for record in records:
                entry = self.rejected.match_identifiers(record)
                if entry is not None:
                    break
        return entry

    def best_record(self, records):
        """``(approval, record)`` of the record giving the highest compliance, or (None, None)."""
        best, best_record = None, None
        for record in records:
            approval = self.approval(record)
            if approval is not None and (best is None or approval[0] > best[0]):
                best, best_record = approval, record
        return best, best_record

    def first_approved(self, name, arch, versions, by_version):
        """``(version, approval, record)`` of the first of ``versions`` that is approved and not rejected, else Nones."""
        for version in versions:
            if self.rejected_entry(name, arch, version, by_version[version]) is not None:
                continue
            approval, record = self.best_record(by_version[version])
            if approval is not None:
                return version, approval, record
        return None, None, None

    # -- explanations -------------------------------------------------------------------

    def show(self, version):
        return display_version(self.family, version)

    def source_text(self, approval, record):
        kind, detail = approval[2]
        if kind == 'list':
            return 'ApprovedPatches entry %r' % detail
        return detail.describe(record)

    def why_not(self, name, arch, version, records):
        """A clause saying why no record of ``version`` is approved."""
        subject = self.show(version)
        entry = self.rejected_entry(name, arch, version, records)
        if entry is not None:
            return '%s is rejected by RejectedPatches entry %r' % (subject, entry)
        record = records[0]
        reasons = []
        listed = self.approved.match_candidate(record) if self.approved else None
        if listed is not None:
            reasons.append('%s matches ApprovedPatches entry %r but is a non-security update and '
                           'approved_patches_enable_non_security is false' % (subject, listed))
        if not self.rules:
            if listed is None:
                reasons.append('%s is named by no ApprovedPatches entry and the baseline has no approval rules'
                               % subject)
        else:
            global_failure = self.global_group.failure(record, subject)
            if global_failure:
                reasons.append('the global filter %s' % global_failure)
            else:
                for rule in self.rules:
                    why = rule.failure(record, subject, self.waive_security)
                    if why:
                        reasons.append(why)
        return '; '.join(reasons) or '%s is not approved' % subject

    # -- one installed package ----------------------------------------------------------

    def evaluate_installed(self, package, by_version):
        name, arch, installed = package.name, package.arch, package.version
        if not by_version:
            newer = same = older = []       # nothing offered, nothing to order
        elif len(by_version) == 1 and installed in by_version:
            newer, same, older = [], [installed], []    # only the installed version is offered
        else:
            newer, same, older = order_versions(self.family, by_version, installed)
        same_records = [record for version in same for record in by_version[version]]

        installed_rejected = self.rejected_entry(name, arch, installed, same_records)
        target, approval, record = self.first_approved(name, arch, newer, by_version)
        if target is None and installed_rejected is None:
            target, approval, record = self.first_approved(name, arch, same + older, by_version)

        patch = self.base_patch(package)
        if target is not None and target in newer:
            self.fill_missing(patch, package, target, approval, record, newer, by_version, installed_rejected)
        elif installed_rejected is not None:
            action = 'BLOCK' if self.block else 'ALLOW_AS_DEPENDENCY'
            patch.update(state='INSTALLED_REJECTED' if self.block else 'INSTALLED_OTHER',
                         reason='Rejected by RejectedPatches entry %r (%s); %s is installed.'
                         % (installed_rejected, action, self.show(installed)))
            if self.block and same_records:
                self.fill_record(patch, same_records[0])
        elif target is not None:
            self.fill_record(patch, record)
            patch.update(state='INSTALLED', approved_version=target, compliance_level=approval[1],
                         advisory_ids=self.approving_advisories(by_version[target]))
            source = self.source_text(approval, record)
            if target in same and record.from_package_database:
                patch['reason'] = ('Approved by %s as the package database records %s, which no repository offers; '
                                   'it is installed.' % (source, self.show(installed)))
            elif target in same:
                patch['reason'] = 'Approved by %s; %s is installed.' % (source, self.show(installed))
            else:
                patch['reason'] = ('Approved by %s; %s is installed, above the highest approved version %s.'
                                   % (source, self.show(installed), self.show(target)))
        else:
            explained = (newer or same or older or [None])[0]
            if explained is None:
                why = 'no repository offers %s.%s' % (name, arch)
                if self.advisory_only and self.family != 'apt':     # apt keeps every record of installed packages
                    why += ' in an advisory (versions in no advisory were not read: this baseline cannot approve them)'
            else:
                why = self.why_not(name, arch, explained, by_version[explained])
                if by_version[explained][0].from_package_database:
                    why = ('no repository offers %s.%s %s; as the package database records it, %s'
                           % (name, arch, self.show(explained), why))
            patch.update(state='INSTALLED_OTHER', reason='No approved version: %s.' % why)
        return patch

    def base_patch(self, package):
        return {
            'title': package_title(self.family, package.name, package.arch, package.version),
            'kb_id': '%s.%s' % (package.name, package.arch),
            'classification': None,
            'severity': None,
            'state': None,
            'installed_time': self.installed_time_text(package.installed_time),
            'cve_ids': [],
            'name': package.name,
            'arch': package.arch,
            'installed_version': package.version,
            'approved_version': None,
            'compliance_level': 'UNSPECIFIED',
            'advisory_ids': [],
            'release_date': None,
            'reason': None,
        }

    def installed_time_text(self, value):
        # a package manager transaction gives many packages the same time: format each once
        text = self._time_texts.get(value)
        if text is None:
            text = self._time_texts[value] = iso_time(value)
        return text

    def fill_record(self, patch, record):
        """Classification, severity and release date as the record reports them (§5.2)."""
        patch['classification'] = record.classification
        # apt: the patch severity is the Debian priority.
        patch['severity'] = record.priority if self.family == 'apt' else record.severity
        patch['release_date'] = iso_time(record.release_date)

    def approving_advisories(self, records):
        return sorted(set(record.advisory_id for record in records
                          if record.advisory_id and self.approval(record) is not None))

    def fill_missing(self, patch, package, target, approval, record, newer, by_version, installed_rejected):
        name, arch = package.name, package.arch
        self.fill_record(patch, record)
        covered = newer[newer.index(target):]  # installed < version <= target
        records = [covered_record for version in covered for covered_record in by_version[version]]
        if self.family != 'apt':  # CVE IDs are never reported for apt (§5.2)
            patch['cve_ids'] = sorted(set(cve for covered_record in records for cve in covered_record.cve_ids))
        patch.update(state='MISSING', title=package_title(self.family, name, arch, target),
                     approved_version=target, compliance_level=approval[1],
                     advisory_ids=sorted(set(item.advisory_id for item in records if item.advisory_id)))
        reason = 'Approved by %s; %s is available and %s is installed' % (
            self.source_text(approval, record), self.show(target), self.show(package.version))
        if installed_rejected is not None:
            reason += ' (rejected by RejectedPatches entry %r)' % installed_rejected
        blocker = self.blocking_dependency(name, arch, target)
        if blocker is not None:
            (dep_name, dep_arch, dep_version), entry = blocker
            reason += (', but the update needs %s.%s %s, which RejectedPatches entry %r blocks'
                       % (dep_name, dep_arch, self.show(dep_version), entry))
            patch['blocked'] = True
        patch['reason'] = reason + '.'

    def blocking_dependency(self, name, arch, version):
        """``((name, arch, version), entry)`` of a rejected package the update needs (BLOCK), or None."""
        if not (self.block and self.rejected and self.resolver is not None):
            return None
        for dependency in self.resolver(name, arch, version) or ():
            dep_name, dep_arch, dep_version = tuple(dependency)[:3]
            if (dep_name, dep_arch) == (name, arch):
                continue
            entry = self.rejected.match_package(dep_name, dep_arch, dep_version)
            if entry is not None:
                return (dep_name, dep_arch, dep_version), entry
        return None

    # -- packages that are not installed ------------------------------------------------

    def any_approved(self, name, arch, by_version):
        for version, records in by_version.items():
            for record in records:
                if self.approval(record) is not None:
                    if self.rejected_entry(name, arch, version, records) is None:
                        return True
                    break  # the version is rejected; try the next one
        return False


def group_candidates(candidates):
    """``{(name, arch): {version: [records]}}`` in one pass."""
    groups = {}
    for candidate in candidates:
        _add_to_group(groups, (candidate.name, candidate.arch), candidate)
    return groups


def _add_to_group(groups, key, candidate):
    by_version = groups.get(key)
    if by_version is None:
        by_version = groups[key] = {}
    records = by_version.get(candidate.version)
    if records is None:
        by_version[candidate.version] = [candidate]
    else:
        records.append(candidate)


def split_candidates(candidates, installed):
    """(``{(name, arch): {version: [records]}}`` of installed name+arch, the other records as a list).

    Most records (tens of thousands on a full host) are of packages that are not installed;
    they are only counted, so they are not grouped here.
    """
    groups, others = {}, []
    add_other = others.append
    for candidate in candidates:
        key = (candidate.name, candidate.arch)
        if key in installed:
            _add_to_group(groups, key, candidate)
        else:
            add_other(candidate)
    return groups, others


def count_not_applicable(engine, records):
    """How many name+arch among ``records`` (none installed) have an approved version that is not rejected."""
    if not engine.rejected:
        # No rejected list: a name+arch counts at its first approved record, in any version.
        counted = set()
        for record in records:
            key = (record.name, record.arch)
            if key not in counted and engine.approval(record) is not None:
                counted.add(key)
        return len(counted)
    return sum(1 for (name, arch), by_version in group_candidates(records).items()
               if engine.any_approved(name, arch, by_version))


def newest_installed(universe):
    """``{(name, arch): InstalledPackage}``; of several installed versions (kernels) the newest counts."""
    installed = {}
    for package in universe.installed:
        key = (package.name, package.arch)
        current = installed.get(key)
        if current is None or _versions.compare(universe.family, package.version, current.version) > 0:
            installed[key] = package
    return installed


def evaluate(baseline, universe, evaluation_time, dependency_resolver=None, advisory_only=False):
    """Evaluate ``baseline`` (canonical dict) on ``universe`` at ``evaluation_time`` (aware UTC).

    Returns ``Evaluation(patches, not_applicable_count, install_targets)``: one patch
    dict per installed name+arch (sorted by name, arch) with the CONTRACT ``patches``
    keys; the number of name+arch not installed that have an approved version; and
    ``(name, arch, version)`` for MISSING packages that may be installed (not those
    whose update needs a package rejected with BLOCK).

    ``dependency_resolver(name, arch, version)`` lists what an update would newly
    install or upgrade; it is called only with BLOCK and a non-empty rejected list,
    for packages whose target is above the installed version.

    ``advisory_only``: the universe holds only records with an advisory (see
    ``advisory_records_suffice``); it changes only the wording of reasons.
    """
    engine = _Engine(baseline, universe, evaluation_time, dependency_resolver, advisory_only)
    installed = newest_installed(universe)
    groups, not_installed_records = split_candidates(universe.candidates, installed)
    patches, install_targets = [], []
    for key in sorted(installed):
        patch = engine.evaluate_installed(installed[key], groups.get(key, {}))
        if patch['state'] == 'MISSING' and not patch.pop('blocked', False):
            install_targets.append((patch['name'], patch['arch'], patch['approved_version']))
        patches.append(patch)
    return Evaluation(patches, count_not_applicable(engine, not_installed_records), install_targets)


# A candidate record outside every advisory, as the rpm backends give it (no notice, no patch).
_NOTICE_LESS_RECORD = Candidate('', '', '')


def advisory_records_suffice(baseline, family):
    """Whether records without an advisory can be left out of the universe without changing any state.

    True when neither the approved list nor any approval rule of ``baseline`` (canonical)
    can approve a record that has no advisory (no classification, no severity, not
    security); such records then only explain why nothing is approved. A backend may
    use it to read only advisory records. Conservative: PRODUCT filters and dates are
    taken to pass.

    apt has no advisories: a version from a security source is its only mark, so there
    the question is whether a version that is not a security update can be approved
    (only ApprovedPatches with approved_patches_enable_non_security, or a rule with
    enable_non_security, can approve one).
    """
    if family == 'apt':
        if baseline.get('approved_patches') and baseline.get('approved_patches_enable_non_security'):
            return False
        rules = (baseline.get('approval_rules') or {}).get('patch_rules') or ()
        return not any(rule.get('enable_non_security') for rule in rules)
    operating_system = baseline.get('operating_system')
    secure = security_waived(family)
    approved = baseline.get('approved_patches') or ()
    if approved and (secure or baseline.get('approved_patches_enable_non_security')):
        # Advisory, CVE and Bugzilla IDs name notices; anything else may name the package.
        if any(rpm_identifier_kind(entry) is None for entry in approved):
            return False
    global_group = _FilterGroup((baseline.get('global_filters') or {}).get('patch_filters'),
                                'global_filters.patch_filters', None, operating_system)
    if not global_group.accepts(_NOTICE_LESS_RECORD):
        return True
    for number, rule in enumerate((baseline.get('approval_rules') or {}).get('patch_rules') or ()):
        if not (secure or rule.get('enable_non_security')):
            continue
        group = _FilterGroup((rule.get('patch_filter_group') or {}).get('patch_filters'),
                             'approval_rules.patch_rules[%d].patch_filter_group.patch_filters' % number,
                             None, operating_system)
        if group.accepts(_NOTICE_LESS_RECORD):
            return False
    return True
