# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test fleet: SSH-reachable Debian / "RHEL 9.4" / "SLES 15 SP5" nodes on loopback.

Usage (as root, from the repository root)::

    python3 tests/fleet/fleetctl.py up [--nodes 6] [--family mix|deb|rpm|suse]
    python3 tests/fleet/fleetctl.py down
    python3 tests/fleet/fleetctl.py status
    python3 tests/fleet/fleetctl.py reboot NODE

Layout under ``$FLEETOPS_TEST_CACHE/fleet`` (default /var/cache/fleetops-patch-tests/fleet):

- ``variants/<family>-...``: the rpm and SUSE variants, each an overlay layer over the
  golden Debian root of tests/support/roots.py that adds Debian's dnf/rpm or zypper and
  the os-release of RHEL 9.4 / SLES 15 SP5. Built once, rebuilt only when missing.
- ``keys/``: the client key (``id_ed25519``) and one host key per node address, kept
  between runs so a host key accepted once stays valid.
- ``run/``: the running fleet: ``state.json`` (every PID started, with its start time),
  ``inventory.yml`` and ``fleet.yml``, ``known_hosts``, ``repos/`` (served over HTTP on
  127.0.0.1) and ``nodes/<name>/`` (overlay upper/work dirs, boot id file, init log).

Node i (1-based) is ``node<i+1>``, listening on 127.0.0.<i+1>:22. A node is
``unshare --mount --pid --uts --fork`` running tests/fleet/nodeinit.py as PID 1; all its
mounts live in its private mount namespace. Teardown kills exactly the recorded PIDs
(checking their start time, so a reused PID is never hit) and removes ``run/``.
"""

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from tests.support import roots  # noqa: E402  pylint: disable=wrong-import-position
from tests.fleet import scenario  # noqa: E402  pylint: disable=wrong-import-position

FAMILIES = ('deb', 'rpm', 'suse')
MAX_NODES = 120
VARIANT_PACKAGES = {'rpm': ('dnf', 'python3-dnf', 'rpm'), 'suse': ('zypper', 'rpm')}
OS_RELEASE = {
    'rpm': ('NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\n'
            'VERSION_ID="9.4"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n'
            'CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"\n'),
    'suse': ('NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\n'
             'ID="sles"\nID_LIKE="suse"\nCPE_NAME="cpe:/o:suse:sles:15:sp5"\n'),
}
VARIANT_FORMAT = 2   # bump when build_variant_inside changes, so cached variants are rebuilt
# Debian's rpm keeps its database in ~/.rpmdb while zypper picks /var/lib/rpm; RHEL and SLES
# both use /var/lib/rpm, so the variants point rpm (and with it dnf) there too.
RPM_DBPATH_MACRO = '%_dbpath /var/lib/rpm\n'
PATCH_GROUPS = ('Production', 'Staging')
SESSION_LOCK = 'session.lock'
NODE_INIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'nodeinit.py')
READY_TIMEOUT = 90
REBOOT_SCRIPT = """#!/bin/sh
# Test fleet node: a reboot asks PID 1 (tests/fleet/nodeinit.py) to stop every process of
# the node, give it a new boot id and start sshd again. PID 1 waits a second first, so
# the caller's SSH session can return, as with shutdown -r.
kill -USR2 1
"""


class FleetError(Exception):
    """The fleet cannot be brought up or down; the message says why."""


# ---- paths and state ---------------------------------------------------------------------

def fleet_dir():
    return os.path.join(roots.cache_dir(), 'fleet')


def run_dir():
    return os.path.join(fleet_dir(), 'run')


def state_path():
    return os.path.join(run_dir(), 'state.json')


def load_state():
    try:
        with open(state_path()) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {'processes': [], 'nodes': []}


def save_state(state):
    os.makedirs(run_dir(), exist_ok=True)
    temporary = state_path() + '.tmp'
    with open(temporary, 'w') as handle:
        json.dump(state, handle, indent=1, sort_keys=True)
    os.replace(temporary, state_path())


@contextlib.contextmanager
def fleet_lock():
    """One fleet operation at a time on this machine."""
    os.makedirs(fleet_dir(), exist_ok=True)
    with open(os.path.join(fleet_dir(), '.lock'), 'w') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def session_lock(wait=True):
    """Held by a test session for as long as it uses the fleet (tests/fleet, tests/fleet_layer),
    so that no other session or ``make fleet-up/down`` replaces the fleet under it."""
    os.makedirs(fleet_dir(), exist_ok=True)
    with open(os.path.join(fleet_dir(), SESSION_LOCK), 'a') as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise FleetError('a test session is using the fleet right now; try again when it has finished')
        yield


# ---- processes, by PID and start time ----------------------------------------------------

def process_start_time(pid):
    """Field 22 of /proc/<pid>/stat (clock ticks since boot), or None if there is no such process."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            stat = handle.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(')', 1)[1].split()
    if fields[0] in ('Z', 'X'):
        # Exited; reap it if it is our own child (fleetctl used as a library, e.g. by pytest).
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return None
    return int(fields[19])


