"""Context: what alloy tells the Edge about the page and device.

Port of ``browser/src/components/Context/*`` and ``utils/toISOStringLocal.js``.
"""

from __future__ import annotations

import weakref
from typing import Any, ClassVar

from .._version import __version__
from ..browser import Browser
from ..dates import iso_local, iso_utc
from ..errors import PageScriptError
from ..event import Event
from ..lifecycle import RequestHandlers
from ..startup import REPLAY_MARKER
from ..types import Options
from ..validation import Validator, array_of, object_of, string
from . import Component, ComponentServices

__all__ = ["Context"]

DEFAULT_CONTEXTS = ["web", "device", "environment", "placeContext"]
OPTIONAL_CONTEXTS = [*DEFAULT_CONTEXTS, "highEntropyUserAgentHints", "oneTimeAnalyticsReferrer"]
LIBRARY_NAME = "alloy-py"
# alloy's highEntropyUserAgentClientHints: each hint asked for and the JS type it must have.
HIGH_ENTROPY_HINTS = (("architecture", str), ("bitness", str), ("model", str), ("platformVersion", str),
                      ("wow64", bool))
# Events the SDK makes itself do not move the analytics referrer on.
_REFERRER_IGNORED_EVENT_TYPES = {
    "decisioning.propositionFetch", "decisioning.propositionDisplay", "decisioning.propositionInteract",
}
_NOTHING_SENT = object()
# The referrer last sent, per page: alloy keeps it in its module, shared by the page's instances.
_LAST_REFERRER: weakref.WeakKeyDictionary[Browser, Any] = weakref.WeakKeyDictionary()


class Context(Component):
    namespace = "Context"
    config_schema: ClassVar[Validator | None] = object_of(
        {"context": array_of(string()).default(DEFAULT_CONTEXTS)}
    )

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        self._enabled: list[str] = []
        for index, name in enumerate(self.services.config["context"]):
            if name in OPTIONAL_CONTEXTS:
                self._enabled.append(name)
            else:
                self.logger.warn(f"Invalid context[{index}]: '{name}' is not available.")

    async def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        browser = self.services.browser
        call = event.call
        # A call recorded before Python ran is described as it was when it was made.
        page = (call.page if call else None) or browser.page()
        now = call.time_ms if call else browser.now_ms()
        for name in self._enabled:
            if name == "web":
                event.merge_xdm({"web": {"webPageDetails": {"URL": page.href}, "webReferrer": {"URL": page.referrer}}})
            elif name == "device":
                device: dict[str, Any] = {}
                if page.screen_height is not None and page.screen_height >= 0:
                    device["screenHeight"] = page.screen_height
                if page.screen_width is not None and page.screen_width >= 0:
                    device["screenWidth"] = page.screen_width
                if page.screen_orientation:
                    device["screenOrientation"] = page.screen_orientation
                if device:
                    event.merge_xdm({"device": device})
            elif name == "environment":
                environment: dict[str, Any] = {"type": "browser"}
                details: dict[str, int] = {}
                if page.viewport_width is not None and page.viewport_width >= 0:
                    details["viewportWidth"] = page.viewport_width
                if page.viewport_height is not None and page.viewport_height >= 0:
                    details["viewportHeight"] = page.viewport_height
                if details:
                    environment["browserDetails"] = details
                event.merge_xdm({"environment": environment})
            elif name == "placeContext":
                offset = browser.timezone_offset_minutes(now)
                place: dict[str, Any] = {"localTimezoneOffset": offset}
                if abs(offset) < 6000:
                    place["localTime"] = iso_local(now, offset)
                if page.iana_timezone:
                    place["ianaTimezone"] = page.iana_timezone
                event.merge_xdm({"placeContext": place})
            elif name == "oneTimeAnalyticsReferrer":
                self._analytics_referrer(event, page.referrer)
        event.merge_xdm({"timestamp": iso_utc(now)})
        if call and call.stored_in:
            # It was written to the durable queue, so it may reach the Edge twice: same _id both times.
            event.merge_xdm({"_id": call.id})
            if call.replayed:
                event.merge_data({REPLAY_MARKER: {"replayed": True, "eventId": call.id, "queuedAt": iso_utc(now)}})
        event.merge_xdm(
            {"implementationDetails": {"name": LIBRARY_NAME, "version": __version__, "environment": "browser"}}
        )
        # alloy runs the contexts together: the client hints, which the browser answers later, come last.
        for _ in range(self._enabled.count("highEntropyUserAgentHints")):
            await self._user_agent_hints(event)

    async def _user_agent_hints(self, event: Event) -> None:
        names = [name for name, _ in HIGH_ENTROPY_HINTS]
        try:
            answer = await self.services.browser.high_entropy_values(names)
        except PageScriptError as error:
            self.logger.warn(f"Unable to collect user-agent client hints. {error}")
            return
        if answer is None:  # no navigator.userAgentData (Firefox, Safari)
            return
        hints = {
            name: answer[name]
            for name, kind in HIGH_ENTROPY_HINTS
            # typeof: a JS number is never a bool, a bool never a string
            if name in answer and type(answer[name]) is kind
        }
        event.merge_xdm({"environment": {"browserDetails": {"userAgentClientHints": hints}}})

    def _analytics_referrer(self, event: Event, document_referrer: str) -> None:
        """``data.__adobe.analytics.referrer``: the referrer once, then ``""`` until it changes
        (an explicit ``data.__adobe.analytics.referrer``, for SPA views, counts as the referrer)."""
        content = event.get_content()
        xdm, data = content.get("xdm"), content.get("data")
        event_type = xdm.get("eventType") if isinstance(xdm, dict) else None
        if isinstance(event_type, str) and event_type in _REFERRER_IGNORED_EVENT_TYPES:
            return
        explicit: object = _NOTHING_SENT
        adobe = data.get("__adobe") if isinstance(data, dict) else None
        analytics = adobe.get("analytics") if isinstance(adobe, dict) else None
        if isinstance(analytics, dict) and "referrer" in analytics:
            explicit = analytics["referrer"]
        current = document_referrer if explicit is _NOTHING_SENT else explicit
        browser = self.services.browser
        last = _LAST_REFERRER.get(browser)  # None: JS null, nothing sent yet
        # JS ===: objects are never the same (they are copies), numbers are never booleans
        same = current == last and type(current) is type(last) and not isinstance(current, (dict, list))
        if same:
            event.merge_data({"__adobe": {"analytics": {"referrer": ""}}})
            return
        event.merge_data({"__adobe": {"analytics": {"referrer": current}}})
        _LAST_REFERRER[browser] = current
