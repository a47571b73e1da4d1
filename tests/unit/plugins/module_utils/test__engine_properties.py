# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Properties of the baseline engine on generated universes and baselines (hypothesis).

The oracle below is a deliberately plain reading of ssm-semantics §3.1 (one record at
a time, fnmatch over every name form, no precompiling, no early exits), so the
engine's optimisations are checked against the rules rather than against themselves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fnmatch

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from ansible_collections.fleetops.patch_manager.plugins.module_utils._baseline import (
    filter_values_for,
    normalise_baseline,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._compliance import highest_level, summarise
from ansible_collections.fleetops.patch_manager.plugins.module_utils._evaluate import advisory_records_suffice, evaluate
from ansible_collections.fleetops.patch_manager.plugins.module_utils._patterns import name_forms
from ansible_collections.fleetops.patch_manager.plugins.module_utils._versions import compare
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import COMPLIANCE_LEVELS
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.engine_cases import (
    NOW,
    OPERATING_SYSTEM,
    PRODUCT,
    installed,
    universe,
)
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import Candidate

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = ('a', 'b', 'c', 'd')
ARCHES = {'apt': ('amd64', 'all'), 'dnf': ('x86_64', 'noarch'), 'zypper': ('x86_64', 'noarch')}
VERSIONS = {
    'apt': ('1.0-1', '1.1-1', '1.1-1ubuntu1', '1.2~rc1-1', '1.2-1', '1:0.9-1'),
    'dnf': ('0:1.0-1', '0:1.1-1', '0:1.1-1.el9', '0:1.2~rc1-1', '0:1.2-1', '1:0.9-1'),
    'zypper': ('0:1.0-1', '0:1.1-1', '0:1.1-1.1', '0:1.2~rc1-1', '0:1.2-1', '1:0.9-1'),
}
DATES = (None, NOW - datetime.timedelta(days=1), NOW - datetime.timedelta(days=10),
         datetime.datetime(2025, 12, 31, 23, 0, tzinfo=datetime.timezone.utc))
ADVISORIES = ('FLEET-2026:0001', 'FLEET-2026:0002', 'SUSE-2026-3')
APPROVED_ENTRIES = {'apt': ('a', 'b*', '*c*'),
                    'dnf': ('a', 'b*', 'c.x86_64', '*-1.1*', 'FLEET-2026:0001', 'CVE-2026-0001', '1000001'),
                    'zypper': ('a', 'b*', 'c-1.1-1.x86_64.rpm', 'SUSE-2026-3', 'CVE-2026-0001')}
REJECTED_ENTRIES = {'apt': ('a', 'b*', 'd'),
                    'dnf': ('a', 'b*', 'd.noarch', '*-1.2-*', 'c-1:*'),
                    'zypper': ('a', 'b*', 'd', 'SUSE-2026-3', '*-1.2-1.*.rpm')}
FILTER_KEYS = {'apt': ('PRIORITY', 'SECTION', 'PRODUCT'), 'dnf': ('CLASSIFICATION', 'SEVERITY', 'PRODUCT'),
               'zypper': ('CLASSIFICATION', 'SEVERITY', 'PRODUCT')}
SECTIONS = ('admin', 'libs', 'utils')


@st.composite
def records(draw, family):
    name = draw(st.sampled_from(NAMES))
    arch = draw(st.sampled_from(ARCHES[family]))
    version = draw(st.sampled_from(VERSIONS[family]))
    if family == 'apt':
        security = draw(st.booleans())
        return Candidate(name, arch, version, security=security, classification='Security' if security else None,
                         priority=draw(st.sampled_from(('required', 'important', 'optional', 'Optional', None))),
                         section=draw(st.sampled_from(SECTIONS + (None,))))
    advisory = draw(st.sampled_from((None,) + ADVISORIES))
    return Candidate(name, arch, version, security=advisory is not None, advisory_id=advisory,
                     classification=draw(st.sampled_from((None, 'Security', 'security', 'Bugfix', 'Recommended'))),
                     severity=draw(st.sampled_from((None, 'Critical', 'important', 'Moderate', 'Low'))),
                     release_date=draw(st.sampled_from(DATES)),
                     cve_ids=draw(st.sampled_from(((), ('CVE-2026-0001',), ('CVE-2026-0002', 'CVE-2026-0001')))),
                     bugzilla_ids=draw(st.sampled_from(((), ('1000001',)))))


@st.composite
def universes(draw, family):
    packages = {}
    for dummy in range(draw(st.integers(0, 5))):
        name, arch = draw(st.sampled_from(NAMES)), draw(st.sampled_from(ARCHES[family]))
        packages[(name, arch)] = installed(name, draw(st.sampled_from(VERSIONS[family])), arch=arch)
    candidates = draw(st.lists(records(family), max_size=14))
    product = draw(st.sampled_from((PRODUCT[family], 'OtherProduct')))
    return universe(family, list(packages.values()), candidates, product=product)


@st.composite
def patch_filters(draw, family):
    key = draw(st.sampled_from(FILTER_KEYS[family]))
    allowed = filter_values_for(OPERATING_SYSTEM[family], key)
    if key == 'PRODUCT':
        allowed = (PRODUCT[family], 'OtherProduct')
    elif key == 'SECTION':
        allowed = SECTIONS
    values = draw(st.lists(st.sampled_from(tuple(allowed) + ('*',)), min_size=1, max_size=3, unique=True))
    return {'key': key, 'values': values}


def _unique_keys(filters):
    return len(set(item['key'] for item in filters)) == len(filters)


@st.composite
def baseline_specs(draw, family):
    """A baseline in the YAML (snake_case) shape a user writes."""
    rules = []
    for dummy in range(draw(st.integers(0, 3))):
        rule = {'patch_filter_group': {'patch_filters': draw(st.lists(patch_filters(family), max_size=3)
                                                             .filter(_unique_keys))},
                'compliance_level': draw(st.sampled_from(COMPLIANCE_LEVELS)),
                'enable_non_security': draw(st.booleans())}
        if draw(st.booleans()):
            rule['approve_after_days'] = draw(st.sampled_from((0, 2, 7, 30)))
        else:
            rule['approve_until_date'] = draw(st.sampled_from(('2025-12-31', '2026-01-25', '2026-02-01')))
        rules.append(rule)
    return {
        'name': 'PropertyBaseline',
        'operating_system': OPERATING_SYSTEM[family],
        'global_filters': {'patch_filters': draw(st.lists(patch_filters(family), max_size=2).filter(_unique_keys))},
        'approval_rules': {'patch_rules': rules},
        'approved_patches': draw(st.lists(st.sampled_from(APPROVED_ENTRIES[family]), max_size=3, unique=True)),
        'approved_patches_compliance_level': draw(st.sampled_from(COMPLIANCE_LEVELS)),
        'approved_patches_enable_non_security': draw(st.booleans()),
        'rejected_patches': draw(st.lists(st.sampled_from(REJECTED_ENTRIES[family]), max_size=2, unique=True)),
        'rejected_patches_action': draw(st.sampled_from(('ALLOW_AS_DEPENDENCY', 'BLOCK'))),
    }


FAMILIES = st.sampled_from(('apt', 'dnf', 'zypper'))


@st.composite
def scenarios(draw):
    family = draw(FAMILIES)
    return family, draw(baseline_specs(family)), draw(universes(family))


# -- the oracle: ssm-semantics §3.1 read literally ---------------------------------------------

def _listed(entries, family, record, approved):
    forms = name_forms(family, record.name, record.arch, record.version)
    identifiers = []
    if family == 'zypper' or (approved and family == 'dnf'):
        identifiers.append(record.advisory_id or '')
    if approved and family != 'apt':
        identifiers.extend(record.cve_ids)
    for entry in entries:
        lowered = entry.lower()
        if approved and family != 'apt' and lowered.isdigit():
            if lowered in record.bugzilla_ids:
                return True
            continue
        if any(fnmatch.fnmatchcase(text.lower(), lowered) for text in forms + tuple(identifiers)):
            return True
    return False


def _filter_passes(patch_filter, record, product):
    values = patch_filter['values']
    if '*' in values:
        return True
    if patch_filter['key'] == 'PRODUCT':
        return product in values
    value = getattr(record, patch_filter['key'].lower())
    if value is None:
        return False
    if patch_filter['key'] == 'SECTION':
        return value in values
    return value.lower() in [item.lower() for item in values]


def _date_passes(rule, record, family):
    if family == 'apt' or record.release_date is None:
        return True
    if rule['approve_until_date'] is not None:
        until = datetime.datetime.strptime(rule['approve_until_date'], '%Y-%m-%d').replace(tzinfo=datetime.timezone.utc)
        return record.release_date < until + datetime.timedelta(days=1)
    return record.release_date < NOW - datetime.timedelta(days=rule['approve_after_days'])


def oracle_levels(baseline, family, product, record):
    """Every compliance level that approves ``record`` (rejection aside)."""
    levels = []
    secure = record.security or family == 'zypper'
    if (secure or baseline['approved_patches_enable_non_security']) and \
            _listed(baseline['approved_patches'], family, record, approved=True):
        levels.append(baseline['approved_patches_compliance_level'])
    if all(_filter_passes(item, record, product) for item in baseline['global_filters']['patch_filters']):
        for rule in baseline['approval_rules']['patch_rules']:
            if (secure or rule['enable_non_security']) and _date_passes(rule, record, family) and all(
                    _filter_passes(item, record, product) for item in rule['patch_filter_group']['patch_filters']):
                levels.append(rule['compliance_level'])
    return levels


def oracle_rejected(baseline, family, name, arch, version, candidates):
    probe = Candidate(name, arch, version)
    if _listed(baseline['rejected_patches'], family, probe, approved=False):
        return True
    return any(_listed(baseline['rejected_patches'], family, record, approved=False) for record in candidates
               if (record.name, record.arch) == (name, arch) and compare(family, record.version, version) == 0)


def oracle_approved_versions(baseline, the_universe, name, arch):
    """``{version: highest level}`` of the approved, not rejected versions of name+arch."""
    family = the_universe.family
    approved = {}
    for record in the_universe.candidates:
        if (record.name, record.arch) != (name, arch):
            continue
        levels = oracle_levels(baseline, family, the_universe.product, record)
        if levels and not oracle_rejected(baseline, family, name, arch, record.version, the_universe.candidates):
            approved[record.version] = highest_level(levels + [approved.get(record.version, 'UNSPECIFIED')])
    return approved


def newest(family, versions):
    best = None
    for version in versions:
        if best is None or compare(family, version, best) > 0:
            best = version
    return best


# -- properties ----------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(scenarios())
def test_target_is_the_highest_approved_version_and_state_follows(scenario):
    family, spec, the_universe = scenario
    baseline = normalise_baseline(spec)
    evaluation = evaluate(baseline, the_universe, NOW)
    for patch in evaluation.patches:
        name, arch, current = patch['name'], patch['arch'], patch['installed_version']
        approved = oracle_approved_versions(baseline, the_universe, name, arch)
        target = newest(family, approved)
        installed_rejected = oracle_rejected(baseline, family, name, arch, current, the_universe.candidates)
        if target is not None and compare(family, target, current) > 0:
            expected = ('MISSING', target, approved[target])
        elif installed_rejected:
            block = baseline['rejected_patches_action'] == 'BLOCK'
            expected = ('INSTALLED_REJECTED' if block else 'INSTALLED_OTHER', None, 'UNSPECIFIED')
        elif target is not None:
            expected = ('INSTALLED', target, approved[target])
        else:
            expected = ('INSTALLED_OTHER', None, 'UNSPECIFIED')
        assert (patch['state'], patch['approved_version'], patch['compliance_level']) == expected, patch['reason']


@PROPERTY_SETTINGS
@given(scenarios())
def test_rejected_always_wins(scenario):
    family, spec, the_universe = scenario
    baseline = normalise_baseline(spec)
    evaluation = evaluate(baseline, the_universe, NOW)
    for patch in evaluation.patches:
        if patch['approved_version'] is not None:
            assert not oracle_rejected(baseline, family, patch['name'], patch['arch'], patch['approved_version'],
                                       the_universe.candidates)
    # Rejecting every name leaves nothing approved, whatever else the baseline says.
    baseline['rejected_patches'] = list(NAMES)
    evaluation = evaluate(baseline, the_universe, NOW)
    assert evaluation.install_targets == [] and evaluation.not_applicable_count == 0
    assert set(patch['state'] for patch in evaluation.patches) <= {'INSTALLED_OTHER', 'INSTALLED_REJECTED'}


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_removing_a_rule_never_approves_more(scenario, data):
    family, spec, the_universe = scenario
    baseline = normalise_baseline(spec)
    rules = baseline['approval_rules']['patch_rules']
    if not rules:
        return
    before = evaluate(baseline, the_universe, NOW)
    del rules[data.draw(st.integers(0, len(rules) - 1))]
    after = evaluate(baseline, the_universe, NOW)
    assert after.not_applicable_count <= before.not_applicable_count
    # A target may move to a lower approved version (the removed rule approved the higher one), never appear or rise.
    approved_before = dict(((patch['name'], patch['arch']), patch['approved_version']) for patch in before.patches)
    for name, arch, version in after.install_targets:
        assert approved_before.get((name, arch)) is not None
        assert compare(family, version, approved_before[(name, arch)]) <= 0
    for old, new in zip(before.patches, after.patches):
        if new['approved_version'] is not None:
            assert old['approved_version'] is not None
            assert compare(family, new['approved_version'], old['approved_version']) <= 0


def _aws_filters(filters):
    return {'PatchFilters': [{'Key': item['key'], 'Values': list(item['values'])} for item in filters['patch_filters']]}


def aws_shape(spec):
    """The same baseline as ``aws ssm get-patch-baseline`` prints it (written independently of _baseline)."""
    rules = []
    for rule in spec['approval_rules']['patch_rules']:
        converted = {'PatchFilterGroup': _aws_filters(rule['patch_filter_group']),
                     'ComplianceLevel': rule['compliance_level'], 'EnableNonSecurity': rule['enable_non_security']}
        if 'approve_after_days' in rule:
            converted['ApproveAfterDays'] = rule['approve_after_days']
        else:
            converted['ApproveUntilDate'] = rule['approve_until_date']
        rules.append(converted)
    return {
        'BaselineId': 'pb-0123456789abcdef0', 'Name': spec['name'], 'OperatingSystem': spec['operating_system'],
        'GlobalFilters': _aws_filters(spec['global_filters']), 'ApprovalRules': {'PatchRules': rules},
        'ApprovedPatches': spec['approved_patches'],
        'ApprovedPatchesComplianceLevel': spec['approved_patches_compliance_level'],
        'ApprovedPatchesEnableNonSecurity': spec['approved_patches_enable_non_security'],
        'RejectedPatches': spec['rejected_patches'], 'RejectedPatchesAction': spec['rejected_patches_action'],
        'PatchGroups': [], 'CreatedDate': '2026-01-01T00:00:00Z', 'ModifiedDate': '2026-01-02T00:00:00Z',
        'Description': 'written by the property test', 'Sources': [],
    }


@PROPERTY_SETTINGS
@given(scenarios())
def test_aws_and_yaml_shapes_evaluate_identically(scenario):
    dummy, spec, the_universe = scenario
    from_yaml = evaluate(normalise_baseline(spec), the_universe, NOW)
    from_aws = evaluate(normalise_baseline(aws_shape(spec)), the_universe, NOW)
    assert from_aws == from_yaml


@PROPERTY_SETTINGS
@given(scenarios())
def test_counters_match_the_patch_states(scenario):
    dummy, spec, the_universe = scenario
    evaluation = evaluate(normalise_baseline(spec), the_universe, NOW)
    summary = summarise(evaluation.patches, evaluation.not_applicable_count)
    states = [patch['state'] for patch in evaluation.patches]
    for state, counter in (('INSTALLED', 'installed_count'), ('INSTALLED_OTHER', 'installed_other_count'),
                           ('INSTALLED_REJECTED', 'installed_rejected_count'), ('MISSING', 'missing_count'),
                           ('INSTALLED_PENDING_REBOOT', 'installed_pending_reboot_count'), ('FAILED', 'failed_count')):
        assert summary[counter] == states.count(state)
    assert summary['not_applicable_count'] == evaluation.not_applicable_count
    non_compliant = states.count('MISSING') + states.count('INSTALLED_REJECTED')
    assert summary['compliance_status'] == ('NON_COMPLIANT' if non_compliant else 'COMPLIANT')
    assert summary['critical_non_compliant_count'] + summary['other_non_compliant_count'] <= non_compliant
    assert summary['security_non_compliant_count'] + summary['other_non_compliant_count'] <= non_compliant
    assert list(evaluation.install_targets) == [
        (patch['name'], patch['arch'], patch['approved_version']) for patch in evaluation.patches
        if patch['state'] == 'MISSING']


def _notice_less(record):
    """A record outside every advisory, as an rpm backend with ``advisory_only`` may leave it out."""
    return (record.advisory_id is None and not record.security and record.classification is None
            and record.severity is None and not record.cve_ids and not record.bugzilla_ids)


def _outcome(evaluation):
    return ([(patch['name'], patch['arch'], patch['state'], patch['approved_version'], patch['compliance_level'])
             for patch in evaluation.patches], evaluation.install_targets, evaluation.not_applicable_count)


@PROPERTY_SETTINGS
@given(scenarios(), st.data())
def test_leaving_out_notice_less_records_when_the_hint_allows_changes_no_result(scenario, data):
    family, spec, the_universe = scenario
    baseline = normalise_baseline(spec)
    assume(advisory_records_suffice(baseline, family))
    # Versions in no advisory, as every rpm repository carries them next to the notices.
    notice_less = [Candidate(name, arch, version) for name, arch, version in data.draw(st.lists(st.tuples(
        st.sampled_from(NAMES), st.sampled_from(ARCHES[family]), st.sampled_from(VERSIONS[family])), max_size=8))]
    full = universe(family, the_universe.installed, the_universe.candidates + notice_less, product=the_universe.product)
    advisory_only = universe(family, the_universe.installed, [record for record in full.candidates if not _notice_less(record)],
                             product=the_universe.product)
    assert _outcome(evaluate(baseline, advisory_only, NOW)) == _outcome(evaluate(baseline, full, NOW))
