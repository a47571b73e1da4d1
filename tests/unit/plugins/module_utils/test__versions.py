# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Version comparison: fixed vectors, the system libraries as oracle, and properties.

The venv running these tests has neither ``apt_pkg`` nor ``rpm``, so ``compare`` here
uses the pure-Python fallback. The system interpreter (/usr/bin/python3) has both; it
is used as the reference (one long-lived subprocess, batch requests).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import json
import os
import subprocess

import pytest
from hypothesis import example, given, settings, strategies as st, HealthCheck

from ansible_collections.fleetops.patch_manager.plugins.module_utils import _versions
from ansible_collections.fleetops.patch_manager.plugins.module_utils._versions import (
    compare, debian_compare, debian_key, join_evr, order, rpm_compare, rpm_key, sort_key, split_evr, tuple_key,
)

SYSTEM_PYTHON = '/usr/bin/python3'

# (left, right, expected): expected is what dpkg / rpm say (checked by the oracle test).
DEBIAN_VECTORS = [
    ('1.0', '1.0', 0),
    ('1.0', '1.1', -1),
    ('1.0~rc1', '1.0', -1),
    ('1.0~rc1', '1.0~rc2', -1),
    ('1.0~~', '1.0~', -1),
    ('1.0~', '1.0', -1),
    ('1.0~rc1-1', '1.0-0', -1),
    ('1.0', '1.0+b1', -1),
    ('1.0a', '1.0+', -1),
    ('1.0a', '1.0.', -1),
    ('1.0a', '1.0', 1),
    ('1.0a', '1.0A', 1),
    ('1:1.0', '2.0', 1),
    ('0:1.0', '1.0', 0),
    ('10:1', '9:99', 1),
    ('1.0-1', '1.0-2', -1),
    ('1.0', '1.0-0', 0),
    ('1.0-1', '1.0', 1),
    ('1.01', '1.1', 0),
    ('1.001', '1.1', 0),
    ('1.10', '1.9', 1),
    ('1.0-1-1', '1.0-1-2', -1),
    ('2.30-1ubuntu1', '2.30-1ubuntu1.1', -1),
    ('7.88.1-10+deb12u5', '7.88.1-10+deb12u12', -1),
    ('1.2.3-1~deb12u1', '1.2.3-1', -1),
    ('2:8.2.3995-1ubuntu2.15', '2:8.2.3995-1ubuntu2.9', 1),
    ('3.0.2-0ubuntu1.10', '3.0.2-0ubuntu1.10', 0),
    ('1.0-', '1.0', -1),  # invalid empty revision: libapt ranks it below '-0'
]

RPM_VECTORS = [
    ('0:1.0-1', '0:1.0-1', 0),
    ('0:1.0-1', '0:1.1-1', -1),
    ('0:1.0~rc1-1', '0:1.0-1', -1),
    ('0:1.0~rc1-1', '0:1.0~rc2-1', -1),
    ('0:1.0~~-1', '0:1.0~-1', -1),
    ('0:1.0^git1-1', '0:1.0-1', 1),
    ('0:1.0^git1-1', '0:1.0.1-1', -1),
    ('0:1.0^-1', '0:1.0-1', 1),
    ('0:1.0~rc1^git1-1', '0:1.0~rc1-1', 1),
    ('0:1.0~rc1^git1-1', '0:1.0-1', -1),
    ('1:1.0-1', '0:2.0-1', 1),
    ('10:1-1', '9:2-1', 1),
    ('1.0-1', '0:1.0-1', 0),
    ('00:1.0-1', '0:1.0-1', 0),
    ('0:1.0', '0:1.0-1', -1),
    ('0:1.01-1', '0:1.1-1', 0),
    ('0:1.10-1', '0:1.9-1', 1),
    ('0:1.0a-1', '0:1.0-1', 1),
    ('0:1a-1', '0:1.1-1', -1),
    ('0:1.0-1.el9', '0:1.0-1.el9_1', -1),
    ('0:2.34-60.el9', '0:2.34-100.el9', -1),
    ('0:1.0-1.fc39', '0:1.0-1.fc40', -1),
    ('0:1_0-1', '0:1.0-1', 0),
    ('0:1.0+2-1', '0:1.0.2-1', 0),
    ('0:1.0-1', '0:1.0.0-1', -1),
    ('0:abc-1', '0:abd-1', -1),
    ('0:1.0-1', '0:1.0-1.', 0),
    ('0:5.3.28-42.el8_4', '0:5.3.28-42.el8_4.1', -1),
]

