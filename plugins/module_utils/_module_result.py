# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Handing the module's result to Ansible.

``AnsibleModule.exit_json`` copies the whole result through ``remove_values`` to replace the
values of no_log options wherever they appear. A Scan result lists every installed package
(thousands of patch dicts); the copy costs more than evaluating them (BENCHMARKS.md). When
no option value is secret (``module.no_log_values`` is empty, as with this module's options,
none of which is no_log), that copy can only return an equal value: the result is plain JSON
data (str, int, bool, None, lists, dicts) built by this collection. Then the copy is skipped;
everything else ``exit_json`` does (invocation, warnings, deprecations, the JSON encoding of the
running ansible-core) stays as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils import basic


def _unchanged(value, no_log_strings):
    """``remove_values`` when there is nothing to remove: the value itself."""
    return value


def exit_json(module, result):
    """``module.exit_json(**result)``, without the no_log copy when no value is secret (never returns)."""
    original = basic.remove_values
    try:
        if not module.no_log_values:
            basic.remove_values = _unchanged
        module.exit_json(**result)
    finally:
        # exit_json ends the process (SystemExit); anything that catches it sees ansible-core as it was
        basic.remove_values = original
