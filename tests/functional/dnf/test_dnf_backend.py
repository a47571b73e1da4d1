# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""DnfBackend against real dnf/rpm in alternate roots and generated rpm-md repositories."""

import fcntl
import os
import subprocess

import pytest

from dnf_helpers import BackendCallError, backend, call_backend  # pylint: disable=import-error
from tests.support import rpmrepo, rpmroot
from tests.support.specs import AdvisorySpec, PackageSpec

RHEL = ('REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux9.4')

ALPHA_10 = PackageSpec('alpha', '1.0')
ALPHA_11 = PackageSpec('alpha', '1.1')
ALPHA_12 = PackageSpec('alpha', '1.2', depends=('beta (>= 2.0-1)',))
ALPHA_09 = PackageSpec('alpha', '0.9')
BETA_20 = PackageSpec('beta', '2.0')
GAMMA_10 = PackageSpec('gamma', '1.0', epoch=2)
GAMMA_11 = PackageSpec('gamma', '1.1', epoch=2)
DELTA_10 = PackageSpec('delta', '1.0')
OMEGA_10 = PackageSpec('omega', '1.0')
BROKEN_10 = PackageSpec('broken', '1.0')
BROKEN_11 = PackageSpec('broken', '1.1', postinst_fails=True)
EPSILON_10 = PackageSpec('epsilon', '1.0')
EPSILON_11 = PackageSpec('epsilon', '1.1', depends=('zeta-not-in-any-repository',))
GLIBC_1 = PackageSpec('glibc', '2.34', release='100')
GLIBC_2 = PackageSpec('glibc', '2.34', release='101')

SECURITY_NOTICE = AdvisorySpec('FLEET-2026:0001', type='security', severity='Important',
                               issued='2026-01-10 08:00:00', updated='2026-02-01 12:30:00',
                               cves=('CVE-2026-1111', 'CVE-2026-2222'), bugzillas=('2001',),
                               packages=(('alpha', '0:1.1-1'),))
BUGFIX_NOTICE = AdvisorySpec('FLEET-2026:0002', type='bugfix', severity=None, issued='2026-01-15 00:00:00',
                             packages=(('alpha', '0:1.1-1'), ('gamma', '2:1.1-1')))
ENHANCEMENT_NOTICE = AdvisorySpec('FLEET-2026:0003', type='enhancement', severity='Low', issued='2026-03-01 00:00:00',
                                  packages=(('delta', '0:1.0-1'),))
RECOMMENDED_NOTICE = AdvisorySpec('FLEET-2026:0004', type='recommended', severity='Moderate',
                                  issued='2026-03-02 00:00:00', packages=(('omega', '0:1.0-1'),))

ALL_PACKAGES = (ALPHA_09, ALPHA_10, ALPHA_11, ALPHA_12, BETA_20, GAMMA_10, GAMMA_11, DELTA_10, OMEGA_10,
                BROKEN_10, BROKEN_11, EPSILON_10, EPSILON_11, GLIBC_1, GLIBC_2)
ALL_NOTICES = (SECURITY_NOTICE, BUGFIX_NOTICE, ENHANCEMENT_NOTICE, RECOMMENDED_NOTICE)


@pytest.fixture(scope='module')
def repository(tmp_path_factory):
    return rpmrepo.build_repository(str(tmp_path_factory.mktemp('dnfrepo') / 'repo'), ALL_PACKAGES, ALL_NOTICES,
                                    name='fleetops-main')


@pytest.fixture
def make_root(tmp_path, repository):
    """A fresh rpm root using ``repository``, with ``installed`` specs installed by rpm."""
    def make(*installed):
        root = rpmroot.create_root(str(tmp_path / 'root'))
        repository.write_repo_file(os.path.join(root, 'etc', 'yum.repos.d'))
        if installed:
            rpmroot.install_with_rpm(root, [repository.rpm_path(spec) for spec in installed])
        return root
    return make


