"""alloy-py's first Edge request in WebKit and in Chromium, with and without the memory snapshot.

    .venv/bin/python bench/webkit.py [ROUNDS]

Warm loads only (each browser loads every page once first): navigation start →
the page's first fetch to the Edge (performance.now(); the emulator serves the
page and answers the Edge). Rounds are interleaved across the four modes;
prints every round, the medians and the load average.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from alloy_py_dev import webkit  # noqa: E402
from alloy_py_dev.emulator.server import EdgeEmulator  # noqa: E402
from alloy_py_dev.repo import DIST, launch_options  # noqa: E402
from alloy_py_dev.samples import BASE_CODE, DATASTREAM_ID, ORG_ID  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

HOOK = """<script>
window.__bench = {edge: null};
var f = window.fetch;
window.fetch = function (u) {
  if (__bench.edge === null && /\\/ee\\//.test(String(u && u.url || u))) __bench.edge = performance.now();
  return f.apply(this, arguments);
};
</script>"""
SCRIPT = "CONFIGURE; alloy('sendEvent', {xdm: {eventType: 'bench'}});"
RESULT = ("return window.__bench.edge !== null && window.__alloyPy"
          " && {edge: window.__bench.edge, snapshot: window.__alloyPy.snapshot}")


def main(rounds: int) -> None:
    options = json.dumps({"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "edgeDomain": "ORIGIN"})
    configure = f"alloy('configure', {options})".replace('"ORIGIN"', "location.origin")
    html = (f'<!doctype html><html><head><meta charset="utf-8">{HOOK}<script>{BASE_CODE}</script>'
            f'<script src="/alloy-py.js" async ></script></head><body><h1>shop</h1>'
            f"<script>{SCRIPT.replace('CONFIGURE', configure)}</script></body></html>")
    times: dict[str, list[float]] = {}
    with EdgeEmulator(static_dir=DIST, datastreams={DATASTREAM_ID: ORG_ID}) as edge, \
            webkit.webkit() as driver, sync_playwright() as pw:
        urls = {"snapshot": edge.add_page("/b/on.html", html),
                "off": edge.add_page("/b/off.html", html.replace("async ", 'async data-snapshot="off" '))}
        browser = pw.chromium.launch(**launch_options())
        page = browser.new_page()

        def load(engine: str, mode: str) -> dict:
            if engine == "webkit":
                driver.get(urls[mode])
                got = webkit.wait_for(driver, RESULT)
            else:
                page.goto(urls[mode])
                page.wait_for_function("() => { " + RESULT + " }", timeout=60_000)
                got = page.evaluate("() => { " + RESULT + " }")
            if got["snapshot"] is not (mode == "snapshot"):
                raise RuntimeError(f"{engine} {mode}: snapshot={got['snapshot']}")
            return got

        modes = [(e, m) for e in ("webkit", "chromium") for m in ("snapshot", "off")]
        for engine, mode in modes:
            load(engine, mode)  # warm the HTTP cache
        for r in range(rounds):
            line = []
            for engine, mode in modes:
                ms = load(engine, mode)["edge"]
                times.setdefault(f"{engine} {mode}", []).append(ms)
                line.append(f"{engine} {mode} {ms:.0f}")
            print(f"round {r + 1}/{rounds}: " + ", ".join(line) + f" (load {os.getloadavg()[0]:.2f})", flush=True)
        browser.close()
    medians = {k: statistics.median(v) for k, v in times.items()}
    print(json.dumps({"rounds": rounds, "median_ms": {k: round(v) for k, v in medians.items()},
                      "webkit/chromium (snapshot)": round(medians["webkit snapshot"] / medians["chromium snapshot"], 2),
                      "loadavg": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
