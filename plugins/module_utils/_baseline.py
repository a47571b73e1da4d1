# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The patch baseline model: validate either input shape, return the canonical dict.

Two shapes are accepted and treated as equal:

- the AWS shape, exactly as ``aws ssm get-patch-baseline`` prints it (PascalCase);
- the YAML shape: the same fields and nesting in snake_case.

``normalise_baseline`` validates every field against the AWS API limits and enums
(and the per-OS filter keys and values) and returns the canonical dict described in
docs/DESIGN.md: snake_case, AWS nesting, every optional field filled with its AWS
default. Errors raise ``BaselineValidationError`` whose path uses the user's own key
names. ``to_aws_shape`` converts the canonical dict back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _documents
from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import BaselineValidationError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._validation import type_name
from ansible_collections.fleetops.patch_manager.plugins.module_utils._vocabulary import (  # noqa: F401 pylint: disable=unused-import
    AMAZON_OPERATING_SYSTEMS, APT_OPERATING_SYSTEMS, COMPLIANCE_LEVELS, LINUX_OPERATING_SYSTEMS, OPERATING_SYSTEMS,
    REDHAT_FAMILY_OPERATING_SYSTEMS, RPM_OPERATING_SYSTEMS,
)


# --- enums and limits (ssm-semantics.md §1, §2) -----------------------------------

REJECTED_PATCHES_ACTIONS = ('ALLOW_AS_DEPENDENCY', 'BLOCK')
SECURITY_UPDATES_COMPLIANCE_STATUSES = ('COMPLIANT', 'NON_COMPLIANT')

PATCH_FILTER_KEYS = (
    'ARCH', 'ADVISORY_ID', 'BUGZILLA_ID', 'PATCH_SET', 'PRODUCT', 'PRODUCT_FAMILY', 'CLASSIFICATION',
    'CVE_ID', 'EPOCH', 'MSRC_SEVERITY', 'NAME', 'PATCH_ID', 'SECTION', 'PRIORITY', 'REPOSITORY',
    'RELEASE', 'SEVERITY', 'SECURITY', 'VERSION',
)

MAX_RULES = 10
MAX_FILTERS = 4
MAX_FILTER_VALUES = 20
MAX_PATCH_LIST = 50
MAX_SOURCES = 20
MAX_SOURCE_PRODUCTS = 20
APPROVE_AFTER_DAYS_RANGE = (0, 360)

NAME_PATTERN = re.compile(r'^[a-zA-Z0-9_\-.]{3,128}$')
BASELINE_ID_PATTERN = re.compile(r'^[a-zA-Z0-9_\-:/]{20,128}$')
SOURCE_NAME_PATTERN = re.compile(r'^[a-zA-Z0-9_\-.]{3,50}$')
DATE_PATTERN = re.compile(r'^[0-9]{4}-[0-9]{2}-[0-9]{2}$')

_AMAZON_CLASSIFICATIONS = ('Security', 'Bugfix', 'Enhancement', 'Recommended', 'Newpackage')
_SUSE_CLASSIFICATIONS = ('Security', 'Recommended', 'Optional', 'Feature', 'Document', 'Yast')
_WINDOWS_CLASSIFICATIONS = ('CriticalUpdates', 'DefinitionUpdates', 'Drivers', 'FeaturePacks', 'SecurityUpdates',
                            'ServicePacks', 'Tools', 'UpdateRollups', 'Updates', 'Upgrades')
_AMAZON_SEVERITIES = ('Critical', 'Important', 'Medium', 'Low')
_REDHAT_SEVERITIES = ('Critical', 'Important', 'Moderate', 'Low')
PRIORITIES = ('Required', 'Important', 'Standard', 'Optional', 'Extra')
MSRC_SEVERITIES = ('Critical', 'Important', 'Moderate', 'Low', 'Unspecified')
PATCH_SETS = ('OS', 'APPLICATION')


