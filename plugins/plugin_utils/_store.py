# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compliance store: every run_patch_baseline result, kept on the controller.

Named by the variable ``patch_store`` or ``$FLEETOPS_PATCH_STORE``:
``sqlite:///<absolute path>`` (default ``~/.ansible/fleetops_patch/patch_store.sqlite3``) or
``postgresql://...`` (a libpq URL, through psycopg 3, imported only for such a store).

Per host (``instance_id`` = inventory hostname): the latest ``instance_patch_state`` and patches
("last writer wins", as AWS), the last ``HISTORY_LIMIT`` operations, and per maintenance window
its executions. Writes are one transaction each; the encoding work is done before the
transaction starts, so a writer holds the lock for the inserts only. Queries live in
``_store_query``; the schema and its migrations in ``_store_schema``.

Entry points for plugins:

- ``keep_result(task_vars, host, result, task_args=None)``: the end of run_patch_baseline.
- ``record_window_execution(task_vars, execution)``: the maintenance-window playbook.
- ``open_store(url, create=True)``: a ``Store`` (context manager) for queries and reports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import json
import os
import random
import re
import sqlite3
import time
import urllib.parse
import zlib

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import PatchManagerError
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_schema as schema

STORE_VARIABLE = 'patch_store'
STORE_ENV = 'FLEETOPS_PATCH_STORE'
DEFAULT_PATH = os.path.join('~', '.ansible', 'fleetops_patch', 'patch_store.sqlite3')
SCHEMES = ('sqlite', 'postgresql', 'postgres')
# AWS keeps the last 150 operations of a node.
HISTORY_LIMIT = 150
# How long a SQLite writer waits for another writer (forks of one run, or another run).
BUSY_TIMEOUT_SECONDS = 120
NON_COMPLIANT_STATES = ('MISSING', 'FAILED', 'INSTALLED_PENDING_REBOOT', 'INSTALLED_REJECTED')
CVE_STATES = ('MISSING', 'FAILED')
OPERATION_SUCCESS = 'Success'
OPERATION_FAILED = 'Failed'
# AWS MaintenanceWindowExecutionStatus.
WINDOW_STATUSES = ('PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'TIMED_OUT', 'CANCELLING', 'CANCELLED',
                   'SKIPPED_OVERLAPPING')
# Version of the compact patch-list encoding (patch_instances.patches_format).
PATCHES_FORMAT = 1
# A run's extra facts kept with its history entry.
DETAIL_KEYS = ('changed', 'rebooted', 'reboot_required', 'baseline_source', 'snapshot_reused')
TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
# Keeps the PostgreSQL schema creation of many forks that start at once one after the other.
PG_MIGRATION_LOCK = 0x666c656574  # "fleet"


class StoreError(PatchManagerError):
    """The store cannot be opened, read or written; the message names the store."""


# ---------------------------------------------------------------------------------------------
# Naming the store


def store_url(task_vars=None, environ=None):
    """The store URL in force: variable ``patch_store``, else ``$FLEETOPS_PATCH_STORE``, else the default file."""
    environ = os.environ if environ is None else environ
    value = (task_vars or {}).get(STORE_VARIABLE) or environ.get(STORE_ENV)
    if not value:
        return 'sqlite:///' + os.path.expanduser(DEFAULT_PATH).lstrip('/')
    return str(value).strip()