def process_record(role, pid, node=None):
    return {'role': role, 'pid': pid, 'start': process_start_time(pid), 'node': node}


def is_running(record):
    """True when the recorded process still runs (same PID *and* same start time)."""
    start = process_start_time(record['pid'])
    return start is not None and start == record['start']


def wait_until_gone(records, timeout):
    deadline = time.monotonic() + timeout
    while any(is_running(record) for record in records):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stop_processes(records):
    """Stop exactly the recorded processes. Killing a node's init ends its whole PID namespace."""
    order = {'node-init': 0, 'node-unshare': 1, 'http': 2}
    live = [record for record in sorted(records, key=lambda r: order.get(r['role'], 9)) if is_running(record)]
    for record in live:
        sig = signal.SIGTERM if record['role'] == 'http' else signal.SIGKILL
        with contextlib.suppress(ProcessLookupError):
            os.kill(record['pid'], sig)
    if not wait_until_gone(live, 10):
        for record in live:
            if is_running(record):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(record['pid'], signal.SIGKILL)
        if not wait_until_gone(live, 10):
            raise FleetError('processes %s did not stop' % [r['pid'] for r in live if is_running(r)])


def fleet_mounts():
    """Mount points on this host below run/ (normally none: nodes mount in private namespaces)."""
    prefix = run_dir() + '/'
    found = []
    with open('/proc/self/mountinfo') as handle:
        for line in handle:
            mount_point = line.split()[4].replace('\\040', ' ')
            if mount_point.startswith(prefix):
                found.append(mount_point)
    return found


def down():
    """Stop the fleet (also what a crashed earlier run left) and remove its run directory."""
    state = load_state()
    stop_processes(state.get('processes', []))
    for mount_point in sorted(fleet_mounts(), key=len, reverse=True):
        subprocess.run(['umount', '-l', mount_point], check=False)
    if os.path.isdir(run_dir()):
        shutil.rmtree(run_dir())


# ---- variants ----------------------------------------------------------------------------

def _variant_id(family, golden):
    recipe = json.dumps([VARIANT_FORMAT, os.path.basename(golden), VARIANT_PACKAGES[family], OS_RELEASE[family]])
    return '%s-%s' % (family, hashlib.sha256(recipe.encode()).hexdigest()[:12])


def variant_layers(family, golden):
    """The overlay lower layers (top first) of a family's root; builds the variant if missing."""
    if family == 'deb':
        return [golden]
    variants = os.path.join(fleet_dir(), 'variants')
    layer = os.path.join(variants, _variant_id(family, golden))
    if not os.path.isdir(layer):
        os.makedirs(variants, exist_ok=True)
        build = tempfile.mkdtemp(prefix='.build-%s-' % family, dir=variants)
        try:
            for name in ('upper', 'work', 'root'):
                os.mkdir(os.path.join(build, name))
            # A private mount namespace: the build's mounts vanish with it, even after a crash.
            argv = ['unshare', '--mount', '--propagation', 'private', sys.executable, os.path.abspath(__file__),
                    'build-variant-inside', '--family', family, '--golden', golden, '--build', build]
            result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                                    check=False)
            if result.returncode != 0:
                raise FleetError('building the %s variant failed:\n%s' % (family, result.stdout[-4000:]))
            os.rename(os.path.join(build, 'upper'), layer)
            for stale in os.listdir(variants):
                if stale.startswith(family + '-') and stale != os.path.basename(layer):
                    shutil.rmtree(os.path.join(variants, stale), ignore_errors=True)
        finally:
            shutil.rmtree(build, ignore_errors=True)
    return [layer, golden]