def _filter_vocabulary(operating_system):
    """{filter key: allowed values or None for free-form} valid in baselines of this OS."""
    if operating_system == 'WINDOWS':
        return {'PATCH_SET': PATCH_SETS, 'PRODUCT': None, 'PRODUCT_FAMILY': None,
                'CLASSIFICATION': _WINDOWS_CLASSIFICATIONS, 'MSRC_SEVERITY': MSRC_SEVERITIES}
    if operating_system in APT_OPERATING_SYSTEMS:
        return {'PRODUCT': None, 'PRIORITY': PRIORITIES, 'SECTION': None}
    if operating_system == 'SUSE':
        return {'PRODUCT': None, 'CLASSIFICATION': _SUSE_CLASSIFICATIONS, 'SEVERITY': _REDHAT_SEVERITIES}
    if operating_system == 'AMAZON_LINUX_2023':
        return {'PRODUCT': None, 'CLASSIFICATION': _AMAZON_CLASSIFICATIONS, 'SEVERITY': _AMAZON_SEVERITIES + ('None',)}
    if operating_system in AMAZON_OPERATING_SYSTEMS:
        return {'PRODUCT': None, 'CLASSIFICATION': _AMAZON_CLASSIFICATIONS, 'SEVERITY': _AMAZON_SEVERITIES}
    if operating_system in REDHAT_FAMILY_OPERATING_SYSTEMS:
        return {'PRODUCT': None, 'CLASSIFICATION': _AMAZON_CLASSIFICATIONS, 'SEVERITY': _REDHAT_SEVERITIES}
    # MACOS: AWS does not enumerate its classification values.
    return {'PRODUCT': None, 'CLASSIFICATION': None}


# Filter keys in the order the AWS documentation lists them, for error messages.
_FILTER_KEY_ORDER = ('PATCH_SET', 'PRODUCT', 'PRODUCT_FAMILY', 'CLASSIFICATION', 'MSRC_SEVERITY', 'SEVERITY',
                     'PRIORITY', 'SECTION')


def filter_keys_for(operating_system):
    """The patch filter keys valid in a baseline for ``operating_system``."""
    vocabulary = _filter_vocabulary(operating_system)
    return tuple(key for key in _FILTER_KEY_ORDER if key in vocabulary)


def filter_values_for(operating_system, key):
    """The allowed values (without ``*``) of filter ``key`` on ``operating_system``, or None if free-form."""
    return _filter_vocabulary(operating_system).get(key)


# --- patch list entries (§4.1) ------------------------------------------------------

_RPM_ADVISORY_PATTERN = re.compile(r'^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9]{4}[-:][0-9A-Za-z]+$')
_CVE_PATTERN = re.compile(r'^CVE-[0-9]{4}-[0-9]{4,}$', re.IGNORECASE)
_BUGZILLA_PATTERN = re.compile(r'^[0-9]+$')
# Wildcards are shell-style (fnmatch): * ? [seq] [!seq].
_RPM_PACKAGE_PATTERN = re.compile(r'^[A-Za-z0-9._+\-:^~*?\[\]!]+$')
_APT_NAME_PATTERN = re.compile(r'^[A-Za-z0-9*?\[][A-Za-z0-9+.\-*?\[\]!]*$')
_DEBIAN_ARCH_SUFFIX = re.compile(r'\.(amd64|arm64|armhf|armel|i386|all|ppc64el|s390x|riscv64|mips64el)$', re.IGNORECASE)
_WINDOWS_PATCH_PATTERN = re.compile(r'^(KB[0-9]+|MS[0-9]{2}-[0-9]{3})$', re.IGNORECASE)
_MACOS_NAME_PATTERN = re.compile(r'^[^*?\[\]]+$')


def rpm_identifier_kind(entry):
    """'a Bugzilla ID', 'a CVE ID', 'an advisory ID' or None for a package-name form."""
    if _BUGZILLA_PATTERN.match(entry):
        return 'a Bugzilla ID'
    if _CVE_PATTERN.match(entry):
        return 'a CVE ID'
    if _RPM_ADVISORY_PATTERN.match(entry):
        return 'an advisory ID'
    return None


