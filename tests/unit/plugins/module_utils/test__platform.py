# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Platform detection from os-release files as the distributions ship them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.fleetops.patch_manager.plugins.module_utils._errors import InputError
from ansible_collections.fleetops.patch_manager.plugins.module_utils._platform import (
    Platform, detect, detect_platform, family_for, parse_os_release, read_os_release,
)

OS_RELEASES = {
    'debian-12': (
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\n'
        'VERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n'
        'SUPPORT_URL="https://www.debian.org/support"\nBUG_REPORT_URL="https://bugs.debian.org/"\n'),
    'ubuntu-22.04': (
        'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\n'
        'VERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\n'
        'UBUNTU_CODENAME=jammy\n'),
    'raspbian-11': (
        'PRETTY_NAME="Raspbian GNU/Linux 11 (bullseye)"\nNAME="Raspbian GNU/Linux"\nVERSION_ID="11"\n'
        'VERSION="11 (bullseye)"\nVERSION_CODENAME=bullseye\nID=raspbian\nID_LIKE=debian\n'),
    'rhel-9.4': (
        'NAME="Red Hat Enterprise Linux"\nVERSION="9.4 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\n'
        'PLATFORM_ID="platform:el9"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\nANSI_COLOR="0;31"\n'
        'CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"\n'),
    'rocky-9.4': (
        'NAME="Rocky Linux"\nVERSION="9.4 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n'
        'PLATFORM_ID="platform:el9"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n'),
    'alma-9.4': (
        'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\n'
        'VERSION_ID="9.4"\nPRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n'),
    'oracle-9.4': (
        'NAME="Oracle Linux Server"\nVERSION="9.4"\nID="ol"\nID_LIKE="fedora"\nVARIANT="Server"\nVARIANT_ID="server"\n'
        'VERSION_ID="9.4"\nPRETTY_NAME="Oracle Linux Server 9.4"\n'),
    'centos-stream-9': (
        'NAME="CentOS Stream"\nVERSION="9"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="9"\n'
        'PLATFORM_ID="platform:el9"\nPRETTY_NAME="CentOS Stream 9"\n'),
    'centos-7': (
        'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n'
        'PRETTY_NAME="CentOS Linux 7 (Core)"\n'),
    'amazon-linux-2': (
        'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\n'
        'PRETTY_NAME="Amazon Linux 2"\nCPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"\n'),
    'amazon-linux-2023': (
        'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\n'
        'PLATFORM_ID="platform:al2023"\nPRETTY_NAME="Amazon Linux 2023.5.20240805"\n'),
    'amazon-linux-1': (
        'NAME="Amazon Linux AMI"\nVERSION="2018.03"\nID="amzn"\nID_LIKE="rhel fedora"\nVERSION_ID="2018.03"\n'
        'PRETTY_NAME="Amazon Linux AMI 2018.03"\n'),
    'sles-15.5': (
        'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\n'
        'ID="sles"\nID_LIKE="suse"\nANSI_COLOR="0;32"\nCPE_NAME="cpe:/o:suse:sles:15:sp5"\n'),
    'opensuse-leap-15.5': (
        'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\n'
        'PRETTY_NAME="openSUSE Leap 15.5"\n'),
}

EXPECTED = [
    ('debian-12', Platform('DEBIAN', 'Debian12', 'apt')),
    ('ubuntu-22.04', Platform('UBUNTU', 'Ubuntu22.04', 'apt')),
    ('raspbian-11', Platform('RASPBIAN', 'Raspbian11', 'apt')),
    ('rhel-9.4', Platform('REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux9.4', 'dnf')),
    ('rocky-9.4', Platform('ROCKY_LINUX', 'RockyLinux9.4', 'dnf')),
    ('alma-9.4', Platform('ALMA_LINUX', 'AlmaLinux9.4', 'dnf')),
    ('oracle-9.4', Platform('ORACLE_LINUX', 'OracleLinux9.4', 'dnf')),
    ('centos-stream-9', Platform('CENTOS', 'CentOSStream9', 'dnf')),
    ('centos-7', Platform('CENTOS', 'CentOS7', 'dnf')),
    ('amazon-linux-2', Platform('AMAZON_LINUX_2', 'AmazonLinux2', 'dnf')),
    ('amazon-linux-2023', Platform('AMAZON_LINUX_2023', 'AmazonLinux2023', 'dnf')),
    ('amazon-linux-1', Platform('AMAZON_LINUX', 'AmazonLinux2018.03', 'dnf')),
    ('sles-15.5', Platform('SUSE', 'Suse15.5', 'zypper')),
    ('opensuse-leap-15.5', Platform('SUSE', 'Suse15.5', 'zypper')),
]


