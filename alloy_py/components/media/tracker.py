"""The legacy Media Analytics API (``getMediaAnalyticsTracker``): the helpers and ``getInstance()``.

Port of ``MediaAnalyticsBridge/createMediaHelper.js`` and ``createGetInstance.js``. Its functions are
handed to the page as JS functions (Python callables under CPython); a tracker method returns what
alloy's returns: a session start or media event (a Promise), ``{}`` when refused, or nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ...edge.response import js_string
from ...errors import ValidationError
from ...lifecycle import start_now
from ...log import Logger
from ...types import JsonObject
from ...validation import MISSING, Validator, number, object_of, string
from .constants import ADS_TO_XDM, EVENT, MEDIA_EVENTS_INTERNAL, MEDIA_TO_XDM
from .sessions import MediaSessions

__all__ = ["media_helpers", "tracker"]

STATE_NAME = r"^[a-zA-Z0-9_]{1,64}$"
COMPLETED = "The Media Session was completed."


def _helper(logger: Logger, name: str, schema: Mapping[str, Validator],
            to_xdm: Callable[..., JsonObject]) -> Callable[..., JsonObject]:
    """Positional arguments in ``schema``'s order; an invalid one warns and gives ``{}``."""
    validate = object_of(schema)
    keys = list(schema)

    def helper(*args: Any) -> JsonObject:
        params = {key: args[i] if i < len(args) else MISSING for i, key in enumerate(keys)}
        try:
            validated = validate({k: v for k, v in params.items() if v is not MISSING})
        except ValidationError as error:
            logger.warn(f"An error occurred while creating the {name}.", error.message)
            return {}
        return to_xdm(*(validated.get(key) for key in keys))

    helper.__name__ = f"create{name}"
    return helper


def _round(value: Any) -> Any:
    return math.floor(value + 0.5) if isinstance(value, (int, float)) and math.isfinite(value) else value


def _dropping_none(**fields: Any) -> JsonObject:
    return {k: v for k, v in fields.items() if v is not None}


def media_helpers(logger: Logger) -> dict[str, Callable[..., JsonObject]]:
    # Argument names swapped as in alloy's port of the 3.x SDK (position/startTime, startupTime/droppedFrames).
    return {
        "createMediaObject": _helper(
            logger, "MediaObject",
            {"name": string().non_empty(), "id": string().non_empty(), "length": number().required(),
             "streamType": string().non_empty(), "mediaType": string().non_empty()},
            lambda name, id_, length, stream_type, media_type: {"sessionDetails": _dropping_none(
                friendlyName=name, name=id_, length=_round(length), contentType=stream_type, streamType=media_type)},
        ),
        "createAdBreakObject": _helper(
            logger, "AdBreakObject",
            {"name": string().non_empty(), "position": number(), "startTime": number()},
            lambda name, position, start: {"advertisingPodDetails": _dropping_none(
                friendlyName=name, index=position, offset=start)},
        ),
        "createAdObject": _helper(
            logger, "AdObject",
            {"name": string().non_empty(), "id": string().non_empty(), "position": number(), "length": number()},
            lambda name, id_, position, length: {"advertisingDetails": _dropping_none(
                friendlyName=name, name=id_, podPosition=position, length=length)},
        ),
        "createChapterObject": _helper(
            logger, "ChapterObject",
            {"name": string().non_empty(), "position": number(), "length": number(), "startTime": number()},
            lambda name, position, length, start: {"chapterDetails": _dropping_none(
                friendlyName=name, index=position, length=length, offset=start)},
        ),
        "createStateObject": _helper(
            logger, "StateObject", {"stateName": string().matches(STATE_NAME)},
            lambda state_name: _dropping_none(name=state_name),
        ),
        "createQoEObject": _helper(
            logger, "QoEObject",
            {"bitrate": number(), "startupTime": number(), "fps": number(), "droppedFrames": number()},
            lambda bitrate, startup, fps, dropped: _dropping_none(
                bitrate=bitrate, timeToStart=startup, framesPerSecond=fps, droppedFrames=dropped),
        ),
    }


def _event_type(event_type: str) -> str:
    if event_type in (EVENT["BufferComplete"], EVENT["SeekComplete"]):
        return MEDIA_EVENTS_INTERNAL["Play"]
    if event_type in (EVENT["StateStart"], EVENT["StateEnd"]):
        return MEDIA_EVENTS_INTERNAL["StateUpdate"]
    if event_type == EVENT["SeekStart"]:
        return MEDIA_EVENTS_INTERNAL["Pause"]
    return event_type


