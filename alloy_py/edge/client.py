"""Sending requests to the Edge Network.

Port of ``core/edgeNetwork/injectSendEdgeNetworkRequest.js``,
``core/network/injectSendNetworkRequest.js`` (retries), the browser's
fetch/beacon request methods and ``core/createCookieTransfer.js``. Unlike
alloy.js, a body over the Edge's 64 KB limit is refused here, before it is
sent, with an error that names both sizes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .._jsonutil import assign_concat_arrays, to_json
from ..browser import Browser, HttpRequest, HttpResponse
from ..cookies import CookieJar, namespaced_cookie_name, storage_key
from ..errors import NetworkError, PayloadTooLargeError
from ..lifecycle import Lifecycle, RequestHandlers
from ..log import Logger
from ..startup import forget_sent, handing_over
from ..types import JsonObject
from .request import EdgeRequest, RequestKind, RequestPayload, apply_config_overrides
from .response import EdgeResponse, TooDeep, check_status, js_string, parse_body, too_deep_error

__all__ = ["MAX_PAYLOAD_BYTES", "EdgeClient", "EdgeSettings"]

MAX_PAYLOAD_BYTES = 64 * 1024
THIRD_PARTY_ID_ORIGIN = "https://adobedc.demdex.net"
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRIES = 3
MAX_QUEUE_TIME_MS = 300_000
REQUEST_TIMEOUT_MS = 30_000
"""How long one request may take, retries included (alloy.js has no limit: an
answer that never comes, or ``Retry-After: 3600``, leaves its command pending)."""


@dataclass(frozen=True)
class EdgeSettings:
    datastream_id: str
    org_id: str
    edge_domain: str
    edge_base_path: str
    target_migration_enabled: bool = False
    config_overrides: JsonObject | None = None  # configure's edgeConfigOverrides

    @property
    def edge_origin(self) -> str:
        """``https://{edgeDomain}``, or the explicit origin alloy-py also accepts."""
        if is_explicit_origin(self.edge_domain):
            return self.edge_domain.rstrip("/")
        return f"https://{self.edge_domain}"


def _header_getter(response: HttpResponse) -> Callable[[str], str | None]:
    def getHeader(name: str) -> str | None:  # noqa: N802 (alloy's name, shown to the page)
        """The response's header ``name``, as ``Headers.get`` (``None`` when absent)."""
        return response.header(str(name))

    return getHeader


def is_explicit_origin(edge_domain: str) -> bool:
    return "://" in edge_domain


