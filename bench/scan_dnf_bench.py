# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: DnfBackend.read_universe (+ the engine) against dnf's own updateinfo listing.

Setup (cached rpms, not timed): an rpm root with 3,000 installed packages (rpmdb only),
a synthetic rpm-md repository with 60,000 available versions (20 per installed name)
and thousands of updateinfo notices. Timed, in the same run and on the same warm
metadata cache, each in a fresh process:

  ours    /usr/bin/python3: DnfBackend(root).read_universe() [+ _evaluate.evaluate with
          the predefined RHEL baseline when the engine can load it]
  native  dnf -C --installroot=<root> updateinfo list --available

Prints wall times (best of --repeat), their ratio (target <= 1.3) and peak RSS.
Run as root: /usr/bin/python3 bench/scan_dnf_bench.py [--installed 3000] [--versions 20]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, REPO_ROOT)

from tests.support import rpmrepo, rpmroot  # noqa: E402
from tests.support.specs import AdvisorySpec, PackageSpec  # noqa: E402

NOTICE_TYPES = ('security', 'bugfix', 'enhancement')
SEVERITIES = ('Critical', 'Important', 'Moderate', 'Low')

OURS = r'''
import datetime, json, os, resource, sys, time
sys.path.insert(0, os.path.join(%(repo)r, '.collections'))
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_dnf import DnfBackend
started = time.monotonic()
universe = DnfBackend(root=%(root)r).read_universe('REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux9.4')
read = time.monotonic() - started
evaluated = None
try:
    from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate, _predefined
    baseline = _predefined.get_predefined('AWS-RedHatDefaultPatchBaseline')
    now = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
    evaluation = _evaluate.evaluate(baseline, universe, now)
    evaluated = len(evaluation.patches)
except Exception as exc:  # the engine or the predefined baselines may not exist yet
    evaluated = 'not run: %%s' %% exc
total = time.monotonic() - started
print(json.dumps({'installed': len(universe.installed), 'candidates': len(universe.candidates),
                  'read_seconds': read, 'evaluate_seconds': total - read, 'evaluated': evaluated}))
'''


def scenario(installed_count, versions):
    """Installed specs, available specs, notices: every 5th version is in a notice."""
    installed, available, notice_packages = [], [], []
    for index in range(installed_count):
        name = 'bench-pkg-%05d' % index
        for minor in range(versions):
            spec = PackageSpec(name, '1.%d' % minor)
            available.append(spec)
            if minor == 0:
                installed.append(spec)
            elif minor % 5 == 0:
                notice_packages.append((name, spec.evr))
    notices = []
    for number, start in enumerate(range(0, len(notice_packages), 3)):
        notices.append(AdvisorySpec(
            'BENCH-2026:%05d' % number, type=NOTICE_TYPES[number % 3], severity=SEVERITIES[number % 4],
            issued='2026-01-%02d 00:00:00' % (number % 28 + 1), updated=None if number % 2 else '2026-02-01 00:00:00',
            cves=('CVE-2026-%05d' % number,), bugzillas=(str(100000 + number),),
            packages=tuple(notice_packages[start:start + 3])))
    return installed, available, notices


def measured(argv):
    """(wall seconds, peak RSS KiB, stdout) with the child's own rusage."""
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.dup2(write_end, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.execvp(argv[0], argv)
    os.close(write_end)
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    _pid, status, usage = os.wait4(pid, 0)
    elapsed = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError('%s exited with %s' % (' '.join(argv), os.waitstatus_to_exitcode(status)))
    return elapsed, usage.ru_maxrss, b''.join(chunks).decode('utf-8')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--installed', type=int, default=3000)
    parser.add_argument('--versions', type=int, default=20)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--workdir', default=None)
    args = parser.parse_args()

    installed, available, notices = scenario(args.installed, args.versions)
    workdir = args.workdir or tempfile.mkdtemp(prefix='scan-dnf-bench.')
    started = time.monotonic()
    repository = rpmrepo.synthetic_repository(os.path.join(workdir, 'repo'), available, notices, name='bench')
    shutil.rmtree(os.path.join(workdir, 'root'), ignore_errors=True)
    root = rpmroot.create_root(os.path.join(workdir, 'root'))
    rpmroot.install_with_rpm(root, rpmrepo.build_rpms(installed).values(), justdb=True)
    repository.write_repo_file(os.path.join(root, 'etc', 'yum.repos.d'), metadata_expire=None)
    native = rpmroot.dnf_argv(root, '-C', 'updateinfo', 'list', '--available')
    subprocess.run(rpmroot.dnf_argv(root, 'makecache'), check=True, stdout=subprocess.DEVNULL)
    print('setup: %d installed, %d available, %d notices in %.1fs (%s)'
          % (len(installed), len(available), len(notices), time.monotonic() - started, workdir))

    ours_argv = ['/usr/bin/python3', '-c', OURS % {'repo': REPO_ROOT, 'root': root}]
    measured(native)     # warm the page cache for both
    ours_runs, native_runs = [], []
    for _round in range(args.repeat):
        ours_runs.append(measured(ours_argv))
        native_runs.append(measured(native))
    best_ours = min(ours_runs, key=lambda run: run[0])
    best_native = min(native_runs, key=lambda run: run[0])
    report = json.loads(best_ours[2])
    native_lines = len(best_native[2].splitlines())
    print('ours:   %.2fs wall (read_universe %.2fs, evaluate %.2fs), peak RSS %d MiB; %d installed, '
          '%d candidate records, engine: %s patches'
          % (best_ours[0], report['read_seconds'], report['evaluate_seconds'], best_ours[1] // 1024,
             report['installed'], report['candidates'], report['evaluated']))
    print('native: %.2fs wall, peak RSS %d MiB; %d updateinfo lines (dnf -C updateinfo list --available)'
          % (best_native[0], best_native[1] // 1024, native_lines))
    print('ratio ours/native: wall %.2fx (backend alone, without the engine: %.2fx), peak RSS %.2fx'
          % (best_ours[0] / best_native[0], (best_ours[0] - report['evaluate_seconds']) / best_native[0],
             best_ours[1] / best_native[1]))
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
