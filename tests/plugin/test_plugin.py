"""The plugin without a browser: its entry point, and the helpers over requests sent by hand."""
from __future__ import annotations

import importlib
import json
import time
import tomllib
import urllib.request
from typing import Any

import pytest
from alloy_py_dev.emulator import DEMO_DATASTREAM_ID
from alloy_py_dev.pytest_plugin import EDGE_DOMAINS, Edge, _parse_set_cookie, edge_url_patterns
from alloy_py_dev.repo import ROOT

OFFER = {"id": "my-offer", "scope": "sale-banner",
         "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "a1"}},
         "items": [{"id": "i1", "schema": "https://ns.adobe.com/personalization/json-content-item",
                    "data": {"content": {"sale": True}}}]}


def send(edge: Edge, events: list[dict[str, Any]], action: str = "interact") -> dict[str, Any] | None:
    """POST ``events`` to the emulator as alloy would (text/plain JSON); its JSON answer."""
    request = urllib.request.Request(
        f"{edge.url}/ee/v1/{action}?configId={DEMO_DATASTREAM_ID}&requestId=r{len(edge.requests)}",
        data=json.dumps({"events": events}).encode(), method="POST",
        headers={"Content-Type": "text/plain; charset=UTF-8"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def test_the_pytest11_entry_point_names_the_plugin() -> None:
    project = tomllib.loads((ROOT / "dev" / "pyproject.toml").read_text())
    module = project["project"]["entry-points"]["pytest11"]["alloy_py"]
    assert module == "alloy_py_dev.pytest_plugin"
    plugin = importlib.import_module(module)
    assert {"edge", "edge_page", "edge_domains"} <= set(vars(plugin))


def test_the_default_routes_are_the_real_edge_domains() -> None:
    assert edge_url_patterns(EDGE_DOMAINS) == ["https://edge.adobedc.net/ee/**", "https://*.demdex.net/ee/**"]
    assert edge_url_patterns(["metrics.example.com", "https://x.example.com/edge/**"]) == [
        "https://metrics.example.com/ee/**", "https://x.example.com/edge/**"]


def test_events_ecids_and_decisions_of_requests_sent_directly(edge: Edge) -> None:
    assert edge.events() == [] and edge.ecids() == [] and edge.decisions() == []
    answer = send(edge, [
        {"xdm": {"eventType": "web.webpagedetails.pageViews",
                 "identityMap": {"email": [{"id": "a@example.com"}]}},
         "data": {"page": 1}, "query": {"personalization": {"decisionScopes": ["hero-banner"]}}},
        {"xdm": {"eventType": "commerce.productViews"},
         "query": {"personalization": {"decisionScopes": ["nothing-here"]}}},
    ])
    assert answer is not None
    view = edge.wait_for_event("web.webpagedetails.pageViews", timeout=1)
    assert view.index == 0 and view.data == {"page": 1} and view.request["action"] == "interact"
    assert view.identity_map == {"email": [{"id": "a@example.com"}]}
    assert [p["id"] for p in view.decisions] == ["emu-hero-banner-offer"]
    [product] = edge.events("commerce.productViews")
    assert product.index == 1 and product.decisions == [] and product.identity_map == {}
    assert edge.ecids() == [view.ecid] == [product.ecid]
    # What the page got is what the helpers report.
    handles = [h for h in answer["handle"] if h["type"] == "personalization:decisions"]
    assert [h["eventIndex"] for h in handles] == [0, 1] and handles[1]["payload"] == []
    assert edge.decisions() == handles[0]["payload"]


def test_set_decisions_changes_the_answers(edge: Edge) -> None:
    edge.set_decisions([OFFER])
    OFFER["id"] = "changed after"  # a copy was taken
    try:
        send(edge, [{"xdm": {"eventType": "web.webpagedetails.pageViews"},
                     "query": {"personalization": {"decisionScopes": ["sale-banner", "hero-banner"]}}}])
    finally:
        OFFER["id"] = "my-offer"
    assert [p["id"] for p in edge.decisions()] == ["my-offer"]
    edge.set_decisions([])
    send(edge, [{"xdm": {"eventType": "web.webpagedetails.pageViews"},
                 "query": {"personalization": {"decisionScopes": ["sale-banner"]}}}])
    assert [p["id"] for p in edge.decisions()] == ["my-offer"]  # the second page view got none
    with pytest.raises(ValueError, match="needs a non-empty string 'scope'"):
        edge.set_decisions([{"id": "x"}])


def test_waits_time_out_saying_what_arrived(edge: Edge) -> None:
    send(edge, [{"xdm": {"eventType": "commerce.productViews"}}], action="collect")
    assert edge.wait_for(1, action="collect", timeout=1)[0]["status"] == 204
    with pytest.raises(TimeoutError, match=r"0/1 events of type 'web.webpagedetails.pageViews' after 0.2s; "
                                           r"the Edge received \['commerce.productViews'\]"):
        edge.wait_for_event("web.webpagedetails.pageViews", timeout=0.2)
    assert edge.wait_for_event(timeout=0).type == "commerce.productViews"
    with pytest.raises(ValueError, match="count must be at least 1"):
        edge.wait_for_event(count=0)
    edge.clear()
    assert edge.events() == []


class FakeContext:
    """What :meth:`Edge._store_cookies` asks of a Playwright context."""

    def __init__(self) -> None:
        self.added: list[dict[str, Any]] = []
        self.cleared: list[dict[str, Any]] = []

    def add_cookies(self, cookies: list[dict[str, Any]]) -> None:
        self.added += cookies

    def clear_cookies(self, **filters: Any) -> None:
        self.cleared.append(filters)


def test_set_cookie_lands_on_the_edge_domain() -> None:
    context = FakeContext()
    cookies = [_parse_set_cookie(h) for h in (
        "kndctr_X_identity=CiY=; Path=/; Max-Age=100; SameSite=Lax",
        "dpm=1; Domain=.demdex.net; Path=/x; Expires=Wed, 01 Jan 2200 00:00:00 GMT; HttpOnly; SameSite=None",
        "gone=; Path=/; Max-Age=0",
        "session=1")]
    Edge._store_cookies(context, "edge.adobedc.net", cookies)  # type: ignore[arg-type]
    identity, dpm, session = context.added
    assert identity["name"] == "kndctr_X_identity" and identity["value"] == "CiY="
    assert identity["domain"] == "edge.adobedc.net" and identity["path"] == "/"
    assert identity["sameSite"] == "Lax" and identity["secure"] and 99 < identity["expires"] - time.time() <= 100
    assert dpm["domain"] == ".demdex.net" and dpm["path"] == "/x" and dpm["httpOnly"]
    assert dpm["sameSite"] == "None" and dpm["expires"] == 7258118400
    assert "expires" not in session and "sameSite" not in session
    assert context.cleared == [{"name": "gone", "domain": "edge.adobedc.net", "path": "/"}]
