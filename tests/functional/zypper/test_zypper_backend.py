# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ZypperBackend against real zypper and rpm, in alternate roots, on generated repositories."""

import datetime
import os
import subprocess

import pytest

from tests.functional.zypper.conftest import add_repository, tree_digest
from tests.support import rpmrepo, rpmroot
from tests.support.specs import AdvisorySpec, PackageSpec

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _rpmmd as rpmmd
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _zypper_xml as zxml
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_zypper import ZypperBackend
from ansible_collections.fleetops.patch_manager.plugins.module_utils._baseline import normalise_baseline
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import (
    BackendError, LockTimeoutError, MetadataError)

UTC = datetime.timezone.utc

FOO_10 = PackageSpec('foo', '1.0')
FOO_11 = PackageSpec('foo', '1.1')
FOO_12 = PackageSpec('foo', '1.2')
FOO_13 = PackageSpec('foo', '1.3', depends=('libbar (>= 2.0-1)',))
LIBBAR_20 = PackageSpec('libbar', '2.0')
BAZ_10 = PackageSpec('baz', '1.0', epoch=1)
BAZ_20 = PackageSpec('baz', '2.0', epoch=1)

SECURITY = AdvisorySpec('SUSE-2026-101', type='security', severity='important', issued='2026-01-05 00:00:00',
                        cves=('CVE-2026-0001', 'CVE-2026-0002'), bugzillas=('1234',), packages=(('foo', '0:1.1-1'),))
RECOMMENDED = AdvisorySpec('SUSE-2026-102', type='recommended', severity='moderate', issued='1767830400',
                           packages=(('foo', '0:1.2-1'), ('baz', '1:2.0-1')))
FEATURE = AdvisorySpec('SUSE-2026-103', type='feature', severity='low', issued='not a date',
                       packages=(('foo', '0:1.2-1'),))

PACKAGES = (FOO_10, FOO_11, FOO_12, FOO_13, LIBBAR_20, BAZ_10, BAZ_20)
ADVISORIES = (SECURITY, RECOMMENDED, FEATURE)


@pytest.fixture
def scenario(zypper_scenario):
    """foo 1.0 and baz 1:1.0 installed; foo 1.1/1.2/1.3 (1.3 needs libbar) and baz 1:2.0 available."""
    return zypper_scenario(PACKAGES, ADVISORIES, installed=(FOO_10, BAZ_10))


def records(universe, name):
    """(version, patch) of the versions the repositories offer (not what only the rpmdb records)."""
    return sorted(((c.version, c.advisory_id) for c in universe.candidates
                   if c.name == name and not c.from_package_database), key=lambda record: (record[0], record[1] or ''))


def test_universe_reports_patch_category_severity_date_and_references(scenario):
    _root, _repository, backend = scenario
    universe = backend.read_universe('SUSE', 'Suse15.6')
    assert universe.family == 'zypper' and universe.product == 'Suse15.6'
    installed = dict(((p.name, p.arch), p.version) for p in universe.installed)
    assert installed[('foo', 'noarch')] == '0:1.0-1' and installed[('baz', 'noarch')] == '1:1.0-1'
    assert all(p.installed_time.tzinfo is not None for p in universe.installed)
    # every available version >= installed, one record per patch carrying it
    assert records(universe, 'foo') == [('0:1.0-1', None), ('0:1.1-1', 'SUSE-2026-101'), ('0:1.2-1', 'SUSE-2026-102'),
                                        ('0:1.2-1', 'SUSE-2026-103'), ('0:1.3-1', None)]
    assert records(universe, 'baz') == [('1:1.0-1', None), ('1:2.0-1', 'SUSE-2026-102')]
    assert records(universe, 'libbar') == [('0:2.0-1', None)]       # not installed: a record for NOT_APPLICABLE
    by_advisory = dict((c.advisory_id, c) for c in universe.candidates if c.name == 'foo' and c.advisory_id)
    security = by_advisory['SUSE-2026-101']
    assert (security.classification, security.severity, security.security) == ('Security', 'Important', True)
    assert security.release_date == datetime.datetime(2026, 1, 5, tzinfo=UTC)
    assert security.cve_ids == ('CVE-2026-0001', 'CVE-2026-0002') and security.bugzilla_ids == ('1234',)
    recommended = by_advisory['SUSE-2026-102']
    assert (recommended.classification, recommended.severity) == ('Recommended', 'Moderate')
    assert recommended.release_date == datetime.datetime(2026, 1, 8, tzinfo=UTC)
    feature = by_advisory['SUSE-2026-103']
    assert (feature.classification, feature.severity) == ('Feature', 'Low')
    assert feature.release_date == datetime.datetime(1970, 1, 1, tzinfo=UTC)     # unparsable date, section 3.8
    plain = [c for c in universe.candidates if c.name == 'foo' and c.version == '0:1.3-1'][0]
    assert (plain.security, plain.classification, plain.release_date) == (False, None, None)
    assert plain.repository


