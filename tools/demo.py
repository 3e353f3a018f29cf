#!/usr/bin/env python3
"""``make demo``: the demo pages against the local Edge emulator.

    .venv/bin/python tools/demo.py              serve web/dist + the emulator, print the URLs
    .venv/bin/python tools/demo.py --headless   drive both demo pages in headless Chromium,
                                                print what the emulator received and what the
                                                pages rendered, save screenshots in build/demo/,
                                                exit 1 if an event or a decision is missing
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from alloy_py_dev.emulator import EdgeEmulator
from alloy_py_dev.repo import DIST, ROOT, launch_options

SHOTS = ROOT / "build" / "demo"
DEFAULT_HERO = "Shoes for every trail"


def describe(record: dict[str, Any]) -> str:
    events = ",".join(record.get("eventTypes") or []) or "-"
    decisions = ",".join(record.get("decisionIds") or [])
    return (
        f"  {record['transport']:6} {record['path']:28} events={events}"
        + (f" decisions={decisions}" if decisions else "")
        + (f" clicked={','.join(record['interactions'])}" if record.get("interactions") else "")
        + (f" ecid={record['ecid']}" if record.get("ecid") else "")
    )


def show(received: list[dict[str, Any]], hero: str, offer: str) -> list[str]:
    """Print what the emulator received and the page rendered; return the event types received."""
    print("emulator received:")
    for record in received:
        print(describe(record))
    print(f"page rendered: hero={hero!r} offer={offer!r}")
    return [t for r in received for t in (r.get("eventTypes") or [])]


def check(problems: list[str], ok: bool, message: str) -> None:
    print(("  ok   " if ok else "  FAIL ") + message)
    if not ok:
        problems.append(message)


def drive_shop(browser: Any, emulator: EdgeEmulator, problems: list[str]) -> None:
    print(f"\n== shop demo: {emulator.url_for('/demo/shop.html')}")
    context = browser.new_context()
    # The exit link leads off this machine: answer it locally, never go out.
    context.route("https://partner.example.org/**",
                  lambda route: route.fulfill(body="<p>partner site</p>", content_type="text/html"))
    page = context.new_page()
    start = len(emulator.requests)
    page.goto(emulator.url_for("/demo/shop.html"))
    page.wait_for_function("() => window.demo && window.demo.pageView", timeout=90_000)
    hero = page.inner_text("#hero")
    offer = page.inner_text("#offer")
    page.wait_for_function("() => window.demo.cards === 1", timeout=30_000)  # the content card
    cards = page.inner_text("#cards")
    page.click("#add-to-cart")  # also the Target click goal
    page.wait_for_function("() => window.demo.cartAdds === 1", timeout=30_000)
    page.wait_for_selector("#shipping-offer", timeout=30_000)
    page.click("#shipping-offer")  # the AJO offer's link
    emulator.wait_for(3, timeout=15, action="collect")  # the card's display, the two clicks
    page.click("#video-play")
    page.wait_for_function("() => (window.demo.media || []).includes('media.play')", timeout=30_000)
    page.click("#video-stop")
    page.wait_for_function("() => (window.demo.media || []).includes('media.sessionComplete')", timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "shop.png"), full_page=True)
    page.click("#outbound")
    page.wait_for_url("https://partner.example.org/**", timeout=30_000)
    beacons = emulator.wait_for(4, timeout=15, action="collect")
    context.close()
    received = emulator.requests[start:]
    clicked = [i for r in received for i in (r.get("interactions") or [])]
    types = show(received, hero, offer)
    check(problems, "web.webpagedetails.pageViews" in types, "page view received")
    check(problems, "commerce.productListAdds" in types, "commerce event received")
    check(problems, "decisioning.propositionDisplay" in types, "display notification received")
    check(problems,
          any(r["beacon"] and "web.webinteraction.linkClicks" in (r.get("eventTypes") or []) for r in beacons),
          "outbound link beacon received at /collect")
    check(problems, "emu-view-hero [add-to-cart]" in clicked, "Target click goal reported (add to cart)")
    check(problems, "emu-surface-shop [free-shipping]" in clicked, "AJO offer click reported as an interaction")
    check(problems, "media.sessionStart" in types, "media session start received")
    media = [r["action"] for r in received if r["action"].startswith("va/")]
    check(problems, media == ["va/play", "va/sessionComplete"],
          "media events received at /va/v1/play and /va/v1/sessionComplete")
    check(problems, DEFAULT_HERO not in hero and bool(hero.strip()), "personalized hero banner rendered")
    check(problems, bool(offer.strip()), "hero-banner offer shown")
    check(problems, "Members save 10%" in cards, "content card (rules engine) shown")
    check(problems, any("emu-cards-shop" in str(r.get("body")) and "decisioning.propositionDisplay" in
                        (r.get("eventTypes") or []) for r in received), "content card display reported")


def drive_pyscript(browser: Any, emulator: EdgeEmulator, problems: list[str]) -> None:
    print(f"\n== PyScript demo: {emulator.url_for('/demo/pyscript.html')}")
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on("request",
            lambda request: outside.append(request.url) if not request.url.startswith(emulator.url) else None)
    start = len(emulator.requests)
    page.goto(emulator.url_for("/demo/pyscript.html"))
    page.wait_for_function("() => window.pythonReady === true", timeout=120_000)
    page.click("#send")
    page.wait_for_function("() => window.pythonEvents === 1", timeout=30_000)
    hero = page.inner_text("#hero")
    offer = page.inner_text("#offer")
    output = page.inner_text("#out")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "pyscript.png"), full_page=True)
    context.close()
    received = emulator.requests[start:]
    types = show(received, hero, offer)
    print("python printed:\n    " + output.strip().replace("\n", "\n    "))
    check(problems, "web.webpagedetails.pageViews" in types, "page view from Python received")
    check(problems, "web.webinteraction.linkClicks" in types, "button event from Python received")
    check(problems, "Default banner" not in hero, "personalized hero banner rendered")
    check(problems, bool(offer.strip()) and "waiting" not in offer, "hero-banner offer shown")
    check(problems, not outside, f"no request left the machine ({len(outside)} did)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--headless", action="store_true")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    if not (DIST / "demo" / "shop.html").exists():
        print("web/dist/demo is missing: run `make web`", file=sys.stderr)
        return 2
    if not args.headless:
        emulator = EdgeEmulator(port=args.port, static_dir=DIST)
        print(f"alloy-py demo on {emulator.url}")
        print(f"  shop (script tag):  {emulator.url_for('/demo/shop.html')}")
        print(f"  PyScript:           {emulator.url_for('/demo/pyscript.html')}")
        print(f"  Edge inspector:     {emulator.url_for('/inspector/')}")
        print(f"  all of them:        {emulator.url_for('/')}")
        print("Ctrl-C stops.", flush=True)
        try:
            emulator.serve_forever()
        except KeyboardInterrupt:
            pass
        return 0

    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with EdgeEmulator(port=0, static_dir=DIST) as emulator, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        try:
            drive_shop(browser, emulator, problems)
            drive_pyscript(browser, emulator, problems)
        except Exception as error:  # a timeout: say where, fail
            problems.append(f"{type(error).__name__}: {error}")
            print(f"  FAIL {problems[-1]}")
        finally:
            browser.close()
    print(f"\nscreenshots: {SHOTS}")
    print("demo: " + ("all checks passed" if not problems else f"{len(problems)} check(s) failed"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
