#!/usr/bin/env python3
"""Build the Pyodide memory snapshot that alloy-py.js restores (called by build_web.py).

The snapshot is the wasm heap of a Pyodide that has booted and imported
alloy_py (every module but the CPython-only in-memory browser):
restoring it skips CPython's start, Pyodide's bootstrap imports and ours.

How (all offline, in Debian's headless Chromium through Playwright, the same
browser the tests use):

1. ``loadPyodide({_makeSnapshot: true, stdLibURL: <stdlib zip>,
   env: {PYTHONPATH: "/lib/alloy_py.zip"}})`` with the alloy_py zip written
   there by ``fsInit``: the very files and sys.path the loader's normal boot
   uses;
2. import alloy_py's modules, check that the heap is still exactly the wasm's
   initial memory (Pyodide 314 cannot restore a bigger one: pyodide#6254),
   ``makeMemorySnapshot()`` and hand the bytes back;
3. restore it in a fresh page and run ``configure`` + ``getLibraryInfo``
   through the bridge, with no stdlib zip at all (what the loader does);
4. write it without its zero pages (:func:`sparse`) as
   ``snapshot-<sha256:16>.bin``, and its ``.gz``/``.br`` variants
   (tools/precompress.py).

``makeMemorySnapshot``/``_makeSnapshot``/``_loadSnapshot`` are private Pyodide
API, so the exact Pyodide build is pinned below (version and BUILD_ID, which
restore checks too): a new Pyodide fails this build until someone re-checks
the API and updates the pins. Every step fails loudly (``SnapshotError``).

Results are cached in build/snapshot/ by a hash of every input (Pyodide's
files, both zips, this script, Chromium's version). The bytes are
reproducible: the same inputs give the same snapshot, because the page that
makes it runs on a fixed clock, a fixed hash seed and seeded entropy (two
clean builds compared byte for byte).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from precompress import precompress  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "snapshot"

# What the snapshot depends on; checked, never assumed.
PYODIDE_VERSION = "314.0.7"
PYODIDE_BUILD_ID = "990c3b51a9722d62434de2bbc9643732658d488c1b6d467f22c1b6beba80d497"
SNAPSHOT_MAGIC = 1886286592  # "\0snp", src/js/snapshot.ts
HEADER = 48  # magic, JSON offset, JSON length, 0, 32-byte BUILD_ID

ALLOY_ZIP_PATH = "/lib/alloy_py.zip"  # in Pyodide's file system, on sys.path


class SnapshotError(RuntimeError):
    pass


# The file served is the Pyodide snapshot without its all-zero pages (the heap
# is 30 MiB, 13 MiB of it not zero): the page receives half the bytes, and
# copies them back into place in a few ms (expandSnapshot in alloy-py.js).
#   "ASNP", u32 version 1, u32 length, u32 page size, u32 run count N,
#   N x (u32 first page, u32 pages), then the runs' bytes in order.
# The page uploads the snapshot (the heap, 30 MiB for Pyodide 314, and a header): more is refused.
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024
SPARSE_MAGIC = b"ASNP"
PAGE = 4096


def sparse(snapshot: bytes) -> bytes:
    runs: list[list[int]] = []
    for page in range((len(snapshot) + PAGE - 1) // PAGE):
        if snapshot[page * PAGE:(page + 1) * PAGE].strip(b"\0"):
            if runs and runs[-1][0] + runs[-1][1] == page:
                runs[-1][1] += 1
            else:
                runs.append([page, 1])
    head = SPARSE_MAGIC + struct.pack("<IIII", 1, len(snapshot), PAGE, len(runs))
    table = b"".join(struct.pack("<II", first, count) for first, count in runs)
    data = b"".join(snapshot[first * PAGE:(first + count) * PAGE] for first, count in runs)
    return head + table + data


def expand(data: bytes) -> bytes:
    """The Pyodide snapshot back from :func:`sparse`'s bytes (what the loader does)."""
    if data[:4] != SPARSE_MAGIC:
        raise SnapshotError("not a sparse snapshot")
    version, length, page, count = struct.unpack_from("<IIII", data, 4)
    out = bytearray(length)
    at = 20 + 8 * count
    for i in range(count):
        first, pages = struct.unpack_from("<II", data, 20 + 8 * i)
        size = min(pages * page, length - first * page)
        out[first * page:first * page + size] = data[at:at + size]
        at += size
    if version != 1 or at != len(data):
        raise SnapshotError("malformed sparse snapshot")
    return bytes(out)


