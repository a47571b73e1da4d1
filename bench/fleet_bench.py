# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fleet Scan over SSH: run_patch_baseline against the usual Ansible way, on the test fleet.

Brings up the SSH test fleet (tests/fleet/fleetctl.py; root needed), then times, in the
same run and alternating, two playbooks over every node and over each family alone:

- ours:   tests/fleet/playbooks/patch.yml, operation Scan (metadata refresh, full evaluation
          against a baseline, compliance counters);
- native: tests/fleet/playbooks/native_scan.yml (apt upgrade / dnf latest in check mode with
          a cache update, zypper list-updates): what playbooks do without a patch baseline.

Figures are wall-clock medians; the ratio is ours / native (below 1 means ours is faster).

Usage: .venv/bin/python bench/fleet_bench.py [--nodes 6] [--repeat 3] [--keep]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from tests.fleet import fleetctl, scenario  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOKS = os.path.join(REPO, 'tests', 'fleet', 'playbooks')
CALLBACKS = os.path.join(REPO, 'tests', 'fleet', 'callback_plugins')


def run_playbook(inventory, playbook, limit, extra_vars, forks):
    """Seconds the playbook took; fails loudly if any host failed (a figure of a failed run means nothing)."""
    argv = [os.path.join(REPO, '.venv', 'bin', 'ansible-playbook'), '-i', inventory, playbook, '--forks', str(forks),
            '--limit', limit, '--extra-vars', json.dumps(extra_vars)]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, 'ansible.cfg'), ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
               ANSIBLE_STDOUT_CALLBACK='fleet_results')
    started = time.monotonic()
    result = subprocess.run(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, check=False)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit('%s failed (rc %d):\n%s\n%s' % (
            os.path.basename(playbook), result.returncode, result.stdout[-3000:], result.stderr[-3000:]))
    stats = json.loads(result.stdout)['stats']
    if any(host['failures'] or host['unreachable'] for host in stats.values()):
        raise SystemExit('%s: a host failed: %s' % (os.path.basename(playbook), stats))
    return elapsed


def measure(state, limit, repeat, forks):
    ours_vars = {'patch_operation': 'Scan',
                 'fleet_baselines': {family: scenario.fleet_baseline(family) for family in fleetctl.FAMILIES}}
    ours, native = [], []
    for index in range(repeat):
        pair = [('ours', os.path.join(PLAYBOOKS, 'patch.yml'), ours_vars, ours),
                ('native', os.path.join(PLAYBOOKS, 'native_scan.yml'), {}, native)]
        if index % 2:
            pair.reverse()          # alternate, so warm caches favour neither side
        for _name, playbook, extra_vars, times in pair:
            times.append(run_playbook(state['inventory'], playbook, limit, extra_vars, forks))
    return statistics.median(ours), statistics.median(native)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--nodes', type=int, default=6)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--keep', action='store_true', help='leave the fleet running afterwards')
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error('--repeat: %d is below 1' % args.repeat)
    with fleetctl.session_lock():       # waits while a test session uses the fleet
        state = fleetctl.up(args.nodes, 'mix')
        try:
            families = sorted({node['family'] for node in state['nodes']})
            counts = ', '.join('%d %s' % (sum(node['family'] == family for node in state['nodes']), family)
                               for family in families)
            print('Fleet Scan over SSH, %d nodes (%s), forks=%d, median of %d runs each'
                  % (len(state['nodes']), counts, args.nodes, args.repeat))
            print('%-12s %10s %10s %14s' % ('hosts', 'ours s', 'native s', 'ours/native'))
            for limit in ['all'] + ['fleet_%s' % family for family in families]:
                ours, native = measure(state, limit, args.repeat, args.nodes)
                print('%-12s %10.2f %10.2f %14.2f' % (limit, ours, native, ours / native))
        finally:
            if not args.keep:
                with fleetctl.fleet_lock():
                    fleetctl.down()
    return 0


if __name__ == '__main__':
    sys.exit(main())
