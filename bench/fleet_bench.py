# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fleet runs over SSH: our fleet playbooks against one task and the usual Ansible way.

Brings up the SSH test fleet of Debian nodes (tests/fleet/fleetctl.py; root needed) at each
size (default 32 and 96, forks = nodes) and times, alternating the order between repeats:

Scan
- fleet:    ``fleetops.patch_manager.scan`` on the fleet file with the example registry beside it
            (registry resolution, one snapshot, rate control, the fleet summary);
- one task: tests/fleet/playbooks/patch.yml, one ``run_patch_baseline`` task (Scan, inline baseline);
- native:   tests/fleet/playbooks/native_scan.yml (``ansible.builtin.apt`` dist-upgrade in check mode).
Install (every node is put back to the old versions before each run, untimed)
- fleet:    ``fleetops.patch_manager.install`` with ``max_concurrency=100%``, NoReboot;
- one task: patch.yml with Install, NoReboot;
- native:   ``ansible.builtin.apt`` dist-upgrade (tests/fleet/playbooks/native_install.yml).

The fleet playbooks run their module call with SSH pipelining (``patch_ssh_pipelining``, default
true); "one task" and "native" run with Ansible's defaults (no pipelining), as users write them.
For the same connection settings on both sides, "one task, pipelined" (both operations) and
"native, pipelined" (Scan) run with ``ansible_pipelining=true``.

Every contender refreshes the package lists as it does by default. Figures are medians of
wall time and of the controller's CPU time (ansible-playbook and every process it started:
forks and ssh clients; the nodes' own processes are not its children), per run and per host.

Usage: .venv/bin/python bench/fleet_bench.py [--sizes 32,96] [--repeat 3] [--operations scan,install] [--keep]
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.fleet import fleetctl, scenario  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOKS = os.path.join(REPO, 'tests', 'fleet', 'playbooks')
REGISTRY = os.path.join(REPO, 'tests', 'fleet_layer', 'patch_registry')
ANSIBLE_PLAYBOOK = os.path.join(REPO, '.venv', 'bin', 'ansible-playbook')
# Puts a node back to the versions it started with, and forgets pending reboots.
RESET = ('apt-get install -y -qq --allow-downgrades fleet-base=1.0-1 fleet-tool=2.0-1 >/dev/null '
         '&& rm -f /var/lib/fleetops-patch/state.json')


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


RECAP_LINE = re.compile(r'^(\S+)\s+:\s+ok=\d+\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)', re.MULTILINE)


