# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AptBackend against real apt/dpkg in overlays of the golden Debian root.

Nothing is mocked: repositories are real (generated .debs, apt-ftparchive indexes),
apt-get and dpkg run chrooted in the overlay root. Run as root:
``.venv/bin/pytest tests/functional/apt -q``.
"""

import contextlib
import fcntl
import hashlib
import os
import subprocess
import sys

import pytest

from tests.functional.apt.aptnode import (
    BackendCallError, add_repository, dpkg_state, install_directly, prepared_root, run_backend)
from tests.support.specs import PackageSpec

MAIN = [
    PackageSpec('alpha', '1.0'),
    PackageSpec('beta', '1.0'),
    PackageSpec('gamma', '1.0'),
    PackageSpec('unrelated', '1.0'),
]
SECURITY = [
    PackageSpec('alpha', '1.1', priority='important', section='admin'),
    PackageSpec('gamma', '1.1', postinst_fails=True),
]
UPDATES = [
    PackageSpec('alpha', '1.2'),
    PackageSpec('beta', '1.1', depends=('newdep (>= 1.0-1)',)),
    PackageSpec('newdep', '1.0'),
]


@pytest.fixture
def node(apt_root):
    """A root with the scenario repository configured and alpha, beta, gamma 1.0-1 installed."""
    prepared_root(apt_root, MAIN, SECURITY, UPDATES, 'alpha=1.0-1', 'beta=1.0-1', 'gamma=1.0-1')
    return apt_root


def digest_tree(root, relatives):
    """sha256 of every file under the given root-relative paths (a missing path is recorded too)."""
    digests = {}
    for relative in relatives:
        top = os.path.join(root, relative)
        if os.path.isfile(top):
            with open(top, 'rb') as handle:
                digests[relative] = hashlib.sha256(handle.read()).hexdigest()
            continue
        if not os.path.exists(top):
            digests[relative] = None
            continue
        for directory, _dirs, files in os.walk(top):
            for filename in files:
                path = os.path.join(directory, filename)
                with open(path, 'rb') as handle:
                    digests[os.path.relpath(path, root)] = hashlib.sha256(handle.read()).hexdigest()
    return digests


def candidates_of(universe, name):
    """{version: record} of the versions the sources offer (not what only the dpkg status records)."""
    return dict((record['version'], record) for record in universe['candidates']
                if record['name'] == name and not record.get('from_package_database'))


def installed_of(universe, name):
    matches = [package for package in universe['installed'] if package['name'] == name]
    return matches[0] if matches else None


def test_universe_reports_installed_versions_and_pockets(node):
    universe, = run_backend(node, [['read_universe', 'DEBIAN', 'Debian12']])

    assert universe['family'] == 'apt'
    alpha = installed_of(universe, 'alpha')
    assert (alpha['arch'], alpha['version'], alpha['dpkg_state']) == ('all', '1.0-1', 'installed')
    assert alpha['installed_time'] is not None
    assert installed_of(universe, 'unrelated') is None
    # Packages of the golden root itself are installed packages too.
    assert installed_of(universe, 'python3-apt') is not None

    alpha_candidates = candidates_of(universe, 'alpha')
    assert sorted(alpha_candidates) == ['1.0-1', '1.1-1', '1.2-1']
    security = alpha_candidates['1.1-1']
    assert (security['repository'], security['security'], security['classification']) == \
        ('bookworm-security', True, 'Security')
    assert (security['priority'], security['section']) == ('important', 'admin')
    assert security['release_date'] is None
    for version, pocket in (('1.0-1', 'bookworm'), ('1.2-1', 'bookworm-updates')):
        record = alpha_candidates[version]
        assert (record['repository'], record['security'], record['classification']) == (pocket, False, None)
        assert (record['priority'], record['section']) == ('optional', 'utils')
    assert sorted(candidates_of(universe, 'beta')) == ['1.0-1', '1.1-1']
    # Not installed: still read (for NOT_APPLICABLE), one record per version.
    unrelated = candidates_of(universe, 'unrelated')
    assert sorted(unrelated) == ['1.0-1']
    assert (unrelated['1.0-1']['arch'], unrelated['1.0-1']['security']) == ('all', False)
    assert sorted(candidates_of(universe, 'newdep')) == ['1.0-1']


def test_an_untrusted_security_pocket_is_not_security(apt_root):
    lines = add_repository(apt_root, MAIN, security=SECURITY, write_sources=False)
    # Unsigned and not marked trusted: apt reads it only because insecure use is allowed.
    with open(os.path.join(apt_root, 'etc/apt/sources.list'), 'w') as handle:
        handle.write(lines.replace('[trusted=yes]', '[allow-insecure=yes]'))
    run_backend(apt_root, [['refresh']])
    install_directly(apt_root, '--allow-unauthenticated', 'alpha=1.0-1')

    universe, = run_backend(apt_root, [['read_universe', 'DEBIAN', 'Debian12']])

    record = candidates_of(universe, 'alpha')['1.1-1']
    assert record['repository'] == 'bookworm-security'
    assert (record['security'], record['classification']) == (False, None)


def test_plan_is_exact_and_changes_nothing(node):
    before = digest_tree(node, ['var/lib/dpkg', 'etc/apt'])

    plan, = run_backend(node, [['plan', [['alpha', 'all', '1.1-1'], ['beta', 'all', '1.1-1']]]])

    by_name = dict((item['name'], item) for item in plan)
    assert by_name['alpha'] == {'name': 'alpha', 'arch': 'all', 'from_version': '1.0-1', 'to_version': '1.1-1',
                                'action': 'upgrade'}
    assert by_name['beta']['action'] == 'upgrade' and by_name['beta']['to_version'] == '1.1-1'
    assert by_name['newdep'] == {'name': 'newdep', 'arch': 'all', 'from_version': None, 'to_version': '1.0-1',
                                 'action': 'install'}
    assert sorted(by_name) == ['alpha', 'beta', 'newdep']
    assert digest_tree(node, ['var/lib/dpkg', 'etc/apt']) == before
    assert dpkg_state(node, 'alpha') == ('1.0-1', 'installed')


def test_install_goes_to_the_requested_version_and_adds_new_dependencies(node):
    outcome, = run_backend(node, [['install', [['alpha', 'all', '1.1-1'], ['beta', 'all', '1.1-1']]]])

    assert outcome['problems'] == {}
    # 1.2-1 is available but was not requested.
    assert dpkg_state(node, 'alpha') == ('1.1-1', 'installed')
    with open(os.path.join(node, 'usr/share/fleetops-test/alpha/version')) as handle:
        assert handle.read().strip() == '1.1-1'
    assert dpkg_state(node, 'beta') == ('1.1-1', 'installed')
    assert dpkg_state(node, 'newdep') == ('1.0-1', 'installed')
    assert dpkg_state(node, 'unrelated') is None
    assert sorted((item['name'], item['action']) for item in outcome['transaction']) == \
        [('alpha', 'upgrade'), ('beta', 'upgrade'), ('newdep', 'install')]


def test_install_only_upgrades_never_installs_a_missing_target(node):
    outcome, = run_backend(node, [['install', [['unrelated', 'all', '1.0-1']]]])

    assert dpkg_state(node, 'unrelated') is None
    assert 'unrelated.all' in outcome['problems']


def test_an_unresolvable_target_fails_alone(node):
    outcome, = run_backend(node, [['install', [['alpha', 'all', '7.0-1'], ['beta', 'all', '1.1-1']]]])

    assert list(outcome['problems']) == ['alpha.all']
    assert '7.0-1' in outcome['problems']['alpha.all']
    assert dpkg_state(node, 'alpha') == ('1.0-1', 'installed')
    assert dpkg_state(node, 'beta') == ('1.1-1', 'installed')


def test_python3_apt_is_upgraded_whatever_the_baseline(apt_root):
    # python3-apt from a plain (non-security) pocket: AWS upgrades it anyway (ssm-semantics 11.16).
    add_repository(apt_root, [PackageSpec('python3-apt', '99.0')])
    run_backend(apt_root, [['refresh']])

    outcome, again = run_backend(apt_root, [['upgrade_python_apt'], ['upgrade_python_apt']])

    assert outcome['problems'] == {}
    assert dpkg_state(apt_root, 'python3-apt') == ('99.0-1', 'installed')
    assert again is None


def test_dependency_closure_lists_a_new_dependency(node):
    closure, alone, again = run_backend(node, [['dependency_closure', 'beta', 'all', '1.1-1'],
                                               ['dependency_closure', 'alpha', 'all', '1.1-1'],
                                               ['dependency_closure', 'beta', 'all', '1.1-1']])

    assert closure == [['newdep', 'all', '1.0-1']]
    # Each question starts from the installed system, not from the previous answer.
    assert alone == []
    assert again == closure
    assert dpkg_state(node, 'newdep') is None


@contextlib.contextmanager
def lock_held_by_another_process(path):
    """A child process holding an fcntl lock on ``path`` (as apt and dpkg take theirs) until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import fcntl, sys\n'
         'handle = open(sys.argv[1], "w")\n'
         'fcntl.lockf(handle, fcntl.LOCK_EX)\n'
         'print("locked", flush=True)\n'
         'sys.stdin.read()\n', path],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True)
    try:
        assert holder.stdout.readline().strip() == 'locked'
        yield holder
    finally:
        holder.stdin.close()
        holder.wait()


