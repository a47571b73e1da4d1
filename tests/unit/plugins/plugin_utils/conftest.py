# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.fleetops.patch_manager.tests.unit.plugins.plugin_utils.registry_cases import (
    AWS_EXPORT,
    RHEL_PRODUCTION,
    UBUNTU_DEFAULT,
    UBUNTU_STAGING,
    make_registry,
)


@pytest.fixture
def registry_dir(tmp_path):
    return make_registry(tmp_path, """
default_baselines:
  UBUNTU: Ubuntu-Default
patch_groups:
  Production: [RHEL-Production]
  Staging: [Ubuntu-Staging, AWS-RedHatDefaultPatchBaseline]
""", {
        'ubuntu-production.json': json.dumps(AWS_EXPORT, indent=2),
        'ubuntu-staging.yml': UBUNTU_STAGING,
        'rhel-production.yaml': RHEL_PRODUCTION,
        'ubuntu-default.yml': UBUNTU_DEFAULT,
        'README.md': 'not a baseline',
    })
