# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scan/Install orchestration: input validation, and the run logic over an in-memory backend.

The package manager is replaced by ``MemoryBackend`` (installed versions and candidate
records held in dicts) because these tests check the orchestration's decisions --
which targets, changed, reboot due, pending-reboot tracking, FAILED and the task
failure -- not a package manager. tests/functional/module runs the same paths on real
apt, dnf and zypper.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import os

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _run
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend import InstallOutcome, PatchBackend
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BaselineValidationError, InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import Candidate, InstalledPackage, Universe

UTC = datetime.timezone.utc
DEBIAN_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
ALL_SECURITY = {'name': 'all-security', 'operating_system': 'DEBIAN', 'approval_rules': {'patch_rules': [
    {'patch_filter_group': {'patch_filters': [
        {'key': 'PRIORITY', 'values': ['Required', 'Important', 'Standard', 'Optional', 'Extra']}]}}]}}


class MemoryBackend(PatchBackend):
    """An apt-like package manager in memory (see the module docstring for why)."""

    family = 'apt'

    def __init__(self, installed, security, broken=()):
        super(MemoryBackend, self).__init__(root='/')
        self.installed = dict(installed)          # name -> version
        self.security = dict(security)            # name -> version in the security suite
        self.broken = set(broken)                 # names whose install fails
        self.calls = []

    def refresh(self):
        self.calls.append('refresh')

    def read_universe(self, operating_system, product, advisory_only=False):
        installed = [InstalledPackage(name, 'amd64', version) for name, version in sorted(self.installed.items())]
        candidates = [Candidate(name, 'amd64', version, security=True, classification='Security', priority='optional',
                                section='utils') for name, version in sorted(self.security.items())]
        candidates += [Candidate(name, 'amd64', version, priority='optional', section='utils')
                       for name, version in sorted(self.installed.items())]
        return Universe('apt', operating_system, product, installed, candidates)

    def dependency_closure(self, name, arch, version):
        return []

    def _transaction(self, targets):
        return [dict(name=name, arch=arch, from_version=self.installed.get(name), to_version=version, action='upgrade')
                for name, arch, version in targets]

    def plan(self, targets):
        self.calls.append('plan')
        return self._transaction(targets)

    def install(self, targets):
        self.calls.append('install')
        failed = {}
        for name, arch, version in targets:
            if name in self.broken:
                failed['%s.%s' % (name, arch)] = 'post-installation script returned error exit status 1'
            else:
                self.installed[name] = version
        return InstallOutcome(self._transaction(targets), problems=failed)

    def reboot_required(self):
        return False

    @contextlib.contextmanager
    def sources_replaced(self, sources):
        self.calls.append(('sources', [source['name'] for source in sources]))
        yield


class Clock(object):
    def __init__(self):
        self.time = datetime.datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC)

    def __call__(self):
        self.time += datetime.timedelta(seconds=1)
        return self.time


@pytest.fixture
def root(tmp_path):
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'etc' / 'os-release').write_text(DEBIAN_OS_RELEASE)
    return str(tmp_path)


def run(root, backend, boot_id='boot-1', check_mode=False, as_machine_root=True, **params):
    """Run with the node under ``root``; ``as_machine_root`` keeps the reboot option as if root were /."""
    params.setdefault('baseline', ALL_SECURITY)
    params['root'] = root
    if not as_machine_root:
        return _run.run(params, backend, Clock(), boot_id, check_mode)
    request = _run.prepare(params)
    request.reboot_option = params.get('reboot_option', 'RebootIfNeeded')
    return _run.execute(request, backend, Clock(), boot_id, check_mode)


def states(result):
    return dict((patch['name'], patch['state']) for patch in result['patches'])


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize('text, expected', [
    ('2026-03-01T00:00:00Z', datetime.datetime(2026, 3, 1, tzinfo=UTC)),
    ('2026-03-01T02:00:00+02:00', datetime.datetime(2026, 3, 1, tzinfo=UTC)),
    ('2026-03-01T00:00:00', datetime.datetime(2026, 3, 1, tzinfo=UTC)),
    ('2026-03-01', datetime.datetime(2026, 3, 1, tzinfo=UTC)),
])
def test_evaluation_time_is_utc(text, expected):
    assert _run.parse_evaluation_time(text, None) == expected


