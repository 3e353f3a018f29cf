"""The optional contexts: highEntropyUserAgentHints and oneTimeAnalyticsReferrer."""

from __future__ import annotations

from typing import Any

from alloy_py.browser.memory import MemoryBrowser
from alloy_py.instance import PageInstances

from .conftest import DATASTREAM_ID, ORG_ID, body, configured, identity_edge

CHROME_HINTS = {"architecture": "x86", "bitness": "64", "model": "", "platformVersion": "6.8.0", "wow64": False,
                "brands": [{"brand": "Chromium", "version": "156"}], "mobile": False, "platform": "Linux"}


def event_of(memory: MemoryBrowser, index: int = 0) -> dict[str, Any]:
    event: dict[str, Any] = body(memory.sent[index])["events"][0]
    return event


async def test_high_entropy_hints_are_sent_in_browser_details(memory: MemoryBrowser) -> None:
    memory.user_agent_data = CHROME_HINTS
    alloy = await configured(memory, context=["environment", "highEntropyUserAgentHints"])
    await alloy("sendEvent", {})
    environment = event_of(memory)["xdm"]["environment"]
    assert environment == {
        "type": "browser",
        "browserDetails": {
            "viewportWidth": 1264,
            "viewportHeight": 700,
            # alloy's hint list only, each of the type it must have
            "userAgentClientHints": {"architecture": "x86", "bitness": "64", "model": "", "platformVersion": "6.8.0",
                                     "wow64": False},
        },
    }


async def test_high_entropy_hints_of_the_wrong_type_are_left_out(memory: MemoryBrowser) -> None:
    memory.user_agent_data = {"architecture": 5, "bitness": "64", "wow64": "no"}
    await (await configured(memory, context=["highEntropyUserAgentHints"]))("sendEvent", {})
    assert event_of(memory)["xdm"]["environment"] == {"browserDetails": {"userAgentClientHints": {"bitness": "64"}}}


async def test_no_hints_without_user_agent_data_or_when_not_asked(memory: MemoryBrowser) -> None:
    await (await configured(memory, context=["highEntropyUserAgentHints"]))("sendEvent", {})
    assert "environment" not in event_of(memory)["xdm"]
    other = MemoryBrowser(user_agent_data=CHROME_HINTS)
    await (await configured(other))("sendEvent", {})
    assert "userAgentClientHints" not in event_of(other)["xdm"]["environment"]["browserDetails"]


async def test_analytics_referrer_is_sent_once_until_it_changes(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge()
    alloy = await configured(memory, context=["oneTimeAnalyticsReferrer"])
    await alloy("sendEvent", {})
    await alloy("sendEvent", {})
    await alloy("sendEvent", {"data": {"__adobe": {"analytics": {"referrer": "https://www.shop.example.com/a"}}}})
    await alloy("sendEvent", {"xdm": {"eventType": "decisioning.propositionDisplay"}})
    await alloy("sendEvent", {})
    referrers = [event_of(memory, i).get("data", {}).get("__adobe", {}).get("analytics", {}).get("referrer", "<none>")
                 for i in range(5)]
    assert referrers == ["https://search.example.org/", "", "https://www.shop.example.com/a", "<none>",
                         "https://search.example.org/"]
    assert "web" not in event_of(memory)["xdm"]  # only the contexts asked for


async def test_analytics_referrer_is_one_for_the_page(memory: MemoryBrowser) -> None:
    """alloy keeps the last referrer in its module: a second instance of the page does not send it again."""
    page = PageInstances(memory)
    config = {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "context": ["oneTimeAnalyticsReferrer"]}
    first, second = page.instance("alloy"), page.instance("other")
    await first("configure", config)
    await second("configure", {**config, "datastreamId": "other-datastream", "orgId": "OTHER@AdobeOrg"})
    await first("sendEvent", {})
    await second("sendEvent", {})
    assert [event_of(memory, i)["data"]["__adobe"]["analytics"]["referrer"] for i in range(2)] == [
        "https://search.example.org/", ""]
