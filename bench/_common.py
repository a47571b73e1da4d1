# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the rpm Scan benchmarks (scan_dnf_bench.py, scan_zypper_bench.py) share.

- the realistic scenario of the issue: 3,000 installed packages, 60,000 available
  (mostly distinct names, a few hundred installed packages with updates), thousands of
  advisories;
- the measured children: the module itself (``run_patch_baseline.py`` with its
  arguments file, as Ansible runs it on a target) and the backend read alone, each in a
  fresh /usr/bin/python3;
- timing a child's wall time and peak RSS (its own rusage), medians, the report.
"""

import glob
import json
import os
import statistics
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from tests.support.specs import AdvisorySpec, PackageSpec  # noqa: E402  pylint: disable=wrong-import-position

SYSTEM_PYTHON = '/usr/bin/python3'
MODULE = os.path.join(REPO_ROOT, 'plugins', 'modules', 'run_patch_baseline.py')

# The backend read alone, in a fresh interpreter: what the module's read_universe costs.
BACKEND_CHILD = r'''
import sys
from ansible_collections.fleetops.patch_manager.plugins.module_utils import %(module)s as backend_module
universe = backend_module.%(cls)s(root=sys.argv[1]).read_universe(sys.argv[2], sys.argv[3], advisory_only=sys.argv[4] == '1')
print(len(universe.installed), len(universe.candidates))
'''


class Scenario(object):
    """Installed specs, available specs and advisories of one benchmark root."""

    def __init__(self, installed=3000, available=60000, updated=300, advisories=2000, types=('security',),
                 severities=('Important',), advisory_prefix='BENCH-2026:', not_installed_per_notice=8):
        self.installed = [PackageSpec('bench-pkg-%05d' % index, '1.0') for index in range(installed)]
        self.available = list(self.installed)
        carried = []
        # every (installed // updated)-th installed package has two newer versions
        step = max(1, installed // max(1, updated))
        for spec in self.installed[::step][:updated]:
            for minor in (1, 2):
                newer = PackageSpec(spec.name, '1.%d' % minor)
                self.available.append(newer)
                carried.append((newer.name, newer.evr))
        extra = max(0, available - len(self.available))
        not_installed = [PackageSpec('bench-extra-%05d' % index, '1.0') for index in range(extra)]
        self.available.extend(not_installed)
        # the rest of the advisories (several packages each, as real notices list a source
        # package's binaries) go to packages that are not installed
        remaining = max(0, advisories - len(carried))
        wanted = not_installed_per_notice * remaining
        stride = max(1, len(not_installed) // max(1, wanted))
        carried += [(spec.name, spec.evr) for spec in not_installed[::stride][:wanted]]
        self.advisories = []
        position = 0
        number = 0
        while position < len(carried):
            # updates: one package per advisory; not-installed packages: several
            size = 1 if number < 2 * updated else not_installed_per_notice
            self.advisories.append(AdvisorySpec(
                '%s%05d' % (advisory_prefix, number), type=types[number % len(types)],
                severity=severities[number % len(severities)],
                issued='2026-%02d-%02d 00:00:00' % (1 + number % 6, 1 + number % 28),
                cves=('CVE-2026-%05d' % number,), bugzillas=(str(100000 + number),),
                packages=tuple(carried[position:position + size])))
            position += size
            number += 1

    def describe(self):
        return '%d installed, %d available, %d advisories' % (len(self.installed), len(self.available),
                                                              len(self.advisories))


def byte_compile_collection():
    """Byte-compile the collection's plugins for /usr/bin/python3, as installing a package does.

    The native tools' Python code (dnf, zypper's helpers) comes byte-compiled from its
    package; without this our modules would be compiled from source on every run when
    PYTHONDONTWRITEBYTECODE is set (as on this machine), which is not how an installed
    collection runs. The module file itself is run as a script and compiled each time, as
    Ansible runs it.
    """
    import subprocess
    subprocess.run([SYSTEM_PYTHON, '-m', 'compileall', '-q', os.path.join(REPO_ROOT, 'plugins')],
                   check=True, stdout=subprocess.DEVNULL)


def child_environment():
    """PYTHONPATH as a target has it: ansible's module_utils (only the ``ansible`` package) + the collection."""
    found = glob.glob(os.path.join(REPO_ROOT, '.venv', 'lib', 'python3*', 'site-packages', 'ansible'))
    if not found:
        raise RuntimeError('ansible-core is not installed in %s/.venv' % REPO_ROOT)
    shim = tempfile.mkdtemp(prefix='bench-pythonpath.')
    os.symlink(found[0], os.path.join(shim, 'ansible'))
    path = os.pathsep.join((shim, os.path.join(REPO_ROOT, '.collections')))
    return dict(os.environ, PYTHONPATH=path, LANG='C', LC_ALL='C'), shim