def display_url(url):
    """The URL without its password, for messages and reports."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit('@', 1)
    user = netloc[0].split(':', 1)[0]
    return urllib.parse.urlunsplit(parts._replace(netloc='%s:***@%s' % (user, netloc[1])))


def parse_url(url):
    """``(scheme, target)``: ``('sqlite', absolute path)`` or ``('postgresql', libpq URL)``."""
    if not isinstance(url, str) or '://' not in url:
        raise StoreError('patch_store: %r is not a store URL; use sqlite:///<absolute path> or '
                         'postgresql://<user>@<host>/<database>' % (url,))
    scheme, rest = url.split('://', 1)
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise StoreError('patch_store: the scheme %r of %s is not one of sqlite, postgresql'
                         % (scheme, display_url(url)))
    if scheme == 'sqlite':
        # sqlite:///var/x.db and sqlite:////var/x.db both name /var/x.db; sqlite:///~/x.db the home directory.
        path = rest.lstrip('/')
        if not path:
            raise StoreError('patch_store: %s names no file; use sqlite:///<absolute path>' % url)
        if path.startswith('~'):
            return 'sqlite', os.path.abspath(os.path.expanduser(path))
        return 'sqlite', '/' + path
    return 'postgresql', 'postgresql://' + rest


# ---------------------------------------------------------------------------------------------
# Time and encoding helpers (pure)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def format_time(moment):
    return moment.astimezone(datetime.timezone.utc).strftime(TIME_FORMAT)


def parse_time(text):
    """An ISO 8601 time (``Z``, an offset, or naive = UTC) as an aware UTC datetime; None for empty."""
    if text in (None, ''):
        return None
    if isinstance(text, datetime.datetime):
        moment = text
    else:
        value = str(text).strip()
        if value[-1:] in ('Z', 'z'):
            value = value[:-1] + '+00:00'
        moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).replace(microsecond=0)


def normal_time(text):
    """Times are kept as ``YYYY-MM-DDTHH:MM:SSZ`` so that text order is time order; unparsable text is kept."""
    try:
        moment = parse_time(text)
    except (TypeError, ValueError):
        return str(text)
    return None if moment is None else format_time(moment)


def encode_patches(patches):
    """A host's patch list, compact: zlib-compressed JSON, one array per field (columns compress well)."""
    keys = []
    for patch in patches:
        for key in patch:
            if key not in keys:
                keys.append(key)
    columns = dict((key, [patch.get(key) for patch in patches]) for key in keys)
    text = json.dumps({'count': len(patches), 'columns': columns}, separators=(',', ':'), default=str)
    return zlib.compress(text.encode('utf-8'), 1)


def decode_patches(blob):
    if not blob:
        return []
    data = json.loads(zlib.decompress(bytes(blob)).decode('utf-8'))
    columns = data['columns']
    keys = list(columns)
    return [dict((key, columns[key][index]) for key in keys) for index in range(data['count'])]


def _as_list(value):
    if value in (None, ''):
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(',') if item.strip()]
    return [str(item) for item in value]


