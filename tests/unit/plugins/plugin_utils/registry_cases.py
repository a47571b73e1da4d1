# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A baseline registry on disk, shared by the registry, resolution and snapshot tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

# What `aws ssm get-patch-baseline --baseline-id pb-0c10e65780EXAMPLE` prints.
AWS_EXPORT = {
    "BaselineId": "pb-0c10e65780EXAMPLE",
    "Name": "Ubuntu-Production",
    "OperatingSystem": "UBUNTU",
    "GlobalFilters": {"PatchFilters": [{"Key": "PRODUCT", "Values": ["*"]}]},
    "ApprovalRules": {"PatchRules": [{
        "PatchFilterGroup": {"PatchFilters": [{"Key": "PRIORITY", "Values": ["Required", "Important"]}]},
        "ComplianceLevel": "HIGH", "ApproveAfterDays": 0, "EnableNonSecurity": False}]},
    "ApprovedPatches": [],
    "ApprovedPatchesComplianceLevel": "UNSPECIFIED",
    "ApprovedPatchesEnableNonSecurity": False,
    "RejectedPatches": [],
    "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
    "PatchGroups": ["Production"],
    "CreatedDate": "2026-01-12T10:12:45.123000+00:00",
    "ModifiedDate": "2026-01-12T10:12:45.123000+00:00",
    "Description": "Exported from AWS",
    "Sources": [],
}

def write(path, content):
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    with open(path, 'w') as handle:
        handle.write(content)


def make_registry(root, registry_yml, baselines=None):
    directory = os.path.join(str(root), 'patch_registry')
    for name, text in (baselines or {}).items():
        write(os.path.join(directory, 'baselines', name), text)
    if registry_yml is not None:
        write(os.path.join(directory, 'registry.yml'), registry_yml)
    return directory


UBUNTU_STAGING = """
name: Ubuntu-Staging
operating_system: UBUNTU
approval_rules:
  patch_rules:
    - patch_filter_group: {patch_filters: [{key: PRIORITY, values: [Required]}]}
      approve_after_days: 0
"""
RHEL_PRODUCTION = """
Name: RHEL-Production
OperatingSystem: REDHAT_ENTERPRISE_LINUX
ApprovalRules: {PatchRules: [{PatchFilterGroup: {PatchFilters: [{Key: CLASSIFICATION, Values: [Security]}]}, ApproveAfterDays: 7}]}
"""
UBUNTU_DEFAULT = """
name: Ubuntu-Default
operating_system: UBUNTU
approval_rules:
  patch_rules:
    - patch_filter_group: {patch_filters: [{key: PRIORITY, values: [Required]}]}
      approve_after_days: 3
"""