def records(universe, name):
    """{(version, advisory_id): candidate} of one package, as the repositories offer it."""
    return dict(((c['version'], c['advisory_id']), c) for c in universe['candidates']
                if c['name'] == name and not c.get('from_package_database'))


def rpmdb_listing(root):
    """Every installed package with its version and install time, as rpm prints them."""
    return subprocess.run(['rpm', '--root', root, '-qa', '--qf', '%{NAME} %{EVR} %{INSTALLTIME}\\n'],
                          stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout


def installed_versions(universe):
    return dict((p['name'], p['version']) for p in universe['installed'])


# ---- reading -----------------------------------------------------------------------------

def test_universe_lists_installed_packages_with_epoch_and_install_time(make_root):
    root = make_root(ALPHA_10, GAMMA_10)
    universe = backend(root, 'read_universe', *RHEL)
    assert universe['family'] == 'dnf'
    assert installed_versions(universe)['alpha'] == '0:1.0-1'
    assert installed_versions(universe)['gamma'] == '2:1.0-1'
    alpha = [p for p in universe['installed'] if p['name'] == 'alpha'][0]
    assert alpha['arch'] == 'noarch'
    assert alpha['installed_time'].endswith('+00:00')


def test_universe_carries_notice_attributes_per_version_and_notice(make_root):
    root = make_root(ALPHA_10, GAMMA_10, DELTA_10)
    alpha = records(backend(root, 'read_universe', *RHEL), 'alpha')
    # 1.1 is in two notices: two records; 0.9 is below the installed version: none
    assert sorted(alpha) == [('0:1.0-1', None), ('0:1.1-1', 'FLEET-2026:0001'), ('0:1.1-1', 'FLEET-2026:0002'),
                             ('0:1.2-1', None)]
    security = alpha[('0:1.1-1', 'FLEET-2026:0001')]
    assert security['security'] is True
    assert security['classification'] == 'Security'
    assert security['severity'] == 'Important'
    assert security['cve_ids'] == ['CVE-2026-1111', 'CVE-2026-2222']
    assert security['bugzilla_ids'] == ['2001']
    assert security['repository'] == 'fleetops-main'
    # updated wins over issued
    assert security['release_date'] == '2026-02-01T12:30:00+00:00'
    bugfix = alpha[('0:1.1-1', 'FLEET-2026:0002')]
    assert bugfix['security'] is True                 # any notice makes it security-relevant (CONTRACT)
    assert (bugfix['classification'], bugfix['severity']) == ('Bugfix', None)
    assert bugfix['release_date'] == '2026-01-15T00:00:00+00:00'    # issued when not updated
    assert bugfix['cve_ids'] == [] and bugfix['bugzilla_ids'] == []


def test_notice_less_versions_use_the_build_time(make_root):
    root = make_root(ALPHA_10)
    alpha = records(backend(root, 'read_universe', *RHEL), 'alpha')
    newest = alpha[('0:1.2-1', None)]
    assert newest['security'] is False
    assert newest['classification'] is None and newest['severity'] is None
    assert newest['release_date'] == rpmrepo.DEFAULT_BUILD_TIME.isoformat()


def test_installed_version_carries_its_notice_and_epochs_are_kept(make_root):
    root = make_root(GAMMA_10, DELTA_10)
    universe = backend(root, 'read_universe', *RHEL)
    delta = records(universe, 'delta')
    assert list(delta) == [('0:1.0-1', 'FLEET-2026:0003')]
    assert delta[('0:1.0-1', 'FLEET-2026:0003')]['classification'] == 'Enhancement'
    gamma = records(universe, 'gamma')
    assert sorted(gamma) == [('2:1.0-1', None), ('2:1.1-1', 'FLEET-2026:0002')]


def test_packages_not_installed_give_every_available_version(make_root):
    root = make_root(ALPHA_10)
    universe = backend(root, 'read_universe', *RHEL)
    # not installed: every version is a record, so the engine can count NOT_APPLICABLE
    assert sorted(records(universe, 'gamma')) == [('2:1.0-1', None), ('2:1.1-1', 'FLEET-2026:0002')]
    assert sorted(records(universe, 'beta')) == [('0:2.0-1', None)]
    assert 'gamma' not in installed_versions(universe)


def test_advisory_only_leaves_out_versions_without_a_notice(make_root):
    root = make_root(ALPHA_10, GAMMA_10)
    full = backend(root, 'read_universe', *RHEL)
    universe = backend(root, 'read_universe', RHEL[0], RHEL[1], True)
    assert installed_versions(universe) == installed_versions(full)
    assert sorted(records(universe, 'alpha')) == [('0:1.1-1', 'FLEET-2026:0001'), ('0:1.1-1', 'FLEET-2026:0002')]
    assert sorted(records(universe, 'gamma')) == [('2:1.1-1', 'FLEET-2026:0002')]
    assert sorted(records(universe, 'delta')) == [('0:1.0-1', 'FLEET-2026:0003')]      # not installed
    assert records(universe, 'beta') == {}
    # every record with a notice is there, exactly as without advisory_only
    assert universe['candidates'] == [c for c in full['candidates'] if c['advisory_id'] is not None]


SECURITY_AND_BUGFIX = {
    'Name': 'security-and-bugfix', 'OperatingSystem': 'REDHAT_ENTERPRISE_LINUX',
    'ApprovalRules': {'PatchRules': [{'PatchFilterGroup': {'PatchFilters': [
        {'Key': 'CLASSIFICATION', 'Values': ['Security', 'Bugfix']}]}, 'ApproveAfterDays': 0}]},
}
EVALUATION_TIME = '2026-06-01T00:00:00Z'


@pytest.mark.parametrize('advisory_only', [False, True])
def test_approved_notice_of_a_package_not_installed_counts_not_applicable(make_root, advisory_only):
    # gamma is not installed; FLEET-2026:0002 (bugfix) carries gamma 2:1.1: approved, so NOT_APPLICABLE.
    # delta and omega (enhancement, recommended notices) are not approved.
    root = make_root(ALPHA_10)
    result = backend(root, 'evaluate', RHEL[0], RHEL[1], SECURITY_AND_BUGFIX, EVALUATION_TIME, advisory_only)
    assert result['not_applicable_count'] == 1
    names = [patch['name'] for patch in result['patches']]
    assert 'gamma' not in names and 'alpha' in names      # counted, not listed
    alpha = [patch for patch in result['patches'] if patch['name'] == 'alpha'][0]
    assert (alpha['state'], alpha['approved_version']) == ('MISSING', '0:1.1-1')


def test_installing_the_package_moves_it_from_not_applicable_to_the_list(make_root):
    root = make_root(ALPHA_10, GAMMA_10)
    result = backend(root, 'evaluate', RHEL[0], RHEL[1], SECURITY_AND_BUGFIX, EVALUATION_TIME, True)
    assert result['not_applicable_count'] == 0
    gamma = [patch for patch in result['patches'] if patch['name'] == 'gamma'][0]
    assert gamma['state'] == 'MISSING'


def test_approved_package_without_notice_not_installed_counts_not_applicable(make_root):
    root = make_root(ALPHA_10)
    baseline = dict(SECURITY_AND_BUGFIX, ApprovedPatches=['beta', 'omega'], ApprovedPatchesEnableNonSecurity=True)
    result = backend(root, 'evaluate', RHEL[0], RHEL[1], baseline, EVALUATION_TIME, False)
    assert result['not_applicable_count'] == 3           # gamma by the rule, beta and omega by the list


def test_recommended_notice_type_is_classified_recommended(make_root):
    root = make_root(OMEGA_10)
    omega = records(backend(root, 'read_universe', *RHEL), 'omega')
    assert omega[('0:1.0-1', 'FLEET-2026:0004')]['classification'] == 'Recommended'
    assert omega[('0:1.0-1', 'FLEET-2026:0004')]['severity'] == 'Moderate'


def test_refresh_fetches_metadata_that_changed_since_the_last_read(tmp_path):
    repository = rpmrepo.build_repository(str(tmp_path / 'repo'), (ALPHA_10, ALPHA_11), name='moving')
    root = rpmroot.create_root(str(tmp_path / 'root'))
    repository.write_repo_file(os.path.join(root, 'etc', 'yum.repos.d'), metadata_expire=None)
    rpmroot.install_with_rpm(root, [repository.rpm_path(ALPHA_10)])
    assert sorted(records(backend(root, 'read_universe', *RHEL), 'alpha')) == [('0:1.0-1', None), ('0:1.1-1', None)]
    rpmrepo.build_repository(str(tmp_path / 'repo'), (ALPHA_10, ALPHA_11, ALPHA_12, BETA_20), name='moving')
    # reading never fetches, however old the cache: only refresh does
    stale = call_backend(root, [('read_universe', RHEL)], refresh=False)[0]
    assert ('0:1.2-1', None) not in records(stale, 'alpha')
    universe = call_backend(root, [('refresh', ()), ('read_universe', RHEL)], refresh=False)[1]
    assert ('0:1.2-1', None) in records(universe, 'alpha')


def test_an_installed_version_no_repository_offers_carries_the_notices_that_name_it(tmp_path):
    # The repository has moved on to 1.1 (1.0 is gone), but its updateinfo still lists 1.0.
    notice = AdvisorySpec('FLEET-2026:0010', type='security', severity='Critical', issued='2026-01-05 00:00:00',
                          cves=('CVE-2026-0010',), packages=(('alpha', '0:1.0-1'),))
    repository = rpmrepo.build_repository(str(tmp_path / 'repo'), (ALPHA_11, BETA_20), (notice,), name='moved-on')
    root = rpmroot.create_root(str(tmp_path / 'root'))
    repository.write_repo_file(os.path.join(root, 'etc', 'yum.repos.d'))
    rpmroot.install_with_rpm(root, [rpmrepo.build_rpms([ALPHA_10, DELTA_10])[spec] for spec in (ALPHA_10, DELTA_10)])
    universe = backend(root, 'read_universe', *RHEL)
    judged = dict((c['name'], c) for c in universe['candidates'] if c.get('from_package_database'))
    assert sorted(judged) == ['alpha', 'delta', 'fleetops-root-shell']    # the root's shell: only in the rpmdb too
    assert (judged['alpha']['version'], judged['alpha']['advisory_id'], judged['alpha']['severity'],
            judged['alpha']['repository'], judged['alpha']['security']) == ('0:1.0-1', 'FLEET-2026:0010', 'Critical',
                                                                            None, True)
    # no notice names delta 1.0: a record without advisory, its build time as release date
    assert judged['delta']['advisory_id'] is None and judged['delta']['release_date'] is not None
    # the engine approves the installed alpha by its notice (and 1.1, offered without notice, is not)
    result = backend(root, 'evaluate', RHEL[0], RHEL[1], SECURITY_AND_BUGFIX, EVALUATION_TIME, False)
    alpha = [patch for patch in result['patches'] if patch['name'] == 'alpha'][0]
    assert (alpha['state'], alpha['approved_version'], alpha['advisory_ids']) == (
        'INSTALLED', '0:1.0-1', ['FLEET-2026:0010'])


# ---- plan, dependencies, install ---------------------------------------------------------

def test_plan_resolves_exact_versions_and_changes_nothing(make_root):
    root = make_root(ALPHA_10, GAMMA_10)
    before = rpmdb_listing(root)
    items = backend(root, 'plan', [('alpha', 'noarch', '0:1.1-1'), ('gamma', 'noarch', '2:1.1-1')])
    assert sorted((i['name'], i['from_version'], i['to_version'], i['action']) for i in items) == [
        ('alpha', '0:1.0-1', '0:1.1-1', 'upgrade'), ('gamma', '2:1.0-1', '2:1.1-1', 'upgrade')]
    assert rpmdb_listing(root) == before


def test_plan_lists_a_new_dependency_as_install(make_root):
    root = make_root(ALPHA_10)
    items = backend(root, 'plan', [('alpha', 'noarch', '0:1.2-1')])
    assert sorted((i['name'], i['to_version'], i['action']) for i in items) == [
        ('alpha', '0:1.2-1', 'upgrade'), ('beta', '0:2.0-1', 'install')]
    assert 'beta' not in rpmroot.installed(root)


def test_dependency_closure_names_the_new_dependency(make_root):
    root = make_root(ALPHA_10)
    assert backend(root, 'dependency_closure', 'alpha', 'noarch', '0:1.2-1') == [['beta', 'noarch', '0:2.0-1']]
    assert backend(root, 'dependency_closure', 'alpha', 'noarch', '0:1.1-1') == []


def test_install_goes_to_the_requested_version_not_the_newest(make_root):
    root = make_root(ALPHA_10)
    outcome = backend(root, 'install', [('alpha', 'noarch', '0:1.1-1')])
    assert outcome['problems'] == {}
    assert rpmroot.installed(root)['alpha'] == '0:1.1-1'
    assert 'beta' not in rpmroot.installed(root)


def test_install_pulls_in_a_new_dependency(make_root):
    root = make_root(ALPHA_10)
    outcome = backend(root, 'install', [('alpha', 'noarch', '0:1.2-1')])
    assert outcome['problems'] == {}
    assert [(i['name'], i['action']) for i in outcome['transaction']] == [('alpha', 'upgrade'), ('beta', 'install')]
    assert rpmroot.installed(root)['alpha'] == '0:1.2-1'
    assert rpmroot.installed(root)['beta'] == '0:2.0-1'


def test_install_never_installs_a_package_that_is_not_installed(make_root):
    root = make_root(ALPHA_10)
    outcome = backend(root, 'install', [('omega', 'noarch', '0:1.0-1')])
    assert 'not installed' in outcome['problems']['omega.noarch']
    assert 'omega' not in rpmroot.installed(root)


def test_failing_post_script_is_reported_and_the_installed_version_is_truthful(make_root):
    root = make_root(ALPHA_10, BROKEN_10)
    outcome = backend(root, 'install', [('broken', 'noarch', '0:1.1-1'), ('alpha', 'noarch', '0:1.1-1')])
    assert 'POSTIN scriptlet failed' in outcome['problems']['broken.noarch']
    assert 'alpha.noarch' not in outcome['problems']
    # rpm keeps the package: rpm -q and the next read agree on the new version
    assert rpmroot.installed(root)['broken'] == '0:1.1-1'
    assert installed_versions(backend(root, 'read_universe', *RHEL))['broken'] == '0:1.1-1'


def test_unresolvable_update_fails_alone_and_the_others_install(make_root):
    root = make_root(ALPHA_10, EPSILON_10)
    outcome = backend(root, 'install', [('epsilon', 'noarch', '0:1.1-1'), ('alpha', 'noarch', '0:1.1-1')])
    assert 'zeta-not-in-any-repository' in outcome['problems']['epsilon.noarch']
    assert 'alpha.noarch' not in outcome['problems']
    assert rpmroot.installed(root)['alpha'] == '0:1.1-1'
    assert rpmroot.installed(root)['epsilon'] == '0:1.0-1'
    assert backend(root, 'dependency_closure', 'epsilon', 'noarch', '0:1.1-1') == []


# ---- locks -------------------------------------------------------------------------------

def test_held_dnf_lock_raises_lock_timeout_naming_the_holder(make_root):
    root = make_root(ALPHA_10)
    holder = subprocess.Popen(['sleep', '600'])
    try:
        lock_file = os.path.join(root, 'var/lib/dnf/rpmdb_lock.pid')
        with open(lock_file, 'w') as handle:
            handle.write(str(holder.pid))
        with pytest.raises(BackendCallError) as error:
            backend(root, 'install', [('alpha', 'noarch', '0:1.1-1')], lock_timeout=1)
        assert error.value.type == 'LockTimeoutError'
        assert 'rpmdb_lock.pid' in str(error.value) and 'PID %d' % holder.pid in str(error.value)
        assert rpmroot.installed(root)['alpha'] == '0:1.0-1'
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone: the stale lock file no longer blocks
    assert backend(root, 'install', [('alpha', 'noarch', '0:1.1-1')], lock_timeout=1)['problems'] == {}


def test_held_rpm_transaction_lock_raises_lock_timeout(make_root):
    root = make_root(ALPHA_10)
    lock_file = os.path.join(root, rpmroot.rpm_dbpath().lstrip('/'), '.rpm.lock')
    with open(lock_file, 'a') as handle:
        fcntl.lockf(handle, fcntl.LOCK_EX)        # what a running rpm transaction holds
        with pytest.raises(BackendCallError) as error:
            backend(root, 'plan', [('alpha', 'noarch', '0:1.1-1')], lock_timeout=1)
    assert error.value.type == 'LockTimeoutError'
    assert '.rpm.lock' in str(error.value)


# ---- reboot ------------------------------------------------------------------------------

def test_no_reboot_required_after_an_ordinary_update(make_root):
    root = make_root(ALPHA_10)
    assert backend(root, 'reboot_required') is False
    assert backend(root, 'install', [('alpha', 'noarch', '0:1.1-1')])['problems'] == {}
    assert backend(root, 'reboot_required') is False


def test_reboot_required_when_glibc_was_updated_since_boot(make_root):
    root = make_root(GLIBC_1)
    outcome = backend(root, 'install', [('glibc', 'noarch', '0:2.34-101')])
    assert outcome['problems'] == {}
    assert backend(root, 'reboot_required') is True


# ---- baseline Sources --------------------------------------------------------------------

def _tree_bytes(directory):
    result = {}
    for base, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(base, name)
            with open(path, 'rb') as handle:
                result[os.path.relpath(path, directory)] = handle.read()
    return result


@pytest.fixture(scope='module')
def frozen_repository(tmp_path_factory):
    """An alternative repository that only has alpha 1.1 (like a frozen snapshot)."""
    return rpmrepo.build_repository(str(tmp_path_factory.mktemp('frozen') / 'repo'), (ALPHA_10, ALPHA_11),
                                    (SECURITY_NOTICE,), name='frozen')


def test_sources_replace_the_node_repositories_and_restore_them(make_root, frozen_repository):
    root = make_root(ALPHA_10)
    repos_dir = os.path.join(root, 'etc', 'yum.repos.d')
    before = _tree_bytes(repos_dir)
    sources = [{'name': 'frozen', 'products': ['RedhatEnterpriseLinux9.4'], 'configuration': frozen_repository.repo_stanza()},
               {'name': 'other', 'products': ['AmazonLinux2023'], 'configuration': '[other]\nbaseurl=file:///nonexistent\n'}]
    universe = call_backend(root, [('read_universe', RHEL)], sources=sources, product=RHEL[1])[0]
    alpha = records(universe, 'alpha')
    assert sorted(alpha) == [('0:1.0-1', None), ('0:1.1-1', 'FLEET-2026:0001')]
    assert set(c['repository'] for c in alpha.values()) == {'frozen'}
    assert _tree_bytes(repos_dir) == before
    assert not [name for name in os.listdir(os.path.join(root, 'var/cache/dnf')) if name.startswith('frozen')]
    # without Sources the node's own repository is back
    assert ('0:1.2-1', None) in records(backend(root, 'read_universe', *RHEL), 'alpha')


def test_bad_source_configuration_names_the_field_and_leaves_the_node_alone(make_root):
    root = make_root(ALPHA_10)
    repos_dir = os.path.join(root, 'etc', 'yum.repos.d')
    before = _tree_bytes(repos_dir)
    sources = [{'name': 'bad', 'products': ['*'], 'configuration': 'baseurl=file:///x\n'}]
    with pytest.raises(BackendCallError) as error:
        call_backend(root, [('read_universe', RHEL)], sources=sources)
    assert error.value.type == 'InputError'
    assert 'Sources[0].Configuration' in str(error.value)
    assert _tree_bytes(repos_dir) == before
