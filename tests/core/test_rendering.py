"""renderDecisions: DOM actions, prehiding, display notifications (in-memory DOM)."""

from __future__ import annotations

from typing import Any

from alloy_py.browser.memory import MemoryBrowser

from .conftest import body, configured, identity_edge, settle

PAGE = """<!doctype html><html><head></head><body>
<div id="hero"><p>Default hero</p></div>
<ul id="list"><li>one</li><li>two</li><li>three</li></ul>
<img id="logo" src="old.png">
<p class="promo">promo</p>
</body></html>"""
DOM_ACTION = "https://ns.adobe.com/personalization/dom-action"


def proposition(pid: str, *items: dict[str, Any], scope: str = "__view__", provider: str = "TGT") -> dict[str, Any]:
    return {"id": pid, "scope": scope, "scopeDetails": {"decisionProvider": provider, "activity": {"id": pid}},
            "items": list(items)}


def action(item_id: str, **data: Any) -> dict[str, Any]:
    return {"id": item_id, "schema": DOM_ACTION, "data": data}


def page_with(*propositions: dict[str, Any]) -> MemoryBrowser:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = identity_edge({"type": "personalization:decisions", "payload": list(propositions)})
    return memory


async def send_and_settle(memory: MemoryBrowser, options: dict[str, Any], **config: Any) -> dict[str, Any]:
    alloy = await configured(memory, **config)
    result = await alloy("sendEvent", options)
    await settle()  # let the display notification go out
    return result


def text(memory: MemoryBrowser, selector: str) -> str:
    return " ".join(str(node) for node in memory.query_all(selector))


