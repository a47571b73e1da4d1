# The SSH test fleet (tests/fleet/fleetctl.py); included by the top-level Makefile.
#   make fleet-up [N=6] [FAMILY=mix|deb|rpm|suse]   nodes node2.. on 127.0.0.2.., as root
#   make fleet-down                                 stops exactly what fleet-up started
#   make fleet-test                                 mechanics, end-to-end and fault tests
N ?= 6
FAMILY ?= mix
FLEETCTL := $(PY) tests/fleet/fleetctl.py

fleet-up: system-deps venv
	$(FLEETCTL) up --nodes $(N) --family $(FAMILY)

fleet-down: venv
	$(FLEETCTL) down

fleet-test: system-deps venv
	PYTHONPATH=$(CURDIR)/.collections $(VENV)/bin/pytest tests/fleet -q

# `make test` runs fleet-test (see the Makefile).