VECTORS = ([('apt',) + vector for vector in DEBIAN_VECTORS]
           + [(family,) + vector for family in ('dnf', 'zypper') for vector in RPM_VECTORS])


def _vector_id(vector):
    return '%s:%s<=>%s' % vector[:3]


ORACLE_SCRIPT = r'''
import json, sys
import apt_pkg, rpm
apt_pkg.init_config()
apt_pkg.init_system()

def sign(number):
    return (number > 0) - (number < 0)

def decide(family, left, right):
    # rpm versions arrive split into (epoch, version, release) lists.
    if family == 'apt':
        return sign(apt_pkg.version_compare(left, right))
    return sign(rpm.labelCompare(tuple(left), tuple(right)))

for line in sys.stdin:
    batch = json.loads(line)
    sys.stdout.write(json.dumps([decide(*item) for item in batch]) + '\n')
    sys.stdout.flush()
'''


def _system_python_problem():
    """Why the system interpreter cannot serve as oracle, or None."""
    if not os.path.exists(SYSTEM_PYTHON):
        return '%s does not exist' % SYSTEM_PYTHON
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import apt_pkg, rpm'], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return '%s lacks apt_pkg or rpm (python3-apt, python3-rpm): %s' % (SYSTEM_PYTHON, probe.stderr.strip())
    return None


class LibraryOracle(object):
    """One /usr/bin/python3 process answering batches of comparisons with apt_pkg / rpm."""

    def __init__(self):
        self.process = subprocess.Popen([SYSTEM_PYTHON, '-c', ORACLE_SCRIPT], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, universal_newlines=True)

    def compare_all(self, items):
        """``[(family, left, right)]`` -> the library's answers; rpm versions go split by ``split_evr``."""
        requests = [(family, left, right) if family == 'apt' else (family, split_evr(left), split_evr(right))
                    for family, left, right in items]
        self.process.stdin.write(json.dumps(requests) + '\n')
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()


@pytest.fixture(scope='module')
def oracle():
    problem = _system_python_problem()
    if problem:
        pytest.skip('cannot check against the system libraries: ' + problem)
    library_oracle = LibraryOracle()
    yield library_oracle
    library_oracle.close()


@pytest.mark.parametrize('family, left, right, expected', VECTORS, ids=[_vector_id(v) for v in VECTORS])
def test_compare_vectors(family, left, right, expected):
    first, second = left, right
    assert compare(family, first, second) == expected
    assert compare(family, second, first) == -expected


@pytest.mark.parametrize('family, left, right, expected', VECTORS, ids=[_vector_id(v) for v in VECTORS])
def test_fallback_vectors(family, left, right, expected):
    fallback = debian_compare if family == 'apt' else rpm_compare
    assert fallback(left, right) == expected


def test_vectors_agree_with_system_libraries(oracle):
    answers = oracle.compare_all([vector[:3] for vector in VECTORS])
    disagreements = [(vector, answer) for vector, answer in zip(VECTORS, answers) if vector[3] != answer]
    assert disagreements == []


