# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Store fixtures: the same tests run on a SQLite file and on a real PostgreSQL server.

The PostgreSQL server (Debian's ``postgresql``) is started once per session by the tests
themselves (tests/support/pgserver.py: initdb/pg_ctl as an unprivileged user, in a temporary
directory, on its own socket and a free 127.0.0.1 port) and stopped at the end; each test
gets a new database. Starting it needs root (to run as the ``postgres`` user).
"""

import os
import uuid

import pytest

from tests.support import pgserver

BACKENDS = ('sqlite', 'postgresql')


@pytest.fixture(scope='session')
def postgres():
    if os.geteuid() != 0:
        pytest.skip('starting PostgreSQL as its own user needs root')
    if pgserver.binaries() is None:
        pytest.skip('PostgreSQL is not installed (make system-deps installs Debian package postgresql)')
    server = pgserver.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def store_url(backend, request, tmp_path):
    """A fresh, empty store of ``backend``."""
    if backend == 'sqlite':
        return 'sqlite://%s' % (tmp_path / 'store' / 'patch_store.sqlite3')
    server = request.getfixturevalue('postgres')
    return server.create_database('store_%s' % uuid.uuid4().hex[:12])
