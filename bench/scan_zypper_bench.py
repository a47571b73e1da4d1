# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: a zypper Scan (the module run directly) against ``zypper list-patches`` on the same root.

Setup (not timed; installed rpms are cached): an rpm root with a SUSE os-release and
3,000 installed packages (rpmdb only), a synthetic rpm-md repository of 60,000 available
packages (mostly distinct names; 300 installed packages have two newer versions) and
about 2,000 patches in its updateinfo, refreshed by zypper. The metadata per package
is sized like a real RHEL 9 / SLES 15 repository's (estimates; see the constants of
tests/support/rpmrepo.py): 11 requires, 7 provides, 20 files in filelists, 3 changelog
entries, a 420-byte description; each notice has a 1,300-byte description, a self, CVE
and bugzilla reference; notices for packages that are not installed list 8 packages each. Timed in the same run, on the
same root and warm caches, each a fresh process, median of --repeat runs:

  module          /usr/bin/python3 plugins/modules/run_patch_baseline.py <args file>
                  (Scan, predefined AWS-SuseDefaultPatchBaseline, update_cache false)
  backend         ZypperBackend.read_universe alone (advisory_only True and False)
  floor           /usr/bin/python3 that imports AnsibleModule and reads what every Scan of the root
                  must read, each the cheapest way a Python module on the host can: the enabled
                  repositories (``zypper repos``, the one zypper call the backend cannot avoid:
                  zypper's own view of repos.d and its defaults), the installed packages (``rpm
                  -qa``, in a thread, as the backend runs it) and the patches (one pass of the
                  standard library's XML parser over each repository's cached updateinfo: zypper
                  itself reads them from its binary solv cache, which Python cannot; the dnf
                  floor's sack load reads the same updateinfo). FLOOR RATIO = module / floor.
  floor (commands only)  the same without the updateinfo pass, for comparison.
  native          zypper --root <root> --non-interactive --no-refresh list-patches

Run as root: /usr/bin/python3 bench/scan_zypper_bench.py [--repeat 9] [--workdir DIR]
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402  pylint: disable=wrong-import-position
from tests.support import rpmrepo, rpmroot  # noqa: E402  pylint: disable=wrong-import-position

SUSE = ('SUSE', 'Suse15.6')

FLOOR_CHILD = r'''
import glob, gzip, os, subprocess, sys, threading
import xml.etree.ElementTree as ET
from ansible.module_utils.basic import AnsibleModule
root = sys.argv[1]
read_patches = %(read_patches)r
env = dict(os.environ, LANG='C', LC_ALL='C', LANGUAGE='C')
out = {}
def rpm():
    out['rpm'] = subprocess.run(['rpm', '--root', root, '-qa', '--qf',
                                 '%%{NAME}\\t%%{ARCH}\\t%%{EPOCHNUM}:%%{VERSION}-%%{RELEASE}\\t%%{INSTALLTIME}\\n'],
                                stdout=subprocess.PIPE, env=env, check=True).stdout
thread = threading.Thread(target=rpm)
thread.start()
repos = subprocess.run(['zypper', '--root', root, '--non-interactive', '--xmlout', '--no-refresh', 'repos'],
                       stdout=subprocess.PIPE, env=env, check=True).stdout
updates = 0
for path in glob.glob(os.path.join(root, 'var/cache/zypp/raw/*/repodata/*updateinfo.xml*')) if read_patches else ():
    with (gzip.open(path) if path.endswith('.gz') else open(path, 'rb')) as handle:
        for _event, element in ET.iterparse(handle):
            if element.tag == 'update':
                updates += 1
                element.clear()
thread.join()
print('%%d installed, %%d repositories, %%d patches' %% (len(out['rpm'].splitlines()), repos.count(b'<repo '), updates))
'''
SUSE_OS_RELEASE = ('NAME="SLES"\nVERSION="15-SP6"\nVERSION_ID="15.6"\nID="sles"\nID_LIKE="suse"\n'
                   'PRETTY_NAME="SUSE Linux Enterprise Server 15 SP6"\n')


def prepare(workdir, scenario):
    repository = rpmrepo.synthetic_repository(os.path.join(workdir, 'repo'), scenario.available, scenario.advisories,
                                              name='bench')
    shutil.rmtree(os.path.join(workdir, 'root'), ignore_errors=True)
    root = rpmroot.create_root(os.path.join(workdir, 'root'))
    with open(os.path.join(root, 'etc', 'os-release'), 'w') as handle:
        handle.write(SUSE_OS_RELEASE)
    rpms = rpmrepo.build_rpms(scenario.installed)
    rpmroot.install_with_rpm(root, [rpms[spec] for spec in scenario.installed], justdb=True)
    repository.write_repo_file(os.path.join(root, 'etc', 'zypp', 'repos.d'))
    subprocess.run(['zypper', '--root', root, '--non-interactive', 'refresh'], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, LANG='C'))
    return root


def main():
    scenario = _common.Scenario(types=('security', 'recommended', 'optional', 'feature', 'security', 'document'),
                                severities=('critical', 'important', 'moderate', 'low', 'important'),
                                advisory_prefix='SUSE-SLE-Module-Basesystem-15-SP6-2026-')
    _common.run('zypper Scan', scenario, prepare, ('_backend_zypper', 'ZypperBackend') + SUSE,
                ('native zypper list-patches',
                 lambda root: ['zypper', '--root', root, '--non-interactive', '--no-refresh', 'list-patches']),
                native_env=dict(os.environ, LANG='C'),
                floors=[('floor: python3 + AnsibleModule + repos, rpm, updateinfo', FLOOR_CHILD % {'read_patches': True}),
                        ('floor (commands only): python3 + AnsibleModule + repos, rpm',
                         FLOOR_CHILD % {'read_patches': False})])


if __name__ == '__main__':
    main()
