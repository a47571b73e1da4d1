# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: a zypper Scan's reading path against ``zypper list-patches`` on the same root.

An alternate root holds 3,000 installed packages (real rpms, registered with
``rpm --justdb``) and a synthetic rpm-md repository of 60,000 available versions (20 per
package) with thousands of patches in its updateinfo. Measured in the same run, each in a
fresh process (median of --repeat runs, after one warm-up each):

- ours: /usr/bin/python3 running ZypperBackend.read_universe, then the engine
  (_evaluate.evaluate with AWS-SuseDefaultPatchBaseline) when the engine exists;
- native: ``zypper --root R --non-interactive --no-refresh list-patches``.

Figures are printed as ratios to the native tool, with peak RSS of each process.
Usage (root: rpm and zypper write the root's rpmdb and caches; everything stays in a
temporary directory):
    /usr/bin/python3 bench/scan_zypper_bench.py [--repeat N] [--packages N] [--versions N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.support import rpmrepo, rpmroot  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.specs import AdvisorySpec, PackageSpec  # noqa: E402  pylint: disable=wrong-import-position

SYSTEM_PYTHON = '/usr/bin/python3'
CATEGORIES = ('security', 'recommended', 'optional', 'feature', 'security', 'document')
SEVERITIES = ('critical', 'important', 'moderate', 'low', 'important')

# Stand-in for AWS-SuseDefaultPatchBaseline (ssm-semantics section 8): Security patches of
# severity Critical or Important, 7 days after release.
SUSE_DEFAULT = {
    'name': 'AWS-SuseDefaultPatchBaseline', 'baseline_id': None, 'operating_system': 'SUSE',
    'description': None,
    'global_filters': {'patch_filters': [{'key': 'PRODUCT', 'values': ['*']}]},
    'approval_rules': {'patch_rules': [{
        'patch_filter_group': {'patch_filters': [
            {'key': 'CLASSIFICATION', 'values': ['Security']},
            {'key': 'SEVERITY', 'values': ['Critical', 'Important']}]},
        'approve_after_days': 7, 'approve_until_date': None, 'compliance_level': 'UNSPECIFIED',
        'enable_non_security': False}]},
    'approved_patches': [], 'approved_patches_compliance_level': 'UNSPECIFIED',
    'approved_patches_enable_non_security': False, 'rejected_patches': [],
    'rejected_patches_action': 'ALLOW_AS_DEPENDENCY', 'sources': [],
}

# Runs in the measured child: the backend read (+ engine), reporting its own figures.
SCAN_CHILD = r'''
import datetime, json, resource, sys, time
start = time.monotonic()
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_zypper import ZypperBackend
universe = ZypperBackend(root=sys.argv[1]).read_universe('SUSE', 'Suse15.6')
read_done = time.monotonic()
evaluated = None
try:
    from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate
except ImportError:
    _evaluate = None
if _evaluate is not None:
    baseline = json.loads(sys.argv[2])
    try:
        from ansible_collections.fleetops.patch_manager.plugins.module_utils import _predefined
        baseline = _predefined.baseline_by_name('AWS-SuseDefaultPatchBaseline')
    except (ImportError, AttributeError, KeyError):
        pass
    now = datetime.datetime.now(datetime.timezone.utc)
    evaluation = _evaluate.evaluate(baseline, universe, now)
    evaluated = sum(1 for patch in evaluation.patches if patch['state'] == 'MISSING')
end = time.monotonic()
print(json.dumps({'installed': len(universe.installed), 'candidates': len(universe.candidates),
                  'advisories': len(set(c.advisory_id for c in universe.candidates if c.advisory_id)),
                  'missing': evaluated, 'read_s': read_done - start, 'evaluate_s': end - read_done,
                  'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''

# Wraps a command to learn its wall time and peak RSS without /usr/bin/time.
TIMED_CHILD = r'''
import json, resource, subprocess, sys, time
start = time.monotonic()
completed = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
elapsed = time.monotonic() - start
print(json.dumps({'rc': completed.returncode, 'elapsed_s': elapsed, 'stdout': completed.stdout.decode('utf-8', 'replace')[-4000:],
                  'maxrss_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
'''


def scenario(package_count, version_count):
    """(installed specs, available specs, patches): patches carry versions 3, 8, 13, ... of each package."""
    names = ['fleet-pkg-%05d' % index for index in range(package_count)]
    installed = [PackageSpec(name, '1.0') for name in names]
    available = [PackageSpec(name, '1.%d' % minor) for name in names for minor in range(version_count)]
    advisories = []
    for minor in range(3, version_count, 5):
        for index, name in enumerate(names):
            number = len(advisories)
            advisories.append(AdvisorySpec(
                'SUSE-SLE-Module-Basesystem-15-SP6-2026-%05d' % number,
                type=CATEGORIES[number % len(CATEGORIES)], severity=SEVERITIES[number % len(SEVERITIES)],
                issued='2026-%02d-%02d 00:00:00' % (1 + number % 12, 1 + number % 28),
                cves=('CVE-2026-%05d' % number,), packages=((name, '0:1.%d-1' % minor),)))
    return installed, available, advisories


def prepare(workdir, package_count, version_count):
    installed, available, advisories = scenario(package_count, version_count)
    root = rpmroot.create_root(os.path.join(workdir, 'root'))
    rpms = rpmrepo.build_rpms(installed)
    rpmroot.install_with_rpm(root, [rpms[spec] for spec in installed], justdb=True)
    repository = rpmrepo.synthetic_repository(os.path.join(workdir, 'repo'), available, advisories, name='bench')
    repository.write_repo_file(os.path.join(root, 'etc', 'zypp', 'repos.d'))
    subprocess.run(['zypper', '--root', root, '--non-interactive', 'refresh'], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, LANG='C'))
    return root, len(advisories)


def run_json(argv):
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, '.collections'), LANG='C')
    completed = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                               env=env, check=False)
    if completed.returncode != 0:
        raise RuntimeError('%s failed: %s' % (argv[:3], completed.stderr[-2000:]))
    return json.loads(completed.stdout)


def measure(root, repeat):
    ours_argv = [SYSTEM_PYTHON, '-c', SCAN_CHILD, root, json.dumps(SUSE_DEFAULT)]
    timer = [SYSTEM_PYTHON, '-c', TIMED_CHILD]
    native_argv = timer + ['zypper', '--root', root, '--non-interactive', '--no-refresh', 'list-patches']
    ours_timed = timer + ours_argv
    run_json(ours_timed)      # warm-up (page cache, solv cache)
    run_json(native_argv)
    ours, native = [], []
    for _round in range(repeat):
        ours.append(run_json(ours_timed))
        native.append(run_json(native_argv))
    return ours, native


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--packages', type=int, default=3000)
    parser.add_argument('--versions', type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='scan-zypper-bench-') as workdir:
        root, patch_count = prepare(workdir, args.packages, args.versions)
        ours, native = measure(root, args.repeat)
    details = json.loads(ours[-1]['stdout'].strip().splitlines()[-1])
    ours_s = statistics.median(run['elapsed_s'] for run in ours)
    native_s = statistics.median(run['elapsed_s'] for run in native)
    ours_rss = max(run['maxrss_kib'] for run in ours)
    native_rss = max(run['maxrss_kib'] for run in native)
    print('zypper scan benchmark: %d installed, %d available versions, %d patches, median of %d runs'
          % (args.packages, args.packages * args.versions, patch_count, args.repeat))
    print('  ours   (read_universe%s): %.2f s, peak RSS %d MiB; %d candidate records, %d advisories, %s MISSING'
          % (' + evaluate' if details['missing'] is not None else '', ours_s, ours_rss // 1024,
             details['candidates'], details['advisories'], details['missing']))
    print('           of which read %.2f s, evaluate %.2f s' % (details['read_s'], details['evaluate_s']))
    print('  native (zypper list-patches): %.2f s, peak RSS %d MiB' % (native_s, native_rss // 1024))
    print('  time ratio ours/native: %.2fx (target <= 1.3x); RSS ratio %.2fx'
          % (ours_s / native_s, float(ours_rss) / native_rss))


if __name__ == '__main__':
    main()
