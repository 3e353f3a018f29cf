"""The plugin against an alloy.js page and an alloy-py page, both configured for the real Edge.

Neither page sets ``edgeDomain``: only ``edge_page``'s routes bring their
requests to the emulator. Each sends a page view asking for the ``hero-banner``
scope, then a product view and a click (which must carry the identity cookie the
emulator set on the Edge domain), a beacon as the page unloads, then reads
its identity.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from alloy_py_dev.emulator import DEMO_DATASTREAM_ID, DEMO_ORG_ID
from alloy_py_dev.pytest_plugin import Edge
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST
from alloy_py_dev.samples import BASE_CODE
from alloy_py_dev.server import DevServer

from alloy_py.cookies import decode_kndctr_ecid

pytestmark = pytest.mark.browser

IDENTITY = "kndctr_DEMO0123456789ABCDEF0123_AdobeOrg_identity"
PAGE_VIEW = "web.webpagedetails.pageViews"
CLICK = "web.webinteraction.linkClicks"
CONFIG = {"datastreamId": DEMO_DATASTREAM_ID, "orgId": DEMO_ORG_ID}  # no edgeDomain
STEPS = """
window.steps = (async () => {
  await alloy("configure", CONFIG);
  const view = await alloy("sendEvent", {xdm: {eventType: "web.webpagedetails.pageViews"},
                                         personalization: {decisionScopes: ["hero-banner"]}});
  await alloy("sendEvent", {xdm: {eventType: "commerce.productViews"}});
  await alloy("sendEvent", {xdm: {eventType: "web.webinteraction.linkClicks"}});
  await alloy("sendEvent", {documentUnloading: true, xdm: {eventType: "commerce.checkouts"}});
  const identity = await alloy("getIdentity");
  return {propositions: view.propositions.map(p => p.id), ecid: identity.identity.ECID};
})();
"""
LOADERS = {
    "alloy.js": pytest.param("/vendor/alloy/alloy.js", marks=pytest.mark.skipif(
        not ALLOY_REFERENCE_DIST.is_dir(), reason="node_modules/@adobe/alloy missing")),
    "alloy-py": pytest.param("/alloy-py.js"),
}


def page_html(loader: str) -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>shop</title>'
            f'<script>{BASE_CODE}</script><script src="{loader}" async></script></head>'
            f'<body><script>{STEPS.replace("CONFIG", json.dumps(CONFIG))}</script></body></html>')


@pytest.mark.parametrize("loader", list(LOADERS.values()), ids=list(LOADERS))
def test_a_page_view_reaches_the_emulator(edge: Edge, edge_page: Any, site: DevServer, loader: str) -> None:
    path = f"/t/plugin-{loader.strip('/').replace('/', '-')}.html"
    url = site.add_page(path, page_html(loader))
    try:
        edge_page.goto(url)
        view = edge.wait_for_event(PAGE_VIEW, timeout=60)
        result = edge_page.evaluate("() => window.steps")  # route handlers run while it awaits
    finally:
        site.remove_page(path)

    # The page view arrived, by the routes to the real Edge domains.
    assert view.request["action"] == "interact" and view.request["configId"] == DEMO_DATASTREAM_ID
    assert {u.split("/")[2] for u in edge.routed} <= {"edge.adobedc.net", "adobedc.demdex.net"}
    assert edge.routed[0].startswith("https://adobedc.demdex.net/ee/")  # identity-less: third-party
    # One visitor: the ECID the emulator minted is the page's, and the next event carried it back.
    assert edge.ecids() == [result["ecid"]] == [view.ecid]
    assert view.request["ecidSource"] == "minted"
    # The emulator's Set-Cookie landed on each Edge domain it answered for; the third event,
    # to edge.adobedc.net again, carried it back (the second, its first there, had meta.state).
    product, click = edge.wait_for_event("commerce.productViews"), edge.wait_for_event(CLICK)
    assert product.request["ecidSource"] == "state" and product.ecid == view.ecid
    assert click.request["ecidSource"] == "cookie" and click.ecid == view.ecid
    assert IDENTITY in click.request["cookie"]
    # documentUnloading: a beacon to /collect, routed too (Sec-Fetch-Mode tells the emulator).
    leave = edge.wait_for_event("commerce.checkouts")
    assert leave.request["action"] == "collect" and leave.request["beacon"] is True
    assert leave.ecid == view.ecid and not click.request["beacon"]
    for domain in ("adobedc.demdex.net", "edge.adobedc.net"):
        cookies = {c["name"]: c for c in edge_page.context.cookies(f"https://{domain}/")}
        assert decode_kndctr_ecid(cookies[IDENTITY]["value"]) == view.ecid
    # The decisions the emulator returned (the page view also asks for __view__), as the plugin
    # and the page saw them.
    assert [p["id"] for p in view.decisions] == ["emu-view-hero", "emu-hero-banner-offer"]
    assert edge.decisions(PAGE_VIEW) == view.decisions and edge.decisions(CLICK) == []
    [banner] = [p for p in edge.decisions() if p["scope"] == "hero-banner"]
    assert banner["items"][0]["data"]["content"]["headline"] == "Welcome back!"
    assert sorted(result["propositions"]) == ["emu-hero-banner-offer", "emu-view-hero"]
    assert edge.errors == []