def build_variant_inside(family, golden, build):
    """Runs inside a private mount namespace: apt-get install the family's tools into a layer."""
    upper, work, merged = (os.path.join(build, name) for name in ('upper', 'work', 'root'))
    subprocess.run(['mount', '-t', 'overlay', 'fleetops-fleet-build', '-o',
                    'lowerdir=%s,upperdir=%s,workdir=%s' % (golden, upper, work), merged], check=True)
    subprocess.run(['mount', '-t', 'proc', 'proc', os.path.join(merged, 'proc')], check=True)
    subprocess.run(['mount', '--rbind', '/dev', os.path.join(merged, 'dev')], check=True)
    resolv = os.path.join(merged, 'etc/resolv.conf')
    if os.path.islink(resolv) or not os.path.exists(resolv):
        with contextlib.suppress(FileNotFoundError):
            os.remove(resolv)
        open(resolv, 'w').close()
    subprocess.run(['mount', '--bind', '/etc/resolv.conf', resolv], check=True)
    # The golden root has no sources; borrow this machine's for the install only.
    borrowed = []
    for index, source in enumerate(roots.host_apt_source_files()):
        suffix = '.sources' if source.endswith('.sources') else '.list'
        target = os.path.join(merged, 'etc/apt/sources.list.d/fleet-build-%d%s' % (index, suffix))
        shutil.copyfile(source, target)
        borrowed.append(target)
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive', LC_ALL='C')
    chroot = ['chroot', merged]
    subprocess.run(chroot + ['apt-get', '-q', 'update'], check=True, env=env)
    subprocess.run(chroot + ['apt-get', '-q', '-y', '--no-install-recommends', 'install'] + list(VARIANT_PACKAGES[family]),
                   check=True, env=env)
    subprocess.run(chroot + ['apt-get', 'clean'], check=True, env=env)
    for target in borrowed:
        os.remove(target)
    subprocess.run(['umount', resolv], check=True)
    roots._strip_real_sources(merged)  # pylint: disable=protected-access
    for path in ('etc/os-release', 'usr/lib/os-release'):
        target = os.path.join(merged, path)
        with contextlib.suppress(FileNotFoundError):
            os.remove(target)
        with open(target, 'w') as handle:
            handle.write(OS_RELEASE[family])
    os.makedirs(os.path.join(merged, 'etc/rpm'), exist_ok=True)
    with open(os.path.join(merged, 'etc/rpm/macros.fleetops-dbpath'), 'w') as handle:
        handle.write(RPM_DBPATH_MACRO)
    shutil.rmtree(os.path.join(merged, 'var/lib/rpm'), ignore_errors=True)
    os.makedirs(os.path.join(merged, 'var/lib/rpm'))
    subprocess.run(chroot + ['rpm', '--initdb'], check=True, env=env)
    # dnf on Debian: keep it to the fleet's repositories and give $releasever a value.
    if family == 'rpm':
        os.makedirs(os.path.join(merged, 'etc/dnf/vars'), exist_ok=True)
        with open(os.path.join(merged, 'etc/dnf/vars/releasever'), 'w') as handle:
            handle.write('9\n')
        with open(os.path.join(merged, 'etc/dnf/dnf.conf'), 'w') as handle:
            handle.write('[main]\ngpgcheck=0\ninstallonly_limit=3\nclean_requirements_on_remove=False\n'
                         'install_weak_deps=False\nbest=False\nskip_if_unavailable=False\n'
                         'reposdir=/etc/yum.repos.d\n')
    os.makedirs(os.path.join(merged, {'rpm': 'etc/yum.repos.d', 'suse': 'etc/zypp/repos.d'}[family]), exist_ok=True)
    subprocess.run(['umount', '-R', merged], check=True)