@pytest.mark.parametrize('params, field', [
    ({'operation': 'Patch'}, 'operation'),
    ({'reboot_option': 'Always'}, 'reboot_option'),
    ({'evaluation_time': 'yesterday'}, 'evaluation_time'),
    ({'snapshot_id': 'not-a-guid'}, 'snapshot_id'),
    ({'lock_timeout': -1}, 'lock_timeout'),
    ({'baseline': 'AWS-NoSuchBaseline'}, 'baseline'),
    ({'baseline': 42}, 'baseline'),
    ({'install_override_list': [{'title': 'x'}]}, 'install_override_list[0].id'),
    ({'install_override_list': [{'id': 'a'}], 'baseline_override': [ALL_SECURITY]}, 'baseline_override'),
    ({'evaluation_time': '0001-01-01T00:00:00Z'}, 'evaluation_time'),
    ({'evaluation_time': '9999-12-31T23:00:00-05:00'}, 'evaluation_time'),
    ({'patch_group': 'web\nservers'}, 'patch_group'),
    ({'patch_group': 'web\x1bservers'}, 'patch_group'),
    ({'patch_group': 'x' * 257}, 'patch_group'),
])
def test_bad_options_fail_naming_the_field(params, field):
    with pytest.raises(InputError) as caught:
        _run.validate_options(params)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ': ')


@pytest.mark.parametrize('text', ['0001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9999-12-31T23:00:00-05:00'])
def test_evaluation_time_outside_the_calendar_we_evaluate_names_the_range(text):
    with pytest.raises(InputError) as caught:
        _run.validate_options({'evaluation_time': text})
    assert str(caught.value) == 'evaluation_time: %r is outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z' % text


def test_patch_group_is_reported_as_given():
    assert _run.validate_options({'patch_group': 'Produktion Web-1'})['patch_group'] == 'Produktion Web-1'
    assert _run.validate_options({})['patch_group'] == ''


def tagged(value):
    """``value`` as ansible-core 2.19 hands it to the action plugin (a tagged subclass), when it does."""
    try:
        from ansible._internal._datatag._tags import Origin  # pylint: disable=import-outside-toplevel
    except ImportError:
        pytest.skip('ansible-core before 2.19 does not tag values')
    return Origin(description='playbook.yml').tag(value)


@pytest.mark.parametrize('params, words', [
    ({'baseline': 42}, 'not an integer'),
    ({'install_override_list': [{'id': ['openssl']}]}, 'must be a string, not a list'),
    ({'install_override_list': {'patches': {'id': 'openssl'}}}, 'not a mapping'),
    ({'baseline_override': [7]}, 'not an integer'),
    ({'evaluation_time': 20260101}, 'not an integer'),
    ({'patch_group': 5}, 'not an integer'),
])
def test_errors_name_types_in_user_words(params, words):
    params = dict((key, tagged(value)) for key, value in params.items())
    with pytest.raises(InputError) as caught:
        _run.validate_options(params)
    assert words in str(caught.value)
    assert '_Ansible' not in str(caught.value)


def test_bad_baseline_names_the_field_path_under_baseline():
    bad = dict(ALL_SECURITY, rejected_patches_action='SOMETIMES')
    with pytest.raises(BaselineValidationError) as caught:
        _run.validate_options({'baseline': bad})
    assert caught.value.path == 'baseline.rejected_patches_action'
    assert 'BLOCK' in str(caught.value) and 'ALLOW_AS_DEPENDENCY' in str(caught.value)


