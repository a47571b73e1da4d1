# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""run_patch_baseline end to end on real apt/dpkg, dnf/rpm and zypper/rpm (see conftest.py)."""

import json
import os
import shutil
import subprocess

import pytest

from tests.functional.module.conftest import (
    ALL_SECURITY, OPERATING_SYSTEM, REPO_IN_ROOT, REPO_ROOT, baseline, by_name, expected_version, rule, states,
)
from tests.support import rpmrepo
from tests.support.specs import AdvisorySpec, PackageSpec

SCENARIO = ('alpha', 'bravo', 'charlie', 'delta', 'foxtrot', 'india')


def assert_ok(result):
    assert result['failed'] is False, result.get('msg')
    return result


# ---------------------------------------------------------------- Scan

def test_scan_reports_every_installed_package_and_changes_nothing(node):
    digest = node.database_digest()
    result = assert_ok(node.run(baseline=ALL_SECURITY[node.family]))
    assert result['changed'] is False
    assert node.database_digest() == digest
    assert states(result, *SCENARIO) == {
        'alpha': 'MISSING', 'bravo': 'INSTALLED_OTHER', 'charlie': 'INSTALLED_OTHER', 'delta': 'MISSING',
        'foxtrot': 'MISSING', 'india': 'MISSING'}
    state = result['instance_patch_state']
    assert state['missing_count'] == 4
    assert state['compliance_status'] == 'NON_COMPLIANT'
    assert state['security_non_compliant_count'] == 4
    assert state['operating_system'] == OPERATING_SYSTEM[node.family]
    assert state['operation'] == 'Scan' and state['baseline_id'] == 'all-security'
    assert result['ansible_facts']['patch_compliance'] == state
    alpha = by_name(result)['alpha']
    assert alpha['approved_version'] == expected_version(node.family, '1.1')
    assert alpha['installed_version'] == expected_version(node.family, '1.0')
    assert alpha['classification'] == 'Security'
    if node.family == 'apt':
        assert alpha['cve_ids'] == []                    # never reported on apt
    else:
        assert alpha['advisory_ids'] == ['FLEET-2026:0001']
        assert alpha['cve_ids'] == ['CVE-2026-0001']


def test_not_applicable_is_counted_not_listed(node):
    result = assert_ok(node.run(baseline=ALL_SECURITY[node.family]))
    # hotel and echo have approved security updates and are not installed.
    assert result['instance_patch_state']['not_applicable_count'] == 2
    assert 'hotel' not in by_name(result) and 'echo' not in by_name(result)


def test_scan_with_the_predefined_baseline_by_default(node):
    # Every predefined Linux baseline approves an Important security update released months ago.
    result = assert_ok(node.run(evaluation_time='2026-06-01T00:00:00Z'))
    assert states(result, 'alpha', 'bravo') == {'alpha': 'MISSING', 'bravo': 'INSTALLED_OTHER'}
    assert result['instance_patch_state']['baseline_id']
    assert result['changed'] is False


# ---------------------------------------------------------------- Install, pending reboot, idempotence

