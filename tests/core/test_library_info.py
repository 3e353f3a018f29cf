"""getLibraryInfo: alloy's format, listing only what alloy-py has."""

from __future__ import annotations

import pytest

from alloy_py import CommandError
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.instance import DEFAULT_COMPONENTS

from .conftest import configured


def on_before_event_send(content: dict) -> None:
    content["xdm"]["seen"] = True


async def test_library_info_lists_the_commands_the_instance_runs(memory: MemoryBrowser) -> None:
    alloy = await configured(memory, onBeforeEventSend=on_before_event_send, context=["web"])
    info = (await alloy("getLibraryInfo"))["libraryInfo"]

    assert set(info) == {"version", "configs", "commands", "components"}
    assert info["commands"] == sorted(info["commands"])
    assert {"configure", "setDebug", "sendEvent", "getIdentity", "getLibraryInfo"} <= set(info["commands"])
    for command in info["commands"]:
        if command == "configure":
            continue
        try:
            await alloy(command, {})
        except CommandError as error:  # any other failure is the command's own (invalid options…)
            pytest.fail(f"{command} is listed but does not exist: {error}")
        except Exception:
            pass
    # alloy 2.33.1's standalone build, as its getLibraryInfo lists them (parity library_info compares the page).
    assert info["commands"] == [
        "appendIdentityToUrl", "applyPropositions", "applyResponse", "configure", "createEventMergeId",
        "createMediaSession", "evaluateRulesets", "getIdentity", "getLibraryInfo", "getMediaAnalyticsTracker",
        "sendConversationEvent", "sendEvent", "sendMediaEvent", "sendPushSubscription", "setConsent", "setDebug",
        "subscribeRulesetItems",
    ]
    assert info["components"] == [component.namespace for component in DEFAULT_COMPONENTS]
    assert info["configs"]["context"] == ["web"]
    assert info["configs"]["onBeforeEventSend"] == "function on_before_event_send() { [python code] }"


async def test_library_info_shows_the_defaults_as_alloy_does(memory: MemoryBrowser) -> None:
    configs = (await (await configured(memory))("getLibraryInfo"))["libraryInfo"]["configs"]

    assert configs["onBeforeEventSend"] == "() => {}"  # alloy's noop, as String(noop)
    assert configs["conversation"] == {"stickyConversationSession": False, "streamTimeout": 10000,
                                       "collectSources": False}
