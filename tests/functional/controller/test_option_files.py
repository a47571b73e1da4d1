# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Option files read on the controller by run_patch_baseline's action plugin, through real `ansible` runs.

Every case fails before any host is touched (the target is localhost with a root that does
not exist, so reaching the module would fail differently).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ANSIBLE = os.path.join(REPO_ROOT, '.venv', 'bin', 'ansible')
# 9 levels of 9 aliases each: under 700 bytes, 9**9 (387 million) strings once expanded.
BOMB_LEVELS = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
    '%s: &%s [%s]' % (chr(ord('a') + level), chr(ord('a') + level), ','.join(['*%s' % chr(ord('a') + level - 1)] * 9))
    for level in range(1, 9)]


def run_module(tmp_path, **args):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_CALLBACK_RESULT_FORMAT='json')
    args.setdefault('root', str(tmp_path / 'no-such-root'))
    # The timeout only guards against a hang (the old controller took minutes and gigabytes here).
    result = subprocess.run([ANSIBLE, 'localhost', '-m', 'fleetops.patch_manager.run_patch_baseline', '-a', json.dumps(args)],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, timeout=120, check=False)
    assert result.returncode != 0
    # "localhost | FAILED! => {...}"
    return json.loads(result.stdout[result.stdout.index('=>') + 2:])


def nested(indent):
    return ''.join('%s%s\n' % (' ' * indent, line) for line in BOMB_LEVELS)


# Each document is valid as far as the old controller checked (an ignored read-only key, an
# ignored extra field), which then sent the raw document to the host: JSON of 387 million strings.
@pytest.mark.parametrize('option, text', [
    ('baseline', 'Name: bomb\nOperatingSystem: UBUNTU\nResponseMetadata:\n' + nested(2) + '  all: *i\n'),
    ('baseline_override', '- Name: bomb\n  OperatingSystem: UBUNTU\n  ResponseMetadata:\n' + nested(4)
     + '    all: *i\n'),
    ('install_override_list', 'patches:\n  - id: openssl.amd64\n    notes:\n' + nested(6) + '      all: *i\n'),
])
def test_alias_bombs_are_refused_on_the_controller(tmp_path, option, text):
    path = tmp_path / ('bomb-%s.yml' % option)
    path.write_text(text)
    assert len(text) < 700
    outcome = run_module(tmp_path, operation='Install' if option == 'install_override_list' else 'Scan',
                         **{option: str(path)})
    assert outcome['msg'].startswith('%s: ' % option), outcome['msg']
    assert 'expands to more than 1000000 values through YAML aliases' in outcome['msg'], outcome['msg']


def test_an_unparsable_file_is_reported_without_its_content(tmp_path):
    path = tmp_path / 'override.yml'
    path.write_text('password: hunter2-secret-value\npatches: [{id: openssl}\n')
    outcome = run_module(tmp_path, operation='Install', install_override_list=str(path))
    assert outcome['msg'].startswith('install_override_list: %s is not valid YAML or JSON (line ' % path)
    assert 'hunter2' not in json.dumps(outcome)
