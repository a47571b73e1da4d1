# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsing what zypper --xmlout prints (captured output: see zypper_fixtures.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _rpmmd as rpmmd
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _zypper_xml as zxml
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BackendError
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.zypper_fixtures import fixture


def test_search_lists_every_version_with_epoch_and_repository():
    rows = zxml.parse_search(fixture('search-details.xml'))
    assert ('foo', 'noarch', '0:1.0-1', 'fleet', 'installed') in rows
    assert ('foo', 'noarch', '0:1.3-1', 'fleet', 'other-version') in rows
    assert ('bar', 'noarch', '0:2.0-1', 'fleet', 'not-installed') in rows
    assert ('fleet-sh', 'x86_64', '0:1-1', zxml.SYSTEM_REPOSITORY, 'installed') in rows   # only in the rpmdb
    assert len(rows) == 6


def test_repos_gives_alias_and_enabled():
    assert zxml.parse_repos(fixture('repos.xml')) == [{'alias': 'fleet', 'name': 'fleet', 'enabled': True}]


def test_list_patches_matches_updateinfo_attributes():
    listed = zxml.parse_patch_list(fixture('list-patches-all.xml'))
    raw = rpmmd.parse_updateinfo(io.BytesIO(fixture('updateinfo.xml').encode('utf-8')))
    assert sorted(listed) == sorted(raw)
    for name, patch in listed.items():
        assert (patch.category, patch.severity, patch.issued, patch.cve_ids, patch.bugzilla_ids) == (
            raw[name].category, raw[name].severity, raw[name].issued, raw[name].cve_ids, raw[name].bugzilla_ids)


def test_info_patch_contents_from_conflicts_single_and_multi_line():
    contents = zxml.parse_patch_info_contents(fixture('info-patch.xml'))
    assert contents == {'FLEET-2026-1': {('foo', '0:1.1-1')}, 'FLEET-2026-2': {('foo', '0:1.2-1')},
                        'FLEET-2026-3': {('foo', '0:1.2-1'), ('bar', '2:2.0-1')}}


def test_install_summary_gives_upgrade_and_new_dependency():
    assert zxml.parse_install_summary(fixture('install-dry-run.xml')) == [
        {'name': 'foo', 'arch': 'noarch', 'from_version': '0:1.0-1', 'to_version': '0:1.3-1', 'action': 'upgrade'},
        {'name': 'bar', 'arch': 'noarch', 'from_version': None, 'to_version': '0:2.0-1', 'action': 'install'}]


def test_solver_problem_text_is_reported():
    problems = zxml.solver_problems(fixture('install-solver-problem.xml'))
    assert len(problems) == 1 and 'nothing provides /bin/sh needed by foo-1.3-1.noarch' in problems[0]
    assert zxml.parse_install_summary(fixture('install-solver-problem.xml')) == []


def test_not_found_capability_message():
    stream = zxml.parse_xml_stream(fixture('install-not-found.xml'))
    assert "No provider of 'foo.noarch=0:1.9-1' found." in zxml.error_summary(stream)


def test_post_scriptlet_failure_attributed_to_the_package():
    failures = zxml.scriptlet_failures(fixture('install-post-failed.xml'))
    assert failures == {'foo-1.3-1.noarch': '%post(foo-1.3-1.noarch) scriptlet failed, exit status 3'}
    assert [item['name'] for item in zxml.parse_install_summary(fixture('install-post-failed.xml'))] == ['foo', 'bar']


def test_needs_rebooting_output_parses():
    messages = [text for _kind, text in zxml.stream_messages(zxml.parse_xml_stream(fixture('needs-rebooting-yes.xml')))]
    assert 'Core libraries or services have been updated.' in messages


def test_non_xml_output_is_a_backend_error():
    with pytest.raises(BackendError, match='no XML'):
        zxml.parse_xml_stream('zypper: command not found')
    with pytest.raises(BackendError, match='cannot be parsed'):
        zxml.parse_xml_stream("<?xml version='1.0'?><stream><message>")
