"""BrandConcierge's sendConversationEvent: the request on the wire, the streamed answer handed to
``onStreamResponse``, the rolling ``streamTimeout``, retries and the sticky conversation session."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from alloy_py_dev.samples import ECID

from alloy_py import AlloyError
from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser, StreamedResponse
from alloy_py.components.brand_concierge import SseParser

from .conftest import (
    DATASTREAM_ID,
    IDENTITY_COOKIE,
    IDENTITY_COOKIE_VALUE,
    ORG_ID,
    body,
    configured,
    make_alloy,
    settle,
)

SESSION_COOKIE = "kndctr_5BFE274A5F6980A50A495C08_AdobeOrg_bc_session_id"


def answer(*payloads: Any, extra: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"requestId": "bc", "handle": [*extra, {"type": "brand-concierge:conversation", "payload": list(payloads)}]}


def event(content: Any) -> str:
    return "data: " + json.dumps(content) + "\n\n"


def streaming(*chunks: tuple[int, str | Exception], status: int = 200) -> Any:
    def edge(request: HttpRequest) -> HttpResponse:
        return StreamedResponse(status, "", {"content-type": "text/event-stream"}, chunks=chunks)

    return edge


async def converse(memory: MemoryBrowser, options: dict[str, Any], **config: Any) -> tuple[dict[str, Any], list[Any]]:
    alloy = await configured(memory, **config)
    received: list[Any] = []
    result = await alloy("sendConversationEvent", {"onStreamResponse": received.append, **options})
    await settle()
    return result, received


async def test_message_request_on_the_wire(memory: MemoryBrowser) -> None:
    memory.set_cookie(f"{IDENTITY_COOKIE}={IDENTITY_COOKIE_VALUE}")
    memory.edge = streaming((0, event(answer({"n": 1}))))
    result, _ = await converse(memory, {"message": "Which shoes?", "xdm": {"conversationId": "c-1"}})

    assert result == {}
    [sent] = memory.sent
    url = urlsplit(sent.url)
    assert (url.scheme, url.netloc, url.path) == ("https", "edge.adobedc.net", "/brand-concierge/conversations")
    query = parse_qs(url.query)
    assert list(query) == ["sessionId", "requestId", "configId"]  # alloy's order
    assert query["configId"] == [DATASTREAM_ID]
    assert sent.accept == "text/event-stream"
    [sent_event] = body(sent)["events"]
    assert "meta" not in body(sent)  # not sticky: no cookies in meta.state
    assert sent_event["query"]["conversation"] == {
        "surfaces": ["web://www.shop.example.com/products/shoes"], "message": "Which shoes?",
    }
    assert sent_event["meta"] == {"consent": {"state": "in"}}
    assert sent_event["xdm"]["identityMap"] == {"ECID": [{"id": ECID}]}
    assert sent_event["xdm"]["conversationId"] == "c-1"
    assert "timestamp" in sent_event["xdm"]  # the other components' onBeforeEvent ran (Context)


async def test_without_message_or_data(memory: MemoryBrowser) -> None:
    result, received = await converse(memory, {"xdm": {"interactionId": "i"}, "voiceEnabled": True})

    assert result == {}
    [sent] = memory.sent
    assert urlsplit(sent.url).path == "/brand-concierge-voice/conversations"
    assert sent.accept == "text/plain"
    [sent_event] = body(sent)["events"]
    assert "conversation" not in sent_event.get("query", {})
    assert sent_event["xdm"]["identityMap"] == {"ECID": [{"id": None}]}  # no identity cookie: null, as alloy
    assert received == []  # the default answer has no event


async def test_events_across_chunks_reach_the_callback(memory: MemoryBrowser) -> None:
    first = event(answer({"text": "Hel"}))
    second = "id: 2\r\nevent: message\r\ndata: " + json.dumps(answer({"text": "data: lo"})) + "\r\n\r\n"
    memory.edge = streaming(
        (0, ": ping\n\n" + first[:7]), (100, first[7:] + second[:20]), (100, second[20:]),
        (100, 'data: {"handle": [{"type": "brand-concierge:conversation",\ndata: "payload": [3]}]}'),
    )
    _, received = await converse(memory, {"message": "hi"})

    # alloy drops the first "data: " inside the data too; lines of one event are joined as they are.
    assert received == [[{"text": "Hel"}], [{"text": "lo"}], [3]]


async def test_state_store_cookies_of_the_events_are_written(memory: MemoryBrowser) -> None:
    store = {"type": "state:store", "payload": [{"key": SESSION_COOKIE, "value": "s-1", "maxAge": 1800}]}
    memory.edge = streaming((0, event(answer({"n": 1}, extra=(store,)))))
    _, received = await converse(memory, {"message": "hi"})

    assert received == [[{"n": 1}]]
    assert memory.cookies[SESSION_COOKIE].value == "s-1"


async def test_rolling_stream_timeout(memory: MemoryBrowser) -> None:
    memory.edge = streaming(
        (9_000, ": ping\n\n"), (9_000, event(answer({"n": 1}))),  # each resets the 10 s
        (6_000, "data: {"), (6_000, '"handle": []}\n\n'),  # half an event does not: 12 s since the last
        (1, event(answer({"n": 3}))),
    )
    _, received = await converse(memory, {"message": "hi"})

    assert received == [[{"n": 1}], {"error": {"message": "Stream timeout: No data received within 10 seconds"}}]


async def test_stream_timeout_is_configurable(memory: MemoryBrowser) -> None:
    memory.edge = streaming((14_000, event(answer({"n": 1}))), (16_000, event(answer({"n": 2}))))
    _, received = await converse(memory, {"message": "hi"}, conversation={"streamTimeout": 15_500})

    assert received == [[{"n": 1}], {"error": {"message": "Stream timeout: No data received within 15.5 seconds"}}]


async def test_stream_timeout_below_alloys_minimum_is_refused(memory: MemoryBrowser) -> None:
    with pytest.raises(AlloyError, match=r"'conversation.streamTimeout': Expected an integer greater than or equal "
                                         r"to 10000, but got 9999"):
        await configured(memory, conversation={"streamTimeout": 9999})


async def test_an_event_that_is_not_json_ends_the_stream(memory: MemoryBrowser) -> None:
    memory.edge = streaming((0, event(answer({"n": 1})) + "data: nope\n\n" + event(answer({"n": 3}))))
    _, received = await converse(memory, {"message": "hi"})

    assert received[0] == [{"n": 1}]
    assert len(received) == 2 and isinstance(received[1]["error"], AlloyError)
    assert "not JSON: nope" in str(received[1]["error"])


async def test_a_failing_read_and_a_throwing_callback(memory: MemoryBrowser) -> None:
    memory.edge = streaming((0, event(answer({"n": 1}))), (0, OSError("connection reset")))
    _, received = await converse(memory, {"message": "hi"})
    assert received[0] == [{"n": 1}] and "connection reset" in str(received[1]["error"])

    memory.sent.clear()
    memory.edge = streaming((0, event(answer({"n": 1})) + event(answer({"n": 2}))))
    calls: list[Any] = []

    def throwing(value: Any) -> None:
        calls.append(value)
        if not isinstance(value, dict):
            raise ValueError("the page's callback failed")

    alloy = await configured(memory)
    await alloy("sendConversationEvent", {"message": "hi", "onStreamResponse": throwing})
    await settle()
    # As alloy: the callback hears its own error, and the stream ends.
    assert calls[0] == [{"n": 1}] and str(calls[1]["error"]) == "the page's callback failed" and len(calls) == 2


async def test_no_content_answer(memory: MemoryBrowser) -> None:
    memory.edge = streaming((0, event(answer({"n": 1}))), status=204)
    result, received = await converse(memory, {"message": "hi"})
    assert (result, received) == ({}, [])


async def test_retries_as_alloy_then_fails(memory: MemoryBrowser) -> None:
    memory.edge = lambda request: HttpResponse(500, "no")
    alloy = await configured(memory)
    with pytest.raises(AlloyError) as failure:
        await alloy("sendConversationEvent", {"message": "hi"})

    assert len(memory.sent) == 4
    assert memory.sleeps == [2000, 3000, 5000]
    assert "Network request failed after all retries.\nCaused by: Request failed with status 500" in str(
        failure.value
    )


async def test_retry_then_success(memory: MemoryBrowser) -> None:
    answers = [HttpResponse(503, ""), StreamedResponse(200, "", chunks=((0, event(answer({"n": 1}))),))]
    memory.edge = lambda request: answers.pop(0)
    _, received = await converse(memory, {"message": "hi"})
    assert len(memory.sent) == 2 and memory.sleeps == [2000] and received == [[{"n": 1}]]


async def test_sticky_session_from_its_cookie(memory: MemoryBrowser) -> None:
    memory.set_cookie(f"{SESSION_COOKIE}=planted")
    memory.edge = streaming((0, event(answer({"n": 1}))))
    await converse(memory, {"message": "hi"}, conversation={"stickyConversationSession": True})

    [sent] = memory.sent
    assert parse_qs(urlsplit(sent.url).query)["sessionId"] == ["planted"]
    assert body(sent)["meta"]["state"] == {
        "domain": "example.com", "cookiesEnabled": True, "entries": [{"key": SESSION_COOKIE, "value": "planted"}],
    }


async def test_session_without_stickiness_is_new_for_each_page(memory: MemoryBrowser) -> None:
    memory.set_cookie(f"{SESSION_COOKIE}=planted")
    sessions = []
    for _ in range(2):
        alloy = make_alloy(memory)  # a new page
        await alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID})
        for _ in range(2):
            await alloy("sendConversationEvent", {"message": "hi"})
            sessions.append(parse_qs(urlsplit(memory.sent[-1].url).query)["sessionId"][0])
    await settle()
    assert sessions[0] == sessions[1] != sessions[2] == sessions[3]  # one per page (configure)
    assert "planted" not in sessions


async def test_collect_sources_on_every_event(memory: MemoryBrowser) -> None:
    memory.url = "https://www.shop.example.com/?adobe_brand_concierge_source=email"
    alloy = await configured(memory, conversation={"collectSources": True})
    await alloy("sendEvent", {})
    await alloy("sendConversationEvent", {"message": "hi"})
    await settle()
    assert len(memory.sent) == 2  # the event and the conversation: each carries the source
    for sent in memory.sent:
        assert body(sent)["events"][0]["xdm"]["channel"] == {"referringSource": "email"}


async def test_invalid_options(memory: MemoryBrowser) -> None:
    alloy = await configured(memory)
    with pytest.raises(AlloyError, match=r"'undefined': Expected undefined, but got \{\"voiceEnabled\":\"yes\"\}"):
        await alloy("sendConversationEvent", {"voiceEnabled": "yes"})
    assert memory.sent == []


def test_parser_splits_as_alloy() -> None:
    parser = SseParser()
    assert list(parser.feed("data: a\r\rdata: b\n")) == [{"data": "a"}]
    assert list(parser.feed("\n:  ping\n\n: ping\n\n")) == [{"data": "b"}, None]  # ": ping" only
    assert list(parser.feed("event: x\ndata:")) == []
    assert list(parser.finish()) == []  # an event without data is no event