def test_bad_input_fails_before_the_backend_is_used(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    with pytest.raises(InputError):
        run(root, backend, operation='Install', evaluation_time='soon')
    assert backend.calls == []


def test_sources_are_selected_by_product():
    sources = [{'name': 'all', 'products': ['*'], 'configuration': 'x'},
               {'name': 'deb12', 'products': ['Debian12'], 'configuration': 'x'},
               {'name': 'ubuntu', 'products': ['Ubuntu22.04'], 'configuration': 'x'}]
    assert [source['name'] for source in _backend.sources_for_product(sources, 'debian12')] == ['all', 'deb12']


# ---------------------------------------------------------------- orchestration

def test_scan_reports_missing_and_changes_nothing(root):
    backend = MemoryBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1'})
    result = run(root, backend)
    assert states(result) == {'bash': 'MISSING', 'curl': 'INSTALLED_OTHER'}
    assert result['changed'] is False
    assert backend.calls == ['refresh']      # the package lists, as AWS-RunPatchBaseline does; no package
    state = result['instance_patch_state']
    assert state['missing_count'] == 1 and state['compliance_status'] == 'NON_COMPLIANT'
    assert state['operation'] == 'Scan' and state['operating_system'] == 'DEBIAN'
    assert state['operation_start_time'] < state['operation_end_time']
    assert result['ansible_facts']['patch_compliance'] == state


def test_install_then_second_install_is_not_changed(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    first = run(root, backend, operation='Install')
    assert states(first) == {'bash': 'INSTALLED'}
    assert first['changed'] is True and first['reboot_due'] is True
    assert backend.calls[0] == 'refresh'
    second = run(root, backend, operation='Install')
    assert second['changed'] is False and second['reboot_due'] is False


def test_check_mode_reports_the_transaction_and_installs_nothing(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    result = run(root, backend, operation='Install', check_mode=True)
    assert result['changed'] is True
    assert result['transaction'] == [dict(name='bash', arch='amd64', from_version='5.1-1', to_version='5.2-1',
                                          action='upgrade')]
    assert backend.installed == {'bash': '5.1-1'} and 'install' not in backend.calls


def test_no_reboot_keeps_pending_until_the_boot_id_changes(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    install = run(root, backend, operation='Install', reboot_option='NoReboot')
    assert states(install) == {'bash': 'INSTALLED_PENDING_REBOOT'}
    assert install['reboot_due'] is False
    assert install['instance_patch_state']['last_no_reboot_install_operation_time'] is not None
    assert states(run(root, backend)) == {'bash': 'INSTALLED_PENDING_REBOOT'}
    assert states(run(root, backend, boot_id='boot-2')) == {'bash': 'INSTALLED'}


def test_reboot_if_needed_reboots_for_earlier_pending_patches(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    run(root, backend, operation='Install', reboot_option='NoReboot')
    result = run(root, backend, operation='Install')
    assert result['changed'] is False
    assert result['reboot_due'] is True
    assert states(result) == {'bash': 'INSTALLED'}


def test_alternate_root_never_reboots_and_warns(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    result = run(root, backend, operation='Install', as_machine_root=False)
    assert result['reboot_due'] is False
    assert result['instance_patch_state']['reboot_option'] == 'NoReboot'
    assert any('NoReboot' in warning for warning in result['warnings'])


def test_partial_failure_reports_everything_and_fails(root):
    backend = MemoryBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1', 'curl': '7.1-1'}, broken=['curl'])
    result = run(root, backend, operation='Install')
    assert states(result) == {'bash': 'INSTALLED', 'curl': 'FAILED'}
    assert result['failed'] is True
    assert 'curl.amd64' in result['msg'] and 'bash' not in result['msg']
    assert result['instance_patch_state']['failed_count'] == 1


def test_override_list_installs_unapproved_and_leaves_missing(root):
    backend = MemoryBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1', 'curl': '7.1-1'})
    baseline = dict(ALL_SECURITY, rejected_patches=['curl'])
    result = run(root, backend, operation='Install', baseline=baseline, install_override_list=[{'id': 'curl.*'}])
    assert backend.installed == {'bash': '5.1-1', 'curl': '7.1-1'}
    assert states(result) == {'bash': 'MISSING', 'curl': 'INSTALLED_OTHER'}


def test_scan_ignores_the_override_list(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    result = run(root, backend, install_override_list=[{'id': 'nothing'}])
    assert states(result) == {'bash': 'MISSING'}


def test_baseline_override_for_the_os_wins(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    override = dict(ALL_SECURITY, name='reject-bash', rejected_patches=['bash'], rejected_patches_action='BLOCK')
    ubuntu = dict(ALL_SECURITY, name='ubuntu-only', operating_system='UBUNTU')
    result = run(root, backend, baseline_override=[ubuntu, override])
    assert states(result) == {'bash': 'INSTALLED_REJECTED'}
    assert result['instance_patch_state']['baseline_id'] == 'reject-bash'


def test_baseline_sources_replace_repositories_for_the_run(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    sources = [{'name': 'mirror', 'products': ['*'], 'configuration': 'deb [trusted=yes] file:///srv/mirror bookworm main'}]
    run(root, backend, baseline=dict(ALL_SECURITY, sources=sources))
    assert ('sources', ['mirror']) in backend.calls


def test_baseline_sources_are_fetched_as_they_replace_the_repositories_not_refreshed_again(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    sources = [{'name': 'mirror', 'products': ['*'], 'configuration': 'deb [trusted=yes] file:///srv/mirror bookworm main'}]
    run(root, backend, operation='Install', baseline=dict(ALL_SECURITY, sources=sources))
    assert 'refresh' not in backend.calls


# ---------------------------------------------------------------- refreshing the package lists

@pytest.mark.parametrize('operation', ['Scan', 'Install'])
def test_every_operation_refreshes_the_package_lists_first(root, operation):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    run(root, backend, operation=operation)
    assert backend.calls[0] == 'refresh'


@pytest.mark.parametrize('operation', ['Scan', 'Install'])
def test_check_mode_never_refreshes_and_writes_nothing(root, operation):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    result = run(root, backend, operation=operation, check_mode=True, update_cache=True, reboot_option='NoReboot')
    assert 'refresh' not in backend.calls
    assert states(result) == {'bash': 'MISSING'}
    assert not os.path.exists(os.path.join(root, 'var'))


def test_update_cache_false_never_refreshes(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    run(root, backend, update_cache=False)
    run(root, backend, operation='Install', update_cache=False)
    assert 'refresh' not in backend.calls


def test_cache_valid_time_skips_a_refresh_younger_than_it(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    run(root, backend, cache_valid_time=3600)                   # no refresh noted yet: refreshes
    run(root, backend, cache_valid_time=3600)                   # refreshed at this run's start: not again
    assert backend.calls.count('refresh') == 1
    run(root, backend)                                          # cache_valid_time 0: always
    assert backend.calls.count('refresh') == 2
    with open(os.path.join(root, 'var/lib/fleetops-patch/lists-refreshed'), 'w') as handle:
        handle.write('2026-11-25T07:59:00Z\n')                  # the runs start at 09:00:01: 61 minutes ago
    run(root, backend, cache_valid_time=3600)
    assert backend.calls.count('refresh') == 3
    run(root, backend, cache_valid_time=3600, update_cache=False)
    assert backend.calls.count('refresh') == 3


@pytest.mark.parametrize('value', [-1, 'soon', True, 1.5])
def test_cache_valid_time_is_a_number_of_seconds(value):
    with pytest.raises(InputError) as caught:
        _run.validate_options({'cache_valid_time': value})
    assert caught.value.field == 'cache_valid_time'


class SkippingBackend(MemoryBackend):
    def refresh(self):
        super(SkippingBackend, self).refresh()
        self.warnings.append('dnf skipped repository extras (skip_if_unavailable is set): its metadata could not be '
                             'fetched, so nothing it offers was evaluated.')


def test_what_the_package_manager_skipped_is_a_warning(root):
    result = run(root, SkippingBackend({'bash': '5.1-1'}, {'bash': '5.2-1'}))
    assert any('skipped repository extras' in warning for warning in result['warnings'])


def test_override_listed_package_that_does_not_install_is_failed(root):
    backend = MemoryBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1', 'curl': '7.1-1'}, broken=['curl'])
    result = run(root, backend, operation='Install', install_override_list=[{'id': 'curl.*'}])
    assert states(result) == {'bash': 'MISSING', 'curl': 'FAILED'}
    assert result['failed'] is True and 'curl.amd64' in result['msg']


def test_check_mode_with_nothing_to_do_is_not_changed(root):
    backend = MemoryBackend({'bash': '5.2-1'}, {'bash': '5.2-1'})
    result = run(root, backend, operation='Install', check_mode=True)
    assert result['changed'] is False and result['transaction'] == []
    assert states(result) == {'bash': 'INSTALLED'}


def test_explicit_operating_system_runs_on_an_unknown_os_release(tmp_path):
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'etc' / 'os-release').write_text('ID=gentoo\nVERSION_ID=2.15\n')
    with pytest.raises(InputError, match='operating_system'):
        _run.prepare(dict(root=str(tmp_path), baseline=ALL_SECURITY))
    request = _run.prepare(dict(root=str(tmp_path), baseline=ALL_SECURITY, operating_system='DEBIAN'))
    assert (request.operating_system, request.product, request.family) == ('DEBIAN', 'Debian2.15', 'apt')


def test_a_corrupt_state_file_is_reported_and_tracking_starts_afresh(root):
    state_file = os.path.join(root, 'var', 'lib', 'fleetops-patch', 'state.json')
    os.makedirs(os.path.dirname(state_file))
    with open(state_file, 'w') as handle:
        handle.write('{"pending": [')
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    result = run(root, backend)
    assert any(state_file in warning and 'corrupt' in warning for warning in result['warnings'])
    assert states(result) == {'bash': 'MISSING'}
    run(root, backend, operation='Install', reboot_option='NoReboot')
    after = run(root, backend)  # the NoReboot run wrote a good file
    assert not any(state_file in warning for warning in after['warnings'])
    assert states(after) == {'bash': 'INSTALLED_PENDING_REBOOT'}


# ---------------------------------------------------------------- advisory-only reading

RHEL_OS_RELEASE = 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="9.4"\nID="rhel"\n'
RHEL_SECURITY = {'name': 'rhel-security', 'operating_system': 'REDHAT_ENTERPRISE_LINUX', 'approval_rules': {
    'patch_rules': [{'approve_after_days': 0,
                     'patch_filter_group': {'patch_filters': [{'key': 'CLASSIFICATION', 'values': ['Security']}]}}]}}
RHEL_EVERYTHING = {'name': 'rhel-all', 'operating_system': 'REDHAT_ENTERPRISE_LINUX', 'approval_rules': {
    'patch_rules': [{'approve_after_days': 0, 'enable_non_security': True, 'patch_filter_group': {'patch_filters': []}}]}}


class RpmMemoryBackend(MemoryBackend):
    """A dnf-like package manager in memory: notices for the security versions, none for the rest."""

    family = 'dnf'

    def __init__(self, installed, security, other=()):
        super(RpmMemoryBackend, self).__init__(installed, security)
        self.other = dict(other)                  # name -> version in no notice
        self.reads = []

    def read_universe(self, operating_system, product, advisory_only=False):
        self.reads.append(advisory_only)
        installed = [InstalledPackage(name, 'x86_64', version) for name, version in sorted(self.installed.items())]
        candidates = [Candidate(name, 'x86_64', version, security=True, advisory_id='RHSA-2026:%04d' % number,
                                classification='Security', severity='Important')
                      for number, (name, version) in enumerate(sorted(self.security.items()))]
        if not advisory_only:
            candidates += [Candidate(name, 'x86_64', version) for name, version in sorted(self.other.items())]
        return Universe('dnf', operating_system, product, installed, candidates)

    def _transaction(self, targets):
        return [dict(name=name, arch=arch, from_version=self.installed.get(name), to_version=version, action='upgrade')
                for name, arch, version in targets]


@pytest.fixture
def rhel_root(tmp_path):
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'etc' / 'os-release').write_text(RHEL_OS_RELEASE)
    return str(tmp_path)


def rpm_backend():
    return RpmMemoryBackend({'bash': '0:5.1-1', 'vim': '2:9.0-1'}, {'bash': '0:5.2-1'}, {'vim': '2:9.1-1'})


def test_a_baseline_approving_only_advisories_reads_only_advisory_records(rhel_root):
    backend = rpm_backend()
    result = run(rhel_root, backend, baseline=RHEL_SECURITY)
    assert backend.reads == [True]
    assert states(result) == {'bash': 'MISSING', 'vim': 'INSTALLED_OTHER'}
    vim = [patch for patch in result['patches'] if patch['name'] == 'vim'][0]
    assert 'in an advisory' in vim['reason']


def test_install_reads_advisory_records_before_and_after(rhel_root):
    backend = rpm_backend()
    result = run(rhel_root, backend, baseline=RHEL_SECURITY, operation='Install')
    assert backend.reads == [True, True]
    assert states(result) == {'bash': 'INSTALLED', 'vim': 'INSTALLED_OTHER'}


@pytest.mark.parametrize('params', [
    dict(baseline=RHEL_EVERYTHING),
    dict(baseline=RHEL_SECURITY, operation='Install', install_override_list=[{'id': 'vim.*'}]),
], ids=['baseline-approves-non-security', 'install-override-list'])
def test_every_record_is_read_when_a_version_in_no_advisory_may_be_installed(rhel_root, params):
    backend = rpm_backend()
    result = run(rhel_root, backend, **params)
    assert set(backend.reads) == {False}
    if params.get('operation') == 'Install':
        assert backend.installed['vim'] == '2:9.1-1'  # found only among the records in no advisory
        assert states(result)['vim'] == 'INSTALLED_OTHER'  # installed on request; the baseline does not approve it
    else:
        assert states(result)['vim'] == 'MISSING'


def test_seconds_given_as_text_are_numbers_as_the_argument_spec_makes_them():
    # ad hoc key=value arguments reach the controller-side validation as text
    options = _run.validate_options({'cache_valid_time': '3600', 'lock_timeout': '30'})
    assert (options['cache_valid_time'], options['lock_timeout']) == (3600, 30)
