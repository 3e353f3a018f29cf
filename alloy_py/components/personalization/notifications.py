"""Display notifications: telling the Edge what was shown.

Port of ``Personalization/createNotificationHandler.js``, ``createCollect.js`` and ``utils/mergeDecisionsMeta``.
A display is sent as its own event, or (``sendDisplayEvent: false``) held for a later
event with ``includeRenderedPropositions``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ...event import Event
from ...event_manager import EventManager
from ...lifecycle import start_now
from ...log import Logger
from ...types import JsonObject
from ..interactions import INTERACT
from .propositions import DisplayMeta

__all__ = ["DISPLAY", "DisplayNotifier", "merge_decisions_meta"]

DISPLAY = "decisioning.propositionDisplay"
SUPPRESS = "decisioning.propositionSuppressDisplay"


def merge_decisions_meta(event: Event, metas: list[DisplayMeta], event_type: str = "display") -> None:
    """alloy's ``mergeDecisionsMeta``: which propositions this event reports on."""
    if metas:
        event.merge_xdm(
            {"_experience": {"decisioning": {"propositions": metas, "propositionEventType": {event_type: 1}}}}
        )


class DisplayNotifier:
    def __init__(self, events: EventManager, logger: Logger) -> None:
        self._events = events
        self._logger = logger
        # Displays held back by sendDisplayEvent: false, for a later includeRenderedPropositions.
        self._held: list[asyncio.Future[list[DisplayMeta]]] = []

    async def take_held(self) -> list[DisplayMeta]:
        """The held displays (once they are known), for the event that includes them."""
        held, self._held = self._held, []
        return [meta for displays in await asyncio.gather(*held) for meta in displays]

    def notifier(
        self, render: bool, send_display: bool, view_name: str | None, identity_map: Any
    ) -> Callable[[list[DisplayMeta]], None]:
        """What to do with the displays of one event's rendering."""
        if not render:
            return lambda metas: None
        if not send_display:
            held: asyncio.Future[list[DisplayMeta]] = asyncio.get_running_loop().create_future()
            self._held.append(held)

            def hold(metas: list[DisplayMeta]) -> None:
                if not held.done():
                    held.set_result(metas)

            return hold

        def send(metas: list[DisplayMeta]) -> None:
            if metas:  # started now: it leaves before whatever the page sends once the command resolves
                start_now(self._send_display(metas, view_name, identity_map))

        return send

    async def _send_display(self, metas: list[DisplayMeta], view_name: str | None, identity_map: Any) -> None:
        await self._send(self._display_event(metas, view_name, identity_map), "The display notification failed.")

    async def send_for_redirect(self, meta: DisplayMeta, identity_map: Any) -> None:
        """A redirect's display notification, sent as the page may unload; raises if it fails."""
        event = self._display_event([meta], None, identity_map)
        event.document_may_unload = True
        await self._events.send_event(event, {})

    def send_interaction(
        self, meta: DisplayMeta, action: JsonObject, event_types: list[str], identity_map: Any
    ) -> None:
        """alloy's ``collect`` for what a visitor did in an in-app message: a
        ``decisioning.propositionInteract`` with its ``propositionAction``, sent now."""
        event = self._events.create_event()
        decisioning: JsonObject = {
            "propositions": [meta],
            "propositionEventType": dict.fromkeys(event_types, 1),
            "propositionAction": action,
        }
        event.merge_xdm({"_experience": {"decisioning": decisioning}})
        xdm: dict[str, Any] = {"eventType": INTERACT}
        if identity_map is not None:
            xdm["identityMap"] = identity_map
        event.merge_xdm(xdm)
        start_now(self._send(event, "The interaction notification failed."))

    def send_suppressed(self, metas: list[DisplayMeta], view_name: str | None, identity_map: Any) -> None:
        """alloy's ``collect`` with ``eventType: SUPPRESS``: in-app messages not shown for a conflict."""
        event = self._display_event(metas, view_name, identity_map, SUPPRESS, "suppressDisplay", {"reason": "Conflict"})
        start_now(self._send(event, "The suppress display notification failed."))

    async def _send(self, event: Event, failure: str) -> None:
        try:
            await self._events.send_event(event, {})
        except Exception as error:  # nobody awaits a notification
            self._logger.warn(failure, str(error))

    def _display_event(
        self, metas: list[DisplayMeta], view_name: str | None, identity_map: Any, event_type: str = DISPLAY,
        proposition_event_type: str = "display", action: JsonObject | None = None,
    ) -> Event:
        """alloy's ``collect``: a ``decisioning.propositionDisplay`` event (or ``event_type``) for ``metas``."""
        event = self._events.create_event()
        merge_decisions_meta(event, metas, proposition_event_type)
        if action is not None and metas:
            event.merge_xdm({"_experience": {"decisioning": {"propositionAction": action}}})
        xdm: dict[str, Any] = {"eventType": event_type}
        if identity_map is not None:
            xdm["identityMap"] = identity_map
        if view_name:
            xdm["web"] = {"webPageDetails": {"viewName": view_name}}
        event.merge_xdm(xdm)
        return event
