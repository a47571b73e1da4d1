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

Three tables: the synthetic root with apt's binary cache (pkgcache.bin) enabled, the same
root with this machine's own apt configuration (Debian container images disable the
binary cache: /etc/apt/apt.conf.d/docker-clean), and this machine itself (root=/, a
read-only Scan; skip with --no-host).

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


MACHINE_NO_CACHE_CONFIG = '/etc/apt/apt.conf.d/docker-clean'


def disable_binary_cache(root):
    """Make apt in the root work as on this machine: no binary cache (pkgcache.bin) kept, rebuilt every run.

    This machine does it with ``Dir::Cache::pkgcache ""`` (Debian container images'
    docker-clean), but under RootDir apt turns an empty file name into the root directory
    itself and fails. A cache file in a directory that does not exist has the same effect:
    apt finds no cache and cannot write one, so it builds it in memory each time.
    """
    with open(os.path.join(root, 'etc/apt/apt.conf.d/50no-binary-cache'), 'w') as handle:
        handle.write('Dir::Cache::pkgcache "/no-binary-cache/pkgcache.bin";\n'
                     'Dir::Cache::srcpkgcache "/no-binary-cache/srcpkgcache.bin";\n')
    for name in ('pkgcache.bin', 'srcpkgcache.bin'):
        path = os.path.join(root, 'var/cache/apt', name)
        if os.path.exists(path):
            os.unlink(path)


def measure(commands, repeat):
    """{label: (median wall, max RSS KiB)} and the last stdout of each, alternating the commands."""
    runs = dict((label, []) for label in commands)
    outputs = {}
    for round_index in range(repeat + 1):
        # Alternate, so all three see the same machine load; round 0 warms caches (pkgcache.bin, pages).
        for label, (argv, env, data) in commands.items():
            wall, rss, out = measured(argv, env, data)
            outputs[label] = out
            if round_index:
                runs[label].append((wall, rss))
    figures = dict((label, (statistics.median(wall for wall, _rss in values), max(rss for _wall, rss in values)))
                   for label, values in runs.items())
    return figures, outputs


def commands_for(root, native_env, python_env):
    return {
        'native': (['apt', 'list', '--upgradable', '-o', 'Debug::NoLocking=1'], native_env, None),
        'module': ([SYSTEM_PYTHON, '-m', MODULE], python_env,
                   json.dumps({'ANSIBLE_MODULE_ARGS': {'operation': 'Scan', 'root': root}}).encode()),
        'backend': ([SYSTEM_PYTHON, '-c', BACKEND_CHILD, root], python_env, None),
    }


def print_table(title, figures):
    native_wall, native_rss = figures['native']
    print(title)
    print('')
    print('| process | wall (median) | ratio to apt list | peak RSS | RSS ratio |')
    print('| --- | ---: | ---: | ---: | ---: |')
    titles = {'native': '`apt list --upgradable`', 'module': 'run_patch_baseline Scan (module process)',
              'backend': 'AptBackend.read_universe only'}
    for label in ('native', 'module', 'backend'):
        wall, rss = figures[label]
        print('| %s | %.3f s | %.2fx | %.1f MiB | %.2fx |'
              % (titles[label], wall, wall / native_wall, rss / 1024.0, rss / float(native_rss)))
    print('')


def check_synthetic(args, outputs):
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
    return 'module result: missing_count %s, not_applicable_count %s, installed_other_count %s; ' \
           'backend: %d candidate records; apt list: %d upgradable' % (
               state['missing_count'], state['not_applicable_count'], state.get('installed_other_count'),
               universe['candidates'], upgradable)


def found_on_host(outputs):
    result = json.loads(outputs['module'])
    if result.get('failed') or result.get('changed'):
        raise SystemExit('the Scan of this host failed or changed something: %s' % outputs['module'][:500])
    state = result['instance_patch_state']
    universe = json.loads(outputs['backend'])
    upgradable = sum(1 for line in outputs['native'].splitlines() if 'upgradable from' in line)
    return 'module result: missing_count %s, installed_count %s, installed_other_count %s; backend: %d installed, ' \
           '%d candidate records; apt list: %d upgradable' % (
               state['missing_count'], state['installed_count'], state['installed_other_count'],
               universe['installed'], universe['candidates'], upgradable)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=7)
    parser.add_argument('--available', type=int, default=60000)
    parser.add_argument('--installed', type=int, default=3000)
    parser.add_argument('--updated', type=int, default=300)
    parser.add_argument('--not-installed-security', type=int, default=500)
    parser.add_argument('--no-host', action='store_true', help='skip the read-only Scan of this machine (root=/)')
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix='scan-apt-bench.') as workdir:
        root, config_file = prepare(workdir, args)
        python_env = dict(os.environ, LC_ALL='C.UTF-8',
                          PYTHONPATH=os.pathsep.join([os.path.join(REPO, '.collections'), venv_ansible_dir(workdir)]))
        python_env.pop('APT_CONFIG', None)
        native_env = dict(os.environ, LC_ALL='C.UTF-8', APT_CONFIG=config_file)
        native_env.pop('PYTHONPATH', None)
        commands = commands_for(root, native_env, python_env)
        print('apt Scan benchmark: %d available packages (bookworm, -updates, -security), %d installed, %d with '
              'updates (%d security), %d security updates for packages not installed; median of %d runs'
              % (args.available, args.installed, args.updated, args.updated // 3, args.not_installed_security,
                 args.repeat))
        print('')
        cached, outputs = measure(commands, args.repeat)
        summary = check_synthetic(args, outputs)
        breakdowns = [json.loads(measured([SYSTEM_PYTHON, '-c', BREAKDOWN_CHILD], python_env, commands['module'][2])[2])
                      for _round in range(3)]
        print_table('synthetic root, apt binary cache enabled (apt keeps pkgcache.bin in the root)', cached)
        disable_binary_cache(root)
        uncached, outputs = measure(commands, args.repeat)
        check_synthetic(args, outputs)
        if os.path.exists(os.path.join(root, 'var/cache/apt/pkgcache.bin')):
            raise SystemExit('apt still wrote a binary cache into the root; the no-cache figures would be wrong')
        print_table('synthetic root, no binary cache kept (as this machine\'s %s configures apt)'
                    % MACHINE_NO_CACHE_CONFIG, uncached)
        print(summary)
        print('')
        if not args.no_host:
            host_native_env = dict(native_env)
            host_native_env.pop('APT_CONFIG')
            host, outputs = measure(commands_for('/', host_native_env, python_env), args.repeat)
            print_table('this machine, root=/ (read-only Scan; lists and configuration as they are)', host)
            print(found_on_host(outputs))
            print('')

    parts = ('import_ansible', 'import_collection', 'read_universe', 'evaluate', 'exit_json', 'main')
    middle = dict((part, statistics.median(breakdown.get(part, 0.0) for breakdown in breakdowns)) for part in parts)
    print('module process on the synthetic root, inside (median of 3, seconds): import ansible.module_utils.basic '
          '%.3f, import the module (collection, _run) %.3f, main() %.3f of which read_universe %.3f, evaluate %.3f, '
          'exit_json %.3f' % tuple(middle[part] for part in parts[:2] + parts[5:] + parts[2:5]))
    print('')
    print('target: module process <= 1.6x apt list --upgradable')


if __name__ == '__main__':
    main()
