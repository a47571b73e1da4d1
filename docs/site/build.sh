#!/usr/bin/env bash
# Build the collection's docs site offline: `antsibull-docs sphinx-init` writes the Sphinx
# project, docs/site/conf_overrides.py makes it offline, then its build.sh renders the plugin,
# role and user guide pages (docs/docsite/) with Sphinx, warnings as errors.
# Offline: docs/site/ansible_docs_links.py replaces intersphinx (see its docstring).
# Usage: docs/site/build.sh [DEST]   (default build/docs; the HTML lands in DEST/build/html)
# The venv (VENV, default .venv) provides antsibull-docs and Sphinx (requirements-dev.txt).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
venv="${VENV:-$repo/.venv}"
dest="${1:-$repo/build/docs}"
case "$venv" in /*) ;; *) venv="$repo/$venv" ;; esac

export PATH="$venv/bin:$PATH"
# The collection as the checkout's collections tree has it (`make venv` links it).
export ANSIBLE_COLLECTIONS_PATH="$repo/.collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
unset ANSIBLE_CONFIG

rm -rf "$dest"
mkdir -p "$dest"
chmod 700 "$dest"   # antsibull-docs writes only into a directory that only its owner can write
antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error \
  --dest-dir "$dest" \
  --project fleetops.patch_manager \
  --copyright 'fleetops.patch_manager contributors' \
  --title 'fleetops.patch_manager' \
  fleetops.patch_manager >/dev/null
cp "$repo/docs/site/ansible_docs_links.py" "$dest/"
cat >> "$dest/conf.py" <<'PY'

# fleetops.patch_manager (docs/site/build.sh): build offline.
import os as _os
import sys as _sys
_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))
from ansible_docs_links import make_offline  # noqa: E402
make_offline(globals())
PY
"$dest/build.sh"
