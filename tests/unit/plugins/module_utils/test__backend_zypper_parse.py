# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsing of real zypper 1.14 / rpm 4.18 output (fixtures captured from an alternate root).

The fixtures under fixtures/zypper/ were printed by zypper --root R --non-interactive --xmlout
against a generated repository: foo 1.0 installed, foo 1.1/1.2/1.3 and bar 2.0 available,
patches FLEET-2026-1 (security/important, CVE + bugzilla), FLEET-2026-2 (recommended/moderate,
issued as epoch seconds) and FLEET-2026-3 (optional/unspecified, unparsable date, bar with epoch 2).
updateinfo.xml is the repository input zypper read them from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import gzip
import io
import os

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend_zypper as zb
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BackendError, InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import InstalledPackage

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'zypper')
UTC = datetime.timezone.utc


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def test_rpm_query_gives_name_arch_evr_and_aware_install_time():
    packages = zb.parse_rpm_query(fixture('rpm-qa.txt') + 'gpg-pubkey\t(none)\t0:1-1\t1\n')
    assert [(p.name, p.arch, p.version) for p in packages] == [
        ('fleet-sh', 'x86_64', '0:1-1'), ('bar', 'noarch', '0:2.0-1'), ('foo', 'noarch', '0:1.3-1')]
    assert packages[0].installed_time == datetime.datetime.fromtimestamp(1795596760, UTC)


def test_search_lists_every_version_with_epoch_and_repository():
    rows = zb.parse_search(fixture('search-details.xml'))
    assert ('foo', 'noarch', '0:1.0-1', 'fleet', 'installed') in rows
    assert ('foo', 'noarch', '0:1.3-1', 'fleet', 'other-version') in rows
    assert ('bar', 'noarch', '0:2.0-1', 'fleet', 'not-installed') in rows
    assert ('fleet-sh', 'x86_64', '0:1-1', zb.SYSTEM_REPOSITORY, 'installed') in rows   # only in the rpmdb
    assert len(rows) == 6


def test_repos_gives_alias_and_enabled():
    assert zb.parse_repos(fixture('repos.xml')) == [{'alias': 'fleet', 'name': 'fleet', 'enabled': True}]


def test_updateinfo_gives_category_severity_date_references_and_packages():
    patches = zb.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')))
    first, second, third = patches['FLEET-2026-1'], patches['FLEET-2026-2'], patches['FLEET-2026-3']
    assert (first.category, first.severity) == ('security', 'important')
    assert first.issued == datetime.datetime(2026, 1, 5, tzinfo=UTC)
    assert first.cve_ids == ('CVE-2026-0001',) and first.bugzilla_ids == ('1234',)
    assert first.packages == {('foo', 'noarch', '0:1.1-1')}
    assert second.issued == datetime.datetime(2026, 1, 8, tzinfo=UTC)      # given as epoch seconds
    assert third.issued == datetime.datetime(1970, 1, 1, tzinfo=UTC)       # unparsable: section 3.8
    assert third.packages == {('foo', 'noarch', '0:1.2-1'), ('bar', 'noarch', '2:2.0-1')}


def test_updateinfo_keeps_only_wanted_package_names():
    patches = zb.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')), wanted_names={'bar'})
    assert patches['FLEET-2026-3'].packages == {('bar', 'noarch', '2:2.0-1')}
    assert set(patches) == {'FLEET-2026-3'}     # patches carrying none of them are irrelevant


def test_updateinfo_found_through_repomd_and_read_gzipped(tmp_path):
    repodata = tmp_path / 'repodata'
    repodata.mkdir()
    with gzip.open(str(repodata / 'abc-updateinfo.xml.gz'), 'wb') as handle:
        handle.write(fixture('updateinfo.xml').encode('utf-8'))
    (repodata / 'repomd.xml').write_text(
        '<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><location href="repodata/p.xml.gz"/>'
        '</data><data type="updateinfo"><location href="repodata/abc-updateinfo.xml.gz"/></data></repomd>')
    path = zb.updateinfo_path(str(repodata))
    assert path == str(repodata / 'abc-updateinfo.xml.gz')
    with zb.open_metadata(path) as handle:
        assert set(zb.parse_updateinfo(handle)) == {'FLEET-2026-1', 'FLEET-2026-2', 'FLEET-2026-3'}


def test_updateinfo_path_is_none_without_updateinfo(tmp_path):
    assert zb.updateinfo_path(str(tmp_path)) is None
    (tmp_path / 'repomd.xml').write_text('<repomd><data type="primary"><location href="repodata/p.xml.gz"/></data></repomd>')
    assert zb.updateinfo_path(str(tmp_path)) is None


