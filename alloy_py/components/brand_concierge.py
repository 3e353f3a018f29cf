"""BrandConcierge: ``sendConversationEvent``, a conversation with Adobe's Brand Concierge, answered as it streams.

Port of ``core/src/components/BrandConcierge/*`` (alloy 2.33.1). The event goes to
``https://{edgeDomain}/brand-concierge/conversations`` (``/brand-concierge-voice`` with
``voiceEnabled``), not through ``/v1/interact``: no ``edgeBasePath``, no location hint, no
``onBeforeRequest``/``onResponse`` hooks, no consent wait, and the browser's default
credentials. The answer is a stream of server-sent events; each event's ``data`` is an Edge
response whose ``brand-concierge:conversation`` payloads go to ``onStreamResponse``, and whose
``state:store`` cookies are written (``kndctr_…_bc_session_id`` keeps the conversation with
``stickyConversationSession``). The command resolves once the answer begins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._futures import spawn
from .._jsonutil import js_number, parse_json, to_json
from ..browser import TextStream
from ..cookies import decode_kndctr_ecid, namespaced_cookie_name
from ..edge.request import RequestPayload
from ..edge.response import EdgeResponse, parse_body
from ..errors import AlloyError, NetworkError, format_message
from ..event import Event
from ..lifecycle import RequestHandlers
from ..startup import current_call
from ..types import Options
from ..validation import any_of, array_of, boolean, callback, number, object_of, string
from . import Command, Component, ComponentServices
from .personalization import page_surface

__all__ = ["BrandConcierge", "SseParser"]

STREAM_START_TIMEOUT_MS = 10_000
SESSION_COOKIE = "bc_session_id"
SOURCES_QUERY_PARAM = "adobe_brand_concierge_source"
CONVERSATION_HANDLE = "brand-concierge:conversation"
MAX_ATTEMPTS = 4
RETRY_DELAYS_MS = (2000, 3000, 5000)

CONFIG_SCHEMA = object_of(
    {
        "conversation": object_of(
            {
                "stickyConversationSession": boolean().default(False),
                "streamTimeout": number().integer().minimum(STREAM_START_TIMEOUT_MS).default(STREAM_START_TIMEOUT_MS),
                "collectSources": boolean().default(False),
            }
        ).default(
            {"stickyConversationSession": False, "streamTimeout": STREAM_START_TIMEOUT_MS, "collectSources": False}
        ),
    }
)


class _Noop:
    """alloy's default ``onStreamResponse`` (its ``noop``)."""

    __name__ = "noop"

    def __call__(self, *args: Any) -> None:
        return None


_noop = _Noop()

_XDM = object_of(
    {
        "interactionId": string(),
        "conversationId": string(),
        "conversation": object_of(
            {"feedback": object_of({"classification": string(), "comment": string(), "reasons": array_of(string())})}
        ),
    }
)

# alloy's validateMessage: the first form that accepts the options wins. objectOf keeps unknown keys,
# so the second form accepts nearly everything (then onStreamResponse has no default).
OPTIONS = any_of(
    [
        object_of(
            {
                "message": string().required(),
                "xdm": _XDM,
                "onStreamResponse": callback().default(_noop),
                "voiceEnabled": boolean().default(False),
            }
        ),
        object_of({"xdm": _XDM, "voiceEnabled": boolean().default(False)}).required(),
        object_of(
            {
                "data": object_of({"type": string().required(), "payload": object_of({})}).required(),
                "onStreamResponse": callback().default(_noop),
                "voiceEnabled": boolean().default(False),
            }
        ),
    ],
    "undefined",  # alloy's anyOf is given no message
)


class StreamResponseError(AlloyError):
    """An event of the stream that could not be used, or a callback that failed."""