def test_install_no_reboot_pending_until_boot_then_idempotent(node):
    result = assert_ok(node.run(operation='Install', reboot_option='NoReboot', baseline=ALL_SECURITY[node.family]))
    assert result['changed'] is True and result['rebooted'] is False
    installed = node.installed()
    for name in ('alpha', 'delta', 'foxtrot', 'india'):
        assert installed[name] == expected_version(node.family, '1.1'), name
    assert 'golf' in installed                            # new dependency of foxtrot 1.1
    assert installed['bravo'].endswith('1.0-1')           # not approved: never upgraded
    assert 'hotel' not in installed                       # not installed packages stay so
    assert states(result, 'alpha', 'india', 'bravo') == {
        'alpha': 'INSTALLED_PENDING_REBOOT', 'india': 'INSTALLED_PENDING_REBOOT', 'bravo': 'INSTALLED_OTHER'}
    state = result['instance_patch_state']
    assert state['installed_pending_reboot_count'] >= 4
    assert state['compliance_status'] == 'NON_COMPLIANT'
    assert state['last_no_reboot_install_operation_time']
    assert {item['name'] for item in result['transaction']} >= {'alpha', 'delta', 'foxtrot', 'golf', 'india'}

    again = assert_ok(node.run(operation='Install', reboot_option='NoReboot', baseline=ALL_SECURITY[node.family]))
    assert again['changed'] is False
    assert states(again, 'alpha')['alpha'] == 'INSTALLED_PENDING_REBOOT'

    node.boot()
    scan = assert_ok(node.run(baseline=ALL_SECURITY[node.family]))
    assert states(scan, 'alpha', 'delta', 'foxtrot', 'india') == dict.fromkeys(
        ('alpha', 'delta', 'foxtrot', 'india'), 'INSTALLED')
    assert scan['instance_patch_state']['compliance_status'] == 'COMPLIANT'
    assert scan['instance_patch_state']['installed_pending_reboot_count'] == 0


def test_alternate_root_never_reboots(node):
    result = assert_ok(node.run(operation='Install', baseline=ALL_SECURITY[node.family]))
    assert result['rebooted'] is False
    assert result['instance_patch_state']['reboot_option'] == 'NoReboot'
    assert 'behaves as NoReboot' in result['printed_warnings']


def test_check_mode_reports_the_transaction_and_changes_nothing(node):
    digest = node.database_digest()
    result = assert_ok(node.run(check=True, operation='Install', baseline=ALL_SECURITY[node.family]))
    assert result['changed'] is True
    planned = dict((item['name'], item) for item in result['transaction'])
    assert planned['alpha']['to_version'] == expected_version(node.family, '1.1')
    assert planned['alpha']['action'] == 'upgrade'
    assert planned['golf']['action'] == 'install'
    assert 'bravo' not in planned
    assert node.database_digest() == digest
    assert states(result, 'alpha')['alpha'] == 'MISSING'


def test_arguments_over_64_kib_reach_the_module_respawned_under_the_system_python(family, make_node):
    # The controller's Python (the venv's, which runs the module for localhost) has neither apt_pkg
    # nor dnf: the module re-executes itself under /usr/bin/python3 with all of its arguments.
    if family == 'zypper':
        pytest.skip('zypper needs no Python bindings: the module never respawns')
    module = {'apt': 'apt_pkg', 'dnf': 'dnf'}[family]
    assert subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', 'python'), '-c', 'import ' + module],
                          stderr=subprocess.DEVNULL, check=False).returncode != 0
    node = make_node()
    padding = [{'id': 'fleetops-no-such-package-%04d-%s.*' % (number, 'x' * 60)} for number in range(1000)]
    override = [{'id': 'bravo.*'}] + padding
    assert len(json.dumps(override)) > 64 * 1024
    # The timeout only keeps a hang (a pipe nobody reads) from stalling the test run.
    result = assert_ok(node.run(check=True, timeout=600, operation='Install', baseline=ALL_SECURITY[node.family],
                                install_override_list=override))
    assert [item['name'] for item in result['transaction']] == ['bravo']
    assert result['changed'] is True


def test_failed_install_reports_everything_and_fails_the_task(make_node):
    node = make_node(broken=True)
    result = node.run(operation='Install', baseline=ALL_SECURITY[node.family])
    assert result['failed'] is True
    assert 'echo' in result['msg']
    assert states(result, 'echo', 'alpha') == {'echo': 'FAILED', 'alpha': 'INSTALLED_PENDING_REBOOT'}
    assert result['instance_patch_state']['failed_count'] == 1
    assert 'MISSING' not in [patch['state'] for patch in result['patches']]   # Install never reports MISSING


# ---------------------------------------------------------------- rejected patches

