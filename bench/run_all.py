# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run every benchmark in bench/ one after the other and print their tables (``make bench``).

- engine_bench.py        under this interpreter (it times /usr/bin/python3 itself too);
- schedule_bench.py      under this interpreter (maintenance window schedules, controller side);
- scan_apt_bench.py      under /usr/bin/python3 (python3-apt), any user;
- scan_dnf_bench.py      under /usr/bin/python3 (python3-dnf), root (rpm root, dnf makecache);
- scan_zypper_bench.py   under /usr/bin/python3, root;
- store_bench.py         under this interpreter; PostgreSQL part as root (10,000 hosts: about 20 minutes);
- fleet_bench.py         only with --fleet: it brings up the SSH test fleet (root).

Each runs in its own process, so one benchmark's memory does not count in another's peak
RSS. A failing benchmark is reported and the others still run; the exit status is 1 then.
At the end, the ``FLOOR RATIO`` lines of the Scan benchmarks are printed together: the module
process against its floor in every configuration.

Usage: .venv/bin/python bench/run_all.py [--repeat N] [--fleet] [--only NAME ...]
"""

import argparse
import os
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = '/usr/bin/python3'

# (name, interpreter, needs root)
BENCHMARKS = (
    ('engine_bench', sys.executable, False),
    ('schedule_bench', sys.executable, False),
    ('scan_apt_bench', SYSTEM_PYTHON, False),
    ('scan_dnf_bench', SYSTEM_PYTHON, True),
    ('scan_zypper_bench', SYSTEM_PYTHON, True),
    ('store_bench', sys.executable, False),
)
FLEET = ('fleet_bench', sys.executable, True)


def selected(args):
    chosen = list(BENCHMARKS) + ([FLEET] if args.fleet else [])
    if args.only:
        unknown = set(args.only) - set(name for name, _python, _root in chosen)
        if unknown:
            raise SystemExit('--only: unknown benchmark(s) %s; choose from %s'
                             % (', '.join(sorted(unknown)), ', '.join(name for name, _python, _root in chosen)))
        chosen = [entry for entry in chosen if entry[0] in args.only]
    return chosen


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=None, help='passed to every benchmark (each has its own default)')
    parser.add_argument('--fleet', action='store_true', help='also run fleet_bench (SSH test fleet, root)')
    parser.add_argument('--only', nargs='+', metavar='NAME', help='run only these benchmarks')
    args = parser.parse_args()
    failed, floor_ratios = [], []
    for name, python, needs_root in selected(args):
        print('=' * 100)
        print('%s (%s)' % (name, python))
        print('=' * 100, flush=True)
        if needs_root and os.geteuid() != 0:
            print('skipped: needs root')
            failed.append(name)
            continue
        argv = [python, os.path.join(BENCH, name + '.py')]
        if args.repeat is not None:
            argv += ['--repeat', str(args.repeat)]
        started = time.monotonic()
        child = subprocess.Popen(argv, cwd=os.path.dirname(BENCH), stdout=subprocess.PIPE, universal_newlines=True)
        for line in child.stdout:
            print(line, end='', flush=True)
            if line.startswith('FLOOR RATIO '):
                floor_ratios.append(line.rstrip('\n'))
        code = child.wait()
        print('(%s: exit %d after %.0f s)' % (name, code, time.monotonic() - started), flush=True)
        if code != 0:
            failed.append(name)
    if floor_ratios:
        print('=' * 100)
        print('Per-host Scan against its floor (issue 9: at most 1.5x in every configuration)')
        for line in floor_ratios:
            print(line)
    if failed:
        print('not measured: %s' % ', '.join(failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