def _patch_entry_problem(operating_system, entry, approved):
    """Why ``entry`` is not a valid approved/rejected list entry on this OS, or None."""
    if operating_system in APT_OPERATING_SYSTEMS:
        if not _APT_NAME_PATTERN.match(entry) or _DEBIAN_ARCH_SUFFIX.search(entry):
            return ('%r is not a bare package name; on %s the list takes package names only '
                    '(no version, no architecture; wildcards * ? [] allowed)' % (entry, operating_system))
        return None
    if operating_system in RPM_OPERATING_SYSTEMS:
        kind = rpm_identifier_kind(entry)
        if kind and not approved:
            return ('%r is %s; on %s advisory, CVE and Bugzilla IDs are accepted only in the approved '
                    'list, the rejected list takes package names' % (entry, kind, operating_system))
        if kind or _RPM_PACKAGE_PATTERN.match(entry):
            return None
        return ('%r is not a package name form (name[.arch], name-version[-release][.arch], '
                'epoch:..., with optional wildcards)%s' % (entry, ', advisory, CVE or Bugzilla ID' if approved else ''))
    if operating_system == 'SUSE':
        if _RPM_PACKAGE_PATTERN.match(entry):
            return None
        return '%r is not a zypper patch name or package file name (wildcards * ? [] allowed)' % (entry,)
    if operating_system == 'WINDOWS':
        if _WINDOWS_PATCH_PATTERN.match(entry):
            return None
        return '%r is not a KB ID (KB1234567) or MSRC bulletin ID (MS10-048)' % (entry,)
    if _MACOS_NAME_PATTERN.match(entry):
        return None
    return '%r contains a wildcard; on MACOS the list takes exact names only' % (entry,)


# --- key names of the two shapes ---------------------------------------------------

def _pascal(snake):
    return ''.join(part.capitalize() for part in snake.split('_'))


# Canonical (snake_case) top-level fields; the AWS name is derived by _pascal().
_TOP_LEVEL_FIELDS = (
    'name', 'operating_system', 'description', 'global_filters', 'approval_rules', 'approved_patches',
    'approved_patches_compliance_level', 'approved_patches_enable_non_security', 'rejected_patches',
    'rejected_patches_action', 'sources', 'available_security_updates_compliance_status', 'baseline_id',
)
# Read-only keys AWS prints that we accept and drop.
_IGNORED_TOP_LEVEL_FIELDS = ('created_date', 'modified_date', 'patch_groups', 'default_baseline', 'response_metadata')
_RULE_FIELDS = ('patch_filter_group', 'approve_after_days', 'approve_until_date', 'compliance_level',
                'enable_non_security')
_FILTER_GROUP_FIELDS = ('patch_filters',)
_FILTER_FIELDS = ('key', 'values')
_RULE_GROUP_FIELDS = ('patch_rules',)
_SOURCE_FIELDS = ('name', 'products', 'configuration')


class _Reader(object):
    """Reads one document in one shape, building error paths in the user's key names."""

    def __init__(self, shape):
        self.shape = shape  # 'aws' or 'yaml'

    def key(self, field):
        return _pascal(field) if self.shape == 'aws' else field

    def other_key(self, field):
        return field if self.shape == 'aws' else _pascal(field)

    @staticmethod
    def join(path, key):
        return '%s.%s' % (path, key) if path else key

    def path(self, parent, field):
        return self.join(parent, self.key(field))

    def mapping(self, value, path, fields, ignored=()):
        """Check ``value`` is a dict holding only known keys; return {field: value} for present ones."""
        if not isinstance(value, dict):
            raise BaselineValidationError(path or 'baseline', 'must be a mapping, not %s' % type_name(value))
        allowed = dict((self.key(field), field) for field in fields)
        ignored_keys = set(self.key(field) for field in ignored)
        present = {}
        for key in value:
            if key in allowed:
                present[allowed[key]] = value[key]
            elif key not in ignored_keys:
                raise BaselineValidationError(self.join(path, str(key)), self._unknown_key_problem(key, fields, ignored))
        return present

    def _unknown_key_problem(self, key, fields, ignored):
        shape_name = 'AWS (PascalCase)' if self.shape == 'aws' else 'YAML (snake_case)'
        for field in tuple(fields) + tuple(ignored):
            if key == self.other_key(field):
                return ('unknown key; this document uses the %s shape, so write %r (do not mix the two shapes)'
                        % (shape_name, self.key(field)))
        return 'unknown key; allowed keys here: %s' % ', '.join(self.key(field) for field in tuple(fields) + tuple(ignored))


