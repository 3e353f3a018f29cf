"""setConsent, defaultConsent and the consent cookie."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from alloy_py import ValidationError
from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.components.consent import consent_hash

from .conftest import IDENTITY_HANDLES, body, configured, edge_body, settle

CONSENT_COOKIE = "kndctr_5BFE274A5F6980A50A495C08_AdobeOrg_consent"
ADOBE_IN = {"standard": "Adobe", "version": "1.0", "value": {"general": "in"}}
ADOBE_OUT = {"standard": "Adobe", "version": "1.0", "value": {"general": "out"}}


def consent_edge(request: HttpRequest) -> HttpResponse:
    """Answers set-consent with the consent cookie the choice implies, like the Edge."""
    handles: list[dict[str, Any]] = list(IDENTITY_HANDLES)
    if "/privacy/set-consent" in request.url:
        general = json.loads(request.body)["consent"][0]["value"]["general"]
        handles.append({"type": "state:store", "payload": [
            {"key": CONSENT_COOKIE, "value": f"general={general}", "maxAge": 15552000}]})
    return HttpResponse(200, edge_body(*handles))


async def test_pending_consent_holds_events_until_the_visitor_opts_in(memory: MemoryBrowser) -> None:
    memory.edge = consent_edge

    alloy = await configured(memory, defaultConsent="pending")
    event = asyncio.ensure_future(alloy("sendEvent", {"xdm": {"eventType": "held"}}))
    await settle()
    sent_before = len(memory.sent)
    consent = await alloy("setConsent", {"consent": [ADOBE_IN]})
    result = await event
    assert sent_before == 0
    assert consent == {}
    assert result == {"propositions": [], "decisions": []}
    first, second = memory.sent
    assert "/ee/v1/privacy/set-consent?configId=" in first.url
    assert list(body(first)) == ["consent", "query", "meta"]
    assert body(first)["consent"] == [ADOBE_IN]
    assert body(second)["events"][0]["xdm"]["eventType"] == "held"
    key = "com.adobe.alloy.5BFE274A5F6980A50A495C08_AdobeOrg.consentHashes.Adobe.1.0"
    assert memory.storage["local"][key] == consent_hash(ADOBE_IN)


async def test_opting_out_resolves_held_and_later_events_empty(memory: MemoryBrowser) -> None:
    memory.edge = consent_edge

    alloy = await configured(memory, defaultConsent="pending")
    held = asyncio.ensure_future(alloy("sendEvent", {}))
    await alloy("setConsent", {"consent": [ADOBE_OUT], "identityMap": {"CRM": [{"id": "u1"}]}})
    held, later = await held, await alloy("sendEvent", {})
    assert held == {} and later == {}
    [request] = memory.sent
    assert body(request)["identityMap"] == {"CRM": [{"id": "u1"}]}
    assert memory.cookies[CONSENT_COOKIE].value == "general=out"


async def test_opting_out_after_boot_purges_what_any_page_stored_for_the_org(memory: MemoryBrowser) -> None:
    from alloy_py.startup import STORE_PREFIX

    memory.edge = consent_edge
    ours = {"v": 1, "page": "p1", "state": "left", "savedAt": memory.now, "callbacks": [],
            "configure": {"orgId": "5BFE274A5F6980A50A495C08@AdobeOrg"}, "entries": [{"id": "e1"}]}
    other = {**ours, "configure": {"orgId": "OTHER@AdobeOrg"}}
    memory.storage["local"][f"{STORE_PREFIX}alloy.p1"] = json.dumps(ours)
    memory.storage["local"][f"{STORE_PREFIX}other.p2"] = json.dumps(other)
    alloy = await configured(memory, defaultConsent="pending")
    await alloy("setConsent", {"consent": [ADOBE_IN]})
    assert f"{STORE_PREFIX}alloy.p1" in memory.storage["local"]  # opting in keeps them
    await alloy("setConsent", {"consent": [ADOBE_OUT]})
    assert f"{STORE_PREFIX}alloy.p1" not in memory.storage["local"]
    assert f"{STORE_PREFIX}other.p2" in memory.storage["local"]  # another org's visitor record stays


async def test_same_consent_is_not_sent_twice(memory: MemoryBrowser) -> None:
    memory.edge = consent_edge

    alloy = await configured(memory)
    await alloy("setConsent", {"consent": [ADOBE_IN]})
    await alloy("setConsent", {"consent": [ADOBE_IN]})
    assert len([s for s in memory.sent if "set-consent" in s.url]) == 1


async def test_default_out_declines_without_sending(memory: MemoryBrowser) -> None:
    assert await (await configured(memory, defaultConsent="out"))("sendEvent", {}) == {}
    assert memory.sent == []


async def test_consent_option_is_required() -> None:
    memory = MemoryBrowser()

    alloy = await configured(memory)
    with pytest.raises(ValidationError) as caught:
        await alloy("setConsent", {})
    assert str(caught.value) == (
        "[alloy] Invalid setConsent command options:\n\t - Error: 'consent' is a required option "
        "For command documentation see: https://adobe.ly/3sHgQHb"
    )


def test_consent_hash_ignores_standard_and_version_and_key_order() -> None:
    a = {"standard": "Adobe", "version": "2.0", "value": {"collect": {"val": "y"}, "metadata": {"time": "t"}}}
    b = {"value": {"metadata": {"time": "t"}, "collect": {"val": "y"}}, "standard": "X", "version": "9"}
    assert consent_hash(a) == consent_hash(b)
    assert consent_hash(a) != consent_hash({"value": {"collect": {"val": "n"}}})
    assert len(consent_hash(a)) == 8


async def test_a_view_change_does_not_wait_for_a_fetch_refused_for_consent(memory: MemoryBrowser) -> None:
    """alloy.js's view cache waits for that fetch's answer, which never comes: the view change hangs."""
    memory.edge = consent_edge
    offer = {"id": "p", "scope": "s", "scopeDetails": {"decisionProvider": "TGT"},
             "items": [{"id": "i", "schema": "https://ns.adobe.com/personalization/default-content-item"}]}

    alloy = await configured(memory, defaultConsent="pending")
    fetching = asyncio.ensure_future(alloy("sendEvent", {"renderDecisions": True}))
    await settle()
    view_change = asyncio.ensure_future(alloy("applyPropositions", {"propositions": [offer], "viewName": "cart"}))
    await settle()
    assert not view_change.done()  # waits for the fetch on its way, as in alloy.js
    await alloy("setConsent", {"consent": [ADOBE_OUT]})
    assert await fetching == {}
    viewed = await asyncio.wait_for(view_change, 1)
    assert [p["id"] for p in viewed["propositions"]] == ["p"]  # the empty "cart" view is reported, not returned
