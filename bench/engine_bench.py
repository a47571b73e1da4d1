# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the baseline engine on a RHEL-scale synthetic host.

1,500 installed packages, 20,000 candidate records, 5,000 advisories, a 10-rule
baseline with 50-entry approved and rejected lists (wildcards included). The engine
is timed under this interpreter and under /usr/bin/python3 (where rpm.labelCompare
decides version order); each figure is also given as a ratio to the native
reference measured in the same run: sorting every candidate's EVR per name+arch with
rpm.labelCompare (the C library every rpm tool uses), the least any rpm-based
evaluation has to do.

Usage: .venv/bin/python bench/engine_bench.py [--repeat N]
"""

import argparse
import datetime
import functools
import gc
import json
import os
import random
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, '.collections'))

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _evaluate  # noqa: E402
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _versions  # noqa: E402
from ansible_collections.fleetops.patch_manager.plugins.module_utils._universe import (  # noqa: E402
    Candidate,
    InstalledPackage,
    Universe,
)

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC)
SYSTEM_PYTHON = '/usr/bin/python3'
SIZES = (1000, 5000, 10000, 20000, 50000)
CLASSIFICATIONS = ('security', 'security', 'bugfix', 'enhancement', 'newpackage')
SEVERITIES = ('Critical', 'Important', 'Moderate', 'Low', None)


def synthetic_host(candidate_count, installed_count=1500, advisory_count=5000, seed=20261125):
    """A deterministic RHEL-like universe; names beyond the installed ones are not installed."""
    rng = random.Random(seed)
    name_count = installed_count + installed_count // 3
    names = []
    for index in range(name_count):
        stem = rng.choice(('lib', 'python3-', 'perl-', 'kernel-', 'gnome-', 'x', '', '', ''))
        arch = 'noarch' if stem in ('python3-', 'perl-') else rng.choice(('x86_64', 'x86_64', 'x86_64', 'i686'))
        names.append(('%spkg%04d' % (stem, index), arch))
    base_versions = {}
    installed = []
    for name, arch in names[:installed_count]:
        major, minor = rng.randint(0, 9), rng.randint(0, 30)
        base_versions[(name, arch)] = (major, minor)
        # Most hosts are partly patched: about half the repository versions are older.
        installed.append(InstalledPackage(name, arch, '0:%d.%d.%d-1.el9' % (major, minor, rng.randint(0, 40)),
                                          installed_time=NOW - datetime.timedelta(days=rng.randint(1, 900))))
    for key in names[installed_count:]:
        base_versions[key] = (rng.randint(0, 9), rng.randint(0, 30))
    advisories = []
    for index in range(advisory_count):
        advisories.append(dict(
            advisory_id='RHSA-2026:%05d' % index if index % 3 == 0 else 'RHBA-2026:%05d' % index,
            classification=rng.choice(CLASSIFICATIONS),
            severity=rng.choice(SEVERITIES),
            release_date=NOW - datetime.timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 23)),
            cve_ids=tuple('CVE-2026-%05d' % rng.randint(1, 99999) for dummy in range(rng.randint(0, 3))),
            bugzilla_ids=tuple(str(rng.randint(1000000, 2999999)) for dummy in range(rng.randint(0, 2))),
        ))
    candidates = []
    for index in range(candidate_count):
        name, arch = names[index % name_count] if index < name_count else rng.choice(names)
        major, minor = base_versions[(name, arch)]
        patch_level = rng.randint(0, 40)
        version = '0:%d.%d.%d-%d.el9' % (major, minor, patch_level, rng.randint(1, 5))
        if rng.random() < 0.75:
            advisory = advisories[rng.randrange(advisory_count)]
            candidates.append(Candidate(name, arch, version, repository='baseos', security=True, **advisory))
        else:
            candidates.append(Candidate(name, arch, version, repository='appstream'))
    return Universe('dnf', 'REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux9.4', installed, candidates)


def _rule(filters, days=None, until=None, level='UNSPECIFIED', non_security=False):
    return {'patch_filter_group': {'patch_filters': [{'key': key, 'values': values} for key, values in filters]},
            'approve_after_days': days, 'approve_until_date': until, 'compliance_level': level,
            'enable_non_security': non_security}


def ten_rule_baseline():
    """10 rules, 50 approved and 50 rejected entries (exact, wildcard, advisory, CVE, Bugzilla)."""
    rules = [
        _rule([('CLASSIFICATION', ['Security']), ('SEVERITY', ['Critical'])], days=0, level='CRITICAL'),
        _rule([('CLASSIFICATION', ['Security']), ('SEVERITY', ['Important'])], days=7, level='HIGH'),
        _rule([('CLASSIFICATION', ['Security']), ('SEVERITY', ['Moderate'])], days=14, level='MEDIUM'),
        _rule([('CLASSIFICATION', ['Security']), ('SEVERITY', ['Low'])], days=30, level='LOW'),
        _rule([('CLASSIFICATION', ['Bugfix'])], days=21, level='INFORMATIONAL'),
        _rule([('CLASSIFICATION', ['Enhancement']), ('SEVERITY', ['*'])], until='2026-06-30'),
        _rule([('PRODUCT', ['RedhatEnterpriseLinux9.4']), ('CLASSIFICATION', ['Newpackage'])], days=60),
        _rule([('PRODUCT', ['RedhatEnterpriseLinux8.10'])], days=0, non_security=True),
        _rule([('SEVERITY', ['Critical', 'Important'])], days=3, level='HIGH'),
        _rule([('PRODUCT', ['*'])], days=90, non_security=True),
    ]
    approved = (['libpkg%04d' % index for index in range(0, 100, 10)]
                + ['python3-pkg%04d-*' % index for index in range(1, 100, 10)]
                + ['RHSA-2026:%05d' % index for index in range(0, 300, 30)]
                + ['CVE-2026-%05d' % index for index in range(5, 50000, 5000)]
                + ['%d' % (1000000 + index) for index in range(0, 5)]
                + ['x*pkg01[0-4]?.x86_64', 'kernel-pkg0*:1.*', 'perl-pkg00?1-1.*', 'gnome-pkg0[5-9]*', 'pkg1*.i686'])
    rejected = (['pkg%04d' % index for index in range(3, 300, 15)]
                + ['kernel-pkg%04d*' % index for index in range(7, 300, 30)]
                + ['*-2.3.1[0-9]-*', 'lib*-debug*', '*.i686:0:9.*', 'xpkg00??-0.*', 'gnome-pkg1[!0-4]*']
                + ['perl-pkg%04d-1.*' % index for index in range(11, 300, 20)])
    return {
        'name': 'bench', 'baseline_id': None, 'operating_system': 'REDHAT_ENTERPRISE_LINUX', 'description': None,
        'global_filters': {'patch_filters': [{'key': 'PRODUCT', 'values': ['*']}]},
        'approval_rules': {'patch_rules': rules},
        'approved_patches': approved[:50], 'approved_patches_compliance_level': 'HIGH',
        'approved_patches_enable_non_security': False,
        'rejected_patches': rejected[:50], 'rejected_patches_action': 'BLOCK', 'sources': [],
    }


def _best_of(repeat, function):
    best = None
    for dummy in range(repeat):
        gc.collect()
        # CPU time of this process: the machine is shared, wall time would measure the neighbours.
        start = time.process_time()
        function()
        elapsed = time.process_time() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def _native_sort(universe):
    """Sort every candidate EVR per name+arch with rpm.labelCompare: the native reference."""
    import rpm  # pylint: disable=import-outside-toplevel
    split = _versions.split_evr
    key = functools.cmp_to_key(lambda left, right: rpm.labelCompare(split(left), split(right)))
    groups = {}
    for candidate in universe.candidates:
        groups.setdefault((candidate.name, candidate.arch), set()).add(candidate.version)
    for versions in groups.values():
        sorted(versions, key=key)


def _clear_caches():
    """Each timed run starts cold: no version comparison remembered from the previous one."""
    for module in (_versions, _evaluate):
        for value in list(vars(module).values()):
            if callable(getattr(value, 'cache_clear', None)):
                value.cache_clear()


def worker(repeat):
    """Time every size under this interpreter; print JSON figures."""
    baseline = ten_rule_baseline()
    figures = {'python': sys.version.split()[0], 'executable': sys.executable,
               'version_library': _versions.library_in_use('dnf') or 'pure Python', 'sizes': []}
    for size in SIZES:
        universe = synthetic_host(size)

        def run_engine(universe=universe):
            _clear_caches()
            return _evaluate.evaluate(baseline, universe, NOW)

        evaluation = run_engine()
        engine = _best_of(repeat, run_engine)
        native = None
        try:
            native = _best_of(repeat, functools.partial(_native_sort, universe))
        except ImportError:
            pass
        states = {}
        for patch in evaluation.patches:
            states[patch['state']] = states.get(patch['state'], 0) + 1
        figures['sizes'].append({'candidates': size, 'engine_s': engine, 'native_s': native,
                                 'states': states, 'not_applicable': evaluation.not_applicable_count})
    print(json.dumps(figures))


def _run_worker(python, repeat):
    output = subprocess.check_output([python, os.path.abspath(__file__), '--worker', '--repeat', str(repeat)],
                                     universal_newlines=True)
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5, help='runs per figure; the best is kept')
    parser.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.repeat)
        return
    interpreters = [sys.executable]
    if os.path.exists(SYSTEM_PYTHON) and os.path.realpath(SYSTEM_PYTHON) != os.path.realpath(sys.executable):
        interpreters.append(SYSTEM_PYTHON)
    results = [_run_worker(python, args.repeat) for python in interpreters]
    # The native reference needs the rpm bindings; take it from whichever run has them.
    native = {}
    for result in results:
        for row in result['sizes']:
            if row['native_s'] is not None:
                native.setdefault(row['candidates'], row['native_s'])
    print('Engine: 1,500 installed packages, 5,000 advisories, 10 rules, 50 approved / 50 rejected entries; '
          'CPU seconds, best of %d runs, one core.' % args.repeat)
    print('Native reference: per name+arch sort of the candidate EVRs with rpm.labelCompare (/usr/bin/python3).')
    print()
    print('| Python | versions by | candidates | engine s | µs / candidate | µs / added candidate | x native | states |')
    print('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |')
    for result in results:
        previous = None
        for row in result['sizes']:
            reference = native.get(row['candidates'])
            ratio = '%.1f' % (row['engine_s'] / reference) if reference else 'n/a'
            # Growth between sizes: the per-installed-package work is paid once, so this is the slope.
            marginal = '-' if previous is None else '%.1f' % (
                (row['engine_s'] - previous['engine_s']) / (row['candidates'] - previous['candidates']) * 1e6)
            states = ', '.join('%s %d' % (state, count) for state, count in sorted(row['states'].items()))
            print('| %s | %s | %d | %.3f | %.1f | %s | %s | %s, NA %d |' % (
                result['python'], result['version_library'], row['candidates'], row['engine_s'],
                row['engine_s'] / row['candidates'] * 1e6, marginal, ratio, states, row['not_applicable']))
            previous = row
    print()
    for result in results:
        row = [item for item in result['sizes'] if item['candidates'] == 20000][0]
        verdict = 'holds' if row['engine_s'] <= 0.25 else 'DOES NOT hold'
        print('- Python %s (%s): 20,000 candidates in %.3f s: the 0.25 s budget %s.'
              % (result['python'], result['version_library'], row['engine_s'], verdict))


if __name__ == '__main__':
    main()
