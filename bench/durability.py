"""make bench, part 2: how many queued events survive a visitor who leaves early.

A page queues ``configure`` and 20 ``sendEvent``s in alloy's base code, and the
visitor moves on to a second page of the site ``LEAVE_MS`` after navigation
(250, 500, 1000 ms), cold (fresh profile) and warm (files in the HTTP cache).
Counted: how many of the 20 reach the Edge (from either page), and how many
twice. alloy.js and alloy-py, same pages, same Edge (answered through CDP
``Fetch``, as in bench/run.py), no artificial delay: the real boot of each.

    ROUNDS=3 .venv/bin/python bench/durability.py
"""
from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

# Run as a script: the repository goes on sys.path before the imports below (hence noqa: E402).
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alloy_py_dev.server import DevServer  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.run import ALLOY_DIST, BASE_CODE, CACHE, DATASTREAM_ID, DIST, IMPLS, ORG_ID, Edge, fresh_profile  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "3"))
QUEUED = 20
LEAVE_MS = (250, 500, 1000)
WAIT_S = 10  # after the second page loaded, for replays and late answers
OUT = ROOT / "build" / "bench" / "durability.json"


class RecordingEdge(Edge):
    """The bench's instant Edge, keeping the events of every request (fetch or beacon)."""

    def __init__(self, cdp, origin: str) -> None:
        self.events: list[dict] = []
        super().__init__(cdp, origin)

    def _paused(self, params: dict) -> None:
        try:
            self.events.extend(json.loads(params["request"].get("postData") or "{}").get("events", []))
        except ValueError:
            pass
        try:
            super()._paused(params)
        except PlaywrightError:
            pass  # the page went on to the next one before its answer: nothing to fulfil


def page(src: str, script: str) -> str:
    config = json.dumps({"datastreamId": DATASTREAM_ID, "orgId": ORG_ID})
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>durability</title>
<script>{BASE_CODE}</script><script src="{src}" async></script></head><body>
<script>alloy("configure", {config});{script}</script></body></html>"""


def one(pw, server: DevServer, impl: str, leave_ms: int, warm: bool) -> tuple[int, int]:
    name = "alloyjs" if impl == "alloy.js" else "alloypy"
    queued = "".join(f"alloy('sendEvent', {{xdm: {{eventType: 'durable.{n}'}}, data: {{n: {n}}}}});"
                     for n in range(QUEUED))
    first = server.add_page(f"/durable/{name}-first.html", page(IMPLS[impl], queued))
    second = server.add_page(f"/durable/{name}-second.html", page(
        IMPLS[impl], "alloy('sendEvent', {xdm: {eventType: 'web.webpagedetails.pageViews'}});"))
    with fresh_profile(pw) as (ctx, tab):
        edge = RecordingEdge(ctx.new_cdp_session(tab), server.url)
        if warm:
            tab.goto(second)
            tab.wait_for_timeout(3000)
            edge.events.clear()
        tab.goto(first, wait_until="commit")
        tab.wait_for_timeout(leave_ms)
        tab.goto(second)
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            tab.wait_for_timeout(100)
            if len({e.get("data", {}).get("n") for e in edge.events if "n" in e.get("data", {})}) == QUEUED:
                tab.wait_for_timeout(500)  # would a duplicate follow?
                break
        counts = Counter(e["data"]["n"] for e in edge.events if "n" in e.get("data", {}))
        return len(counts), sum(c - 1 for c in counts.values())


def main() -> int:
    if not (DIST / "alloy-py.js").exists() or not ALLOY_DIST.exists():
        print("durability: needs web/dist (make web) and node_modules/@adobe/alloy", file=sys.stderr)
        return 1
    started = time.monotonic()
    results: dict[str, dict[str, list[tuple[int, int]]]] = {}
    with DevServer(DIST, mounts={"/vendor/alloy/": ALLOY_DIST}, cache_control=CACHE) as server, \
            sync_playwright() as pw:
        for _ in range(ROUNDS):
            for leave_ms in LEAVE_MS:
                for warm in (False, True):
                    key = f"{leave_ms} ms, {'warm' if warm else 'cold'}"
                    for impl in IMPLS:
                        results.setdefault(key, {}).setdefault(impl, []).append(
                            one(pw, server, impl, leave_ms, warm))
    print(f"\nqueued events that reached the Edge when the visitor left early "
          f"({QUEUED} queued, {ROUNDS} rounds, received / duplicated, worst round):")
    print(f"  {'page left after':22} {'alloy.js':>16} {'alloy-py':>16}")
    for key, by_impl in results.items():
        cells = []
        for impl in IMPLS:
            runs = by_impl[impl]
            received = min(r for r, _ in runs)
            duplicated = max(d for _, d in runs)
            cells.append(f"{received}/{QUEUED}, {duplicated} dup")
        print(f"  {key:22} {cells[0]:>16} {cells[1]:>16}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"queued": QUEUED, "rounds": ROUNDS, "results": results,
                               "load_average": os.getloadavg(), "seconds": time.monotonic() - started}, indent=2))
    print(f"\n{ROUNDS} rounds in {time.monotonic() - started:.0f} s; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; build/bench/durability.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
