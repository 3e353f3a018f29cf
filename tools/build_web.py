#!/usr/bin/env python3
"""Build web/dist/: a self-contained static folder for alloy-py in the browser.

Run with the project venv's python (it must have `build` and `hatchling`):

    .venv/bin/python tools/build_web.py

Output (all paths relative to web/dist/):

    alloy_py-<version>-py3-none-any.whl   the pure-Python wheel of this repo
    pyodide/                              self-hosted Pyodide runtime, copied
                                          from node_modules/pyodide (no CDN);
                                          pyodide.asm.mjs and pyodide.mjs with
                                          pinned patches (tools/patch_pyodide.py:
                                          the same function table in WebKit;
                                          integrity for the wasm and the stdlib)
    pyodide/python_stdlib_pyc.zip         the stdlib byte-compiled by Pyodide
                                          itself under Node (what the loader
                                          boots with: no compiling at import)
    alloy_py-<version>-<hash>.zip         alloy_py's byte-compiled modules, what
                                          the loader puts on sys.path: no
                                          package install at boot
    pyodide/snapshot-<hash>.bin(.br,.gz)  the memory snapshot the loader restores
                                          (tools/build_snapshot.py)
    pyodide/*.wasm|mjs.{br,gz}            pre-compressed variants, served with
                                          Content-Encoding (tools/precompress.py)
    pyodide/empty.zip                     the "stdlib" a restore starts with (the
                                          real one is written after it)
    pyodide/pyodide-lock.json             Pyodide's lock file plus alloy_py (so
                                          loadPackage("alloy_py") and
                                          micropip.install("alloy-py") work by name)
                                          and the served micropip's hash
    pyodide/micropip-<version>-….whl      micropip from PyPI (build/wheels/ cache):
                                          the npm pyodide package does not ship it
    alloy-py.js                           web/alloy-py.js with its __ALLOY_PY_*__
                                          placeholders replaced by file names
    alloy-py.d.ts                         the script-tag API's types (window.alloy)
    demo/                                 copy of web/demo/
    manifest.json                         {"wheel": ..., "version": ..., "pyodide": ...}

Stdlib only. Idempotent: stale wheels are removed, unchanged Pyodide files
are not copied again.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from patch_pyodide import PATCHES, PatchError  # noqa: E402
from precompress import precompress  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
DIST = WEB / "dist"
PYODIDE_SRC = ROOT / "node_modules" / "pyodide"
# Served with Content-Encoding from their .gz/.br (the zips are deflated already).
PRECOMPRESSED = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
STDLIB_PYC = "python_stdlib_pyc.zip"
EMPTY_ZIP = "empty.zip"
STDLIB_BUILDER = ROOT / "tools" / "build_stdlib_pyc.mjs"
STDLIB_CACHE = ROOT / "build" / "stdlib"
WHEEL_CACHE = ROOT / "build" / "wheels"
LOADER_SRC = WEB / "alloy-py.js"
DEMO_SRC = WEB / "demo"

_written: list[Path] = []


def _fmt_size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024 or unit == "MB":
            break
        n /= 1024
    return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"


def fail(msg: str) -> NoReturn:
    print(f"build_web: error: {msg}", file=sys.stderr)
    sys.exit(1)


def build_wheel() -> Path:
    """Build the repo's wheel into DIST (removing stale wheels first)."""
    for old in DIST.glob("*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="alloy-py-wheel-") as tmp:
        print("build_web: building the alloy_py wheel", flush=True)
        cmd = [
            sys.executable, "-m", "build", "--wheel", "--no-isolation",
            "--outdir", tmp, str(ROOT),
        ]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            fail("wheel build failed: " + " ".join(cmd))
        wheels = sorted(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            fail(f"expected exactly one wheel, got {[w.name for w in wheels]}")
        dest = DIST / wheels[0].name
        shutil.copy2(wheels[0], dest)
    _written.append(dest)
    return dest


def _same_file(src: Path, dst: Path) -> bool:
    try:
        s, d = src.stat(), dst.stat()
    except FileNotFoundError:
        return False
    return s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime)


def copy_pyodide() -> str:
    if not PYODIDE_SRC.is_dir():
        fail(f"{PYODIDE_SRC} is missing: run `npm ci` (or `make setup`)")
    version = json.loads((PYODIDE_SRC / "package.json").read_text())["version"]
    out = DIST / "pyodide"
    out.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        src = PYODIDE_SRC / name
        if not src.is_file():
            fail(f"{src} is missing from the pyodide npm package")
        dst = out / name
        if name in PATCHES:  # tools/patch_pyodide.py
            try:
                text = PATCHES[name](src.read_text(encoding="utf-8")).encode("utf-8")
            except PatchError as error:
                fail(str(error))
            if not dst.is_file() or dst.read_bytes() != text:
                dst.write_bytes(text)
        elif not _same_file(src, dst):
            shutil.copy2(src, dst)
        _written.append(dst)
    _written.append(build_stdlib_pyc(out / STDLIB_PYC, version))
    # Drop anything else (e.g. files from an older layout).
    (out / EMPTY_ZIP).write_bytes(b"")
    _written.append(out / EMPTY_ZIP)
    keep = {*PYODIDE_FILES, STDLIB_PYC, EMPTY_ZIP, micropip_wheel().name}
    for name in PRECOMPRESSED:
        variants = precompress(out / name)
        _written.extend(variants)
        keep.update(v.name for v in variants)
    for extra in out.iterdir():
        if extra.name not in keep and not extra.name.startswith("snapshot-"):
            shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
    return version


# PyPI's micropip wheel for the version Pyodide's lock file names (not byte-identical to
# Pyodide's own, whose hash the lock file has): downloaded with --require-hashes, and the
# cached copy checked too. A new Pyodide naming another version fails here until pinned.
MICROPIP_SHA256 = {"0.11.1": "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3"}


def micropip_wheel() -> Path:
    """micropip, as Pyodide's lock file names it, into pyodide/ (from PyPI once, then build/wheels/)."""
    version = json.loads((PYODIDE_SRC / "pyodide-lock.json").read_text())["packages"]["micropip"]["version"]
    name = f"micropip-{version}-py3-none-any.whl"
    pin = MICROPIP_SHA256.get(version)
    if pin is None:
        raise SystemExit(f"build_web: no pinned sha256 for micropip {version} (Pyodide's lock file names it): "
                         "add PyPI's wheel hash to MICROPIP_SHA256 in tools/build_web.py")
    cached = WHEEL_CACHE / name
    if cached.exists() and hashlib.sha256(cached.read_bytes()).hexdigest() != pin:
        cached.unlink()  # not the pinned wheel: fetch it again, checked
    if not cached.exists():
        WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
        print(f"build_web: downloading {name} from PyPI into {WHEEL_CACHE.relative_to(ROOT)}/", flush=True)
        requirements = WHEEL_CACHE / "micropip-requirements.txt"
        requirements.write_text(f"micropip=={version} --hash=sha256:{pin}\n")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.14", "--require-hashes", "-r", str(requirements), "--dest", str(WHEEL_CACHE)],
            check=True,
        )
    dst = DIST / "pyodide" / name
    if not _same_file(cached, dst):
        shutil.copy2(cached, dst)
    return dst