def test_held_lock_times_out_naming_the_holder(node):
    lock_path = os.path.join(node, 'var/lib/dpkg/lock-frontend')
    with lock_held_by_another_process(lock_path) as holder:
        with pytest.raises(BackendCallError) as caught:
            run_backend(node, [['install', [['alpha', 'all', '1.1-1']]]], lock_timeout=2)
    assert caught.value.kind == 'LockTimeoutError'
    assert 'PID %d' % holder.pid in caught.value.message
    assert lock_path in caught.value.message
    assert dpkg_state(node, 'alpha') == ('1.0-1', 'installed')


def test_failing_postinst_fails_that_package_and_the_next_read_tells_the_truth(node):
    outcome, universe = run_backend(node, [
        ['install', [['gamma', 'all', '1.1-1'], ['alpha', 'all', '1.1-1']]],
        ['read_universe', 'DEBIAN', 'Debian12'],
    ])

    assert list(outcome['problems']) == ['gamma.all']
    assert 'half-configured' in outcome['problems']['gamma.all']
    assert dpkg_state(node, 'alpha') == ('1.1-1', 'installed')
    assert dpkg_state(node, 'gamma') == ('1.1-1', 'half-configured')
    gamma = installed_of(universe, 'gamma')
    assert gamma['dpkg_state'] == 'half-configured'
    # Reported below 1.1-1, so an engine that approves 1.1-1 sees it MISSING, not INSTALLED.
    assert gamma['version'] == '1.1-1~halfconfigured'


