# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""patch_compliance_report: render the report from the compliance store into a directory on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.plugins.action import ActionBase

from ansible_collections.fleetops.patch_manager.plugins.modules.patch_compliance_report import argument_spec
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _report
from ansible_collections.fleetops.patch_manager.plugins.plugin_utils import _store


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, params = self.validate_argument_spec(argument_spec=argument_spec())
        url = params['store'] or _store.store_url(task_vars)
        result.update(changed=False, store=_store.display_url(url))
        try:
            if params['trend_days'] < 1 or params['most_behind'] < 1:
                raise _store.StoreError('trend_days and most_behind: must be at least 1 (got %d and %d)'
                                        % (params['trend_days'], params['most_behind']))
            _store.parse_age(params['stale_after'], field='stale_after')
            dest = os.path.abspath(os.path.expanduser(params['dest']))
            if os.path.exists(dest) and not os.path.isdir(dest):
                raise _store.StoreError('dest: %s exists and is not a directory' % dest)
            with _store.open_store(url, create=False) as store:
                data = _report.collect(store, trend_days=params['trend_days'], stale_after=params['stale_after'],
                                       most_behind=params['most_behind'],
                                       include_all_patches=params['include_all_patches'])
            files = _report.render(data, title=params['title'])
            changed = _report.write(dest, files, check_mode=self._task.check_mode)
        except _store.StoreError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        except OSError as exc:
            result.update(failed=True, msg='dest: cannot write the report into %s: %s' % (params['dest'], exc))
            return result
        summary = dict(data['outcomes'], instances=len(data['instances']), stale=data['stale'], as_of=data['as_of'])
        result.update(changed=bool(changed), changed_files=changed, summary=summary,
                      files=[os.path.join(dest, name) for name in _report.FILES])
        return result