def wasm_initial_memory(wasm: Path) -> int:
    """The initial size of the memory the wasm module defines (bytes)."""
    data = wasm.read_bytes()

    def leb(i: int) -> tuple[int, int]:
        result = shift = 0
        while True:
            byte = data[i]
            i += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return result, i

    i = 8
    while i < len(data):
        section = data[i]
        size, i = leb(i + 1)
        if section == 5:  # memory section: count, then (flags, initial[, maximum])
            _count, j = leb(i)
            pages, _ = leb(j + 1)
            return pages * 65536
        i += size
    raise SnapshotError(f"{wasm}: no memory section")


def check_pins(pyodide_dir: Path) -> None:
    version = json.loads((pyodide_dir / "package.json").read_text())["version"] \
        if (pyodide_dir / "package.json").is_file() else None
    mjs = (pyodide_dir / "pyodide.mjs").read_text(encoding="utf-8")
    if f'BUILD_ID:"{PYODIDE_BUILD_ID}"' not in mjs or (version is not None and version != PYODIDE_VERSION):
        raise SnapshotError(
            f"Pyodide is not the pinned {PYODIDE_VERSION} (BUILD_ID {PYODIDE_BUILD_ID[:12]}…), got {version}: "
            "memory snapshots are private Pyodide API; re-check _makeSnapshot/_loadSnapshot/makeMemorySnapshot "
            "(src/js/pyodide.ts, snapshot.ts) and the heap limit against the new version, then update the pins in "
            "tools/build_snapshot.py")


def module_names(alloy_zip: Path) -> list[str]:
    import zipfile

    names = []
    with zipfile.ZipFile(alloy_zip) as zf:
        for name in zf.namelist():
            if not name.endswith(".pyc"):
                continue
            module = name[:-4].replace("/", ".")
            if module.endswith(".__init__"):
                module = module[: -len(".__init__")]
            names.append(module)
    return sorted(names)


# The loader boots with the same options (web/alloy-py.js); keep them in step.
MAKE_PAGE = """<!doctype html><meta charset="utf-8"><title>make snapshot</title>
<script type="module">
const P = __PARAMS__;
// File times (MEMFS) and time.time() end up in the heap (importlib's caches):
// a fixed clock while the snapshot is made keeps its bytes reproducible.
const now = 1767225600000;  // 2026-01-01
Date.now = () => now;
let ticks = 0;
performance.now = () => (ticks += 0.001);
// Likewise the entropy libc and mimalloc draw at start (their RNG states are
// frozen into the snapshot whatever their source; the loader reseeds random).
let state = Number(P.hashSeed) >>> 0 || 1;
crypto.getRandomValues = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    bytes[i] = state & 255;
  }
  return array;
};
window.__made = (async () => {
  const { loadPyodide } = await import(P.index + "pyodide.mjs");
  const alloyZip = fetch(P.alloyZip).then((r) => {
    if (!r.ok) throw new Error(P.alloyZip + ": HTTP " + r.status);
    return r.arrayBuffer();
  });
  const pyodide = await loadPyodide({
    indexURL: P.index, stdLibURL: P.stdlib, packageBaseUrl: P.index,
    lockFileContents: {info: P.lockInfo, packages: {}},
    env: {PYTHONPATH: P.zipPath, PYTHONHASHSEED: P.hashSeed},
    fsInit: async (FS) => { FS.writeFile(P.zipPath, new Uint8Array(await alloyZip)); },
    _makeSnapshot: true,
  });
  const heapAtBoot = pyodide._module.HEAP8.length;
  const report = pyodide.runPython(`
import importlib, json, random, sys
for name in json.loads(${JSON.stringify(JSON.stringify(P.modules))}):
    importlib.import_module(name)
random.seed(0)  # reproducible bytes; the loader reseeds after every restore
json.dumps({"path": sys.path, "modules": len(sys.modules), "hash": hash("alloy-py")})
`, {globals: pyodide.toPy({})});
  const heap = pyodide._module.HEAP8.length;
  if (heap !== P.maxHeap) {
    throw new Error("the heap grew to " + heap + " bytes (booted at " + heapAtBoot + "); Pyodide "
      + P.version + " restores at most " + P.maxHeap + " (the wasm's initial memory, pyodide#6254)");
  }
  const snapshot = pyodide.makeMemorySnapshot();
  const put = await fetch(P.snapshotPath, {method: "POST", body: snapshot});
  if (!put.ok) throw new Error("upload failed: " + put.status);
  return {ok: true, heap, bytes: snapshot.length, report: JSON.parse(report)};
})().catch((e) => ({ok: false, error: String(e && e.stack || e)}));
</script>"""

