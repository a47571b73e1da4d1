# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""rpm-md metadata as zypper caches it: updateinfo (patches) and primary."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import gzip
import io

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _rpmmd as rpmmd
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import UTC
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.zypper_fixtures import fixture


def test_updateinfo_gives_category_severity_date_references_and_packages():
    patches = rpmmd.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')))
    first, second, third = patches['FLEET-2026-1'], patches['FLEET-2026-2'], patches['FLEET-2026-3']
    assert (first.category, first.severity) == ('security', 'important')
    assert first.issued == datetime.datetime(2026, 1, 5, tzinfo=UTC)
    assert first.cve_ids == ('CVE-2026-0001',) and first.bugzilla_ids == ('1234',)
    assert first.packages == {('foo', 'noarch', '0:1.1-1')}
    assert second.issued == datetime.datetime(2026, 1, 8, tzinfo=UTC)      # given as epoch seconds
    assert third.issued == datetime.datetime(1970, 1, 1, tzinfo=UTC)       # unparsable: section 3.8
    assert third.packages == {('foo', 'noarch', '0:1.2-1'), ('bar', 'noarch', '2:2.0-1')}


def test_updateinfo_keeps_only_wanted_package_names():
    patches = rpmmd.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')), wanted_names={'bar'})
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
    path = rpmmd.updateinfo_path(str(repodata))
    assert path == str(repodata / 'abc-updateinfo.xml.gz')
    with rpmmd.open_metadata(path) as handle:
        assert set(rpmmd.parse_updateinfo(handle)) == {'FLEET-2026-1', 'FLEET-2026-2', 'FLEET-2026-3'}


def test_updateinfo_path_is_none_without_updateinfo(tmp_path):
    assert rpmmd.updateinfo_path(str(tmp_path)) is None
    (tmp_path / 'repomd.xml').write_text('<repomd><data type="primary"><location href="repodata/p.xml.gz"/></data></repomd>')
    assert rpmmd.updateinfo_path(str(tmp_path)) is None


@pytest.mark.parametrize('value, expected', [
    ('2026-01-05 00:00:00', datetime.datetime(2026, 1, 5, tzinfo=UTC)),
    ('1767830400', datetime.datetime(2026, 1, 8, tzinfo=UTC)),
    ('2026-02-03', datetime.datetime(2026, 2, 3, tzinfo=UTC)),
    ('not a date', datetime.datetime(1970, 1, 1, tzinfo=UTC)),
    (None, datetime.datetime(1970, 1, 1, tzinfo=UTC))])
def test_issue_dates(value, expected):
    assert rpmmd.parse_issue_date(value) == expected


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
    assert rpmmd.parse_primary(io.BytesIO(primary), 'fleet') == expected
    # packages cut in two by the read size are still read whole
    monkeypatch.setattr(rpmmd, '_PRIMARY_CHUNK', 7)
    assert rpmmd.parse_primary(io.BytesIO(primary), 'fleet') == expected


def test_primary_path_from_repomd(tmp_path):
    repodata = tmp_path / 'repodata'
    repodata.mkdir()
    (repodata / 'abc-primary.xml.gz').write_bytes(gzip.compress(b'<metadata/>'))
    (repodata / 'repomd.xml').write_text(
        '<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary">'
        '<location href="repodata/abc-primary.xml.gz"/></data></repomd>')
    assert rpmmd.metadata_path(str(repodata), 'primary') == str(repodata / 'abc-primary.xml.gz')
    assert rpmmd.metadata_path(str(repodata), 'updateinfo') is None


def test_patch_seen_twice_keeps_newest_attributes_and_all_packages():
    patches = {}
    rpmmd.merge_patch(patches, rpmmd.PatchInfo('P', version='1', severity='low', packages={('a', 'noarch', '0:1-1')}))
    rpmmd.merge_patch(patches, rpmmd.PatchInfo('P', version='2', severity='critical', packages={('b', 'noarch', '0:1-1')}))
    assert patches['P'].severity == 'critical'
    assert patches['P'].packages == {('a', 'noarch', '0:1-1'), ('b', 'noarch', '0:1-1')}
