# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compliance store's schema: one list of versioned migrations for SQLite and PostgreSQL.

``MIGRATIONS[n]`` takes a store from version ``n`` to ``n + 1``; a store records each applied
version in ``patch_store_schema``. The statements are written once, in the SQL both engines
share; ``{blob}`` and ``{serial}`` are the only words that differ (see ``DIALECTS``).

Never edit a released migration: add the next one. A store whose version is higher than
``LATEST`` was written by a newer collection and is refused (its rows may mean other things).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SCHEMA_TABLE = 'patch_store_schema'

# The counters of instance_patch_state (AWS InstancePatchState), in the order AWS lists them.
COUNTERS = (
    'installed_count', 'installed_other_count', 'installed_pending_reboot_count', 'installed_rejected_count',
    'missing_count', 'failed_count', 'not_applicable_count', 'unreported_not_applicable_count',
    'critical_non_compliant_count', 'security_non_compliant_count', 'other_non_compliant_count',
)
# The text fields of instance_patch_state.
STATE_TEXTS = (
    'patch_group', 'baseline_id', 'snapshot_id', 'operation', 'reboot_option', 'operation_start_time',
    'operation_end_time', 'last_no_reboot_install_operation_time', 'operating_system', 'compliance_status',
    'non_compliant_severity',
)
STATE_FIELDS = STATE_TEXTS + COUNTERS
# Per-patch columns kept as rows for the non-compliant patches (the rest of a host's list is a compact blob).
PATCH_COLUMNS = (
    'kb_id', 'title', 'name', 'arch', 'state', 'classification', 'severity', 'compliance_level',
    'installed_version', 'approved_version', 'installed_time', 'release_date', 'cve_ids', 'advisory_ids', 'reason',
)

DIALECTS = {
    'sqlite': {'blob': 'BLOB', 'serial': 'INTEGER PRIMARY KEY AUTOINCREMENT'},
    'postgresql': {'blob': 'BYTEA', 'serial': 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'},
}


def _columns(names, kind):
    return ',\n  '.join('%s %s' % (name, kind) for name in names)


_STATE_COLUMNS = _columns(STATE_TEXTS, 'TEXT') + ',\n  ' + _columns(COUNTERS, 'INTEGER NOT NULL DEFAULT 0')

VERSION_1 = (
    'CREATE TABLE %s (version INTEGER NOT NULL, applied_time TEXT NOT NULL)' % SCHEMA_TABLE,
    # One row per host: the latest state ("last writer wins") and the outcome of its latest run.
    # reported_time is NULL while the host has only failed runs without a state.
    '''CREATE TABLE patch_instances (
  instance_id TEXT NOT NULL PRIMARY KEY,
  %s,
  reported_time TEXT,
  last_operation_status TEXT NOT NULL,
  last_operation_time TEXT NOT NULL,
  last_operation_message TEXT NOT NULL DEFAULT '',
  patch_count INTEGER NOT NULL DEFAULT 0,
  patches_format INTEGER NOT NULL DEFAULT 0,
  patches {blob}
)''' % _STATE_COLUMNS,
    'CREATE INDEX patch_instances_by_group ON patch_instances (patch_group)',
    # The non-compliant patches of each host's latest state, as rows (queries, CVE exposure, CSV).
    '''CREATE TABLE patch_noncompliant (
  instance_id TEXT NOT NULL,
  %s
)''' % _columns(PATCH_COLUMNS, 'TEXT'),
    'CREATE INDEX patch_noncompliant_by_instance ON patch_noncompliant (instance_id)',
    'CREATE TABLE patch_cves (cve_id TEXT NOT NULL, instance_id TEXT NOT NULL, kb_id TEXT NOT NULL, state TEXT NOT NULL)',
    'CREATE INDEX patch_cves_by_cve ON patch_cves (cve_id)',
    'CREATE INDEX patch_cves_by_instance ON patch_cves (instance_id)',
    # Every run, successful or not; the last HISTORY_LIMIT per host are kept.
    '''CREATE TABLE patch_operations (
  operation_id {serial},
  instance_id TEXT NOT NULL,
  recorded_time TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  has_state INTEGER NOT NULL DEFAULT 0,
  %s,
  details TEXT NOT NULL DEFAULT '{{}}'
)''' % _STATE_COLUMNS,
    'CREATE INDEX patch_operations_by_instance ON patch_operations (instance_id, operation_id)',
    'CREATE INDEX patch_operations_by_time ON patch_operations (recorded_time)',
    '''CREATE TABLE patch_window_executions (
  window_execution_id TEXT NOT NULL PRIMARY KEY,
  window_name TEXT NOT NULL,
  status TEXT NOT NULL,
  start_time TEXT,
  end_time TEXT,
  recorded_time TEXT NOT NULL,
  record TEXT NOT NULL
)''',
    'CREATE INDEX patch_window_executions_by_window ON patch_window_executions (window_name, start_time)',
)

MIGRATIONS = (VERSION_1,)
LATEST = len(MIGRATIONS)
# Tables of the schema (a SQLite file holding other tables only is not ours).
TABLES = ('patch_instances', 'patch_noncompliant', 'patch_cves', 'patch_operations', 'patch_window_executions')


def statements(version, dialect):
    """The SQL statements that take a store from ``version`` to ``version + 1`` in ``dialect``."""
    words = DIALECTS[dialect]
    return [statement.format(**words) for statement in MIGRATIONS[version]]
