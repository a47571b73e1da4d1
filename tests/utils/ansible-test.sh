#!/usr/bin/env bash
# Run ansible-test on a copy of this checkout laid out as
# ansible_collections/fleetops/patch_manager (ansible-test refuses any other layout,
# and a symlinked tree is seen through). Usage: tests/utils/ansible-test.sh sanity|units [args]
# ANSIBLE_TEST_VENV names the venv whose ansible-test runs (default .venv; `make sanity-2.16`
# and `make units-2.16` use .venv-2.16, the oldest ansible-core that meta/runtime.yml accepts).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
venv="${ANSIBLE_TEST_VENV:-$repo/.venv}"
# Outside the checkout: inside it, ansible-test would list files through the
# checkout's git and find none (the copy is ignored there).
tree=$(mktemp -d "${TMPDIR:-/tmp}/fleetops-ansible-test.XXXXXX")
trap 'rm -rf "$tree"' EXIT
dest="$tree/ansible_collections/fleetops/patch_manager"

# ansible-test bootstraps pip in its managed venvs with a script it downloads from a
# host this machine cannot reach. Stand in for it: ensurepip in a subprocess (an
# in-process ensurepip drops pip's config and with it the CA setting), then pip.
pip_version=$("$venv/bin/python" - <<'PY'
import re, inspect
from ansible_test._internal import python_requirements as pr
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(pr.get_venv_packages)).group(1))
PY
)
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
cat > "$cache" <<'PY'
"""Local stand-in for get-pip.py (see tests/utils/ansible-test.sh)."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)
PY

mkdir -p "$dest"
# Exactly what git would ship: tracked files plus untracked ones that are not ignored.
# (Tracked files deleted in the working tree are skipped.)
cd "$repo"
git ls-files -z --cached --others --exclude-standard \
  | tar --null --files-from=- --ignore-failed-read --warning=no-failed-read -cf - \
  | tar -xf - -C "$dest"
cd "$dest"
export PATH="$venv/bin:$PATH"
if [ "$1" = sanity ]; then
  # Module code must compile and import on the target Pythons (3.8+): let the
  # multi-version sanity tests see every such interpreter this machine has. pyenv's
  # shims answer for versions that are not active with exit 127, so they leave PATH
  # and the interpreters themselves come in.
  PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -E '/\.pyenv/(.*/)?shims$' | paste -sd: -)
  for v in 3.8 3.9 3.10 3.12 3.13; do
    for d in "${PYENV_ROOT:-$HOME/.pyenv}/versions/$v".*/bin; do
      if [ -x "$d/python$v" ]; then PATH="$PATH:$d"; fi
    done
  done
  ansible-test "$@" --local --color no
else
  ansible-test "$@" --python 3.11 --local --color no
fi
