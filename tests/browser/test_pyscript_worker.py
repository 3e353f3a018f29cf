"""alloy-py in a PyScript worker (``<script type="py" worker>``), against the emulator.

Isolated (COOP + COEP on every response): the worker reaches the page through
PyScript's main-thread proxies, renders into the page's DOM, writes the identity
cookie and reports a click on a rendered proposition. Not isolated: the first
command raises one clear ``NoPageError`` saying which headers the page needs.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from alloy_py_dev.emulator import DEFAULT_DECISIONS, DEMO_DATASTREAM_ID, DEMO_ORG_ID, EdgeEmulator
from alloy_py_dev.repo import DIST

from alloy_py.cookies import namespaced_cookie_name
from alloy_py.schemas import DOM_ACTION

LATE = {
    "id": "late-view", "scope": "__view__",
    "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "late"}},
    "items": [{"id": "late-html", "schema": DOM_ACTION,
               "data": {"type": "setHtml", "format": "application/vnd.adobe.target.dom-action",
                        "selector": "#late", "content": "arrived"}}],
}
ISOLATION = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}

# The worker reports what happened by POSTing it to /report (the emulator keeps the body); its own
# location is a blob: URL, hence the origin.
WORKER = f"""
import json
import js
from alloy_py import alloy

async def report(value):
    await js.fetch(f"{{js.location.origin}}/report", method="POST", body=json.dumps(value))

try:
    await alloy("configure", {{"datastreamId": "{DEMO_DATASTREAM_ID}", "orgId": "{DEMO_ORG_ID}",
                               "edgeDomain": str(js.location.origin)}})
    result = await alloy("sendEvent", {{"renderDecisions": True,
                                        "xdm": {{"eventType": "web.webpagedetails.pageViews"}}}})
    identity = await alloy("getIdentity")
    await alloy("setDebug", {{"enabled": True}})  # alloy's logs go to the page's console
    await alloy("sendEvent", {{"documentUnloading": True, "xdm": {{"eventType": "leaving"}}}})  # a beacon
    await report({{"rendered": [p["renderAttempted"] for p in result["propositions"]],
                   "ecid": identity["identity"]["ECID"]}})
except Exception as error:
    js.console.error(f"{{type(error).__name__}}: {{error}}")
    await report({{"error": type(error).__name__, "message": str(error)}})
"""

PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="/pyscript/core.js"></script>
</head><body>
<section id="hero"><h2>Default banner</h2></section>
<button id="add-to-cart" type="button">Add to cart</button>
<script>
// #late comes into the page after the hero is personalized: the worker's render waits for it
// with a MutationObserver on the page.
new MutationObserver(function () {{
  if (document.querySelector("#hero p") && !document.getElementById("late")) {{
    setTimeout(function () {{ document.body.insertAdjacentHTML("beforeend", "<div id='late'>waiting</div>"); }}, 300);
  }}
}}).observe(document.body, {{childList: true, subtree: true}});
</script>
<py-config>
interpreter = "/pyodide/pyodide.mjs"
packages = ["alloy_py"]
</py-config>
<script type="py" worker>{WORKER}</script>
</body></html>
"""


@pytest.fixture
def edge() -> Iterator[EdgeEmulator]:
    with EdgeEmulator(port=0, static_dir=DIST, headers=ISOLATION,
                      decisions=[*DEFAULT_DECISIONS, LATE]) as emulator:
        emulator.accept_uploads("/report")
        emulator.add_page("/worker.html", PAGE)
        yield emulator


def _report(page, edge: EdgeEmulator) -> dict:  # type: ignore[no-untyped-def]
    for _ in range(600):
        body = edge.page_body("/report")
        if body is not None:
            return json.loads(body)
        page.wait_for_timeout(100)
    raise AssertionError("the worker reported nothing in 60 s")


def test_a_pyscript_worker_sends_renders_and_sets_the_cookie_on_the_page(page, edge: EdgeEmulator) -> None:
    errors: list[str] = []
    infos: list[str] = []
    page.on("console", lambda m: (errors if m.type == "error" else infos).append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(edge.url_for("/worker.html"))
    assert page.evaluate("crossOriginIsolated") is True
    report = _report(page, edge)
    assert "error" not in report, report
    [view] = edge.wait_for(1, action="interact")
    assert view["eventTypes"] == ["web.webpagedetails.pageViews"]
    # The page's location, not the worker's blob: URL, in the event and as the request's Referer.
    page_url = edge.url_for("/worker.html")
    assert view["body"]["events"][0]["xdm"]["web"]["webPageDetails"]["URL"] == page_url == view["referer"]
    assert report["ecid"] == view["ecid"] and view["ecid"]
    assert report["rendered"] and all(report["rendered"])
    # The main thread's DOM was changed by the worker.
    assert page.inner_text("#hero h2") == "Welcome back!"
    assert page.get_attribute("#hero", "data-offer") == "running-20"
    page.wait_for_function("document.getElementById('late')?.textContent === 'arrived'", timeout=10_000)
    assert namespaced_cookie_name(DEMO_ORG_ID, "identity") in page.evaluate("document.cookie")
    # alloy's debug flag is in the page's sessionStorage, its logs on the page's console, the
    # unloading event went out with the page's navigator.sendBeacon.
    assert "com.adobe.alloy.instance.alloy.debug" in page.evaluate("Object.keys(sessionStorage)")
    assert any(m.startswith("[alloy] Executing sendEvent command.") for m in infos)
    [leaving] = edge.wait_for(1, eventTypes=["leaving"])
    assert leaving["transport"] == "beacon"
    # A click on the main thread reaches the worker's listener: the click goal is reported.
    page.click("#add-to-cart")
    [click] = edge.wait_for(1, eventTypes=["decisioning.propositionInteract"])
    assert click["interactions"] == ["emu-view-hero [add-to-cart]"]
    assert errors == []


def test_a_worker_without_isolation_says_what_the_page_needs(page, edge: EdgeEmulator) -> None:
    edge.headers = {}
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(edge.url_for("/worker.html"))
    assert page.evaluate("crossOriginIsolated") is False
    report = _report(page, edge)
    assert report["error"] == "NoPageError"
    assert "Cross-Origin-Opener-Policy: same-origin" in report["message"]
    assert "Cross-Origin-Embedder-Policy: require-corp" in report["message"]
    assert "service worker" in report["message"]
    assert not any("AttributeError" in m for m in messages)
    assert edge.requests == []