def test_universe_matches_what_zypper_list_patches_says(scenario):
    root, _repository, backend = scenario
    universe = backend.read_universe('SUSE', 'Suse15.6')
    listed = subprocess.run(['zypper', '--root', root, '--non-interactive', '--no-refresh', 'list-patches', '--all'],
                            stdout=subprocess.PIPE, universal_newlines=True, check=True, env=dict(os.environ, LANG='C')).stdout
    advisories = set(c.advisory_id for c in universe.candidates if c.advisory_id)
    assert advisories == {'SUSE-2026-101', 'SUSE-2026-102', 'SUSE-2026-103'}
    assert all(advisory in listed for advisory in advisories)


def searched_versions(root):
    """(name, arch, E:V-R) of every version zypper search lists in a repository (a user's view)."""
    output = subprocess.run(['zypper', '--root', root, '--non-interactive', '--xmlout', '--no-refresh', 'search',
                             '--details', '-t', 'package'], stdout=subprocess.PIPE, universal_newlines=True,
                            check=False, env=dict(os.environ, LANG='C')).stdout
    return set((name, arch, version) for name, arch, version, repository, _status in zxml.parse_search(output)
               if repository != zxml.SYSTEM_REPOSITORY)


def test_available_versions_are_what_zypper_search_lists(scenario):
    root, _repository, backend = scenario
    universe = backend.read_universe('SUSE', 'Suse15.6')
    # nothing older than an installed version is in the repository: every searched version is a record
    assert set((c.name, c.arch, c.version) for c in universe.candidates
               if not c.from_package_database) == searched_versions(root)
    # what only the rpm database has (the root's shell package) is judged on its own
    assert [(c.name, c.repository) for c in universe.candidates if c.from_package_database] == [
        ('fleetops-root-shell', None)]


def test_without_raw_primary_metadata_zypper_search_gives_the_same_universe(scenario):
    root, repository, backend = scenario
    expected = backend.read_universe('SUSE', 'Suse15.6')
    repodata = os.path.join(root, 'var', 'cache', 'zypp', 'raw', repository.name, 'repodata')
    for name in os.listdir(repodata):
        if 'primary' in name:
            os.unlink(os.path.join(repodata, name))
    assert rpmmd.metadata_path(repodata, 'primary') is None
    universe = backend.read_universe('SUSE', 'Suse15.6')
    assert sorted(map(candidate_row, universe.candidates)) == sorted(map(candidate_row, expected.candidates))


def candidate_row(candidate):
    return tuple(getattr(candidate, slot) for slot in candidate.__slots__)


def test_advisory_only_reads_the_patched_versions_only(scenario):
    _root, _repository, backend = scenario
    full = backend.read_universe('SUSE', 'Suse15.6')
    universe = backend.read_universe('SUSE', 'Suse15.6', advisory_only=True)
    assert sorted(map(candidate_row, universe.installed)) == sorted(map(candidate_row, full.installed))
    assert sorted(map(candidate_row, universe.candidates)) == sorted(
        candidate_row(c) for c in full.candidates if c.advisory_id)
    assert records(universe, 'libbar') == []


SECURITY_AND_RECOMMENDED = {
    'Name': 'security-and-recommended', 'OperatingSystem': 'SUSE',
    'ApprovalRules': {'PatchRules': [{'PatchFilterGroup': {'PatchFilters': [
        {'Key': 'CLASSIFICATION', 'Values': ['Security', 'Recommended']}]}, 'ApproveAfterDays': 0}]},
}
EVALUATION_TIME = datetime.datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize('advisory_only', [False, True])
def test_approved_patch_of_a_package_not_installed_counts_not_applicable(zypper_scenario, advisory_only):
    # baz is not installed; SUSE-2026-102 (recommended) carries baz 1:2.0: approved, so NOT_APPLICABLE
    _root, _repository, backend = zypper_scenario(PACKAGES, ADVISORIES, installed=(FOO_10,))
    universe = backend.read_universe('SUSE', 'Suse15.6', advisory_only=advisory_only)
    evaluation = _evaluate.evaluate(normalise_baseline(SECURITY_AND_RECOMMENDED), universe, EVALUATION_TIME)
    assert evaluation.not_applicable_count == 1
    assert [patch['name'] for patch in evaluation.patches if patch['name'] in ('baz', 'libbar')] == []
    assert [patch['state'] for patch in evaluation.patches if patch['name'] == 'foo'] == ['MISSING']


