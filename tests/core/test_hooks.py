"""Lifecycle hooks: declared on Component, checked by name when an instance is made."""

from __future__ import annotations

import pytest

from alloy_py import AlloyError
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.components import Component
from alloy_py.instance import DEFAULT_COMPONENTS, PageInstances
from alloy_py.lifecycle import HOOKS


class Misspelt(Component):
    namespace = "Misspelt"

    def on_before_events(self) -> None:  # not a hook: would never run
        pass


def test_a_misspelt_hook_fails_when_the_instance_is_made() -> None:
    with pytest.raises(AlloyError) as caught:
        PageInstances(MemoryBrowser()).instance("alloy", [*DEFAULT_COMPONENTS, Misspelt])
    assert caught.value.message.startswith("[Misspelt] on_before_events is not a lifecycle hook")


def test_every_hook_is_a_no_op_on_component() -> None:
    assert set(HOOKS) == {name for name in vars(Component) if name.startswith("on_")}