def _truthy(value: Any) -> bool:
    """JavaScript's truthiness of a JSON value (``{}`` and ``[]`` are true)."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value and value != 0  # NaN and 0 are false
    return True


# String.prototype.trim: JS white space and line terminators (not Python's \x1c-\x1f, \x85; with the BOM).
_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_EVENT_SEPARATOR = re.compile(r"\r\n\r\n|\n\n|\r\r")
_LINE_ENDING = re.compile(r"\r\n|\r|\n")
_PING = ": ping"


def _trim(text: str) -> str:
    return text.strip(_JS_SPACE)


def _parse_event(block: str) -> dict[str, str] | None:
    """One event's fields (``data`` lines joined without separator, ``event`` as ``type``, ``id``); ``None``
    without data."""
    event: dict[str, str] = {}
    for raw in _LINE_ENDING.split(block):
        line = _trim(raw)
        colon = line.find(":")
        if not line or colon == -1:
            continue
        field, value = _trim(line[:colon]), _trim(line[colon + 1 :])
        if field == "data":
            event["data"] = event.get("data", "") + value
        elif field == "event":
            event["type"] = value
        elif field == "id":
            event["id"] = value
    return event if event.get("data") else None


class SseParser:
    """alloy's createStreamParser: text in as it arrives, events (or ``None`` for a ping) out."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> Iterator[dict[str, str] | None]:
        blocks = _EVENT_SEPARATOR.split(self._buffer + text)
        self._buffer = blocks.pop()
        yield from self._events(blocks)

    def finish(self) -> Iterator[dict[str, str] | None]:
        rest, self._buffer = self._buffer, ""
        yield from self._events([rest])

    @staticmethod
    def _events(blocks: list[str]) -> Iterator[dict[str, str] | None]:
        for block in blocks:
            trimmed = _trim(block)
            if not trimmed:
                continue
            if trimmed.startswith(_PING):
                yield None
                continue
            event = _parse_event(trimmed)
            if event is not None:
                yield event


def _query_values(href: str, name: str) -> str | list[str] | None:
    """``queryString.parse(location.search)[name]``: one value, or all of a repeated one."""
    values = parse_qs(urlsplit(href).query, keep_blank_values=True).get(name)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


