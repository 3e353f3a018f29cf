#!/usr/bin/env python3
"""``make dist``: what a release is made of, built offline and reproducibly from web/dist.

    dist/alloy_py-<version>-py3-none-any.whl   the SDK, for PyPI and micropip
    dist/alloy_py-<version>.tar.gz             its sdist
    dist/alloy_py_dev-<version>-….whl          the dev tools (emulator, CLI, pytest plugin)
    dist/alloy-py-<version>/                   the folder a site serves, and nothing else:
        alloy-py.js                            the loader (its runtime paths below)
        alloy-py.d.ts                          the types of window.alloy, for TypeScript pages
        alloy_py-<version>-<hash>.zip          what the loader puts on sys.path
        alloy_py-<version>-py3-none-any.whl    for loadPackage/micropip (in the lock file)
        pyodide-<pyodide version>/             Pyodide, the memory snapshot (content-hashed),
                                               the lock file, micropip; .br/.gz variants
        LICENSE, NOTICE, manifest.json

Every path in the folder changes when alloy-py or Pyodide does (the folder is named by
version, Pyodide's by its version, the snapshot and zip by their content), so a site can
serve it with ``Cache-Control: immutable``. Run after tools/build_web.py (``make web``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_web  # noqa: E402

ROOT = build_web.ROOT
WEB_DIST = build_web.DIST
# Zip and tar timestamps: a fixed moment, so that two builds are byte-identical.
SOURCE_DATE_EPOCH = "1580601600"  # 2020-02-02, hatchling's own default for wheels


def build_packages(out: Path) -> list[Path]:
    """The SDK's wheel and sdist and the dev tools' wheel, built without network."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    built = []
    for project, kinds in ((ROOT, ("--wheel", "--sdist")), (ROOT / "dev", ("--wheel",))):
        with tempfile.TemporaryDirectory(prefix="alloy-py-dist-") as tmp:
            print(f"build_dist: building {' and '.join(k[2:] for k in kinds)} of {project.relative_to(ROOT) or '.'}",
                  flush=True)
            subprocess.run([sys.executable, "-m", "build", *kinds, "--no-isolation", "--outdir", tmp, str(project)],
                           check=True, capture_output=True, env=env)
            for path in sorted(Path(tmp).iterdir()):
                built.append(Path(shutil.copy2(path, out / path.name)))
    return built


def site_folder(out: Path) -> Path:
    """dist/alloy-py-<version>/ from web/dist: the loader pointed at the versioned runtime folder."""
    manifest = json.loads((WEB_DIST / "manifest.json").read_text())
    version, pyodide_version = manifest["version"], manifest["pyodide"]
    folder = out / f"alloy-py-{version}"
    runtime = f"pyodide-{pyodide_version}/"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"build_dist: {folder}/ (runtime in {runtime})", flush=True)
    shutil.copytree(WEB_DIST / "pyodide", folder / runtime, ignore=shutil.ignore_patterns("*.tmp"))
    for name in (manifest["zip"], manifest["wheel"], "alloy-py.d.ts"):
        shutil.copy2(WEB_DIST / name, folder / name)
    for name in ("LICENSE", "NOTICE"):
        shutil.copy2(ROOT / name, folder / name)
    snapshot = Path(manifest["snapshot"]).name
    build_web.write_loader(build_web.loader_values(folder / manifest["zip"], folder / runtime / snapshot, runtime),
                           folder / "alloy-py.js")
    (folder / "manifest.json").write_text(
        json.dumps({**manifest, "pyodideIndexURL": runtime, "snapshot": runtime + snapshot}, indent=2) + "\n")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where to write (default: dist/)")
    parser.add_argument("--no-packages", action="store_true", help="only the site folder")
    args = parser.parse_args()
    if not (WEB_DIST / "manifest.json").is_file():
        build_web.fail("web/dist is missing: run `make web` first")
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    made = [] if args.no_packages else build_packages(out)
    folder = site_folder(out)
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in made:
        print(f"  {build_web._fmt_size(path.stat().st_size):>9}  {path.name}")
    print(f"  {build_web._fmt_size(sum(p.stat().st_size for p in files)):>9}  {folder.name}/ ({len(files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
