#!/usr/bin/env python3
"""alloy.js 2.33.1 vs alloy-py in one headless Chromium run (`make bench`).

The same page (alloy's base code, `configure`, one `sendEvent`) is loaded with
alloy.js (node_modules/@adobe/alloy/dist/alloy.js at /vendor/alloy/alloy.js)
and with alloy-py (web/dist/alloy-py.js), alternating, ROUNDS times (default 5).
Each round and library gets a fresh Chromium profile:

  cold    first load in the fresh profile (empty HTTP cache, no code caches)
  warm    second load in the same profile; files are served with
          `Cache-Control: public, max-age=31536000, immutable`, so the HTTP
          cache, V8's script code cache and the wasm code cache all apply
  warm3   third load (V8 only uses its code cache from the 3rd sighting on)

then, in the warm page: JS heap / wasm memory, CPU per event (200 sendEvents,
main-thread TaskDuration from CDP `Performance.getMetrics`), rendering a
response with 50 DOM actions (setHtml/setText into 50 elements) that the Edge
answers after EDGE_MS (150) ms, and the embedded case: a page whose Pyodide is
already running installs alloy_py (the wheel with loadPackage, or the zip on
sys.path) and sends an event from Python, against a page that adds alloy.js's
base code and script tag at the same moment.

A second pass (BENCH_NET=0 skips it) repeats cold/warm/warm3 in fresh profiles
with Chromium's network emulation at 100 ms latency and 50 Mbit/s.

alloy.js is Adobe's production build, alloy.min.js. Every JS/wasm file is
served with Content-Encoding from pre-compressed .br/.gz variants when the
browser accepts them (Chromium over http://127.0.0.1 accepts gzip).
BENCH_BASELINE=<web/dist of an older build> adds its alloy-py as a column
("alloy-py before"), served from its own server, in the same rounds.

The Edge is answered instantly through the CDP Fetch domain on the page's
session, with credentialed CORS headers. Not Playwright's `context.route`:
Playwright turns Chromium's HTTP cache off whenever a route is active
(checked: every file was re-downloaded on the second load), which would make
"warm" meaningless.

Times are from navigation start (performance.now() in the page). Output: a
table on stdout and every raw number in build/bench/results.json.
No pass/fail thresholds.

    ROUNDS=5 .venv/bin/python bench/run.py
"""
from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

# Run as a script: the repository goes on sys.path before the imports below (hence noqa: E402).
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alloy_py_dev.repo import ALLOY_REFERENCE_DIST as ALLOY_DIST  # noqa: E402
from alloy_py_dev.repo import CHROMIUM, launch_options  # noqa: E402
from alloy_py_dev.samples import BASE_CODE, DATASTREAM_ID, IDENTITY_HANDLES, ORG_ID  # noqa: E402
from alloy_py_dev.server import DevServer  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from precompress import precompress  # noqa: E402

DIST = Path(os.environ.get("BENCH_DIST", ROOT / "web" / "dist")).resolve()  # BENCH_DIST: compare builds
BASELINE = os.environ.get("BENCH_BASELINE")
OUT = ROOT / "build" / "bench"
ROUNDS = int(os.environ.get("ROUNDS", "5"))
EVENTS = int(os.environ.get("EVENTS", "200"))
RENDERS = int(os.environ.get("RENDERS", "5"))
# Optional network emulation (CDP): LATENCY_MS=100 MBPS=50 for a "real" network.
LATENCY_MS = float(os.environ.get("LATENCY_MS", "0"))
MBPS = float(os.environ.get("MBPS", "0"))
NET = (100.0, 50.0) if os.environ.get("BENCH_NET", "1") != "0" else None  # the throttled pass
EDGE_MS = float(os.environ.get("EDGE_MS", "150"))  # Edge latency for the render loads
EMBEDS = int(os.environ.get("EMBEDS", "3"))
ACTIONS = 50
CACHE = "public, max-age=31536000, immutable"

IMPLS = {"alloy.js": "/vendor/alloy/alloy.min.js", "alloy-py": "/alloy-py.js"}
if BASELINE:
    IMPLS["alloy-py before"] = "/alloy-py.js"
