# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: an apt Scan by the module, run directly, against ``apt list --upgradable`` on the same root.

A synthetic alternate root the size of a Debian bookworm host: 60,000 available packages
(distinct names) in ``bookworm``, ``bookworm-updates`` and ``bookworm-security``, 3,000 of
them installed, a few hundred installed ones with an update (every third in the security
suite) and a few hundred security updates for packages that are not installed. Measured
in the same run, alternating, each a fresh process (median of --repeat runs after one
warm-up round; peak RSS of that process from wait4):

- module: ``/usr/bin/python3 -m ...modules.run_patch_baseline`` with the Scan arguments
  as JSON on stdin, the way a module is run directly (no AnsiballZ); ansible's
  module_utils come from the venv's ansible package;
- backend: ``/usr/bin/python3`` importing _backend_apt and running read_universe only;
- native: ``apt list --upgradable`` reading the same root (RootDir through APT_CONFIG).

Prints a markdown table with ratios to the native tool.
Usage (any user; writes only to a temporary directory):
    /usr/bin/python3 bench/scan_apt_bench.py [--repeat N] [--available N] [--installed N] [--updated N]
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SYSTEM_PYTHON = '/usr/bin/python3'
MODULE = 'ansible_collections.fleetops.patch_manager.plugins.modules.run_patch_baseline'

BACKEND_CHILD = r'''
import json, sys
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_apt import AptBackend
universe = AptBackend(root=sys.argv[1]).read_universe('DEBIAN', 'Debian12')
print(json.dumps({'installed': len(universe.installed), 'candidates': len(universe.candidates)}))
'''

# Where the module process spends its time: the module's own main(), with timers wrapped
# around the backend read, the engine and AnsibleModule.exit_json (one extra run, not a ratio).
BREAKDOWN_CHILD = r'''
import io, json, sys, time
start = time.monotonic()
from ansible.module_utils.basic import AnsibleModule
ansible_imported = time.monotonic()
from ansible_collections.fleetops.patch_manager.plugins.modules import run_patch_baseline
from ansible_collections.fleetops.patch_manager.plugins.module_utils import _backend_apt, _evaluate
imported = time.monotonic()
spent = {}

def timed(label, function):
    def wrapper(*args, **kwargs):
        began = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.monotonic() - began
    return wrapper

_backend_apt.AptBackend.read_universe = timed('read_universe', _backend_apt.AptBackend.read_universe)
_evaluate.evaluate = timed('evaluate', _evaluate.evaluate)
AnsibleModule.exit_json = timed('exit_json', AnsibleModule.exit_json)
stdout, sys.stdout = sys.stdout, io.StringIO()
began = time.monotonic()
try:
    run_patch_baseline.main()
except SystemExit:
    pass
spent['main'] = time.monotonic() - began
sys.stdout = stdout
spent.update(import_ansible=ansible_imported - start, import_collection=imported - ansible_imported)
print(json.dumps(spent))
'''


def venv_ansible_dir(workdir):
    """A directory holding only the venv's ``ansible`` package, for the system python's PYTHONPATH."""
    found = glob.glob(os.path.join(REPO, '.venv', 'lib', 'python3*', 'site-packages', 'ansible'))
    if not found:
        raise SystemExit('no ansible package in %s/.venv' % REPO)
    directory = os.path.join(workdir, 'ansible-only')
    os.makedirs(directory)
    os.symlink(found[0], os.path.join(directory, 'ansible'))
    return directory


def prepare(workdir, args):
    root = os.path.join(workdir, 'root')
    # In a child: a fork copies the parent's resident pages into each measured child's peak RSS,
    # so this process must stay small (the generator holds the whole index in memory).
    generate = ('import sys; sys.path.insert(0, sys.argv[1]); from tests.support import debrepo; '
                'debrepo.write_synthetic_apt_root(sys.argv[2], sys.argv[3], *[int(n) for n in sys.argv[4:]])')
    subprocess.run([sys.executable, '-c', generate, REPO, root, os.path.join(workdir, 'repo'), str(args.available),
                    str(args.installed), str(args.updated), '3', str(args.not_installed_security)], check=True)
    # RootDir is read before apt.conf.d, so the root's configuration is used, not this machine's.
    config_file = os.path.join(workdir, 'apt.conf')
    with open(config_file, 'w') as handle:
        handle.write('RootDir "%s/";\n' % root)
    return root, config_file