# Restore as the loader does: no stdlib zip at all (an empty file), then a command.
CHECK_PAGE = """<!doctype html><meta charset="utf-8"><title>check snapshot</title>
<script type="module">
const P = __PARAMS__;
window.__checked = (async () => {
  const { loadPyodide } = await import(P.index + "pyodide.mjs");
  const t0 = performance.now();
  const pyodide = await loadPyodide({
    indexURL: P.index, stdLibURL: P.empty, packageBaseUrl: P.index,
    lockFileContents: {info: P.lockInfo, packages: {}},
    _loadSnapshot: fetch(P.snapshotPath).then((r) => r.arrayBuffer()),  // as made: not sparse
  });
  const ms = performance.now() - t0;
  pyodide.pyimport("random").seed();
  const modules = pyodide.runPython("import sys; len(sys.modules)");
  const bridge = pyodide.pyimport("alloy_py.browser.bridge");
__READ_OPTIONS__
  bridge.start("snapshot-check", readOptions);  // as the loader does
  await bridge.execute("alloy", "configure", {datastreamId: "snapshot-check", orgId: "SNAPSHOT@AdobeOrg"});
  const info = await bridge.execute("alloy", "getLibraryInfo", undefined);
  const after = pyodide.runPython("import sys; len(sys.modules)");
  return {ok: true, ms, version: info.libraryInfo.version, modules, after};
})().catch((e) => ({ok: false, error: String(e && e.stack || e)}));
</script>"""


def loader_read_options() -> str:
    """The loader's ``readOptions`` (the bridge reads JS options with it), for the check page."""
    loader = (ROOT / "web" / "alloy-py.js").read_text(encoding="utf-8")
    return loader[loader.index("  // BEGIN readOptions"):loader.index("  // END readOptions")]


def _chromium_version(chromium: str) -> str:
    out = subprocess.run([chromium, "--version"], capture_output=True, text=True)
    return out.stdout.strip()


def cache_key(pyodide_dir: Path, stdlib: Path, alloy_zip: Path, chromium: str) -> str:
    key = hashlib.sha256()
    for path in (pyodide_dir / "pyodide.mjs", pyodide_dir / "pyodide.asm.mjs",
                 pyodide_dir / "pyodide.asm.wasm", stdlib, alloy_zip, Path(__file__)):
        key.update(hashlib.sha256(path.read_bytes()).digest())
    key.update(_chromium_version(chromium).encode())
    return key.hexdigest()[:16]


def make(dist: Path, stdlib_name: str, alloy_zip_name: str, empty_name: str, key: str) -> bytes:
    """Boot, import, snapshot and check in headless Chromium; return the snapshot bytes."""
    from alloy_py_dev.repo import launch_options
    from alloy_py_dev.server import DevServer
    from playwright.sync_api import sync_playwright

    pyodide_dir = dist / "pyodide"
    params = {
        "index": None, "stdlib": None, "empty": None, "alloyZip": None, "snapshotPath": None,
        "zipPath": ALLOY_ZIP_PATH,
        "lockInfo": json.loads((pyodide_dir / "pyodide-lock.json").read_text())["info"], "version": PYODIDE_VERSION,
        # hash() is seeded once per snapshot (str hashes are stored in its heap,
        # so a restore cannot change the seed): derived from the inputs, so the
        # same inputs make the same bytes.
        "hashSeed": str(int(key, 16) % 4294967295 + 1),
        "maxHeap": wasm_initial_memory(pyodide_dir / "pyodide.asm.wasm"),
        "modules": module_names(dist / alloy_zip_name),
    }
    with DevServer(dist) as server, sync_playwright() as pw:
        # A random path, one upload, from the page's origin only, at most 64 MiB (the heap is 30).
        snapshot_path = server.accept_uploads(max_bytes=MAX_SNAPSHOT_BYTES)
        params.update(snapshotPath=snapshot_path,
                      index=server.url_for("/pyodide/"), stdlib=server.url_for(f"/pyodide/{stdlib_name}"),
                      empty=server.url_for(f"/pyodide/{empty_name}"), alloyZip=server.url_for(f"/{alloy_zip_name}"))
        server.add_page("/__make__.html", MAKE_PAGE.replace("__PARAMS__", json.dumps(params)))
        server.add_page("/__check__.html", CHECK_PAGE.replace("__PARAMS__", json.dumps(params))
                        .replace("__READ_OPTIONS__", loader_read_options()))
        browser = pw.chromium.launch(**launch_options())
        try:
            errors: list[str] = []
            for step, page_path, result in (("make", "/__make__.html", "__made"),
                                            ("check", "/__check__.html", "__checked")):
                context = browser.new_context(service_workers="block")
                page = context.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.goto(server.url_for(page_path))
                outcome = page.evaluate(f"() => window.{result}")
                context.close()
                if not outcome.get("ok"):
                    raise SnapshotError(f"{step}: {outcome.get('error')}\n" + "\n".join(errors))
                if step == "make":
                    made = outcome
                else:
                    checked = outcome
            snapshot = server.page_body(snapshot_path) or b""
        finally:
            browser.close()
    if len(snapshot) != made["bytes"]:
        raise SnapshotError(f"got {len(snapshot)} bytes back, the page made {made['bytes']}")
    if ALLOY_ZIP_PATH not in made["report"]["path"]:
        raise SnapshotError(f"{ALLOY_ZIP_PATH} is not on sys.path: {made['report']['path']}")
    if checked["after"] != checked["modules"]:
        raise SnapshotError(f"configure/getLibraryInfo imported {checked['after'] - checked['modules']} "
                            "module(s) after the restore: they must be in the snapshot")
    verify(snapshot, params["maxHeap"])
    print(f"build_snapshot: {made['report']['modules']} modules, heap {made['heap']} bytes,"
          f" restored in {checked['ms']:.0f} ms (alloy_py {checked['version']})")
    return snapshot


