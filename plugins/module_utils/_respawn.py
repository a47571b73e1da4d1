# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Re-executing the module under another Python, whatever the size of its arguments.

ansible-core's ``respawn_module`` writes the whole respawn payload (the module's arguments
included) into a pipe before it starts the interpreter that reads it: a payload larger
than the pipe buffer (64 KiB on Linux) blocks that write forever. Here the payload is
written while the child reads it (``Popen.communicate``), so any size works. The payload
itself is ansible-core's, built by the function of the running version:

- 2.19 and later: ``ansible.module_utils._internal._ansiballz._respawn.create_payload``;
- 2.16 to 2.18: ``ansible.module_utils.common.respawn._create_payload``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import subprocess
import sys

from ansible.module_utils.common.respawn import has_respawned
from ansible.module_utils.common.text.converters import to_bytes


def payload_creator():
    """ansible-core's function that builds the respawn payload of the running module."""
    # pylint: disable=import-outside-toplevel
    try:
        from ansible.module_utils._internal._ansiballz._respawn import create_payload
    except ImportError:
        from ansible.module_utils.common.respawn import _create_payload as create_payload
    return create_payload


def respawn_module(interpreter_path):
    """Run this module again under ``interpreter_path`` and exit with its exit code (never returns).

    Like ansible-core's ``respawn_module`` (only one respawn; the child inherits stdout and
    stderr), but the payload is fed to the child as it reads, so its size does not matter.
    """
    if has_respawned():
        raise RuntimeError('module has already been respawned')
    payload = to_bytes(payload_creator()())
    child = subprocess.Popen([interpreter_path, '--'], stdin=subprocess.PIPE)
    child.communicate(payload)
    sys.exit(child.returncode)  # pylint: disable=ansible-bad-function
