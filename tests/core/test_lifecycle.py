"""Components as alloy assembles them: the registry, lifecycle hook errors, a failed start.

Custom components go in through the public constructor (``components=``); what
they see and what the caller gets back are alloy's words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from alloy_py import AlloyError, ComponentError, DeclinedConsentError
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.components import Command, Component
from alloy_py.instance import DEFAULT_COMPONENTS

from .conftest import DATASTREAM_ID, ORG_ID, make_alloy, settle

CONFIG = {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID}


def failing(error: Exception, *, hook: str) -> type[Component]:
    """A component whose ``hook`` raises ``error``."""

    def raise_it(self: Component, *args: Any, **kwargs: Any) -> None:
        raise error

    return type("Broken", (Component,), {"namespace": "Broken", hook: raise_it})


@pytest.mark.parametrize("error", [RuntimeError("boom"), AlloyError("boom")], ids=["exception", "alloy-error"])
async def test_a_failing_on_components_registered_rejects_configure_with_alloys_words(
    memory: MemoryBrowser, error: Exception
) -> None:
    alloy = make_alloy(memory, components=(*DEFAULT_COMPONENTS, failing(error, hook="on_components_registered")))
    with pytest.raises(ComponentError) as caught:
        await alloy("configure", CONFIG)
    assert caught.value.message == (
        "[alloy] [Broken] An error occurred while executing the onComponentsRegistered lifecycle hook.\n"
        "Caused by: boom"
    )


async def test_after_a_failed_start_later_commands_never_settle(memory: MemoryBrowser) -> None:
    """alloy.js: ``return new Promise(() => {})``: the configure error is reported once."""
    broken = failing(RuntimeError("boom"), hook="on_components_registered")
    alloy = make_alloy(memory, components=(*DEFAULT_COMPONENTS, broken))
    with pytest.raises(ComponentError):
        await alloy("configure", {**CONFIG, "debugEnabled": True})
    later = [asyncio.ensure_future(alloy(command, options))
             for command, options in (("sendEvent", {}), ("getIdentity", {}), ("bogusCommand", {}))]
    await settle()
    assert [task.done() for task in later] == [False, False, False]
    warnings = [tuple(args) for level, args in memory.logs if level == "warn"]
    assert warnings == [
        ("[alloy]", f"An error during configuration is preventing the {command} command from executing.")
        for command in ("sendEvent", "getIdentity", "bogusCommand")
    ]
    with pytest.raises(AlloyError, match="already been configured"):
        await alloy("configure", CONFIG)  # the failed start still counts as the one configure
    assert memory.sent == []
    for task in later:
        task.cancel()


@pytest.mark.parametrize("error", [RuntimeError("boom"), AlloyError("boom")], ids=["exception", "alloy-error"])
async def test_a_failing_on_before_event_hook_is_wrapped_by_the_component_and_the_command(
    memory: MemoryBrowser, error: Exception
) -> None:
    alloy = make_alloy(memory, components=(*DEFAULT_COMPONENTS, failing(error, hook="on_before_event")))
    await alloy("configure", CONFIG)
    with pytest.raises(ComponentError) as caught:
        await alloy("sendEvent", {})
    assert caught.value.message == (
        "[alloy] [DataCollector] An error occurred while executing the sendEvent command.\n"
        "Caused by: [Broken] An error occurred while executing the onBeforeEvent lifecycle hook.\n"
        "Caused by: boom"
    )
    assert memory.sent == []


async def test_declined_consent_from_a_hook_travels_unwrapped(memory: MemoryBrowser) -> None:
    declined = DeclinedConsentError("The user declined consent.")
    alloy = make_alloy(memory, components=(*DEFAULT_COMPONENTS, failing(declined, hook="on_before_event")))
    await alloy("configure", {**CONFIG, "debugEnabled": True})
    assert await alloy("sendEvent", {}) == {}
    warnings = [tuple(args) for level, args in memory.logs if level == "warn"]
    # No "[Broken] … lifecycle hook" in between: the command's own wrapping, as alloy's stackError reads.
    assert warnings == [("[alloy]", "The sendEvent command could not fully complete. [DataCollector] An error occurred "
                                    "while executing the sendEvent command.\nCaused by: The user declined consent.")]


def duplicate(command: str) -> type[Component]:
    def commands(self: Component) -> Mapping[str, Command]:
        return {command: Command(run=lambda options: {})}

    return type("Copycat", (Component,), {"namespace": "Copycat", "commands": commands})


async def test_a_command_registered_twice_fails_configure(memory: MemoryBrowser) -> None:
    alloy = make_alloy(memory, components=(*DEFAULT_COMPONENTS, duplicate("getIdentity")))
    with pytest.raises(AlloyError) as caught:
        await alloy("configure", CONFIG)
    assert caught.value.message == (
        "[alloy] [ComponentRegistry] Could not register Copycat because it has existing command(s): getIdentity"
    )
    assert memory.sent == []


async def test_a_new_command_of_a_custom_component_is_listed_and_runs(memory: MemoryBrowser) -> None:
    alloy = make_alloy(memory, components=(*DEFAULT_COMPONENTS, duplicate("copy")))
    await alloy("configure", CONFIG)
    assert await alloy("copy") == {}
    with pytest.raises(AlloyError) as caught:
        await alloy("bogusCommand")
    assert caught.value.message.endswith(", copy.")
