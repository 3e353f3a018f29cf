"""A first-party ``edgeDomain`` (``edge_domains`` overridden), one page routed, decisions set by the test."""
from __future__ import annotations

import json
from typing import Any

import pytest
from alloy_py_dev.emulator import DEMO_DATASTREAM_ID, DEMO_ORG_ID
from alloy_py_dev.pytest_plugin import Edge
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST
from alloy_py_dev.samples import BASE_CODE
from alloy_py_dev.server import DevServer

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not ALLOY_REFERENCE_DIST.is_dir(),
                                                      reason="node_modules/@adobe/alloy missing")]

CONFIG = {"datastreamId": DEMO_DATASTREAM_ID, "orgId": DEMO_ORG_ID, "edgeDomain": "metrics.example.com",
          "thirdPartyCookiesEnabled": False}
OFFER = {"id": "spring-sale", "scope": "sale-banner",
         "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "spring"}},
         "items": [{"id": "spring-json", "schema": "https://ns.adobe.com/personalization/json-content-item",
                    "data": {"id": "spring-json", "format": "application/json", "content": {"off": 30}}}]}
STEPS = """
window.steps = (async () => {
  await alloy("configure", CONFIG);
  const view = await alloy("sendEvent", {xdm: {eventType: "web.webpagedetails.pageViews"},
                                         personalization: {decisionScopes: ["sale-banner"]}});
  return view.propositions.filter(p => p.scope === "sale-banner").map(p => p.items[0].data.content);
})();
"""


@pytest.fixture
def edge_domains() -> list[str]:
    """This site's own Edge CNAME (a conftest would say it once for all its tests)."""
    return ["metrics.example.com"]


def test_a_first_party_edge_domain_and_decisions_of_the_test(edge: Edge, page: Any, site: DevServer) -> None:
    edge.set_decisions([OFFER])
    edge.route(page)  # this page only (edge_page routes its whole context)
    html = (f'<!doctype html><html><head><meta charset="utf-8"><script>{BASE_CODE}</script>'
            f'<script src="/vendor/alloy/alloy.js" async></script></head><body>'
            f'<script>{STEPS.replace("CONFIG", json.dumps(CONFIG))}</script></body></html>')
    url = site.add_page("/t/plugin-first-party.html", html)
    try:
        page.goto(url)
        view = edge.wait_for_event("web.webpagedetails.pageViews", timeout=30)
        offers = page.evaluate("() => window.steps")
    finally:
        site.remove_page("/t/plugin-first-party.html")
    assert edge.domains == ["edge.adobedc.net", "*.demdex.net", "metrics.example.com"]
    assert [u.split("/")[2] for u in edge.routed] == ["metrics.example.com"]
    assert view.request["path"] == "/ee/v1/interact" and view.request["ecidSource"] == "minted"
    assert [p["id"] for p in view.decisions] == ["spring-sale"]  # the page view's __view__: none set
    assert offers == [{"off": 30}]
    cookies = page.context.cookies("https://metrics.example.com/")
    assert {c["name"] for c in cookies} >= {"kndctr_DEMO0123456789ABCDEF0123_AdobeOrg_identity"}
