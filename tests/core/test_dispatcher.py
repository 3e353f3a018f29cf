"""Command-queue semantics and alloy's exact messages."""

from __future__ import annotations

import asyncio

import pytest

from alloy_py import AlloyError, CommandError, ConfigurationError, ValidationError
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.instance import PageInstances

from .conftest import DATASTREAM_ID, ORG_ID, configured, make_alloy, run


def test_commands_before_configure_reject(memory: MemoryBrowser) -> None:
    alloy = make_alloy(memory)
    with pytest.raises(CommandError) as caught:
        run(alloy("sendEvent", {}))
    assert caught.value.message == (
        "[alloy] The library must be configured first. Please do so by executing the configure command."
    )


def test_configure_without_options_lists_every_problem(memory: MemoryBrowser) -> None:
    with pytest.raises(ConfigurationError) as caught:
        run(make_alloy(memory)("configure"))
    assert caught.value.message == (
        "[alloy] Resolve these configuration problems:\n"
        "\t - Error: 'datastreamId' is a required option\n"
        "\t - 'orgId' is a required option\n"
        "For configuration documentation see: https://adobe.ly/3sHh553"
    )


def test_configure_rejects_a_mistyped_option(memory: MemoryBrowser) -> None:
    with pytest.raises(ConfigurationError) as caught:
        run(make_alloy(memory)("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "edgeDomain": "bad domain!"}))
    assert "'edgeDomain': Expected a valid domain, but got \"bad domain!\"." in caught.value.message


def test_configure_rejects_unknown_options(memory: MemoryBrowser) -> None:
    with pytest.raises(ConfigurationError) as caught:
        run(make_alloy(memory)("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "colour": "red"}))
    assert caught.value.message == (
        "[alloy] Resolve these configuration problems:\n\t - 'colour': Unknown field.\n"
        "For configuration documentation see: https://adobe.ly/3sHh553"
    )


def test_configure_may_be_retried_after_a_validation_failure(memory: MemoryBrowser) -> None:
    async def scenario() -> dict:
        alloy = make_alloy(memory)
        with pytest.raises(ConfigurationError):
            await alloy("configure", {"orgId": ORG_ID})
        return await alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": "OTHER@AdobeOrg"})

    assert run(scenario()) == {}


def test_second_configure_and_unknown_command(memory: MemoryBrowser) -> None:
    async def scenario() -> tuple[str, str]:
        alloy = await configured(memory)
        with pytest.raises(CommandError) as twice:
            await alloy("configure", {"datastreamId": "x", "orgId": "y"})
        with pytest.raises(CommandError) as unknown:
            await alloy("bogusCommand")
        return twice.value.message, unknown.value.message

    twice, unknown = run(scenario())
    assert twice == "[alloy] The library has already been configured and may only be configured once."
    assert unknown.startswith(
        "[alloy] The bogusCommand command does not exist. List of available commands: configure, setDebug, "
    )
    assert "sendEvent" in unknown and "getIdentity" in unknown


def test_ids_must_be_unique_across_instances_of_a_page(memory: MemoryBrowser) -> None:
    page = PageInstances(memory)

    async def scenario() -> None:
        await page.instance("alloy")("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID})
        await page.instance("other")("configure", {"datastreamId": DATASTREAM_ID, "orgId": "B@AdobeOrg"})

    with pytest.raises(ConfigurationError) as caught:
        run(scenario())
    assert f"'datastreamId': Expected a unique value across instances, but got \"{DATASTREAM_ID}\"." in (
        caught.value.message
    )
    assert caught.value.message.startswith("[other] ")


def test_invalid_command_options_name_the_path(memory: MemoryBrowser) -> None:
    async def scenario() -> str:
        alloy = await configured(memory)
        with pytest.raises(ValidationError) as caught:
            await alloy("sendEvent", {"xdm": {"identityMap": {"HYP": [{"id": 123}]}}})
        return caught.value.message

    assert run(scenario()) == (
        "[alloy] Invalid sendEvent command options:\n"
        "\t - Error: 'xdm.identityMap.HYP[0].id': Expected a string, but got 123. "
        "For command documentation see: https://adobe.ly/3GQ3Q7t"
    )
    assert memory.sent == []


def test_unknown_send_event_option_is_rejected(memory: MemoryBrowser) -> None:
    async def scenario() -> str:
        alloy = await configured(memory)
        with pytest.raises(ValidationError) as caught:
            await alloy("sendEvent", {"xdmm": {}})
        return caught.value.message

    assert "'xdmm': Unknown field." in run(scenario())


def test_commands_queued_before_configure_finishes_wait_for_it(memory: MemoryBrowser) -> None:
    async def scenario() -> list:
        alloy = make_alloy(memory)
        first = asyncio.ensure_future(alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID}))
        results = await asyncio.gather(first, alloy("sendEvent", {}), alloy("createEventMergeId"))
        return results

    configure, send, merge = run(scenario())
    assert configure == {}
    assert send == {"propositions": [], "decisions": []}
    assert len(merge["eventMergeId"]) == 36
    assert len(memory.sent) == 1


def test_set_debug_turns_console_logging_on(memory: MemoryBrowser) -> None:
    async def scenario() -> None:
        alloy = await configured(memory)
        await alloy("setDebug", {"enabled": True})
        await alloy("sendEvent", {})

    run(scenario())
    assert any(args[0] == "[alloy]" and "Executing sendEvent command" in str(args[1]) for _, args in memory.logs)
    assert memory.storage["session"]["com.adobe.alloy.instance.alloy.debug"] == "true"


def test_every_error_is_an_alloy_error(memory: MemoryBrowser) -> None:
    def explode(content: dict) -> None:
        raise ZeroDivisionError("boom")

    async def scenario() -> str:
        alloy = await configured(memory, onBeforeEventSend=explode)
        with pytest.raises(AlloyError) as caught:
            await alloy("sendEvent", {})
        return caught.value.message

    message = run(scenario())
    assert message.startswith("[alloy] [DataCollector] An error occurred while executing the sendEvent command.")
    assert "boom" in message
    assert memory.sent == []


def test_alloy_debug_query_parameter_beats_configuration() -> None:
    memory = MemoryBrowser(url="https://www.example.com/?alloy_debug=true")

    async def scenario() -> None:
        alloy = await configured(memory, debugEnabled=False)
        await alloy("sendEvent", {})

    run(scenario())
    assert any("Executing sendEvent command" in str(args[1]) for _, args in memory.logs)
    assert memory.storage["session"]["com.adobe.alloy.instance.alloy.debug"] == "true"