def test_compare_uses_system_library_when_importable(oracle):
    """Run our module under the system interpreter: it must pick the libraries and agree."""
    collections_root = os.path.abspath(_versions.__file__)
    for dummy in range(6):  # .../ansible_collections/fleetops/patch_manager/plugins/module_utils/_versions.py
        collections_root = os.path.dirname(collections_root)
    script = (
        'import json, sys\n'
        'from ansible_collections.fleetops.patch_manager.plugins.module_utils import _versions as v\n'
        'vectors = json.loads(sys.stdin.read())\n'
        'print(json.dumps({"libraries": [v.library_in_use(f) for f in ("apt", "dnf", "zypper")],\n'
        '                  "answers": [v.compare(*item) for item in vectors],\n'
        '                  "orders": [v.order(f, [item[1] for item in vectors if item[0] == f] +\n'
        '                                         [item[2] for item in vectors if item[0] == f]) for f in ("apt", "dnf")]}))\n'
    )
    env = dict(os.environ, PYTHONPATH=collections_root)
    result = subprocess.run([SYSTEM_PYTHON, '-c', script], input=json.dumps([v[:3] for v in VECTORS]),
                            capture_output=True, text=True, env=env, check=True)
    report = json.loads(result.stdout)
    assert report['libraries'] == ['apt_pkg', 'rpm', 'rpm']
    assert report['answers'] == [vector[3] for vector in VECTORS]
    # The library-checked order is the pure-Python one wherever the two agree (they do on the vectors).
    for family, library_order in zip(('apt', 'dnf'), report['orders']):
        versions = [vector[1] for vector in VECTORS if vector[0] == family] + [vector[2] for vector in VECTORS if vector[0] == family]
        assert [sorted(run) for run in library_order] == [sorted(run) for run in order(family, versions)]


def test_fallback_is_used_without_libraries():
    # The test venv has neither library; say so rather than silently testing nothing.
    if _versions.library_in_use('apt') is not None or _versions.library_in_use('dnf') is not None:
        pytest.skip('this interpreter has apt_pkg or rpm; the fallback is covered by test_fallback_vectors')
    assert [_versions.library_in_use(family) for family in ('apt', 'dnf', 'zypper')] == [None, None, None]


@pytest.mark.parametrize('version, expected', [
    ('1:2.3-4', ('1', '2.3', '4')),
    ('2.3-4', ('0', '2.3', '4')),
    ('2.3', ('0', '2.3', '')),
    ('1:2.3', ('1', '2.3', '')),
    ('1.0-1-2', ('0', '1.0-1', '2')),
    ('0:1.2-3.el9', ('0', '1.2', '3.el9')),
    (':1.0-1', ('0', '1.0', '1')),
], ids=str)
def test_split_evr(version, expected):
    assert split_evr(version) == expected


@pytest.mark.parametrize('parts, family, expected', [
    (('1', '2.3', '4'), 'dnf', '1:2.3-4'),
    (('0', '2.3', '4'), 'dnf', '0:2.3-4'),
    ((None, '2.3', '4'), 'zypper', '0:2.3-4'),
    (('0', '2.3', '4'), 'apt', '2.3-4'),
    (('1', '2.3', '4'), 'apt', '1:2.3-4'),
    (('0', '2.3', ''), 'apt', '2.3'),
    (('00', '2.3', ''), 'apt', '2.3'),
    (('0', '2.3', ''), 'dnf', '0:2.3'),
], ids=str)
def test_join_evr(parts, family, expected):
    assert join_evr(*parts, family=family) == expected


@pytest.mark.parametrize('version', ['1:2.3-4', '0:1.2-3.el9', '2.3'])
def test_join_inverts_split_for_rpm(version):
    joined = join_evr(*split_evr(version), family='dnf')
    assert compare('dnf', joined, version) == 0


