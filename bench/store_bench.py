# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The compliance store at fleet scale: 10,000 node reports of 3,000 patches each, SQLite and PostgreSQL.

Writers are separate processes, as Ansible's forks are; each keeps one result at a time the way
run_patch_baseline's action plugin does (open the store, write one transaction, close), and times
every result. Then the queries a user or a report asks over the whole fleet, best of 3.

Reference for "does it slow a run": the same result's JSON, decoded as Ansible decodes a module's
answer (``json.loads`` of the module output) -- work every run already does for every host.

Targets (issue 11): writes at least as fast as the fleet produces results, one result per host
never slowing a 96-node run measurably; patch_group_state and a fleet summary over 10,000 hosts
under 2 s.

Usage: .venv/bin/python bench/store_bench.py [--hosts 10000] [--patches 3000] [--writers 2]
       [--backends sqlite postgresql]   (PostgreSQL: root, Debian package postgresql)
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _path in (REPO_ROOT, os.path.join(REPO_ROOT, '.collections')):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _report  # noqa: E402
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store  # noqa: E402
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store_query as query  # noqa: E402
from tests.support import pgserver, storedata  # noqa: E402  pylint: disable=wrong-import-position

# Distinct host reports each writer cycles through (a report is ~1.5 MB of JSON; making 10,000 of
# them would time the generator, not the store).
PROFILES = 24


def profiles(patch_count):
    return [storedata.make_result(index, patch_count=patch_count) for index in range(PROFILES)]


def writer(url, first, count, patch_count):
    """Child process: keep ``count`` results, one store session each; print per-result seconds as JSON."""
    results = profiles(patch_count)
    timings = []
    encode = []
    for index in range(first, first + count):
        result = results[index % PROFILES]
        result['instance_patch_state']['patch_group'] = storedata.GROUPS[index % len(storedata.GROUPS)]
        started = time.perf_counter()
        with _store.open_store(url) as store:
            store.record_result(storedata.host_name(index), result)
        timings.append(time.perf_counter() - started)
        if index % 50 == 0:
            started = time.perf_counter()
            _store.Report(storedata.host_name(index), result)
            encode.append(time.perf_counter() - started)
    print(json.dumps({'timings': timings, 'encode': encode}))


def best_of(function, repeat=3):
    best = None
    answer = None
    for dummy in range(repeat):
        started = time.perf_counter()
        answer = function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, answer


def store_size(backend, url, path, server):
    if backend == 'sqlite':
        return sum(os.path.getsize(path + suffix) for suffix in ('', '-wal') if os.path.exists(path + suffix))
    database = url.split('@/', 1)[1].split('?', 1)[0]
    output = server.psql("SELECT 'size=' || pg_database_size('%s')" % database, database=database)
    return int(output.split('size=', 1)[1].split()[0])


def run_writers(url, first, hosts, writers, patch_count):
    """``writers`` processes keep hosts ``first`` .. ``first + hosts - 1``; returns (wall s, timings, encode)."""
    share = hosts // writers
    started = time.perf_counter()
    children = []
    for index in range(writers):
        count = share if index < writers - 1 else hosts - index * share
        children.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), '--writer', url,
                                          str(first + index * share), str(count), str(patch_count)],
                                         stdout=subprocess.PIPE, universal_newlines=True))
    timings, encode = [], []
    for child in children:
        stdout, dummy = child.communicate()
        if child.returncode != 0:
            raise SystemExit('a writer failed (%s)' % url.split(':', 1)[0])
        data = json.loads(stdout)
        timings.extend(data['timings'])
        encode.extend(data['encode'])
    return time.perf_counter() - started, sorted(timings), encode


