#!/usr/bin/env python3
"""alloy.js and alloy-py in every installed engine: the first Edge request, cold and warm (`make bench`).

    ROUNDS=5 .venv/bin/python bench/engines.py

The same page (alloy's base code, `configure`, one `sendEvent`) with alloy.js
(node_modules/@adobe/alloy/dist/alloy.min.js) and with alloy-py, served by the
local Edge emulator's file server (`edgeDomain` a host that never resolves: the
time is when the request is issued, so the Edge's answer does not matter). Each
round, each engine and each library: a fresh browser context (Chromium
through Playwright, Firefox through puppeteer-core over WebDriver BiDi, WebKit
as WebKitGTK's MiniBrowser through WebKitWebDriver: alloy_py_dev.engines),
loading the page twice: "cold" (empty HTTP cache) and "warm" (the second load,
a blank page and a second after the first; the emulator serves files with
`Cache-Control: no-cache`, so the warm load revalidates them: 304s). Time:
navigation start -> the page's first fetch to the Edge (performance.now()).
alloy-py must have booted from its memory snapshot.
Rounds alternate the order of the libraries. Prints every round, then the
medians, alloy-py/alloy.js per engine, each engine's alloy-py against
Chromium's, and the load average; the numbers go to build/bench/engines.json.
No pass/fail thresholds.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alloy_py_dev.emulator.server import EdgeEmulator  # noqa: E402
from alloy_py_dev.engines import ENGINES, evaluate, goto, missing, run_page, sleep, wait  # noqa: E402
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST, DIST  # noqa: E402
from alloy_py_dev.samples import BASE_CODE, DATASTREAM_ID, ORG_ID  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "5"))
OUT = ROOT / "build" / "bench" / "engines.json"
# alloy.js takes a domain, not an origin, so neither library gets the emulator: the time
# measured is when the first request is issued, and a host under .invalid never resolves
# (nothing leaves the machine; what the Edge would answer does not matter here).
EDGE_DOMAIN = "edge.bench.invalid"
IMPLS = {"alloy.js": "/vendor/alloy/alloy.min.js", "alloy-py": "/alloy-py.js"}
HOOK = """<script>
window.__bench = {edge: null};
var f = window.fetch;
window.fetch = function (u) {
  if (__bench.edge === null && /\\/ee\\//.test(String(u && u.url || u))) __bench.edge = performance.now();
  return f.apply(this, arguments);
};
</script>"""
DONE = "window.__bench && window.__bench.edge !== null"
FACTS = "{edge: window.__bench.edge, snapshot: window.__alloyPy ? window.__alloyPy.snapshot : null}"


def page(src: str) -> str:
    options = json.dumps({"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "edgeDomain": EDGE_DOMAIN})
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>bench</title>{HOOK}<script>{BASE_CODE}</script>'
            f'<script src="{src}" async></script></head><body><h1>shop</h1><script>'
            f"alloy('configure', {options});"
            "alloy('sendEvent', {xdm: {eventType: 'bench'}});</script></body></html>")


def main() -> int:
    if not (DIST / "manifest.json").is_file():
        print("bench: web/dist is not built: run `make web`", file=sys.stderr)
        return 1
    engines = [e for e in ENGINES if missing(e) is None]
    for engine in ENGINES:
        if engine not in engines:
            print(f"bench: {engine} skipped: {missing(engine)}")
    times: dict[str, dict[str, dict[str, list[float]]]] = {
        e: {i: {"cold": [], "warm": []} for i in IMPLS} for e in engines}
    loads: list[float] = []
    started = time.monotonic()
    with EdgeEmulator(static_dir=DIST, datastreams={DATASTREAM_ID: ORG_ID}) as edge:
        edge.add_page("/favicon.ico", b"", content_type="image/x-icon")
        edge.add_page(IMPLS["alloy.js"], (ALLOY_REFERENCE_DIST / "alloy.min.js").read_bytes(),
                      content_type="text/javascript")
        urls = {impl: edge.add_page(f"/bench/{impl}.html", page(src)) for impl, src in IMPLS.items()}
        blank = edge.add_page("/bench/blank.html", "<!doctype html><title>between</title>")
        for r in range(ROUNDS):
            line = []
            for engine in engines:
                for impl in (IMPLS if r % 2 == 0 else list(reversed(IMPLS))):
                    url = urls[impl]
                    # Between the two loads a blank page, a second long: the warm load's clock
                    # (from its navigation start) must not include the first page's Python still
                    # at work or being torn down (WebKit: ~700 ms), which no visitor clicks into.
                    run = run_page(engine, [goto(url), wait(DONE), evaluate(FACTS), goto(blank), sleep(1000),
                                            goto(url + "?warm"), wait(DONE), evaluate(FACTS)], 180)
                    cold, warm = run.values
                    if impl == "alloy-py" and not (cold["snapshot"] and warm["snapshot"]):
                        raise RuntimeError(f"{engine}: alloy-py did not boot from the snapshot: {run.values}")
                    times[engine][impl]["cold"].append(cold["edge"])
                    times[engine][impl]["warm"].append(warm["edge"])
                    line.append(f"{engine} {impl} {cold['edge']:.0f}/{warm['edge']:.0f}")
            loads.append(os.getloadavg()[0])
            print(f"bench: engines round {r + 1}/{ROUNDS} (cold/warm ms): " + ", ".join(line)
                  + f" (load {loads[-1]:.2f})", flush=True)
    medians = {e: {i: {k: statistics.median(v) for k, v in by.items()} for i, by in impls.items()}
               for e, impls in times.items()}
    print("\nfirst Edge request, ms from navigation (median of "
          f"{ROUNDS} rounds): engine, alloy.js cold/warm, alloy-py cold/warm, py/js warm, py vs Chromium's py warm")
    rows = []
    for engine in engines:
        js, py = medians[engine]["alloy.js"], medians[engine]["alloy-py"]
        base = medians.get("chromium", {}).get("alloy-py", {}).get("warm")
        row = {"engine": engine, "alloy.js": js, "alloy-py": py, "py/js warm": round(py["warm"] / js["warm"], 1),
               "py/chromium py warm": round(py["warm"] / base, 2) if base else None}
        rows.append(row)
        print(f"  {engine:9} {js['cold']:6.0f} {js['warm']:6.0f}   {py['cold']:6.0f} {py['warm']:6.0f}"
              f"   {row['py/js warm']:5.1f}x   {row['py/chromium py warm'] or '-'}x")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"rounds": ROUNDS, "rows": rows, "times": times, "seconds": time.monotonic() - started,
                               "load_during": [min(loads), max(loads)] if loads else None,
                               "load": os.getloadavg()}, indent=1) + "\n")
    print(f"\n{ROUNDS} rounds in {time.monotonic() - started:.0f} s; load average "
          f"{min(loads):.1f}-{max(loads):.1f} during the rounds; numbers in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