def run_playbook(playbook, inventory, forks, extra_vars=None):
    """(wall seconds, controller CPU seconds) of one run; fails loudly if a host failed.

    The run prints what a user sees (Ansible's default stdout callback): a callback that
    collects every result would cost the controller more for large results than for small
    ones and skew the comparison. Failures are read from the play recap.
    """
    argv = [ANSIBLE_PLAYBOOK, '-i', inventory, playbook, '--forks', str(forks)]
    if extra_vars:
        argv += ['--extra-vars', json.dumps(extra_vars)]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg'), ANSIBLE_STDOUT_CALLBACK='default',
               ANSIBLE_NOCOLOR='1')
    cpu_before = children_cpu()
    started = time.monotonic()
    result = subprocess.run(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, check=False)
    wall = time.monotonic() - started
    cpu = children_cpu() - cpu_before
    if result.returncode != 0:
        raise SystemExit('%s failed (rc %d):\n%s\n%s' % (
            os.path.basename(playbook), result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    recap = RECAP_LINE.findall(result.stdout)
    failed = [host for host, unreachable, failures in recap if int(unreachable) or int(failures)]
    if not recap or failed:
        raise SystemExit('%s: %s' % (os.path.basename(playbook), 'hosts failed: %s' % failed if failed
                                     else 'no play recap:\n%s' % result.stdout[-3000:]))
    return wall, cpu


def reset_nodes(state, forks):
    argv = [os.path.join(REPO, '.venv', 'bin', 'ansible'), 'all', '-i', state['inventory'], '--forks', str(forks),
            '-m', 'ansible.builtin.shell', '-a', RESET]
    subprocess.run(argv, cwd=REPO, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg')),
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)


def workspace_for(state):
    """A fleet file with the example registry beside it, as users lay it out."""
    directory = tempfile.mkdtemp(prefix='fleet-bench-')
    shutil.copytree(REGISTRY, os.path.join(directory, 'patch_registry'))
    fleet_file = os.path.join(directory, 'fleet.yml')
    shutil.copy(state['fleet_file'], fleet_file)
    return directory, fleet_file


def contenders(operation, state, fleet_file, snapshots):
    baselines = {family: scenario.fleet_baseline(family) for family in fleetctl.FAMILIES}
    one_task = ('one task', os.path.join(PLAYBOOKS, 'patch.yml'), state['inventory'],
                {'patch_operation': operation, 'fleet_baselines': baselines,
                 'patch_reboot_option': 'NoReboot'})
    if operation == 'Scan':
        fleet = ('fleet', 'fleetops.patch_manager.scan', fleet_file, {})
        native = ('native', os.path.join(PLAYBOOKS, 'native_scan.yml'), state['inventory'], {})
    else:
        fleet = ('fleet', 'fleetops.patch_manager.install', fleet_file,
                 {'max_concurrency': '100%', 'max_errors': '100%', 'patch_reboot_option': 'NoReboot'})
        native = ('native', os.path.join(PLAYBOOKS, 'native_install.yml'), state['inventory'], {})
    os.environ['FLEETOPS_PATCH_SNAPSHOT_DIR'] = snapshots
    pipelined = [('one task, pipelined', one_task[1], one_task[2], dict(one_task[3], ansible_pipelining=True))]
    if operation == 'Scan':
        pipelined.append(('native, pipelined', native[1], native[2], dict(native[3], ansible_pipelining=True)))
    return [fleet, one_task, native] + pipelined


def measure(operation, state, fleet_file, snapshots, forks, repeat):
    """{name: [(wall, cpu), ...]} for one operation at one size."""
    entries = contenders(operation, state, fleet_file, snapshots)
    times = dict((name, []) for name, _playbook, _inventory, _extra in entries)
    for index in range(repeat + 1):
        order = entries if index % 2 == 0 else list(reversed(entries))
        for name, playbook, inventory, extra in order:
            if operation == 'Install':
                reset_nodes(state, forks)
            measured = run_playbook(playbook, inventory, forks, extra)
            if index:                      # the first round warms caches and connections
                times[name].append(measured)
    return times


def report(operation, size, times):
    one_task = statistics.median(wall for wall, _cpu in times['one task'])
    rows = []
    for name in times:
        wall = statistics.median(wall for wall, _cpu in times[name])
        cpu = statistics.median(cpu for _wall, cpu in times[name])
        rows.append('| %s | %d | %s | %.2f | %.2fx | %.1f | %.3f |'
                    % (operation, size, name, wall, wall / one_task, cpu, cpu / size))
        if name == 'fleet':
            fleet_wall = wall
    return rows, fleet_wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='32,96')
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--operations', default='scan,install')
    parser.add_argument('--keep', action='store_true', help='leave the last fleet running afterwards')
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(',')]
    operations = [{'scan': 'Scan', 'install': 'Install'}[name] for name in args.operations.split(',')]
    if args.repeat < 1:
        parser.error('--repeat: %d is below 1' % args.repeat)
    print('Fleet runs over SSH on Debian test nodes, forks = nodes; median of %d runs each after one warm-up round'
          % args.repeat)
    print('controller CPU: ansible-playbook and its forks and ssh clients (user + system)')
    print()
    print('| operation | nodes | contender | wall s | x one task | controller CPU s | CPU s per host |')
    print('| --- | ---: | --- | ---: | ---: | ---: | ---: |')
    fleet_walls = {}
    with fleetctl.session_lock():       # waits while a test session uses the fleet
        try:
            for size in sizes:
                state = fleetctl.up(size, 'deb')
                directory, fleet_file = workspace_for(state)
                try:
                    for operation in operations:
                        times = measure(operation, state, fleet_file, os.path.join(directory, 'snapshots'),
                                        size, args.repeat)
                        rows, fleet_walls[(operation, size)] = report(operation, size, times)
                        print('\n'.join(rows), flush=True)
                finally:
                    shutil.rmtree(directory, ignore_errors=True)
        finally:
            if not args.keep:
                with fleetctl.fleet_lock():
                    fleetctl.down()
    if len(sizes) > 1:
        print()
        low, high = min(sizes), max(sizes)
        for operation in operations:
            growth = fleet_walls[(operation, high)] / fleet_walls[(operation, low)]
            print('%s: fleet playbook wall time grows %.2fx from %d to %d nodes (%.2fx the nodes)'
                  % (operation, growth, low, high, float(high) / low))
    return 0


if __name__ == '__main__':
    sys.exit(main())