def _string(value, path, min_length=1, max_length=None):
    if not isinstance(value, str):
        raise BaselineValidationError(path, 'must be a string, not %s' % type_name(value))
    if len(value) < min_length or (max_length is not None and len(value) > max_length):
        limit = '%d..%d' % (min_length, max_length) if max_length is not None else 'at least %d' % min_length
        raise BaselineValidationError(path, 'length %d is outside %s characters' % (len(value), limit))
    return value


def _pattern(value, path, pattern, description):
    _string(value, path)
    if not pattern.match(value):
        raise BaselineValidationError(path, '%r does not match %s' % (value, description))
    return value


def _enum(value, path, allowed, context=''):
    if not isinstance(value, str):
        raise BaselineValidationError(path, 'must be one of %s, not %s' % (', '.join(allowed), type_name(value)))
    if value not in allowed:
        raise BaselineValidationError(path, '%r is not one of %s%s' % (value, ', '.join(allowed), context))
    return value


def _boolean(value, path):
    if not isinstance(value, bool):
        raise BaselineValidationError(path, 'must be true or false, not %s' % type_name(value))
    return value


def _integer(value, path, low, high):
    if isinstance(value, bool) or not isinstance(value, int):
        raise BaselineValidationError(path, 'must be an integer, not %s' % type_name(value))
    if not low <= value <= high:
        raise BaselineValidationError(path, '%d is outside %d..%d' % (value, low, high))
    return value


def _date(value, path):
    # YAML turns an unquoted 2024-01-31 into a date; accept it as the user meant it.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    _string(value, path, 1, 10)
    if DATE_PATTERN.match(value):
        try:
            datetime.datetime.strptime(value, '%Y-%m-%d')
            return value
        except ValueError:
            pass
    raise BaselineValidationError(path, '%r is not a real date in the form YYYY-MM-DD' % (value,))


def _list(value, path, max_items, min_items=0):
    if not isinstance(value, (list, tuple)):
        raise BaselineValidationError(path, 'must be a list, not %s' % type_name(value))
    if len(value) > max_items:
        raise BaselineValidationError(path, 'has %d entries; at most %d are allowed' % (len(value), max_items))
    if len(value) < min_items:
        raise BaselineValidationError(path, 'must have at least %d entr%s' % (min_items, 'y' if min_items == 1 else 'ies'))
    return list(value)


def _index(path, position):
    return '%s[%d]' % (path, position)


# --- the pieces -------------------------------------------------------------------

def _patch_filter(reader, value, path, operating_system):
    present = reader.mapping(value, path, _FILTER_FIELDS)
    for field in _FILTER_FIELDS:
        if field not in present:
            raise BaselineValidationError(reader.path(path, field), 'is required')
    key_path = reader.path(path, 'key')
    valid_keys = filter_keys_for(operating_system)
    key = _enum(present['key'], key_path, valid_keys, ' (the filter keys for %s baselines)' % operating_system)
    values_path = reader.path(path, 'values')
    allowed = filter_values_for(operating_system, key)
    values = []
    for position, item in enumerate(_list(present['values'], values_path, MAX_FILTER_VALUES, min_items=1)):
        item_path = _index(values_path, position)
        _string(item, item_path, 1, 64)
        if allowed is not None and item != '*' and item not in allowed:
            raise BaselineValidationError(item_path, '%r is not one of %s, * (%s values for %s)'
                                          % (item, ', '.join(allowed), key, operating_system))
        values.append(item)
    return {'key': key, 'values': values}


def _single_list_mapping(reader, value, path, fields, key, limit, parse_item, operating_system):
    """A mapping whose one field ``key`` is a list of at most ``limit`` items, each read by ``parse_item``."""
    present = reader.mapping(value, path, fields)
    items_path = reader.path(path, key)
    items = _list(present.get(key, []), items_path, limit)
    return {key: [parse_item(reader, item, _index(items_path, position), operating_system)
                  for position, item in enumerate(items)]}


