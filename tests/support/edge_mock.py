"""A mock Adobe Edge on Playwright routes: :class:`EdgeMock` and its :class:`MockAnswer`.

The ``edge`` fixture of tests/browser (and the parity harness) answers through it.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["EDGE_URL_PATTERNS", "EdgeMock", "MockAnswer"]

EDGE_URL_PATTERNS = ("https://edge.adobedc.net/**", "https://adobedc.demdex.net/**")


@dataclass
class MockAnswer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # dict/list -> JSON; str/bytes sent as is; None -> empty body.
    body: Any = None


HandlerResult = MockAnswer | tuple | dict | None
Handler = Callable[[dict], HandlerResult]


class EdgeMock:
    """Records and answers every request to the Adobe Edge Network hosts.

    Each intercepted request is appended to :attr:`requests` as a dict::

        {
          "method": "POST",
          "url": "https://edge.adobedc.net/ee/v1/interact?configId=..&requestId=..",
          "host": "edge.adobedc.net",          # or "adobedc.demdex.net"
          "path": "/ee/v1/interact",
          "query": {"configId": "...", "requestId": "..."},   # last value wins
          "body": {...} | None,                # post_data parsed as JSON, else None
          "raw_body": "..." | None,            # request.post_data
          "content_type": "text/plain; charset=UTF-8" | None,
          "headers": {...},                    # request.all_headers(), lower-case
          "resource_type": "fetch" | "ping" | "xhr" | ...,
          "beacon": bool,                      # resource_type == "ping"
          "response": {"status": 200, "headers": {...}, "body": "..."},
          "time": <time.monotonic()>,
        }

    **Beacons.** In Playwright (Chromium) a ``navigator.sendBeacon`` request has
    ``request.resource_type == "ping"`` (checked in Debian Chromium 156 with
    playwright 1.65); ``fetch`` — including ``fetch(..., {keepalive: true})`` —
    is ``"fetch"``, XHR is ``"xhr"``. A string beacon body is sent as
    ``text/plain;charset=UTF-8``, a ``Blob`` with its own type otherwise. Beacons
    are always answered ``204`` (handlers are not consulted for them).

    **Answers.** For a non-beacon request the handlers added with
    :meth:`add_handler` are tried in order; the first one that returns
    something other than ``None`` answers (a ``once`` handler is then removed).
    Otherwise the default answer is sent: ``200`` JSON
    ``{"requestId": <query requestId or a uuid>, "handle": []}`` (or the body of
    :attr:`default_body` / :meth:`set_default`). A handler receives the
    recorded request dict and returns an :class:`MockAnswer`, a tuple
    ``(status, headers, body)``/``(status, body)``, or a dict with any of the
    keys ``status``/``headers``/``body``. A body that is a dict/list is sent as
    JSON. A handler that raises answers 500 and fails the test at teardown.

    Every answer carries ``content-type: application/json`` (unless given),
    ``x-adobe-edge: or2;35``, and CORS headers for credentialed requests:
    ``access-control-allow-origin: <page origin>``,
    ``access-control-allow-credentials: true``,
    ``access-control-expose-headers: x-adobe-edge, x-request-id``. Headers a
    handler returns override these (e.g. ``access-control-allow-origin: *`` to
    simulate a CORS failure of a credentialed fetch). Playwright answers CORS
    preflights (OPTIONS) itself when a route is active; they are not recorded.

    Playwright's sync API only dispatches route handlers while it is waiting,
    so use :meth:`wait_for` (which pumps via ``page.wait_for_timeout``) rather
    than ``time.sleep``.
    """

    DEFAULT_HEADERS = {
        "content-type": "application/json;charset=utf-8",
        "x-adobe-edge": "or2;35",
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "x-adobe-edge, x-request-id",
    }

    def __init__(self, context: Any, origin: str) -> None:
        self.context = context
        self.origin = origin
        self.requests: list[dict] = []
        self.errors: list[BaseException] = []
        self._handlers: list[tuple[Handler, bool]] = []
        self.default_status = 200
        self.default_headers: dict[str, str] = {}
        self.default_body: Any = None  # None -> {"requestId": ..., "handle": []}
        self.patterns: list[str] = []
        for pattern in EDGE_URL_PATTERNS:
            self.intercept(pattern)

    # -- configuration ---------------------------------------------------
    def intercept(self, pattern: str) -> None:
        """Also intercept ``pattern`` (e.g. a custom first-party edgeDomain)."""
        self.context.route(pattern, self._on_route)
        self.patterns.append(pattern)

    def add_handler(self, handler: Handler, *, once: bool = False) -> Handler:
        """Add a response handler; ``once=True`` answers a single request."""
        self._handlers.append((handler, once))
        return handler

    def respond_next(self, body: Any = None, *, status: int = 200,
                     headers: dict | None = None,
                     when: Callable[[dict], bool] | None = None) -> None:
        """Answer the next (matching) non-beacon request with this response."""
        def handler(req: dict) -> MockAnswer | None:
            if when is not None and not when(req):
                return None
            return MockAnswer(status, dict(headers or {}), body)
        self.add_handler(handler, once=True)

    def set_default(self, body: Any = None, *, status: int = 200,
                    headers: dict | None = None) -> None:
        """Change the default answer (``body=None`` keeps the requestId echo)."""
        self.default_status = status
        self.default_headers = dict(headers or {})
        self.default_body = body

    # -- queries ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self.requests)

    def __iter__(self):
        return iter(list(self.requests))

    def __getitem__(self, i: int) -> dict:
        return self.requests[i]

    def matching(self, path_contains: str | None = None, *,
                 beacon: bool | None = None,
                 predicate: Callable[[dict], bool] | None = None) -> list[dict]:
        out = []
        for req in list(self.requests):
            if path_contains is not None and path_contains not in req["path"]:
                continue
            if beacon is not None and req["beacon"] != beacon:
                continue
            if predicate is not None and not predicate(req):
                continue
            out.append(req)
        return out

    @property
    def interacts(self) -> list[dict]:
        return self.matching("/interact")

    @property
    def collects(self) -> list[dict]:
        return self.matching("/collect")

    def wait_for(self, count: int = 1, *, timeout: float = 10.0,
                 page: Any = None, path_contains: str | None = None,
                 beacon: bool | None = None,
                 predicate: Callable[[dict], bool] | None = None) -> list[dict]:
        """Wait until at least ``count`` (matching) requests were recorded.

        ``timeout`` is in seconds. Returns the matching requests; raises
        ``AssertionError`` listing what was seen on timeout. ``page`` defaults
        to the context's first page (it is used to pump Playwright's loop).
        """
        deadline = time.monotonic() + timeout
        while True:
            found = self.matching(path_contains, beacon=beacon, predicate=predicate)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                seen = [f'{r["method"]} {r["host"]}{r["path"]}' for r in self.requests]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} edge request(s)"
                    f" (path_contains={path_contains!r}, beacon={beacon}); got "
                    f"{len(found)} matching; all recorded: {seen}"
                )
            pump = page
            if pump is None:
                pages = self.context.pages
                if not pages:
                    raise RuntimeError("edge.wait_for needs an open page")
                pump = pages[0]
            pump.wait_for_timeout(25)

    def expect_no_requests(self, *, within: float = 0.5, page: Any = None) -> None:
        """Assert that no new request arrives during ``within`` seconds."""
        before = len(self.requests)
        pump = page or self.context.pages[0]
        pump.wait_for_timeout(int(within * 1000))
        new = self.requests[before:]
        assert not new, f"unexpected edge requests: {[r['url'] for r in new]}"

    # -- routing ---------------------------------------------------------
    def _record(self, request: Any) -> dict:
        split = urlsplit(request.url)
        headers = request.all_headers()
        raw = request.post_data
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, TypeError):
            body = None
        resource_type = request.resource_type
        return {
            "method": request.method,
            "url": request.url,
            "host": split.hostname,
            "path": split.path,
            "query": dict(parse_qsl(split.query, keep_blank_values=True)),
            "body": body,
            "raw_body": raw,
            "content_type": headers.get("content-type"),
            "headers": headers,
            "resource_type": resource_type,
            "beacon": resource_type == "ping",
            "response": None,
            "time": time.monotonic(),
        }

    def _default(self, req: dict) -> MockAnswer:
        body = self.default_body
        if body is None:
            body = {"requestId": req["query"].get("requestId") or str(uuid.uuid4()), "handle": []}
        return MockAnswer(self.default_status, dict(self.default_headers), body)

    @staticmethod
    def _coerce(result: HandlerResult) -> MockAnswer:
        if isinstance(result, MockAnswer):
            return result
        if isinstance(result, tuple):
            if len(result) == 3:
                return MockAnswer(int(result[0]), dict(result[1] or {}), result[2])
            if len(result) == 2:
                return MockAnswer(int(result[0]), {}, result[1])
        if isinstance(result, dict) and set(result) <= {"status", "headers", "body"}:
            return MockAnswer(int(result.get("status", 200)),
                                dict(result.get("headers") or {}), result.get("body"))
        raise TypeError(
            "edge handler must return MockAnswer, (status, headers, body), "
            f"(status, body), a dict of status/headers/body, or None; got {result!r}"
        )

    def _answer(self, req: dict) -> MockAnswer:
        if req["beacon"]:
            return MockAnswer(204, {}, None)
        for entry in list(self._handlers):
            handler, once = entry
            result = handler(req)
            if result is None:
                continue
            if once:
                self._handlers.remove(entry)
            return self._coerce(result)
        return self._default(req)

    def _on_route(self, route: Any, request: Any) -> None:
        req = self._record(request)
        self.requests.append(req)
        try:
            resp = self._answer(req)
        except BaseException as exc:  # surfaced at teardown
            self.errors.append(exc)
            resp = MockAnswer(500, {}, {"error": f"edge handler raised {exc!r}"})
        origin = req["headers"].get("origin") or self.origin
        headers = {**self.DEFAULT_HEADERS, "access-control-allow-origin": origin}
        headers.update({k.lower(): str(v) for k, v in resp.headers.items()})
        body = resp.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        elif body is None:
            body = ""
        req["response"] = {"status": resp.status, "headers": headers,
                           "body": body if isinstance(body, str) else bytes(body)}
        route.fulfill(status=resp.status, headers=headers, body=body)