def write_lockfile(wheel: Path) -> None:
    """pyodide/pyodide-lock.json: Pyodide's, with alloy_py added and micropip's hash for the wheel served.

    PyPI's micropip is not byte-identical to the one Pyodide's lock file names, and the
    browser's integrity check refuses a wheel whose hash differs (silently).
    """
    from pyodide_lock import PyodideLockSpec
    from pyodide_lock.utils import add_wheels_to_spec, update_package_sha256

    spec = PyodideLockSpec.from_json(PYODIDE_SRC / "pyodide-lock.json")
    update_package_sha256(spec.packages["micropip"], micropip_wheel())
    # Relative to pyodide/ (the index URL): the wheel sits beside the loader.
    spec = add_wheels_to_spec(spec, [wheel], base_path=DIST, base_url="../")
    dst = DIST / "pyodide" / "pyodide-lock.json"
    spec.to_json(dst)
    _written.append(dst)


def precompile_wheel(wheel: Path) -> None:
    """Add unchecked hash-based __pycache__/*.cpython-3XX.pyc to the wheel, in place.

    Importing alloy_py then skips compiling its sources in the browser. Cached
    in build/stdlib/ by the input wheel's hash (the wheel build is reproducible).
    """
    key = hashlib.sha256()
    key.update((PYODIDE_SRC / "package.json").read_bytes())
    key.update(STDLIB_BUILDER.read_bytes())
    key.update(wheel.read_bytes())
    cached = STDLIB_CACHE / f"{wheel.stem}-pyc-{key.hexdigest()[:16]}.whl"
    if not cached.is_file():
        print("build_web: byte-compiling alloy_py under Node (Pyodide's Python)", flush=True)
        STDLIB_CACHE.mkdir(parents=True, exist_ok=True)
        for old in STDLIB_CACHE.glob(f"{wheel.stem}-pyc-*.whl"):
            old.unlink()
        tmp = cached.with_suffix(".tmp")
        cmd = ["node", str(STDLIB_BUILDER), str(PYODIDE_SRC), "--wheel", str(wheel), str(tmp)]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0 or not tmp.is_file():
            sys.stderr.write(proc.stdout + proc.stderr)
            fail("byte-compiling the wheel failed: " + " ".join(cmd))
        tmp.replace(cached)
    shutil.copyfile(cached, wheel)