def test_scan_of_a_half_configured_package_reports_it_missing(node):
    """End to end with the engine: what the user sees in ``patches`` after a failed postinst."""
    import datetime
    from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate, _predefined
    from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import (
        Candidate, InstalledPackage, Universe)
    _outcome, universe = run_backend(node, [['install', [['gamma', 'all', '1.1-1']]],
                                            ['read_universe', 'DEBIAN', 'Debian12']])
    rebuilt = Universe('apt', 'DEBIAN', 'Debian12',
                       [InstalledPackage(p['name'], p['arch'], p['version']) for p in universe['installed']],
                       [Candidate(c['name'], c['arch'], c['version'], repository=c['repository'], security=c['security'],
                                  classification=c['classification'], priority=c['priority'], section=c['section'])
                        for c in universe['candidates']])

    evaluation = _evaluate.evaluate(_predefined.get_predefined('AWS-DebianDefaultPatchBaseline'), rebuilt,
                                    datetime.datetime.now(datetime.timezone.utc))

    patches = dict((patch['name'], patch) for patch in evaluation.patches)
    assert patches['gamma']['state'] == 'MISSING'
    assert patches['gamma']['installed_version'] == '1.1-1~halfconfigured'
    assert patches['gamma']['approved_version'] == '1.1-1'
    assert patches['alpha']['state'] == 'MISSING' and patches['alpha']['approved_version'] == '1.1-1'
    assert patches['beta']['state'] == 'INSTALLED_OTHER'