def _patch_filter_group(reader, value, path, operating_system):
    return _single_list_mapping(reader, value, path, _FILTER_GROUP_FIELDS, 'patch_filters', MAX_FILTERS,
                                _patch_filter, operating_system)


def _patch_rule(reader, value, path, operating_system):
    present = reader.mapping(value, path, _RULE_FIELDS)
    group_path = reader.path(path, 'patch_filter_group')
    if 'patch_filter_group' not in present:
        raise BaselineValidationError(group_path, 'is required')
    rule = {
        'patch_filter_group': _patch_filter_group(reader, present['patch_filter_group'], group_path, operating_system),
        'approve_after_days': None,
        'approve_until_date': None,
        'compliance_level': 'UNSPECIFIED',
        'enable_non_security': False,
    }
    has_days = present.get('approve_after_days') is not None
    has_date = present.get('approve_until_date') is not None
    days_key, date_key = reader.key('approve_after_days'), reader.key('approve_until_date')
    if has_days and has_date:
        raise BaselineValidationError(path, 'give exactly one of %s and %s (both are set)' % (days_key, date_key))
    # AWS requires one of the two except on Debian/Ubuntu, where dates are not supported
    # (CloudFormation: "Exception: Not supported on Debian Server or Ubuntu Server").
    if not has_days and not has_date and operating_system not in APT_OPERATING_SYSTEMS:
        raise BaselineValidationError(path, 'give exactly one of %s and %s (neither is set)' % (days_key, date_key))
    if has_days:
        rule['approve_after_days'] = _integer(present['approve_after_days'], reader.path(path, 'approve_after_days'),
                                              *APPROVE_AFTER_DAYS_RANGE)
    if has_date:
        rule['approve_until_date'] = _date(present['approve_until_date'], reader.path(path, 'approve_until_date'))
    if present.get('compliance_level') is not None:
        rule['compliance_level'] = _enum(present['compliance_level'], reader.path(path, 'compliance_level'), COMPLIANCE_LEVELS)
    if present.get('enable_non_security') is not None:
        rule['enable_non_security'] = _linux_only_flag(reader, present['enable_non_security'],
                                                       reader.path(path, 'enable_non_security'), operating_system)
    return rule


def _linux_only_flag(reader, value, path, operating_system):
    flag = _boolean(value, path)
    if flag and operating_system not in LINUX_OPERATING_SYSTEMS:
        raise BaselineValidationError(path, 'applies to Linux baselines only, not %s' % operating_system)
    return flag


def _approval_rules(reader, value, path, operating_system):
    return _single_list_mapping(reader, value, path, _RULE_GROUP_FIELDS, 'patch_rules', MAX_RULES,
                                _patch_rule, operating_system)


def _patch_list(value, path, operating_system, approved):
    entries = []
    for position, entry in enumerate(_list(value, path, MAX_PATCH_LIST)):
        entry_path = _index(path, position)
        _string(entry, entry_path, 1, 100)
        problem = _patch_entry_problem(operating_system, entry, approved)
        if problem:
            raise BaselineValidationError(entry_path, problem)
        entries.append(entry)
    return entries


def _source(reader, value, path):
    present = reader.mapping(value, path, _SOURCE_FIELDS)
    for field in _SOURCE_FIELDS:
        if field not in present:
            raise BaselineValidationError(reader.path(path, field), 'is required')
    products_path = reader.path(path, 'products')
    products = [_string(product, _index(products_path, position), 1, 128) for position, product
                in enumerate(_list(present['products'], products_path, MAX_SOURCE_PRODUCTS, min_items=1))]
    return {
        'name': _pattern(present['name'], reader.path(path, 'name'), SOURCE_NAME_PATTERN, '^[a-zA-Z0-9_\\-.]{3,50}$'),
        'products': products,
        'configuration': _string(present['configuration'], reader.path(path, 'configuration'), 1, 1024),
    }


