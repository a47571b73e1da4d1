# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: a dnf Scan (the module run directly) against ``dnf -C updateinfo list --available``.

Setup (not timed; installed rpms are cached): an rpm root with 3,000 installed packages
(rpmdb only), a synthetic rpm-md repository of 60,000 available packages (mostly
distinct names; 300 installed packages have two newer versions) and about 2,000
updateinfo notices, its metadata cache made by ``dnf makecache``. The metadata per package
is sized like a real RHEL 9 / SLES 15 repository's (estimates; see the constants of
tests/support/rpmrepo.py): 11 requires, 7 provides, 20 files in filelists, 3 changelog
entries, a 420-byte description; each notice has a 1,300-byte description, a self, CVE
and bugzilla reference; notices for packages that are not installed list 8 packages each. Timed in the same
run, on the same root and warm cache, each a fresh process, median of --repeat runs:

  module          /usr/bin/python3 plugins/modules/run_patch_baseline.py <args file>
                  (Scan, predefined AWS-RedHatDefaultPatchBaseline, update_cache false)
  backend         DnfBackend.read_universe alone (advisory_only as the module would pass
                  it for that baseline, and False)
  floor           /usr/bin/python3 that imports AnsibleModule and dnf and loads the root's
                  sack (installed packages and the cached repository metadata, updateinfo
                  included) as the backend configures dnf for it (installroot, the root's
                  dnf.conf and yum.repos.d, cache only): the least an AnsibleModule-based
                  module that asks dnf costs there. FLOOR RATIO = module / floor.
  native          dnf -C --installroot <root> updateinfo list --available

Run as root: /usr/bin/python3 bench/scan_dnf_bench.py [--repeat 9] [--workdir DIR]
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common  # noqa: E402  pylint: disable=wrong-import-position
from tests.support import rpmrepo, rpmroot  # noqa: E402  pylint: disable=wrong-import-position

RHEL = ('REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux9.4')

FLOOR_CHILD = r'''
import os, sys
from ansible.module_utils.basic import AnsibleModule
import dnf
root = sys.argv[1]
base = dnf.Base()
conf = base.conf
conf.installroot = root
conf.config_file_path = os.path.join(root, 'etc/dnf/dnf.conf')
conf.read()
conf.reposdir = [os.path.join(root, 'etc/yum.repos.d')]
conf.cacheonly = True
conf.substitutions.update_from_etc(root, varsdir=conf.varsdir)
conf.releasever = '9'
for option in ('cachedir', 'logdir', 'persistdir'):
    conf.prepend_installroot(option)
base.read_all_repos()
base.fill_sack(load_system_repo=True, load_available_repos=True)
print('%d installed, %d available' % (len(base.sack.query().installed()), len(base.sack.query().available())))
'''


def prepare(workdir, scenario):
    repository = rpmrepo.synthetic_repository(os.path.join(workdir, 'repo'), scenario.available, scenario.advisories,
                                              name='bench')
    shutil.rmtree(os.path.join(workdir, 'root'), ignore_errors=True)
    root = rpmroot.create_root(os.path.join(workdir, 'root'))
    rpms = rpmrepo.build_rpms(scenario.installed)
    rpmroot.install_with_rpm(root, [rpms[spec] for spec in scenario.installed], justdb=True)
    repository.write_repo_file(os.path.join(root, 'etc', 'yum.repos.d'), metadata_expire=None)
    subprocess.run(rpmroot.dnf_argv(root, 'makecache'), check=True, stdout=subprocess.DEVNULL)
    return root


def main():
    scenario = _common.Scenario(types=('security', 'bugfix', 'enhancement'),
                                severities=('Critical', 'Important', 'Moderate', 'Low'))
    _common.run('dnf Scan', scenario, prepare, ('_backend_dnf', 'DnfBackend') + RHEL,
                ('native dnf -C updateinfo list --available',
                 lambda root: rpmroot.dnf_argv(root, '-C', 'updateinfo', 'list', '--available')),
                floors=[('floor: python3 + AnsibleModule + dnf sack load', FLOOR_CHILD)])


if __name__ == '__main__':
    main()