def module_argv(workdir, root):
    """The module as Ansible runs it on a target: ``python3 run_patch_baseline.py <args file>``.

    Scan with the node's predefined baseline (chosen by the module from os-release) and
    no cache refresh.
    """
    args_file = os.path.join(workdir, 'module-args.json')
    with open(args_file, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': {'root': root, 'operation': 'Scan', 'update_cache': False,
                                           '_ansible_check_mode': False}}, handle)
    return [SYSTEM_PYTHON, MODULE, args_file]


def backend_argv(module, cls, root, operating_system, product, advisory_only):
    return [SYSTEM_PYTHON, '-c', BACKEND_CHILD % {'module': module, 'cls': cls}, root, operating_system, product,
            '1' if advisory_only else '0']


# Forks and times the contender from a small process: a fork (or vfork) of the benchmark
# process itself would count its resident pages (scenario, generated metadata) in the
# contender's peak RSS.
LAUNCHER = r'''
import os, sys, time
figures, argv = sys.argv[1], sys.argv[2:]
started = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_pid, status, usage = os.wait4(pid, 0)
elapsed = time.monotonic() - started
with open(figures, 'w') as handle:
    handle.write('%r %d %d %r' % (elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status),
                                  usage.ru_utime + usage.ru_stime))
'''


def measured(argv, env=None, cpu=False):
    """(wall seconds, peak RSS KiB, stdout) of ``argv``, from the child's own rusage (see LAUNCHER).

    ``cpu``: also the CPU seconds (user + system) of the child and the children it waited for,
    as a fourth value: on a machine shared with other work it varies less than the wall time.
    """
    import subprocess
    with tempfile.NamedTemporaryFile(prefix='bench-figures.') as figures:
        result = subprocess.run([SYSTEM_PYTHON, '-c', LAUNCHER, figures.name] + list(argv), env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
        with open(figures.name) as handle:
            text = handle.read().split()
    output = result.stdout.decode('utf-8', 'replace')
    if len(text) != 4 or int(text[2]) != 0:
        raise RuntimeError('%s failed (%s): %s' % (' '.join(argv[:3]), ' '.join(text), output[-2000:]))
    if cpu:
        return float(text[0]), int(text[1]), output, float(text[3])
    return float(text[0]), int(text[1]), output


def compare(contenders, native_name, repeat, cpu=None):
    """Run each (name, argv, env) of ``contenders`` ``repeat`` times, interleaved, after one warm-up.

    Returns {name: (median seconds, peak RSS KiB, last stdout)}; with ``cpu`` (a dict) also fills
    ``cpu[name]`` with the median CPU seconds.
    """
    for _name, argv, env in contenders:
        measured(argv, env)
    runs = dict((name, []) for name, _argv, _env in contenders)
    for _round in range(repeat):
        for name, argv, env in contenders:
            runs[name].append(measured(argv, env, cpu=True))
    if cpu is not None:
        cpu.update((name, statistics.median(run[3] for run in results)) for name, results in runs.items())
    return dict((name, (statistics.median(run[0] for run in results), max(run[1] for run in results),
                        results[-1][2])) for name, results in runs.items())


FLOOR_TARGET = 1.5


def floor_line(configuration, figures, cpu, module='module', floor='floor'):
    """The line ``make bench`` collects: the module process against its floor, wall and CPU (issue 9 target)."""
    wall_ratio = figures[module][0] / figures[floor][0]
    cpu_ratio = cpu[module] / cpu[floor]
    return ('FLOOR RATIO %s: module %.3f s / floor %.3f s = %.2fx wall; CPU %.3f s / %.3f s = %.2fx (target <= %.1fx: %s)'
            % (configuration, figures[module][0], figures[floor][0], wall_ratio, cpu[module], cpu[floor], cpu_ratio,
               FLOOR_TARGET, 'met' if wall_ratio <= FLOOR_TARGET else 'NOT met'))


def run(description, scenario, prepare, backend, native, native_env=None, floors=()):
    """The command line and the run every rpm Scan benchmark shares.

    ``prepare(workdir, scenario) -> root`` builds the root (not timed); ``backend`` is
    (module_utils module name, class name, operating_system, product); ``native`` is
    (name, argv function of the root); ``floors``: (name, Python source run with the root as
    argv[1]) of floor contenders, the first of which the FLOOR RATIO line uses.
    """
    import argparse
    import shutil
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--repeat', type=int, default=9, help='timed runs per contender (the median is kept); the machine is noisy')
    parser.add_argument('--workdir', default=None, help='keep the root here (reused as is when it exists)')
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix='scan-bench.')
    byte_compile_collection()
    env, shim = child_environment()
    native_name, native_argv = native
    try:
        started = time.monotonic()
        root = os.path.join(workdir, 'root')
        if args.workdir and os.path.isdir(root):
            print('setup: reusing %s' % root)
        else:
            root = prepare(workdir, scenario)
            print('setup: %s in %.1fs' % (scenario.describe(), time.monotonic() - started))
        module, cls, operating_system, product = backend
        contenders = [('module run_patch_baseline (Scan)', module_argv(workdir, root), env)]
        for floor_name, floor_source in floors:
            contenders.append((floor_name, [SYSTEM_PYTHON, '-c', floor_source, root], env))
        for advisory_only in (True, False):
            contenders.append(('backend read_universe(advisory_only=%s)' % advisory_only,
                               backend_argv(module, cls, root, operating_system, product, advisory_only), env))
        contenders.append((native_name, native_argv(root), native_env))
        cpu = {}
        figures = compare(contenders, native_name, args.repeat, cpu)
        print_table('%s, median of %d runs (%s)' % (description, args.repeat, scenario.describe()), figures,
                    native_name, cpu=cpu, floor=floors[0][0] if floors else None)
        print_details(figures, native_name)
        if floors:
            print(floor_line(description, figures, cpu, module='module run_patch_baseline (Scan)', floor=floors[0][0]))
    finally:
        shutil.rmtree(shim, ignore_errors=True)
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def print_details(figures, native_name):
    """What each contender found, so that a fast but empty run cannot pass for a result."""
    for name, (_seconds, _rss, output) in figures.items():
        if name.startswith('floor'):
            found = output.strip()
        elif name.startswith('module'):
            state = json.loads(output[output.index('{'):])['instance_patch_state']
            found = ', '.join('%s %d' % (key, state[key]) for key in (
                'missing_count', 'installed_other_count', 'not_applicable_count'))
            if not state['missing_count'] or not state['not_applicable_count']:
                raise RuntimeError('the module found nothing to report: %s' % found)
        elif name.startswith('backend'):
            found = '%s installed, %s records' % tuple(output.split()[:2])
        else:
            found = '%d lines of output' % len(output.splitlines())
        print('  %-44s %s' % (name, found))


def print_table(title, figures, native_name, target=1.3, cpu=None, floor=None):
    """One line per contender: median wall, ratio to the native tool (and to the floor), CPU, peak RSS and its ratio."""
    native_seconds, native_rss, _output = figures[native_name]
    floor_seconds = figures[floor][0] if floor else None
    print(title)
    print('  %-52s %9s %8s %9s %8s %10s %8s'
          % ('contender', 'median s', 'ratio', 'to floor', 'CPU s', 'peak RSS', 'RSS ratio'))
    for name, (seconds, rss, _output) in figures.items():
        ratio, rss_ratio = seconds / native_seconds, float(rss) / native_rss
        to_floor = '%8.2fx' % (seconds / floor_seconds) if floor_seconds else '%9s' % '-'
        print('  %-52s %9.3f %7.2fx %s %8.3f %7d MiB %7.2fx'
              % (name, seconds, ratio, to_floor, (cpu or {}).get(name, float('nan')), rss // 1024, rss_ratio))
    print('  target: ratio <= %.1fx against %s; module process <= %.1fx its floor' % (target, native_name, FLOOR_TARGET))
