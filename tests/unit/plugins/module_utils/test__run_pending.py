# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Install and the pending-reboot state when the run dies or the state cannot be written.

Uses test__run's in-memory package manager (see its docstring for why); a run "killed"
after the package manager changed packages is a backend whose install changes them and
then raises ``Killed``, a BaseException no handler of the run catches, like SIGKILL.
tests/functional/module/test_pending_crash.py kills the real module process on real
package managers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _state
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BackendError, LockTimeoutError, PatchManagerError
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.test__run import (
    DEBIAN_OS_RELEASE, MemoryBackend, run, states,
)


class Killed(BaseException):
    """The module process ends here (SIGKILL, OOM): nothing after it runs."""


class DyingBackend(MemoryBackend):
    """Changes the packages like the real package manager, then dies (``how``) before returning."""

    def __init__(self, installed, security, broken=(), how=Killed, state_root=None):
        super(DyingBackend, self).__init__(installed, security, broken=broken)
        self.how = how
        self.state_root = state_root
        self.state_seen_by_install = None

    def install(self, targets):
        if self.state_root:
            self.state_seen_by_install = _state.load_state(self.state_root)[0]
        super(DyingBackend, self).install(targets)
        if self.how is not None:
            raise self.how('dpkg was interrupted after changing packages')
        return super(DyingBackend, self).install([])


@pytest.fixture
def root(tmp_path):
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'etc' / 'os-release').write_text(DEBIAN_OS_RELEASE)
    return str(tmp_path)


def killed_install(root, backend, **params):
    with pytest.raises(Killed):
        run(root, backend, operation='Install', **params)


def test_targets_are_recorded_before_the_package_manager_runs(root):
    backend = DyingBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1', 'curl': '7.1-1'}, how=None, state_root=root)
    run(root, backend, operation='Install', reboot_option='NoReboot')
    seen = backend.state_seen_by_install
    assert seen['boot_id'] == 'boot-1' and seen['last_no_reboot_install_operation_time']
    assert seen['pending'] == [{'name': 'bash', 'arch': 'amd64', 'version': '5.2-1'},
                               {'name': 'curl', 'arch': 'amd64', 'version': '7.1-1'}]


class PullingBackend(DyingBackend):
    """Its resolver adds a new dependency, zlib 1.3-1, to every transaction (or cannot resolve: ``unsolvable``)."""

    unsolvable = False

    def plan(self, targets):
        self.calls.append('plan')
        if self.unsolvable:
            raise BackendError('the resolver gave up')
        return self._transaction(targets) + [dict(name='zlib', arch='amd64', from_version=None, to_version='1.3-1',
                                                  action='install')]


def test_dependencies_of_the_resolved_transaction_are_recorded_before_the_package_manager_runs(root):
    backend = PullingBackend({'bash': '5.1-1'}, {'bash': '5.2-1'}, how=None, state_root=root)
    run(root, backend, operation='Install', reboot_option='NoReboot')
    assert backend.state_seen_by_install['pending'] == [{'name': 'bash', 'arch': 'amd64', 'version': '5.2-1'},
                                                        {'name': 'zlib', 'arch': 'amd64', 'version': '1.3-1'}]
    assert backend.calls.index('plan') < backend.calls.index('install')


def test_a_transaction_that_cannot_be_resolved_beforehand_records_the_targets_and_installs(root):
    backend = PullingBackend({'bash': '5.1-1'}, {'bash': '5.2-1'}, how=None, state_root=root)
    backend.unsolvable = True
    result = run(root, backend, operation='Install', reboot_option='NoReboot')
    assert backend.state_seen_by_install['pending'] == [{'name': 'bash', 'arch': 'amd64', 'version': '5.2-1'}]
    assert states(result) == {'bash': 'INSTALLED_PENDING_REBOOT'}


