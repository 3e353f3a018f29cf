"""Clicks on rendered content: ``decisioning.propositionInteract`` (in-memory DOM)."""

from __future__ import annotations

from typing import Any

from alloy_py.browser.memory import MemoryBrowser
from alloy_py.instance import PageInstances

from .conftest import ORG_ID, body, configured, identity_edge, settle

PAGE = """<!doctype html><html><head></head><body>
<div id="hero"><p>Default hero</p></div>
<div id="promo"><a id="cta" href="/sale">Sale</a></div>
<button id="buy" type="submit">Buy</button>
<span id="plain">plain</span>
<ul id="list"><li>one</li><li>two</li></ul>
</body></html>"""
DOM_ACTION = "https://ns.adobe.com/personalization/dom-action"
INTERACT = "decisioning.propositionInteract"


def proposition(pid: str, *items: dict[str, Any], scope: str = "__view__", provider: str = "AJO",
                view: bool = False) -> dict[str, Any]:
    details: dict[str, Any] = {"decisionProvider": provider, "activity": {"id": pid}}
    if view:
        details["characteristics"] = {"scopeType": "view"}
    return {"id": pid, "scope": scope, "scopeDetails": details, "items": list(items)}


def action(item_id: str, label: str | None = None, **data: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "schema": DOM_ACTION, "data": data}
    if label:
        item["characteristics"] = {"trackingLabel": label}
    return item


async def rendered(*propositions: dict[str, Any], **config: Any) -> MemoryBrowser:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = identity_edge({"type": "personalization:decisions", "payload": list(propositions)})
    alloy = await configured(memory, **config)
    await alloy("sendEvent", {"renderDecisions": True})
    await settle()
    return memory


async def click(memory: MemoryBrowser, selector: str) -> dict[str, Any] | None:
    """The event the click sent, or ``None``."""
    before = len(memory.sent)
    memory.click(selector)
    await settle()
    if len(memory.sent) == before:
        return None
    request = memory.sent[-1]
    assert request.transport == "beacon"  # the click may leave the page
    event: dict[str, Any] = body(request)["events"][0]
    return event


def decisioning(event: dict[str, Any] | None) -> dict[str, Any]:
    assert event is not None
    result: dict[str, Any] = event["xdm"]["_experience"]["decisioning"]
    return result


async def test_click_in_ajo_content_is_an_interaction_merged_into_the_link_click() -> None:
    memory = await rendered(
        proposition("p1", action("i1", "hero-label", type="setHtml", selector="#hero", content="<a href='/x'>Go</a>"))
    )
    event = await click(memory, "#hero a")
    assert event is not None
    xdm = event["xdm"]
    assert xdm["eventType"] == INTERACT
    assert xdm["web"]["webInteraction"]["name"] == "Go"  # the link click's own data stays
    assert decisioning(event) == {
        "propositions": [{"id": "p1", "scope": "__view__",
                          "scopeDetails": {"decisionProvider": "AJO", "activity": {"id": "p1"}},
                          "items": [{"id": "i1"}]}],
        "propositionEventType": {"interact": 1},
        "propositionAction": {"label": "hero-label"},
    }


async def test_interactions_are_sent_with_click_collection_off_and_plain_clicks_are_not() -> None:
    memory = await rendered(
        proposition("p1", action("i1", type="setHtml", selector="#hero", content="<span>text</span>")),
        clickCollectionEnabled=False,
    )
    event = await click(memory, "#hero span")
    assert event is not None
    assert event["xdm"]["eventType"] == INTERACT
    assert "webInteraction" not in event["xdm"].get("web", {})
    assert "propositionAction" not in decisioning(event)
    assert await click(memory, "#plain") is None


async def test_target_content_is_not_tracked_by_default_and_decorated_only_when_asked() -> None:
    target = proposition("t1", action("i1", type="setHtml", selector="#hero", content="<span>t</span>"),
                         provider="TGT")
    memory = await rendered(target, clickCollectionEnabled=False)
    assert memory.query_all("#hero")[0].get("data-aep-interact-id") is None
    assert await click(memory, "#hero span") is None

    only_decorated = {"autoCollectPropositionInteractions": {"TGT": "decoratedElementsOnly"}}
    memory = await rendered(target, clickCollectionEnabled=False, **only_decorated)
    assert await click(memory, "#hero span") is None  # no label or token on the way up
    labelled = proposition(
        "t1", action("i1", type="setHtml", selector="#hero",
                     content="<span data-aep-click-label='banner' data-aep-click-token='tok-1'>t</span>"),
        provider="TGT",
    )
    memory = await rendered(labelled, clickCollectionEnabled=False, **only_decorated)
    assert decisioning(await click(memory, "#hero span"))["propositionAction"] == {
        "label": "banner", "tokens": ["tok-1"]
    }


