# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real zypper 1.14 / rpm 4.18 output for the zypper unit tests (fixtures/zypper/).

The files were printed by zypper --root R --non-interactive --xmlout against a generated
repository: foo 1.0 installed, foo 1.1/1.2/1.3 and bar 2.0 available, patches FLEET-2026-1
(security/important, CVE + bugzilla), FLEET-2026-2 (recommended/moderate, issued as epoch
seconds) and FLEET-2026-3 (optional/unspecified, unparsable date, bar with epoch 2).
updateinfo.xml is the repository input zypper read them from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'zypper')


def fixture(name):
    """The text of one captured file."""
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()