def test_approved_package_without_patch_not_installed_counts_not_applicable(zypper_scenario):
    _root, _repository, backend = zypper_scenario(PACKAGES, ADVISORIES, installed=(FOO_10,))
    baseline = dict(SECURITY_AND_RECOMMENDED, ApprovedPatches=['libbar'], ApprovedPatchesEnableNonSecurity=True)
    universe = backend.read_universe('SUSE', 'Suse15.6')
    evaluation = _evaluate.evaluate(normalise_baseline(baseline), universe, EVALUATION_TIME)
    assert evaluation.not_applicable_count == 2          # baz by the rule, libbar by the approved list


def test_read_universe_changes_no_package(scenario):
    root, _repository, backend = scenario
    before = rpmroot.installed(root)
    repos = tree_digest(os.path.join(root, 'etc', 'zypp'))
    backend.read_universe('SUSE', 'Suse15.6')
    assert rpmroot.installed(root) == before
    assert tree_digest(os.path.join(root, 'etc', 'zypp')) == repos


def test_plan_is_exact_and_changes_nothing(scenario):
    root, _repository, backend = scenario
    before = rpmroot.installed(root)
    plan = backend.plan([('foo', 'noarch', '0:1.1-1'), ('baz', 'noarch', '1:2.0-1')])
    assert sorted(plan, key=lambda item: item['name']) == [
        {'name': 'baz', 'arch': 'noarch', 'from_version': '1:1.0-1', 'to_version': '1:2.0-1', 'action': 'upgrade'},
        {'name': 'foo', 'arch': 'noarch', 'from_version': '0:1.0-1', 'to_version': '0:1.1-1', 'action': 'upgrade'}]
    assert rpmroot.installed(root) == before


def test_install_reaches_the_requested_version_not_the_newest(scenario):
    root, _repository, backend = scenario
    outcome = backend.install([('foo', 'noarch', '0:1.2-1')])
    assert outcome.problems == {}
    assert rpmroot.installed(root)['foo'] == '0:1.2-1'
    assert [(item['name'], item['to_version'], item['action']) for item in outcome.transaction] == [
        ('foo', '0:1.2-1', 'upgrade')]
    assert 'libbar' not in rpmroot.installed(root)


def test_update_needing_a_new_package_installs_it_as_dependency(scenario):
    root, _repository, backend = scenario
    assert backend.dependency_closure('foo', 'noarch', '0:1.3-1') == [('libbar', 'noarch', '0:2.0-1')]
    assert backend.dependency_closure('foo', 'noarch', '0:1.1-1') == []
    outcome = backend.install([('foo', 'noarch', '0:1.3-1')])
    assert outcome.problems == {}
    installed = rpmroot.installed(root)
    assert (installed['foo'], installed['libbar']) == ('0:1.3-1', '0:2.0-1')
    assert {'name': 'libbar', 'arch': 'noarch', 'from_version': None, 'to_version': '0:2.0-1',
            'action': 'install'} in outcome.transaction


def test_unresolvable_update_fails_alone_and_the_others_install(zypper_scenario):
    broken = PackageSpec('qux', '2.0', depends=('nowhere-to-be-found',))
    root, _repository, backend = zypper_scenario((FOO_10, FOO_11, PackageSpec('qux', '1.0'), broken),
                                                 installed=(FOO_10, PackageSpec('qux', '1.0')))
    with pytest.raises(BackendError, match='nowhere-to-be-found'):
        backend.plan([('qux', 'noarch', '0:2.0-1')])
    outcome = backend.install([('foo', 'noarch', '0:1.1-1'), ('qux', 'noarch', '0:2.0-1')])
    installed = rpmroot.installed(root)
    assert (installed['foo'], installed['qux']) == ('0:1.1-1', '0:1.0-1')
    assert list(outcome.problems) == ['qux.noarch']
    assert 'nowhere-to-be-found' in outcome.problems['qux.noarch']


