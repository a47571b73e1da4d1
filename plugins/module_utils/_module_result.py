# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Handing the module's result to Ansible.

A Scan result lists every installed package (thousands of patch dicts). Two steps of
``AnsibleModule.exit_json`` walk all of it in Python and cost more than evaluating the
packages (BENCHMARKS.md):

- ``remove_values`` copies the result to replace the values of no_log options wherever they
  appear. When no option value is secret (``module.no_log_values`` is empty, as with this
  module's options, none of which is no_log), the copy can only return an equal value, so it
  is skipped.
- ansible-core 2.19 encodes the result with its serialization profile, which copies every
  dict and list on the way to tag Ansible's own types. The result is plain JSON data (str,
  int, float, bool, None, lists, dicts with str keys) built by this collection; for such data
  the profile's output decodes to the same value as the standard library encoder's, which
  runs in C. The standard encoder is tried first and the profile's encoder takes over the
  moment a value is anything else.

Everything else ``exit_json`` does (invocation, warnings, deprecations, the exit code) stays
as the running ansible-core does it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import sys

from ansible.module_utils import basic


def _unchanged(value, no_log_strings):
    """``remove_values`` when there is nothing to remove: the value itself."""
    return value


def _refuse(value):
    raise TypeError('not plain JSON data: %s' % type(value).__name__)


def _plain_json_first(record_with_profile):
    """A ``_record_module_result`` that prints plain JSON data with the C encoder, anything else as before."""
    def record(result):
        try:
            encoded = json.dumps(result, default=_refuse)
        except (TypeError, ValueError):     # another type, a non-str key, a cycle: the profile decides
            return record_with_profile(result)
        sys.stdout.write('\n%s\n' % encoded)     # what ansible-core prints: a newline, the JSON, a newline
    return record


def exit_json(module, result):
    """``module.exit_json(**result)``, without the no_log copy when no value is secret (never returns)."""
    original = basic.remove_values
    try:
        if not module.no_log_values:
            basic.remove_values = _unchanged
        if hasattr(module, '_record_module_result'):    # ansible-core 2.19 and later
            module._record_module_result = _plain_json_first(module._record_module_result)
        module.exit_json(**result)
    finally:
        # exit_json ends the process (SystemExit); anything that catches it sees ansible-core as it was
        basic.remove_values = original