PAGES = {"alloy.js": "alloyjs", "alloy-py": "alloypy", "alloy-py before": "alloypy"}
EDGE_PATTERNS = ["https://edge.adobedc.net/*", "https://adobedc.demdex.net/*"]
def render_handle() -> dict:
    items = []
    for i in range(ACTIONS):
        kind = "setHtml" if i % 2 == 0 else "setText"
        content = f"<b>offer {i}</b>" if kind == "setHtml" else f"offer {i}"
        items.append({"id": f"item-{i}", "schema": "https://ns.adobe.com/personalization/dom-action",
                      "data": {"type": kind, "selector": f"#el{i}", "content": content}})
    return {"type": "personalization:decisions", "payload": [
        {"id": "bench-render", "scope": "__view__",
         "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "bench-render"}}, "items": items}]}


# With render: when every element shows its offer.
RENDER_SHOWN = (
    "(function () { var els = document.querySelectorAll('#els div'); var mo = new MutationObserver(function () {"
    " for (var i = 0; i < els.length; i++) if (els[i].textContent.indexOf('offer') !== 0) return;"
    " __bench.shown = performance.now(); mo.disconnect(); });"
    " mo.observe(document.getElementById('els'), {subtree: true, childList: true, characterData: true}); })();"
)


def page_html(src: str, render: bool = False) -> str:
    elements = "".join(f'<div id="el{i}">default {i}</div>' for i in range(ACTIONS))
    config = json.dumps({"datastreamId": DATASTREAM_ID, "orgId": ORG_ID})
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<script>
window.__bench = {{edge: []}};
(function () {{
  var f = window.fetch;
  window.fetch = function (u) {{
    var s = typeof u === "string" ? u : (u && u.url) || String(u);
    if (/adobedc|demdex/.test(s)) __bench.edge.push(performance.now());
    return f.apply(this, arguments);
  }};
}})();
{BASE_CODE}
</script>
<script src="{src}" async data-debug></script>
</head><body><h1>bench</h1><div id="els">{elements}</div>
<script>
alloy("configure", {config});
{RENDER_SHOWN if render else ""}
alloy("sendEvent", {RENDER_OPTIONS if render else PAGEVIEW_OPTIONS}).then(
  function () {{ __bench.resolved = performance.now(); }},
  function (e) {{ __bench.error = String(e); __bench.resolved = performance.now(); }});
</script></body></html>"""


PAGEVIEW_OPTIONS = '{xdm: {eventType: "web.webpagedetails.pageViews"}}'

# Embedded: the page's own Pyodide is running (an app's), then at t0 alloy_py
# is installed and an event sent from Python; alloy.js: at t0 the base code
# and its script tag are added.
EMBED_HEAD = """<!doctype html><html><head><meta charset="utf-8"><title>bench embedded</title>
<script>
window.__bench = {edge: []};
(function () {
  var f = window.fetch;
  window.fetch = function (u) {
    var s = typeof u === "string" ? u : (u && u.url) || String(u);
    if (/adobedc|demdex/.test(s)) __bench.edge.push(performance.now());
    return f.apply(this, arguments);
  };
})();
</script>"""


def variants(impl: str, dist: Path) -> list[str]:
    if impl == "alloy.js":
        return ["script"]
    return ["wheel", "zip"] if "zip" in json.loads((dist / "manifest.json").read_text()) else ["wheel"]


def embed_html(impl: str, variant: str, manifest: dict) -> str:
    config = json.dumps({"datastreamId": DATASTREAM_ID, "orgId": ORG_ID})
    done = "__bench.resolved = performance.now();"
    if impl == "alloy.js":
        return EMBED_HEAD + f"""</head><body><script>
setTimeout(function () {{
  __bench.t0 = performance.now();
  {BASE_CODE}
  var s = document.createElement("script"); s.src = "{IMPLS['alloy.js']}" + location.search; s.async = true;
  document.head.appendChild(s);
  alloy("configure", {config});
  alloy("sendEvent", {PAGEVIEW_OPTIONS}).then(function () {{ {done} }},
    function (e) {{ __bench.error = String(e); {done} }});
}}, 300);
</script></body></html>"""
    # ``?fresh=…`` on the page URL makes the installed file's URL new too:
    # neither the HTTP cache nor V8's code cache has seen it.
    install = (f'await pyodide.loadPackage(new URL("/{manifest["wheel"]}", location).href);'
               if variant == "wheel" else
               f'pyodide.FS.writeFile("/lib/alloy_py.zip", new Uint8Array(await (await fetch("/{manifest["zip"]}"'
               ' + location.search)).arrayBuffer()));'
               ' pyodide.runPython("import sys; sys.path.insert(0, \'/lib/alloy_py.zip\')");')
    return EMBED_HEAD + f"""</head><body><script type="module">
import {{ loadPyodide }} from "/pyodide/pyodide.mjs";
const pyodide = await loadPyodide({{indexURL: new URL("/pyodide/", location).href}});
await new Promise((r) => setTimeout(r, 300));  // the app is up and running
try {{
  __bench.t0 = performance.now();
  {install}
  await pyodide.runPythonAsync(`
from alloy_py import alloy
await alloy("configure", {config})
await alloy("sendEvent", {{"xdm": {{"eventType": "web.webpagedetails.pageViews"}}}})
`);
}} catch (e) {{ __bench.error = String(e); }}
{done}
</script></body></html>"""
RENDER_OPTIONS = '{renderDecisions: true, data: {bench: "render"}}'

EVENTS_JS = """async (n) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await alloy("sendEvent", {xdm: {eventType: "bench.event", bench: {i}}});
  }
  return performance.now() - t0;
}"""

MEMORY_JS = """() => {
  const rt = window.__alloyPy && window.__alloyPy.pyodide;
  let wasm = 0;
  try { wasm = rt ? rt._module.HEAP8.buffer.byteLength : 0; } catch (e) {}
  return {jsHeapUsed: performance.memory ? performance.memory.usedJSHeapSize : null, wasm};
}"""


class Edge:
    """Answers Edge requests of one page through CDP Fetch (instantly)."""

    def __init__(self, cdp, origin: str) -> None:
        self.cdp = cdp
        self.origin = origin
        self.count = 0
        cdp.on("Fetch.requestPaused", self._paused)
        cdp.send("Fetch.enable", {"patterns": [{"urlPattern": p} for p in EDGE_PATTERNS]})

    def _paused(self, params: dict) -> None:
        req = params["request"]
        self.count += 1
        headers = [
            {"name": "content-type", "value": "application/json;charset=utf-8"},
            {"name": "access-control-allow-origin", "value": self.origin},
            {"name": "access-control-allow-credentials", "value": "true"},
            {"name": "access-control-allow-methods", "value": "POST, GET, OPTIONS"},
            {"name": "access-control-allow-headers", "value": "content-type"},
            {"name": "access-control-expose-headers", "value": "x-adobe-edge, x-request-id"},
            {"name": "x-adobe-edge", "value": "or2;35"},
        ]
        if req["method"] == "OPTIONS":
            self.cdp.send("Fetch.fulfillRequest", {"requestId": params["requestId"],
                                                   "responseCode": 204, "responseHeaders": headers})
            return
        query = dict(parse_qsl(urlsplit(req["url"]).query))
        handle = list(IDENTITY_HANDLES)
        if '"render"' in (req.get("postData") or ""):
            handle.append(render_handle())
            # The page waits for the Edge meanwhile; blocking Playwright's
            # dispatcher for that long delays nothing the page measures.
            time.sleep(EDGE_MS / 1000)
        body = json.dumps({"requestId": query.get("requestId", "r"), "handle": handle}).encode()
        self.cdp.send("Fetch.fulfillRequest", {
            "requestId": params["requestId"], "responseCode": 200,
            "responseHeaders": headers, "body": base64.b64encode(body).decode()})


def metrics(cdp) -> dict:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def load(page, server, url: str) -> dict:
    server.clear_served()
    page.goto(url)
    page.wait_for_function("() => window.__bench.resolved !== undefined", timeout=120_000, polling=20)
    b = page.evaluate("""() => ({edge: __bench.edge[0], resolved: __bench.resolved, error: __bench.error,
      marks: performance.getEntriesByType("mark").filter(m => m.name.startsWith("alloy-py:"))
                .map(m => [m.name, m.startTime]),
      early: performance.getEntriesByType("resource").filter(e => e.startTime <= __bench.edge[0])
                .map(e => new URL(e.name).pathname)})""")
    if b.get("error"):
        raise RuntimeError(f"{url}: sendEvent failed: {b['error']}")
    paths = [p for m, p in server.served if m == "GET"]
    early = set(b["early"]) | {urlsplit(url).path}
    return {"first_edge_ms": b["edge"], "resolved_ms": b["resolved"],
            "marks": dict(b["marks"]), "fetched": paths,
            "fetched_before_edge": [p for p in paths if urlsplit(p).path in early]}


@contextlib.contextmanager
def fresh_profile(pw):
    """A Chromium with a profile of its own (empty HTTP and code caches) and its first tab."""
    profile = tempfile.mkdtemp(prefix="alloy-bench-")
    try:
        ctx = pw.chromium.launch_persistent_context(
            profile, **launch_options(),
            headless=True, service_workers="block")
        try:
            yield ctx, ctx.pages[0] if ctx.pages else ctx.new_page()
        finally:
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def one(pw, server, impl: str, net: tuple[float, float] | None = None) -> dict:
    """One fresh profile: three loads; unless ``net``, then memory, events, renders, embedded."""
    latency, mbps = net if net else (LATENCY_MS, MBPS)
    with fresh_profile(pw) as (ctx, page):
        cdp = ctx.new_cdp_session(page)
        edge = Edge(cdp, server.url)
        cdp.send("Performance.enable")
        if latency or mbps:
            rate = mbps * 1e6 / 8 if mbps else -1
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": latency,
                "downloadThroughput": rate, "uploadThroughput": rate})
        url = server.url_for(f"/bench/{PAGES[impl]}.html")
        out = {"cold": load(page, server, url), "warm": load(page, server, url),
               "warm3": load(page, server, url)}
        if net:
            return out
        cdp.send("HeapProfiler.collectGarbage")
        heap = cdp.send("Runtime.getHeapUsage")
        mem = page.evaluate(MEMORY_JS)
        out["memory"] = {"js_heap_used": heap["usedSize"], "js_heap_total": heap["totalSize"],
                         "wasm": mem["wasm"]}
        m0 = metrics(cdp)
        wall = page.evaluate(EVENTS_JS, EVENTS)
        m1 = metrics(cdp)
        out["events"] = {"n": EVENTS, "wall_ms": wall,
                         "task_ms": (m1["TaskDuration"] - m0["TaskDuration"]) * 1000,
                         "script_ms": (m1["ScriptDuration"] - m0["ScriptDuration"]) * 1000}
        # Rendering: a page whose first sendEvent has renderDecisions and whose
        # Edge answer carries 50 DOM actions; loaded in the warm profile.
        renders = []
        for _ in range(RENDERS):
            page.goto(url.replace(".html", "-render.html"))
            page.wait_for_function("() => window.__bench.resolved !== undefined && window.__bench.shown !== undefined",
                                   timeout=60_000, polling=20)
            r = page.evaluate("() => ({edge: __bench.edge[0], shown: __bench.shown, resolved: __bench.resolved,"
                              " changed: [...document.querySelectorAll('#els div')]"
                              ".filter(e => e.textContent.startsWith('offer')).length})")
            if r["changed"] != ACTIONS:
                raise RuntimeError(f"{impl}: rendered {r}")
            r["ms"] = r["shown"] - r["edge"]
            renders.append(r)
        out["render"] = renders
        out["embedded"] = {}
        # Not cached: the zip (loadPackage takes only a URL ending in .whl) and alloy.min.js.
        for variant, fresh in [(v, f) for v in variants(impl, server.root) for f in (False, True)
                               if not (f and v == "wheel")]:
            runs = []
            for n in range(EMBEDS):
                query = f"?fresh={time.time_ns()}-{n}" if fresh else ""
                page.goto(server.url_for(f"/bench/{PAGES[impl]}-embed-{variant}.html") + query)
                page.wait_for_function("() => window.__bench.resolved !== undefined", timeout=120_000, polling=20)
                e = page.evaluate("() => ({t0: __bench.t0, edge: __bench.edge[0], resolved: __bench.resolved,"
                                  " error: __bench.error})")
                if e.get("error"):
                    raise RuntimeError(f"{impl} embedded {variant}: {e['error']}")
                runs.append(e["edge"] - e["t0"])
            out["embedded"][variant + (" fresh" if fresh else "")] = runs
        out["edge_requests"] = edge.count
        return out


# ---------------------------------------------------------------- bytes
def vendor_alloy() -> Path:
    """alloy.min.js with its .gz/.br, as the alloy-py files have theirs (a CDN compresses it too)."""
    folder = OUT / "vendor"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("alloy.js", "alloy.min.js"):
        shutil.copyfile(ALLOY_DIST / name, folder / name)
        precompress(folder / name)
    return folder


def resolve(path: str, dist: Path) -> Path | None:
    path = urlsplit(path).path
    if path.startswith("/vendor/alloy/"):
        return ALLOY_DIST / path[len("/vendor/alloy/"):]
    p = dist / path.lstrip("/")
    return p if p.is_file() else None


SIZES = OUT / "sizes.json"  # cache: brotli 11 of a 9 MB wasm takes a while
_sizes: dict[str, dict] = json.loads(SIZES.read_text()) if SIZES.is_file() else {}


def compressed(path: Path) -> dict:
    st = path.stat()
    key = f"{path}:{st.st_size}:{st.st_mtime_ns}"
    if key not in _sizes:
        data = path.read_bytes()
        br = subprocess.run(
            ["node", "-e", "const z=require('zlib');const d=require('fs').readFileSync(process.argv[1]);"
             "process.stdout.write(String(z.brotliCompressSync(d,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11,"
             "[z.constants.BROTLI_PARAM_SIZE_HINT]:d.length}}).length))", str(path)],
            capture_output=True, text=True, check=True).stdout
        _sizes[key] = {"raw": len(data), "gzip": len(gzip.compress(data, 9, mtime=0)), "br": int(br)}
        SIZES.write_text(json.dumps(_sizes, indent=1))
    return _sizes[key]


def transfer(paths: list[str], pages: dict[str, bytes], dist: Path) -> dict:
    total = {"raw": 0, "gzip": 0, "br": 0, "files": []}
    for p in paths:
        if p in pages:
            tmp = OUT / ("page" + p.replace("/", "_"))
            tmp.write_bytes(pages[p])
            s = compressed(tmp)
        else:
            f = resolve(p, dist)
            if f is None:
                continue
            s = compressed(f)
        for k in ("raw", "gzip", "br"):
            total[k] += s[k]
        total["files"].append(p)
    return total


# ---------------------------------------------------------------- report
def stats(values: list) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None}
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def fmt(v: float, unit: str) -> str:
    if unit == "ms":
        return f"{v:.0f}" if v >= 10 else f"{v:.2f}"
    if unit == "KB":
        return f"{v / 1024:.0f}"
    if unit == "MB":
        return f"{v / 1048576:.1f}"
    return f"{v:g}"


def main() -> int:
    if not (DIST / "manifest.json").is_file():
        print("bench: web/dist is not built: run `make web`", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    pages = {}
    runs: dict[str, list[dict]] = {k: [] for k in IMPLS}
    net_runs: dict[str, list[dict]] = {k: [] for k in IMPLS}
    t0 = time.monotonic()
    vendor = vendor_alloy()
    dists = {impl: (Path(BASELINE).resolve() if impl == "alloy-py before" else DIST) for impl in IMPLS}
    with contextlib.ExitStack() as stack:
        servers = {}
        for impl in IMPLS:
            if dists[impl] not in servers:
                servers[dists[impl]] = stack.enter_context(
                    DevServer(dists[impl], mounts={"/vendor/alloy/": vendor}, cache_control=CACHE))
        pw = stack.enter_context(sync_playwright())
        for impl, src in IMPLS.items():
            server = servers[dists[impl]]
            manifest = json.loads((dists[impl] / "manifest.json").read_text())
            path = f"/bench/{PAGES[impl]}.html"
            html = page_html(src)
            # The page itself must not be cached: a warm load still fetches it.
            server.add_page(path, html, headers={"Cache-Control": "no-cache"})
            server.add_page(path.replace(".html", "-render.html"), page_html(src, render=True),
                            headers={"Cache-Control": "no-cache"})
            for variant in variants(impl, dists[impl]):
                server.add_page(path.replace(".html", f"-embed-{variant}.html"), embed_html(impl, variant, manifest),
                                headers={"Cache-Control": "no-cache"})
            pages[path] = html.encode()
        loads: list[float] = []
        for r in range(ROUNDS):
            order = list(IMPLS) if r % 2 == 0 else list(reversed(IMPLS))
            for impl in order:
                res = one(pw, servers[dists[impl]], impl)
                runs[impl].append(res)
                loads.append(os.getloadavg()[0])
                print(f"bench: round {r + 1}/{ROUNDS} {impl:15}: cold edge {res['cold']['first_edge_ms']:.0f} ms,"
                      f" warm edge {res['warm']['first_edge_ms']:.0f} ms,"
                      f" CPU/event {res['events']['task_ms'] / EVENTS:.2f} ms"
                      f" (load {os.getloadavg()[0]:.1f})", flush=True)
        for r in range(ROUNDS if NET else 0):
            order = list(IMPLS) if r % 2 == 0 else list(reversed(IMPLS))
            for impl in order:
                res = one(pw, servers[dists[impl]], impl, net=NET)
                net_runs[impl].append(res)
                loads.append(os.getloadavg()[0])
                print(f"bench: network round {r + 1}/{ROUNDS} {impl:15}:"
                      f" cold edge {res['cold']['first_edge_ms']:.0f} ms,"
                      f" warm edge {res['warm']['first_edge_ms']:.0f} ms (load {os.getloadavg()[0]:.1f})", flush=True)
    for impl in IMPLS:
        for res, net_res in zip(runs[impl], net_runs[impl] or [None] * len(runs[impl]), strict=True):
            res["net"] = net_res

    net = f"{NET[0]:.0f} ms, {NET[1]:.0f} Mbit/s" if NET else ""
    embedded = {"alloy.js": "script", "alloy-py": "wheel", "alloy-py before": "wheel"}
    rows = [
        ("nav -> first Edge request, cold", "ms", lambda x: x["cold"]["first_edge_ms"]),
        ("nav -> first Edge request, warm", "ms", lambda x: x["warm"]["first_edge_ms"]),
        ("nav -> first Edge request, warm (3rd load)", "ms", lambda x: x["warm3"]["first_edge_ms"]),
        *([(f"nav -> first Edge request, cold, {net}", "ms", lambda x: x["net"]["cold"]["first_edge_ms"]),
           (f"nav -> first Edge request, warm, {net}", "ms", lambda x: x["net"]["warm"]["first_edge_ms"]),
           (f"nav -> first Edge request, 3rd load, {net}", "ms", lambda x: x["net"]["warm3"]["first_edge_ms"])]
          if NET else []),
        (f"nav -> {ACTIONS} offers shown, warm, Edge {EDGE_MS:.0f} ms", "ms",
         lambda x: statistics.median(r["shown"] for r in x["render"])),
        ("embedded: running Pyodide -> first request (wheel)", "ms",
         lambda x: statistics.median(x["embedded"][embedded[x["impl"]]])),
        ("embedded: running Pyodide -> first request (zip)", "ms",
         lambda x: statistics.median(x["embedded"].get("zip") or x["embedded"].get("script") or [None])),
        ("embedded, file not cached: running Pyodide -> first request (zip)", "ms",
         lambda x: statistics.median(x["embedded"].get("zip fresh") or x["embedded"].get("script fresh") or [None])),
        ("nav -> sendEvent resolved, cold", "ms", lambda x: x["cold"]["resolved_ms"]),
        ("nav -> sendEvent resolved, warm", "ms", lambda x: x["warm"]["resolved_ms"]),
        (f"CPU per event (main thread, {EVENTS} sendEvents)", "ms", lambda x: x["events"]["task_ms"] / EVENTS),
        ("wall per event (instant Edge)", "ms", lambda x: x["events"]["wall_ms"] / EVENTS),
        (f"render {ACTIONS} DOM actions: Edge request -> all shown (incl. Edge)", "ms",
         lambda x: statistics.median(r["ms"] for r in x["render"])),
        ("bytes fetched, cold, raw", "KB", lambda x: x["bytes_cold"]["raw"]),
        ("bytes fetched, cold, gzip -9", "KB", lambda x: x["bytes_cold"]["gzip"]),
        ("bytes fetched, cold, brotli 11", "KB", lambda x: x["bytes_cold"]["br"]),
        ("bytes before the first Edge request, cold, brotli 11", "KB", lambda x: x["bytes_early"]["br"]),
        ("bytes fetched, warm, raw", "KB", lambda x: x["bytes_warm"]["raw"]),
        ("JS heap used (after GC)", "MB", lambda x: x["memory"]["js_heap_used"]),
        ("wasm memory", "MB", lambda x: x["memory"]["wasm"]),
    ]
    for impl in IMPLS:
        for res in runs[impl]:
            res["impl"] = impl
            res["bytes_early"] = transfer(res["cold"]["fetched_before_edge"], pages, dists[impl])
            res["bytes_cold"] = transfer(res["cold"]["fetched"], pages, dists[impl])
            res["bytes_warm"] = transfer(res["warm"]["fetched"], pages, dists[impl])

    table = []
    for label, unit, get in rows:
        entry = {"metric": label, "unit": unit}
        for impl in IMPLS:
            entry[impl] = stats([get(x) for x in runs[impl]])
        a = entry["alloy.js"]["median"]
        for key, impl in (("ratio", "alloy-py"), ("ratio before", "alloy-py before")):
            if impl in IMPLS:
                b = entry[impl]["median"]
                entry[key] = (b / a) if a and b is not None else None
        table.append(entry)

    ratios = ["ratio"] + (["ratio before"] if BASELINE else [])
    head = f"{'metric':58} {'unit':4} " + " ".join(f"{impl + ' median (min-max)':>30}" for impl in IMPLS) \
        + " " + " ".join(f"{'py/js' if r == 'ratio' else 'before/js':>9}" for r in ratios)
    print()
    print(head)
    print("-" * len(head))
    for e in table:
        cells = []
        for impl in IMPLS:
            s = e[impl]
            cells.append("-" if s["median"] is None else
                         f"{fmt(s['median'], e['unit'])} ({fmt(s['min'], e['unit'])}-{fmt(s['max'], e['unit'])})")
        marks = [f"{e[r]:.1f}x" if e[r] is not None else "-" for r in ratios]
        print(f"{e['metric']:58} {e['unit']:4} " + " ".join(f"{c:>30}" for c in cells)
              + " " + " ".join(f"{m:>9}" for m in marks))

    py = runs["alloy-py"]
    marks = sorted({k for x in py for k in x["cold"]["marks"]}, key=lambda k: py[0]["cold"]["marks"].get(k, 0))
    if marks:
        print("\nalloy-py boot marks (ms from navigation, median cold / warm):")
        for k in marks:
            c = statistics.median(x["cold"]["marks"].get(k, 0) for x in py)
            w = statistics.median(x["warm"]["marks"].get(k, 0) for x in py)
            print(f"  {k:36} {c:7.0f} {w:7.0f}")
    print("\nfiles fetched, cold:")
    for impl in IMPLS:
        print(f"  {impl}: " + ", ".join(runs[impl][0]["bytes_cold"]["files"]))

    browser_version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    result = {
        "rounds": ROUNDS, "events": EVENTS, "latency_ms": LATENCY_MS, "mbps": MBPS, "renders": RENDERS,
        "actions": ACTIONS,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": platform.python_version(), "chromium": browser_version},
        "manifest": json.loads((DIST / "manifest.json").read_text()), "baseline": BASELINE, "edge_ms": EDGE_MS,
        "table": table, "runs": runs, "seconds": time.monotonic() - t0,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "load_during": [min(loads), max(loads)],
    }
    (OUT / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    (OUT / "table.md").write_text(markdown(result))
    print(f"\n{browser_version}, {os.cpu_count()} CPUs; {ROUNDS} rounds in {result['seconds']:.0f} s;"
          f" load average {min(loads):.1f}-{max(loads):.1f} during the rounds, {result['load']} at the end;"
          f" raw numbers in {(OUT / 'results.json').relative_to(ROOT)}, the README's table in"
          f" {(OUT / 'table.md').relative_to(ROOT)}")
    return 0


def markdown(result: dict) -> str:
    """The README's Performance table: medians (min-max) and the ratios to alloy.js."""
    impls = [impl for impl in IMPLS if impl in result["table"][0]]
    head = ["metric", *impls, "py/js", *(["before/js"] if "alloy-py before" in impls else [])]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for e in result["table"]:
        cells = [e["metric"].replace("->", "→")]
        for impl in impls:
            s = e[impl]
            spread = "" if s["min"] == s["max"] else f" ({fmt(s['min'], e['unit'])}–{fmt(s['max'], e['unit'])})"
            cells.append("–" if s["median"] is None else f"{fmt(s['median'], e['unit'])} {e['unit']}{spread}")
        for key in ("ratio", "ratio before")[: len(head) - 1 - len(impls)]:
            cells.append(f"{e[key]:.1f}×" if e.get(key) is not None else "–")
        lines.append("| " + " | ".join(cells) + " |")
    low, high = result["load_during"]
    lines.append("")
    lines.append(f"{result['rounds']} rounds, {result['machine']['chromium']}, {result['machine']['cpus']} CPUs,"
                 f" load average {low:.1f}–{high:.1f} during the rounds.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