# Forms naming the package (every version) and forms naming only the update 1.1-1.
REJECTED_FORMS = {
    'apt': (['delta'], []),
    'dnf': (['delta', 'delta.noarch', 'delt*'], ['delta-1.1-1', 'delta-0:1.1-1.noarch', 'delta.noarch:0:1.1-1']),
    'zypper': (['delta'], ['delta-1.1-1.noarch.rpm', 'delta-1.1-1.*.rpm']),
}


def test_rejected_allow_as_dependency_is_installed_other(node):
    result = assert_ok(node.run(baseline=baseline(node.family, rejected_patches=['delta'])))
    assert states(result, 'delta')['delta'] == 'INSTALLED_OTHER'
    assert result['instance_patch_state']['installed_rejected_count'] == 0


def test_rejected_block_every_list_format(node):
    whole_package, update_only = REJECTED_FORMS[node.family]
    for form in whole_package:
        result = assert_ok(node.run(baseline=baseline(node.family, rejected_patches=[form],
                                                      rejected_patches_action='BLOCK')))
        assert states(result, 'delta')['delta'] == 'INSTALLED_REJECTED', form
        assert result['instance_patch_state']['installed_rejected_count'] == 1
    for form in update_only:
        # The installed 1.0-1 is not rejected; its only update is: nothing to approve.
        result = assert_ok(node.run(baseline=baseline(node.family, rejected_patches=[form],
                                                      rejected_patches_action='BLOCK')))
        assert states(result, 'delta', 'alpha') == {'delta': 'INSTALLED_OTHER', 'alpha': 'MISSING'}, form


def test_block_through_a_dependency(node):
    rejecting_golf = baseline(node.family, rejected_patches=['golf'], rejected_patches_action='BLOCK')
    scan = assert_ok(node.run(baseline=rejecting_golf))
    assert states(scan, 'foxtrot')['foxtrot'] == 'MISSING'
    install = node.run(operation='Install', baseline=rejecting_golf)
    assert states(install, 'foxtrot', 'alpha') == {'foxtrot': 'FAILED', 'alpha': 'INSTALLED_PENDING_REBOOT'}
    assert install['failed'] is True and 'foxtrot' in install['msg']
    assert 'golf' not in node.installed()
    assert node.installed()['foxtrot'].endswith('1.0-1')


# ---------------------------------------------------------------- approved patches, non-security

APPROVED_FORMS = {
    'apt': ['bravo'],
    'dnf': ['bravo', 'bravo.noarch', 'bravo-1.1-1', 'bravo-0:1.1-1.noarch', 'bravo.noarch:0:1.1-1', 'brav*'],
    'zypper': ['bravo', 'bravo-1.1-1.noarch.rpm', 'bravo-1.1-1.*.rpm'],
}


def test_approved_list_every_format_and_the_non_security_flag(node):
    only_list = {'name': 'list-only', 'operating_system': OPERATING_SYSTEM[node.family]}
    # zypper has no non-security gate (ssm-semantics 3.4): the flag changes nothing there.
    without_flag = 'MISSING' if node.family == 'zypper' else 'INSTALLED_OTHER'
    for form in APPROVED_FORMS[node.family]:
        without = assert_ok(node.run(baseline=dict(only_list, approved_patches=[form])))
        assert states(without, 'bravo')['bravo'] == without_flag, form
        with_flag = assert_ok(node.run(baseline=dict(only_list, approved_patches=[form],
                                                     approved_patches_enable_non_security=True)))
        assert states(with_flag, 'bravo', 'alpha') == {'bravo': 'MISSING', 'alpha': 'INSTALLED_OTHER'}, form


def test_approved_advisory_id_on_dnf(family, make_node):
    if family != 'dnf':
        pytest.skip('advisory IDs are approved-list entries on dnf only')
    node = make_node()
    result = assert_ok(node.run(baseline={'name': 'by-advisory', 'operating_system': 'REDHAT_ENTERPRISE_LINUX',
                                          'approved_patches': ['FLEET-2026:0006', 'CVE-2026-0001']}))
    expected = {'india': 'MISSING', 'alpha': 'MISSING', 'delta': 'INSTALLED_OTHER'}
    assert states(result, 'india', 'alpha', 'delta') == expected


