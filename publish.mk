# Publishing: the Galaxy archive, the docs site, the changelog release, and the checks that
# the published collection works (archive contents, Galaxy import, docs, execution
# environment, AWX job templates, the oldest supported ansible-core). Included by the Makefile.
#   make build               build/fleetops-patch_manager-<version>.tar.gz, what Galaxy gets
#   make docs                the docs site, offline: build/docs/build/html/index.html
#   make docs-lint           antsibull-docs lint-collection-docs (plugin docs and docs/docsite)
#   make publish-test        tests/publish: archive, galaxy-importer, docs page in Chromium, EE, AWX
#   make sanity-2.16 / units-2.16   ansible-test with the oldest ansible-core (.venv-2.16)
#   make release-changelog VERSION=1.0.0   the release: galaxy.yml version, changelog.yaml, CHANGELOG.rst
DEB_PACKAGES += chromium
VENV_OLDEST := .venv-2.16
# The oldest ansible-core meta/runtime.yml accepts (requires_ansible: >=2.16.0).
ANSIBLE_CORE_OLDEST := ansible-core>=2.16,<2.17

.PHONY: build docs docs-lint publish-test venv-2.16 sanity-2.16 units-2.16 release-changelog

build: venv
	$(VENV)/bin/ansible-galaxy collection build --force --output-path build/

docs: venv
	VENV=$(VENV) docs/site/build.sh build/docs
	@echo "Docs site: build/docs/build/html/index.html"

docs-lint: venv
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.collections PATH="$(CURDIR)/$(VENV)/bin:$$PATH" \
		$(VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs \
		--validate-collection-refs dependent .collections/ansible_collections/fleetops/patch_manager

publish-test: system-deps venv
	$(VENV)/bin/pytest -p no:cacheprovider tests/publish -q

$(VENV_OLDEST)/.stamp: publish.mk
	python3 -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/pip install --quiet --upgrade pip
	$(VENV_OLDEST)/bin/pip install --quiet '$(ANSIBLE_CORE_OLDEST)'
	touch $@

venv-2.16: $(VENV_OLDEST)/.stamp

sanity-2.16: venv-2.16
	ANSIBLE_TEST_VENV=$(CURDIR)/$(VENV_OLDEST) tests/utils/ansible-test.sh sanity

units-2.16: venv-2.16
	ANSIBLE_TEST_VENV=$(CURDIR)/$(VENV_OLDEST) tests/utils/ansible-test.sh units --requirements

# Run once per release, when all its work has landed (first add a release_summary fragment,
# e.g. changelogs/fragments/1.0.0.yml). Sets galaxy.yml's version, moves the fragments into
# changelogs/changelog.yaml and writes CHANGELOG.rst at the repository root; commit the result.
# Plugins and roles whose version_added is VERSION are listed as new in that release.
# (antsibull-changelog runs ansible-doc from PATH to find them.)
release-changelog: venv
	@test -n "$(VERSION)" || { echo "usage: make release-changelog VERSION=x.y.z" >&2; exit 2; }
	sed -i 's/^version: .*/version: $(VERSION)/' galaxy.yml
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/antsibull-changelog release --version $(VERSION)
	$(VENV)/bin/antsibull-changelog lint

# `make test` runs docs-lint, publish-test, sanity-2.16 and units-2.16 (see the Makefile).