# The Browser implementations a page never uses (CPython programs and tests): not in the zip the
# page fetches, so not in the snapshot either.
CPYTHON_ONLY = ("alloy_py/browser/memory", "alloy_py/browser/cpython")


def build_alloy_zip(wheel: Path) -> Path:
    """alloy_py's unchecked-hash pycs from the (byte-compiled) wheel as sourceless ``x.pyc`` in a zip.

    zipimport loads ``alloy_py/x.pyc`` without a source (it does not look in
    ``__pycache__``). Sorted entries, fixed dates: reproducible.
    """
    import zipfile

    tag = "cpython-314"
    entries: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as src:
        for name in src.namelist():
            if not name.startswith("alloy_py/"):
                continue
            folder, _, base = name.rpartition("/")
            if folder.endswith("/__pycache__") and base.endswith(f".{tag}.pyc"):
                module = folder[: -len("/__pycache__")] + "/" + base[: -len(f".{tag}.pyc")]
                if module not in CPYTHON_ONLY:
                    entries[module + ".pyc"] = src.read(name)
            elif name.endswith("py.typed"):
                continue
            elif not name.endswith((".py", ".pyc")):
                entries[name] = src.read(name)  # package data, if any
    sources = [n for n in entries if n.endswith(".pyc")]
    if not sources:
        fail(f"{wheel.name} holds no {tag} pycs")
    for old in DIST.glob("alloy_py-*.zip"):
        old.unlink()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as dst:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, entries[name], compresslevel=9)
    data = buffer.getvalue()
    version = wheel.name.split("-")[1]
    dest = DIST / f"alloy_py-{version}-{hashlib.sha256(data).hexdigest()[:12]}.zip"
    dest.write_bytes(data)
    _written.append(dest)
    return dest


def build_snapshot(alloy_zip: Path) -> str:
    import build_snapshot as snapshot

    try:
        name = snapshot.build(DIST, STDLIB_PYC, alloy_zip.name, EMPTY_ZIP)
    except snapshot.SnapshotError as error:
        fail(f"the memory snapshot could not be made: {error}")
    for suffix in ("", ".br", ".gz"):
        _written.append(DIST / "pyodide" / (name + suffix))
    return name


def build_stdlib_pyc(dst: Path, version: str) -> Path:
    """python_stdlib.zip with every module as a sourceless .pyc (see the .mjs).

    Built once per (Pyodide version, stdlib zip, builder) and cached in
    build/stdlib/; reproducible, so a cache miss gives the same bytes.
    """
    key = hashlib.sha256()
    key.update(version.encode())
    key.update((PYODIDE_SRC / "python_stdlib.zip").read_bytes())
    key.update(STDLIB_BUILDER.read_bytes())
    cached = STDLIB_CACHE / f"python_stdlib_pyc-{key.hexdigest()[:16]}.zip"
    if not cached.is_file():
        print("build_web: byte-compiling Pyodide's stdlib under Node (once per Pyodide version)", flush=True)
        STDLIB_CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        cmd = ["node", str(STDLIB_BUILDER), str(PYODIDE_SRC), str(tmp)]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0 or not tmp.is_file():
            sys.stderr.write(proc.stdout + proc.stderr)
            fail("byte-compiling the stdlib failed: " + " ".join(cmd))
        tmp.replace(cached)
    if not _same_file(cached, dst) or dst.read_bytes() != cached.read_bytes():
        shutil.copy2(cached, dst)
    return dst