def test_reboot_if_needed_runs_resolve_nothing_beforehand(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    run(root, backend, operation='Install')
    assert 'plan' not in backend.calls


def test_no_reboot_run_killed_after_the_package_manager_leaves_the_packages_pending(root):
    backend = DyingBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1'})
    killed_install(root, backend, reboot_option='NoReboot')
    assert backend.installed == {'bash': '5.2-1', 'curl': '7.0-1'}
    scan = run(root, backend)
    assert states(scan) == {'bash': 'INSTALLED_PENDING_REBOOT', 'curl': 'INSTALLED_OTHER'}
    assert scan['instance_patch_state']['last_no_reboot_install_operation_time'] is not None
    assert states(run(root, backend, boot_id='boot-2')) == {'bash': 'INSTALLED', 'curl': 'INSTALLED_OTHER'}


def test_killed_run_keeps_the_earlier_pending_version_when_the_new_one_did_not_install(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    run(root, backend, operation='Install', reboot_option='NoReboot')
    dying = DyingBackend(backend.installed, {'bash': '5.3-1'}, broken=['bash'])
    killed_install(root, dying, reboot_option='NoReboot')
    assert dying.installed == {'bash': '5.2-1'}
    assert states(run(root, dying)) == {'bash': 'MISSING'}
    # Once 5.3-1 is withdrawn, 5.2-1 is the approved version again: still waiting for the reboot.
    dying.security = {'bash': '5.2-1'}
    assert states(run(root, dying)) == {'bash': 'INSTALLED_PENDING_REBOOT'}


def test_after_the_install_the_state_holds_only_what_was_installed(root):
    backend = MemoryBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1', 'curl': '7.1-1'}, broken=['curl'])
    result = run(root, backend, operation='Install', reboot_option='NoReboot')
    assert states(result) == {'bash': 'INSTALLED_PENDING_REBOOT', 'curl': 'FAILED'}
    assert _state.load_state(root)[0]['pending'] == [{'name': 'bash', 'arch': 'amd64', 'version': '5.2-1'}]
    # Installed later by someone else, in the same boot: not ours, so not pending (CONTRACT.md).
    backend.installed['curl'] = '7.1-1'
    assert states(run(root, backend)) == {'bash': 'INSTALLED_PENDING_REBOOT', 'curl': 'INSTALLED'}


def test_package_manager_error_after_changes_records_what_it_changed(root):
    backend = DyingBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1', 'curl': '7.1-1'}, broken=['curl'],
                           how=BackendError)
    with pytest.raises(BackendError):
        run(root, backend, operation='Install', reboot_option='NoReboot')
    assert _state.load_state(root)[0]['pending'] == [{'name': 'bash', 'arch': 'amd64', 'version': '5.2-1'}]
    assert states(run(root, backend)) == {'bash': 'INSTALLED_PENDING_REBOOT', 'curl': 'MISSING'}


class LockedBackend(MemoryBackend):
    def install(self, targets):
        self.calls.append('install')
        raise LockTimeoutError('/var/lib/dpkg/lock-frontend is still held by PID 4242 (apt-get)')


def test_lock_timeout_leaves_the_state_as_it_was_before_the_run(root):
    backend = MemoryBackend({'bash': '5.1-1', 'curl': '7.0-1'}, {'bash': '5.2-1'})
    run(root, backend, operation='Install', reboot_option='NoReboot')
    earlier = _state.load_state(root)[0]
    locked = LockedBackend(backend.installed, {'bash': '5.2-1', 'curl': '7.1-1'})
    with pytest.raises(LockTimeoutError):
        run(root, locked, operation='Install', reboot_option='NoReboot')
    assert _state.load_state(root)[0] == earlier
    assert 'curl' not in [entry['name'] for entry in earlier['pending']]


# Another run on the same node, in its own process: a NoReboot Install of vim.
CONCURRENT_RUN = r"""
import sys
from ansible_collections.fleetops.patch_manager.tests.unit.plugins.module_utils.test__run import MemoryBackend, run
run(sys.argv[1], MemoryBackend({'vim': '9.0-1'}, {'vim': '9.1-1'}), operation='Install', reboot_option='NoReboot')
"""


class ConcurrentlyLockedBackend(MemoryBackend):
    """Waits for the package manager's lock while another run installs on the node (and records its marks)."""

    def __init__(self, installed, security, state_root):
        super(ConcurrentlyLockedBackend, self).__init__(installed, security)
        self.state_root = state_root

    def install(self, targets):
        self.calls.append('install')
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
        subprocess.run([sys.executable, '-c', CONCURRENT_RUN, self.state_root], env=environment, check=True)
        raise LockTimeoutError('/var/lib/dpkg/lock-frontend is still held by PID 4242 (apt-get)')


def test_lock_timeout_keeps_what_another_run_recorded_meanwhile(root):
    backend = ConcurrentlyLockedBackend({'bash': '5.1-1', 'vim': '9.0-1'}, {'bash': '5.2-1'}, root)
    with pytest.raises(LockTimeoutError):
        run(root, backend, operation='Install', reboot_option='NoReboot')
    # The other run installed vim 9.1-1 with NoReboot: still pending a reboot; this run's bash is not.
    assert _state.load_state(root)[0]['pending'] == [{'name': 'vim', 'arch': 'amd64', 'version': '9.1-1'}]
    after = MemoryBackend({'bash': '5.1-1', 'vim': '9.1-1'}, {'bash': '5.2-1', 'vim': '9.1-1'})
    assert states(run(root, after)) == {'bash': 'MISSING', 'vim': 'INSTALLED_PENDING_REBOOT'}


@pytest.mark.parametrize('make_unwritable, reason', [
    (os.makedirs, 'Is a directory'),
    (lambda path: os.makedirs(os.path.dirname(os.path.dirname(path))) or open(os.path.dirname(path), 'w').close(), 'exists'),
], ids=['directory-where-the-file-should-be', 'file-where-the-directory-should-be'])
def test_unwritable_state_fails_the_install_before_any_package_changes(root, make_unwritable, reason):
    make_unwritable(_state.state_path(root))
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    with pytest.raises(PatchManagerError) as caught:
        run(root, backend, operation='Install', reboot_option='NoReboot')
    assert _state.state_path(root) in str(caught.value) and reason in str(caught.value)
    assert 'install' not in backend.calls and backend.installed == {'bash': '5.1-1'}


def test_unwritable_state_does_not_matter_when_nothing_is_recorded(root):
    os.makedirs(_state.state_path(root))
    backend = MemoryBackend({'bash': '5.2-1'}, {'bash': '5.2-1'})
    assert states(run(root, backend, operation='Install', reboot_option='NoReboot')) == {'bash': 'INSTALLED'}
    assert states(run(root, backend, operation='Install', check_mode=True, reboot_option='NoReboot')) == {'bash': 'INSTALLED'}


def test_check_mode_writes_no_state(root):
    backend = MemoryBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    run(root, backend, operation='Install', reboot_option='NoReboot', check_mode=True)
    assert not os.path.exists(_state.state_path(root))


class StateBreakingBackend(MemoryBackend):
    """The install itself leaves the state location unwritable (e.g. it filled the disk)."""

    def __init__(self, installed, security, state_root):
        super(StateBreakingBackend, self).__init__(installed, security)
        self.state_root = state_root

    def install(self, targets):
        outcome = super(StateBreakingBackend, self).install(targets)
        path = _state.state_path(self.state_root)
        os.remove(path)
        os.makedirs(path)
        return outcome


def test_failing_write_after_the_install_warns_and_reports_the_run(root):
    backend = StateBreakingBackend({'bash': '5.1-1'}, {'bash': '5.2-1'}, root)
    result = run(root, backend, operation='Install', reboot_option='NoReboot')
    assert states(result) == {'bash': 'INSTALLED_PENDING_REBOOT'}
    assert any(_state.state_path(root) in warning and 'Cannot update' in warning for warning in result['warnings'])


def test_reboot_if_needed_run_killed_before_its_reboot_reports_installed(root):
    # RebootIfNeeded records nothing: the next Scan says what the run itself would have said
    # (INSTALLED, the state its reboot leaves); no pending patch asks the next Install for a reboot.
    backend = DyingBackend({'bash': '5.1-1'}, {'bash': '5.2-1'})
    killed_install(root, backend, reboot_option='RebootIfNeeded')
    assert not os.path.exists(_state.state_path(root))
    assert states(run(root, backend)) == {'bash': 'INSTALLED'}
    again = run(root, backend, operation='Install')
    assert again['changed'] is False and again['reboot_due'] is False
