# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: an apt Scan's reading path against ``apt list --upgradable`` on the same root.

A synthetic alternate root holds 3,000 installed packages and a repository of 60,000
available versions (20 per package, every third in the security suite). Measured in the
same run, each in a fresh process (median of --repeat runs, after one warm-up each):

- ours: /usr/bin/python3 running AptBackend.read_universe, then the engine
  (_evaluate.evaluate with the Debian predefined baseline) when the engine exists;
- native: ``apt list --upgradable`` with apt reading the same root.

Figures are printed as ratios to the native tool, with peak RSS of each process.
Usage (any user; writes only to a temporary directory):
    /usr/bin/python3 bench/scan_apt_bench.py [--repeat N] [--packages N] [--versions N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.support import debrepo  # noqa: E402  pylint: disable=wrong-import-position

SYSTEM_PYTHON = '/usr/bin/python3'

# AWS-DebianDefaultPatchBaseline (ssm-semantics §8) for when _predefined is not importable.
DEBIAN_DEFAULT = {
    'name': 'AWS-DebianDefaultPatchBaseline', 'baseline_id': None, 'operating_system': 'DEBIAN',
    'description': None,
    'global_filters': {'patch_filters': [{'key': 'PRODUCT', 'values': ['*']}]},
    'approval_rules': {'patch_rules': [{
        'patch_filter_group': {'patch_filters': [
            {'key': 'PRIORITY', 'values': ['Required', 'Important', 'Standard', 'Optional', 'Extra']}]},
        'approve_after_days': 0, 'approve_until_date': None, 'compliance_level': 'UNSPECIFIED',
        'enable_non_security': False}]},
    'approved_patches': [], 'approved_patches_compliance_level': 'UNSPECIFIED',
    'approved_patches_enable_non_security': False, 'rejected_patches': [],
    'rejected_patches_action': 'ALLOW_AS_DEPENDENCY', 'sources': [],
}

# Runs in the measured child: the backend read (+ engine), reporting its own figures.
SCAN_CHILD = r'''
import datetime, json, resource, sys, time
start = time.monotonic()
import apt_pkg
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_apt import AptBackend
imported = time.monotonic()
universe = AptBackend(root=sys.argv[1]).read_universe('DEBIAN', 'Debian12')
read_done = time.monotonic()
evaluated = None
try:
    from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate
except ImportError:
    _evaluate = None
if _evaluate is not None:
    try:
        from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
        baseline = _predefined.get_predefined('AWS-DebianDefaultPatchBaseline')
    except ImportError:
        baseline = json.loads(sys.argv[2])
    now = datetime.datetime.now(datetime.timezone.utc)
    evaluation = _evaluate.evaluate(baseline, universe, now)
    evaluated = sum(1 for patch in evaluation.patches if patch['state'] == 'MISSING')
end = time.monotonic()
print(json.dumps({'installed': len(universe.installed), 'candidates': len(universe.candidates),
                  'missing': evaluated, 'import_s': imported - start, 'read_s': read_done - imported, 'evaluate_s': end - read_done,
                  'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''

# Wraps the native command to learn its peak RSS without /usr/bin/time.
NATIVE_CHILD = r'''
import json, resource, subprocess, sys
completed = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
print(json.dumps({'rc': completed.returncode, 'lines': completed.stdout.count(b'\n'),
                  'maxrss_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
'''


def apt_env(config_file):
    env = dict(os.environ, LC_ALL='C.UTF-8', APT_CONFIG=config_file)
    env.pop('PYTHONPATH', None)
    return env


def prepare(workdir, packages, versions):
    root = os.path.join(workdir, 'root')
    debrepo.write_synthetic_apt_root(root, os.path.join(workdir, 'repo'), packages, versions)
    # RootDir is read before apt.conf.d, so the root's configuration is used, not this machine's.
    config_file = os.path.join(workdir, 'apt.conf')
    with open(config_file, 'w') as handle:
        handle.write('RootDir "%s/";\n' % root)
    return root, config_file


def timed(argv, env):
    start = time.monotonic()
    completed = subprocess.run(argv, env=env, check=True, stdout=subprocess.PIPE, universal_newlines=True)
    return time.monotonic() - start, json.loads(completed.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--packages', type=int, default=3000)
    parser.add_argument('--versions', type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix='scan-apt-bench.') as workdir:
        root, config_file = prepare(workdir, args.packages, args.versions)
        ours_env = dict(os.environ, PYTHONPATH=os.path.join(REPO, '.collections'))
        ours_argv = [SYSTEM_PYTHON, '-c', SCAN_CHILD, root, json.dumps(DEBIAN_DEFAULT)]
        native_argv = [SYSTEM_PYTHON, '-c', NATIVE_CHILD, 'apt', 'list', '--upgradable',
                       '-o', 'Debug::NoLocking=1']
        ours, native = [], []
        for round_index in range(args.repeat + 1):
            # Alternate, so both see the same machine load; round 0 warms both up.
            result_ours = timed(ours_argv, ours_env)
            result_native = timed(native_argv, apt_env(config_file))
            if round_index:
                ours.append(result_ours)
                native.append(result_native)

    if ours[-1][1]['candidates'] != args.packages * args.versions or native[-1][1]['lines'] <= args.packages:
        raise SystemExit('the synthetic root was not read as written (%d candidate records, %d apt list lines); '
                         'figures would be meaningless' % (ours[-1][1]['candidates'], native[-1][1]['lines']))
    ours_wall = statistics.median(wall for wall, _figures in ours)
    native_wall = statistics.median(wall for wall, _figures in native)
    sample_ours, sample_native = ours[-1][1], native[-1][1]
    import_s = statistics.median(figures['import_s'] for _wall, figures in ours)
    read_s = statistics.median(figures['read_s'] for _wall, figures in ours)
    evaluate_s = statistics.median(figures['evaluate_s'] for _wall, figures in ours)
    print('apt scan benchmark: %d installed packages, %d available versions, median of %d runs'
          % (args.packages, args.packages * args.versions, args.repeat))
    print('  universe: %d installed, %d candidate records; engine MISSING: %s; apt list lines: %d'
          % (sample_ours['installed'], sample_ours['candidates'], sample_ours['missing'], sample_native['lines']))
    print('  native  apt list --upgradable      wall %.3f s   peak RSS %6.1f MiB'
          % (native_wall, sample_native['maxrss_kib'] / 1024.0))
    print('  ours    read_universe (+evaluate)  wall %.3f s   peak RSS %6.1f MiB   (in-process: imports %.3f s, read %.3f s, evaluate %.3f s)'
          % (ours_wall, sample_ours['maxrss_kib'] / 1024.0, import_s, read_s, evaluate_s))
    print('  ratio   wall %.2fx (target <= 1.6x), read-only part %.2fx, peak RSS %.2fx'
          % (ours_wall / native_wall, (ours_wall - evaluate_s) / native_wall,
             sample_ours['maxrss_kib'] / float(sample_native['maxrss_kib'])))


if __name__ == '__main__':
    main()