def test_interrupted_dpkg_is_recovered_before_installing(node):
    run_backend(node, [['install', [['gamma', 'all', '1.1-1']]]])
    assert dpkg_state(node, 'gamma') == ('1.1-1', 'half-configured')
    # The maintainer "fixes" the script; the next install first finishes dpkg's work.
    postinst = os.path.join(node, 'var/lib/dpkg/info/gamma.postinst')
    with open(postinst, 'w') as handle:
        handle.write('#!/bin/sh\nexit 0\n')

    outcome, = run_backend(node, [['install', [['alpha', 'all', '1.1-1']]]])

    assert outcome['problems'] == {}
    assert dpkg_state(node, 'gamma') == ('1.1-1', 'installed')
    assert any('dpkg --configure -a' in message for message in outcome['messages'])


def test_sources_are_replaced_for_the_run_and_node_files_stay_identical(node, tmp_path):
    baseline_repo = add_repository(node, [PackageSpec('alpha', '9.0')], subdir='baseline', write_sources=False)
    sources = [
        {'name': 'baseline-repo', 'products': ['Debian12'], 'configuration': baseline_repo},
        {'name': 'other-os', 'products': ['Ubuntu*'], 'configuration': 'deb [trusted=yes] file:///nonexistent jammy main'},
    ]
    watched = ['etc/apt', 'var/lib/apt/lists', 'var/cache/apt', 'var/lib/dpkg']
    before = digest_tree(node, watched)

    universe, = run_backend(node, [['read_universe', 'DEBIAN', 'Debian12']], sources=sources, product='Debian12')

    assert sorted(candidates_of(universe, 'alpha')) == ['9.0-1']
    assert digest_tree(node, watched) == before
    # Outside the block the node's own sources are back in use.
    universe, = run_backend(node, [['read_universe', 'DEBIAN', 'Debian12']])
    assert sorted(candidates_of(universe, 'alpha')) == ['1.0-1', '1.1-1', '1.2-1']
    assert not os.path.exists(os.path.join(node, 'var/lib/fleetops-patch'))      # what the run created is gone


def test_sources_are_restored_when_the_run_fails(node):
    sources = [{'name': 'broken', 'products': ['*'], 'configuration': 'deb [trusted=yes] file:///nonexistent bookworm main'}]
    watched = ['etc/apt', 'var/lib/apt/lists', 'var/cache/apt', 'var/lib/dpkg']
    before = digest_tree(node, watched)

    with pytest.raises(BackendCallError) as caught:
        run_backend(node, [['read_universe', 'DEBIAN', 'Debian12']], sources=sources, product='Debian12')

    assert caught.value.kind == 'MetadataError'
    assert '/nonexistent' in caught.value.message         # the source that cannot be fetched, by name
    assert digest_tree(node, watched) == before
    assert not os.path.exists(os.path.join(node, 'var/lib/fleetops-patch'))      # what the run created is gone


def test_reboot_required_follows_the_os_signal(node):
    assert run_backend(node, [['reboot_required']]) == [False]
    with open(os.path.join(node, 'run/reboot-required'), 'w') as handle:
        handle.write('*** System restart required ***\n')
    assert run_backend(node, [['reboot_required']]) == [True]


def test_lock_probe_names_the_holder(tmp_path):
    """The lock probe itself, under the venv python (no python-apt needed)."""
    from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_apt import lock_holder
    path = str(tmp_path / 'lock')
    with open(path, 'w') as handle:
        assert lock_holder(path) is None
        with lock_held_by_another_process(path) as child:
            assert lock_holder(path) == 'PID %d' % child.pid
        fcntl.lockf(handle, fcntl.LOCK_UN)