def _count(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def state_row(state):
    """instance_patch_state -> the stored fields (texts as text, times normalised, counters as int)."""
    row = {}
    for field in schema.STATE_TEXTS:
        value = state.get(field)
        if field.endswith('_time'):
            value = normal_time(value)
        elif value is not None:
            value = str(value)
        row[field] = value
    row['patch_group'] = row['patch_group'] or ''
    row['operating_system'] = row['operating_system'] or ''
    for field in schema.COUNTERS:
        row[field] = _count(state.get(field))
    return row


def noncompliant_rows(patches):
    """The non-compliant patches as row dicts (lists joined with commas, as AWS CVEIds)."""
    rows = []
    for patch in patches:
        if patch.get('state') not in NON_COMPLIANT_STATES:
            continue
        row = {}
        for column in schema.PATCH_COLUMNS:
            value = patch.get(column)
            if column in ('cve_ids', 'advisory_ids'):
                value = ','.join(_as_list(value))
            elif value is not None:
                value = str(value)
            row[column] = value
        rows.append(row)
    return rows


def cve_rows(patches):
    """(cve_id, kb_id, state) for every CVE a MISSING or FAILED patch would fix."""
    rows = []
    for patch in patches:
        if patch.get('state') in CVE_STATES:
            for cve in sorted(set(_as_list(patch.get('cve_ids')))):
                rows.append((cve, str(patch.get('kb_id') or patch.get('name') or ''), patch['state']))
    return rows


class Report(object):
    """One run's result, ready to be written: everything computed before the transaction."""

    def __init__(self, instance_id, result, patch_group=None, operation=None, recorded_time=None):
        if not instance_id:
            raise StoreError('The patch store needs the host name (instance_id) of a result; none was given.')
        self.instance_id = str(instance_id)
        # Without a given time, the writer takes it once it holds the host's write lock, so that time order
        # is commit order ("last writer wins") even when writers wait for each other.
        self.recorded_time = format_time(recorded_time) if recorded_time else None
        state = result.get('instance_patch_state')
        self.state = state_row(state) if isinstance(state, dict) else None
        failed = bool(result.get('failed')) or self.state is None
        self.status = OPERATION_FAILED if failed else OPERATION_SUCCESS
        self.message = str(result.get('msg') or '') if failed else ''
        if self.status == OPERATION_FAILED and not self.message:
            self.message = 'The run returned no compliance data.'
        patches = result.get('patches') if self.state is not None else None
        patches = patches if isinstance(patches, list) else []
        self.patch_count = len(patches)
        self.patches_blob = encode_patches(patches) if self.state is not None else None
        self.noncompliant = noncompliant_rows(patches)
        self.cves = cve_rows(patches)
        self.patch_group = (self.state or {}).get('patch_group') or (str(patch_group) if patch_group else '')
        self.operation = (self.state or {}).get('operation') or (str(operation) if operation else None)
        self.details = json.dumps(dict((key, result[key]) for key in DETAIL_KEYS if key in result),
                                  sort_keys=True, default=str)


def window_record(execution):
    """Validate a ``patch_window_execution`` record; return it with its times normalised."""
    if not isinstance(execution, dict):
        raise StoreError('patch_window_execution: expected a dict with window, window_execution_id, status, '
                         'start_time, end_time and tasks, got %s' % type(execution).__name__)
    record = dict(execution)
    for field in ('window', 'window_execution_id'):
        if not record.get(field) or not isinstance(record[field], str):
            raise StoreError('patch_window_execution.%s: a non-empty string is required' % field)
    if record.get('status') not in WINDOW_STATUSES:
        raise StoreError('patch_window_execution.status: %r is not one of %s'
                         % (record.get('status'), ', '.join(WINDOW_STATUSES)))
    tasks = record.get('tasks', [])
    if not isinstance(tasks, list) or not all(isinstance(task, dict) for task in tasks):
        raise StoreError('patch_window_execution.tasks: a list of task dicts is required')
    try:
        for field in ('start_time', 'end_time'):
            record[field] = None if record.get(field) in (None, '') else format_time(parse_time(record[field]))
    except (TypeError, ValueError):
        raise StoreError('patch_window_execution.%s: %r is not an ISO 8601 time' % (field, record.get(field)))
    record['tasks'] = tasks
    return record


# ---------------------------------------------------------------------------------------------
# The store


class Store(object):
    """An open store. Use as a context manager; ``close()`` otherwise."""

    def __init__(self, url, create=True):
        self.url = url
        self.display_url = display_url(url)
        self.backend, self.target = parse_url(url)
        self.placeholder = '?' if self.backend == 'sqlite' else '%s'
        self.connection = None
        self._opening = True
        try:
            with self._errors('open'):
                if self.backend == 'sqlite':
                    self.connection = self._open_sqlite(create)
                else:
                    self.connection = self._open_postgresql()
                self._ensure_schema()
        except BaseException:
            self.close()
            raise
        self._opening = False

    # -- connections ------------------------------------------------------------------------

    def _open_sqlite(self, create):
        path = self.target
        if not os.path.exists(path):
            if not create:
                raise StoreError('The patch store %s does not exist: no run_patch_baseline result has been kept '
                                 'there yet.' % self.display_url)
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            # Compliance data is the controller's business only; SQLite gives its -wal/-shm files the same mode.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        elif os.path.isdir(path):
            raise StoreError('The patch store %s is a directory, not a SQLite file.' % self.display_url)
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        connection.execute('PRAGMA busy_timeout = %d' % (BUSY_TIMEOUT_SECONDS * 1000))
        return connection

    def _use_wal(self):
        """WAL: readers never block the writer; one fsync per committed write. Only once the file is known ours
        (switching the journal mode rewrites the file header)."""
        mode = self._switch_to_wal(time.monotonic() + BUSY_TIMEOUT_SECONDS)
        if str(mode).lower() != 'wal':
            raise StoreError('The patch store %s cannot use write-ahead logging (journal mode stays %s).'
                             % (self.display_url, mode))
        self.connection.execute('PRAGMA synchronous = FULL')

    def _switch_to_wal(self, deadline, clock=time.monotonic, sleep=time.sleep):
        """``PRAGMA journal_mode = WAL`` -> the journal mode now in force.

        The switch needs the file's exclusive lock. When several processes open a new store at
        once (the forks of a run), SQLite answers some of them "database is locked" at once instead
        of waiting: the busy timeout does not apply where waiting could deadlock. The switch is
        tried again until ``deadline``; once the file is in WAL mode it is a no-op.
        """
        while True:
            try:
                return self.connection.execute('PRAGMA journal_mode = WAL').fetchone()[0]
            except sqlite3.OperationalError as exc:
                if 'database is locked' not in str(exc) or clock() >= deadline:
                    raise
            sleep(random.uniform(0.01, 0.1))   # apart, so that racing processes do not collide again

    def _open_postgresql(self):
        try:
            import psycopg  # pylint: disable=import-outside-toplevel
        except ImportError:
            raise StoreError('The patch store %s is a PostgreSQL database: the controller needs the Python package '
                             'psycopg 3 (pip install "psycopg[binary]"; AWX: add it to the execution environment).'
                             % self.display_url)
        return psycopg.connect(self.target, autocommit=False, connect_timeout=20)

    @contextlib.contextmanager
    def _errors(self, doing):
        """Turn the database library's errors into a StoreError naming the store (never its password)."""
        try:
            yield
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(self._explain(doing, exc)) from None
        except Exception as exc:  # psycopg errors, imported lazily
            if type(exc).__module__.split('.', maxsplit=1)[0] != 'psycopg':
                raise
            raise StoreError(self._explain(doing, exc)) from None

    def _explain(self, doing, exc):
        text = ' '.join(str(exc).split())
        if self.url != self.display_url:
            password = urllib.parse.urlsplit(self.url).password
            if password:
                text = text.replace(password, '***')
        if self.backend == 'sqlite' and 'not a database' in text:
            text += ' (the file is not a SQLite database; it was left untouched)'
        return 'The patch store %s cannot be %s: %s' % (
            self.display_url, {'open': 'opened', 'write': 'written', 'read': 'read'}.get(doing, doing), text)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- transactions -----------------------------------------------------------------------

    def sql(self, statement):
        return statement if self.placeholder == '?' else statement.replace('?', '%s')

    @contextlib.contextmanager
    def transaction(self, write):
        """One transaction: a write takes the write lock first (SQLite BEGIN IMMEDIATE), a read sees one snapshot."""
        with self._errors('open' if self._opening else 'write' if write else 'read'):
            cursor = self.connection.cursor()
            if self.backend == 'sqlite':
                cursor.execute('BEGIN IMMEDIATE' if write else 'BEGIN')
            elif not write:
                cursor.execute('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
            try:
                yield cursor
            except BaseException:
                try:
                    if self.backend == 'sqlite':
                        cursor.execute('ROLLBACK')
                    else:
                        self.connection.rollback()
                except Exception:  # pylint: disable=broad-except
                    pass  # the engine may have rolled back already (SQLITE_FULL does)
                raise
            if self.backend == 'sqlite':
                cursor.execute('COMMIT')
            else:
                self.connection.commit()

    def execute(self, cursor, statement, params=()):
        cursor.execute(self.sql(statement), params)
        return cursor

    # -- schema -------------------------------------------------------------------------------

    def _tables(self, cursor):
        if self.backend == 'sqlite':
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        else:
            cursor.execute('SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()')
        return set(row[0] for row in cursor.fetchall())

    def schema_version(self, cursor):
        """The store's schema version, 0 for an empty store; refuses a database that is not a store."""
        tables = self._tables(cursor)
        if schema.SCHEMA_TABLE not in tables:
            ours = tables & set(schema.TABLES)
            if ours or (self.backend == 'sqlite' and tables):
                raise StoreError('The patch store %s is a database that this collection did not create (it has the '
                                 'tables %s and no %s table); it was left untouched. Name another store with '
                                 'patch_store or %s.' % (self.display_url, ', '.join(sorted(tables)),
                                                         schema.SCHEMA_TABLE, STORE_ENV))
            return 0
        cursor.execute('SELECT MAX(version) FROM %s' % schema.SCHEMA_TABLE)
        return int(cursor.fetchone()[0] or 0)

    def _ensure_schema(self):
        with self.transaction(write=False) as cursor:
            version = self.schema_version(cursor)
        self._check_not_newer(version)
        if self.backend == 'sqlite':
            self._use_wal()
        if version == schema.LATEST:
            return
        with self.transaction(write=True) as cursor:
            if self.backend == 'postgresql':
                cursor.execute('SELECT pg_advisory_xact_lock(%s)', (PG_MIGRATION_LOCK,))
            # Another process may have migrated between our read and the write lock.
            version = self.schema_version(cursor)
            self._check_not_newer(version)
            while version < schema.LATEST:
                for statement in schema.statements(version, self.backend):
                    cursor.execute(statement)
                version += 1
                self.execute(cursor, 'INSERT INTO %s (version, applied_time) VALUES (?, ?)' % schema.SCHEMA_TABLE,
                             (version, format_time(utc_now())))

    def _check_not_newer(self, version):
        if version > schema.LATEST:
            raise StoreError('The patch store %s has schema version %d, written by a newer fleetops.patch_manager; '
                             'this one knows versions up to %d. Upgrade the collection on this controller; the '
                             'store was left untouched.' % (self.display_url, version, schema.LATEST))

    # -- writes -------------------------------------------------------------------------------

    def record_result(self, instance_id, result, patch_group=None, operation=None, recorded_time=None):
        """Keep one run_patch_baseline result of ``instance_id``.

        A result with an ``instance_patch_state`` replaces the host's latest state and patches; any
        result (also a failed one without state) adds a history entry. Returns
        ``{'instance_id', 'status', 'state_stored', 'patch_count', 'recorded_time'}``.
        """
        report = Report(instance_id, result, patch_group=patch_group, operation=operation,
                        recorded_time=recorded_time)
        with self.transaction(write=True) as cursor:
            self._write_report(cursor, report)
        return {'instance_id': report.instance_id, 'status': report.status, 'state_stored': report.state is not None,
                'patch_count': report.patch_count, 'recorded_time': report.recorded_time}

    def _write_report(self, cursor, report):
        if self.backend == 'postgresql':
            # Writers of one host queue here (SQLite's BEGIN IMMEDIATE already serialises every writer).
            self.execute(cursor, 'SELECT pg_advisory_xact_lock(hashtext(?))', (report.instance_id,))
        if report.recorded_time is None:
            report.recorded_time = format_time(utc_now())
        last = {'last_operation_status': report.status, 'last_operation_time': report.recorded_time,
                'last_operation_message': report.message}
        if report.state is not None:
            row = dict(report.state, instance_id=report.instance_id, reported_time=report.recorded_time,
                       patch_count=report.patch_count, patches_format=PATCHES_FORMAT, patches=report.patches_blob,
                       **last)
            self._upsert(cursor, 'patch_instances', row, key='instance_id', update=list(row))
            self.execute(cursor, 'DELETE FROM patch_noncompliant WHERE instance_id = ?', (report.instance_id,))
            if report.noncompliant:
                columns = ('instance_id',) + schema.PATCH_COLUMNS
                cursor.executemany(self.sql('INSERT INTO patch_noncompliant (%s) VALUES (%s)'
                                            % (', '.join(columns), ', '.join('?' * len(columns)))),
                                   [(report.instance_id,) + tuple(item[column] for column in schema.PATCH_COLUMNS)
                                    for item in report.noncompliant])
            self.execute(cursor, 'DELETE FROM patch_cves WHERE instance_id = ?', (report.instance_id,))
            if report.cves:
                cursor.executemany(self.sql('INSERT INTO patch_cves (cve_id, instance_id, kb_id, state) '
                                            'VALUES (?, ?, ?, ?)'),
                                   [(cve, report.instance_id, kb_id, state) for cve, kb_id, state in report.cves])
        else:
            # A failed run without compliance data: the latest state stays, the host's last outcome changes.
            row = dict(last, instance_id=report.instance_id, patch_group=report.patch_group, operating_system='')
            self._upsert(cursor, 'patch_instances', row, key='instance_id', update=list(last))
        history = dict(report.state or {'patch_group': report.patch_group, 'operation': report.operation},
                       instance_id=report.instance_id, recorded_time=report.recorded_time, status=report.status,
                       message=report.message, has_state=1 if report.state is not None else 0,
                       details=report.details)
        self._insert(cursor, 'patch_operations', history)
        # Keep the last HISTORY_LIMIT operations of the host (AWS keeps 150).
        self.execute(cursor, 'DELETE FROM patch_operations WHERE instance_id = ? AND operation_id < ('
                             'SELECT MIN(operation_id) FROM (SELECT operation_id FROM patch_operations '
                             'WHERE instance_id = ? ORDER BY operation_id DESC LIMIT %d) AS kept)' % HISTORY_LIMIT,
                     (report.instance_id, report.instance_id))

    def _insert(self, cursor, table, row):
        columns = list(row)
        self.execute(cursor, 'INSERT INTO %s (%s) VALUES (%s)' % (table, ', '.join(columns), ', '.join('?' * len(columns))),
                     [row[column] for column in columns])

    def _upsert(self, cursor, table, row, key, update):
        columns = list(row)
        self.execute(cursor, 'INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s' % (
            table, ', '.join(columns), ', '.join('?' * len(columns)), key,
            ', '.join('%s = excluded.%s' % (column, column) for column in update if column != key)),
            [row[column] for column in columns])

    def record_window_execution(self, execution, recorded_time=None):
        """Keep (or update, by ``window_execution_id``) one ``patch_window_execution`` record.

        A ``SKIPPED_OVERLAPPING`` record is kept as one more record, not as an update of the execution it names.
        """
        record = window_record(execution)
        recorded = format_time(recorded_time or utc_now())
        key = record['window_execution_id']
        if record['status'] == 'SKIPPED_OVERLAPPING':
            # A refused start names the execution that is still running: kept beside it, never over it.
            key = '%s#skipped@%s' % (key, recorded)
        row = {'window_execution_id': key, 'window_name': record['window'],
               'status': record['status'], 'start_time': record['start_time'], 'end_time': record['end_time'],
               'recorded_time': recorded, 'record': json.dumps(record, sort_keys=True, default=str)}
        with self.transaction(write=True) as cursor:
            self._upsert(cursor, 'patch_window_executions', row, key='window_execution_id', update=list(row))
        return record

    # -- reads used by queries ------------------------------------------------------------------

    def rows(self, statement, params=()):
        """All rows of one read statement, as dicts."""
        with self.transaction(write=False) as cursor:
            self.execute(cursor, statement, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def read(self):
        """A read transaction for several statements that must see one snapshot (reports)."""
        return self.transaction(write=False)

    def fetch(self, cursor, statement, params=()):
        self.execute(cursor, statement, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def open_store(url, create=True):
    """Open (creating or migrating when needed) the store at ``url``; raises StoreError."""
    return Store(url, create=create)


# ---------------------------------------------------------------------------------------------
# Plugin entry points


def keep_result(task_vars, host, result, task_args=None):
    """Keep a run_patch_baseline ``result`` of ``host`` in the store of ``task_vars``; returns ``result``.

    Call it once at the end of the action plugin's ``run()``, for successful and failed runs alike.
    Check mode keeps nothing. When the store cannot be written the task fails with a message naming
    the store, and the result keeps its compliance data (nothing is lost from the task's answer).
    """
    task_vars = task_vars or {}
    if task_vars.get('ansible_check_mode') or not isinstance(result, dict) or result.get('skipped'):
        return result
    task_args = task_args or {}
    host = host or task_vars.get('inventory_hostname')
    url = store_url(task_vars)
    try:
        with open_store(url) as store:
            store.record_result(host, result, patch_group=task_args.get('patch_group') or task_vars.get('patch_group'),
                                operation=task_args.get('operation') or 'Scan')
    except StoreError as exc:
        _fail(result, str(exc))
    except Exception as exc:  # pylint: disable=broad-except
        # Whatever went wrong, the run's answer must survive with its compliance data.
        _fail(result, 'The patch store %s could not keep the result: %s: %s' % (display_url(url), type(exc).__name__, exc))
    return result


def _fail(result, message):
    result['failed'] = True
    result['patch_store_error'] = message
    result['msg'] = ('%s %s' % (result['msg'], message)) if result.get('msg') else message


def record_window_execution(task_vars, execution):
    """Keep a maintenance window's ``patch_window_execution`` record in the store of ``task_vars``.

    Raises StoreError (message names the field or the store); returns the record as stored.
    """
    with open_store(store_url(task_vars)) as store:
        return store.record_window_execution(execution)


DURATION = re.compile(r'^\s*(\d+)\s*([smhdw])\s*$')
ISO_DURATION = re.compile(r'^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$')
UNIT_SECONDS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}


def parse_age(text, field='not_reported_within'):
    """``7d``, ``36h``, ``90m``, ``45s``, ``2w`` or ISO 8601 ``P7D``/``PT12H`` -> timedelta."""
    value = str(text).strip()
    match = DURATION.match(value)
    if match:
        return datetime.timedelta(seconds=int(match.group(1)) * UNIT_SECONDS[match.group(2)])
    match = ISO_DURATION.match(value.upper())
    if match and value.upper() not in ('P', 'PT') and any(match.groups()):
        weeks, days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
        return datetime.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise StoreError('%s: %r is not an age; use a number with a unit s, m, h, d or w (for example 7d) or an '
                     'ISO 8601 duration (for example P7D, PT12H)' % (field, text))