class BrandConcierge(Component):
    namespace = "BrandConcierge"
    config_schema = CONFIG_SCHEMA

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        conversation = services.config["conversation"]
        self._sticky = conversation["stickyConversationSession"] is True
        self._timeout_ms = int(conversation["streamTimeout"])
        self._collect_sources = bool(conversation["collectSources"])
        stored = None
        if self._sticky:  # read once, when configured: the session of this page's conversation
            stored = services.cookies.get(namespaced_cookie_name(services.config["orgId"], SESSION_COOKIE))
        self._session_id = stored or services.browser.uuid4()

    def commands(self) -> Mapping[str, Command]:
        return {"sendConversationEvent": Command(run=self._send_conversation_event, validate=OPTIONS)}

    def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        if self._collect_sources:
            source = _query_values(self.services.browser.page().href, SOURCES_QUERY_PARAM)
            if source:
                event.merge_xdm({"channel": {"referringSource": source}})

    async def _send_conversation_event(self, options: Options | None) -> None:
        if options is None:  # `null` passes alloy's validator, then its destructuring throws
            raise StreamResponseError("Cannot destructure property 'message' of 'options' as it is null.")
        services = self.services
        browser, config = services.browser, services.config
        message, data, on_stream = options.get("message"), options.get("data"), options.get("onStreamResponse")
        path = "/brand-concierge-voice" if options.get("voiceEnabled") is True else "/brand-concierge"
        request_id = browser.uuid4()
        payload = RequestPayload()
        event = services.events.create_event()
        event.call = current_call.get()
        asking = _truthy(message) or _truthy(data)
        if asking:
            conversation: dict[str, Any] = {"surfaces": [page_surface(browser.page().href)]}
            conversation.update({key: options[key] for key in ("message", "data") if key in options})
            event.merge_query({"conversation": conversation})
        event.merge_meta({"consent": {"state": services.consent.state}})
        event.merge_xdm({"identityMap": {"ECID": [{"id": self._ecid()}]}})
        xdm = options.get("xdm")
        if isinstance(xdm, dict):
            event.merge_xdm(xdm)
        url = services.edge_client.service_url(
            f"{path}/conversations",
            {"sessionId": self._session_id, "requestId": request_id, "configId": config["datastreamId"]},
        )
        await services.edge_client.lifecycle.before_event(event, {}, RequestHandlers())
        try:
            event.finalize(config.get("onBeforeEventSend"))  # alloy sends the event even when it returns false
        except Exception as error:
            self._callback(on_stream)({"error": error})
            raise
        payload.add_event(event)
        if self._sticky:
            services.edge_client.cookies_to_payload(payload)
        stream = await self._open(url, to_json(payload.to_json()), "text/event-stream" if asking else "text/plain")
        if stream.status == 204:
            stream.close()
            return None
        spawn(self._read(stream, self._callback(on_stream)))  # read after the command resolved
        return None

    def _ecid(self) -> str | None:
        name = namespaced_cookie_name(self.services.config["orgId"], "identity")
        cookie = self.services.cookies.get(name)
        if not cookie:
            return None
        ecid = decode_kndctr_ecid(cookie)
        if ecid is None:
            self.logger.warn(f"Unable to decode ECID from {name} cookie")
        return ecid

    @staticmethod
    def _callback(on_stream: Any) -> Callable[[Any], Any]:
        if callable(on_stream):
            return on_stream  # type: ignore[no-any-return]

        def missing(_: Any) -> None:
            raise StreamResponseError("onStreamResponse is not a function")

        return missing

    async def _open(self, url: str, body: str, accept: str) -> TextStream:
        """alloy's createSendConversationServiceRequest: four attempts, 2, 3 and 5 seconds apart, for an
        answer with an ok status."""
        services = self.services
        logger, browser = self.logger, services.browser
        log_id = browser.uuid4()
        shown = parse_body(body) if logger.enabled else None
        logger.on_before_network_request(url, log_id, shown)
        attempt = 1
        while True:
            try:
                stream = await services.edge_client.open_stream(url, body, accept)
                if not 200 <= stream.status < 300:
                    stream.close()
                    raise NetworkError(f"Request failed with status {stream.status}")
                return stream
            except NetworkError as error:
                if attempt >= MAX_ATTEMPTS:
                    logger.on_network_error(url, log_id, shown, error)
                    raise NetworkError("Network request failed after all retries.") from error
                delay = RETRY_DELAYS_MS[attempt - 1]
                retrying = NetworkError(f"Attempt {attempt} failed, retrying in {delay}ms: {format_message(error)}")
                logger.on_network_error(url, log_id, shown, retrying)
                await browser.sleep_ms(delay)
                attempt += 1

    async def _read(self, stream: TextStream, on_stream: Callable[[Any], Any]) -> None:
        """The stream's events, each to ``on_stream`` as alloy hands them; ``streamTimeout`` is the longest
        wait for the next event or ping (alloy's rolling timeout). The first failure ends the reading."""
        browser = self.services.browser
        parser = SseParser()
        deadline = browser.now_ms() + self._timeout_ms
        try:
            while True:
                try:
                    text = await stream.read(deadline - browser.now_ms())
                except TimeoutError:
                    seconds = js_number(self._timeout_ms / 1000)
                    self._deliver_error(
                        on_stream, {"message": f"Stream timeout: No data received within {seconds} seconds"}
                    )
                    return
                events = parser.finish() if text is None else parser.feed(text)
                for event in events:
                    deadline = browser.now_ms() + self._timeout_ms
                    if event is not None:
                        self._deliver(event["data"], on_stream)
                if text is None:
                    return
        except Exception as error:
            try:
                self._deliver_error(on_stream, error)
            except Exception as again:  # alloy.js leaves this one unhandled
                self.logger.error("Stream error occurred", format_message(again))
        finally:
            stream.close()

    def _deliver(self, data: str, on_stream: Callable[[Any], Any]) -> None:
        try:
            content = parse_json(data.replace("data: ", "", 1))
        except (ValueError, RecursionError):
            raise StreamResponseError(f"The stream sent an event whose data is not JSON: {data[:200]}") from None
        if content is None:
            raise StreamResponseError("Cannot read properties of null (reading 'handle')")
        response = EdgeResponse(content if isinstance(content, dict) else {})
        self.services.edge_client.response_to_cookies(response)
        payloads = response.payloads(CONVERSATION_HANDLE)
        self.logger.info("onStreamResponse callback called with", payloads)
        on_stream(payloads)

    def _deliver_error(self, on_stream: Callable[[Any], Any], error: BaseException | dict[str, str]) -> None:
        shown = format_message(error) if isinstance(error, BaseException) else error
        self.logger.error("Stream error occurred", shown)
        on_stream({"error": error})