def measured(argv, env, data=None):
    """(wall seconds, peak RSS KiB, stdout) of one child process, its own figures only (wait4)."""
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        stdin.write(data or b'')
        stdin.seek(0)
        start = time.monotonic()
        # Files, not pipes: nothing reaps the child before wait4 reads its rusage.
        child = subprocess.Popen(argv, env=env, stdin=stdin, stdout=stdout, stderr=stderr)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    if child.returncode != 0:
        raise SystemExit('%s failed (rc=%s): %s %s' % (argv[:3], child.returncode,
                                                       out.decode(errors='replace')[-2000:],
                                                       err.decode(errors='replace')[-2000:]))
    return wall, usage.ru_maxrss, out.decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=7)
    parser.add_argument('--available', type=int, default=60000)
    parser.add_argument('--installed', type=int, default=3000)
    parser.add_argument('--updated', type=int, default=300)
    parser.add_argument('--not-installed-security', type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix='scan-apt-bench.') as workdir:
        root, config_file = prepare(workdir, args)
        python_env = dict(os.environ, LC_ALL='C.UTF-8',
                          PYTHONPATH=os.pathsep.join([os.path.join(REPO, '.collections'), venv_ansible_dir(workdir)]))
        python_env.pop('APT_CONFIG', None)
        native_env = dict(os.environ, LC_ALL='C.UTF-8', APT_CONFIG=config_file)
        native_env.pop('PYTHONPATH', None)
        commands = {
            'native': ([
                'apt', 'list', '--upgradable', '-o', 'Debug::NoLocking=1'], native_env, None),
            'module': ([SYSTEM_PYTHON, '-m', MODULE], python_env,
                       json.dumps({'ANSIBLE_MODULE_ARGS': {'operation': 'Scan', 'root': root}}).encode()),
            'backend': ([SYSTEM_PYTHON, '-c', BACKEND_CHILD, root], python_env, None),
        }
        runs = dict((label, []) for label in commands)
        outputs = {}
        for round_index in range(args.repeat + 1):
            # Alternate, so all three see the same machine load; round 0 warms caches (pkgcache.bin, pages).
            for label, (argv, env, data) in commands.items():
                wall, rss, out = measured(argv, env, data)
                outputs[label] = out
                if round_index:
                    runs[label].append((wall, rss))
        breakdowns = [json.loads(measured([SYSTEM_PYTHON, '-c', BREAKDOWN_CHILD], python_env, commands['module'][2])[2])
                      for _round in range(3)]

    upgradable = sum(1 for line in outputs['native'].splitlines() if 'upgradable from' in line)
    result = json.loads(outputs['module'])
    state = result.get('instance_patch_state') or {}
    universe = json.loads(outputs['backend'])
    expected_missing = args.updated // 3      # every third updated package is a security update (debrepo)
    if (result.get('failed') or upgradable != args.updated or state.get('missing_count') != expected_missing
            or state.get('not_applicable_count') != args.not_installed_security
            or universe['installed'] != args.installed):
        raise SystemExit('the synthetic root was not read as written (apt list: %d upgradable; module: %s; '
                         'backend: %s); figures would be meaningless'
                         % (upgradable, json.dumps(state or result)[:500], universe))

    native_wall = statistics.median(wall for wall, _rss in runs['native'])
    print('apt Scan benchmark: %d available packages, %d installed, %d with updates (%d security), '
          '%d security updates for packages not installed; median of %d runs'
          % (args.available, args.installed, args.updated, expected_missing, args.not_installed_security, args.repeat))
    print('module result: missing_count %s, not_applicable_count %s, installed_other_count %s; '
          'backend: %d candidate records; apt list: %d upgradable'
          % (state['missing_count'], state['not_applicable_count'], state.get('installed_other_count'),
             universe['candidates'], upgradable))
    print('')
    print('| process | wall (median) | ratio to apt list | peak RSS | RSS ratio |')
    print('| --- | ---: | ---: | ---: | ---: |')
    native_rss = max(rss for _wall, rss in runs['native'])
    titles = {'native': '`apt list --upgradable`', 'module': 'run_patch_baseline Scan (module process)',
              'backend': 'AptBackend.read_universe only'}
    for label in ('native', 'module', 'backend'):
        wall = statistics.median(value for value, _rss in runs[label])
        rss = max(value for _wall, value in runs[label])
        print('| %s | %.3f s | %.2fx | %.1f MiB | %.2fx |'
              % (titles[label], wall, wall / native_wall, rss / 1024.0, rss / float(native_rss)))
    print('')
    parts = ('import_ansible', 'import_collection', 'read_universe', 'evaluate', 'exit_json', 'main')
    middle = dict((part, statistics.median(breakdown.get(part, 0.0) for breakdown in breakdowns)) for part in parts)
    print('module process, inside (median of 3, seconds): import ansible.module_utils.basic %.3f, import the module '
          '(collection, _run, every backend) %.3f, main() %.3f of which read_universe %.3f, evaluate %.3f, '
          'exit_json %.3f' % tuple(middle[part] for part in parts[:2] + parts[5:] + parts[2:5]))
    print('')
    print('target: module process <= 1.6x apt list --upgradable')


if __name__ == '__main__':
    main()