async def test_target_click_metric_reports_its_goal_with_label_and_view() -> None:
    metric = proposition("t-click", {"id": "m1", "schema": DOM_ACTION, "characteristics": {"trackingLabel": "buy"},
                                     "data": {"type": "click", "selector": "#buy"}}, provider="TGT")
    memory = await rendered(metric, clickCollectionEnabled=False)
    displays = [body(r)["events"][0]["xdm"] for r in memory.sent[1:]]
    assert displays == []  # a click metric is never reported as displayed
    event = await click(memory, "#buy")
    assert event is not None
    assert event["xdm"]["eventType"] == INTERACT
    assert decisioning(event) == {
        "propositions": [{"id": "t-click", "scope": "__view__",
                          "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "t-click"}}}],
        "propositionEventType": {"interact": 1},
        "propositionAction": {"label": "buy"},
    }
    assert await click(memory, "#plain") is None


async def test_click_metric_with_eq_selector_and_view_scope() -> None:
    view_metric = proposition("tv", {"id": "m1", "schema": DOM_ACTION,
                                     "data": {"type": "click", "selector": "#list li:eq(1)"}},
                              scope="cart", provider="TGT", view=True)
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = identity_edge({"type": "personalization:decisions", "payload": [view_metric]})
    alloy = await configured(memory, clickCollectionEnabled=False)
    await alloy("sendEvent", {"renderDecisions": True})
    await alloy("sendEvent", {"renderDecisions": True, "xdm": {"web": {"webPageDetails": {"viewName": "cart"}}}})
    await settle()
    assert await click(memory, "#list li") is None  # the first li is not :eq(1)
    memory.click("#list li:nth-child(2)")
    await settle()
    event = body(memory.sent[-1])["events"][0]
    assert event["xdm"]["web"]["webPageDetails"]["viewName"] == "cart"
    assert decisioning(event)["propositions"][0]["id"] == "tv"


async def test_spa_view_content_names_its_view_and_items_of_one_element_merge() -> None:
    view = proposition(
        "pv",
        action("a", type="setAttribute", selector="#promo", content={"data-x": "1"}),
        action("b", type="setStyle", selector="#promo", content={"color": "red"}),
        scope="cart", view=True,
    )
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = identity_edge({"type": "personalization:decisions", "payload": [view]})
    alloy = await configured(memory, clickCollectionEnabled=False)
    await alloy("sendEvent", {"renderDecisions": True})
    await alloy("sendEvent", {"renderDecisions": True, "xdm": {"web": {"webPageDetails": {"viewName": "cart"}}}})
    await settle()
    event = await click(memory, "#cta")
    assert event is not None
    assert event["xdm"]["web"]["webPageDetails"]["viewName"] == "cart"
    [reported] = decisioning(event)["propositions"]
    assert reported["items"] == [{"id": "a"}, {"id": "b"}]


async def test_two_instances_never_share_an_interact_id() -> None:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = identity_edge({"type": "personalization:decisions", "payload": [
        proposition("p1", action("i1", type="setText", selector="#hero", content="one")),
    ]})
    page = PageInstances.of(memory)
    first, second = page.instance("alloy"), page.instance("second")
    for instance, org in ((first, ORG_ID), (second, "0123456789ABCDEF01234567@AdobeOrg")):
        await instance("configure", {"datastreamId": org, "orgId": org, "clickCollectionEnabled": False})
    await first("sendEvent", {"renderDecisions": True})
    memory.edge = identity_edge({"type": "personalization:decisions", "payload": [
        proposition("p2", action("i2", type="setText", selector="#plain", content="two")),
    ]})
    await second("sendEvent", {"renderDecisions": True})
    await settle()
    ids = [memory.query_all(s)[0]["data-aep-interact-id"] for s in ("#hero", "#plain")]
    assert ids[0] != ids[1]
    before = len(memory.sent)
    memory.click("#plain")
    await settle()
    reported = [decisioning(body(r)["events"][0])["propositions"][0]["id"] for r in memory.sent[before:]]
    assert reported == ["p2"]  # only the instance that rendered it reports it