def test_approved_patch_name_on_zypper(family, make_node):
    if family != 'zypper':
        pytest.skip('zypper patch names are approved-list entries on zypper only')
    node = make_node()
    result = assert_ok(node.run(baseline={'name': 'by-patch', 'operating_system': 'SUSE',
                                          'approved_patches': ['FLEET-2026:0006']}))
    assert states(result, 'india', 'alpha') == {'india': 'MISSING', 'alpha': 'INSTALLED_OTHER'}


def test_identity_fields_are_reported_back(node):
    snapshot = '2f5c6a0e-1b3d-4a5e-9f00-1234567890ab'
    result = assert_ok(node.run(baseline=ALL_SECURITY[node.family], snapshot_id=snapshot, patch_group='Production',
                                reboot_option='NoReboot'))
    state = result['instance_patch_state']
    assert (state['snapshot_id'], state['patch_group'], state['reboot_option']) == (snapshot, 'Production', 'NoReboot')
    assert state['operation_start_time'].endswith('Z') and state['operation_end_time'] >= state['operation_start_time']


def test_rule_enable_non_security_approves_non_security_updates(node):
    rules = rule(node.family, enable_non_security=True)
    if node.family != 'apt':
        rules['patch_rules'][0]['patch_filter_group']['patch_filters'] = [{'key': 'CLASSIFICATION', 'values': ['*']}]
    result = assert_ok(node.run(baseline=baseline(node.family, approval_rules=rules)))
    assert states(result, 'bravo', 'alpha') == {'bravo': 'MISSING', 'alpha': 'MISSING'}


# ---------------------------------------------------------------- dates

def test_approve_after_days_and_until_date(node):
    after_30 = baseline(node.family, approval_rules=rule(node.family, approve_after_days=30))
    result = assert_ok(node.run(baseline=after_30, evaluation_time='2026-03-15T00:00:00Z'))
    # alpha was released 2026-01-01 (approved), india 2026-03-01 (still inside the 30 days).
    expected_india = 'MISSING' if node.family == 'apt' else 'INSTALLED_OTHER'   # apt ignores dates
    assert states(result, 'alpha', 'india') == {'alpha': 'MISSING', 'india': expected_india}

    until = rule(node.family, approve_until_date='2026-02-01')
    until['patch_rules'][0].pop('approve_after_days', None)
    result = assert_ok(node.run(baseline=baseline(node.family, approval_rules=until),
                                evaluation_time='2026-03-15T00:00:00Z'))
    assert states(result, 'alpha', 'india') == {'alpha': 'MISSING', 'india': expected_india}

    before_release = assert_ok(node.run(baseline=after_30, evaluation_time='2026-01-15T00:00:00Z'))
    expected_alpha = 'MISSING' if node.family == 'apt' else 'INSTALLED_OTHER'
    assert states(before_release, 'alpha')['alpha'] == expected_alpha


# ---------------------------------------------------------------- override list, baseline override

def test_install_override_list(node):
    result = assert_ok(node.run(operation='Install', baseline=ALL_SECURITY[node.family],
                                install_override_list=[{'id': 'bravo.*'}, {'id': 'charlie.*'}]))
    assert node.installed()['bravo'].endswith('1.1-1')      # installed although the baseline does not approve it
    assert node.installed()['alpha'].endswith('1.0-1')      # approved but not listed: not installed
    assert states(result, 'bravo', 'alpha') == {'bravo': 'INSTALLED_PENDING_REBOOT', 'alpha': 'MISSING'}
    assert result['changed'] is True


