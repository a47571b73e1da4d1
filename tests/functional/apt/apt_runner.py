# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run AptBackend calls under the system python3 (python-apt is not in the venv).

Reads one JSON request on stdin:
  {"root": "/path", "lock_timeout": 2, "sources": null or [baseline Sources],
   "product": "Debian12", "steps": [["refresh"], ["read_universe", "DEBIAN", "Debian12"], ...],
   "host_config_first": false}
(``host_config_first``: load this host's apt configuration, APT_CONFIG included, into apt_pkg
first, then drop APT_CONFIG from the environment, so only what was loaded can reach the
backend; ``read_whole_cache``: an advisory-only read visits every package of the cache instead
of ``packages_to_read``'s, the reference its equivalence test compares with), runs the steps in one process (inside ``sources_replaced`` when sources are given)
and prints {"results": [...]} or {"error": {"type": ..., "message": ..., "results": [...]}}.
"""

import datetime
import json
import os
import sys

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend_apt
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_apt import AptBackend
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError


def plain(value):
    """JSON-ready form of backend results."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return dict((key, plain(item)) for key, item in value.items())
    if hasattr(value, '__slots__'):
        slots = []
        for cls in type(value).__mro__:
            slots.extend(getattr(cls, '__slots__', ()))
        fields = dict((slot, plain(getattr(value, slot))) for slot in slots)
        if hasattr(value, 'from_package_database'):     # a record only the package database vouches for
            fields['from_package_database'] = value.from_package_database
        return fields
    return value


def main():
    request = json.load(sys.stdin)
    if request.get('host_config_first'):
        import apt_pkg  # pylint: disable=import-outside-toplevel
        apt_pkg.init_config()
        os.environ.pop('APT_CONFIG', None)
    if request.get('read_whole_cache'):
        _backend_apt.packages_to_read = lambda cache, memo, status_path: cache.packages
    backend = AptBackend(root=request['root'], lock_timeout=request.get('lock_timeout', 120))
    results = []
    try:
        with backend.sources_replaced(request.get('sources') or [], request.get('product')):
            for step in request['steps']:
                method, args = step[0], step[1:]
                results.append(plain(getattr(backend, method)(*args)))
    except PatchManagerError as exc:
        json.dump({'error': {'type': type(exc).__name__, 'message': str(exc), 'results': results}}, sys.stdout)
        return
    json.dump({'results': results}, sys.stdout)


if __name__ == '__main__':
    main()