def test_list_patches_matches_updateinfo_attributes():
    listed = zb.parse_patch_list(fixture('list-patches-all.xml'))
    raw = zb.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')))
    assert sorted(listed) == sorted(raw)
    for name, patch in listed.items():
        assert (patch.category, patch.severity, patch.issued, patch.cve_ids, patch.bugzilla_ids) == (
            raw[name].category, raw[name].severity, raw[name].issued, raw[name].cve_ids, raw[name].bugzilla_ids)


def test_info_patch_contents_from_conflicts_single_and_multi_line():
    contents = zb.parse_patch_info_contents(fixture('info-patch.xml'))
    assert contents == {'FLEET-2026-1': {('foo', '0:1.1-1')}, 'FLEET-2026-2': {('foo', '0:1.2-1')},
                        'FLEET-2026-3': {('foo', '0:1.2-1'), ('bar', '2:2.0-1')}}


@pytest.mark.parametrize('category, expected', [
    ('security', 'Security'), ('recommended', 'Recommended'), ('optional', 'Optional'), ('feature', 'Feature'),
    ('document', 'Document'), ('yast', 'Yast'), ('Security', 'Security'), ('', None), (None, None)])
def test_classification_spelled_as_aws_lists_it(category, expected):
    assert zb.aws_classification(category) == expected


@pytest.mark.parametrize('severity, expected', [
    ('critical', 'Critical'), ('important', 'Important'), ('moderate', 'Moderate'), ('low', 'Low'),
    ('unspecified', None), ('', None), (None, None)])
def test_severity_spelled_as_aws_lists_it(severity, expected):
    assert zb.aws_severity(severity) == expected


@pytest.mark.parametrize('value, expected', [
    ('2026-01-05 00:00:00', datetime.datetime(2026, 1, 5, tzinfo=UTC)),
    ('1767830400', datetime.datetime(2026, 1, 8, tzinfo=UTC)),
    ('2026-02-03', datetime.datetime(2026, 2, 3, tzinfo=UTC)),
    ('not a date', datetime.datetime(1970, 1, 1, tzinfo=UTC)),
    (None, datetime.datetime(1970, 1, 1, tzinfo=UTC))])
def test_issue_dates(value, expected):
    assert zb.parse_issue_date(value) == expected


def test_install_summary_gives_upgrade_and_new_dependency():
    assert zb.parse_install_summary(fixture('install-dry-run.xml')) == [
        {'name': 'foo', 'arch': 'noarch', 'from_version': '0:1.0-1', 'to_version': '0:1.3-1', 'action': 'upgrade'},
        {'name': 'bar', 'arch': 'noarch', 'from_version': None, 'to_version': '0:2.0-1', 'action': 'install'}]


def test_solver_problem_text_is_reported():
    problems = zb.solver_problems(fixture('install-solver-problem.xml'))
    assert len(problems) == 1 and 'nothing provides /bin/sh needed by foo-1.3-1.noarch' in problems[0]
    assert zb.parse_install_summary(fixture('install-solver-problem.xml')) == []


def test_not_found_capability_message():
    stream = zb.parse_xml_stream(fixture('install-not-found.xml'))
    assert "No provider of 'foo.noarch=0:1.9-1' found." in zb.error_summary(stream)


def test_post_scriptlet_failure_attributed_to_the_package():
    failures = zb.scriptlet_failures(fixture('install-post-failed.xml'))
    assert failures == {'foo-1.3-1.noarch': '%post(foo-1.3-1.noarch) scriptlet failed, exit status 3'}
    assert [item['name'] for item in zb.parse_install_summary(fixture('install-post-failed.xml'))] == ['foo', 'bar']


def test_needs_rebooting_output_parses():
    messages = [text for _kind, text in zb.stream_messages(zb.parse_xml_stream(fixture('needs-rebooting-yes.xml')))]
    assert 'Core libraries or services have been updated.' in messages


def test_non_xml_output_is_a_backend_error():
    with pytest.raises(BackendError, match='no XML'):
        zb.parse_xml_stream('zypper: command not found')
    with pytest.raises(BackendError, match='cannot be parsed'):
        zb.parse_xml_stream("<?xml version='1.0'?><stream><message>")