def test_version_no_repository_carries_is_reported_failed(scenario):
    root, _repository, backend = scenario
    outcome = backend.install([('foo', 'noarch', '0:9.9-1')])
    assert rpmroot.installed(root)['foo'] == '0:1.0-1'
    assert 'foo.noarch' in outcome.problems and 'foo.noarch=0:9.9-1' in outcome.problems['foo.noarch']


def test_failing_post_script_is_reported_against_the_package(zypper_scenario):
    failing = PackageSpec('grumpy', '2.0', postinst_fails=True)
    root, _repository, backend = zypper_scenario((PackageSpec('grumpy', '1.0'), failing, FOO_10, FOO_11),
                                                 installed=(PackageSpec('grumpy', '1.0'), FOO_10))
    outcome = backend.install([('grumpy', 'noarch', '0:2.0-1'), ('foo', 'noarch', '0:1.1-1')])
    installed = rpmroot.installed(root)
    # rpm keeps a package whose %post failed installed; the outcome says so for that package only
    assert (installed['grumpy'], installed['foo']) == ('0:2.0-1', '0:1.1-1')
    assert list(outcome.problems) == ['grumpy.noarch']
    assert '%post(grumpy-2.0-1.noarch) scriptlet failed' in outcome.problems['grumpy.noarch']


def test_held_lock_raises_lock_timeout_naming_the_holder(scenario):
    root, _repository, _backend = scenario
    holder = subprocess.Popen(['sleep', '600'])
    try:
        with open(os.path.join(root, 'run', 'zypp.pid'), 'w') as handle:
            handle.write('%d\n' % holder.pid)
        backend = ZypperBackend(root=root, lock_timeout=1)
        with pytest.raises(LockTimeoutError) as caught:
            backend.read_universe('SUSE', 'Suse15.6')
        assert 'PID %d (sleep)' % holder.pid in str(caught.value)
        assert os.path.join(root, 'run', 'zypp.pid') in str(caught.value)
    finally:
        holder.kill()
        holder.wait()
    # once the holder is gone the same backend works again
    assert backend.read_universe('SUSE', 'Suse15.6').installed


