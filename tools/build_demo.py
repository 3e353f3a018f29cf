#!/usr/bin/env python3
"""Add the demo's extras to web/dist/ (after tools/build_web.py).

``pyscript/``: ``@pyscript/core`` from node_modules (no source maps), so the
PyScript demo page loads nothing from a CDN. (The page installs alloy_py by
name: it is in the served ``pyodide/pyodide-lock.json``.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"


def main() -> None:
    pyscript = ROOT / "node_modules" / "@pyscript" / "core" / "dist"
    target = DIST / "pyscript"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(pyscript, target, ignore=shutil.ignore_patterns("*.map"))

    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    print(f"build_demo: pyscript/ ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
