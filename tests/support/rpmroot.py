# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An rpm-family alternate root that ``dnf --installroot`` / ``zypper --root`` can manage.

The root is empty except for an initialised rpmdb, ``/etc/os-release`` naming an rpm
distribution, an empty ``/etc/yum.repos.d`` and a ``/bin/sh``. rpm runs %post
scriptlets chrooted into the root, so a shell must exist there; rather than building a
whole Debian root (slow, and another helper's cache) we copy the host's dash and the
few shared libraries ldd lists for it. That is enough for the tiny scriptlets of the
generated packages and keeps a root at a few hundred KiB, created in milliseconds.

The rpmdb lives wherever this machine's rpm puts it (``%_dbpath``, on Debian
``~/.rpmdb``) below the root: rpm --root, dnf --installroot and the backend all use the
same macro, so they agree without any change to the machine's rpm configuration.
"""

import os
import shutil
import subprocess
import tempfile

from tests.support import rpmrepo

OS_RELEASES = {
    'REDHAT_ENTERPRISE_LINUX': ('rhel', '9.4', 'Red Hat Enterprise Linux'),
    'ROCKY_LINUX': ('rocky', '9.4', 'Rocky Linux'),
    'ALMA_LINUX': ('almalinux', '9.4', 'AlmaLinux'),
    'ORACLE_LINUX': ('ol', '9.4', 'Oracle Linux Server'),
    'CENTOS': ('centos', '9', 'CentOS Stream'),
    'AMAZON_LINUX_2023': ('amzn', '2023', 'Amazon Linux'),
}


def rpm_dbpath():
    """The rpmdb directory rpm uses, relative to a root (host macro ``%_dbpath``)."""
    return subprocess.run(['rpm', '--eval', '%_dbpath'], stdout=subprocess.PIPE, universal_newlines=True,
                          check=True).stdout.strip()


def _shared_libraries(binary):
    output = subprocess.run(['ldd', binary], stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    libraries = []
    for line in output.splitlines():
        for word in line.split():
            if word.startswith('/'):
                libraries.append(word)
    return libraries


def _copy_into(root, source):
    target = os.path.join(root, source.lstrip('/'))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copy2(os.path.realpath(source), target)


def install_shell(root):
    """Put the host's dash at <root>/bin/sh with the libraries it needs."""
    dash = shutil.which('dash') or '/bin/sh'
    for library in _shared_libraries(dash):
        _copy_into(root, library)
    os.makedirs(os.path.join(root, 'bin'), exist_ok=True)
    shutil.copy2(os.path.realpath(dash), os.path.join(root, 'bin', 'sh'))


SHELL_STUB_SPEC = """Name: fleetops-root-shell
Version: 1
Release: 1
Summary: Declares the /bin/sh copied into a fleetops test root
License: GPL-3.0-or-later
BuildArch: noarch
Provides: /bin/sh
Provides: /bin/bash
%description
The test root's /bin/sh is a copy of the host's dash; this makes rpm and dnf know it.
%files
"""


def shell_stub_rpm():
    """A cached rpm that provides /bin/sh (the %post requirement rpmbuild adds)."""
    target = os.path.join(rpmrepo.cache_dir(), 'rpms', 'root-shell-%s' % rpmrepo.CACHE_FORMAT,
                          'fleetops-root-shell-1-1.noarch.rpm')
    if os.path.exists(target):
        return target
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        spec = os.path.join(workdir, 'stub.spec')
        with open(spec, 'w') as handle:
            handle.write(SHELL_STUB_SPEC)
        subprocess.run(['rpmbuild', '-bb', '--quiet', '--define', '_topdir %s' % workdir, spec], check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        staged = target + '.%d.tmp' % os.getpid()
        shutil.copyfile(os.path.join(workdir, 'RPMS', 'noarch', os.path.basename(target)), staged)
        os.replace(staged, target)
    return target


def write_os_release(root, operating_system='REDHAT_ENTERPRISE_LINUX'):
    """Write <root>/etc/os-release for ``operating_system`` (an AWS OperatingSystem name)."""
    os_id, version, name = OS_RELEASES[operating_system]
    path = os.path.join(root, 'etc', 'os-release')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write('NAME="%s"\nVERSION="%s"\nID="%s"\nVERSION_ID="%s"\nPRETTY_NAME="%s %s"\n'
                     % (name, version, os_id, version, name, version))


def create_root(root, operating_system='REDHAT_ENTERPRISE_LINUX'):
    """Create an empty rpm-family root at ``root``; return its path."""
    root = os.path.abspath(root)
    for directory in ('etc/yum.repos.d', 'etc/dnf', 'var/cache/dnf', 'var/lib/dnf', 'var/log', 'tmp', 'run'):
        os.makedirs(os.path.join(root, directory), exist_ok=True)
    os.chmod(os.path.join(root, 'tmp'), 0o1777)
    write_os_release(root, operating_system)
    with open(os.path.join(root, 'etc', 'dnf', 'dnf.conf'), 'w') as handle:
        # keep dnf inside the root: no plugins of the machine, no weak deps; best=True as on RHEL 8+
        handle.write('[main]\ngpgcheck=0\ninstallonly_limit=3\nclean_requirements_on_remove=False\n'
                     'install_weak_deps=False\nplugins=0\nbest=True\nskip_if_unavailable=False\n')
    install_shell(root)
    subprocess.run(['rpm', '--root', root, '--initdb'], check=True)
    install_with_rpm(root, [shell_stub_rpm()], justdb=True)
    return root


def install_with_rpm(root, rpm_paths, justdb=False):
    """Install rpm files straight into the root (test setup: the 'before' state)."""
    argv = ['rpm', '--root', root, '-i', '--nodeps', '--nosignature', '--nodigest']
    if justdb:
        argv += ['--justdb', '--noscripts', '--notriggers']
    subprocess.run(argv + list(rpm_paths), check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def installed(root):
    """{name: 'E:V-R'} of the packages in the root's rpmdb (what a user checks with rpm -qa)."""
    output = subprocess.run(['rpm', '--root', root, '-qa', '--qf', '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n'],
                            stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    return dict(line.split(' ', 1) for line in output.splitlines() if line and not line.startswith('fleetops-root-shell '))


def dnf_argv(root, *args):
    """argv for the dnf CLI confined to ``root`` (its config and repos only)."""
    return ['dnf', '-y', '-q', '--installroot', root, '--config', os.path.join(root, 'etc', 'dnf', 'dnf.conf'),
            '--setopt', 'reposdir=%s' % os.path.join(root, 'etc', 'yum.repos.d'),
            '--releasever', '9', '--disableplugin', '*'] + list(args)
