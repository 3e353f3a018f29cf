"""Command-queue semantics and alloy's exact messages."""

from __future__ import annotations

import asyncio

import pytest

from alloy_py import AlloyError, CommandError, ConfigurationError, ValidationError
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.instance import PageInstances

from .conftest import DATASTREAM_ID, ORG_ID, configured, make_alloy


async def test_commands_before_configure_reject(memory: MemoryBrowser) -> None:
    alloy = make_alloy(memory)
    with pytest.raises(CommandError) as caught:
        await alloy("sendEvent", {})
    assert caught.value.message == (
        "[alloy] The library must be configured first. Please do so by executing the configure command."
    )


async def test_configure_without_options_lists_every_problem(memory: MemoryBrowser) -> None:
    with pytest.raises(ConfigurationError) as caught:
        await make_alloy(memory)("configure")
    assert caught.value.message == (
        "[alloy] Resolve these configuration problems:\n"
        "\t - Error: 'datastreamId' is a required option\n"
        "\t - 'orgId' is a required option\n"
        "For configuration documentation see: https://adobe.ly/3sHh553"
    )


async def test_configure_rejects_a_mistyped_option(memory: MemoryBrowser) -> None:
    with pytest.raises(ConfigurationError) as caught:
        await make_alloy(memory)(
            "configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "edgeDomain": "bad domain!"}
        )
    assert "'edgeDomain': Expected a valid domain, but got \"bad domain!\"." in caught.value.message


async def test_configure_rejects_unknown_options(memory: MemoryBrowser) -> None:
    with pytest.raises(ConfigurationError) as caught:
        await make_alloy(memory)("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "colour": "red"})
    assert caught.value.message == (
        "[alloy] Resolve these configuration problems:\n\t - 'colour': Unknown field.\n"
        "For configuration documentation see: https://adobe.ly/3sHh553"
    )


async def test_configure_may_be_retried_after_a_validation_failure(memory: MemoryBrowser) -> None:
    alloy = make_alloy(memory)
    with pytest.raises(ConfigurationError):
        await alloy("configure", {"orgId": ORG_ID})
    assert await alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": "OTHER@AdobeOrg"}) == {}


async def test_second_configure_and_unknown_command(memory: MemoryBrowser) -> None:
    alloy = await configured(memory)
    with pytest.raises(CommandError) as twice:
        await alloy("configure", {"datastreamId": "x", "orgId": "y"})
    with pytest.raises(CommandError) as unknown:
        await alloy("bogusCommand")
    assert twice.value.message == "[alloy] The library has already been configured and may only be configured once."
    assert unknown.value.message.startswith(
        "[alloy] The bogusCommand command does not exist. List of available commands: configure, setDebug, "
    )
    assert "sendEvent" in unknown.value.message and "getIdentity" in unknown.value.message


async def test_ids_must_be_unique_across_instances_of_a_page(memory: MemoryBrowser) -> None:
    page = PageInstances(memory)

    with pytest.raises(ConfigurationError) as caught:
        await page.instance("alloy")("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID})
        await page.instance("other")("configure", {"datastreamId": DATASTREAM_ID, "orgId": "B@AdobeOrg"})
    assert f"'datastreamId': Expected a unique value across instances, but got \"{DATASTREAM_ID}\"." in (
        caught.value.message
    )
    assert caught.value.message.startswith("[other] ")


async def test_invalid_command_options_name_the_path(memory: MemoryBrowser) -> None:
    alloy = await configured(memory)
    with pytest.raises(ValidationError) as caught:
        await alloy("sendEvent", {"xdm": {"identityMap": {"HYP": [{"id": 123}]}}})
    assert caught.value.message == (
        "[alloy] Invalid sendEvent command options:\n"
        "\t - Error: 'xdm.identityMap.HYP[0].id': Expected a string, but got 123. "
        "For command documentation see: https://adobe.ly/3GQ3Q7t"
    )
    assert memory.sent == []


async def test_unknown_send_event_option_is_rejected(memory: MemoryBrowser) -> None:
    alloy = await configured(memory)
    with pytest.raises(ValidationError) as caught:
        await alloy("sendEvent", {"xdmm": {}})
    assert "'xdmm': Unknown field." in caught.value.message



async def test_commands_queued_before_configure_finishes_wait_for_it(memory: MemoryBrowser) -> None:
    alloy = make_alloy(memory)
    first = asyncio.ensure_future(alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID}))
    configure, send, merge = await asyncio.gather(first, alloy("sendEvent", {}), alloy("createEventMergeId"))
    assert configure == {}
    assert send == {"propositions": [], "decisions": []}
    assert len(merge["eventMergeId"]) == 36
    assert len(memory.sent) == 1


async def test_set_debug_turns_console_logging_on(memory: MemoryBrowser) -> None:
    alloy = await configured(memory)
    await alloy("setDebug", {"enabled": True})
    await alloy("sendEvent", {})
    assert any(args[0] == "[alloy]" and "Executing sendEvent command" in str(args[1]) for _, args in memory.logs)
    assert memory.storage["session"]["com.adobe.alloy.instance.alloy.debug"] == "true"


async def test_every_error_is_an_alloy_error(memory: MemoryBrowser) -> None:
    def explode(content: dict) -> None:
        raise ZeroDivisionError("boom")

    alloy = await configured(memory, onBeforeEventSend=explode)
    with pytest.raises(AlloyError) as caught:
        await alloy("sendEvent", {})
    message = caught.value.message
    assert message.startswith("[alloy] [DataCollector] An error occurred while executing the sendEvent command.")
    assert "boom" in message
    assert memory.sent == []


async def test_alloy_debug_query_parameter_beats_configuration() -> None:
    memory = MemoryBrowser(url="https://www.example.com/?alloy_debug=true")

    alloy = await configured(memory, debugEnabled=False)
    await alloy("sendEvent", {})
    assert any("Executing sendEvent command" in str(args[1]) for _, args in memory.logs)
    assert memory.storage["session"]["com.adobe.alloy.instance.alloy.debug"] == "true"