def measure(backend, url, args, path=None, server=None):
    # One writer alone first: the cost one result adds to its fork, without other writers competing for the
    # two cores. Then the rest of the fleet with every writer at once: the throughput.
    alone = min(args.hosts // 10, 500)
    dummy, timings, encode = run_writers(url, 0, alone, 1, args.patches)
    wall, dummy2, dummy3 = run_writers(url, alone, args.hosts - alone, args.writers, args.patches)
    row = {'backend': backend, 'hosts': args.hosts, 'wall': wall, 'rate': (args.hosts - alone) / wall,
           'median_ms': 1000 * statistics.median(timings), 'p95_ms': 1000 * timings[int(len(timings) * 0.95)],
           'encode_ms': 1000 * statistics.median(encode), 'size_mb': store_size(backend, url, path, server) / 1e6,
           'alone': alone}
    with _store.open_store(url) as store:
        row['patch_group_state'], state = best_of(lambda: query.patch_group_state(store, 'Production'))
        row['fleet_summary'], summary = best_of(lambda: query.fleet_summary(store))
        row['states'], dummy = best_of(lambda: query.instance_patch_states(store))
        row['missing_filter'], dummy = best_of(lambda: query.instance_patch_states(
            store, filters=[{'Key': 'CriticalNonCompliantCount', 'Type': 'GreaterThan', 'Values': ['0']}]))
        row['cve_exposure'], dummy = best_of(lambda: query.cve_exposure(store, cve_ids=['CVE-2026-0001']))
        row['one_host_patches'], patches = best_of(lambda: query.instance_patches(store, instances=['node00042']))
        started = time.perf_counter()
        files = _report.render(_report.collect(store))
        row['report'] = time.perf_counter() - started
        row['report_mb'] = len(files['index.html']) / 1e6
    assert summary['totals']['instances'] == args.hosts and len(patches) == args.patches
    row['group_hosts'] = state['instances']
    return row


def json_reference(patch_count):
    """Ansible's own cost for the same result: json.loads of the module's JSON answer."""
    text = json.dumps(storedata.make_result(1, patch_count=patch_count))
    seconds, dummy = best_of(lambda: json.loads(text), repeat=5)
    return seconds, len(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--hosts', type=int, default=10000)
    parser.add_argument('--patches', type=int, default=3000)
    parser.add_argument('--writers', type=int, default=2, help='writer processes (default: 2, the cores here)')
    parser.add_argument('--backends', nargs='+', default=['sqlite', 'postgresql'], choices=['sqlite', 'postgresql'])
    parser.add_argument('--repeat', type=int, default=None, help='accepted for run_all.py; queries are best of 3')
    parser.add_argument('--writer', nargs=4, metavar=('URL', 'FIRST', 'COUNT', 'PATCHES'), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        url, first, count, patches = args.writer
        writer(url, int(first), int(count), int(patches))
        return 0
    rows = []
    directory = tempfile.mkdtemp(prefix='fleetops-store-bench-')
    try:
        for backend in args.backends:
            if backend == 'sqlite':
                path = os.path.join(directory, 'store.sqlite3')
                rows.append(measure(backend, 'sqlite://' + path, args, path=path))
            elif os.geteuid() != 0 or pgserver.binaries() is None:
                print('postgresql: skipped (needs root and the Debian package postgresql)')
            else:
                server = pgserver.start()
                try:
                    rows.append(measure(backend, server.create_database('bench'), args, server=server))
                finally:
                    server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    reference, size = json_reference(args.patches)
    print('Compliance store: %s node reports of %s patches each (the module\'s result shape, %.1f MB of JSON each), '
          '%d writer processes, one store session per result as the action plugin does; queries best of 3.'
          % ('{:,}'.format(args.hosts), '{:,}'.format(args.patches), size / 1e6, args.writers))
    print('Reference: Ansible decoding that result (json.loads) takes %.1f ms per host.' % (1000 * reference))
    print()
    print('ms per result: one writer alone (the first %d hosts), a whole store session (open, one transaction, close); '
          'results/s and wall: the other hosts with %d writers at once.' % (rows[0]['alone'] if rows else 0, args.writers))
    print()
    print('| backend | write wall s | results/s | ms per result (median / p95) | of which encoding ms | x json.loads '
          '| store MB | patch_group_state s | fleet summary s | all states s | critical filter s | CVE s '
          '| one host\'s patches s | report s (HTML MB) |')
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for row in rows:
        print('| %s | %.0f | %.0f | %.1f / %.1f | %.1f | %.2f | %.0f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f (%.1f) |'
              % (row['backend'], row['wall'], row['rate'], row['median_ms'], row['p95_ms'], row['encode_ms'],
                 row['median_ms'] / (1000 * reference), row['size_mb'], row['patch_group_state'], row['fleet_summary'],
                 row['states'], row['missing_filter'], row['cve_exposure'], row['one_host_patches'], row['report'],
                 row['report_mb']))
    print()
    for row in rows:
        verdict = 'holds' if max(row['patch_group_state'], row['fleet_summary']) < 2 else 'MISSED'
        print('- %s: patch_group_state %.3f s and fleet summary %.3f s over %s hosts: the 2 s target %s; '
              '%.0f results/s written.' % (row['backend'], row['patch_group_state'], row['fleet_summary'],
                                           '{:,}'.format(row['hosts']), verdict, row['rate']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