# ---- repositories ------------------------------------------------------------------------

def build_repositories(directory):
    """The generated .deb and rpm-md repositories of scenario.py, under ``directory``."""
    from tests.support import debrepo, rpmrepo  # pylint: disable=import-outside-toplevel
    debrepo.build_repository(os.path.join(directory, 'deb'), scenario.MAIN_PACKAGES, security=scenario.SECURITY_PACKAGES)
    rpmrepo.build_repository(os.path.join(directory, 'rpm'), scenario.MAIN_PACKAGES + scenario.SECURITY_PACKAGES,
                             advisories=scenario.ADVISORIES, name='fleetops-fleet')


def start_http(directory):
    port_file = os.path.join(run_dir(), 'http.port')
    log = open(os.path.join(run_dir(), 'http.log'), 'w')
    process = subprocess.Popen([sys.executable, '-m', 'tests.support.httpserve', directory, '--port-file', port_file],
                               cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    log.close()
    record = process_record('http', process.pid)
    deadline = time.monotonic() + 30
    while not os.path.exists(port_file):
        if process.poll() is not None or time.monotonic() > deadline:
            raise FleetError('the repository HTTP server did not start; see %s/http.log' % run_dir())
        time.sleep(0.05)
    with open(port_file) as handle:
        return record, int(handle.read())


# ---- nodes -------------------------------------------------------------------------------

def plan_nodes(count, family):
    """Names, addresses, families and patch-group tags: families round-robin, groups by halves."""
    if not 1 <= count <= MAX_NODES:
        raise FleetError('nodes: %d is outside 1..%d' % (count, MAX_NODES))
    if family not in FAMILIES + ('mix',):
        raise FleetError('family: %r is not one of mix, %s' % (family, ', '.join(FAMILIES)))
    nodes = []
    for index in range(count):
        octet = index + 2
        group = PATCH_GROUPS[0] if index < (count + 1) // 2 else PATCH_GROUPS[1]
        # Both tag keys name a patch group; use both across the fleet.
        tag_key = 'Patch Group' if index % 2 == 0 else 'PatchGroup'
        nodes.append({
            'name': 'node%d' % octet,
            'address': '127.0.0.%d' % octet,
            'family': FAMILIES[index % 3] if family == 'mix' else family,
            'patch_group': group,
            'tags': {tag_key: group, 'Environment': group.lower()},
        })
    return nodes


def _ssh_keygen(path, comment):
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], check=True)
    return path


def client_key():
    return _ssh_keygen(os.path.join(fleet_dir(), 'keys', 'id_ed25519'), 'fleetops-fleet-client')


def host_key(address):
    return _ssh_keygen(os.path.join(fleet_dir(), 'keys', 'host-%s' % address), 'root@%s' % address)


def _read(path):
    with open(path) as handle:
        return handle.read()


def _write_into_upper(upper, lowers, relative, text, mode=0o644):
    """Write a file into the node's upper layer, creating parents with the lower layers' modes."""
    parts = relative.split('/')
    for depth in range(1, len(parts)):
        directory = '/'.join(parts[:depth])
        target = os.path.join(upper, directory)
        if os.path.isdir(target):
            continue
        lower = next((os.path.join(layer, directory) for layer in lowers
                      if os.path.isdir(os.path.join(layer, directory))), None)
        os.mkdir(target)
        if lower:
            info = os.stat(lower)
            os.chmod(target, info.st_mode & 0o7777)
            os.chown(target, info.st_uid, info.st_gid)
    path = os.path.join(upper, relative)
    with open(path, 'w') as handle:
        handle.write(text)
    os.chmod(path, mode)


def sshd_config(address):
    return ('ListenAddress %s\nPort 22\nHostKey /etc/ssh/ssh_host_ed25519_key\nPermitRootLogin prohibit-password\n'
            'PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n'
            'AuthorizedKeysFile .ssh/authorized_keys\nPidFile /run/sshd.pid\nMaxStartups 100:30:200\n'
            'MaxSessions 100\nSubsystem sftp /usr/lib/openssh/sftp-server\n' % address)