def _detect_shape(data):
    aws_keys = set(_pascal(field) for field in _TOP_LEVEL_FIELDS + _IGNORED_TOP_LEVEL_FIELDS)
    yaml_keys = set(_TOP_LEVEL_FIELDS + _IGNORED_TOP_LEVEL_FIELDS)
    found_aws = sorted(key for key in data if key in aws_keys)
    found_yaml = sorted(key for key in data if key in yaml_keys)
    if found_aws and found_yaml:
        raise BaselineValidationError('baseline', 'mixes the AWS shape (%s) and the YAML shape (%s); use one of them'
                                      % (', '.join(found_aws), ', '.join(found_yaml)))
    if found_yaml:
        return 'yaml'
    if found_aws:
        return 'aws'
    # No known key at all: guess from the spelling so the error lists the right names.
    first_key = next(iter(data), '')
    return 'yaml' if isinstance(first_key, str) and first_key[:1].islower() else 'aws'


def normalise_baseline(data):
    """Validate a baseline in either shape; return a new canonical dict or raise BaselineValidationError."""
    if not isinstance(data, dict):
        raise BaselineValidationError('baseline', 'must be a mapping, not %s' % type_name(data))
    reader = _Reader(_detect_shape(data))
    present = reader.mapping(data, '', _TOP_LEVEL_FIELDS, ignored=_IGNORED_TOP_LEVEL_FIELDS)
    if present.get('name') is None:
        raise BaselineValidationError(reader.key('name'), 'is required')

    if present.get('operating_system') is not None:
        return _normalise_fields(reader, present, _enum(present['operating_system'], reader.key('operating_system'),
                                                        OPERATING_SYSTEMS))
    try:
        return _normalise_fields(reader, present, 'WINDOWS')
    except BaselineValidationError as exc:
        if 'WINDOWS' not in exc.problem:
            raise
        # Linux users who forget the OS otherwise see puzzling Windows-only choices.
        raise BaselineValidationError(exc.path, '%s; %s is not set, so the baseline is for WINDOWS (the AWS default)'
                                      % (exc.problem, reader.key('operating_system')))


def _normalise_fields(reader, present, operating_system):
    """The canonical dict of a baseline whose top-level keys are known to be valid."""
    def path(field):
        return reader.key(field)

    baseline = {
        'name': _pattern(present['name'], path('name'), NAME_PATTERN, '^[a-zA-Z0-9_\\-.]{3,128}$'),
        'baseline_id': None,
        'operating_system': operating_system,
        'description': None,
        'global_filters': {'patch_filters': []},
        'approval_rules': {'patch_rules': []},
        'approved_patches': [],
        'approved_patches_compliance_level': 'UNSPECIFIED',
        'approved_patches_enable_non_security': False,
        'rejected_patches': [],
        'rejected_patches_action': 'ALLOW_AS_DEPENDENCY',
        'sources': [],
    }
    # Windows only and unset by default: present in the canonical dict only when given,
    # so Linux baselines have exactly the keys docs/DESIGN.md lists.
    if present.get('baseline_id') is not None:
        baseline['baseline_id'] = _pattern(present['baseline_id'], path('baseline_id'), BASELINE_ID_PATTERN,
                                           '^[a-zA-Z0-9_\\-:/]{20,128}$')
    if present.get('description') is not None:
        baseline['description'] = _string(present['description'], path('description'), 1, 1024)
    if present.get('global_filters') is not None:
        baseline['global_filters'] = _patch_filter_group(reader, present['global_filters'], path('global_filters'),
                                                         operating_system)
    if present.get('approval_rules') is not None:
        baseline['approval_rules'] = _approval_rules(reader, present['approval_rules'], path('approval_rules'),
                                                     operating_system)
    if present.get('approved_patches') is not None:
        baseline['approved_patches'] = _patch_list(present['approved_patches'], path('approved_patches'),
                                                   operating_system, approved=True)
    if present.get('approved_patches_compliance_level') is not None:
        baseline['approved_patches_compliance_level'] = _enum(
            present['approved_patches_compliance_level'], path('approved_patches_compliance_level'), COMPLIANCE_LEVELS)
    if present.get('approved_patches_enable_non_security') is not None:
        baseline['approved_patches_enable_non_security'] = _linux_only_flag(
            reader, present['approved_patches_enable_non_security'], path('approved_patches_enable_non_security'),
            operating_system)
    if present.get('rejected_patches') is not None:
        baseline['rejected_patches'] = _patch_list(present['rejected_patches'], path('rejected_patches'),
                                                   operating_system, approved=False)
    if present.get('rejected_patches_action') is not None:
        baseline['rejected_patches_action'] = _enum(present['rejected_patches_action'], path('rejected_patches_action'),
                                                    REJECTED_PATCHES_ACTIONS)
    if present.get('sources') is not None:
        sources_path = path('sources')
        sources = _list(present['sources'], sources_path, MAX_SOURCES)
        if sources and operating_system not in LINUX_OPERATING_SYSTEMS:
            raise BaselineValidationError(sources_path, 'alternative patch sources apply to Linux baselines only, not %s'
                                          % operating_system)
        baseline['sources'] = [_source(reader, item, _index(sources_path, position)) for position, item in enumerate(sources)]
    if present.get('available_security_updates_compliance_status') is not None:
        status_path = path('available_security_updates_compliance_status')
        status = _enum(present['available_security_updates_compliance_status'], status_path,
                       SECURITY_UPDATES_COMPLIANCE_STATUSES)
        if operating_system != 'WINDOWS':
            raise BaselineValidationError(status_path, 'applies to WINDOWS baselines only, not %s' % operating_system)
        baseline['available_security_updates_compliance_status'] = status
    return baseline


