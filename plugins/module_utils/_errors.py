# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The exceptions this collection raises on purpose.

Library code raises these; only the module or plugin boundary turns them into
``fail_json`` or ``AnsibleError``. ``str(exc)`` is always a full sentence.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class PatchManagerError(Exception):
    """Base class for every error the collection reports to the user."""


class BaselineValidationError(PatchManagerError):
    """A baseline field is invalid; ``path`` names it the way the user wrote it."""

    def __init__(self, path, problem):
        self.path = path
        self.problem = problem
        super(BaselineValidationError, self).__init__('%s: %s' % (path, problem))


class InputError(PatchManagerError):
    """A module or plugin option other than the baseline is invalid."""

    def __init__(self, field, problem):
        self.field = field
        self.problem = problem
        super(InputError, self).__init__('%s: %s' % (field, problem))


class BackendError(PatchManagerError):
    """The package manager failed; carries what it said."""

    def __init__(self, message, rc=None, stdout=None, stderr=None, cmd=None):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.cmd = cmd
        super(BackendError, self).__init__(message)

    def details(self):
        """The machine-readable fields for ``fail_json``."""
        return dict((key, value) for key, value in (
            ('rc', self.rc), ('stdout', self.stdout), ('stderr', self.stderr), ('cmd', self.cmd),
        ) if value is not None)


class LockTimeoutError(BackendError):
    """The package manager's lock stayed held longer than allowed."""


class MetadataError(BackendError):
    """Repository metadata could not be fetched, was never fetched, or offers nothing: no answer can be trusted."""