def repository_config(family, base_url):
    """(path in the node, text) of the package manager's source for the fleet's repositories."""
    if family == 'deb':
        text = ''.join('deb [trusted=yes] %s/deb %s main\n' % (base_url, suite)
                       for suite in ('bookworm', 'bookworm-security'))
        return 'etc/apt/sources.list.d/fleetops-fleet.list', text
    stanza = ('[fleetops-fleet]\nname=fleetops test fleet repository\nbaseurl=%s/rpm\nenabled=1\n'
              'gpgcheck=0\nrepo_gpgcheck=0\nmetadata_expire=0\n' % base_url)
    if family == 'rpm':
        return 'etc/yum.repos.d/fleetops-fleet.repo', stanza
    return 'etc/zypp/repos.d/fleetops-fleet.repo', stanza + 'autorefresh=1\ntype=rpm-md\n'


def prepare_node(node, layers, public_key, base_url):
    """Create the node's directories and write its identity and configuration into its upper layer."""
    home = os.path.join(run_dir(), 'nodes', node['name'])
    upper, work, root = (os.path.join(home, name) for name in ('upper', 'work', 'root'))
    for path in (upper, work, root):
        os.makedirs(path)
    address = node['address']
    key = host_key(address)
    files = [
        ('etc/hostname', node['name'] + '\n', 0o644),
        ('etc/hosts', '127.0.0.1 localhost\n%s %s\n' % (address, node['name']), 0o644),
        ('etc/ssh/sshd_config', sshd_config(address), 0o644),
        ('etc/ssh/ssh_host_ed25519_key', _read(key), 0o600),
        ('etc/ssh/ssh_host_ed25519_key.pub', _read(key + '.pub'), 0o644),
        ('root/.ssh/authorized_keys', public_key, 0o600),
        ('usr/sbin/reboot', REBOOT_SCRIPT, 0o755),
        ('usr/sbin/shutdown', REBOOT_SCRIPT, 0o755),
    ]
    if base_url:
        path, text = repository_config(node['family'], base_url)
        files.append((path, text, 0o644))
    for relative, text, mode in files:
        _write_into_upper(upper, layers, relative, text, mode)
    os.chmod(os.path.join(upper, 'root/.ssh'), 0o700)
    boot_id_file = os.path.join(home, 'boot_id')
    with open(boot_id_file, 'w') as handle:
        handle.write('00000000-0000-0000-0000-000000000000\n')
    config = {'root': root, 'lowerdirs': layers, 'upperdir': upper, 'workdir': work,
              'hostname': node['name'], 'boot_id_file': boot_id_file}
    with open(os.path.join(home, 'init.json'), 'w') as handle:
        json.dump(config, handle)
    node.update(home=home, upper=upper, root=root, boot_id_file=boot_id_file)


