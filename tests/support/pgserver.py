# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A throw-away PostgreSQL server for tests and benchmarks (Debian's ``postgresql`` package).

``initdb`` and ``pg_ctl`` run as an unprivileged user (PostgreSQL refuses root): the ``postgres``
system user the package creates, else ``nobody``, in a temporary directory chowned to it. The
server listens on its own Unix socket directory and on 127.0.0.1 at a free port; local socket
connections are trusted, TCP connections need the password. ``stop()`` removes everything.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

PASSWORD = 'fleetops-test-secret'
USER = 'fleetops'


def binaries():
    """The directory of initdb/pg_ctl of the newest installed server, or None."""
    found = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'), key=lambda path: int(path.split('/')[4]))
    return os.path.dirname(found[-1]) if found else None


def _run_as(user, argv, **kwargs):
    return subprocess.run(['runuser', '-u', user, '--'] + argv, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, **kwargs)


def _free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class Server(object):
    """A running server; ``url(database)`` gives a store URL over the socket, ``tcp_url`` one with the password."""

    def __init__(self):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError('PostgreSQL is not installed (Debian package postgresql)')
        self.user = 'postgres' if _has_user('postgres') else 'nobody'
        self.directory = tempfile.mkdtemp(prefix='fleetops-pg-')
        self.data = os.path.join(self.directory, 'data')
        self.sockets = os.path.join(self.directory, 'run')
        os.makedirs(self.sockets)
        entry = pwd.getpwnam(self.user)
        for path in (self.directory, self.sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(self.directory, 0o755)
        self.port = _free_port()
        password_file = os.path.join(self.directory, 'password')
        with open(password_file, 'w') as handle:
            handle.write(PASSWORD + '\n')
        os.chown(password_file, entry.pw_uid, entry.pw_gid)
        _run_as(self.user, [os.path.join(self.bin, 'initdb'), '-D', self.data, '-U', USER, '--pwfile', password_file,
                            '--auth-local', 'trust', '--auth-host', 'scram-sha-256', '-E', 'UTF8', '--no-sync'])
        options = ("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=on "
                   "-c max_connections=200 -c shared_buffers=128MB" % (self.port, self.sockets))
        _run_as(self.user, [os.path.join(self.bin, 'pg_ctl'), '-D', self.data, '-l', os.path.join(self.directory, 'log'),
                            '-o', options, '-w', '-t', '60', 'start'])

    def psql(self, sql, database='postgres'):
        return _run_as(self.user, [os.path.join(self.bin, 'psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h',
                                   self.sockets, '-p', str(self.port), '-U', USER, '-d', database, '-c', sql],
                       cwd=self.directory).stdout

    def create_database(self, name):
        self.psql('CREATE DATABASE "%s"' % name)
        return self.url(name)

    def url(self, database):
        return 'postgresql://%s@/%s?host=%s&port=%d' % (USER, database, self.sockets, self.port)

    def tcp_url(self, database, password=PASSWORD):
        return 'postgresql://%s:%s@127.0.0.1:%d/%s' % (USER, password, self.port, database)

    def stop(self):
        try:
            _run_as(self.user, [os.path.join(self.bin, 'pg_ctl'), '-D', self.data, '-m', 'fast', '-w', 'stop'])
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def _has_user(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def start():
    """A started server; wait a moment for slow machines is built into ``pg_ctl -w``."""
    server = Server()
    deadline = time.monotonic() + 30
    while True:
        try:
            server.psql('SELECT 1')
            return server
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.5)
