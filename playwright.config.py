"""How the browser tests launch Chromium: Debian's, never a downloaded one.

Read by ``tests/browser/conftest.py`` (and the benchmarks). Playwright for
Python has no config file of its own; this is ours.
"""

import os

# apt-get install chromium; override with ALLOY_PY_CHROMIUM.
CHROMIUM = os.environ.get("ALLOY_PY_CHROMIUM", "/usr/bin/chromium")

# No sandbox (root), and no background traffic: this network is closed.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Extra flags for one run, e.g. ALLOY_PY_CHROMIUM_ARGS="--crash-dumps-dir=/tmp/dumps".
CHROMIUM_ARGS += os.environ.get("ALLOY_PY_CHROMIUM_ARGS", "").split()
