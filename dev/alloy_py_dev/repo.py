"""Where things are in this repository, and how its tools launch Chromium.

The dev tools run from a checkout (``pip install -e ./dev``): ``ROOT`` is the
repository, ``DIST`` what ``make web`` builds, ``ALLOY_REFERENCE_DIST`` alloy.js
2.33.1 from npm. ``CHROMIUM`` and ``CHROMIUM_ARGS`` come from
``playwright.config.py`` (Debian's Chromium, never a downloaded one), read here
once for the tests, the benchmarks, the parity report, the demo and the build.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

__all__ = ["ALLOY_REFERENCE_DIST", "CHROMIUM", "CHROMIUM_ARGS", "DIST", "ROOT", "launch_options"]

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
ALLOY_REFERENCE_DIST = ROOT / "node_modules" / "@adobe" / "alloy" / "dist"

_CONFIG = runpy.run_path(str(ROOT / "playwright.config.py"))
CHROMIUM: str = _CONFIG["CHROMIUM"]
CHROMIUM_ARGS: list[str] = list(_CONFIG["CHROMIUM_ARGS"])


def launch_options() -> dict[str, Any]:
    """Keyword arguments for Playwright's ``chromium.launch``."""
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}