# --- back to the AWS shape ---------------------------------------------------------

def _aws_filter_group(group):
    return {'PatchFilters': [{'Key': item['key'], 'Values': list(item['values'])} for item in group['patch_filters']]}


def _aws_rule(rule):
    converted = {
        'PatchFilterGroup': _aws_filter_group(rule['patch_filter_group']),
        'ComplianceLevel': rule['compliance_level'],
        'EnableNonSecurity': rule['enable_non_security'],
    }
    if rule['approve_after_days'] is not None:
        converted['ApproveAfterDays'] = rule['approve_after_days']
    if rule['approve_until_date'] is not None:
        converted['ApproveUntilDate'] = rule['approve_until_date']
    return converted


def to_aws_shape(baseline):
    """The canonical dict in the PascalCase shape ``aws ssm get-patch-baseline`` prints."""
    converted = {
        'Name': baseline['name'],
        'OperatingSystem': baseline['operating_system'],
        'GlobalFilters': _aws_filter_group(baseline['global_filters']),
        'ApprovalRules': {'PatchRules': [_aws_rule(rule) for rule in baseline['approval_rules']['patch_rules']]},
        'ApprovedPatches': list(baseline['approved_patches']),
        'ApprovedPatchesComplianceLevel': baseline['approved_patches_compliance_level'],
        'ApprovedPatchesEnableNonSecurity': baseline['approved_patches_enable_non_security'],
        'RejectedPatches': list(baseline['rejected_patches']),
        'RejectedPatchesAction': baseline['rejected_patches_action'],
        'Sources': [{'Name': source['name'], 'Products': list(source['products']), 'Configuration': source['configuration']}
                    for source in baseline['sources']],
    }
    for field in ('baseline_id', 'description', 'available_security_updates_compliance_status'):
        if baseline.get(field) is not None:
            converted[_pascal(field)] = baseline[field]
    return converted


# --- documents --------------------------------------------------------------------

def load_baseline_document(text, source):
    """Parse JSON or YAML ``text`` (from ``source``, used in errors) into a mapping or list.

    JSON always works; YAML needs PyYAML (always present on the controller).
    The result is not validated: pass each baseline to ``normalise_baseline``.
    """
    try:
        data = _documents.load_document(text)
    except _documents.DocumentError as exc:
        raise BaselineValidationError(source, str(exc))
    if data is None:
        raise BaselineValidationError(source, 'is empty')
    if not isinstance(data, (dict, list)):
        raise BaselineValidationError(source, 'must hold a baseline mapping or a list of them, not %s' % type_name(data))
    return data
