"""alloy-py's tests (``python -m pytest tests``)."""

import sys
from pathlib import Path

# This checkout's dev tools (dev/alloy_py_dev) before any installed alloy-py-dev: an editable
# install from another checkout must not be what these tests import. Imported before every
# tests.* conftest; pyproject's pythonpath would do it too, but makes web/dist look stale.
_DEV = str(Path(__file__).resolve().parents[1] / "dev")
if _DEV not in sys.path[:1]:
    sys.path.insert(0, _DEV)
