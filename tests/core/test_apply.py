"""applyPropositions and applyResponse (in-memory DOM)."""

from __future__ import annotations

from typing import Any

import pytest
from alloy_py_dev.samples import IDENTITY_HANDLES

from alloy_py.browser.memory import MemoryBrowser
from alloy_py.errors import AlloyError

from .conftest import IDENTITY_COOKIE, body, configured, identity_edge, settle

PAGE = """<!doctype html><html><head></head><body>
<div id="hero"><p>Default hero</p></div>
<p class="promo">promo</p>
</body></html>"""
SCHEMA = "https://ns.adobe.com/personalization/"
DOM_ACTION = SCHEMA + "dom-action"


def proposition(pid: str, *items: dict[str, Any], scope: str = "__view__", **extra: Any) -> dict[str, Any]:
    return {"id": pid, "scope": scope, "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": pid}},
            "items": list(items), **extra}


def action(item_id: str, **data: Any) -> dict[str, Any]:
    return {"id": item_id, "schema": DOM_ACTION, "data": data}


def page(*handles: dict[str, Any]) -> MemoryBrowser:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = identity_edge(*handles)
    return memory


def hero(memory: MemoryBrowser) -> str:
    return str(memory.query_all("#hero")[0])


async def test_apply_propositions_renders_and_never_sends_a_display() -> None:
    memory = page()
    alloy = await configured(memory)
    offer = proposition("p1", action("i1", type="setHtml", selector="#hero", content="applied"))
    result = await alloy("applyPropositions", {"propositions": [offer]})
    await settle()
    assert hero(memory) == '<div id="hero">applied</div>'
    assert result == {"propositions": [{**offer, "renderAttempted": True}]}
    assert memory.sent == []
    # The display goes with a later event that includes rendered propositions, and only then.
    await alloy("sendEvent", {"personalization": {"includeRenderedPropositions": True}})
    decisioning = body(memory.sent[-1])["events"][0]["xdm"]["_experience"]["decisioning"]
    assert decisioning["propositionEventType"] == {"display": 1}
    assert [p["id"] for p in decisioning["propositions"]] == ["p1"]
    await alloy("sendEvent", {"personalization": {"includeRenderedPropositions": True}})
    assert "_experience" not in body(memory.sent[-1])["events"][0]["xdm"]


async def test_apply_propositions_skips_what_a_sendevent_rendered_and_needs_metadata_for_html() -> None:
    memory = page()
    alloy = await configured(memory)
    rendered = proposition("p-done", action("i0", type="setText", selector=".promo", content="x"),
                           renderAttempted=True)
    html = proposition("p-html", {"id": "h1", "schema": SCHEMA + "html-content-item", "data": {"content": "<b>h</b>"}},
                       scope="hero-slot")
    tracking = proposition("p-json", {"id": "j1", "schema": SCHEMA + "json-content-item", "data": {"content": {}}},
                           scope="promo-slot")
    result = await alloy("applyPropositions", {"propositions": [rendered, html, tracking]})
    assert result == {"propositions": []}  # html without metadata, json without collectInteractions
    result = await alloy("applyPropositions", {
        "propositions": [rendered, html, tracking],
        "metadata": {"hero-slot": {"selector": "#hero", "actionType": "setHtml"},
                     "promo-slot": {"selector": ".promo", "actionType": "collectInteractions"}},
    })
    assert [(p["id"], p["renderAttempted"], p["items"][0]["schema"]) for p in result["propositions"]] == [
        ("p-html", True, SCHEMA + "html-content-item"), ("p-json", True, DOM_ACTION)]
    assert hero(memory) == '<div id="hero"><b>h</b></div>'
    assert memory.query_all(".promo")[0].get("data-aep-interact-id") is None  # TGT: not tracked by default
    assert "promo" in str(memory.query_all(".promo")[0])


async def test_invalid_apply_propositions_options_only_warn() -> None:
    memory = page()
    alloy = await configured(memory, debugEnabled=True)
    for options in (None, {}, {"propositions": []}, {"propositions": [{"id": 1}]}):
        assert await alloy("applyPropositions", options) == {"propositions": []}
    warnings = [args for level, args in memory.logs if level == "warn"]
    assert sum("Invalid options for applyPropositions. No propositions will be applied." in str(a)
               for a in warnings) == 4


async def test_apply_propositions_with_view_name_waits_for_the_fetch_on_its_way() -> None:
    view = {"id": "pv", "scope": "cart",
            "scopeDetails": {"decisionProvider": "TGT", "characteristics": {"scopeType": "view"}},
            "items": [action("iv", type="setHtml", selector="#hero", content="cart offer")]}
    memory = page({"type": "personalization:decisions", "payload": [view]})
    alloy = await configured(memory)
    fetching = alloy("sendEvent", {})  # not awaited: its answer holds the view
    result = await alloy("applyPropositions", {"propositions": [], "viewName": "cart"})
    await fetching
    assert result == {"propositions": []}  # invalid options: nothing, not even the view
    result = await alloy("applyPropositions", {
        "propositions": [proposition("p1", action("i1", type="setText", selector=".promo", content="p"))],
        "viewName": "Cart",
    })
    assert [p["id"] for p in result["propositions"]] == ["p1", "pv"]
    assert "cart offer" in hero(memory)


async def test_apply_response_sets_cookies_renders_and_reports_without_an_interact_request() -> None:
    memory = page()
    alloy = await configured(memory)
    offer = proposition("p1", action("i1", type="setHtml", selector="#hero", content="from the server"))
    response = {"requestId": "server-1", "handle": [
        *IDENTITY_HANDLES,
        {"type": "personalization:decisions", "payload": [offer]},
    ]}
    result = await alloy("applyResponse", {"renderDecisions": True, "responseBody": response,
                                           "responseHeaders": {"x-adobe-edge": "OR2;9"}})
    await settle()
    assert hero(memory) == '<div id="hero">from the server</div>'
    assert [p["id"] for p in result["propositions"]] == ["p1"]
    assert result["decisions"] == []
    assert IDENTITY_COOKIE in memory.get_cookies()
    assert memory.cookies[f"kndctr_{IDENTITY_COOKIE.split('_')[1]}_AdobeOrg_cluster"].value == "or2"
    [display] = memory.sent  # only the display notification went out
    event = body(display)["events"][0]
    assert event["xdm"]["eventType"] == "decisioning.propositionDisplay"


async def test_apply_response_without_rendering_and_with_bad_options() -> None:
    memory = page()
    alloy = await configured(memory)
    offer = proposition("p1", action("i1", type="setHtml", selector="#hero", content="x"))
    result = await alloy("applyResponse", {"responseBody": {"handle": [
        {"type": "personalization:decisions", "payload": [offer]}]}})
    assert result["decisions"][0]["id"] == "p1"
    assert result["propositions"][0]["renderAttempted"] is False
    assert memory.sent == []
    with pytest.raises(AlloyError, match="responseBody"):
        await alloy("applyResponse", {})
    with pytest.raises(AlloyError, match="decisionContext"):
        await alloy("applyResponse", {"responseBody": {"handle": []}, "decisionContext": {}})
