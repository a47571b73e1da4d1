# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""NOT_APPLICABLE on apt: approved updates of packages that are not installed are counted, not listed.

Real repository, real apt_pkg read of an overlay root (the backend runs under the system
python3), then the real engine in this process.
"""

import copy
import datetime

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate, _predefined
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import (
    Candidate, InstalledPackage, Universe)

import pytest

from tests.functional.apt.aptnode import prepared_root, run_backend
from tests.support.specs import PackageSpec

MAIN = [
    PackageSpec('alpha', '1.0'),
    PackageSpec('hotel', '1.0'),          # not installed; security update below
    PackageSpec('juliet', '1.0'),         # not installed; non-security update only
    PackageSpec('kilo', '1.0'),           # not installed; nothing newer
    PackageSpec('lima', '1.0'),           # not installed; another build of 1.0 is in the security suite
]
SECURITY = [
    PackageSpec('alpha', '1.1'),
    PackageSpec('hotel', '1.1'),
    PackageSpec('hotel', '1.2', priority='important'),
    PackageSpec('india', '2.0'),          # not installed; only in the security suite
    PackageSpec('lima', '1.0', depends=('kilo',)),
]
UPDATES = [
    PackageSpec('juliet', '1.1'),
]
EVALUATION_TIME = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


@pytest.fixture
def scanned(apt_root):
    """The universe of a root with alpha 1.0-1 installed and the repository above, read by the backend."""
    prepared_root(apt_root, MAIN, SECURITY, UPDATES, 'alpha=1.0-1')
    universe, = run_backend(apt_root, [['read_universe', 'DEBIAN', 'Debian12']])
    return universe


def rebuilt(universe):
    return Universe('apt', 'DEBIAN', 'Debian12',
                    [InstalledPackage(p['name'], p['arch'], p['version']) for p in universe['installed']],
                    [Candidate(c['name'], c['arch'], c['version'], repository=c['repository'], security=c['security'],
                               classification=c['classification'], priority=c['priority'], section=c['section'])
                     for c in universe['candidates']])


def debian_default():
    return copy.deepcopy(_predefined.get_predefined('AWS-DebianDefaultPatchBaseline'))


def test_packages_that_are_not_installed_have_one_record_per_version(scanned):
    records = sorted((c['name'], c['version'], c['security'], c['repository']) for c in scanned['candidates']
                     if c['name'] in ('hotel', 'india', 'juliet', 'kilo', 'lima'))
    assert records == [
        ('hotel', '1.0-1', False, 'bookworm'),
        ('hotel', '1.1-1', True, 'bookworm-security'),
        ('hotel', '1.2-1', True, 'bookworm-security'),
        ('india', '2.0-1', True, 'bookworm-security'),
        ('juliet', '1.0-1', False, 'bookworm'),
        ('juliet', '1.1-1', False, 'bookworm-updates'),
        ('kilo', '1.0-1', False, 'bookworm'),
        ('lima', '1.0-1', False, 'bookworm'),             # two builds of one version: both origins kept
        ('lima', '1.0-1', True, 'bookworm-security'),
    ]
    hotel = [c for c in scanned['candidates'] if c['name'] == 'hotel' and c['version'] == '1.2-1']
    assert hotel[0]['priority'] == 'important' and hotel[0]['classification'] == 'Security'
    assert not [p for p in scanned['installed'] if p['name'] in ('hotel', 'india', 'juliet', 'kilo')]


def test_approved_security_updates_of_absent_packages_are_counted_not_listed(scanned):
    evaluation = _evaluate.evaluate(debian_default(), rebuilt(scanned), EVALUATION_TIME)
    # hotel, india and lima have approved (security) versions; juliet and kilo have only non-security ones.
    assert evaluation.not_applicable_count == 3
    listed = set(patch['name'] for patch in evaluation.patches)
    assert 'alpha' in listed and not listed & {'hotel', 'india', 'juliet', 'kilo', 'lima'}
    assert [p['state'] for p in evaluation.patches if p['name'] == 'alpha'] == ['MISSING']


def test_non_security_approval_counts_every_absent_package(scanned):
    baseline = debian_default()
    baseline['approval_rules']['patch_rules'][0]['enable_non_security'] = True
    evaluation = _evaluate.evaluate(baseline, rebuilt(scanned), EVALUATION_TIME)
    absent = set(c['name'] for c in scanned['candidates']) - set(p['name'] for p in scanned['installed'])
    assert {'hotel', 'india', 'juliet', 'kilo', 'lima'} <= absent
    assert evaluation.not_applicable_count == len(absent)


def test_a_rejected_absent_package_is_not_counted(scanned):
    baseline = debian_default()
    baseline['rejected_patches'] = ['india']
    evaluation = _evaluate.evaluate(baseline, rebuilt(scanned), EVALUATION_TIME)
    assert evaluation.not_applicable_count == 2          # hotel and lima


def test_advisory_only_leaves_out_only_non_security_versions_of_absent_packages(apt_root):
    """With advisory_only (the baseline cannot approve non-security versions) the apt read drops
    the versions of packages that are not installed and come from no security source, and
    nothing else: installed packages keep every record, and the Scan's counts do not change."""
    prepared_root(apt_root, MAIN, SECURITY, UPDATES, 'alpha=1.0-1')
    plain, advisory_only = run_backend(apt_root, [['read_universe', 'DEBIAN', 'Debian12'],
                                                  ['read_universe', 'DEBIAN', 'Debian12', True]])

    def records(universe):
        return sorted((c['name'], c['version'], c['security'], c['repository']) for c in universe['candidates'])

    dropped = sorted(set(records(plain)) - set(records(advisory_only)))
    assert dropped == [
        ('hotel', '1.0-1', False, 'bookworm'),
        ('juliet', '1.0-1', False, 'bookworm'),
        ('juliet', '1.1-1', False, 'bookworm-updates'),
        ('kilo', '1.0-1', False, 'bookworm'),
        ('lima', '1.0-1', False, 'bookworm'),
    ]
    assert set(records(advisory_only)) <= set(records(plain))
    assert [r for r in records(advisory_only) if r[0] == 'alpha'] == [r for r in records(plain) if r[0] == 'alpha']
    baseline = debian_default()
    assert _evaluate.advisory_records_suffice(baseline, 'apt')
    full = _evaluate.evaluate(baseline, rebuilt(plain), EVALUATION_TIME)
    reduced = _evaluate.evaluate(baseline, rebuilt(advisory_only), EVALUATION_TIME, advisory_only=True)
    assert reduced.not_applicable_count == full.not_applicable_count == 3
    assert reduced.patches == full.patches


def test_advisory_only_reads_only_the_packages_that_can_give_a_record_and_gets_the_same_records(apt_root):
    """The advisory-only read visits the packages of the dpkg status and of the security indexes
    (apt_pkg.TagFile over the lists) instead of every package of the cache: same records."""
    prepared_root(apt_root, MAIN, SECURITY, UPDATES, 'alpha=1.0-1', 'kilo=1.0-1')
    step = [['read_universe', 'DEBIAN', 'Debian12', True]]
    chosen, = run_backend(apt_root, step)
    whole, = run_backend(apt_root, step, read_whole_cache=True)

    def records(universe):
        return sorted((tuple(sorted(c.items())) for c in universe['candidates']), key=repr)

    assert records(chosen) == records(whole)
    assert sorted(chosen['installed'], key=lambda p: p['name']) == sorted(whole['installed'], key=lambda p: p['name'])
    assert set(c['name'] for c in chosen['candidates']) >= {'alpha', 'hotel', 'india', 'kilo', 'lima'}