def test_install_override_list_from_a_file_with_title(node, tmp_path):
    path = tmp_path / 'override.yml'
    title = 'bravo.*:1.1-1' if node.family == 'apt' else 'bravo.noarch:0:1.1-*'
    path.write_text("patches:\n  - id: 'bravo*'\n    title: '%s'\n    note: extra fields are ignored\n" % title)
    assert_ok(node.run(operation='Install', baseline=ALL_SECURITY[node.family], install_override_list=str(path)))
    assert node.installed()['bravo'].endswith('1.1-1')


def test_scan_ignores_the_install_override_list(node):
    result = assert_ok(node.run(baseline=ALL_SECURITY[node.family], install_override_list=[{'id': 'bravo.*'}]))
    assert states(result, 'bravo', 'alpha') == {'bravo': 'INSTALLED_OTHER', 'alpha': 'MISSING'}


def test_baseline_override_entry_for_the_os_wins(node):
    mine = baseline(node.family, name='override-mine', rejected_patches=['alpha'], rejected_patches_action='BLOCK')
    other = dict(ALL_SECURITY['zypper' if node.family == 'apt' else 'apt'], name='override-other')
    result = assert_ok(node.run(baseline=ALL_SECURITY[node.family], baseline_override=[other, mine]))
    assert states(result, 'alpha')['alpha'] == 'INSTALLED_REJECTED'
    assert result['instance_patch_state']['baseline_id'] == 'override-mine'
    fallback = assert_ok(node.run(baseline=ALL_SECURITY[node.family], baseline_override=[other]))
    assert fallback['instance_patch_state']['baseline_id'] == 'all-security'


# ---------------------------------------------------------------- Sources

def _repository_config_files(node):
    directory = {'apt': 'etc/apt', 'dnf': 'etc/yum.repos.d', 'zypper': 'etc/zypp/repos.d'}[node.family]
    found = {}
    for base, dummy, files in os.walk(os.path.join(node.root, directory)):
        for name in files:
            with open(os.path.join(base, name), 'rb') as handle:
                found[os.path.join(base, name)] = handle.read()
    return found


@pytest.fixture(scope='module')
def alpha_only_repository(tmp_path_factory):
    path = tmp_path_factory.mktemp('sources') / 'repo'
    advisory = AdvisorySpec('FLEET-2026:0001', severity='Important', issued='2026-01-01 00:00:00',
                            packages=(('alpha', '0:1.1-1'),))
    return rpmrepo.build_repository(str(path), (PackageSpec('alpha', '1.1'),), (advisory,), name='alpha-only')


def test_sources_replace_the_repositories_for_the_run(node, request):
    if node.family == 'apt':
        # Only the main suite: no security pocket, so nothing is missing.
        configuration = 'deb [trusted=yes] copy://%s bookworm main' % REPO_IN_ROOT
        expected = dict.fromkeys(('alpha', 'delta'), 'INSTALLED_OTHER')
    else:
        configuration = request.getfixturevalue('alpha_only_repository').repo_stanza()
        expected = {'alpha': 'MISSING', 'delta': 'INSTALLED_OTHER'}
    before = _repository_config_files(node)
    sources = [{'name': 'only-these', 'products': ['*'], 'configuration': configuration}]
    result = assert_ok(node.run(baseline=baseline(node.family, sources=sources)))
    assert states(result, 'alpha', 'delta') == expected
    assert _repository_config_files(node) == before


def test_a_source_that_cannot_be_fetched_fails_the_run_naming_it(node):
    digest = node.database_digest()
    unreachable = node.UNREACHABLE
    if node.family == 'apt':
        configuration = 'deb [trusted=yes] %s bookworm main' % unreachable
    else:
        configuration = '[unreachable-source]\nname=unreachable\nbaseurl=%s\ngpgcheck=0\nskip_if_unavailable=1\n' % unreachable
    sources = [{'name': 'unreachable-source', 'products': ['*'], 'configuration': configuration}]
    # skip_if_unavailable in a baseline Source is not honoured: the run would evaluate nothing
    result = node.run(operation='Install', baseline=baseline(node.family, sources=sources))
    assert result['failed'] is True
    assert ('127.0.0.1:9' in result['msg']) or ('unreachable-source' in result['msg']), result['msg']
    assert node.database_digest() == digest


