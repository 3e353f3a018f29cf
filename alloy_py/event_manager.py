"""Sending an event: hooks, consent, ``onBeforeEventSend``, then the Edge.

Port of ``core/createEventManager.js``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .browser import Browser
from .consent import ConsentState
from .edge.client import EdgeClient
from .errors import AlloyError
from .event import Event
from .lifecycle import RequestHandlers
from .log import Logger
from .types import Config, JsonObject, Options

__all__ = ["EventCanceled", "EventManager"]

CANCELED = "Event was canceled because the onBeforeEventSend callback returned false."


class EventCanceled(AlloyError):
    """What the failure hooks hear when ``onBeforeEventSend`` returned false (the command resolves ``{}``)."""

    def __init__(self) -> None:
        super().__init__(CANCELED)


@dataclass(frozen=True)
class EventManager:
    config: Config
    browser: Browser
    consent: ConsentState
    edge_client: EdgeClient
    logger: Logger

    def create_event(self) -> Event:
        return Event(self.browser.now_ms())

    async def send_event(self, event: Event, options: Options) -> JsonObject:
        options = dict(options)
        edge_client = self.edge_client
        lifecycle = edge_client.lifecycle
        request = edge_client.new_request("interact", options.pop("edgeConfigOverrides", None))
        handlers = RequestHandlers()
        await lifecycle.before_event(event, options, handlers)
        request.payload.add_event(event)
        try:
            await self.consent.await_consent()
        except Exception as error:
            # alloy.js tells nobody: a view change waiting for this event's decisions would wait for ever.
            await lifecycle.failed(error, handlers)
            raise
        try:
            event.finalize(self.config.get("onBeforeEventSend"))
        except Exception as error:
            await lifecycle.failed(error, handlers)
            raise
        if not event.should_send:
            self.logger.info(CANCELED)
            await lifecycle.failed(EventCanceled(), handlers)
            return {}
        return await edge_client.send(request, handlers)

    async def apply_response(
        self, event: Event, options: Options, headers: Mapping[str, str], body: JsonObject
    ) -> JsonObject:
        """An Edge answer fetched elsewhere (a server), handled as if this event had asked for it."""
        edge_client = self.edge_client
        lifecycle = edge_client.lifecycle
        request = edge_client.new_request("interact")
        before_event = RequestHandlers()
        await lifecycle.before_event(event, options, before_event)
        request.payload.add_event(event)
        # As alloy.js: what the event's hooks wanted done on failure is not done (nothing was sent).
        return await edge_client.apply_response(request, RequestHandlers(on_response=before_event.on_response),
                                                headers, body)