@pytest.mark.parametrize('release, expected', EXPECTED, ids=[case[0] for case in EXPECTED])
def test_detect_platform(release, expected):
    assert detect_platform(parse_os_release(OS_RELEASES[release])) == expected


def test_parse_os_release_handles_quotes_escapes_and_comments():
    text = ('# comment line\n'
            'NAME="Example \\"Linux\\""\n'
            "VERSION='1.0 (single quoted)'\n"
            'ID=example\n'
            'EMPTY=\n'
            '  \n'
            'not a key value line\n'
            '9BAD=starts with a digit\n'
            'DOLLAR="costs $5"\n'
            'HASH="with # inside"\n')
    assert parse_os_release(text) == {
        'NAME': 'Example "Linux"', 'VERSION': '1.0 (single quoted)', 'ID': 'example', 'EMPTY': '',
        'DOLLAR': 'costs $5', 'HASH': 'with # inside',
    }


def test_parse_os_release_keeps_unbalanced_values():
    assert parse_os_release('NAME="Broken\nID=debian\n') == {'NAME': 'Broken', 'ID': 'debian'}


def test_explicit_operating_system_works_without_a_known_os_release(tmp_path):
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'etc' / 'os-release').write_text('ID=gentoo\nVERSION_ID=2.15\n')
    assert detect(str(tmp_path), 'DEBIAN') == Platform('DEBIAN', 'Debian2.15', 'apt')


@pytest.mark.parametrize('text, fragment', [
    ('ID=fedora\nVERSION_ID=40\nPRETTY_NAME="Fedora Linux 40 (Server Edition)"\n',
     "cannot map ID=fedora (Fedora Linux 40 (Server Edition)) to an AWS operating system"),
    ('ID=amzn\nVERSION_ID=2025\nNAME="Amazon Linux"\n', 'ID=amzn (Amazon Linux) VERSION_ID=2025'),
    ('NAME="No ID"\n', 'cannot map an os-release without ID'),
], ids=['fedora', 'unknown-amazon-version', 'no-id'])
def test_unknown_os_names_the_id_and_the_supported_ones(text, fragment):
    with pytest.raises(InputError) as caught:
        detect_platform(parse_os_release(text))
    assert caught.value.field == 'operating_system'
    message = str(caught.value)
    assert fragment in message
    assert 'supported os-release IDs: almalinux, amzn, centos, debian' in message
    assert 'Set operating_system to one of' in message and 'REDHAT_ENTERPRISE_LINUX' in message


def test_explicit_operating_system_is_for_systems_we_cannot_map():
    fedora = parse_os_release('ID=fedora\nVERSION_ID=40\n')
    assert detect_platform(fedora, 'REDHAT_ENTERPRISE_LINUX') == Platform('REDHAT_ENTERPRISE_LINUX',
                                                                          'RedhatEnterpriseLinux40', 'dnf')
    rocky = parse_os_release(OS_RELEASES['rocky-9.4'])
    assert detect_platform(rocky, 'ROCKY_LINUX') == Platform('ROCKY_LINUX', 'RockyLinux9.4', 'dnf')


