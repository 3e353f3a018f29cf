"""Media sessions: the session start event, media events to ``/va/v1/<action>``, and pings.

Port of ``StreamingMedia/createMediaEventManager.js``, ``createMediaSessionCacheManager.js``,
``createTrackMediaSession.js``, ``createTrackMediaEvent.js`` and ``createMediaResponseHandler.js``.
Streaming media and the legacy Media Analytics bridge each own one :class:`MediaSessions`, as each
alloy component owns its cache. Timers are the browser's ``sleep_ms`` (a test's clock drives them).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...dates import iso_utc
from ...errors import AlloyError
from ...event import Event
from ...lifecycle import RequestHandlers, start_now
from ...log import Logger
from ...startup import current_call
from ...types import JsonObject
from .. import ComponentServices
from .constants import EVENT_TYPES, NEW_SESSION

__all__ = ["MediaSessions", "NOT_CONFIGURED"]

NOT_CONFIGURED = "Streaming media is not configured."
MAIN, AD, COMPLETED = "main", "ad", "completed"

_AD_STATES = {EVENT_TYPES[k] for k in ("AD_START", "Ad_BREAK_START", "AD_SKIP", "AD_COMPLETE")}
_MAIN_STATES = {
    EVENT_TYPES[k] for k in ("AD_BREAK_COMPLETE", "CHAPTER_COMPLETE", "CHAPTER_START", "CHAPTER_SKIP", "SESSION_START")
}
_ENDS = {EVENT_TYPES["SESSION_END"], EVENT_TYPES["SESSION_COMPLETE"]}

PlayerDetails = Callable[..., Any]


def _content_state(event_type: str, current: str) -> str:
    if event_type in _AD_STATES:
        return AD
    if event_type in _MAIN_STATES:
        return MAIN
    if event_type in _ENDS:
        return COMPLETED
    return current


def _to_integer(value: Any) -> int | None:
    """alloy's ``toInteger``: a number or numeric string, rounded half up; otherwise nothing."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value.strip() or "0") if isinstance(value, str) else float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return math.floor(number + 0.5)


@dataclass
class _Ping:
    """One pending ping (alloy's ``setTimeout`` id): cancelling a fired one does nothing, as ``clearTimeout``."""

    task: asyncio.Future[None] | None = None
    fired: bool = False

    def cancel(self) -> None:
        if self.task is not None and not self.fired:
            self.task.cancel()


@dataclass
class _Session:
    started: asyncio.Future[JsonObject]
    get_player_details: PlayerDetails | None
    playback_state: str = MAIN
    ping: _Ping | None = field(default=None)