def start_node(node, state):
    """Start the node's namespaces and init; record both PIDs at once."""
    home = node['home']
    log = open(os.path.join(home, 'init.log'), 'w')
    process = subprocess.Popen(['unshare', '--mount', '--pid', '--uts', '--fork', '--propagation', 'private',
                                '--kill-child', sys.executable, NODE_INIT, os.path.join(home, 'init.json')],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    state['processes'].append(process_record('node-unshare', process.pid, node['name']))
    save_state(state)
    deadline = time.monotonic() + 30
    while True:
        children = _children(process.pid)
        if children:
            break
        if process.poll() is not None or time.monotonic() > deadline:
            raise FleetError('node %s did not start; see %s/init.log' % (node['name'], home))
        time.sleep(0.01)
    node['init_pid'] = children[0]
    state['processes'].append(process_record('node-init', children[0], node['name']))
    save_state(state)


def _children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as handle:
            return [int(word) for word in handle.read().split()]
    except FileNotFoundError:
        return []


def ssh_argv(node, *command):
    """argv of an ssh call to the node as root with the fleet key.

    sshd hands the command to the remote shell, so each word is quoted: it arrives as given.
    """
    # -n: never read (or set non-blocking) the caller's stdin; ansible refuses a non-blocking stdin.
    return ['ssh', '-n', '-i', client_key(), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
            '-o', 'UserKnownHostsFile=%s' % os.path.join(run_dir(), 'known_hosts'), '-o', 'StrictHostKeyChecking=yes',
            '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', 'root@%s' % node['address']] + \
        [shlex.quote(word) for word in command]


def wait_for_ssh(node, timeout=READY_TIMEOUT, boot_id=None):
    """Poll until the node answers over SSH (with a boot id other than ``boot_id`` if given)."""
    deadline = time.monotonic() + timeout
    last = ''
    while time.monotonic() < deadline:
        result = subprocess.run(ssh_argv(node, 'cat', '/proc/sys/kernel/random/boot_id'), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True, check=False)
        if result.returncode == 0 and result.stdout.strip() and result.stdout.strip() != boot_id:
            return result.stdout.strip()
        last = result.stderr.strip()
        time.sleep(0.2)
    raise FleetError('node %s is not reachable over SSH: %s\n%s' % (node['name'], last, _node_logs(node)))


def _node_logs(node):
    """The end of the node's init log and sshd log, for error messages."""
    parts = []
    for title, path in (('init log', os.path.join(node['home'], 'init.log')),
                        ('sshd log', os.path.join(node['upper'], 'var/log/sshd.log'))):
        try:
            with open(path) as handle:
                parts.append('%s (%s):\n%s' % (title, path, handle.read()[-1500:]))
        except OSError as exc:
            parts.append('%s: %s' % (title, exc))
    return '\n'.join(parts)


def node_exec(node, argv, check=True, **kwargs):
    """Run ``argv`` inside the node (its mount, UTS and PID namespaces, its root), not over SSH."""
    full = ['nsenter', '--target', str(node['init_pid']), '--mount', '--uts', '--pid', '--root', '--wd'] + list(argv)
    kwargs.setdefault('stdin', subprocess.DEVNULL)
    kwargs.setdefault('stdout', subprocess.PIPE)
    kwargs.setdefault('stderr', subprocess.PIPE)
    kwargs.setdefault('universal_newlines', True)
    result = subprocess.run(full, check=False, **kwargs)
    if check and result.returncode != 0:
        raise FleetError('%s on %s failed (rc %d): %s%s' % (
            ' '.join(argv), node['name'], result.returncode, result.stdout, result.stderr))
    return result


def node_path(node, path):
    """The host path of ``path`` inside the running node (through its init's root)."""
    return '/proc/%d/root/%s' % (node['init_pid'], path.lstrip('/'))


def install_initial_packages(node, repos_dir, packages=scenario.BASELINE_INSTALLED):
    """Put the node into its 'before' state: the old versions of the scenario's packages."""
    if node['family'] == 'deb':
        pins = ['%s=%s' % (spec.name, spec.deb_version) for spec in packages]
        node_exec(node, ['apt-get', '-q', 'update'])
        node_exec(node, ['apt-get', '-q', '-y', 'install'] + pins, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))
        return
    from tests.support import rpmrepo, rpmroot  # pylint: disable=import-outside-toplevel
    # rpm inside the node, with the node's rpmdb (rpm refuses a database reached through /proc/PID/root).
    staging = '/var/tmp/fleet-rpms'
    os.makedirs(node_path(node, staging), exist_ok=True)
    files = [os.path.join(repos_dir, 'rpm', rpmrepo.rpm_filename(spec)) for spec in packages]
    for path in [rpmroot.shell_stub_rpm()] + files:
        shutil.copyfile(path, node_path(node, os.path.join(staging, os.path.basename(path))))
    rpm = ['rpm', '-i', '--nodeps', '--nosignature', '--nodigest']
    if not _rpm_installed(node, 'fleetops-root-shell'):
        node_exec(node, rpm + ['--justdb', '--noscripts', '--notriggers',
                               os.path.join(staging, os.path.basename(rpmroot.shell_stub_rpm()))])
    node_exec(node, rpm + [os.path.join(staging, os.path.basename(path)) for path in files])
    shutil.rmtree(node_path(node, staging))