def test_explicit_operating_system_that_contradicts_os_release_fails_naming_both():
    rocky = parse_os_release(OS_RELEASES['rocky-9.4'])
    with pytest.raises(InputError) as caught:
        detect_platform(rocky, 'REDHAT_ENTERPRISE_LINUX')
    assert caught.value.field == 'operating_system'
    assert 'REDHAT_ENTERPRISE_LINUX contradicts the os-release of the system (ID=rocky' in str(caught.value)
    assert 'ROCKY_LINUX' in str(caught.value)


@pytest.mark.parametrize('operating_system, fragment', [
    ('ubuntu', "'ubuntu' is not one of WINDOWS, AMAZON_LINUX"),
    ('FEDORA', "'FEDORA' is not one of"),
    ('WINDOWS', 'WINDOWS hosts cannot be patched by this collection; supported: AMAZON_LINUX'),
    ('MACOS', 'MACOS hosts cannot be patched'),
])
def test_explicit_operating_system_is_validated(operating_system, fragment):
    with pytest.raises(InputError) as caught:
        detect_platform(parse_os_release(OS_RELEASES['debian-12']), operating_system)
    assert caught.value.field == 'operating_system'
    assert fragment in str(caught.value)


@pytest.mark.parametrize('operating_system, family', [
    ('UBUNTU', 'apt'), ('DEBIAN', 'apt'), ('RASPBIAN', 'apt'), ('SUSE', 'zypper'), ('AMAZON_LINUX_2', 'dnf'),
    ('REDHAT_ENTERPRISE_LINUX', 'dnf'), ('CENTOS', 'dnf'), ('ORACLE_LINUX', 'dnf'), ('ROCKY_LINUX', 'dnf'),
    ('ALMA_LINUX', 'dnf'), ('AMAZON_LINUX', 'dnf'), ('AMAZON_LINUX_2022', 'dnf'), ('AMAZON_LINUX_2023', 'dnf'),
])
def test_family_for(operating_system, family):
    assert family_for(operating_system) == family


def write(root, path, text):
    target = os.path.join(str(root), path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, 'w') as handle:
        handle.write(text)
    return target


def test_read_os_release_prefers_etc(tmp_path):
    write(tmp_path, 'etc/os-release', OS_RELEASES['debian-12'])
    write(tmp_path, 'usr/lib/os-release', OS_RELEASES['ubuntu-22.04'])
    assert read_os_release(str(tmp_path))['ID'] == 'debian'


def test_read_os_release_falls_back_to_usr_lib(tmp_path):
    write(tmp_path, 'usr/lib/os-release', OS_RELEASES['sles-15.5'])
    assert detect(str(tmp_path)) == Platform('SUSE', 'Suse15.5', 'zypper')


def test_absolute_symlink_resolves_inside_the_root(tmp_path):
    # /etc/os-release -> /usr/lib/os-release must not read the machine's own file.
    write(tmp_path, 'usr/lib/os-release', OS_RELEASES['rocky-9.4'])
    os.makedirs(str(tmp_path / 'etc'))
    os.symlink('/usr/lib/os-release', str(tmp_path / 'etc' / 'os-release'))
    assert read_os_release(str(tmp_path))['ID'] == 'rocky'


def test_relative_symlink(tmp_path):
    write(tmp_path, 'usr/lib/os-release', OS_RELEASES['alma-9.4'])
    os.makedirs(str(tmp_path / 'etc'))
    os.symlink('../usr/lib/os-release', str(tmp_path / 'etc' / 'os-release'))
    assert detect(str(tmp_path)).operating_system == 'ALMA_LINUX'


def test_missing_os_release(tmp_path):
    with pytest.raises(InputError) as caught:
        read_os_release(str(tmp_path))
    assert caught.value.field == 'root'
    assert os.path.join(str(tmp_path), 'etc/os-release') in str(caught.value)
    assert 'set operating_system' in str(caught.value)


def test_missing_os_release_with_explicit_operating_system(tmp_path):
    assert detect(str(tmp_path), 'DEBIAN') == Platform('DEBIAN', 'Debian', 'apt')
