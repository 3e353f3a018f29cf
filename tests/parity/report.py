"""``make parity``: run every scenario with alloy.js and alloy-py, one line each.

    SAME name
    DIFF name: path: alloy.js=… alloy-py=…; …
    INTENDED name: paths (reason)

Exit status 1 on any DIFF (or error). ``python -m tests.parity.report [name…]``.
"""
from __future__ import annotations

import sys
import time

from alloy_py_dev.repo import ALLOY_REFERENCE_DIST, DIST, launch_options
from alloy_py_dev.server import DevServer
from playwright.sync_api import sync_playwright

from .harness import compare, describe
from .scenarios import BY_NAME, SCENARIOS


def main(argv: list[str]) -> int:
    scenarios = [BY_NAME[n] for n in argv] if argv else SCENARIOS
    counts = {"SAME": 0, "DIFF": 0, "INTENDED": 0, "ERROR": 0}
    started = time.monotonic()
    with DevServer(DIST, mounts={"/vendor/alloy/": ALLOY_REFERENCE_DIST}) as server, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options())
        for scenario in scenarios:
            t0 = time.monotonic()
            try:
                result = compare(browser, server, scenario)
            except Exception as exc:  # noqa: BLE001 - reported, counted
                counts["ERROR"] += 1
                print(f"ERROR {scenario.name}: {type(exc).__name__}: {str(exc).splitlines()[0]}", flush=True)
                continue
            secs = f"({time.monotonic() - t0:.1f}s)"
            if result["undeclared"]:
                counts["DIFF"] += 1
                known = f" [known: {scenario.xfail}]" if scenario.xfail else ""
                print(f"DIFF {scenario.name}: {describe(result)}{known} {secs}", flush=True)
            elif result["declared"]:
                counts["INTENDED"] += 1
                reasons = sorted(set(result["declared"].values()))
                print(f"INTENDED {scenario.name}: {', '.join(result['declared'])} ({'; '.join(reasons)}) {secs}",
                      flush=True)
            else:
                counts["SAME"] += 1
                print(f"SAME {scenario.name} {secs}", flush=True)
        browser.close()
    total = sum(counts.values())
    print(f"{total} scenarios: " + ", ".join(f"{v} {k}" for k, v in counts.items())
          + f" in {time.monotonic() - started:.0f}s")
    return 1 if counts["DIFF"] or counts["ERROR"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