class EdgeClient:
    """Builds every request to the Edge (:meth:`new_request`) and sends it (:meth:`send`)."""

    def __init__(
        self,
        settings: EdgeSettings,
        browser: Browser,
        cookies: CookieJar,
        apex_domain: str,
        logger: Logger,
    ) -> None:
        self._settings = settings
        self._browser = browser
        self._cookies = cookies
        self._apex_domain = apex_domain
        self._logger = logger
        self._lifecycle: Lifecycle | None = None
        self._third_party_domain_failed = False

    def connect(self, lifecycle: Lifecycle) -> None:
        """The hooks to call around every request (the components exist only after this client)."""
        self._lifecycle = lifecycle

    @property
    def lifecycle(self) -> Lifecycle:
        assert self._lifecycle is not None, "EdgeClient.connect() was not called"
        return self._lifecycle

    def new_request(
        self,
        kind: RequestKind,
        overrides: JsonObject | None = None,
        content: JsonObject | None = None,
        *,
        identity_map_at_top: bool = False,
        configured_overrides: bool = True,
    ) -> EdgeRequest:
        """A request with ``meta.configOverrides`` (the configured ones, then the command's) merged in;
        ``configured_overrides=False`` leaves configure's out (alloy's requests built without request params)."""
        payload = RequestPayload(content, identity_map_at_top=identity_map_at_top)
        configured = self._settings.config_overrides if configured_overrides else None
        override = apply_config_overrides(payload, overrides, configured)
        return EdgeRequest(id=self._browser.uuid4(), payload=payload, kind=kind, datastream_id_override=override)

    async def send(self, request: EdgeRequest, handlers: RequestHandlers | None = None) -> JsonObject:
        """Send ``request`` and return the merged ``onResponse`` results."""
        handlers = RequestHandlers() if handlers is None else handlers
        lifecycle = self.lifecycle
        try:
            await lifecycle.before_request(request, handlers)
            origin = self._endpoint_origin(request)
            url = self._url(origin, request)
            self._add_queue_time(request)
            self._cookies_to_payload(request, origin)
            status, body, parsed, headers = await self._send_with_retries(request, url)
            check_status(status, body, parsed, self._logger.log)
        except Exception as error:
            if request.use_third_party_domain and isinstance(error, NetworkError):
                # The third-party ID domain is blocked: remember, and go first-party.
                self._third_party_domain_failed = True
                request.use_third_party_domain = False
                url = self._url(self._settings.edge_origin, request)
                self._cookies_to_payload(request, self._settings.edge_origin)
                try:
                    status, body, parsed, headers = await self._send_with_retries(request, url)
                except Exception as retry_error:
                    await lifecycle.failed(retry_error, handlers)
                    raise
            else:
                await lifecycle.failed(error, handlers)
                raise

        return await self._answered(EdgeResponse(parsed if isinstance(parsed, dict) else {}, headers), handlers)

    async def _answered(self, response: EdgeResponse, handlers: RequestHandlers) -> JsonObject:
        """The Edge's answer: its cookies, then every ``onResponse``; returns their merged results."""
        try:
            self._response_to_cookies(response)
            results = await self.lifecycle.responded(response, handlers)
        except Exception as error:
            # An answer we could not use counts as a failed request: whoever waits on
            # this one (the next requests, behind the first one's identity) goes on.
            await self.lifecycle.failed(error, handlers)
            raise
        return assign_concat_arrays(*results)

    async def apply_response(
        self, request: EdgeRequest, handlers: RequestHandlers, headers: Mapping[str, str], body: JsonObject
    ) -> JsonObject:
        """``applyResponse``: ``body`` as if the Edge had answered ``request`` with 200 (nothing is sent).

        Its ``state:store`` cookies are written; headers are read as given (``responseHeaders[name]``).
        """
        lifecycle = self.lifecycle
        try:
            await lifecycle.before_request(request, handlers)
            check_status(200, to_json(body), body, self._logger.log)
        except Exception as error:
            await lifecycle.failed(error, handlers)
            raise
        return await self._answered(EdgeResponse(body, dict(headers)), handlers)

    def _endpoint_origin(self, request: EdgeRequest) -> str:
        if self._third_party_domain_failed or not request.use_third_party_domain:
            return self._settings.edge_origin
        return THIRD_PARTY_ID_ORIGIN

    def location_hint(self) -> str | None:
        cluster = self._cookies.get(namespaced_cookie_name(self._settings.org_id, "cluster"))
        if cluster:
            return cluster
        mbox_cluster = self._cookies.get("mboxEdgeCluster")
        return f"t{mbox_cluster}" if mbox_cluster else None

    def _url(self, origin: str, request: EdgeRequest) -> str:
        settings = self._settings
        hint = self.location_hint()
        path = f"{settings.edge_base_path}/{hint}" if hint else settings.edge_base_path
        config_id = request.datastream_id_override or settings.datastream_id
        if config_id != settings.datastream_id:
            request.payload.merge_meta({"sdkConfig": {"datastream": {"original": settings.datastream_id}}})
        return (
            f"{origin}/{path}/v1/{request.action}?configId={config_id}"
            f"&requestId={request.id}{self._validation_token()}"
        )

    def _validation_token(self) -> str:
        query = parse_qs(urlsplit(self._browser.page().href).query)
        session = (query.get("adb_validation_sessionid") or [""])[-1]
        if not session:
            return ""
        key = storage_key("validation.clientId")
        client_id = self._browser.storage_get("local", key)
        if not client_id:
            client_id = self._browser.uuid4()
            self._browser.storage_set("local", key, client_id)
        return "&" + urlencode({"adobeAepValidationToken": f"{session}|{client_id}"})

    def _add_queue_time(self, request: EdgeRequest) -> None:
        events = request.payload.events
        if events:
            earliest = min(event.created_at_ms for event in events)
            waited = self._browser.now_ms() - earliest
            request.payload.merge_meta({"queueTimeMillis": max(0, min(waited, MAX_QUEUE_TIME_MS))})

    def _should_transfer(self, name: str) -> bool:
        prefix = namespaced_cookie_name(self._settings.org_id, "")
        return (
            name.startswith(prefix)
            or name == "at_qa_mode"
            or (self._settings.target_migration_enabled and name == "mbox")
        )

    def _cookies_to_payload(self, request: EdgeRequest, endpoint_origin: str) -> None:
        """Third-party endpoints cannot read our cookies: send them in ``meta.state``."""
        apex = self._apex_domain
        endpoint_domain = urlsplit(endpoint_origin).hostname or ""
        state: dict[str, Any] = {"domain": apex, "cookiesEnabled": True}
        if not (apex and endpoint_domain.endswith(apex)):
            entries = [
                {"key": name, "value": value}
                for name, value in self._cookies.all().items()
                if self._should_transfer(name)
            ]
            if entries:
                state["entries"] = entries
        request.payload.merge_state(state)

    def _response_to_cookies(self, response: EdgeResponse) -> None:
        """Third-party endpoints cannot write our cookies: ``state:store`` handles do.

        Any shape is written as alloy.js writes it (``String(key)``, ``String(value)``);
        an item that is not an object is skipped.
        """
        for item in response.payloads("state:store"):
            if not isinstance(item, dict):
                continue
            attrs = item.get("attrs")
            same_site_value = attrs.get("SameSite") if isinstance(attrs, dict) else None
            same_site = same_site_value.lower() if isinstance(same_site_value, str) and same_site_value else None
            max_age = item.get("maxAge")
            expires_ms = None
            if isinstance(max_age, (int, float)) and not isinstance(max_age, bool) and abs(max_age) < 1e13:
                expires_ms = self._browser.now_ms() + int(max_age * 1000)
            value = item.get("value")
            name = js_string(item.get("key")) if "key" in item else "undefined"
            if self._logger.enabled:  # alloy's logging cookie jar: the options it sets, expires as a date
                options: dict[str, Any] = {"domain": self._apex_domain}
                if expires_ms is not None:
                    options["expires"] = _log_date(expires_ms)
                if same_site is not None:
                    options.update(sameSite=same_site, **({"secure": True} if same_site == "none" else {}))
                self._logger.info("Setting cookie", {"name": name, "value": value, **options})
            self._cookies.set(
                name,
                "" if value is None and "value" not in item else js_string(value),
                domain=self._apex_domain,
                expires_ms=expires_ms,
                same_site=same_site,
                secure=same_site == "none",
            )

    async def _send_with_retries(
        self, request: EdgeRequest, url: str
    ) -> tuple[int, str, Any, dict[str, str]]:
        body = to_json(request.payload.to_json())
        size = len(body.encode("utf-8"))
        if size > MAX_PAYLOAD_BYTES:
            raise PayloadTooLargeError(
                f"The request payload is {size} bytes, over the Edge Network's limit of 64 KB "
                f"({MAX_PAYLOAD_BYTES} bytes). Send less data in this command's xdm or data."
            )
        payload = parse_body(body) if self._logger.enabled else None  # for the console and monitors only
        self._logger.on_before_network_request(url, request.id, payload)
        http_request = HttpRequest(url, body)
        handing_over(request.payload.events)
        retries = 0
        deadline = self._browser.now_ms() + REQUEST_TIMEOUT_MS
        try:
            while True:
                response = await self._send_before(deadline, http_request, request.use_send_beacon)
                if retries < MAX_RETRIES and response.status in RETRYABLE_STATUSES:
                    delay = self._retry_delay(response, retries)
                    if self._browser.now_ms() + delay >= deadline:
                        break  # alloy.js would wait (Retry-After: 3600): this answer is the last
                    await self._browser.sleep_ms(delay)
                    retries += 1
                    continue
                break
            forget_sent(self._browser, request.payload.events)  # handed to the browser: out of the durable queue
        except NetworkError as error:
            self._logger.on_network_error(url, request.id, payload, error)
            raise NetworkError("Network request failed.") from error
        try:
            parsed = parse_body(response.body)
        except TooDeep as reason:
            raise too_deep_error(response.status, response.body[:1000], reason) from None
        if self._logger.enabled:
            self._logger.on_network_response(
                {
                    "requestId": request.id,
                    "url": url,
                    "payload": payload,
                    "statusCode": response.status,
                    "body": response.body,
                    "parsedBody": parsed,
                    "getHeader": _header_getter(response),
                    "retriesAttempted": retries,
                },
                parsed,
            )
        return response.status, response.body, parsed, {k.lower(): v for k, v in response.headers.items()}

    async def _send_before(self, deadline: int, request: HttpRequest, use_beacon: bool) -> HttpResponse:
        left = deadline - self._browser.now_ms()
        try:
            return await asyncio.wait_for(self._send_once(request, use_beacon), max(left, 0) / 1000)
        except TimeoutError:
            raise NetworkError(
                f"The Edge Network did not answer within {REQUEST_TIMEOUT_MS // 1000} seconds."
            ) from None

    async def _send_once(self, request: HttpRequest, use_beacon: bool) -> HttpResponse:
        if use_beacon:
            if self._browser.send_beacon(request):
                return HttpResponse(204, "")
            self._logger.info("Unable to use `sendBeacon`; falling back to `fetch`.")
        return await self._browser.fetch(request)

    def _retry_delay(self, response: HttpResponse, retries: int) -> int:
        header = response.header("retry-after")
        if header:
            digits = header.strip()
            if digits.isascii() and digits.isdigit():  # not "²", which str.isdigit accepts
                return int(digits) * 1000
            try:
                when = parsedate_to_datetime(header).timestamp() * 1000
            except (TypeError, ValueError, OverflowError, OSError):
                when = None
            if when is not None:
                return max(0, int(when - self._browser.now_ms()))
        # Incremental (not exponential) delay, randomized by up to 30% either way.
        target = 1000 + retries * 1000
        variance = target * 0.3
        return round(target - variance + self._browser.random() * 2 * variance)


def _log_date(epoch_ms: int) -> datetime | str:
    """``new Date(epoch_ms)`` for the console (the browser shows it as a Date); ``"Invalid Date"`` past 9999."""
    try:
        return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return "Invalid Date"
