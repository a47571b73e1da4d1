
# --- fleetops.patch_manager: appended to the conf.py that `antsibull-docs sphinx-init`
# writes (docs/site/build.sh); later assignments win over the generated ones.
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

# Offline build: no intersphinx inventory downloads. References to the Ansible
# documentation are linked by the ansible_docs_links extension (docs/site/).
extensions = [name for name in extensions if name != 'sphinx.ext.intersphinx'] + ['ansible_docs_links']
intersphinx_mapping = {}