def test_candidates_one_record_per_patch_and_versions_below_installed_dropped():
    installed = [InstalledPackage('foo', 'noarch', '0:1.1-1')]
    available = zb.parse_search(fixture('search-details.xml'))
    patches = zb.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')))
    candidates = zb.build_candidates(installed, available, zb.index_patches(patches))
    records = sorted((c.name, c.version, c.advisory_id, c.classification, c.severity, c.security) for c in candidates)
    assert records == [
        # bar is not installed: its available version is a record too (NOT_APPLICABLE is counted from it)
        ('bar', '0:2.0-1', None, None, None, False),
        ('foo', '0:1.1-1', 'FLEET-2026-1', 'Security', 'Important', True),
        ('foo', '0:1.2-1', 'FLEET-2026-2', 'Recommended', 'Moderate', True),
        ('foo', '0:1.2-1', 'FLEET-2026-3', 'Optional', None, True),
        ('foo', '0:1.3-1', None, None, None, False)]
    assert all(c.repository == 'fleet' for c in candidates)


def test_packages_not_installed_only_in_installable_architectures():
    installed = [InstalledPackage('foo', 'x86_64', '0:1.0-1')]
    available = [('foo', 'ppc64le', '0:1.1-1', 'r', 'not-installed'), ('bar', 'ppc64le', '0:1-1', 'r', 'not-installed'),
                 ('bar', 'src', '0:1-1', 'r', 'not-installed'), ('bar', 'i686', '0:1-1', 'r', 'not-installed'),
                 ('bar', 'x86_64', '0:1-1', 'r', 'not-installed')]
    candidates = zb.build_candidates(installed, available, {}, arches=zb.installable_arches('x86_64'))
    assert sorted((c.name, c.arch) for c in candidates) == [('bar', 'i686'), ('bar', 'x86_64')]


def test_installable_arches_include_noarch_and_compatible_ones():
    assert zb.installable_arches('x86_64') >= {'x86_64', 'i686', 'noarch'}
    assert 'x86_64' not in zb.installable_arches('aarch64')
    assert zb.installable_arches('riscv64') == {'riscv64', 'noarch'}


def test_patch_candidates_without_search():
    installed = [InstalledPackage('foo', 'noarch', '0:1.1-1'), InstalledPackage('lib', 'x86_64', '0:1.0-1')]
    patches = zb.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')))
    for patch in patches.values():
        patch.repository = 'fleet'
    patches['FALLBACK'] = zb.PatchInfo('FALLBACK', category='security', packages={('lib', None, '0:1.1-1'),
                                                                                  ('other', None, '0:1-1')},
                                       repository='second')
    patches['FOREIGN'] = zb.PatchInfo('FOREIGN', category='security', packages={('ppc', 'ppc64le', '0:1-1')})
    patches['OLD'] = zb.PatchInfo('OLD', category='security', packages={('foo', 'noarch', '0:1.0-1')})
    candidates = zb.build_patch_candidates(installed, patches, arches=zb.installable_arches('x86_64'))
    records = sorted((c.name, c.arch, c.version, c.advisory_id, c.repository) for c in candidates)
    assert records == [
        # bar 2:2.0-1 is not installed: counted for NOT_APPLICABLE from the patch alone
        ('bar', 'noarch', '2:2.0-1', 'FLEET-2026-3', 'fleet'),
        # foo: the installed 1.1 (its patch is reported) and the newer 1.2; OLD's 1.0 is below the installed
        ('foo', 'noarch', '0:1.1-1', 'FLEET-2026-1', 'fleet'),
        ('foo', 'noarch', '0:1.2-1', 'FLEET-2026-2', 'fleet'),
        ('foo', 'noarch', '0:1.2-1', 'FLEET-2026-3', 'fleet'),
        # arch-free contents (zypper info fallback) match the installed arch; unknown for 'other'
        ('lib', 'x86_64', '0:1.1-1', 'FALLBACK', 'second')]
    assert all(c.security for c in candidates)


def test_primary_metadata_rows_match_what_search_gives(monkeypatch):
    primary = (b'<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
               b'packages="3">\n'
               b'<package type="rpm"><name>foo</name><arch>noarch</arch><version epoch="0" ver="1.1" rel="1"/>'
               b'<summary>a &lt;name&gt; in text</summary></package>\n'
               b'<package type="rpm">\n  <name>bar</name>\n  <arch>x86_64</arch>\n  '
               b'<version epoch="2" ver="2.0" rel="1.1"/>\n</package>\n'
               b'<package type="rpm"><name>a&amp;b</name><arch>noarch</arch><version rel="3" ver="1" epoch="1"/></package>\n'
               b'<package type="rpm"><name>c&#43;&#x2B;</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/>'
               b'</package>\n'
               b'</metadata>\n')
    expected = [('foo', 'noarch', '0:1.1-1', 'fleet', None), ('bar', 'x86_64', '2:2.0-1.1', 'fleet', None),
                ('a&b', 'noarch', '1:1-3', 'fleet', None), ('c++', 'noarch', '0:1-1', 'fleet', None)]
    assert zb.parse_primary(io.BytesIO(primary), 'fleet') == expected
    # packages cut in two by the read size are still read whole
    monkeypatch.setattr(zb, '_PRIMARY_CHUNK', 7)
    assert zb.parse_primary(io.BytesIO(primary), 'fleet') == expected