async def test_dom_actions_change_the_page_and_are_reported_rendered() -> None:
    memory = page_with(proposition(
        "p1",
        action("i1", type="setHtml", selector="#hero", content="<h2>Welcome back</h2>"),
        action("i2", type="setText", selector="#list li:eq(1)", content="TWO"),
        action("i3", type="setAttribute", selector="#logo", content={"alt": "Logo", "data-x": "1"}),
        action("i4", type="setStyle", selector=".promo", content={"color": "red", "priority": "important"}),
        action("i5", type="setImageSource", selector="#logo", content="new.png"),
        action("i6", type="rearrange", selector="#list", content={"from": 0, "to": 2}),
        action("i7", type="insertAfter", selector=".promo", content="<p id=after>after</p>"),
        action("i8", type="appendHtml", selector="#list", content="<li>four</li>"),
    ))
    result = await send_and_settle(memory, {"renderDecisions": True})
    assert text(memory, "#hero") == '<div id="hero"><h2>Welcome back</h2></div>'
    assert [node.get_text() for node in memory.query_all("#list li")] == ["TWO", "three", "one", "four"]
    [logo] = memory.query_all("#logo")
    assert (logo["alt"], logo["data-x"], logo["src"]) == ("Logo", "1", "new.png")
    assert memory.query_all(".promo")[0]["style"] == ";color:red !important;"
    assert memory.query_all(".promo + #after")
    assert result["propositions"][0]["renderAttempted"] is True
    assert result["decisions"] == []
    # The display notification reports what rendered.
    display = body(memory.sent[1])["events"][0]["xdm"]
    assert display["eventType"] == "decisioning.propositionDisplay"
    assert display["_experience"]["decisioning"] == {
        "propositions": [
            {"id": "p1", "scope": "__view__", "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "p1"}}}
        ],
        "propositionEventType": {"display": 1},
    }


async def test_without_render_decisions_nothing_changes() -> None:
    memory = page_with(proposition("p1", action("i1", type="setHtml", selector="#hero", content="<b>x</b>")))
    result = await send_and_settle(memory, {})
    assert "Default hero" in text(memory, "#hero")
    assert result["propositions"][0]["renderAttempted"] is False
    assert len(memory.sent) == 1


async def test_prehiding_style_is_added_then_removed() -> None:
    memory = page_with(proposition("p1", action("i1", type="setHtml", selector="#hero", content="hi")))
    seen: list[str] = []
    edge = memory.edge

    def watching_edge(request: Any) -> Any:
        seen.append(text(memory, "#alloy-prehiding"))
        return edge(request)

    memory.edge = watching_edge
    await send_and_settle(memory, {"renderDecisions": True}, prehidingStyle="#hero { opacity: 0 }")
    assert seen[0] == '<style id="alloy-prehiding">#hero { opacity: 0 }</style>'
    assert memory.query_all("#alloy-prehiding") == []


async def test_missing_selector_times_out_and_is_reported_as_alloy_does() -> None:
    memory = page_with(
        proposition("p1", action("i1", type="setHtml", selector="#nowhere", content="x")),
        proposition("p2", action("i2", type="setText", selector="#hero p", content="found")),
    )
    result = await send_and_settle(memory, {"renderDecisions": True})
    assert memory.sleeps == [5000]
    assert text(memory, "#hero p") == "<p>found</p>"
    assert [p["renderAttempted"] for p in result["propositions"]] == [True, True]
    display = body(memory.sent[1])["events"][0]["xdm"]["_experience"]["decisioning"]["propositions"]
    # alloy.js counts a render that failed as done: both are reported as displayed.
    assert [meta["id"] for meta in display] == ["p1", "p2"]


async def test_json_offers_are_returned_unrendered_and_ajo_elements_decorated() -> None:
    offer = {"id": "p-json", "scope": "hero-banner", "scopeDetails": {"decisionProvider": "TGT"},
             "items": [{"id": "j", "schema": "https://ns.adobe.com/personalization/json-content-item",
                        "data": {"content": {"a": 1}}}]}
    ajo = proposition("p-ajo", action("i1", type="setHtml", selector="#hero", content="<b>AJO</b>"), provider="AJO")
    memory = page_with(ajo, offer)
    result = await send_and_settle(
        memory, {"renderDecisions": True, "personalization": {"decisionScopes": ["hero-banner"]}}
    )
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [("p-ajo", True), ("p-json", False)]
    assert [d["id"] for d in result["decisions"]] == ["p-json"]
    assert memory.query_all("#hero")[0]["data-aep-interact-id"] == "1"


async def test_send_display_event_false_folds_the_display_into_the_next_event() -> None:
    memory = page_with(proposition("p1", action("i1", type="setHtml", selector="#hero", content="top")))

    alloy = await configured(memory)
    await alloy("sendEvent", {"renderDecisions": True, "personalization": {"sendDisplayEvent": False}})
    await alloy("sendEvent", {"xdm": {"eventType": "bottom"}, "personalization": {"includeRenderedPropositions": True}})
    assert len(memory.sent) == 2
    bottom = body(memory.sent[1])["events"][0]["xdm"]
    assert bottom["eventType"] == "bottom"
    assert bottom["_experience"]["decisioning"]["propositions"][0]["id"] == "p1"
    assert bottom["_experience"]["decisioning"]["propositionEventType"] == {"display": 1}


async def test_spa_view_is_rendered_from_the_cache_on_view_change() -> None:
    view = {"id": "pv", "scope": "cart",
            "scopeDetails": {"decisionProvider": "TGT", "characteristics": {"scopeType": "view"}},
            "items": [action("iv", type="setHtml", selector="#hero", content="<p>cart offer</p>")]}
    memory = page_with(view)

    alloy = await configured(memory)
    await alloy("sendEvent", {"renderDecisions": True})
    cart = {"web": {"webPageDetails": {"viewName": "cart"}}}
    result = await alloy("sendEvent", {"renderDecisions": True, "xdm": cart})
    # alloy splits an absent attribute into [""], hence the leading comma.
    assert text(memory, "#hero") == '<div data-adobe-proposition-ids=",iv" id="hero"><p>cart offer</p></div>'
    assert result["propositions"][0]["renderAttempted"] is True
    second = body(memory.sent[1])
    assert "query" not in second["events"][0]  # served from the cache
    assert second["events"][0]["xdm"]["_experience"]["decisioning"]["propositions"][0]["id"] == "pv"


async def test_head_offers_keep_what_the_browser_parses_as_script_link_style() -> None:
    """Content aimed at <head> keeps its SCRIPT, LINK and STYLE elements as the browser parses them:
    a tag inside an attribute's text is no element, and thousands of unclosed tags are read once."""
    content = ('<style>.x{color:red}</style><p>dropped</p><div title="<script>alert(1)</script>">t</div>'
               '<link rel="stylesheet" href="/x.css">' + "<script" * 8000)
    memory = page_with(proposition("p1", action("i1", type="setHtml", selector="HEAD", content=content)))
    await send_and_settle(memory, {"renderDecisions": True})
    head = text(memory, "head")
    assert '<style>.x{color:red}</style><link href="/x.css" rel="stylesheet"/>' in head
    assert "alert(1)" not in head and "dropped" not in head
