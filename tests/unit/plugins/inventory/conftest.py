# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Let Ansible's plugin loader find fleetops.patch_manager.* under plain pytest too.

ansible-test units installs the collection finder itself; plain pytest (with
PYTHONPATH=.collections) only makes the Python imports work, so install it here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder


def _collections_root():
    for entry in sys.path:
        if os.path.isdir(os.path.join(entry or '.', 'ansible_collections', 'fleetops', 'patch_manager')):
            return os.path.abspath(entry or '.')
    return None


if AnsibleCollectionConfig.collection_finder is None and _collections_root():
    # Modules imported as plain packages before the finder lack collection metadata.
    for _name in [name for name in sys.modules if name == 'ansible_collections' or name.startswith('ansible_collections.')]:
        del sys.modules[_name]
    _AnsibleCollectionFinder(paths=[_collections_root()])._install()
