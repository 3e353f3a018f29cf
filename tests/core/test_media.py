"""Streaming media and the legacy Media Analytics tracker (in-memory browser, a driven clock)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.errors import AlloyError

from .conftest import IDENTITY_HANDLES, body, configured, edge_body, settle

MEDIA = {"channel": "Video channel", "playerName": "shop player", "appVersion": "1.0"}
SESSION = {"type": "media-analytics:new-session", "payload": [{"sessionId": "session-1"}]}
DETAILS = {"mediaCollection": {"sessionDetails": {"name": "intro", "friendlyName": "Intro", "length": 60,
                                                  "contentType": "vod", "streamType": "video"}}}


def media_edge(*session: dict[str, Any]) -> Any:
    def answer(request: HttpRequest) -> HttpResponse:
        if "/va/v1/" in request.url:
            return HttpResponse(204, "")
        return HttpResponse(200, edge_body(*IDENTITY_HANDLES, *session))

    return answer


def page(*session: dict[str, Any]) -> MemoryBrowser:
    return MemoryBrowser(edge=media_edge(*(session or (SESSION,))), hold_sleeps=True)


def media_requests(memory: MemoryBrowser) -> list[tuple[str, dict[str, Any]]]:
    """(action, xdm) of each request to /va/v1/."""
    out = []
    for sent in memory.sent:
        if "/va/v1/" in sent.url:
            action = sent.url.split("/va/v1/")[1].split("?")[0]
            out.append((action, body(sent)["events"][0]["xdm"]))
    return out


class Player:
    def __init__(self) -> None:
        self.playhead: Any = 0
        self.calls: list[Any] = []

    def __call__(self, arg: Any) -> dict[str, Any]:
        self.calls.append(arg)
        return {"playhead": self.playhead, "qoeDataDetails": {"bitrate": 500}}


async def started(memory: MemoryBrowser, player: Player, **config: Any) -> Any:
    alloy = await configured(memory, streamingMedia={**MEDIA, **config})
    result = await alloy("createMediaSession", {"playerId": "v1", "getPlayerDetails": player, "xdm": DETAILS})
    assert result["sessionId"] == "session-1"
    return alloy


async def test_session_start_is_an_interact_event_with_alloys_body() -> None:
    memory, player = page(), Player()
    player.playhead = 2.5
    await started(memory, player)
    (start,) = memory.sent
    assert "/ee/v1/interact?" in start.url
    xdm = body(start)["events"][0]["xdm"]
    assert xdm["eventType"] == "media.sessionStart"
    assert xdm["mediaCollection"] == {
        "sessionDetails": {"playerName": "shop player", "channel": "Video channel", "appVersion": "1.0",
                           "name": "intro", "friendlyName": "Intro", "length": 60, "contentType": "vod",
                           "streamType": "video"},
        "playhead": 3, "qoeDataDetails": {"bitrate": 500},
    }
    assert player.calls == [{"playerId": "v1"}]


async def test_session_details_of_the_call_win_over_the_configuration() -> None:
    memory = page()
    alloy = await configured(memory, streamingMedia=MEDIA)
    xdm = {"mediaCollection": {"playhead": 0, "sessionDetails": {"playerName": "own", "channel": "mine"}}}
    result = await alloy("createMediaSession", {"xdm": xdm})
    assert result["sessionId"] == "session-1"
    sent = body(memory.sent[0])["events"][0]["xdm"]["mediaCollection"]
    assert sent == {"sessionDetails": {"playerName": "own", "channel": "mine", "appVersion": "1.0"}, "playhead": 0}
    await memory.advance(60_000)
    assert media_requests(memory) == []  # no player: no pings


async def test_media_events_go_to_va_without_context_and_pings_follow_at_the_interval() -> None:
    memory, player = page(), Player()
    alloy = await started(memory, player, mainPingInterval=15, adPingInterval=1)
    player.playhead = 7
    assert await alloy("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.play"}}) == {}
    (play,) = media_requests(memory)
    assert play == ("play", {"timestamp": "2025-11-24T16:00:00.000Z",
                             "mediaCollection": {"playhead": 7, "qoeDataDetails": {"bitrate": 500},
                                                 "sessionID": "session-1"},
                             "eventType": "media.play"})
    sent = memory.sent[-1]
    assert sent.url.startswith("https://edge.adobedc.net/ee/or2/va/v1/play?configId=")
    assert "configOverrides" not in body(sent).get("meta", {})
    await memory.advance(14_999)
    assert len(media_requests(memory)) == 1
    await memory.advance(1)
    await memory.advance(15_000)
    pings = media_requests(memory)[1:]
    assert [action for action, _ in pings] == ["ping", "ping"]
    assert pings[0][1]["timestamp"] == "2025-11-24T16:00:15.000Z"
    assert pings[1][1]["timestamp"] == "2025-11-24T16:00:30.000Z"
    # An ad: pings every adPingInterval; the ad break's end: back to the main interval.
    await alloy("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.adBreakStart"}})
    await memory.advance(3_000)
    assert [a for a, _ in media_requests(memory)[3:]] == ["adBreakStart", "ping", "ping", "ping"]
    await alloy("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.adBreakComplete"}})
    await memory.advance(14_000)
    assert [a for a, _ in media_requests(memory)[7:]] == ["adBreakComplete"]
    await memory.advance(1_000)
    assert [a for a, _ in media_requests(memory)[7:]] == ["adBreakComplete", "ping"]


async def test_session_complete_stops_the_pings() -> None:
    memory, player = page(), Player()
    alloy = await started(memory, player)
    await alloy("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.pauseStart"}})
    await alloy("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.sessionComplete"}})
    await memory.advance(120_000)
    assert [a for a, _ in media_requests(memory)] == ["pauseStart", "sessionComplete"]
    assert memory.pending_sleeps == []


async def test_the_first_ping_comes_after_the_session_start() -> None:
    memory, player = page(), Player()
    await started(memory, player)
    await memory.advance(10_000)
    assert [a for a, _ in media_requests(memory)] == ["ping"]


async def test_an_ad_start_gets_the_configured_player_name() -> None:
    memory, player = page(), Player()
    alloy = await started(memory, player)
    xdm = {"eventType": "media.adStart", "mediaCollection": {"advertisingDetails": {"name": "ad-1", "length": 15}}}
    await alloy("sendMediaEvent", {"playerId": "v1", "xdm": xdm})
    ((_, sent),) = media_requests(memory)
    assert sent["mediaCollection"]["advertisingDetails"] == {"playerName": "shop player", "name": "ad-1", "length": 15}


async def test_media_events_wait_for_consent() -> None:
    memory, player = page(), Player()
    alloy = await configured(memory, streamingMedia=MEDIA, defaultConsent="pending")
    session = asyncio.ensure_future(
        alloy("createMediaSession", {"playerId": "v1", "getPlayerDetails": player, "xdm": DETAILS}))
    event = asyncio.ensure_future(alloy("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.play"}}))
    await settle()
    assert memory.sent == [] and not session.done() and not event.done()
    session.cancel()
    event.cancel()


async def test_consent_out_resolves_empty_and_sends_nothing() -> None:
    memory, player = page(), Player()
    alloy = await configured(memory, streamingMedia=MEDIA, defaultConsent="out")
    assert await alloy("createMediaSession", {"playerId": "v1", "getPlayerDetails": player, "xdm": DETAILS}) == {}
    assert await alloy("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.play"}}) == {}
    assert memory.sent == []


async def test_errors_as_alloy_words_them() -> None:
    memory = page()
    alloy = await configured(memory)
    with pytest.raises(AlloyError, match="Caused by: Streaming media is not configured."):
        await alloy("createMediaSession", {"playerId": "v1", "getPlayerDetails": Player(), "xdm": DETAILS})
    with pytest.raises(AlloyError, match="Caused by: Streaming media is not configured."):
        await alloy("getMediaAnalyticsTracker")
    memory = page({"type": "other", "payload": []})
    alloy = await configured(memory, streamingMedia=MEDIA)
    with pytest.raises(AlloyError, match="Session ID is not available for playerId: v9."):
        await alloy("sendMediaEvent", {"playerId": "v9", "xdm": {"eventType": "media.play"}})
    assert await alloy("createMediaSession", {"playerId": "v1", "getPlayerDetails": Player(), "xdm": DETAILS}) == {
        "propositions": [], "decisions": []}
    with pytest.raises(AlloyError, match=r"Failed to trigger media event: media.play. Session ID is not available"):
        await alloy("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.play"}})
    assert media_requests(memory) == []
    with pytest.raises(AlloyError, match="Caused by: xdm.mediaCollection.sessionDetails is required"):
        await alloy("createMediaSession", {"playerId": "v1"})  # (valid: alloy's second form needs no xdm)


@pytest.mark.parametrize(("command", "options", "message"), [
    ("createMediaSession", {"playerId": "v1", "xdm": {"mediaCollection": {"sessionDetails": 1}}},
     "Expected an object with playerId, getPlayerDetails and xdm.mediaCollection.sessionDetails, "
     "or an object with xdm.mediaCollection.playhead"),
    ("sendMediaEvent", {"playerId": "v1", "xdm": {"eventType": "media.nope"}},
     "Expected Error validating the sendMediaEvent command options., but got"),
    ("sendMediaEvent", {"xdm": {"eventType": "media.play", "mediaCollection": {"playhead": 1.5, "sessionID": "s"}}},
     "Expected Error validating the sendMediaEvent command options."),
])
async def test_invalid_command_options(command: str, options: Any, message: str) -> None:
    alloy = await configured(page(), streamingMedia=MEDIA)
    with pytest.raises(AlloyError, match=f"Invalid {command} command options:") as raised:
        await alloy(command, options)
    assert message in raised.value.message


@pytest.mark.parametrize(("streaming", "problem"), [
    ({"playerName": "p"}, "'streamingMedia.channel' is a required option"),
    ({"channel": "", "playerName": "p"}, "'streamingMedia.channel': Expected a non-empty string, but got \"\"."),
    ({**MEDIA, "mainPingInterval": 5}, "'streamingMedia.mainPingInterval': Expected a number greater than or "
     "equal to 10, but got 5."),
    ({**MEDIA, "mainPingInterval": 51}, "'streamingMedia.mainPingInterval': Expected a number less than or "
     "equal to 50, but got 51."),
    ({**MEDIA, "adPingInterval": 0}, "'streamingMedia.adPingInterval': Expected a number greater than or "
     "equal to 1, but got 0."),
    ({**MEDIA, "other": 1}, "'streamingMedia.other': Unknown field."),
])
async def test_invalid_configuration(streaming: dict[str, Any], problem: str) -> None:
    with pytest.raises(AlloyError) as raised:
        await configured(page(), streamingMedia=streaming)
    assert problem in raised.value.message


async def test_configuration_defaults() -> None:
    alloy = await configured(page(), streamingMedia={"channel": "c", "playerName": "p"})
    configs = (await alloy("getLibraryInfo"))["libraryInfo"]["configs"]
    assert configs["streamingMedia"] == {"channel": "c", "playerName": "p", "mainPingInterval": 10,
                                         "adPingInterval": 10}


async def test_legacy_tracker_flow() -> None:
    memory = page()
    alloy = await configured(memory, streamingMedia=MEDIA)
    api = await alloy("getMediaAnalyticsTracker")
    assert api["Event"]["BufferComplete"] == "bufferComplete" and api["MediaType"] == {"Video": "video",
                                                                                         "Audio": "audio"}
    media = api["createMediaObject"]("Intro", "intro-1", 59.5, api["StreamType"]["VOD"], api["MediaType"]["Video"])
    assert media == {"sessionDetails": {"friendlyName": "Intro", "name": "intro-1", "length": 60,
                                        "contentType": "vod", "streamType": "video"}}
    assert api["createQoEObject"](800, 2, 30, 1) == {"bitrate": 800, "timeToStart": 2, "framesPerSecond": 30,
                                                     "droppedFrames": 1}
    assert api["createStateObject"]("bad name!") == {}
    tracker = api["getInstance"]()
    assert tracker["trackPlay"]() == {}  # no session yet
    tracker["updatePlayhead"](12.9)  # ignored: no session yet
    result = await tracker["trackSessionStart"](media, {"a.media.show": "Show", "custom": "x"})
    assert result["sessionId"] == "session-1"
    start = body(memory.sent[0])["events"][0]["xdm"]
    assert start["mediaCollection"]["sessionDetails"]["show"] == "Show"
    assert start["mediaCollection"]["customMetadata"] == [{"name": "custom", "value": "x"}]
    assert start["mediaCollection"]["playhead"] == 0
    assert start["mediaCollection"]["qoeDataDetails"] is None
    tracker["updatePlayhead"](12.9)
    tracker["updateQoEObject"](api["createQoEObject"](800, 2, 30, 1))
    await tracker["trackPlay"]()
    await tracker["trackEvent"](api["Event"]["BufferStart"])
    await tracker["trackEvent"](api["Event"]["StateStart"], api["createStateObject"]("fullscreen"))
    await tracker["trackError"]("boom")
    await tracker["trackComplete"]()
    actions = media_requests(memory)
    assert [a for a, _ in actions] == ["play", "bufferStart", "statesUpdate", "error", "sessionComplete"]
    assert actions[2][1]["mediaCollection"]["statesStart"] == [{"name": "fullscreen"}]
    assert actions[3][1]["mediaCollection"]["errorDetails"] == {"name": "boom", "source": "player"}
    assert actions[0][1]["mediaCollection"]["playhead"] == 12
    assert actions[0][1]["mediaCollection"]["qoeDataDetails"] == {"bitrate": 800, "timeToStart": 2,
                                                                  "framesPerSecond": 30, "droppedFrames": 1}
    tracker["destroy"]()
    assert tracker["trackPause"]() == {}
    await memory.advance(60_000)
    assert len(media_requests(memory)) == 5
    warnings = [json.dumps(args, default=str) for level, args in memory.logs if level == "warn"]
    assert warnings == []  # debugging off: nothing on the console
