// Byte-compile Python for the browser, with Pyodide itself (under Node).
//
//   node tools/build_stdlib_pyc.mjs <node_modules/pyodide dir> <out.zip>
//   node tools/build_stdlib_pyc.mjs <node_modules/pyodide dir> --wheel <in.whl> <out.whl>
//
// Wheel mode: the wheel keeps its .py files and gains, for each, an
// __pycache__/<name>.cpython-3XX.pyc that is an *unchecked hash-based* pyc
// (PEP 552): the import system loads it without stat-ing or hashing the source,
// and tracebacks still show source lines. Other Python versions ignore it.
// RECORD is updated. Deterministic like the stdlib zip.
//
// Every stdlib .py becomes a sourceless .pyc (PEP 552 header with zeroed
// flags/mtime/size: zipimport does not check sourceless .pyc files), compiled
// by the very CPython that will run it in the browser, so the magic number and
// bytecode match. Entries are written sorted, with a fixed date and
// ZIP_DEFLATED level 9, so the output is byte-for-byte reproducible.
// Called by tools/build_web.py; runs offline.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const wheelMode = args[1] === "--wheel";
const [pyodideDir, outPath] = wheelMode ? [args[0], args[3]] : args;
if (!pyodideDir || !outPath) {
  console.error("usage: node build_stdlib_pyc.mjs <pyodide dir> <out.zip>");
  process.exit(2);
}
const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: resolve(pyodideDir) + "/" });
if (wheelMode) {
  pyodide.FS.writeFile("/tmp/in.whl", readFileSync(args[2]));
  const n = pyodide.runPython(`
import base64, hashlib, importlib.util, marshal, sys, sysconfig, zipfile

SITE = sysconfig.get_paths()["purelib"]
TAG = sys.implementation.cache_tag
HEADER = importlib.util.MAGIC_NUMBER + (0b01).to_bytes(4, "little")  # hash-based, unchecked
files = []
with zipfile.ZipFile("/tmp/in.whl") as src:
    infos = src.infolist()
    record = next(i.filename for i in infos if i.filename.endswith(".dist-info/RECORD"))
    date = infos[0].date_time
    for info in infos:
        if info.filename != record:
            files.append((info.filename, src.read(info)))
    record_text = src.read(record).decode()
added = []
for name, data in list(files):
    if name.endswith(".py") and ".dist-info/" not in name:
        code = compile(data, SITE + "/" + name, "exec", dont_inherit=True)
        folder, _, base = name.rpartition("/")
        pyc = (folder + "/" if folder else "") + "__pycache__/" + base[:-3] + "." + TAG + ".pyc"
        added.append((pyc, HEADER + importlib.util.source_hash(data) + marshal.dumps(code)))
lines = [l for l in record_text.splitlines() if l]
for name, data in added:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    lines.insert(len(lines) - 1, "%s,sha256=%s,%d" % (name, digest, len(data)))
with zipfile.ZipFile("/tmp/out.whl", "w") as dst:
    for name, data in sorted(files + added) + [(record, ("\\n".join(lines) + "\\n").encode())]:
        zi = zipfile.ZipInfo(name, date_time=date)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = 0o644 << 16
        dst.writestr(zi, data)
len(added)
`);
  writeFileSync(outPath, pyodide.FS.readFile("/tmp/out.whl"));
  console.log(`build_stdlib_pyc: ${n} modules byte-compiled into ${outPath}`);
  process.exit(0);
}
const result = pyodide.runPython(`
import importlib.util, io, marshal, sys, zipfile

SRC = "/lib/python%d%d.zip" % sys.version_info[:2]
HEADER = importlib.util.MAGIC_NUMBER + bytes(12)
out = io.BytesIO()
kept = 0
with zipfile.ZipFile(SRC) as src, zipfile.ZipFile(out, "w") as dst:
    for info in sorted(src.infolist(), key=lambda i: i.filename):
        name, data = info.filename, src.read(info)
        if name.endswith(".py"):
            try:
                code = compile(data, SRC + "/" + name, "exec", dont_inherit=True)
                name, data = name[:-3] + ".pyc", HEADER + marshal.dumps(code)
            except SyntaxError:
                kept += 1
        zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = 0o644 << 16
        dst.writestr(zi, data, compresslevel=9)
open("/tmp/stdlib_pyc.zip", "wb").write(out.getvalue())
"%s %d" % (sys.version.split()[0], kept)
`);
writeFileSync(outPath, pyodide.FS.readFile("/tmp/stdlib_pyc.zip"));
console.log(`build_stdlib_pyc: Python ${result.split(" ")[0]}, ${result.split(" ")[1]} files kept as source -> ${outPath}`);
