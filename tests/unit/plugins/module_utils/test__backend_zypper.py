# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The zypper universe: candidate records from patches and available versions; baseline Sources."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend_zypper as zb
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _rpmmd as rpmmd
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _zypper_xml as zxml
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import InstalledPackage
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.zypper_fixtures import fixture


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


def test_candidates_one_record_per_patch_and_versions_below_installed_dropped():
    installed = [InstalledPackage('foo', 'noarch', '0:1.1-1')]
    available = zxml.parse_search(fixture('search-details.xml'))
    patches = rpmmd.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')))
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
    # (foo 1.0, installed and offered by no repository, is judged on its own: test below)
    offered = sorted((c.name, c.arch) for c in candidates if not c.from_package_database)
    assert offered == [('bar', 'i686'), ('bar', 'x86_64')]


def test_installable_arches_include_noarch_and_compatible_ones():
    assert zb.installable_arches('x86_64') >= {'x86_64', 'i686', 'noarch'}
    assert 'x86_64' not in zb.installable_arches('aarch64')
    assert zb.installable_arches('riscv64') == {'riscv64', 'noarch'}


def test_patch_candidates_without_search():
    installed = [InstalledPackage('foo', 'noarch', '0:1.1-1'), InstalledPackage('lib', 'x86_64', '0:1.0-1')]
    patches = rpmmd.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')))
    for patch in patches.values():
        patch.repository = 'fleet'
    patches['FALLBACK'] = rpmmd.PatchInfo('FALLBACK', category='security',
                                          packages={('lib', None, '0:1.1-1'), ('other', None, '0:1-1')},
                                          repository='second')
    patches['FOREIGN'] = rpmmd.PatchInfo('FOREIGN', category='security', packages={('ppc', 'ppc64le', '0:1-1')})
    patches['OLD'] = rpmmd.PatchInfo('OLD', category='security', packages={('foo', 'noarch', '0:1.0-1')})
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


def test_system_only_rows_are_not_available_versions():
    installed = [InstalledPackage('foo', 'noarch', '0:1.0-1')]
    available = [('foo', 'noarch', '0:1.0-1', zxml.SYSTEM_REPOSITORY, 'installed')]
    candidates = zb.build_candidates(installed, available, {})
    # only the rpm database has it: one record of what the database says, from no repository
    assert [(c.name, c.version, c.repository, c.from_package_database) for c in candidates] == [
        ('foo', '0:1.0-1', None, True)]


def test_an_installed_version_no_repository_offers_is_judged_by_the_patches_naming_it():
    installed = [InstalledPackage('foo', 'x86_64', '0:1.0-1'), InstalledPackage('bar', 'noarch', '0:2.0-1')]
    patch = rpmmd.PatchInfo('P-0', category='security', severity='important', packages={('foo', 'x86_64', '0:1.0-1')})
    available = [('foo', 'x86_64', '0:1.1-1', 'r', 'other-version'), ('bar', 'noarch', '0:2.0-1', 'r', 'installed')]
    candidates = zb.build_candidates(installed, available, zb.index_patches({'P-0': patch}))
    records = sorted((c.name, c.version, c.advisory_id, c.severity, c.from_package_database) for c in candidates)
    assert records == [('bar', '0:2.0-1', None, None, False), ('foo', '0:1.0-1', 'P-0', 'Important', True),
                       ('foo', '0:1.1-1', None, None, False)]


def test_arch_free_patch_contents_match_any_arch():
    installed = [InstalledPackage('foo', 'x86_64', '0:1.0-1')]
    patch = rpmmd.PatchInfo('P-1', category='security', packages={('foo', None, '0:1.1-1')})
    candidates = zb.build_candidates(installed, [('foo', 'x86_64', '0:1.1-1', 'r', 'other-version')],
                                     zb.index_patches({'P-1': patch}))
    assert [(c.advisory_id, c.arch) for c in candidates if not c.from_package_database] == [('P-1', 'x86_64')]


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
