# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run DnfBackend methods under the system Python (the one with python3-dnf).

pytest runs in the venv, which has no dnf bindings; the tests start this script with
/usr/bin/python3, pass a JSON request on stdin and read a JSON answer on stdout:
request  {"root", "lock_timeout", "sources" (optional), "product" (optional),
          "calls": [{"method", "args"}]}; method "evaluate" (args: operating_system, product,
          baseline in the AWS shape, evaluation time ISO 8601, advisory_only) reads the
          universe and runs the real engine on it.
answer   {"results": [...]} or {"error": {"type", "message"}, "results": [...]}.
"""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '.collections'))

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate  # noqa: E402
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_dnf import DnfBackend  # noqa: E402
from ansible_collections.fleetops.patch_manager.plugins.module_utils._baseline import normalise_baseline  # noqa: E402
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError  # noqa: E402


def to_json(value):
    """Universe / Candidate / InstallOutcome / datetimes as plain JSON values."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return dict((key, to_json(item)) for key, item in value.items())
    if hasattr(value, '__slots__'):
        slots = [slot for cls in type(value).__mro__ for slot in getattr(cls, '__slots__', ())]
        fields = dict((slot, to_json(getattr(value, slot))) for slot in slots)
        if hasattr(value, 'from_package_database'):     # a record only the package database vouches for
            fields['from_package_database'] = value.from_package_database
        return fields
    return value


def evaluate(backend, operating_system, product, baseline, evaluation_time, advisory_only=False):
    """read_universe, then the engine: {'not_applicable_count', 'patches'}."""
    universe = backend.read_universe(operating_system, product, advisory_only)
    when = datetime.datetime.strptime(evaluation_time, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    evaluation = _evaluate.evaluate(normalise_baseline(baseline), universe, when)
    return {'not_applicable_count': evaluation.not_applicable_count, 'patches': evaluation.patches}


def run_calls(backend, calls, results):
    for call in calls:
        if call['method'] == 'evaluate':
            results.append(to_json(evaluate(backend, *call['args'])))
            continue
        args = [tuple(arg) if isinstance(arg, list) and call['method'] == 'dependency_closure' else arg
                for arg in call.get('args', [])]
        if call['method'] in ('plan', 'install'):
            args = [[tuple(target) for target in args[0]]]
        results.append(to_json(getattr(backend, call['method'])(*args)))


def main():
    request = json.load(sys.stdin)
    backend = DnfBackend(root=request['root'], lock_timeout=request.get('lock_timeout', 120))
    results = []
    answer = {'results': results}
    try:
        if 'sources' in request:
            with backend.sources_replaced(request['sources'], request.get('product')):
                run_calls(backend, request['calls'], results)
        else:
            run_calls(backend, request['calls'], results)
    except PatchManagerError as exc:
        answer['error'] = {'type': type(exc).__name__, 'message': str(exc)}
    json.dump(answer, sys.stdout)


if __name__ == '__main__':
    main()
