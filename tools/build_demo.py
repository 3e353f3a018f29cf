#!/usr/bin/env python3
"""Add the demo's extras to web/dist/ (after tools/build_web.py).

- ``pyscript/``: ``@pyscript/core`` from node_modules (no source maps), so the
  PyScript demo page loads nothing from a CDN;
- ``pyodide/micropip-*.whl``: PyScript installs ``packages`` with micropip,
  which the npm ``pyodide`` package does not ship. It comes from PyPI (cached
  in build/wheels/), and since PyPI's wheel is not byte-identical to the one
  Pyodide's lockfile names, the copied lockfile's sha256 is rewritten to match
  (else the browser's SRI check refuses it, silently);
- ``demo/*.html``: ``__ALLOY_PY_WHEEL__`` replaced by the wheel's file name.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
CACHE = ROOT / "build" / "wheels"


def micropip_wheel(version: str) -> Path:
    name = f"micropip-{version}-py3-none-any.whl"
    cached = CACHE / name
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.14", f"micropip=={version}", "--dest", str(CACHE)],
            check=True,
        )
    return cached


def main() -> None:
    manifest = json.loads((DIST / "manifest.json").read_text())
    pyscript = ROOT / "node_modules" / "@pyscript" / "core" / "dist"
    target = DIST / "pyscript"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(pyscript, target, ignore=shutil.ignore_patterns("*.map"))

    lock_path = DIST / "pyodide" / "pyodide-lock.json"
    lock = json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())
    entry = lock["packages"]["micropip"]
    wheel = micropip_wheel(entry["version"])
    shutil.copy2(wheel, DIST / "pyodide" / entry["file_name"])
    entry["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    lock_path.write_text(json.dumps(lock))

    for page in (DIST / "demo").glob("*.html") if (DIST / "demo").is_dir() else []:
        page.write_text(page.read_text().replace("__ALLOY_PY_WHEEL__", manifest["wheel"]))
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    print(f"build_demo: pyscript/ ({size / 1e6:.1f} MB), {entry['file_name']} (lockfile sha256 rewritten)")


if __name__ == "__main__":
    main()
