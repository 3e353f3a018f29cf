"""Soak: 1,000 events against an Edge that fails 20 % of its answers (issue 10).

One page (alloy-py, or ``LIBRARY=alloy.js``) sends ``EVENTS`` events in waves
of 50 while the Edge (Playwright routes) answers 10 % of requests 503, 5 % 429
(``Retry-After: 1``), 3 % aborted (network error) and 2 % after 3 s; the rest
200. Counted: commands settled, events the Edge accepted (answered 200) once,
twice or never although their command resolved, and the JS heap / wasm memory
after each wave (after a forced GC).

    .venv/bin/python bench/soak.py        # EVENTS=1000 LIBRARY=alloy-py
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alloy_py_dev.repo import ALLOY_REFERENCE_DIST, DIST, launch_options  # noqa: E402
from alloy_py_dev.samples import BASE_CODE, IDENTITY_ANSWER  # noqa: E402
from alloy_py_dev.server import DevServer  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

EVENTS = int(os.environ.get("EVENTS", "1000"))
LIBRARY = os.environ.get("LIBRARY", "alloy-py")
WAVE = 50
LOADERS = {"alloy.js": '<script src="/vendor/alloy/alloy.js" async></script>',
           "alloy-py": '<script src="/alloy-py.js" async data-debug></script>'}
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><script>{BASE_CODE}</script>{LOADERS[LIBRARY]}
<script>
window.settled = {{}};
alloy("configure", {{datastreamId: "soak", orgId: "ABC123@AdobeOrg"}});
window.wave = function (from, to) {{
  for (var i = from; i < to; i++) (function (n) {{
    alloy("sendEvent", {{xdm: {{eventType: "soak", n: n}}}}).then(
      function () {{ settled[n] = "resolved"; }}, function (e) {{ settled[n] = "rejected: " + e.message; }});
  }})(i);
}};
window.memory = function () {{
  var rt = window.__alloyPy && window.__alloyPy.pyodide, wasm = 0;
  try {{ wasm = rt ? rt._module.HEAP8.buffer.byteLength : 0; }} catch (e) {{}}
  return {{heap: performance.memory ? performance.memory.usedJSHeapSize : null, wasm: wasm}};
}};
</script></head><body>soak</body></html>"""


def main() -> None:
    rng = random.Random(10)
    accepted: Counter[int] = Counter()
    answers: Counter[str] = Counter()
    slow: list[tuple[float, object, dict]] = []
    mounts = {"/vendor/alloy/": ALLOY_REFERENCE_DIST} if ALLOY_REFERENCE_DIST.exists() else {}
    with DevServer(DIST, mounts=mounts) as server, sync_playwright() as p:
        browser = p.chromium.launch(**launch_options())
        context = browser.new_context(service_workers="block")
        headers = {"content-type": "application/json", "access-control-allow-origin": server.url,
                   "access-control-allow-credentials": "true", "x-adobe-edge": "or2;35"}

        def ok(route, request, events) -> None:
            for event in events:
                accepted[event["xdm"]["n"]] += 1
            route.fulfill(status=200, headers=headers, body=json.dumps(IDENTITY_ANSWER))

        def on_route(route, request) -> None:
            try:
                events = [e for e in json.loads(request.post_data or "{}").get("events", [])
                          if e.get("xdm", {}).get("eventType") == "soak"]
            except ValueError:
                events = []
            roll = rng.random()
            if roll < 0.10:
                answers["503"] += 1
                route.fulfill(status=503, headers=headers, body="")
            elif roll < 0.15:
                answers["429"] += 1
                route.fulfill(status=429, headers={**headers, "retry-after": "1"}, body="")
            elif roll < 0.18:
                answers["aborted"] += 1
                route.abort()
            elif roll < 0.20:
                answers["slow"] += 1
                slow.append((time.monotonic() + 3, route, events))
            else:
                answers["200"] += 1
                ok(route, request, events)

        for pattern in ("https://edge.adobedc.net/**", "https://adobedc.demdex.net/**"):
            context.route(pattern, on_route)
        server.add_page("/soak.html", PAGE)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        page.goto(server.url_for("/soak.html"))
        page.wait_for_function("() => typeof window.wave === 'function'")

        def pump(until) -> None:
            while not until():
                page.wait_for_timeout(50)
                now = time.monotonic()
                for item in [s for s in slow if s[0] <= now]:
                    slow.remove(item)
                    ok(item[1], None, item[2])

        memory = []
        started = time.monotonic()
        for start in range(0, EVENTS, WAVE):
            page.evaluate("([a, b]) => wave(a, b)", [start, min(start + WAVE, EVENTS)])
            end = min(start + WAVE, EVENTS)
            pump(lambda end=end: page.evaluate("(n) => Object.keys(settled).length >= n", end)
                 or time.monotonic() - started > 900)
            cdp.send("HeapProfiler.collectGarbage")
            memory.append(page.evaluate("() => memory()"))
        settled = page.evaluate("() => settled")
        browser.close()
    resolved = {int(n) for n, s in settled.items() if s == "resolved"}
    rejected = Counter(s.split(": ", 1)[1].split("\n")[-1] for s in settled.values() if s != "resolved")
    result = {
        "library": LIBRARY, "events": EVENTS, "seconds": round(time.monotonic() - started, 1),
        "answers": dict(answers), "settled": len(settled), "resolved": len(resolved),
        "rejected": dict(rejected), "accepted once": sum(1 for c in accepted.values() if c == 1),
        "accepted twice or more": sum(1 for c in accepted.values() if c > 1),
        "resolved but never accepted": len(resolved - set(accepted)),
        "JS heap MB, first/last wave": [round(memory[0]["heap"] / 1e6, 1), round(memory[-1]["heap"] / 1e6, 1)],
        "wasm MB, first/last wave": [round(memory[0]["wasm"] / 1e6, 1), round(memory[-1]["wasm"] / 1e6, 1)],
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