def test_sort_key_orders_oldest_first():
    versions = ['1.0', '1.0~rc1', '1:0.1', '1.0-1', '1.0+b1', '0.9']
    assert sorted(versions, key=sort_key('apt')) == ['0.9', '1.0~rc1', '1.0', '1.0-1', '1.0+b1', '1:0.1']
    rpm_versions = ['0:1.0-1', '0:1.0^git1-1', '0:1.0~rc1-1', '1:0.1-1', '0:1.0.1-1']
    assert sorted(rpm_versions, key=sort_key('dnf')) == ['0:1.0~rc1-1', '0:1.0-1', '0:1.0^git1-1', '0:1.0.1-1', '1:0.1-1']


# --- tuple keys and ordering ---------------------------------------------------------

@pytest.mark.parametrize('key, versions', [
    (rpm_key, ['0:1.0~rc1-1', '0:1.0-1', '0:1.0^git1-1', '0:1.0a-1', '0:1.0.1-1', '0:1.00.2-1', '0:1.10-1', '1:0.1-1']),
    (debian_key, ['1.0~~', '1.0~', '1.0-', '1.0', '1.0-1', '1.0a', '1.0+b1', '1.01.1', '1:0.1']),
])
def test_version_keys_order_known_versions(key, versions):
    family = 'dnf' if key is rpm_key else 'apt'
    assert all(compare(family, older, newer) < 0 for older, newer in zip(versions, versions[1:]))
    assert sorted(reversed(versions), key=key) == versions


@settings(max_examples=1000, deadline=None)
@example('apt', ['0', '0~'])
@example('apt', ['1.0', '1.0-', '1.0-0', '1:0', '0:1'])
@example('dnf', ['1.0^', '1.0', '1.0~', '1.0.', 'a:1'])
@given(st.sampled_from(('apt', 'dnf')),
       st.lists(st.text(alphabet='0129ab.~^+-:', min_size=1, max_size=9), min_size=2, max_size=6))
def test_version_keys_agree_with_versions_compare(family, versions):
    """The tuple keys (the order without a system library) order versions as ``compare`` does."""
    key = tuple_key(family)
    for left in versions:
        for right in versions:
            expected = compare(family, left, right)
            actual = (key(left) > key(right)) - (key(left) < key(right))
            assert actual == expected, (left, right)


def test_sort_key_is_the_tuple_key_without_a_library():
    assert _versions.library_in_use('dnf') is None  # the venv has no rpm bindings
    assert sort_key('dnf') is rpm_key
    assert sort_key('zypper') is rpm_key


def test_order_gives_runs_of_equal_versions_newest_first():
    versions = ['0:1.0-1', '0:1.00-1', '0:1.10-1', '0:1.2-1', '0:0.9-1', '0:1.2-1']
    runs = order('dnf', versions)
    assert [sorted(run) for run in runs] == [['0:1.10-1'], ['0:1.2-1'], ['0:1.0-1', '0:1.00-1'], ['0:0.9-1']]


def test_order_follows_the_system_library_when_it_disagrees(monkeypatch):
    """The venv has no rpm bindings: stand in for a library whose order differs from ours."""
    calls = []
    pure_compare = _versions.compare

    def reversed_library(family, left, right):
        calls.append((left, right))
        return -pure_compare(family, left, right)

    monkeypatch.setattr(_versions, 'library_in_use', lambda family: 'rpm')
    monkeypatch.setattr(_versions, 'compare', reversed_library)
    assert _versions.order('dnf', ['0:1.0-1', '0:1.1-1', '0:0.9-1', '0:1.2-1']) == [
        ['0:0.9-1'], ['0:1.0-1'], ['0:1.1-1'], ['0:1.2-1']]
    assert calls  # the library was asked


def test_order_agreeing_with_the_library_costs_one_comparison_per_neighbour(monkeypatch):
    calls = []
    pure_compare = _versions.compare

    def agreeing_library(family, left, right):
        calls.append((left, right))
        return pure_compare(family, left, right)

    monkeypatch.setattr(_versions, 'library_in_use', lambda family: 'rpm')
    monkeypatch.setattr(_versions, 'compare', agreeing_library)
    versions = ['0:1.0-1', '0:1.1-1', '0:0.9-1', '0:1.2-1', '0:1.10-1', '0:1.0.5-1']
    assert _versions.order('dnf', versions) == [['0:1.10-1'], ['0:1.2-1'], ['0:1.1-1'], ['0:1.0.5-1'], ['0:1.0-1'], ['0:0.9-1']]
    assert len(calls) == 5  # six versions: five neighbours