class MediaSessions:
    def __init__(self, services: ComponentServices, logger: Logger, *, legacy: bool) -> None:
        self._services = services
        self._logger = logger
        self._legacy = legacy
        self._sessions: dict[str | None, _Session] = {}  # by playerId (None: a session without one)

    @property
    def _settings(self) -> JsonObject | None:
        settings = self._services.config.get("streamingMedia")
        return settings if isinstance(settings, dict) else None

    def _new_event(self, xdm: JsonObject) -> Event:
        event = self._services.events.create_event()
        event.call = current_call.get()
        event.merge_xdm({"timestamp": iso_utc(self._services.browser.now_ms())})
        event.user_xdm = xdm
        return event

    def _augment(self, event: Event, player_id: str | None, get_player_details: PlayerDetails | None,
                 session_id: str | None = None) -> None:
        if not player_id or get_player_details is None:
            return
        details = get_player_details({"playerId": player_id})
        details = details if isinstance(details, dict) else {}
        collection: JsonObject = {}
        playhead = _to_integer(details.get("playhead"))
        if playhead is not None:
            collection["playhead"] = playhead
        if "qoeDataDetails" in details:
            collection["qoeDataDetails"] = details["qoeDataDetails"]
        if session_id is not None:
            collection["sessionID"] = session_id
        event.merge_xdm({"mediaCollection": collection})

    # ------------------------------------------------------------------ session start
    def start(self, options: JsonObject) -> asyncio.Future[JsonObject]:
        """``createMediaSession``: the session start as a ``sendEvent`` (its sessionId from the answer)."""
        settings = self._settings
        failed: asyncio.Future[JsonObject] = asyncio.get_event_loop().create_future()
        if settings is None:
            failed.set_exception(AlloyError(NOT_CONFIGURED))
            return failed
        player_id = options.get("playerId")
        get_player_details = options.get("getPlayerDetails")
        xdm = options.get("xdm")
        details = ((xdm or {}).get("mediaCollection") or {}).get("sessionDetails")
        if not isinstance(xdm, dict) or not isinstance(details, dict):
            # alloy.js: "Cannot read properties of undefined (reading 'mediaCollection')"
            failed.set_exception(AlloyError("xdm.mediaCollection.sessionDetails is required."))
            return failed
        event = self._new_event(xdm)
        session_details = {
            "playerName": details.get("playerName") or settings.get("playerName"),
            "channel": details.get("channel") or settings.get("channel"),
            "appVersion": details.get("appVersion") or settings.get("appVersion"),
        }
        event.merge_xdm({
            "eventType": EVENT_TYPES["SESSION_START"],
            "mediaCollection": {"sessionDetails": {k: v for k, v in session_details.items() if v is not None}},
        })
        self._augment(event, player_id, get_player_details)
        send_options: JsonObject = {
            "mediaOptions": {"playerId": player_id, "getPlayerDetails": get_player_details, "legacy": self._legacy},
        }
        if options.get("edgeConfigOverrides") is not None:
            send_options["edgeConfigOverrides"] = options["edgeConfigOverrides"]
        started = start_now(self._services.events.send_event(event, send_options))
        self._sessions[player_id] = _Session(started, get_player_details)
        return started

    def on_before_event(self, options: JsonObject, handlers: RequestHandlers) -> None:
        """The session start of this component (legacy or not) reads its sessionId from the answer."""
        media = options.get("mediaOptions")
        if not isinstance(media, dict) or bool(media.get("legacy")) != self._legacy:
            return
        player_id, get_player_details = media.get("playerId"), media.get("getPlayerDetails")
        handlers.on_response.append(lambda response: self._session_started(response, player_id, get_player_details))

    def _session_started(self, response: Any, player_id: str | None,
                         get_player_details: PlayerDetails | None) -> JsonObject:
        payloads = response.payloads(NEW_SESSION)
        if not payloads:
            return {}
        first = payloads[0]
        session_id = first.get("sessionId") if isinstance(first, dict) else None
        if not isinstance(session_id, str) or not session_id.strip():
            return {}
        if not player_id or get_player_details is None:
            return {"sessionId": session_id}
        self._schedule_ping(player_id, MAIN)
        return {"sessionId": session_id}

    # ------------------------------------------------------------------ media events
    async def send(self, options: JsonObject) -> None:
        """``sendMediaEvent``: once the session has its id, to ``/va/v1/<action>``, then the next ping."""
        if self._settings is None:
            raise AlloyError(NOT_CONFIGURED)
        player_id = options.get("playerId")
        xdm = options.get("xdm") or {}
        event_type = str(xdm.get("eventType"))
        event = self._new_event(xdm)
        if event_type == EVENT_TYPES["AD_START"]:
            advertising = (xdm.get("mediaCollection") or {}).get("advertisingDetails") or {}
            player_name = advertising.get("playerName") or self._settings.get("playerName")
            event.merge_xdm({"mediaCollection": {"advertisingDetails": {"playerName": player_name}}})
        action = event_type.split(".")[1] if "." in event_type else "undefined"
        unavailable = (f"Failed to trigger media event: {event_type}. Session ID is not available for "
                       f"playerId: {'undefined' if player_id is None else player_id}.")
        session = self._sessions.get(player_id)
        if session is None:  # alloy.js: a TypeError ("Cannot read properties of undefined")
            raise AlloyError(unavailable)
        state = session.playback_state
        result = await asyncio.shield(session.started)
        session_id = result.get("sessionId") if isinstance(result, dict) else None
        if not session_id:
            raise AlloyError(unavailable)
        self._augment(event, player_id, session.get_player_details, session_id)
        await self._track(event, action)
        if not player_id:
            return
        if event_type in _ENDS:
            self._stop_ping(player_id)
            return
        state = _content_state(event_type, state)
        if state != COMPLETED:
            self._schedule_ping(player_id, state)

    async def _track(self, event: Event, action: str) -> None:
        edge_client = self._services.edge_client
        request = edge_client.new_request("media", media_action=action)
        request.payload.add_event(event)
        event.finalize(None)
        await self._services.consent.await_consent()
        await edge_client.send(request)

    # ------------------------------------------------------------------ pings
    def _schedule_ping(self, player_id: str, state: str) -> None:
        settings = self._settings or {}
        interval = settings.get("adPingInterval" if state == AD else "mainPingInterval", 10)
        ping = _Ping()
        ping.task = start_now(self._ping_after(ping, player_id, float(interval) * 1000))
        session = self._sessions.get(player_id)
        if session is None:
            return  # as alloy: the timer still fires
        if session.ping is not None:
            session.ping.cancel()
        session.ping = ping
        session.playback_state = state

    async def _ping_after(self, ping: _Ping, player_id: str, delay_ms: float) -> None:
        await self._services.browser.sleep_ms(round(delay_ms))
        ping.fired = True
        try:
            await self.send({"playerId": player_id, "xdm": {"eventType": EVENT_TYPES["PING"]}})
        except Exception as error:  # alloy.js: an unhandled rejection
            self._logger.warn("A media ping failed.", error)

    def _stop_ping(self, player_id: str) -> None:
        session = self._sessions.get(player_id)
        if session is None:
            return
        if session.ping is not None:
            session.ping.cancel()
        session.ping = None
        session.playback_state = COMPLETED