def test_primary_path_from_repomd(tmp_path):
    repodata = tmp_path / 'repodata'
    repodata.mkdir()
    (repodata / 'abc-primary.xml.gz').write_bytes(gzip.compress(b'<metadata/>'))
    (repodata / 'repomd.xml').write_text(
        '<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary">'
        '<location href="repodata/abc-primary.xml.gz"/></data></repomd>')
    assert zb.metadata_path(str(repodata), 'primary') == str(repodata / 'abc-primary.xml.gz')
    assert zb.metadata_path(str(repodata), 'updateinfo') is None


def test_system_only_rows_are_not_available_versions():
    installed = [InstalledPackage('foo', 'noarch', '0:1.0-1')]
    available = [('foo', 'noarch', '0:1.0-1', zb.SYSTEM_REPOSITORY, 'installed')]
    assert zb.build_candidates(installed, available, {}) == []


def test_arch_free_patch_contents_match_any_arch():
    installed = [InstalledPackage('foo', 'x86_64', '0:1.0-1')]
    patch = zb.PatchInfo('P-1', category='security', packages={('foo', None, '0:1.1-1')})
    candidates = zb.build_candidates(installed, [('foo', 'x86_64', '0:1.1-1', 'r', 'other-version')],
                                     zb.index_patches({'P-1': patch}))
    assert [(c.advisory_id, c.arch) for c in candidates] == [('P-1', 'x86_64')]


def test_patch_seen_twice_keeps_newest_attributes_and_all_packages():
    patches = {}
    zb._merge_patch(patches, zb.PatchInfo('P', version='1', severity='low', packages={('a', 'noarch', '0:1-1')}))
    zb._merge_patch(patches, zb.PatchInfo('P', version='2', severity='critical', packages={('b', 'noarch', '0:1-1')}))
    assert patches['P'].severity == 'critical'
    assert patches['P'].packages == {('a', 'noarch', '0:1-1'), ('b', 'noarch', '0:1-1')}


def test_repo_file_from_aws_style_main_stanza_takes_source_name():
    name, text = zb.render_repo_file({'name': 'my-updates', 'products': ['*'],
                                      'configuration': '[main]\nname=My updates\nbaseurl=file:///srv/r\nenabled=1'})
    assert name == 'my-updates.repo'
    assert text.splitlines()[0] == '[my-updates]'
    assert 'baseurl=file:///srv/r' in text


def test_repo_file_without_section_gets_one():
    _name, text = zb.render_repo_file({'name': 'plain', 'configuration': 'baseurl=file:///srv/r'})
    assert text.startswith('[plain]\nbaseurl=')


@pytest.mark.parametrize('source, field', [
    ({'name': '../etc', 'configuration': 'baseurl=x'}, 'Sources[].Name'),
    ({'name': 'ok-name', 'configuration': ''}, 'Sources[ok-name].Configuration')])
def test_bad_sources_name_the_field(source, field):
    with pytest.raises(InputError) as caught:
        zb.render_repo_file(source)
    assert caught.value.field == field


def test_lock_holder_names_a_live_pid_and_ignores_stale(tmp_path):
    (tmp_path / 'run').mkdir()
    lock = tmp_path / 'run' / 'zypp.pid'
    assert zb.zypp_lock_holder(str(tmp_path)) is None
    lock.write_text('')
    assert zb.zypp_lock_holder(str(tmp_path)) is None     # zypper leaves an empty file behind
    lock.write_text('1\n')
    assert zb.zypp_lock_holder(str(tmp_path)).startswith('PID 1')
    lock.write_text('999999999\n')
    assert zb.zypp_lock_holder(str(tmp_path)) is None


def test_capability_and_nvra():
    assert zb.capability('foo', 'noarch', '1:1.2-3') == 'foo.noarch=1:1.2-3'
    assert zb.nvra('foo', 'noarch', '1:1.2-3') == 'foo-1.2-3.noarch'