def test_sort_key_is_the_library_order_when_a_library_decides(monkeypatch):
    pure_compare = _versions.compare
    monkeypatch.setattr(_versions, 'library_in_use', lambda family: 'rpm')
    monkeypatch.setattr(_versions, 'compare', lambda family, left, right: -pure_compare(family, left, right))
    assert sorted(['0:1.0-1', '0:2.0-1', '0:1.5-1'], key=_versions.sort_key('dnf')) == ['0:2.0-1', '0:1.5-1', '0:1.0-1']


@pytest.mark.parametrize('function, args', [
    (compare, ('yum', '1', '2')),
    (sort_key, ('pip',)),
    (tuple_key, ('pip',)),
    (order, ('pip', ['1'])),
    (join_evr, ('0', '1', '1', 'apk')),
])
def test_unknown_family_is_refused(function, args):
    with pytest.raises(ValueError, match='family must be one of apt, dnf, zypper'):
        function(*args)


# --- properties ------------------------------------------------------------------

DEBIAN_CHARS = '0123456789abzAZ.+~'
RPM_CHARS = '0123456789abzAZ._+~^'


@st.composite
def debian_versions(draw):
    epoch = draw(st.one_of(st.just(''), st.integers(0, 12).map(lambda number: '%d:' % number)))
    upstream = draw(st.integers(0, 99).map(str)) + draw(st.text(DEBIAN_CHARS, max_size=8))
    revision = draw(st.one_of(st.just(''), st.text(DEBIAN_CHARS, min_size=1, max_size=6).map(lambda text: '-' + text)))
    return epoch + upstream + revision


@st.composite
def rpm_versions(draw):
    epoch = draw(st.one_of(st.just(''), st.integers(0, 12).map(lambda number: '%d:' % number)))
    version = draw(st.text(RPM_CHARS, min_size=1, max_size=8))
    release = draw(st.one_of(st.just(''), st.text(RPM_CHARS, min_size=1, max_size=6).map(lambda text: '-' + text)))
    return epoch + version + release


def version_pairs():
    return st.one_of(
        st.tuples(st.just('apt'), debian_versions(), debian_versions()),
        st.tuples(st.sampled_from(['dnf', 'zypper']), rpm_versions(), rpm_versions()),
    )


@given(version_pairs())
def test_fallback_is_antisymmetric(pair):
    family, left, right = pair
    fallback = debian_compare if family == 'apt' else rpm_compare
    first, second = left, right
    assert fallback(first, second) == -fallback(second, first)
    assert fallback(left, left) == 0


@given(st.one_of(st.lists(debian_versions(), min_size=3, max_size=3).map(lambda versions: ('apt', versions)),
                 st.lists(rpm_versions(), min_size=3, max_size=3).map(lambda versions: ('dnf', versions))))
def test_fallback_is_transitive(case):
    family, versions = case
    ordered = sorted(versions, key=functools.cmp_to_key(functools.partial(compare, family)))
    for earlier, later in zip(ordered, ordered[1:]):
        assert compare(family, earlier, later) <= 0
    assert compare(family, ordered[0], ordered[2]) <= 0


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(version_pairs(), min_size=1, max_size=50))
def test_fallback_agrees_with_system_libraries(oracle, pairs):
    # One batch per example through the long-lived oracle process, not one process per pair.
    expected = oracle.compare_all(pairs)
    actual = [(debian_compare if family == 'apt' else rpm_compare)(left, right) for family, left, right in pairs]
    assert actual == expected
