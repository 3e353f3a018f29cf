"""What sendEvent puts on the wire, and what it resolves to."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from alloy_py_dev.samples import ISSUE_EXAMPLE

from alloy_py import AlloyError, ComponentError
from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.edge.client import MAX_PAYLOAD_BYTES
from alloy_py.schemas import REQUESTED_SCHEMAS as SCHEMAS

from .conftest import (
    CLUSTER_COOKIE,
    DATASTREAM_ID,
    IDENTITY_COOKIE,
    IDENTITY_COOKIE_VALUE,
    body,
    configured,
    edge_body,
    identity_edge,
)


async def test_first_page_view_request(memory: MemoryBrowser) -> None:
    alloy = await configured(memory)
    result = await alloy("sendEvent", {"xdm": {"eventType": "web.webpagedetails.pageViews"}})
    assert result == {"propositions": [], "decisions": []}
    [sent] = memory.sent
    url = urlsplit(sent.url)
    # Chrome counts as third-party-cookie capable: the first request goes via demdex.
    assert (url.scheme, url.netloc, url.path) == ("https", "adobedc.demdex.net", "/ee/v1/interact")
    query = parse_qs(url.query)
    assert query["configId"] == [DATASTREAM_ID]
    assert len(query["requestId"][0]) == 36
    payload = body(sent)
    assert list(payload) == ["events", "query", "meta"]
    [event] = payload["events"]
    xdm = event["xdm"]
    assert list(xdm) == [
        "web", "device", "environment", "placeContext", "timestamp", "implementationDetails", "eventType",
    ]
    assert xdm["web"] == {
        "webPageDetails": {"URL": "https://www.shop.example.com/products/shoes?color=red"},
        "webReferrer": {"URL": "https://search.example.org/"},
    }
    assert xdm["device"] == {"screenHeight": 800, "screenWidth": 1280, "screenOrientation": "landscape"}
    assert xdm["environment"] == {"type": "browser", "browserDetails": {"viewportWidth": 1264, "viewportHeight": 700}}
    assert xdm["placeContext"] == {
        "localTimezoneOffset": 0, "localTime": "2025-11-24T16:00:00.000+00:00", "ianaTimezone": "UTC",
    }
    assert xdm["timestamp"] == "2025-11-24T16:00:00.000Z"
    assert xdm["implementationDetails"]["name"] == "alloy-py"
    assert event["query"] == {"personalization": {
        "schemas": SCHEMAS + ["https://ns.adobe.com/personalization/dom-action"],
        "decisionScopes": ["__view__"],
        "surfaces": ["web://www.shop.example.com/products/shoes"],
    }}
    assert payload["query"] == {"identity": {"fetch": ["ECID", "CORE"]}}
    assert payload["meta"] == {"queueTimeMillis": 0, "state": {"domain": "example.com", "cookiesEnabled": True}}


async def test_local_time_uses_the_page_timezone(memory: MemoryBrowser) -> None:
    memory.timezone_offset = -330  # India
    memory.iana_timezone = "Asia/Kolkata"

    await (await configured(memory))("sendEvent", {})
    place = body(memory.sent[0])["events"][0]["xdm"]["placeContext"]
    assert place == {
        "localTimezoneOffset": -330, "localTime": "2025-11-24T21:30:00.000+05:30", "ianaTimezone": "Asia/Kolkata",
    }


async def test_the_issue_example_call(memory: MemoryBrowser) -> None:
    options = copy.deepcopy(ISSUE_EXAMPLE)

    alloy = await configured(memory, thirdPartyCookiesEnabled=False)
    result = await alloy("sendEvent", options)
    assert options == ISSUE_EXAMPLE, "the caller's options were changed"
    assert result == {"propositions": [], "decisions": []}
    [sent] = memory.sent
    url = urlsplit(sent.url)
    assert url.netloc == "edge.adobedc.net"
    assert parse_qs(url.query)["configId"] == ["0dada9f4-fa94-4c9c-8aaf-fdbac6c56287"]
    payload = body(sent)
    [event] = payload["events"]
    assert event["xdm"]["eventType"] == "commerce.purchases"
    assert event["xdm"]["commerce"] == {"purchases": {"value": 1}}
    assert event["data"] == {"cart": {"total": 42}}
    assert event["query"]["personalization"]["decisionScopes"] == ["hero-banner", "__view__"]
    assert payload["query"] == {"identity": {"fetch": ["ECID"]}}
    # The datastream override is not a config override: only the original id travels.
    assert payload["meta"]["sdkConfig"] == {"datastream": {"original": DATASTREAM_ID}}
    assert "configOverrides" not in payload["meta"]


async def test_user_event_type_wins_over_type(memory: MemoryBrowser) -> None:
    await (await configured(memory))("sendEvent", {"type": "a", "xdm": {"eventType": "b"}})
    assert body(memory.sent[0])["events"][0]["xdm"]["eventType"] == "b"


async def test_config_overrides_merge_per_top_level_key_and_drop_empty_values(memory: MemoryBrowser) -> None:
    alloy = await configured(memory, edgeConfigOverrides={
        "com_adobe_analytics": {"reportSuites": ["global"]},
        "com_adobe_target": {"propertyToken": "token"},
    })
    await alloy("sendEvent", {"edgeConfigOverrides": {
        "com_adobe_analytics": {"enabled": True, "reportSuites": []},
        "com_adobe_experience_platform": {"datasets": {"event": {"datasetId": ""}}, "enabled": False},
    }})
    payload = body(memory.sent[0])
    assert list(payload) == ["meta", "events", "query"]
    assert payload["meta"]["configOverrides"] == {
        "com_adobe_target": {"propertyToken": "token"},
        "com_adobe_experience_platform": {"enabled": False},
    }


async def test_merge_id_and_dataset_id(memory: MemoryBrowser) -> None:
    await (await configured(memory))("sendEvent", {"mergeId": "m-1", "datasetId": "ds-1"})
    payload = body(memory.sent[0])
    assert payload["events"][0]["xdm"]["eventMergeId"] == "m-1"
    assert payload["meta"]["configOverrides"] == {
        "com_adobe_experience_platform": {"datasets": {"event": {"datasetId": "ds-1"}}}
    }


async def test_on_before_event_send_can_edit_and_cancel(memory: MemoryBrowser) -> None:
    def edit(content: dict) -> bool | None:
        if content["xdm"].get("eventType") == "skip":
            return False
        content["xdm"]["custom"] = "added"
        content["data"] = {"replaced": True}
        return None

    alloy = await configured(memory, onBeforeEventSend=edit)
    await alloy("sendEvent", {"data": {"original": 1}})
    assert await alloy("sendEvent", {"type": "skip"}) == {}
    [sent] = memory.sent
    event = body(sent)["events"][0]
    assert event["xdm"]["custom"] == "added"
    assert event["data"] == {"replaced": True}


async def test_context_option_limits_what_is_collected(memory: MemoryBrowser) -> None:
    await (await configured(memory, context=["web"]))("sendEvent", {})
    assert list(body(memory.sent[0])["events"][0]["xdm"]) == ["web", "timestamp", "implementationDetails"]


async def test_propositions_decisions_destinations_inferences(memory: MemoryBrowser) -> None:
    proposition = {
        "id": "p-1", "scope": "hero-banner",
        "scopeDetails": {"decisionProvider": "TGT"},
        "items": [{"id": "i-1", "schema": "https://ns.adobe.com/personalization/json-content-item",
                   "data": {"content": {"headline": "Hi"}}}],
    }
    memory.edge = identity_edge(
        {"type": "personalization:decisions", "payload": [proposition]},
        {"type": "activation:pull",
         "payload": [{"type": "profileLookup", "destinationId": "d-1", "segments": [{"id": "s-1"}]}]},
        {"type": "rtml:inferences", "payload": [{"ruleId": "r-1", "score": 0.9}]},
    )

    result = await (await configured(memory))("sendEvent", copy.deepcopy(ISSUE_EXAMPLE))
    assert result["propositions"] == [{**proposition, "renderAttempted": False}]
    assert result["decisions"] == [proposition]
    assert result["destinations"] == [{"type": "profileLookup", "destinationId": "d-1", "segments": [{"id": "s-1"}]}]
    assert result["inferences"] == [{"ruleId": "r-1", "score": 0.9}]


async def test_state_store_handles_become_cookies_and_travel_back(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()

    alloy = await configured(memory)
    await alloy("sendEvent", {})
    await alloy("sendEvent", {})
    identity = memory.cookies[IDENTITY_COOKIE]
    assert identity.value == IDENTITY_COOKIE_VALUE
    assert identity.domain == "example.com"
    assert identity.same_site and identity.same_site.lower() == "none" and identity.secure
    assert identity.expires_ms == memory.now + 34128000 * 1000
    assert memory.cookies[CLUSTER_COOKIE].value == "or2"
    second = memory.sent[1]
    # The cluster cookie is the location hint; edge.adobedc.net is third-party, so cookies go in meta.state.
    assert urlsplit(second.url).path == "/ee/or2/v1/interact"
    assert urlsplit(second.url).netloc == "edge.adobedc.net"
    assert body(second)["meta"]["state"]["entries"] == [
        {"key": IDENTITY_COOKIE, "value": IDENTITY_COOKIE_VALUE},
        {"key": CLUSTER_COOKIE, "value": "or2"},
    ]


async def test_first_party_edge_domain_gets_no_cookie_entries(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()

    alloy = await configured(memory, edgeDomain="data.shop.example.com", thirdPartyCookiesEnabled=False)
    await alloy("sendEvent", {})
    await alloy("sendEvent", {})
    assert urlsplit(memory.sent[1].url).netloc == "data.shop.example.com"
    assert body(memory.sent[1])["meta"]["state"] == {"domain": "example.com", "cookiesEnabled": True}


async def test_only_one_request_goes_out_until_identity_is_established(memory: MemoryBrowser) -> None:
    seen_identity: list[bool] = []

    def edge(request: HttpRequest) -> HttpResponse:
        seen_identity.append(IDENTITY_COOKIE in memory.cookies)
        return identity_edge()(request)

    memory.edge = edge

    alloy = await configured(memory)
    await asyncio.gather(*(alloy("sendEvent", {"xdm": {"eventType": f"e{i}"}}) for i in range(3)))
    assert seen_identity == [False, True, True]
    hosts = [urlsplit(s.url).netloc for s in memory.sent]
    assert hosts == ["adobedc.demdex.net", "edge.adobedc.net", "edge.adobedc.net"]
    assert [body(s)["events"][0]["xdm"]["eventType"] for s in memory.sent] == ["e0", "e1", "e2"]


async def test_document_unloading_uses_a_beacon_to_collect_once_identity_exists(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()

    alloy = await configured(memory)
    await alloy("sendEvent", {"documentUnloading": True})
    second = await alloy("sendEvent", {"documentUnloading": True})
    assert [(s.transport, urlsplit(s.url).path) for s in memory.sent] == [
        ("fetch", "/ee/v1/interact"),  # no identity yet: interact, to get one
        ("beacon", "/ee/or2/v1/collect"),
    ]
    assert second == {"propositions": []}
    assert json.loads(memory.sent[1].body)["events"][0]["xdm"]["web"]


async def test_refused_beacon_falls_back_to_fetch_on_collect(memory: MemoryBrowser) -> None:
    memory.set_cookie(f"{IDENTITY_COOKIE}={IDENTITY_COOKIE_VALUE}; path=/")
    memory.beacons_accepted = False
    memory.edge = lambda request: HttpResponse(204, "")

    # The first event still asks for page personalization, hence "decisions".
    result = await (await configured(memory))("sendEvent", {"documentUnloading": True})
    assert result == {"propositions": [], "decisions": []}
    [sent] = memory.sent
    assert (sent.transport, urlsplit(sent.url).path) == ("fetch", "/ee/v1/collect")


async def test_payload_over_64_kb_is_refused_before_sending(memory: MemoryBrowser) -> None:
    alloy = await configured(memory)
    with pytest.raises(ComponentError) as caught:  # the DataCollector's, caused by the payload's size
        await alloy("sendEvent", {"data": {"blob": "x" * 70_000}})
    message = caught.value.message
    assert memory.sent == []
    assert message.startswith(
        "[alloy] [DataCollector] An error occurred while executing the sendEvent command.\nCaused by: "
    )
    assert "64 KB (65536 bytes)" in message
    size = int(message.split("The request payload is ")[1].split(" bytes")[0])
    assert 70_000 < size < 72_000


async def test_payload_just_under_the_limit_is_sent(memory: MemoryBrowser) -> None:
    await (await configured(memory, thirdPartyCookiesEnabled=False))("sendEvent", {"data": {"blob": "x" * 60_000}})
    assert len(memory.sent) == 1
    assert 60_000 < len(memory.sent[0].body.encode()) <= MAX_PAYLOAD_BYTES


async def test_error_status_rejects_with_the_body(memory: MemoryBrowser) -> None:
    problem = {"type": "https://ns.adobe.com/aep/errors/EXEG-0003-400", "status": 400, "title": "Invalid datastream ID"}
    memory.edge = lambda request: HttpResponse(400, json.dumps(problem))

    with pytest.raises(AlloyError) as caught:
        await (await configured(memory))("sendEvent", {})
    error = caught.value
    assert error.message == (
        "[alloy] [DataCollector] An error occurred while executing the sendEvent command.\n"
        "Caused by: The server responded with a status code 400 and response body:\n"
        + json.dumps(problem, indent=2)
    )


@pytest.mark.parametrize("status,text,expected", [
    (200, "", "The server responded with a status code 200 and no response body."),
    (200, "<html>oops</html>", "The server responded with a status code 200 and response body:\n<html>oops</html>"),
    (200, '{"requestId": "x"}',
     'The server responded with a status code 200 and response body:\n{\n  "requestId": "x"\n}'),
])
async def test_malformed_bodies_reject(memory: MemoryBrowser, status: int, text: str, expected: str) -> None:
    memory.edge = lambda request: HttpResponse(status, text)

    with pytest.raises(AlloyError) as caught:
        await (await configured(memory))("sendEvent", {})
    assert caught.value.message.endswith("Caused by: " + expected)


async def test_retryable_statuses_are_retried_with_alloy_delays(memory: MemoryBrowser) -> None:
    answers = [HttpResponse(503, ""), HttpResponse(429, "", {"Retry-After": "2"}), HttpResponse(502, "")]

    def edge(request: HttpRequest) -> HttpResponse:
        return answers.pop(0) if answers else HttpResponse(200, edge_body())

    memory.edge = edge
    memory.random_values = [0.0, 1.0]

    assert await (await configured(memory))("sendEvent", {}) == {"propositions": [], "decisions": []}
    assert len(memory.sent) == 4
    assert len({parse_qs(urlsplit(s.url).query)["requestId"][0] for s in memory.sent}) == 1
    # 1000 ms −30 % (random 0.0), then Retry-After 2 s, then 3000 ms +30 % (random 1.0).
    assert memory.sleeps == [700, 2000, 3900]


@pytest.mark.parametrize("header", ["²", "٣", " 1.5", "soon"])
async def test_a_retry_after_that_is_no_number_or_date_falls_back_to_alloys_delay(
    memory: MemoryBrowser, header: str
) -> None:
    """Found by Hypothesis: ``"²".isdigit()`` is true and ``int("²")`` raises."""
    answers = [HttpResponse(429, "", {"Retry-After": header})]
    memory.edge = lambda request: answers.pop(0) if answers else HttpResponse(200, edge_body())
    memory.random_values = [0.5]

    assert await (await configured(memory))("sendEvent", {}) == {"propositions": [], "decisions": []}
    assert memory.sleeps == [1000]


async def test_retries_stop_after_three(memory: MemoryBrowser) -> None:
    memory.edge = lambda request: HttpResponse(503, "")

    with pytest.raises(AlloyError) as caught:
        await (await configured(memory))("sendEvent", {})
    assert caught.value.message.endswith("Caused by: The server responded with a status code 503 and no response body.")
    assert len(memory.sent) == 4


async def test_blocked_third_party_domain_falls_back_to_edge_domain(memory: MemoryBrowser) -> None:
    def edge(request: HttpRequest) -> HttpResponse:
        if "demdex" in request.url:
            raise ConnectionRefusedError("blocked by client")
        return identity_edge()(request)

    memory.edge = edge

    assert await (await configured(memory))("sendEvent", {}) == {"propositions": [], "decisions": []}
    assert [urlsplit(s.url).netloc for s in memory.sent] == ["adobedc.demdex.net", "edge.adobedc.net"]


async def test_network_failure_rejects_readably(memory: MemoryBrowser) -> None:
    def edge(request: HttpRequest) -> HttpResponse:
        raise ConnectionRefusedError("Failed to fetch")

    memory.edge = edge

    with pytest.raises(AlloyError) as caught:
        await (await configured(memory, thirdPartyCookiesEnabled=False))("sendEvent", {})
    assert caught.value.message == (
        "[alloy] [DataCollector] An error occurred while executing the sendEvent command.\n"
        "Caused by: Network request failed.\nCaused by: Failed to fetch"
    )


async def test_explicit_origin_edge_domain_for_local_emulators(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()

    alloy = await configured(memory, edgeDomain="http://127.0.0.1:8080")
    await alloy("sendEvent", {})
    await alloy("sendEvent", {})
    assert [s.url.split("?")[0] for s in memory.sent] == [
        "http://127.0.0.1:8080/ee/v1/interact",  # no detour through the third-party ID domain
        "http://127.0.0.1:8080/ee/or2/v1/interact",
    ]
    assert body(memory.sent[0])["query"] == {"identity": {"fetch": ["ECID"]}}


@pytest.mark.parametrize("good", ["https://edge.example.com", "http://localhost:8080", "http://shop.localhost"])
async def test_explicit_origins_https_or_loopback(memory: MemoryBrowser, good: str) -> None:
    await configured(memory, edgeDomain=good)


@pytest.mark.parametrize("bad", ["ftp://x", "http://", "https://host/path", "edge domain",
                                 "edge.adobedc.net\n",  # JS's $ takes no trailing newline
                                 "http://edge.example.com",  # clear text only to a local emulator
                                 "http://127.0.0.1.evil.example:8080"])
async def test_edge_domain_still_rejects_other_values(memory: MemoryBrowser, bad: str) -> None:
    with pytest.raises(AlloyError) as caught:
        await configured(memory, edgeDomain=bad)
    assert f"'edgeDomain': Expected a valid domain, but got {json.dumps(bad)}." in caught.value.message


async def test_functions_in_data_are_left_out_like_json_stringify(memory: MemoryBrowser) -> None:
    await (await configured(memory))("sendEvent", {"data": {"keep": 1, "f": len, "list": [1, len]}})
    assert body(memory.sent[0])["events"][0]["data"] == {"keep": 1, "list": [1, None]}


async def test_state_store_cookies_are_logged_as_alloy_logs_them(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge({"type": "state:store", "payload": [
        {"key": "far", "value": "v", "maxAge": 9e12}, {"key": "plain", "value": 1}]})
    alloy = await configured(memory, debugEnabled=True)
    await alloy("sendEvent", {})
    logged = [args[2] for level, args in memory.logs if len(args) > 2 and args[1] == "Setting cookie"]
    by_name = {entry["name"]: entry for entry in logged}
    identity = by_name[IDENTITY_COOKIE]
    assert list(identity) == ["name", "value", "domain", "expires", "sameSite", "secure"]
    assert isinstance(identity["expires"], datetime) and identity["sameSite"] == "none" and identity["secure"] is True
    assert by_name["far"]["expires"] == "Invalid Date"
    assert by_name["plain"] == {"name": "plain", "value": 1, "domain": "example.com"}  # the apex domain
