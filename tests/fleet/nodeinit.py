# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PID 1 of one test fleet node.

fleetctl starts it as ``unshare --mount --pid --uts --fork --propagation private
python3 nodeinit.py CONFIG.json``. Inside the fresh namespaces it mounts the node's
overlay root, /proc, /dev and /run, bind-mounts the node's own boot id file over
/proc/sys/kernel/random/boot_id, sets the hostname, chroots and then supervises sshd:

- SIGUSR1 ("reboot now"): every other process of the node is killed, /run is emptied,
  a new boot id is written and sshd starts again, as after a real boot.
- SIGUSR2 (sent by the node's /usr/sbin/reboot and /usr/sbin/shutdown): the same, one
  second later, so that the SSH session that asked can return first. The delay is kept
  here, in PID 1, rather than in a background process that a hangup could kill.
- SIGTERM: every process of the node is stopped and init exits.

All mounts live in the node's private mount namespace, so they disappear with its
last process: nothing is mounted on the host.
"""

import ctypes
import ctypes.util
import errno
import json
import os
import signal
import socket
import sys
import time
import uuid

MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
STOP_GRACE_SECONDS = 3

LIBC = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
HANDLED_SIGNALS = (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2)
# shutdown -r returns before the machine goes down; so does our reboot command (SIGUSR2).
REBOOT_DELAY_SECONDS = 1


def mount(source, target, fstype=None, flags=0, data=None):
    """mount(2); raises OSError naming the target."""
    result = LIBC.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                        flags, data.encode() if data else None)
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, 'mount %s on %s: %s' % (source, target, os.strerror(code)))


def unmount(target):
    LIBC.umount2(target.encode(), MNT_DETACH)


def log(message):
    sys.stderr.write('%s nodeinit: %s\n' % (time.strftime('%H:%M:%S'), message))
    sys.stderr.flush()


def make_dev(dev):
    """A minimal /dev: the usual character devices, a private devpts and /dev/shm."""
    mount('tmpfs', dev, 'tmpfs', MS_NOSUID, 'mode=755,size=4m')
    for name, major, minor in (('null', 1, 3), ('zero', 1, 5), ('full', 1, 7), ('random', 1, 8),
                               ('urandom', 1, 9), ('tty', 5, 0)):
        path = os.path.join(dev, name)
        os.mknod(path, 0o666 | 0o020000, os.makedev(major, minor))
        os.chmod(path, 0o666)
    os.mkdir(os.path.join(dev, 'pts'))
    mount('devpts', os.path.join(dev, 'pts'), 'devpts', MS_NOSUID | MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=620')
    os.symlink('pts/ptmx', os.path.join(dev, 'ptmx'))
    os.mkdir(os.path.join(dev, 'shm'))
    mount('tmpfs', os.path.join(dev, 'shm'), 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=1777,size=64m')
    for name, target in (('fd', '/proc/self/fd'), ('stdin', '/proc/self/fd/0'),
                         ('stdout', '/proc/self/fd/1'), ('stderr', '/proc/self/fd/2')):
        os.symlink(target, os.path.join(dev, name))


def set_up_root(config):
    root = config['root']
    mount('none', '/', None, MS_REC | MS_PRIVATE)
    mount('fleetops-fleet-node', root, 'overlay', 0, 'lowerdir=%s,upperdir=%s,workdir=%s' % (
        ':'.join(config['lowerdirs']), config['upperdir'], config['workdir']))
    mount('proc', os.path.join(root, 'proc'), 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC)
    make_dev(os.path.join(root, 'dev'))
    mount('tmpfs', os.path.join(root, 'run'), 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=755,size=64m')
    # The module and ansible.builtin.reboot read the boot identity from here.
    mount(config['boot_id_file'], os.path.join(root, 'proc/sys/kernel/random/boot_id'), None, MS_BIND)
    socket.sethostname(config['hostname'])
    os.chroot(root)
    os.chdir('/')


def new_boot():
    """What a boot changes: an empty /run and a new boot id."""
    unmount('/run')
    mount('tmpfs', '/run', 'tmpfs', MS_NOSUID | MS_NODEV, 'mode=755,size=64m')
    os.makedirs('/run/sshd', mode=0o755, exist_ok=True)
    with open('/proc/sys/kernel/random/boot_id', 'w') as handle:
        handle.write('%s\n' % uuid.uuid4())


def start_sshd():
    pid = os.fork()
    if pid == 0:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for sig in HANDLED_SIGNALS:
                signal.signal(sig, signal.SIG_DFL)
            os.setsid()
            log_fd = os.open('/var/log/sshd.log', os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
            null_fd = os.open('/dev/null', os.O_RDONLY)
            os.dup2(null_fd, 0)
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
            os.execv('/usr/sbin/sshd', ['/usr/sbin/sshd', '-D', '-e'])
        finally:
            os._exit(127)
    log('sshd started as PID %d' % pid)
    return pid


def reap(watched=()):
    """Collect every exited child (logging the ones in ``watched``); return False once there are none left."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True
        if pid in watched:
            log('PID %d (%s) ended with wait status %d' % (pid, watched[pid], status))


def stop_everything():
    """kill(-1) from PID 1 reaches every other process of this PID namespace."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(-1, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while reap() and time.monotonic() < deadline:
            time.sleep(0.05)
    while reap():
        time.sleep(0.05)


def supervise():
    signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED_SIGNALS)
    new_boot()
    watched = {start_sshd(): 'sshd'}
    reboot_at = None
    while True:
        if reboot_at is None:
            info = signal.sigwaitinfo(HANDLED_SIGNALS)
        else:
            info = signal.sigtimedwait(HANDLED_SIGNALS, max(reboot_at - time.monotonic(), 0))
        if info is None or info.si_signo == signal.SIGUSR1:
            log('rebooting' if info is None else 'reboot requested by PID %d' % info.si_pid)
            reboot_at = None
            stop_everything()
            new_boot()
            watched = {start_sshd(): 'sshd'}
        elif info.si_signo == signal.SIGUSR2:
            log('reboot in %d s requested by PID %d' % (REBOOT_DELAY_SECONDS, info.si_pid))
            reboot_at = time.monotonic() + REBOOT_DELAY_SECONDS
        elif info.si_signo == signal.SIGCHLD:
            reap(watched)
        else:
            log('shutting down')
            stop_everything()
            return 0


def main():
    with open(sys.argv[1]) as handle:
        config = json.load(handle)
    for sig in HANDLED_SIGNALS:
        # init of a PID namespace only receives signals it has a handler for.
        signal.signal(sig, lambda *_args: None)
    set_up_root(config)
    return supervise()


if __name__ == '__main__':
    try:
        sys.exit(main())
    except OSError as exc:
        if exc.errno == errno.EPERM:
            log('needs root: %s' % exc)
        raise