def _rpm_installed(node, name):
    return node_exec(node, ['rpm', '-q', name], check=False).returncode == 0


def write_inventories(nodes, base_url):
    """inventory.yml (plain YAML inventory) and fleet.yml (the patch_groups plugin's fleet file)."""
    connection = {
        'ansible_user': 'root',
        'ansible_ssh_private_key_file': client_key(),
        'ansible_python_interpreter': '/usr/bin/python3',
        'ansible_ssh_common_args': '-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'
                                   % os.path.join(run_dir(), 'known_hosts'),
    }
    hosts = {}
    children = {}
    for node in nodes:
        hosts[node['name']] = dict(connection, ansible_host=node['address'], fleet_family=node['family'],
                                   patch_group=node['patch_group'], fleet_tags=node['tags'],
                                   fleet_repository_url=base_url)
        for group in ('fleet_%s' % node['family'], 'patch_group_%s' % node['patch_group']):
            children.setdefault(group, {'hosts': {}})['hosts'][node['name']] = None
    inventory = {'all': {'hosts': hosts, 'children': children}}
    fleet = {'plugin': 'fleetops.patch_manager.patch_groups',
             'nodes': {node['name']: {'tags': node['tags'], 'vars': dict(connection, ansible_host=node['address'],
                                                                         fleet_family=node['family'])}
                       for node in nodes}}
    # JSON is YAML: no PyYAML needed on this side.
    for name, data in (('inventory.yml', inventory), ('fleet.yml', fleet)):
        with open(os.path.join(run_dir(), name), 'w') as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write('\n')


