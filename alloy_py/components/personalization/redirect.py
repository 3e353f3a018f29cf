"""Redirect offers: hide the page, say it was displayed, leave for the offer's URL.

Port of ``Personalization/handlers/createProcessRedirect.js`` and
``dom-actions/createRedirect.js``. A redirect item is the only thing rendered
(alloy's ``onlyRenderThis``): the other propositions come back unrendered. Its
display notification goes out as its own event that may outlive the page
(``documentMayUnload``: a beacon once the identity is known), then
``location.replace``. The render never settles, so the event's display
notifications (and an ``includeRenderedPropositions`` event waiting for them)
never go out, as in alloy.js. If the notification fails, the page is shown again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable
from typing import Any

from ..._futures import spawn
from ..._jsonutil import to_json
from ...browser import Browser
from ...log import Logger
from ...types import JsonObject
from ..interactions import notification
from ..rendering import ItemPlan, Renderer, set_redirecting
from .notifications import DisplayNotifier

__all__ = ["HIDING_ELEMENT", "RedirectPlanner"]

HIDING_ELEMENT = "BODY"  # alloy's REDIRECT_HIDING_ELEMENT


class RedirectPlanner:
    def __init__(self, browser: Browser, renderer: Renderer, displays: DisplayNotifier, logger: Logger) -> None:
        self._browser = browser
        self._renderer = renderer
        self._displays = displays
        self._logger = logger

    def plan(self, item: JsonObject, proposition: JsonObject, identity_map: Any) -> ItemPlan:
        data = item.get("data")
        content = data.get("content") if isinstance(data, dict) else None
        if not _truthy(content):
            self._logger.warn("Invalid Redirect data", data)
            return ItemPlan()  # returned unrendered, like any item nobody renders
        url = _js_string(content)

        def render() -> Awaitable[None]:
            self._renderer.hide_elements(HIDING_ELEMENT)  # at once, before the containers are shown
            set_redirecting(self._browser, True)
            return spawn(self._leave(url, content, item, proposition, identity_map))

        return ItemPlan(render=render, render_attempted=True, only_render_this=True)

    async def _leave(
        self, url: str, content: Any, item: JsonObject, proposition: JsonObject, identity_map: Any
    ) -> None:
        try:
            await self._displays.send_for_redirect(notification(proposition), identity_map)
            self._logger.on_content_rendering(
                "rendering-redirect",
                f"Redirect action {to_json(item)} executed.",
                {"propositionDetails": notification(proposition), "redirect": content},
            )
            self._browser.replace_location(url)
        except BaseException:
            self._renderer.show_elements(HIDING_ELEMENT)
            # A failed display event shows the containers (its failure hooks, as in alloy.js); so
            # does a URL the browser refuses here, where alloy.js would leave them hidden.
            self._renderer.show_containers()
            set_redirecting(self._browser, False)
            raise
        # The page is leaving: like alloy.js, never settle.
        await asyncio.get_running_loop().create_future()


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness for a JSON value."""
    if isinstance(value, float) and math.isnan(value):
        return False
    return value is not None and value is not False and value != 0 and value != ""


def _js_string(value: Any) -> str:
    """``String(value)`` for a JSON value (``location.replace`` converts its argument so)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, list):
        return ",".join("" if v is None else _js_string(v) for v in value)
    return "[object Object]"
