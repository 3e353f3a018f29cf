"""Sending an event: hooks, consent, ``onBeforeEventSend``, then the Edge.

Port of ``core/createEventManager.js``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .browser import Browser
from .consent import ConsentState
from .edge.client import EdgeClient
from .edge.request import EdgeRequest, RequestPayload, apply_config_overrides
from .lifecycle import CallbackList, Lifecycle
from .log import Logger
from .event import Event

__all__ = ["EventManager"]

CANCELED = "Event was canceled because the onBeforeEventSend callback returned false."


class EventManager:
    def __init__(
        self,
        config: Mapping[str, Any],
        browser: Browser,
        lifecycle: Lifecycle,
        consent: ConsentState,
        edge: EdgeClient,
        logger: Logger,
    ) -> None:
        self._config = config
        self._browser = browser
        self._lifecycle = lifecycle
        self._consent = consent
        self._edge = edge
        self._logger = logger

    def create_event(self) -> Event:
        return Event(self._browser.now_ms())

    def create_request(self, local_overrides: dict[str, Any] | None = None) -> EdgeRequest:
        payload = RequestPayload()
        override = apply_config_overrides(payload, local_overrides, self._config.get("edgeConfigOverrides"))
        return EdgeRequest(id=self._browser.uuid4(), payload=payload, datastream_id_override=override)

    async def send_event(self, event: Event, options: dict[str, Any]) -> dict[str, Any]:
        options = dict(options)
        request = self.create_request(options.pop("edgeConfigOverrides", None))
        on_response = CallbackList()
        on_request_failure = CallbackList()
        await self._lifecycle.call(
            "on_before_event",
            event=event,
            options=options,
            on_response=on_response.add,
            on_request_failure=on_request_failure.add,
        )
        request.payload.add_event(event)
        await self._consent.await_consent()
        try:
            event.finalize(self._config.get("onBeforeEventSend"))
        except Exception as error:
            await self._fail(on_request_failure, error)
            raise
        if not event.should_send:
            self._logger.info(CANCELED)
            await self._fail(on_request_failure, RuntimeError(CANCELED))
            return {}
        return await self._edge.send(request, on_response, on_request_failure)

    async def _fail(self, callbacks: CallbackList, error: BaseException) -> None:
        callbacks.add(self._lifecycle.hook("on_request_failure"))
        try:
            await callbacks.call(error=error)
        except Exception:
            pass
