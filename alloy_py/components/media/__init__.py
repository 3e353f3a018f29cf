"""Media: the Streaming media component (``createMediaSession``, ``sendMediaEvent``) and the
Legacy Media Analytics bridge (``getMediaAnalyticsTracker``).

Port of ``alloy-core/src/components/StreamingMedia/`` and ``MediaAnalyticsBridge/`` (2.33.1).
Each owns its sessions (:class:`~.sessions.MediaSessions`), as in alloy; both read
``streamingMedia``, which Streaming media validates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..._version import __version__
from ...errors import AlloyError
from ...event import Event
from ...lifecycle import RequestHandlers
from ...types import JsonObject, Options
from ...validation import (
    Validator,
    any_of,
    callback,
    enum_of,
    number,
    object_of,
    string,
)
from .. import Command, Component, ComponentServices
from .constants import (
    AD_METADATA_KEYS,
    AUDIO_METADATA_KEYS,
    EVENT,
    EVENT_TYPES,
    MEDIA_OBJECT_KEYS,
    MEDIA_TYPE,
    PLAYER_STATE,
    STREAM_TYPE,
    VIDEO_METADATA_KEYS,
)
from .sessions import NOT_CONFIGURED, MediaSessions
from .tracker import media_helpers, tracker

__all__ = ["MediaAnalyticsBridge", "StreamingMedia"]

STREAMING_MEDIA_OPTIONS = object_of(
    {
        "streamingMedia": object_of(
            {
                "channel": string().non_empty().required(),
                "playerName": string().non_empty().required(),
                "appVersion": string(),
                "mainPingInterval": number().minimum(10).maximum(50).default(10),
                "adPingInterval": number().minimum(1).maximum(10).default(10),
            }
        ).no_unknown_fields(),
    }
)

_CONFIG_OVERRIDES = object_of({})
_ANY_OBJECT = object_of({})  # alloy's objectOf(anything()): any object

SESSION_OPTIONS = any_of(
    [
        object_of(
            {
                "playerId": string().required(),
                "getPlayerDetails": callback().required(),
                "xdm": object_of({"mediaCollection": object_of({"sessionDetails": _ANY_OBJECT.required()})}),
                "edgeConfigOverrides": _CONFIG_OVERRIDES,
            }
        ).required(),
        object_of(
            {
                "xdm": object_of(
                    {
                        "mediaCollection": object_of(
                            {"playhead": number().required(), "sessionDetails": _ANY_OBJECT.required()}
                        )
                    }
                ),
                "edgeConfigOverrides": _CONFIG_OVERRIDES,
            }
        ).required(),
    ],
    "an object with playerId, getPlayerDetails and xdm.mediaCollection.sessionDetails, or an object with "
    "xdm.mediaCollection.playhead and xdm.mediaCollection.sessionDetails",
)

_EVENT_TYPE = enum_of(*EVENT_TYPES.values()).required()
MEDIA_EVENT_OPTIONS = any_of(
    [
        object_of(
            {
                "playerId": string().required(),
                "xdm": object_of({"eventType": _EVENT_TYPE, "mediaCollection": object_of({})}).required(),
            }
        ).required(),
        object_of(
            {
                "xdm": object_of(
                    {
                        "eventType": _EVENT_TYPE,
                        "mediaCollection": object_of(
                            {"playhead": number().integer().required(), "sessionID": string().required()}
                        ).required(),
                    }
                ).required(),
            }
        ).required(),
    ],
    "Error validating the sendMediaEvent command options.",
)


class StreamingMedia(Component):
    namespace = "Streaming media"
    config_schema: ClassVar[Validator | None] = STREAMING_MEDIA_OPTIONS

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        self.sessions = MediaSessions(services, self.logger, legacy=False)

    def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        self.sessions.on_before_event(options, handlers)

    def commands(self) -> Mapping[str, Command]:
        return {
            "createMediaSession": Command(run=self._create_media_session, validate=SESSION_OPTIONS),
            "sendMediaEvent": Command(run=self.sessions.send, validate=MEDIA_EVENT_OPTIONS),
        }

    async def _create_media_session(self, options: Options) -> JsonObject:
        return await self.sessions.start(options)


class MediaAnalyticsBridge(Component):
    namespace = "Legacy Media Analytics"

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        self.sessions = MediaSessions(services, self.logger, legacy=True)

    def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        self.sessions.on_before_event(options, handlers)

    def commands(self) -> Mapping[str, Command]:
        return {"getMediaAnalyticsTracker": Command(run=self._get_tracker)}

    async def _get_tracker(self, options: Any) -> JsonObject:
        if not isinstance(self.services.config.get("streamingMedia"), dict):
            raise AlloyError(NOT_CONFIGURED)
        self.logger.info("Streaming media is configured in legacy mode.")
        logger, sessions, uuid = self.logger, self.sessions, self.services.browser.uuid4

        def getInstance(*_: Any) -> dict[str, Any]:  # noqa: N802 (alloy's name, shown to the page)
            return tracker(sessions, logger, uuid)

        return {
            "getInstance": getInstance,
            "Event": dict(EVENT),
            "MediaType": dict(MEDIA_TYPE),
            "PlayerState": dict(PLAYER_STATE),
            "StreamType": dict(STREAM_TYPE),
            "MediaObjectKey": dict(MEDIA_OBJECT_KEYS),
            "VideoMetadataKeys": dict(VIDEO_METADATA_KEYS),
            "AudioMetadataKeys": dict(AUDIO_METADATA_KEYS),
            "AdMetadataKeys": dict(AD_METADATA_KEYS),
            **media_helpers(logger),
            "version": f"WEBSDK {__version__}",
        }