def up(count=6, family='mix', with_repositories=True):
    """Bring up a fresh fleet (stopping any earlier one first); return the state dict."""
    if os.geteuid() != 0:
        raise FleetError('the test fleet needs root (namespaces, overlay mounts)')
    nodes = plan_nodes(count, family)
    with fleet_lock():
        down()
        golden = roots.golden_debian_root()
        layers = {fam: variant_layers(fam, golden) for fam in sorted({node['family'] for node in nodes})}
        os.makedirs(run_dir())
        state = {'processes': [], 'nodes': [], 'key': client_key(), 'run_dir': run_dir()}
        save_state(state)
        base_url = None
        repos_dir = os.path.join(run_dir(), 'repos')
        if with_repositories:
            build_repositories(repos_dir)
            record, port = start_http(repos_dir)
            state['processes'].append(record)
            base_url = 'http://127.0.0.1:%d' % port
            state['repository_url'] = base_url
            save_state(state)
        with open(os.path.join(run_dir(), 'known_hosts'), 'w') as handle:
            for node in nodes:
                handle.write('%s %s' % (node['address'], _read(host_key(node['address']) + '.pub')))
        public_key = _read(client_key() + '.pub')
        for node in nodes:
            prepare_node(node, layers[node['family']], public_key, base_url)
            start_node(node, state)
        state['nodes'] = nodes
        save_state(state)
        errors = []

        def bring_up(node):
            try:
                node['boot_id'] = wait_for_ssh(node)
                if with_repositories:
                    install_initial_packages(node, repos_dir)
            except Exception as exc:  # pylint: disable=broad-except
                errors.append('%s: %s' % (node['name'], exc))
        threads = [threading.Thread(target=bring_up, args=(node,)) for node in nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise FleetError('fleet-up failed:\n' + '\n'.join(errors))
        write_inventories(nodes, base_url)
        state['inventory'] = os.path.join(run_dir(), 'inventory.yml')
        state['fleet_file'] = os.path.join(run_dir(), 'fleet.yml')
        save_state(state)
        return state


TRUST_MARK = 'fleetops-test-fleet'


def user_known_hosts():
    return os.path.join(os.path.expanduser('~'), '.ssh', 'known_hosts')


def _without_fleet_entries(lines):
    return [line for line in lines if not line.rstrip('\n').endswith(' ' + TRUST_MARK)]


def trust_host_keys(nodes):
    """Add the nodes' (stable) host keys to ~/.ssh/known_hosts, so a plain ``ssh root@127.0.0.N`` works.

    Only lines marked with TRUST_MARK are ever added or removed (see distrust_host_keys).
    """
    path = user_known_hosts()
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    try:
        with open(path) as handle:
            lines = handle.readlines()
    except FileNotFoundError:
        lines = []
    lines = _without_fleet_entries(lines)
    for node in nodes:
        key_type, key = _read(host_key(node['address']) + '.pub').split()[:2]
        lines.append('%s %s %s %s\n' % (node['address'], key_type, key, TRUST_MARK))
    _rewrite(path, lines)


def distrust_host_keys():
    path = user_known_hosts()
    try:
        with open(path) as handle:
            lines = handle.readlines()
    except FileNotFoundError:
        return
    kept = _without_fleet_entries(lines)
    if kept != lines:
        _rewrite(path, kept)


def _rewrite(path, lines):
    temporary = path + '.fleetops-tmp'
    with open(temporary, 'w') as handle:
        handle.writelines(lines)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def find_node(state, name):
    for node in state['nodes']:
        if name in (node['name'], node['address']):
            return node
    raise FleetError('no node %r in the fleet (%s)' % (name, ', '.join(n['name'] for n in state['nodes'])))


def reboot(node):
    """Reboot like a user would (the node's own reboot command); wait for the new boot."""
    before = wait_for_ssh(node)
    subprocess.run(ssh_argv(node, 'reboot'), check=True, stdout=subprocess.DEVNULL)
    return before, wait_for_ssh(node, boot_id=before)


def status(state):
    lines = []
    for node in state.get('nodes', []):
        init = next((r for r in state['processes'] if r['role'] == 'node-init' and r['node'] == node['name']), None)
        running = bool(init and is_running(init))
        lines.append('%-8s %-11s %-5s %-11s %s' % (
            node['name'], node['address'], node['family'], node['patch_group'], 'running' if running else 'STOPPED'))
    return '\n'.join(lines)


def _session(args):
    return contextlib.nullcontext() if args.session_held else session_lock(wait=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description='The fleetops.patch_manager SSH test fleet.')
    commands = parser.add_subparsers(dest='command', required=True)
    up_parser = commands.add_parser('up', help='start a fresh fleet (stops any earlier one)')
    up_parser.add_argument('--nodes', type=int, default=6)
    up_parser.add_argument('--family', default='mix', help='mix (round-robin), deb, rpm or suse')
    up_parser.add_argument('--no-repositories', action='store_true', help='skip the generated repositories')
    up_parser.add_argument('--no-trust', action='store_true',
                           help='do not add the nodes\' host keys to ~/.ssh/known_hosts (marked lines, removed by down)')
    down_parser = commands.add_parser('down', help='stop the fleet and remove its run directory')
    for sub in (up_parser, down_parser):
        sub.add_argument('--session-held', action='store_true',
                         help='the caller (a test session) already holds the session lock')
    commands.add_parser('status', help='list the nodes')
    reboot_parser = commands.add_parser('reboot', help='reboot one node')
    reboot_parser.add_argument('node')
    inside = commands.add_parser('build-variant-inside', help=argparse.SUPPRESS)
    inside.add_argument('--family', required=True)
    inside.add_argument('--golden', required=True)
    inside.add_argument('--build', required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == 'up':
            with _session(args):
                state = up(args.nodes, args.family, with_repositories=not args.no_repositories)
                if not args.no_trust:
                    trust_host_keys(state['nodes'])
            print(status(state))
            print('inventory: %s\nfleet file: %s' % (state['inventory'], state['fleet_file']))
            print('ssh: ssh -i %s root@%s' % (state['key'], state['nodes'][0]['address']))
        elif args.command == 'down':
            with _session(args), fleet_lock():
                down()
            distrust_host_keys()
        elif args.command == 'status':
            print(status(load_state()))
        elif args.command == 'reboot':
            before, after = reboot(find_node(load_state(), args.node))
            print('boot id %s -> %s' % (before, after))
        elif args.command == 'build-variant-inside':
            build_variant_inside(args.family, args.golden, args.build)
    except FleetError as exc:
        sys.stderr.write('fleetctl: %s\n' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
