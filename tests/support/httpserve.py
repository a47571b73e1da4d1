# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny threaded static HTTP server for generated package repositories, loopback only.

In-process: ``with serving(directory) as base_url: ...``.
As a process (the test fleet): ``python3 -m tests.support.httpserve DIRECTORY
[--address 127.0.0.1] [--port 0] [--port-file FILE]``; with port 0 a free port is
chosen and written to ``--port-file`` once the server accepts connections.
"""

import argparse
import contextlib
import functools
import http.server
import ipaddress
import os
import sys
import threading


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; no request log (package managers fetch many files)."""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


class RepositoryServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(directory, address='127.0.0.1', port=0):
    """A server for ``directory`` on a loopback ``address`` (refuses any other address)."""
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError('address: %s is not a loopback address; test servers listen on loopback only' % address)
    if not os.path.isdir(directory):
        raise ValueError('directory: %s does not exist' % directory)
    handler = functools.partial(QuietHandler, directory=os.path.abspath(directory))
    return RepositoryServer((address, port), handler)


@contextlib.contextmanager
def serving(directory, address='127.0.0.1', port=0):
    """Serve ``directory`` in a background thread; yield the base URL (no trailing slash)."""
    server = make_server(directory, address, port)
    thread = threading.Thread(target=server.serve_forever, name='httpserve', daemon=True)
    thread.start()
    try:
        yield 'http://%s:%d' % (address, server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('directory')
    parser.add_argument('--address', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--port-file', help='write the port here once listening')
    args = parser.parse_args(argv)
    try:
        server = make_server(args.directory, args.address, args.port)
    except ValueError as exc:
        parser.error(str(exc))
    if args.port_file:
        temporary = args.port_file + '.tmp'
        with open(temporary, 'w') as handle:
            handle.write('%d\n' % server.server_address[1])
        os.rename(temporary, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
