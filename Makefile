# fleetops.patch_manager — one entry point for setup, scan, tests and benchmarks.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

# Debian packages the tests drive (real package managers, test fleet, repositories).
DEB_PACKAGES := python3-apt dnf python3-dnf rpm createrepo-c zypper apt-utils \
	mmdebstrap openssh-server dpkg-dev fakeroot iproute2 util-linux shellcheck \
	postgresql chromium

.PHONY: help venv system-deps scan test test-static test-system sanity units functional store-test fleet-test fleet-layer bench soak changelog-lint fleet-up fleet-down lint

help:
	@echo "make scan   - set up .venv and scan this machine against its default baseline (refreshes the package lists, changes no package)"
	@echo "make test   - everything CI runs: sanity, units, functional and fleet tests"
	@echo "make bench  - benchmarks; figures go to BENCHMARKS.md"
	@echo "make soak   - 20 consecutive fleet scans of 24 nodes without a failure"
	@echo "make docs   - the docs site under build/docs (see publish.mk for build, release-changelog, ...)"

$(VENV)/.stamp: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

.collections/ansible_collections/fleetops/patch_manager:
	mkdir -p .collections/ansible_collections/fleetops
	ln -sfn ../../.. $@

venv: $(VENV)/.stamp .collections/ansible_collections/fleetops/patch_manager

system-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

sanity: venv
	tests/utils/ansible-test.sh sanity

units: venv
	tests/utils/ansible-test.sh units --requirements

changelog-lint: venv
	$(VENV)/bin/antsibull-changelog lint

# Scan of this machine against the predefined baseline for its OS (refreshes the package lists first).
scan: venv
	@dpkg-query -W -f='$${Status}\n' python3-apt 2>/dev/null | grep -q '^install ok installed' \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-apt >/dev/null)
	ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
		$(VENV)/bin/ansible-playbook playbooks/scan_localhost.yml

functional: system-deps venv venv-2.16
	$(VENV)/bin/pytest -p no:cacheprovider tests/functional

# The compliance store alone (SQLite and a PostgreSQL the tests start), its report page in
# Chromium and the ansible-runner jobs; part of `functional`, here to run by itself.
store-test: system-deps venv
	$(VENV)/bin/pytest -p no:cacheprovider tests/functional/store tests/functional/module/test_awx_runner.py

bench: system-deps venv
	$(VENV)/bin/python bench/run_all.py --fleet

# 20 consecutive fleet scans of 24 nodes without a failure (about ten minutes; not in `make test`).
soak: system-deps venv
	PYTHONPATH=$(CURDIR)/.collections $(VENV)/bin/pytest -p no:cacheprovider tests/soak -q

# The whole repository at the production profile (.ansible-lint; offline: Galaxy is unreachable).
lint: venv
	$(VENV)/bin/ansible-lint

# The fleet layer (inventory, registry, snapshots, playbooks, callback) on the SSH fleet.
fleet-layer: system-deps venv
	PYTHONPATH=$(CURDIR)/.collections $(VENV)/bin/pytest -p no:cacheprovider tests/fleet_layer -q

# Everything CI runs. First what installs into .venv (ansible-test units --requirements), then
# two streams side by side, each in order: the static checks (mostly one core busy) and the
# system tests (package managers, the SSH fleet, Chromium: often waiting). On two cores that
# takes about a quarter less time than one after the other. Each stream's output is printed
# as a block when the stream is done; `make <target>` runs any part alone.
test: system-deps venv venv-2.16
	$(MAKE) --no-print-directory -j1 changelog-lint units units-2.16
	$(MAKE) --no-print-directory -j2 --output-sync=recurse test-static test-system

test-static:
	$(MAKE) --no-print-directory -j1 lint sanity sanity-2.16 docs-lint publish-test

test-system:
	$(MAKE) --no-print-directory -j1 functional fleet-test fleet-layer

-include tests/fleet/fleet.mk
include publish.mk