def test_reboot_required_follows_zypper_needs_rebooting(scenario):
    root, _repository, backend = scenario

    def zypper_says():
        completed = subprocess.run(['zypper', '--root', root, '--non-interactive', 'needs-rebooting'],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        assert completed.returncode in (0, 102)
        return completed.returncode == 102

    assert (backend.reboot_required(), zypper_says()) == (False, False)
    open(os.path.join(root, 'run', 'reboot-needed'), 'w').close()
    assert (backend.reboot_required(), zypper_says()) == (True, True)


@pytest.fixture
def newer_source(tmp_path):
    """A second repository (the baseline's Source) carrying foo 1.1 and 1.2 only."""
    return rpmrepo.build_repository(str(tmp_path / 'source-repo'), (FOO_11, FOO_12), (SECURITY,), name='baseline-src')


def _source(repository, products=('*',)):
    return {'name': 'baseline-src', 'products': list(products),
            'configuration': '[main]\nname=Baseline source\nbaseurl=%s\nenabled=1\ngpgcheck=0\n' % repository.baseurl}


def test_sources_replace_the_node_repositories_and_are_restored(zypper_scenario, newer_source):
    root, _repository, backend = zypper_scenario((FOO_10, FOO_13, LIBBAR_20), installed=(FOO_10,))
    node_config = tree_digest(os.path.join(root, 'etc', 'zypp'))
    node_cache = tree_digest(os.path.join(root, 'var', 'cache', 'zypp', 'raw'))
    top_level = sorted(os.listdir(root))
    with backend.sources_replaced([_source(newer_source)]):
        inside = backend.read_universe('SUSE', 'Suse15.6')
        plan = backend.plan([('foo', 'noarch', '0:1.2-1')])
    # inside: only the Source's versions (1.1, 1.2), none of the node's repository (1.3)
    assert records(inside, 'foo') == [('0:1.1-1', 'SUSE-2026-101'), ('0:1.2-1', None)]
    assert [item['to_version'] for item in plan] == ['0:1.2-1']
    assert tree_digest(os.path.join(root, 'etc', 'zypp')) == node_config
    assert tree_digest(os.path.join(root, 'var', 'cache', 'zypp', 'raw')) == node_cache
    assert sorted(os.listdir(root)) == top_level
    after = backend.read_universe('SUSE', 'Suse15.6')
    assert records(after, 'foo') == [('0:1.0-1', None), ('0:1.3-1', None)]


def test_sources_restored_when_the_run_fails(zypper_scenario, newer_source):
    root, _repository, backend = zypper_scenario((FOO_10, FOO_13, LIBBAR_20), installed=(FOO_10,))
    node_config = tree_digest(os.path.join(root, 'etc', 'zypp'))
    with pytest.raises(RuntimeError):
        with backend.sources_replaced([_source(newer_source)]):
            raise RuntimeError('the run failed half-way')
    broken = {'name': 'broken-src', 'products': ['*'], 'configuration': 'baseurl=file:///nonexistent/repo\nenabled=1\n'}
    with pytest.raises(MetadataError, match='broken-src'):
        with backend.sources_replaced([broken]):
            pass
    assert tree_digest(os.path.join(root, 'etc', 'zypp')) == node_config
    assert records(backend.read_universe('SUSE', 'Suse15.6'), 'foo') == [('0:1.0-1', None), ('0:1.3-1', None)]


def test_sources_for_another_product_leave_the_node_repositories(zypper_scenario, newer_source):
    _root, _repository, backend = zypper_scenario((FOO_10, FOO_13, LIBBAR_20), installed=(FOO_10,))
    with backend.sources_replaced([_source(newer_source, products=['Suse12.5'])], product='Suse15.6'):
        universe = backend.read_universe('SUSE', 'Suse15.6')
    assert records(universe, 'foo') == [('0:1.0-1', None), ('0:1.3-1', None)]


def test_disabled_repository_is_not_read(zypper_scenario, tmp_path):
    root, _repository, backend = zypper_scenario((FOO_10, FOO_11), installed=(FOO_10,))
    other = rpmrepo.build_repository(str(tmp_path / 'disabled'), (FOO_12,), (RECOMMENDED,), name='disabled-repo')
    add_repository(root, other, enabled=False)
    universe = backend.read_universe('SUSE', 'Suse15.6')
    assert records(universe, 'foo') == [('0:1.0-1', None), ('0:1.1-1', None)]


def _damage_cached_updateinfo(root, alias):
    """Overwrite zypper's raw cached updateinfo of ``alias`` with bytes that are not gzip'd XML."""
    repodata = os.path.join(root, 'var', 'cache', 'zypp', 'raw', alias, 'repodata')
    path = rpmmd.updateinfo_path(repodata)
    assert path is not None, 'zypper cached no updateinfo for %s' % alias
    with open(path, 'wb') as handle:
        handle.write(b'\x1f\x8b truncated by a full disk')
    return path


def test_repository_disabled_after_a_refresh_is_not_read_even_with_a_broken_cache(zypper_scenario, tmp_path):
    """Its raw cache stays on disk after it is disabled: its patches are not reported, and a damaged
    cache of it does not fail the Scan (the backend parses cached updateinfo while zypper lists repos)."""
    root, _repository, backend = zypper_scenario((FOO_10, FOO_11), installed=(FOO_10,))
    other = rpmrepo.build_repository(str(tmp_path / 'disabled'), (FOO_12,), (RECOMMENDED,), name='disabled-repo')
    add_repository(root, other)
    backend.refresh()
    assert records(backend.read_universe('SUSE', 'Suse15.6'), 'foo')[-1] == ('0:1.2-1', 'SUSE-2026-102')
    add_repository(root, other, enabled=False)
    _damage_cached_updateinfo(root, 'disabled-repo')
    universe = backend.read_universe('SUSE', 'Suse15.6')
    assert records(universe, 'foo') == [('0:1.0-1', None), ('0:1.1-1', None)]
    assert not [c for c in universe.candidates if c.advisory_id == 'SUSE-2026-102']


def test_broken_cached_updateinfo_of_an_enabled_repository_fails_naming_it(zypper_scenario):
    root, repository, backend = zypper_scenario((FOO_10, FOO_11), (SECURITY,), installed=(FOO_10,))
    path = _damage_cached_updateinfo(root, repository.name)
    with pytest.raises(MetadataError) as raised:
        backend.read_universe('SUSE', 'Suse15.6', advisory_only=True)
    message = str(raised.value)
    assert repository.name in message and path in message and 'zypper refresh' in message
