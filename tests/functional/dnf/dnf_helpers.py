# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Call DnfBackend in the system Python (python3-dnf is not in the venv) via backend_runner.py."""

import json
import os
import subprocess

SYSTEM_PYTHON = '/usr/bin/python3'
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'backend_runner.py')


class BackendCallError(Exception):
    """The backend raised one of our errors; ``type`` is its class name."""

    def __init__(self, error):
        self.type = error['type']
        super(BackendCallError, self).__init__('%s: %s' % (error['type'], error['message']))


def call_backend(root, calls, lock_timeout=120, sources=None, product=None, refresh=True):
    """Run [(method, args)] on a DnfBackend for ``root`` in the system Python; return results.

    ``refresh``: fetch the node's repository metadata first, as a run does by default (reading
    never fetches); not with ``sources``, which are fetched as they replace the repositories.
    """
    refresh = refresh and sources is None
    calls = ([('refresh', ())] if refresh else []) + list(calls)
    request = {'root': root, 'lock_timeout': lock_timeout, 'product': product,
               'calls': [{'method': method, 'args': list(args)} for method, args in calls]}
    if sources is not None:
        request['sources'] = sources
    process = subprocess.run([SYSTEM_PYTHON, RUNNER], input=json.dumps(request), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True, check=False)
    if process.returncode != 0:
        raise RuntimeError('backend runner crashed (rc %d):\n%s' % (process.returncode, process.stderr))
    answer = json.loads(process.stdout)
    if 'error' in answer:
        raise BackendCallError(answer['error'])
    return answer['results'][1:] if refresh else answer['results']


def backend(root, method, *args, **kwargs):
    """One backend call; its result."""
    return call_backend(root, [(method, args)], **kwargs)[0]
