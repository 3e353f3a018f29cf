"""What the loader recorded before Python ran: recorded calls, clicks, the durable queue."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from alloy_py.browser.memory import MemoryBrowser
from alloy_py.startup import MAX_AGE_MS, STORE_PREFIX, CallFacts, replay_stored, run_recorded

from .conftest import DATASTREAM_ID, IDENTITY_COOKIE, IDENTITY_COOKIE_VALUE, ORG_ID, body, make_alloy, settle

EARLIER = "https://www.shop.example.com/earlier.html"
CONFIG = {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID}
PAGE = {"href": EARLIER, "referrer": "https://search.example.org/", "screenWidth": 390, "screenHeight": 844,
        "orientation": "portrait", "viewportWidth": 390, "viewportHeight": 700}


def stored_page(memory: MemoryBrowser, entries: list[dict[str, Any]], *, state: str = "left",
                config: dict[str, Any] | None = None, page: str = "earlier-page", **extra: Any) -> str:
    key = f"{STORE_PREFIX}alloy.{page}"
    record = {"v": 1, "page": page, "state": state, "savedAt": memory.now - 1000, "configure": config or CONFIG,
              "callbacks": [], "dropped": {"excess": 0, "tooLarge": 0, "unserializable": 0}, "entries": entries,
              **extra}
    memory.storage["local"][key] = json.dumps(record)
    return key


def send_event(n: int, time: int, **options: Any) -> dict[str, Any]:
    return {"id": f"event-{n}", "kind": "command", "command": "sendEvent", "time": time, "page": PAGE,
            "callbacks": [], "options": {"xdm": {"eventType": f"test.{n}"}, "data": {"n": n}, **options}}


async def configure_and_replay(memory: MemoryBrowser, config: dict[str, Any] | None = None) -> int:
    alloy = make_alloy(memory)
    configure = asyncio.ensure_future(alloy("configure", config or CONFIG))
    await asyncio.sleep(0)
    count = replay_stored(alloy, config or CONFIG, "this-page")
    await configure
    await settle()
    return count


def events(memory: MemoryBrowser) -> list[dict[str, Any]]:
    return [event for sent in memory.sent for event in body(sent).get("events", [])]


async def test_replayed_events_keep_their_time_and_page_and_are_marked() -> None:
    memory = MemoryBrowser(url="https://www.shop.example.com/next.html")
    queued_at = memory.now - 5000
    key = stored_page(memory, [send_event(0, queued_at), send_event(1, queued_at + 10, renderDecisions=True)])
    assert await configure_and_replay(memory) == 2
    first, second = events(memory)
    assert [first["data"]["n"], second["data"]["n"]] == [0, 1]
    assert first["xdm"]["timestamp"] == "2025-11-24T15:59:55.000Z"  # 5 s before "now"
    assert first["xdm"]["web"]["webPageDetails"]["URL"] == EARLIER
    assert first["xdm"]["web"]["webReferrer"]["URL"] == "https://search.example.org/"
    assert first["xdm"]["device"] == {"screenHeight": 844, "screenWidth": 390, "screenOrientation": "portrait"}
    assert first["xdm"]["_id"] == "event-0"
    assert first["data"]["alloyPy"] == {"replayed": True, "eventId": "event-0", "queuedAt": "2025-11-24T15:59:55.000Z"}
    assert key not in memory.storage["local"]  # each forgotten once handed to the browser


async def test_nothing_is_replayed_twice_nor_from_a_page_that_may_still_be_alive() -> None:
    memory = MemoryBrowser()
    stored_page(memory, [send_event(0, memory.now - 100)], state="hidden", page="hidden-recently")
    stored_page(memory, [send_event(1, memory.now - 100)], page="this-page")  # our own
    assert await configure_and_replay(memory) == 0
    assert memory.sent == []


async def test_limits_consent_and_garbage() -> None:
    memory = MemoryBrowser()
    stored_page(memory, [send_event(0, memory.now - MAX_AGE_MS - 1), send_event(1, memory.now - 10)],
                dropped={"excess": 3, "tooLarge": 1, "unserializable": 0})
    memory.storage["local"][f"{STORE_PREFIX}alloy.garbage"] = "{not json"
    assert await configure_and_replay(memory) == 1
    assert [e["data"]["n"] for e in events(memory)] == [1]
    [warning] = [args[0] for level, args in memory.logs if level == "warn" and "did not replay" in str(args[0])]
    assert warning == ("[alloy] alloy-py did not replay 5 command(s) queued on an earlier page: 3 over the limit "
                       "of 100, 1 over 64 KB, 1 older than 24 h.")
    assert f"{STORE_PREFIX}alloy.garbage" not in memory.storage["local"]

    opted_out = MemoryBrowser()
    opted_out.set_cookie(f"{IDENTITY_COOKIE}={IDENTITY_COOKIE_VALUE}; path=/")
    opted_out.set_cookie("kndctr_5BFE274A5F6980A50A495C08_AdobeOrg_consent=general%3Dout; path=/")
    stored_page(opted_out, [send_event(0, opted_out.now - 10)])
    assert await configure_and_replay(opted_out) == 0
    assert opted_out.sent == [] and not opted_out.storage["local"]


async def test_another_org_is_left_alone_and_another_datastream_is_kept_per_event() -> None:
    memory = MemoryBrowser()
    other_org = stored_page(memory, [send_event(0, memory.now - 10)], page="other",
                            config={**CONFIG, "orgId": "OTHER@AdobeOrg"})
    stored_page(memory, [send_event(1, memory.now - 10)], config={**CONFIG, "datastreamId": "sandbox-stream"})
    assert await configure_and_replay(memory) == 1
    [sent] = memory.sent
    assert "configId=sandbox-stream" in sent.url
    assert body(sent)["meta"]["sdkConfig"] == {"datastream": {"original": DATASTREAM_ID}}
    assert other_org in memory.storage["local"]


async def test_a_replayed_click_is_collected_as_the_live_click_was() -> None:
    memory = MemoryBrowser(url="https://www.shop.example.com/next.html")
    link = {"n": "A", "f": {"href": "https://www.shop.example.com/next.html", "protocol": "https:", "id": "next"},
            "t": "", "a": {}, "c": [{"n": "IMG", "f": {"src": "data:,"}, "a": {"alt": "Next page", "src": "data:,"},
                                     "t": "", "c": []}]}
    path = [{"n": "IMG", "f": {"src": "data:,"}}, link, {"n": "NAV", "f": {"id": "menu"}}, {"n": "BODY", "f": {}},
            {"n": "HTML", "f": {}}, {"n": "#document"}]
    stored_page(memory, [{"id": "click-1", "kind": "click", "time": memory.now - 50, "page": PAGE, "path": path,
                          "overlay": False}])
    assert await configure_and_replay(memory) == 1
    [event] = events(memory)
    assert event["xdm"]["web"]["webInteraction"] == {
        "name": "Next page", "region": "menu", "type": "other",
        "URL": "https://www.shop.example.com/next.html", "linkClicks": {"value": 1}}
    assert event["data"]["__adobe"]["analytics"]["contextData"]["a"]["activitymap"] == {
        "page": EARLIER, "link": "Next page", "region": "menu", "pageIDType": 0}
    assert event["xdm"]["_id"] == "click-1"


async def test_a_recorded_call_another_page_replayed_is_skipped_and_forgotten_after_sending() -> None:
    memory = MemoryBrowser()
    alloy = make_alloy(memory)
    key = stored_page(memory, [send_event(0, memory.now)], page="this-page", state="hidden")
    await run_recorded(alloy, "configure", CONFIG, CallFacts("c", memory.now))
    sent = await run_recorded(alloy, "sendEvent", {"xdm": {"eventType": "test.0"}},
                              CallFacts("event-0", memory.now - 20, stored_in=key))
    skipped = await run_recorded(alloy, "sendEvent", {"xdm": {"eventType": "test.1"}},
                                 CallFacts("event-1", memory.now - 10, stored_in=key))
    await asyncio.sleep(0)  # what ended in one turn of the loop is forgotten together, at its end
    assert key not in memory.storage["local"]
    assert skipped == {} and len(memory.sent) == 1
    assert sent == {"propositions": [], "decisions": []}
    [event] = events(memory)
    assert event["xdm"]["_id"] == "event-0" and "alloyPy" not in event.get("data", {})


async def test_replaying_a_full_record_writes_it_a_few_times_not_once_a_call() -> None:
    """Forgetting each of n replayed calls on its own read and rewrote the record n times."""
    writes: list[str] = []

    class Counting(MemoryBrowser):
        def storage_set(self, kind: Any, key: str, value: str) -> None:
            writes.append(key)
            super().storage_set(kind, key, value)

    memory = Counting(url="https://www.shop.example.com/next.html")
    key = stored_page(memory, [send_event(n, memory.now - 1000 + n) for n in range(100)])
    assert await configure_and_replay(memory) == 100
    assert sorted(e["data"]["n"] for e in events(memory)) == list(range(100))
    assert key not in memory.storage["local"]
    assert writes.count(key) <= 10, writes.count(key)


def command(n: int, name: str, options: dict[str, Any], time: int) -> dict[str, Any]:
    return {"id": f"call-{n}", "kind": "command", "command": name, "time": time, "page": PAGE,
            "callbacks": [], "options": options}


async def test_rendering_navigation_and_chat_are_never_replayed() -> None:
    """Page A's offers never render on page B, nor redirect it, nor say a chat message again."""
    memory = MemoryBrowser(url="https://www.shop.example.com/next.html")
    now = memory.now - 100
    stored_page(memory, [
        command(1, "applyPropositions", {"propositions": [{"id": "p", "scope": "__view__", "items": []}]}, now),
        command(2, "applyResponse", {"renderDecisions": True, "responseBody": {"handle": []}}, now),
        command(3, "evaluateRulesets", {"renderDecisions": True}, now),
        command(4, "sendConversationEvent", {"message": "buy it again"}, now),
        send_event(5, now),
    ])
    assert await configure_and_replay(memory) == 1
    assert [e["data"]["n"] for e in events(memory)] == [5]
    assert [s.url for s in memory.sent if "conversation" in s.url] == []


async def test_what_the_earlier_page_filtered_is_not_replayed_unfiltered() -> None:
    memory = MemoryBrowser()
    key = stored_page(memory, [send_event(0, memory.now - 100)], callbacks=["onBeforeEventSend"])
    assert await configure_and_replay(memory) == 0
    assert memory.sent == [] and key not in memory.storage["local"]
    [warning] = [args[0] for level, args in memory.logs if level == "warn" and "did not replay" in str(args[0])]
    assert "1 under the earlier page's onBeforeEventSend" in warning


def test_the_loader_keeps_what_python_replays() -> None:
    """The loader decides what to store before Python runs: its lists are the replay's."""
    import re
    from pathlib import Path

    from alloy_py.startup import NOT_REPLAYED, PAGE_RULES

    loader = (Path(__file__).resolve().parents[2] / "web" / "alloy-py.js").read_text()

    def listed(name: str) -> set[str]:
        found = re.search(rf"var {name} = \[(.*?)\];", loader, re.DOTALL)
        assert found, name
        return set(re.findall(r'"(\w+)"', found.group(1)))

    assert listed("NOT_KEPT") == NOT_REPLAYED
    assert listed("PAGE_RULES") == PAGE_RULES