def verify(snapshot: bytes, max_heap: int) -> None:
    """Header checks restore would make, plus the heap size, before a page meets it."""
    if len(snapshot) < HEADER:
        raise SnapshotError("snapshot shorter than its header")
    magic, offset, json_len = struct.unpack_from("<III", snapshot)
    if magic != SNAPSHOT_MAGIC:
        raise SnapshotError("bad snapshot magic")
    build_id = "".join(f"{w:08x}" for w in struct.unpack_from("<8I", snapshot, 16))
    if build_id != PYODIDE_BUILD_ID:
        raise SnapshotError(f"snapshot BUILD_ID {build_id} is not the pinned {PYODIDE_BUILD_ID}")
    json.loads(snapshot[HEADER:HEADER + json_len])
    if len(snapshot) - offset != max_heap:
        raise SnapshotError(f"snapshot heap is {len(snapshot) - offset} bytes, restore supports {max_heap}")


def build(dist: Path, stdlib_name: str, alloy_zip_name: str, empty_name: str) -> str:
    """Put ``pyodide/snapshot-<hash>.bin`` (+ .br, .gz) into ``dist``; return its file name."""
    pyodide_dir = dist / "pyodide"
    check_pins(ROOT / "node_modules" / "pyodide")
    check_pins(pyodide_dir)
    from alloy_py_dev.repo import CHROMIUM

    key = cache_key(pyodide_dir, pyodide_dir / stdlib_name, dist / alloy_zip_name, CHROMIUM)
    cached = CACHE / key
    if not (cached / "name").is_file():
        t0 = time.monotonic()
        print("build_snapshot: making the memory snapshot in headless Chromium (a minute or two; "
              f"cached in {CACHE.relative_to(ROOT)}/ after)", flush=True)
        snapshot = make(dist, stdlib_name, alloy_zip_name, empty_name, key)
        served = sparse(snapshot)
        if expand(served) != snapshot:
            raise SnapshotError("the sparse snapshot does not expand to the snapshot")
        name = f"snapshot-{hashlib.sha256(served).hexdigest()[:16]}.bin"
        tmp = CACHE / (key + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        (tmp / name).write_bytes(served)
        (tmp / "name").write_text(name)
        for old in CACHE.iterdir():
            if old.is_dir() and old.name != tmp.name:
                shutil.rmtree(old)
        tmp.rename(cached)
        print(f"build_snapshot: {name} made in {time.monotonic() - t0:.1f} s")
    name = (cached / "name").read_text()
    verify(expand((cached / name).read_bytes()), wasm_initial_memory(pyodide_dir / "pyodide.asm.wasm"))
    for old in pyodide_dir.glob("snapshot-*"):
        if not old.name.startswith(name):
            old.unlink()
    shutil.copyfile(cached / name, pyodide_dir / name)
    precompress(pyodide_dir / name)
    return name


if __name__ == "__main__":
    dist = ROOT / "web" / "dist"
    try:
        print(build(dist, "python_stdlib_pyc.zip", sys.argv[1], "empty.zip"))
    except SnapshotError as error:
        print(f"build_snapshot: error: {error}", file=sys.stderr)
        sys.exit(1)
