# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: an apt Scan by the module, run directly, against ``apt list --upgradable`` on the same root.

A synthetic alternate root the size of a Debian bookworm host: 60,000 available packages
(distinct names) in ``bookworm``, ``bookworm-updates`` and ``bookworm-security``, 3,000 of
them installed, a few hundred installed ones with an update (every third in the security
suite) and a few hundred security updates for packages that are not installed.

Its indexes are as heavy as real ones: tests/support/debrepo.py writes stanzas with the
averages measured on this machine's own bookworm lists (MEASURED_BOOKWORM there; on
2026-11-25: bookworm main 63,440 stanzas of 789 bytes, Depends in 88% with 5.0 entries,
Provides 15% with 3.9, Recommends 16%, Suggests 18%, Breaks 8%, Replaces 9%, Conflicts 5%,
59% of dependencies versioned, short Description + Description-md5, no Translation-en
(this machine's Acquire::Languages "none"), Filename/Size/MD5sum/SHA256/Homepage 93%/Tag
48%; dpkg status 771 stanzas of 893 bytes with long descriptions and conffiles). The
benchmark measures those averages again, on this machine's lists and on the synthetic ones,
and prints them side by side. The synthetic lists are uncompressed (Debian's default); this
machine keeps its lists lz4-compressed (Acquire::GzipIndexes), which costs both contenders
alike.

Contenders, measured in the same run, interleaved, each a fresh process (median of --repeat
runs after one warm-up round; peak RSS is the contender's own, from wait4):

- native: ``apt list --upgradable`` reading the same root (RootDir through APT_CONFIG);
- floor: ``/usr/bin/python3`` that only imports ansible.module_utils.basic.AnsibleModule and
  apt_pkg and opens that root's apt cache: the least any AnsibleModule-based module costs;
- module: ``/usr/bin/python3 run_patch_baseline.py <args file>`` (Scan, predefined baseline),
  as Ansible runs a module on a target (bench/_common.py);
- backend: ``/usr/bin/python3`` importing _backend_apt and running read_universe only, with
  ``advisory_only`` as the module passes it for the predefined Debian baseline.

Each configuration ends in a ``FLOOR RATIO`` line (module process / floor, wall and CPU; issue 9's
target is at most 1.5x), which ``make bench`` collects at the end.

Three configurations: the synthetic root with this machine's apt configuration (no binary
cache: /etc/apt/apt.conf.d/docker-clean, copied into the root), the same root with apt's
binary cache kept (Debian's default; a warm pkgcache.bin makes apt list about as fast as
starting Python), and this machine itself (root=/, a read-only Scan; skip with --no-host).

apt itself cannot read a root whose configuration disables the binary cache through
RootDir (it takes the empty cache file name for the root directory and fails); the native
contender gets a cache file in a missing directory on its command line instead, which is
the same "build the cache in memory" apt does at /. The module needs no such help.

Usage (any user; writes only to a temporary directory):
    /usr/bin/python3 bench/scan_apt_bench.py [--repeat N] [--available N] [--installed N] [--updated N] [--no-host]
"""

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)

from _common import (  # noqa: E402  pylint: disable=wrong-import-position
    FLOOR_TARGET, REPO_ROOT, SYSTEM_PYTHON, byte_compile_collection, child_environment, compare, floor_line, measured,
    module_argv)
from tests.support import debrepo  # noqa: E402  pylint: disable=wrong-import-position

MACHINE_NO_CACHE_CONFIG = '/etc/apt/apt.conf.d/docker-clean'
NO_CACHE_CONFIG_TEXT = 'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
# For apt list only: a cache file in a directory that does not exist = no binary cache (see above).
NATIVE_NO_CACHE_OPTIONS = ['-o', 'Dir::Cache::pkgcache=/nonexistent/bench-no-binary-cache/pkgcache.bin',
                           '-o', 'Dir::Cache::srcpkgcache=/nonexistent/bench-no-binary-cache/srcpkgcache.bin']

BACKEND_CHILD = r'''
import json, sys
from ansible_collections.fleetops.patch_manager.plugins.module_utils._backend_apt import AptBackend
universe = AptBackend(root=sys.argv[1]).read_universe('DEBIAN', 'Debian12', advisory_only=True)
print(json.dumps({'installed': len(universe.installed), 'candidates': len(universe.candidates)}))
'''

FLOOR_CHILD = r'''
import sys
from ansible.module_utils.basic import AnsibleModule
import apt_pkg
root = sys.argv[1]
if root != '/':
    apt_pkg.config.set('RootDir', root + '/')
apt_pkg.init_config()
apt_pkg.init_system()
if root != '/':
    for key in ('Dir::Cache::pkgcache', 'Dir::Cache::srcpkgcache'):
        if not apt_pkg.config.find(key):
            apt_pkg.config.set(key, '/nonexistent/bench-no-binary-cache/%s.bin' % key.rsplit(':', 1)[1])
print(apt_pkg.Cache(None).package_count)
'''

# Where the module process spends its time: the module's own main(), with timers wrapped
# around the backend read, the engine and AnsibleModule.exit_json (extra runs, not a ratio).
BREAKDOWN_CHILD = r'''
import io, json, runpy, sys, time
start = time.monotonic()
from ansible.module_utils.basic import AnsibleModule
ansible_imported = time.monotonic()
module = runpy.run_path(sys.argv[1])
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
_backend_apt.AptBackend._open_cache = timed('open_cache', _backend_apt.AptBackend._open_cache)
_evaluate.evaluate = timed('evaluate', _evaluate.evaluate)
AnsibleModule.exit_json = timed('exit_json', AnsibleModule.exit_json)
sys.argv = sys.argv[1:]
stdout, sys.stdout = sys.stdout, io.StringIO()
began = time.monotonic()
try:
    module['main']()
except SystemExit:
    pass
spent['main'] = time.monotonic() - began
sys.stdout = stdout
spent.update(import_ansible=ansible_imported - start, import_collection=imported - ansible_imported)
print(json.dumps(spent))
'''

TITLES = {'native': '`apt list --upgradable`', 'floor': 'floor: python3 + AnsibleModule + apt_pkg cache open',
          'module': 'run_patch_baseline Scan (module process)', 'backend': 'AptBackend.read_universe only (as the module reads it)'}
ORDER = ('native', 'floor', 'module', 'backend')


def generate(workdir, args):
    root = os.path.join(workdir, 'root')
    # In a child, so this process stays small (the generator holds the whole index in memory).
    script = ('import sys; sys.path.insert(0, sys.argv[1]); from tests.support import debrepo; '
              'debrepo.write_synthetic_apt_root(sys.argv[2], sys.argv[3], *[int(n) for n in sys.argv[4:]])')
    subprocess.run([SYSTEM_PYTHON, '-c', script, REPO_ROOT, root, os.path.join(workdir, 'repo'), str(args.available),
                    str(args.installed), str(args.updated), '3', str(args.not_installed_security)], check=True)
    config_file = os.path.join(workdir, 'apt.conf')
    # RootDir is read before apt.conf.d, so the root's configuration is used, not this machine's.
    with open(config_file, 'w') as handle:
        handle.write('RootDir "%s/";\n' % root)
    return root, config_file


def keep_no_binary_cache(root):
    """This machine's apt configuration in the root: no binary cache kept (Debian container images)."""
    target = os.path.join(root, 'etc/apt/apt.conf.d/docker-clean')
    if os.path.exists(MACHINE_NO_CACHE_CONFIG):
        shutil.copy(MACHINE_NO_CACHE_CONFIG, target)
    else:
        with open(target, 'w') as handle:
            handle.write(NO_CACHE_CONFIG_TEXT)
    remove_binary_cache(root)


def keep_binary_cache(root):
    os.unlink(os.path.join(root, 'etc/apt/apt.conf.d/docker-clean'))
    remove_binary_cache(root)


def remove_binary_cache(root):
    for name in ('pkgcache.bin', 'srcpkgcache.bin'):
        path = os.path.join(root, 'var/cache/apt', name)
        if os.path.exists(path):
            os.unlink(path)


def contenders_for(workdir, root, env, native_env, native_options):
    return [
        ('native', ['apt', 'list', '--upgradable', '-o', 'Debug::NoLocking=1'] + native_options, native_env),
        ('floor', [SYSTEM_PYTHON, '-c', FLOOR_CHILD, root], env),
        ('module', module_argv(workdir, root), env),
        ('backend', [SYSTEM_PYTHON, '-c', BACKEND_CHILD, root], env),
    ]


def print_table(title, figures, cpu):
    native_wall, native_rss, _output = figures['native']
    floor_wall = figures['floor'][0]
    print(title)
    print('')
    print('| process | wall (median) | ratio to apt list | ratio to floor | CPU (median) | peak RSS | RSS ratio |')
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
    for label in ORDER:
        wall, rss, _output = figures[label]
        print('| %s | %.3f s | %.2fx | %.2fx | %.3f s | %.1f MiB | %.2fx |'
              % (TITLES[label], wall, wall / native_wall, wall / floor_wall, cpu[label], rss / 1024.0,
                 rss / float(native_rss)))
    print('')


def module_state(figures):
    output = figures['module'][2]
    result = json.loads(output[output.index('{'):])
    if result.get('failed') or result.get('changed'):
        raise SystemExit('the module failed or changed something: %s' % output[:500])
    return result['instance_patch_state']


def upgradable_lines(figures):
    return sum(1 for line in figures['native'][2].splitlines() if 'upgradable from' in line)


def check_synthetic(args, figures):
    upgradable = upgradable_lines(figures)
    state = module_state(figures)
    universe = json.loads(figures['backend'][2])
    if (upgradable != args.updated or state.get('missing_count') != args.updated // 3
            or state.get('not_applicable_count') != args.not_installed_security
            or universe['installed'] != args.installed):
        raise SystemExit('the synthetic root was not read as written (apt list: %d upgradable; module: %s; '
                         'backend: %s); figures would be meaningless' % (upgradable, json.dumps(state)[:500], universe))
    return ('module result: missing_count %s, not_applicable_count %s, installed_other_count %s; backend: %d '
            'candidate records; apt list: %d upgradable; apt cache: %s packages'
            % (state['missing_count'], state['not_applicable_count'], state['installed_other_count'],
               universe['candidates'], upgradable, figures['floor'][2].strip()))


def found_on_host(figures):
    state = module_state(figures)
    universe = json.loads(figures['backend'][2])
    return ('module result: missing_count %s, installed_count %s, installed_other_count %s; backend: %d installed, '
            '%d candidate records; apt list: %d upgradable; apt cache: %s packages'
            % (state['missing_count'], state['installed_count'], state['installed_other_count'],
               universe['installed'], universe['candidates'], upgradable_lines(figures), figures['floor'][2].strip()))


def list_text(path):
    """A lists/ file's text, whatever apt compressed it with."""
    return subprocess.run(['/usr/lib/apt/apt-helper', 'cat-file', path], check=True,
                          stdout=subprocess.PIPE).stdout.decode('utf-8', 'replace')


STATISTICS_ROWS = (('stanzas', 'stanzas', '%d'), ('stanza_bytes', 'bytes per stanza', '%.0f'),
                   ('Description_length', 'description characters', '%.0f'),
                   ('Description-md5', 'Description-md5', '%.2f'), ('Homepage', 'Homepage', '%.2f'),
                   ('Tag', 'Tag', '%.2f'), ('Multi-Arch', 'Multi-Arch', '%.2f'), ('Source', 'Source', '%.2f'),
                   ('versioned_dependencies', 'versioned dependencies', '%.2f'))


def print_statistics(root):
    """Per-stanza averages of this machine's bookworm main list and dpkg status beside the synthetic ones."""
    columns = []
    host_lists = [path for path in glob.glob('/var/lib/apt/lists/*_Packages*') if '_bookworm_main_' in path]
    if host_lists:
        columns.append(('this machine: %s' % os.path.basename(host_lists[0]).split('_dists_')[-1],
                        debrepo.stanza_statistics(list_text(host_lists[0]))))
    synthetic = [path for path in glob.glob(os.path.join(root, 'var/lib/apt/lists/*_Packages'))
                 if '_bookworm_main_' in path]
    with open(synthetic[0]) as handle:
        columns.append(('synthetic bookworm main', debrepo.stanza_statistics(handle.read())))
    if os.path.exists('/var/lib/dpkg/status'):
        with open('/var/lib/dpkg/status') as handle:
            columns.append(('this machine: dpkg status', debrepo.stanza_statistics(handle.read())))
    with open(os.path.join(root, 'var/lib/dpkg/status')) as handle:
        columns.append(('synthetic dpkg status', debrepo.stanza_statistics(handle.read())))
    print('Index stanzas, this machine vs. the synthetic root (share of stanzas with a field; relationship fields: '
          'share / mean entries)')
    print('')
    print('| field | %s |' % ' | '.join(title for title, _figures in columns))
    print('| --- |' + ' ---: |' * len(columns))
    for key, label, form in STATISTICS_ROWS:
        print('| %s | %s |' % (label, ' | '.join(form % figures.get(key, 0) for _title, figures in columns)))
    for key in debrepo.RELATIONSHIP_FIELDS:
        print('| %s | %s |' % (key, ' | '.join('%.3f / %.2f' % figures.get(key, (0, 0)) for _title, figures in columns)))
    print('')


def breakdown(args_file, env):
    """Median seconds of the module process's parts, from 3 extra runs on the synthetic root."""
    runs = [json.loads(measured([SYSTEM_PYTHON, '-c', BREAKDOWN_CHILD, args_file[1], args_file[2]], env)[2])
            for _round in range(3)]
    parts = ('import_ansible', 'import_collection', 'main', 'open_cache', 'read_universe', 'evaluate', 'exit_json')
    middle = dict((part, statistics.median(run.get(part, 0.0) for run in runs)) for part in parts)
    return ('module process on the synthetic root without binary cache, inside (median of 3, seconds): import '
            'ansible.module_utils.basic %.3f, import the module (collection, _run) %.3f, main() %.3f of which '
            'read_universe %.3f (apt cache open %.3f), evaluate %.3f, exit_json %.3f'
            % tuple(middle[part] for part in ('import_ansible', 'import_collection', 'main', 'read_universe',
                                              'open_cache', 'evaluate', 'exit_json')))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=7)
    parser.add_argument('--available', type=int, default=60000)
    parser.add_argument('--installed', type=int, default=3000)
    parser.add_argument('--updated', type=int, default=300)
    parser.add_argument('--not-installed-security', type=int, default=500)
    parser.add_argument('--no-host', action='store_true', help='skip the read-only Scan of this machine (root=/)')
    args = parser.parse_args()

    byte_compile_collection()
    env, shim = child_environment()
    native_env = dict(env)
    native_env.pop('PYTHONPATH', None)
    workdir = tempfile.mkdtemp(prefix='scan-apt-bench.')
    try:
        root, config_file = generate(workdir, args)
        synthetic_env = dict(native_env, APT_CONFIG=config_file)
        print('apt Scan benchmark: %d available packages (bookworm, -updates, -security), %d installed, %d with '
              'updates (%d security), %d security updates for packages not installed; median of %d runs'
              % (args.available, args.installed, args.updated, args.updated // 3, args.not_installed_security,
                 args.repeat))
        print('')
        print_statistics(root)

        floor_lines = []
        keep_no_binary_cache(root)
        contenders = contenders_for(workdir, root, env, synthetic_env, NATIVE_NO_CACHE_OPTIONS)
        cpu = {}
        figures = compare(contenders, 'native', args.repeat, cpu)
        summary = check_synthetic(args, figures)
        if os.path.exists(os.path.join(root, 'var/cache/apt/pkgcache.bin')):
            raise SystemExit('a binary cache appeared in the root although its configuration disables it')
        print_table('synthetic root, no binary cache kept (this machine\'s %s in the root)'
                    % MACHINE_NO_CACHE_CONFIG, figures, cpu)
        print(summary)
        print('')
        floor_lines.append(floor_line('apt, synthetic root without binary cache', figures, cpu))
        inside = breakdown(contenders[2][1], env)

        keep_binary_cache(root)
        cpu = {}
        figures = compare(contenders_for(workdir, root, env, synthetic_env, []), 'native', args.repeat, cpu)
        check_synthetic(args, figures)
        print_table('synthetic root, binary cache kept (Debian\'s default: apt keeps pkgcache.bin in the root, warm)',
                    figures, cpu)
        floor_lines.append(floor_line('apt, synthetic root with binary cache (Debian default)', figures, cpu))

        if not args.no_host:
            cpu = {}
            figures = compare(contenders_for(workdir, '/', env, native_env, []), 'native', args.repeat, cpu)
            print_table('this machine, root=/ (read-only Scan; lists and configuration as they are)', figures, cpu)
            print(found_on_host(figures))
            print('')
            floor_lines.append(floor_line('apt, this machine (root=/)', figures, cpu))
    finally:
        shutil.rmtree(shim, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    print(inside)
    print('')
    print('target: module process <= 1.6x apt list --upgradable, and <= %.1fx its floor' % FLOOR_TARGET)
    for line in floor_lines:
        print(line)


if __name__ == '__main__':
    main()
