# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Private to this collection: no compatibility promise to other collections.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The compliance store option of the controller-side modules that read it.
    DOCUMENTATION = r'''
options:
  store:
    description:
      - The compliance store to read, as a URL.
      - V(sqlite:///<absolute path>) names a SQLite file; V(postgresql://<user>@<host>/<database>) a PostgreSQL
        database (libpq URL; the controller needs the Python package C(psycopg) 3).
      - When omitted, the variable C(patch_store), then the environment variable E(FLEETOPS_PATCH_STORE), then
        V(sqlite:///~/.ansible/fleetops_patch/patch_store.sqlite3) (the store that
        M(fleetops.patch_manager.run_patch_baseline) writes by default).
    type: str
'''