# ---------------------------------------------------------------- package lists: refresh like AWS, never a silent answer

def test_scan_refreshes_the_package_lists_by_default(node):
    node.forget_metadata()
    result = assert_ok(node.run(baseline=ALL_SECURITY[node.family]))
    assert states(result, 'alpha')['alpha'] == 'MISSING'
    assert result['instance_patch_state']['compliance_status'] == 'NON_COMPLIANT'


def test_never_fetched_package_lists_are_an_error_naming_them(node):
    node.forget_metadata()
    digest = node.metadata_digest()
    for how in (dict(update_cache=False), dict(check=True), dict(check=True, operation='Install')):
        result = node.run(baseline=ALL_SECURITY[node.family], **how)
        assert result['failed'] is True, how
        assert 'never fetched' in result['msg']
        assert {'apt': REPO_IN_ROOT, 'dnf': 'fleetops-module', 'zypper': 'fleetops-module'}[node.family] in result['msg']
        assert 'instance_patch_state' not in result
    # check mode (and update_cache false) fetched nothing: the lists are as they were
    assert node.metadata_digest() == digest


def test_check_mode_writes_nothing_lists_included(node):
    assert_ok(node.run(update_cache=True, baseline=ALL_SECURITY[node.family]))
    shutil.rmtree(os.path.join(node.root, 'var/lib/fleetops-patch'))
    digest = node.metadata_digest()
    state = os.path.join(node.root, 'var/lib/fleetops-patch')
    assert not os.path.exists(state)
    for operation in ('Scan', 'Install'):
        assert_ok(node.run(check=True, operation=operation, baseline=ALL_SECURITY[node.family], update_cache=True))
    assert node.metadata_digest() == digest
    assert not os.path.exists(state)


def test_a_node_repository_that_cannot_be_fetched_fails_the_run_naming_it(node):
    name = node.add_unreachable_repository()
    result = node.run(baseline=ALL_SECURITY[node.family])
    assert result['failed'] is True
    assert name in result['msg'] or '127.0.0.1:9' in result['msg'], result['msg']


def test_dnf_skip_if_unavailable_skips_the_repository_with_a_warning(family, make_node):
    if family != 'dnf':
        pytest.skip('skip_if_unavailable is a dnf repository setting')
    node = make_node()
    node.add_unreachable_repository(skip_if_unavailable=True)
    result = assert_ok(node.run(baseline=ALL_SECURITY[node.family]))
    assert states(result, 'alpha')['alpha'] == 'MISSING'
    assert 'skipped repository unreachable' in result['printed_warnings']


KILO = PackageSpec('kilo', '1.0', priority='optional', section='admin')


def test_an_installed_version_no_repository_offers_is_judged_on_its_own_attributes(node, tmp_path):
    node.install_local(KILO, str(tmp_path))
    if node.family == 'apt':
        # the Priority and Section dpkg recorded for it; never security (no origin vouches for it)
        judged = baseline(node.family, approval_rules={'patch_rules': [{
            'patch_filter_group': {'patch_filters': [{'key': 'PRIORITY', 'values': ['Optional']},
                                                     {'key': 'SECTION', 'values': ['admin']}]},
            'enable_non_security': True}]})
        other = baseline(node.family, approval_rules={'patch_rules': [{
            'patch_filter_group': {'patch_filters': [{'key': 'SECTION', 'values': ['web']}]},
            'enable_non_security': True}]})
    else:
        judged = baseline(node.family, approved_patches=['kilo'], approved_patches_enable_non_security=True)
        other = baseline(node.family, approved_patches=['lima'], approved_patches_enable_non_security=True)
    result = assert_ok(node.run(baseline=judged))
    kilo = by_name(result)['kilo']
    assert kilo['state'] == 'INSTALLED', kilo
    assert kilo['approved_version'] == expected_version(node.family, '1.0')
    assert 'package database' in kilo['reason']
    if node.family == 'apt':
        assert kilo['severity'] == 'optional'
    kilo = by_name(assert_ok(node.run(baseline=other)))['kilo']
    assert kilo['state'] == 'INSTALLED_OTHER'
    assert 'no repository offers' in kilo['reason'] and 'package database' in kilo['reason']