def _xdm(event_type: str, details: Any = None, context_data: Any = None) -> JsonObject:
    action = _event_type(event_type)
    details = details if isinstance(details, dict) else {}
    if event_type == EVENT["StateStart"]:
        return {"eventType": f"media.{action}", "mediaCollection": {"statesStart": [details]}}
    if event_type == EVENT["StateEnd"]:
        return {"eventType": f"media.{action}", "mediaCollection": {"statesEnd": [details]}}
    collection = dict(details)
    custom: list[JsonObject] = []
    for key, value in (context_data if isinstance(context_data, dict) else {}).items():
        if key in MEDIA_TO_XDM:
            collection.setdefault("sessionDetails", {})[MEDIA_TO_XDM[key]] = value
        elif key in ADS_TO_XDM:
            collection.setdefault("advertisingDetails", {})[ADS_TO_XDM[key]] = value
        else:
            custom.append({"name": key, "value": value})
    if custom:
        collection["customMetadata"] = custom
    return {"eventType": f"media.{action}", "mediaCollection": collection}


def tracker(sessions: MediaSessions, logger: Logger, uuid: Callable[[], str]) -> dict[str, Callable[..., Any]]:
    """``getInstance()``: one player (a new playerId per session start after a completion)."""
    state: dict[str, Any] | None = None

    def event(xdm: JsonObject) -> Any:
        assert state is not None
        return start_now(sessions.send({"playerId": state["playerId"], "xdm": xdm}))

    def trackSessionStart(media_object: Any = None, context_data: Any = None) -> Any:  # noqa: N802 (alloy's names)
        nonlocal state
        if not isinstance(media_object, dict) or not media_object:
            logger.warn("Invalid media object")
            return {}
        if state is None:
            logger.warn("The Media Session was completed. Restarting a new session.")
            state = {"qoe": None, "lastPlayhead": 0, "playerId": uuid()}
        current = state

        def get_player_details(*_: Any) -> JsonObject:
            return {"playhead": current["lastPlayhead"], "qoeDataDetails": current["qoe"]}

        xdm = _xdm(MEDIA_EVENTS_INTERNAL["SessionStart"], media_object, context_data or {})
        return sessions.start({"playerId": current["playerId"], "getPlayerDetails": get_player_details, "xdm": xdm})

    def simple(internal: str) -> Callable[[], Any]:
        def track(*_: Any) -> Any:
            if state is None:
                logger.warn(COMPLETED)
                return {}
            return event(_xdm(internal))
        return track

    def trackError(error_id: Any = MISSING, *_: Any) -> Any:  # noqa: N802
        logger.warn(f"trackError({'undefined' if error_id is MISSING else js_string(error_id)})")
        if state is None:
            logger.warn(COMPLETED)
            return {}
        return event(_xdm(MEDIA_EVENTS_INTERNAL["Error"], {"errorDetails": {"name": error_id, "source": "player"}}))

    def trackEvent(event_type: Any = None, info: Any = None, context_data: Any = None) -> Any:  # noqa: N802
        if isinstance(info, dict) and not info:
            logger.warn("Invalid media object.")
            return {}
        if state is None:
            logger.warn(COMPLETED)
            return {}
        if event_type not in EVENT.values():
            logger.warn("Invalid event type")
            return {}
        return event(_xdm(str(event_type), info, context_data))

    def updatePlayhead(time: Any = None) -> None:  # noqa: N802
        if state is None:
            logger.warn(COMPLETED)
            return
        if isinstance(time, (int, float)) and not isinstance(time, bool) and time == time:
            state["lastPlayhead"] = int(time) if math.isfinite(time) else state["lastPlayhead"]

    def updateQoEObject(qoe: Any = None) -> None:  # noqa: N802
        if state is None:
            logger.warn(COMPLETED)
            return
        if qoe:
            state["qoe"] = qoe

    def destroy(*_: Any) -> None:
        nonlocal state
        logger.warn("Destroy called, destroying the tracker.")
        state = None

    trackPlay, trackPause = simple(MEDIA_EVENTS_INTERNAL["Play"]), simple(MEDIA_EVENTS_INTERNAL["Pause"])  # noqa: N806
    trackSessionEnd = simple(MEDIA_EVENTS_INTERNAL["SessionEnd"])  # noqa: N806
    trackComplete = simple(MEDIA_EVENTS_INTERNAL["SessionComplete"])  # noqa: N806
    for function, name in ((trackPlay, "trackPlay"), (trackPause, "trackPause"),
                           (trackSessionEnd, "trackSessionEnd"), (trackComplete, "trackComplete")):
        function.__name__ = name
    return {
        "trackSessionStart": trackSessionStart,
        "trackPlay": trackPlay,
        "trackPause": trackPause,
        "trackComplete": trackComplete,
        "trackSessionEnd": trackSessionEnd,
        "trackError": trackError,
        "trackEvent": trackEvent,
        "updatePlayhead": updatePlayhead,
        "updateQoEObject": updateQoEObject,
        "destroy": destroy,
    }
