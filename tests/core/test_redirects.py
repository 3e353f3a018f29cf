"""Redirect offers, and the prehiding style when consent is out or declined (in-memory page)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser, StoredCookie

from .conftest import IDENTITY_COOKIE, IDENTITY_COOKIE_VALUE, IDENTITY_HANDLES, body, configured, edge_body, settle
from .test_consent import ADOBE_OUT, CONSENT_COOKIE, consent_edge
from .test_rendering import PAGE, action, proposition, text

REDIRECT_ITEM = "https://ns.adobe.com/personalization/redirect-item"
LANDING = "https://www.shop.example.com/landing?from=offer"
PREHIDING = "#hero { opacity: 0 }"
HIDDEN_BODY = "<style>BODY { visibility: hidden }</style>"


def redirect(pid: str = "p-redirect", url: Any = LANDING) -> dict[str, Any]:
    return proposition(pid, {"id": "r1", "schema": REDIRECT_ITEM, "data": {"content": url}})


def edge_with(*propositions: dict[str, Any], fail_collect: bool = False) -> Any:
    def answer(request: HttpRequest) -> HttpResponse:
        if fail_collect and "/v1/interact" not in request.url:
            raise OSError("Failed to fetch")
        decisions = {"type": "personalization:decisions", "payload": list(propositions)}
        return HttpResponse(200, edge_body(*IDENTITY_HANDLES, decisions))

    return answer


def page(*propositions: dict[str, Any], **kw: Any) -> MemoryBrowser:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = edge_with(*propositions, **kw)
    return memory


def styles(memory: MemoryBrowser) -> list[str]:
    return [str(node) for node in memory.query_all("head style")]


async def test_a_redirect_hides_the_page_reports_the_display_by_beacon_then_replaces_the_location() -> None:
    memory = page(redirect())
    seen_at_beacon: list[tuple[list[str], list[str]]] = []
    send_beacon = memory.send_beacon

    def watching_beacon(request: Any) -> bool:
        seen_at_beacon.append((styles(memory), list(memory.location_replacements)))
        return send_beacon(request)

    memory.send_beacon = watching_beacon  # type: ignore[method-assign]
    alloy = await configured(memory, prehidingStyle=PREHIDING)
    result = await alloy("sendEvent", {"renderDecisions": True, "xdm": {"identityMap": {"CRM": [{"id": "u1"}]}}})
    await settle()
    [(hidden, replaced_before)] = seen_at_beacon
    assert hidden == [f'<style id="alloy-prehiding">{PREHIDING}</style>', HIDDEN_BODY]
    assert replaced_before == []  # the display leaves first
    assert memory.location_replacements == [LANDING]
    interact, display = memory.sent
    assert (interact.transport, display.transport) == ("fetch", "beacon")
    assert "/ee/or2/v1/collect?configId=" in display.url
    xdm = body(display)["events"][0]["xdm"]
    assert xdm["eventType"] == "decisioning.propositionDisplay"
    assert xdm["identityMap"] == {"CRM": [{"id": "u1"}]}
    assert xdm["_experience"]["decisioning"] == {
        "propositions": [{"id": "p-redirect", "scope": "__view__",
                          "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "p-redirect"}}}],
        "propositionEventType": {"display": 1},
    }
    # The command resolves (alloy.js's too): the redirect rendered, nothing else to report.
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [("p-redirect", True)]
    assert result["decisions"] == []
    # The page stays hidden while it leaves: alloy.js keeps both styles for a lone redirect.
    assert styles(memory) == [f'<style id="alloy-prehiding">{PREHIDING}</style>', HIDDEN_BODY]


async def test_a_redirect_is_the_only_thing_rendered_the_rest_comes_back_unrendered() -> None:
    before = proposition("p-before", action("i1", type="setHtml", selector="#hero", content="<b>offer</b>"))
    after = proposition("p-after", action("i2", type="setText", selector=".promo", content="later"))
    scoped = proposition("p-scoped", {"id": "j", "schema": "https://ns.adobe.com/personalization/json-content-item",
                                      "data": {"content": {}}}, scope="hero-banner")
    memory = page(before, redirect(), after, scoped)
    alloy = await configured(memory, prehidingStyle=PREHIDING)
    result = await alloy("sendEvent", {"renderDecisions": True, "personalization": {"decisionScopes": ["hero-banner"]}})
    await settle()
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [
        ("p-redirect", True), ("p-before", False), ("p-after", False), ("p-scoped", False)]
    assert [d["id"] for d in result["decisions"]] == ["p-before", "p-after", "p-scoped"]
    assert text(memory, "#hero") == '<div id="hero"><p>Default hero</p></div>'  # not rendered
    assert text(memory, ".promo") == '<p class="promo">promo</p>'
    assert memory.location_replacements == [LANDING]
    # More than one page proposition: the containers are shown (alloy.js), the body stays hidden.
    assert styles(memory) == [HIDDEN_BODY]
    [_, display] = memory.sent  # only the redirect's display: the rest was never rendered
    assert [p["id"] for p in body(display)["events"][0]["xdm"]["_experience"]["decisioning"]["propositions"]] == [
        "p-redirect"]


async def test_a_failed_display_notification_shows_the_page_again_and_does_not_leave() -> None:
    memory = page(redirect(), fail_collect=True)
    memory.beacons_accepted = False  # the beacon is refused, its fetch fallback fails
    alloy = await configured(memory, prehidingStyle=PREHIDING)
    result = await alloy("sendEvent", {"renderDecisions": True})
    await settle()
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [("p-redirect", True)]
    assert memory.location_replacements == []
    assert styles(memory) == []  # body and containers shown again (the display event failed: as alloy.js)
    assert len(memory.sent) == 2  # the interact, and the display's failed fetch


async def test_a_redirect_display_is_sent_even_with_send_display_event_false_and_held_displays_never_come() -> None:
    memory = page(redirect())
    alloy = await configured(memory)
    await alloy("sendEvent", {"renderDecisions": True, "personalization": {"sendDisplayEvent": False}})
    bottom = asyncio.ensure_future(
        alloy("sendEvent", {"xdm": {"eventType": "bottom"}, "personalization": {"includeRenderedPropositions": True}}))
    await settle()
    assert memory.location_replacements == [LANDING]
    assert [s.transport for s in memory.sent] == ["fetch", "beacon"]
    # alloy.js: the redirect's render never settles, so an event waiting for it never goes out.
    assert not bottom.done()
    bottom.cancel()


async def test_invalid_redirect_data_is_returned_unrendered_and_the_page_shown() -> None:
    memory = page(redirect(url=""))
    alloy = await configured(memory, prehidingStyle=PREHIDING, debugEnabled=True)
    result = await alloy("sendEvent", {"renderDecisions": True})
    await settle()
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [("p-redirect", False)]
    assert memory.location_replacements == []
    assert any(level == "warn" and "Invalid Redirect data" in args for level, args in memory.logs)
    assert styles(memory) == []  # alloy.js would keep the prehiding style (README, What differs)
    assert len(memory.sent) == 1


async def test_a_redirect_without_render_decisions_is_only_returned() -> None:
    memory = page(redirect())
    alloy = await configured(memory)
    result = await alloy("sendEvent", {})
    await settle()
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [("p-redirect", False)]
    assert memory.location_replacements == [] and styles(memory) == []


# -- prehiding and consent ----------------------------------------------------------
SNIPPET_PAGE = PAGE.replace("<head></head>", f'<head><style id="alloy-prehiding">{PREHIDING}</style></head>')


async def test_a_consent_cookie_that_says_out_shows_the_page_at_configure() -> None:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=SNIPPET_PAGE)
    memory.cookies[IDENTITY_COOKIE] = StoredCookie(IDENTITY_COOKIE_VALUE, None, None)
    memory.cookies[CONSENT_COOKIE] = StoredCookie("general=out", None, None)
    alloy = await configured(memory, prehidingStyle=PREHIDING)
    assert styles(memory) == []
    assert await alloy("sendEvent", {"renderDecisions": True}) == {}
    await settle()
    assert styles(memory) == [] and memory.sent == []  # not hidden again, nothing sent


async def test_pending_consent_then_declined_shows_the_page() -> None:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=SNIPPET_PAGE)
    memory.edge = consent_edge
    alloy = await configured(memory, prehidingStyle=PREHIDING, defaultConsent="pending")
    held = asyncio.ensure_future(alloy("sendEvent", {"renderDecisions": True}))
    await settle()
    assert styles(memory) == [f'<style id="alloy-prehiding">{PREHIDING}</style>']  # waiting for the choice
    await alloy("setConsent", {"consent": [ADOBE_OUT]})
    assert await held == {}
    await settle()
    assert styles(memory) == []
    assert [json.loads(s.body).get("consent") for s in memory.sent] == [[ADOBE_OUT]]


async def test_default_consent_out_leaves_no_prehiding_style() -> None:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=SNIPPET_PAGE)
    alloy = await configured(memory, prehidingStyle=PREHIDING, defaultConsent="out")
    assert await alloy("sendEvent", {"renderDecisions": True}) == {}
    await settle()
    assert styles(memory) == [] and memory.sent == []


async def test_consent_declined_after_an_earlier_opt_in_still_shows_the_page() -> None:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = consent_edge
    alloy = await configured(memory, prehidingStyle=PREHIDING, defaultConsent="pending")
    await alloy("setConsent", {"consent": [{**ADOBE_OUT, "value": {"general": "in"}}]})
    memory.edge = consent_edge  # the next choice: out, while an event that renders waits for it
    choice = asyncio.ensure_future(alloy("setConsent", {"consent": [ADOBE_OUT]}))
    held = asyncio.ensure_future(alloy("sendEvent", {"renderDecisions": True}))
    await asyncio.sleep(0)
    assert await choice == {} and await held == {}
    await settle()
    assert styles(memory) == []  # alloy.js leaves it: it only watches the first choice


async def test_a_url_the_browser_refuses_shows_the_page_again() -> None:
    memory = page(redirect(url="https://[bad"))

    def refuse(url: str) -> None:
        raise ValueError(f"Failed to execute 'replace' on 'Location': '{url}' is not a valid URL.")

    memory.replace_location = refuse  # type: ignore[method-assign]
    alloy = await configured(memory, prehidingStyle=PREHIDING)
    result = await alloy("sendEvent", {"renderDecisions": True})
    await settle()
    assert result["propositions"][0]["renderAttempted"] is True
    assert [s.transport for s in memory.sent] == ["fetch", "beacon"]  # the display went out first
    assert styles(memory) == []