def loader_values(alloy_zip: Path, snapshot: Path, runtime: str = "pyodide/") -> dict[str, str]:
    """What the loader's placeholders become: its runtime folder and the files it boots from."""
    lock_info = json.loads((PYODIDE_SRC / "pyodide-lock.json").read_text())["info"]
    length = int.from_bytes(snapshot.read_bytes()[8:12], "little")  # sparse header: the expanded size
    folder = snapshot.parent
    booted = {runtime + name: folder / name
              for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", STDLIB_PYC, EMPTY_ZIP, snapshot.name)}
    booted[alloy_zip.name] = alloy_zip
    return {"__ALLOY_PY_RUNTIME__": runtime, "__ALLOY_PY_ZIP__": alloy_zip.name,
            "__ALLOY_PY_SNAPSHOT__": snapshot.name, "__ALLOY_PY_SNAPSHOT_LENGTH__": str(length),
            "__ALLOY_PY_LOCK_INFO__": json.dumps(lock_info, sort_keys=True),
            "__ALLOY_PY_INTEGRITY__": json.dumps({path: sri(file) for path, file in booted.items()}, sort_keys=True)}


def sri(path: Path) -> str:
    """The Subresource Integrity string of a file (what fetch's ``integrity`` checks)."""
    return "sha256-" + base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode("ascii")


def write_loader(names: dict[str, str], dst: Path = DIST / "alloy-py.js") -> None:
    text = LOADER_SRC.read_text(encoding="utf-8")
    for placeholder, value in names.items():
        if placeholder not in text:
            fail(f"{placeholder} not found in {LOADER_SRC.relative_to(ROOT)}")
        text = text.replace(placeholder, value)
    dst.write_text(text, encoding="utf-8")
    _written.append(dst)


def copy_types() -> None:
    dst = DIST / "alloy-py.d.ts"
    shutil.copy2(WEB / "alloy-py.d.ts", dst)
    _written.append(dst)


def copy_demo() -> None:
    dst = DIST / "demo"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(DEMO_SRC, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _written.extend(sorted(p for p in dst.rglob("*") if p.is_file()))


def write_manifest(wheel: Path, pyodide_version: str, alloy_zip: Path, snapshot: str) -> None:
    # The wheel name is "<name>-<version>-<tags>.whl" (PEP 427).
    version = wheel.name.split("-")[1]
    manifest = {
        "wheel": wheel.name,
        "version": version,
        "pyodide": pyodide_version,
        "pyodideIndexURL": "pyodide/",
        "zip": alloy_zip.name,
        "snapshot": "pyodide/" + snapshot,
        "loader": "alloy-py.js",
    }
    dst = DIST / "manifest.json"
    dst.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _written.append(dst)


def main() -> int:
    t0 = time.monotonic()
    DIST.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel()
    pyodide_version = copy_pyodide()
    precompile_wheel(wheel)
    alloy_zip = build_alloy_zip(wheel)
    snapshot = build_snapshot(alloy_zip)
    write_lockfile(wheel)
    write_loader(loader_values(alloy_zip, DIST / "pyodide" / snapshot))
    copy_types()
    copy_demo()
    write_manifest(wheel, pyodide_version, alloy_zip, snapshot)
    total = 0
    print(f"build_web: wrote {DIST.relative_to(ROOT)}/ (pyodide {pyodide_version})")
    for path in _written:
        size = path.stat().st_size
        total += size
        print(f"  {_fmt_size(size):>9}  {path.relative_to(DIST)}")
    print(f"  {_fmt_size(total):>9}  total, in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
