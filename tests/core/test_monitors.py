"""Monitors (``window.__alloyMonitors``): alloy's hooks, in alloy's order, with alloy's payloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.errors import AlloyError, NetworkError

from .conftest import DATASTREAM_ID, ORG_ID, configured, identity_edge, make_alloy, settle
from .test_rendering import action, page_with, proposition

HOOKS = (
    "onInstanceCreated", "onInstanceConfigured", "onBeforeCommand", "onCommandResolved", "onCommandRejected",
    "onBeforeNetworkRequest", "onNetworkResponse", "onNetworkError", "onContentHiding", "onContentRendering",
    "onBeforeLog",
)

Calls = list[tuple[str, dict[str, Any]]]


def recorder(calls: Calls) -> dict[str, Callable[[dict[str, Any]], None]]:
    """A monitor with every hook, recording ``(hook, data)``."""

    def hook(name: str) -> Callable[[dict[str, Any]], None]:
        return lambda data: calls.append((name, data))

    return {name: hook(name) for name in HOOKS}


def watched(memory: MemoryBrowser) -> Calls:
    calls: Calls = []
    memory.monitors.append(recorder(calls))
    return calls


def hooks(calls: Calls) -> list[str]:
    return [name for name, _ in calls if name != "onBeforeLog"]


def of(calls: Calls, name: str) -> list[dict[str, Any]]:
    return [data for hook, data in calls if hook == name]


async def test_configure_and_send_event_notify_in_alloys_order(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()
    calls = watched(memory)
    alloy = await configured(memory)
    await alloy("sendEvent", {"xdm": {"eventType": "test"}})
    assert hooks(calls) == [
        "onInstanceCreated",
        "onBeforeCommand", "onInstanceConfigured", "onCommandResolved",
        "onBeforeCommand", "onBeforeNetworkRequest", "onNetworkResponse",
        "onContentRendering",  # no-offers: the first event asks for the page's decisions
        "onCommandResolved",
    ]
    assert of(calls, "onContentRendering")[0]["status"] == "no-offers"
    created = of(calls, "onInstanceCreated")[0]
    assert created["instanceName"] == "alloy" and created["instance"] is alloy and "componentName" not in created
    configure, send = of(calls, "onBeforeCommand")
    assert configure["commandName"] == "configure" and configure["options"]["orgId"] == ORG_ID
    assert send == {"instanceName": "alloy", "commandName": "sendEvent", "options": {"xdm": {"eventType": "test"}}}
    configured_data = of(calls, "onInstanceConfigured")[0]
    assert configured_data["config"]["datastreamId"] == DATASTREAM_ID
    assert callable(configured_data["getLinkDetails"])
    resolved = of(calls, "onCommandResolved")
    assert [r["commandName"] for r in resolved] == ["configure", "sendEvent"]
    assert resolved[0]["result"] == {} and "propositions" in resolved[1]["result"]


async def test_network_hooks_carry_the_request_and_the_response(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()
    calls = watched(memory)
    alloy = await configured(memory)
    await alloy("sendEvent", {})
    before = of(calls, "onBeforeNetworkRequest")[0]
    response = of(calls, "onNetworkResponse")[0]
    assert before["url"] == memory.sent[0].url and before["requestId"] in before["url"]
    assert before["payload"]["events"][0]["query"]["personalization"]["decisionScopes"] == ["__view__"]
    assert response["requestId"] == before["requestId"] and response["url"] == before["url"]
    assert response["payload"] == before["payload"]
    assert (response["statusCode"], response["retriesAttempted"]) == (200, 0)
    assert response["parsedBody"]["requestId"] == "test" and isinstance(response["body"], str)
    assert response["getHeader"]("X-Adobe-Edge") == "OR2;9" and response["getHeader"]("missing") is None


async def test_a_network_error_and_a_rejected_command(memory: MemoryBrowser) -> None:
    def down(request: HttpRequest) -> HttpResponse:
        raise NetworkError("Failed to fetch")

    memory.edge = down
    calls = watched(memory)
    alloy = await configured(memory)
    with pytest.raises(AlloyError):
        await alloy("sendEvent", {})
    error = of(calls, "onNetworkError")[0]
    assert str(error["error"]) == "Failed to fetch" and error["requestId"] in error["url"]
    rejected = of(calls, "onCommandRejected")[0]
    assert rejected["commandName"] == "sendEvent" and rejected["error"].message.startswith("[alloy] ")
    assert hooks(calls)[-3:] == ["onBeforeNetworkRequest", "onNetworkError", "onCommandRejected"]


async def test_a_command_before_configure_is_rejected_without_on_before_command(memory: MemoryBrowser) -> None:
    calls = watched(memory)
    alloy = make_alloy(memory)
    with pytest.raises(AlloyError):
        await alloy("sendEvent", {})
    assert hooks(calls) == ["onInstanceCreated", "onCommandRejected"]
    assert "must be configured first" in of(calls, "onCommandRejected")[0]["error"].message


async def test_on_before_log_fires_with_debugging_off_and_nothing_is_printed(memory: MemoryBrowser) -> None:
    calls = watched(memory)
    await configured(memory)
    logs = of(calls, "onBeforeLog")
    assert [log["arguments"][0] for log in logs][:3] == [
        "Instance initialized.", "Executing configure command. Options:", "Instance configured. Computed configuration:"
    ]
    assert {log["level"] for log in logs} == {"info"} and memory.logs == []


async def test_component_logs_carry_the_component_name(memory: MemoryBrowser) -> None:
    calls = watched(memory)
    alloy = await configured(memory, clickCollectionEnabled=False, downloadLinkQualifier="\\.zip$")
    await alloy("sendEvent", {})
    warning = next(log for log in of(calls, "onBeforeLog") if log["level"] == "warn")
    assert warning["componentName"] == "ActivityCollector" and warning["instanceName"] == "alloy"


async def test_get_link_details_reads_the_live_page() -> None:
    memory = MemoryBrowser(
        url="https://www.shop.example.com/index.html",
        html='<html><head></head><body><nav id="menu"><a href="/shoes">Trail shoes</a></nav>'
        '<span id="plain">text</span></body></html>',
    )
    calls = watched(memory)
    await configured(memory)
    details = of(calls, "onInstanceConfigured")[0]["getLinkDetails"]
    assert details(memory.query_all("nav a")[0]) == {
        "pageName": "https://www.shop.example.com/index.html", "linkName": "Trail shoes", "linkRegion": "menu",
        "linkType": "other", "linkUrl": "https://www.shop.example.com/shoes", "pageIDType": 0,
    }
    assert details(memory.query_all("#plain")[0]) == {} and details(None) == {}


async def test_content_hiding_and_rendering_in_order() -> None:
    memory = page_with(proposition("p1", action("i1", type="setHtml", selector="#hero", content="<b>New</b>")))
    calls = watched(memory)
    alloy = await configured(memory, prehidingStyle="#hero { opacity: 0 }")
    await alloy("sendEvent", {"renderDecisions": True})
    await settle()
    order = [(name, data.get("status")) for name, data in calls if name in ("onContentHiding", "onContentRendering")]
    assert order == [
        ("onContentHiding", "hide-containers"),
        ("onContentRendering", "rendering-started"),
        ("onContentHiding", "show-containers"),
        ("onContentRendering", "rendering-succeeded"),
    ]
    started, succeeded = of(calls, "onContentRendering")
    assert started["payload"]["scope"] == "__view__" and [p["id"] for p in started["payload"]["propositions"]] == ["p1"]
    assert succeeded["payload"]["__view__"][0]["id"] == "p1"
    assert succeeded["payload"]["__view__"][0]["items"][0]["id"] == "i1"
    assert started["componentName"] == "Personalization"
    messages = [log["arguments"][0] for log in of(calls, "onBeforeLog")]
    assert "Prehiding style applied to hide containers." in messages
    assert "Started rendering propositions for page-wide scope." in messages
    assert any(m.startswith('Action {"id":"i1"') and m.endswith(" executed.") for m in messages)


async def test_no_offers_and_a_failed_render() -> None:
    memory = page_with()
    calls = watched(memory)
    alloy = await configured(memory)
    await alloy("sendEvent", {"renderDecisions": True})
    no_offers = of(calls, "onContentRendering")[0]
    assert no_offers["status"] == "no-offers" and "__view__" in no_offers["payload"]["query"]["decisionScopes"]

    memory = page_with(proposition("p2", action("i2", type="setStyle", selector="#hero", content=None)))
    memory.edge = identity_edge({"type": "personalization:decisions", "payload": [
        proposition("p2", {"id": "i2", "schema": "https://ns.adobe.com/personalization/dom-action",
                           "data": {"type": "customCode", "selector": "#nowhere", "content": "<p>x</p>"}})]})
    calls = watched(memory)
    alloy = await configured(memory)
    await alloy("sendEvent", {"renderDecisions": True})
    memory.now += 6000
    await settle()
    failed = [d for d in of(calls, "onContentRendering") if d["status"] == "rendering-failed"]
    assert failed and failed[0]["payload"]["item"]["id"] == "i2"
    assert failed[0]["payload"]["propositionDetails"]["id"] == "p2"


async def test_a_throwing_monitor_breaks_nothing(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()

    def boom(data: dict[str, Any]) -> None:
        raise ValueError("monitor bug")

    memory.monitors.append({"onBeforeCommand": boom, "onBeforeLog": "not a function"})
    calls = watched(memory)
    alloy = await configured(memory)
    assert "propositions" in await alloy("sendEvent", {})
    assert hooks(calls).count("onBeforeCommand") == 2  # the next monitor is still called
    assert ("error", ("[alloy]", "A monitor's onBeforeCommand threw an error: monitor bug")) in memory.logs


async def test_monitors_added_later_are_read_at_each_notification(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()
    alloy = await configured(memory)
    calls = watched(memory)
    await alloy("sendEvent", {})
    assert hooks(calls) == [
        "onBeforeCommand", "onBeforeNetworkRequest", "onNetworkResponse", "onContentRendering", "onCommandResolved"
    ]


async def test_without_monitors_no_notification_is_built(memory: MemoryBrowser, monkeypatch: Any) -> None:
    memory.edge = identity_edge()
    notified: list[str] = []
    monkeypatch.setattr(memory, "notify_monitors", lambda hook, data: notified.append(hook) or [])
    alloy = await configured(memory)
    await alloy("sendEvent", {})
    assert notified == []


async def test_a_redirect_reports_rendering_redirect_before_leaving() -> None:
    from .test_redirects import LANDING, page, redirect

    memory = page(redirect())
    calls = watched(memory)
    replaced_when: list[int] = []
    replace = memory.replace_location

    def watching(url: str) -> None:
        replaced_when.append(len(calls))
        replace(url)

    memory.replace_location = watching  # type: ignore[method-assign]
    alloy = await configured(memory)
    await alloy("sendEvent", {"renderDecisions": True})
    await settle()
    statuses = [d["status"] for d in of(calls, "onContentRendering")]
    assert statuses == ["rendering-started", "rendering-redirect"]
    redirected = of(calls, "onContentRendering")[-1]
    assert redirected["payload"] == {"propositionDetails": {"id": "p-redirect", "scope": "__view__", "scopeDetails": {
        "decisionProvider": "TGT", "activity": {"id": "p-redirect"}}}, "redirect": LANDING}
    assert [h for h, _ in calls[replaced_when[0] - 2:replaced_when[0]]] == ["onContentRendering", "onBeforeLog"]