# ---------------------------------------------------------------- bad input

def bad_inputs(family):
    good = ALL_SECURITY[family]
    return [
        (dict(operation='Patch'), 'operation'),
        (dict(reboot_option='Always'), 'reboot_option'),
        (dict(operating_system='WINDOWS_95'), 'operating_system'),
        (dict(baseline=baseline(family, approval_rules=rule(family, approve_after_days=400))),
         'baseline.approval_rules.patch_rules[0].approve_after_days'),
        (dict(baseline=dict(good, rejected_patches_action='SOMETIMES')), 'baseline.rejected_patches_action'),
        (dict(baseline='AWS-NoSuchBaseline'), 'baseline'),
        (dict(install_override_list=[{'id': 'alpha.*'}, {'title': 'x'}]), 'install_override_list[1].id'),
        (dict(install_override_list=[{'id': 'alpha.*'}], baseline_override=[good]), 'baseline_override'),
        (dict(baseline_override=[dict(good, approved_patches_compliance_level='URGENT')]),
         'baseline_override[0].approved_patches_compliance_level'),
        (dict(evaluation_time='next tuesday'), 'evaluation_time'),
        (dict(snapshot_id='not-a-guid'), 'snapshot_id'),
    ]


def test_bad_input_fails_naming_the_field_before_touching_the_database(node):
    digest = node.database_digest()
    for bad, field in bad_inputs(node.family):
        args = dict(operation='Install')
        args.update(bad)
        result = node.run(**args)
        assert result.get('failed') is True, bad
        assert field in result['msg'], (field, result['msg'])
        assert 'patches' not in result
    assert node.database_digest() == digest
    assert not os.path.exists(os.path.join(node.root, 'var/lib/fleetops-patch/state.json'))


# ---------------------------------------------------------------- action plugin: files on the controller

PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Install with files found next to the playbook
      fleetops.patch_manager.run_patch_baseline:
        operation: Install
        root: {root}
        update_cache: true
        baseline: files/baseline.json
        install_override_list: override.yml
      register: patched

    - name: Show the result for the test
      ansible.builtin.debug:
        var: patched
'''


def test_action_plugin_reads_option_files_on_the_controller(family, make_node, tmp_path):
    if family != 'dnf':
        pytest.skip('controller-side file handling does not depend on the package manager')
    node = make_node()
    (tmp_path / 'play' / 'files').mkdir(parents=True)
    (tmp_path / 'play' / 'files' / 'baseline.json').write_text(json.dumps(
        baseline('dnf', rejected_patches=['delta'], rejected_patches_action='BLOCK')))
    (tmp_path / 'play' / 'files' / 'override.yml').write_text("patches:\n  - id: bravo.noarch\n")
    (tmp_path / 'play' / 'site.yml').write_text(PLAYBOOK.format(root=node.root))
    completed = subprocess.run([os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible-playbook'), str(tmp_path / 'play' / 'site.yml')],
                               cwd=REPO_ROOT, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'),
                                                       ANSIBLE_CALLBACK_RESULT_FORMAT='json', ANSIBLE_NOCOLOR='1'),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert node.installed()['bravo'] == '0:1.1-1'                  # from override.yml
    assert '"state": "INSTALLED_REJECTED"' in completed.stdout      # delta, from baseline.json
    missing = node.run(install_override_list='no-such-file.yml', operation='Install')
    assert missing['failed'] is True and 'install_override_list' in missing['msg'] and 'not found' in missing['msg']
