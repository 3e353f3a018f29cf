"""The emulator on HTTP: the Edge endpoints and the inspector as routes of a :class:`DevServer`.

:class:`EmulatedEdge` answers the Edge paths (with :func:`.edge.answer`) and
records every request; :class:`Inspector` shows the records (a page, a JSON
list, server-sent events); :class:`EdgeEmulator` is a DevServer with both
added, CORS on for its own and the allowed origins, and ``/`` linking the demo pages and the inspector. Each part
uses only the public methods of the others.
"""

from __future__ import annotations

import copy
import html
import json
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl

from alloy_py.edge.client import MAX_PAYLOAD_BYTES

from ..server import MAX_READ_BYTES, DevServer, PathLike, Request, Response
from .decisions import DEFAULT_DECISIONS, validate_decisions
from .edge import ACTIONS, CLUSTER, DEFAULT_DATASTREAMS, EdgeAnswer, answer

__all__ = ["EdgeEmulator", "EmulatedEdge", "Inspector"]

EDGE_PATH = re.compile(
    r"^/(?P<base>[^/]+)(?:/(?P<hint>[^/]+))?/v1/(?P<action>"
    + "|".join(re.escape(a) for a in ACTIONS) + r")/?$"
)
# Media events (alloy's Streaming media): /{base}[/{hint}]/va/v1/<action>, recorded as action "va/<action>".
MEDIA_PATH = re.compile(r"^/(?P<base>[^/]+)(?:/(?P<hint>[^/]+))?/va/v1/(?P<action>[A-Za-z]+)/?$")
INSPECTOR_HTML = Path(__file__).with_name("inspector.html")
HTML = "text/html; charset=utf-8"


class EmulatedEdge:
    """The Edge endpoints (a :data:`~alloy_py_dev.server.Route`) and the record of their requests."""

    def __init__(self, datastreams: Mapping[str, str], decisions: list[dict[str, Any]]) -> None:
        self.datastreams: dict[str, str] = dict(datastreams)
        self.decisions: list[dict[str, Any]] = validate_decisions(copy.deepcopy(decisions))
        self._lock = threading.Condition()
        self._requests: list[dict[str, Any]] = []
        self._next_id = 1
        self._closing = threading.Event()

    def __call__(self, request: Request) -> Response | None:
        media = MEDIA_PATH.match(request.path)
        match = media or EDGE_PATH.match(request.path)
        if match is None:
            return None
        if request.method != "POST":
            return Response(405, content_type="text/plain", headers=[("Allow", "POST, OPTIONS")])
        # A body too large to read is answered 413 (and the connection closed) unread.
        body = b"\0" * (MAX_PAYLOAD_BYTES + 1) if request.body is None else request.body
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        action = ("va/" if media else "") + match["action"].rstrip("/")
        ans = answer(action, query, body, cookie_header=request.headers.get("Cookie", ""),
                     datastreams=dict(self.datastreams), decisions=list(self.decisions))
        payload = b"" if ans.body is None else json.dumps(ans.body).encode("utf-8")
        headers = [("x-adobe-edge", f"{CLUSTER};1")]
        for name, value, max_age in ans.cookies:
            headers.append(("Set-Cookie", f"{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax"))
        # Recorded before answering: whoever got the answer finds it in .requests.
        self.record(request, match, action, query, body, ans)
        return Response(ans.status, payload, ans.content_type, headers, close=ans.status == 413)

    def record(self, request: Request, match: re.Match[str], action: str,
               query: dict[str, str], body: bytes, ans: EdgeAnswer) -> None:
        mode = request.headers.get("Sec-Fetch-Mode")
        beacon = mode == "no-cors" if mode else action == "collect"
        text = body[:MAX_READ_BYTES].decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": "POST",
            "path": request.target.split("?", 1)[0],
            "action": action,
            "basePath": match["base"],
            "locationHint": match["hint"],
            "query": query,
            "configId": query.get("configId"),
            "requestId": query.get("requestId"),
            "transport": "beacon" if beacon else "fetch",
            "beacon": beacon,
            "origin": request.headers.get("Origin"),
            "referer": request.headers.get("Referer"),
            "cookie": request.headers.get("Cookie", ""),
            "contentType": request.headers.get("Content-Type"),
            "status": ans.status,
            "error": ans.error,
            "orgId": ans.org_id,
            "eventTypes": ans.event_types,
            "notification": ans.notification,
            "ecid": ans.ecid,
            "ecidSource": ans.ecid_source,
            "decisionIds": ans.decision_ids,
            "interactions": ans.interactions,
            "consent": ans.consent,
            "body": parsed,
            "rawBody": text if parsed is None else None,
            "bodyBytes": len(body),
            "response": ans.body,
        }
        with self._lock:
            record["id"] = self._next_id
            self._next_id += 1
            self._requests.append(record)
            self._lock.notify_all()

    # -- the record ------------------------------------------------------------
    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every Edge request so far (a copy), oldest first."""
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def wait_for(self, count: int = 1, *, timeout: float = 30, **match: Any) -> list[dict[str, Any]]:
        """Wait until ``count`` recorded requests have all the ``match`` values
        (e.g. ``action="collect"``); return them. Raises ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [r for r in self._requests
                         if all(r.get(k) == v for k, v in match.items())]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{len(found)}/{count} requests matching {match} after {timeout}s: "
                        f"{[(r['action'], r['status']) for r in self._requests]}")
                self._lock.wait(min(remaining, 0.5))

    def last_id(self) -> int:
        with self._lock:
            return self._next_id - 1

    def wait_after(self, last_id: int, timeout: float) -> list[dict[str, Any]]:
        """The records after ``last_id``, waiting up to ``timeout`` s for one (not once closed)."""
        with self._lock:
            fresh = [r for r in self._requests if r["id"] > last_id]
            if not fresh and not self._closing.is_set():
                self._lock.wait(timeout)
                fresh = [r for r in self._requests if r["id"] > last_id]
            return fresh

    @property
    def closed(self) -> bool:
        return self._closing.is_set()

    def open(self) -> None:
        self._closing.clear()

    def close(self) -> None:
        """End the waits (event streams end too)."""
        self._closing.set()
        with self._lock:
            self._lock.notify_all()


REDACTED = "<redacted>"
CONSENT_COOKIE = re.compile(r"^kndctr_.+_consent$")


def redact_cookies(header: str) -> tuple[str, str | None]:
    """``a=<redacted>; b=<redacted>`` of a ``Cookie`` header (names kept), and the consent cookie's value.

    The values are the visitor's cookies for the emulator's host (127.0.0.1 is shared by every
    local server); Adobe's consent cookie (``kndctr_<org>_consent``, ``general=in``) is only the
    emulator's own answer, and shown.
    """
    parts, consent = [], None
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if not name and not sep:
            continue
        if consent is None and CONSENT_COOKIE.match(name):
            consent = value
        parts.append(f"{name}={REDACTED}" if sep else name)
    return "; ".join(parts), consent


def for_the_inspector(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the inspector serves it: the ``Cookie`` header without its values."""
    cookie, consent = redact_cookies(str(record.get("cookie") or ""))
    return {**record, "cookie": cookie, "consentCookie": consent}


class Inspector:
    """``/inspector/``: the requests an :class:`EmulatedEdge` recorded, live.

    Served to the emulator's own origin only (the DevServer's CORS and ``Host`` checks),
    and the records' ``Cookie`` headers without their values (:func:`for_the_inspector`).
    """

    def __init__(self, edge: EmulatedEdge) -> None:
        self.edge = edge

    def __call__(self, request: Request) -> Response | None:
        if request.method == "POST":
            return None
        if request.path == "/inspector":
            return Response(301, content_type="text/plain", headers=[("Location", "/inspector/")])
        if request.path == "/inspector/":
            return Response(200, INSPECTOR_HTML.read_bytes(), HTML)
        if request.path == "/inspector/api/requests":
            since = dict(parse_qsl(request.query)).get("since", "0")
            since_id = int(since) if since.isdigit() else 0
            fresh = [for_the_inspector(r) for r in self.edge.requests if r["id"] > since_id]
            return Response(200, json.dumps(fresh).encode("utf-8"), "application/json")
        if request.path == "/inspector/stream":
            # Before the headers: a request recorded once the client sees them must be streamed.
            return Response(200, content_type="text/event-stream", stream=self._events(self.edge.last_id()))
        return None

    def _events(self, last: int) -> Iterator[bytes]:
        """Server-sent events: one ``request`` event per recorded request."""
        yield b": alloy-py edge emulator\n\n"
        while not self.edge.closed:
            fresh = self.edge.wait_after(last, timeout=15)
            if not fresh:
                yield b": keep-alive\n\n"
            for record in fresh:
                last = record["id"]
                yield f"id: {last}\nevent: request\ndata: {json.dumps(for_the_inspector(record))}\n\n".encode()


def index_page(server: DevServer) -> str:
    """``/``: links to the demo pages of the static folder and to the inspector."""
    demos = sorted((server.root / "demo").glob("*.html")) if server.root else []
    links = [f'<li><a href="/demo/{html.escape(p.name)}">demo/{html.escape(p.name)}</a></li>' for p in demos]
    links.append('<li><a href="/inspector/">inspector</a>: the requests the emulated Edge received</li>')
    return ("<!doctype html><html><head><meta charset=\"utf-8\"><title>alloy-py dev server</title></head>"
            f"<body><h1>alloy-py dev server</h1><p>edgeDomain: <code>{html.escape(server.url)}</code></p>"
            f"<ul>{''.join(links)}</ul></body></html>\n")


class EdgeEmulator(DevServer):
    """A local Edge Network: ``with EdgeEmulator() as edge: ... edge.url ...``.

    ``datastreams`` maps configId → orgId (the demo datastream
    ``demo-datastream-0001`` → ``DEMO0123456789ABCDEF0123@AdobeOrg`` is added
    unless ``demo=False``); ``decisions`` is the list of propositions to answer
    from (the built-in demo set by default). ``static_dir`` and ``mounts``
    (``{"/vendor/alloy/": dir}``) are served as files (``Cache-Control: no-cache``);
    :meth:`add_page` serves in-memory pages; ``headers`` go on every response. :attr:`requests` lists every Edge
    request recorded so far (:attr:`edge`: the :class:`EmulatedEdge`).

    CORS: pages of the emulator's own origin (any loopback name, this port) read its
    answers; a page served by another server that uses the emulator as its
    ``edgeDomain`` needs its origin in ``cors_origins`` (or :meth:`allow_origin`).
    ``Host`` names other than loopback ones (and ``allowed_hosts``) are refused (421).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        static_dir: PathLike | None = None,
        mounts: Mapping[str, PathLike] | None = None,
        datastreams: Mapping[str, str] | None = None,
        decisions: list[dict[str, Any]] | None = None,
        demo: bool = True,
        headers: Mapping[str, str] | None = None,
        cors_origins: Iterable[str] = (),
        allowed_hosts: Iterable[str] = (),
        verbose: bool = False,
    ) -> None:
        super().__init__(static_dir, host=host, port=port, mounts=mounts, cache_control="no-store",
                         file_cache_control="no-cache", cors=True, cors_expose="x-adobe-edge",
                         cors_origins=cors_origins, allowed_hosts=allowed_hosts,
                         headers=headers, verbose=verbose)
        self.edge = EmulatedEdge({**(DEFAULT_DATASTREAMS if demo else {}), **(datastreams or {})},
                                 DEFAULT_DECISIONS if decisions is None else decisions)
        self.add_route(self.edge)
        self.add_route(Inspector(self.edge))
        if self.root is None or not (self.root / "index.html").is_file():
            self.add_page("/", index_page(self), content_type=HTML)

    @property
    def static_dir(self) -> Path | None:
        return self.root

    # -- the Edge's state, as before: edge.datastreams, edge.decisions, edge.requests --
    @property
    def datastreams(self) -> dict[str, str]:
        return self.edge.datastreams

    @property
    def decisions(self) -> list[dict[str, Any]]:
        return self.edge.decisions

    @decisions.setter
    def decisions(self, decisions: list[dict[str, Any]]) -> None:
        self.edge.decisions = decisions

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every Edge request so far (a copy), oldest first."""
        return self.edge.requests

    def clear(self) -> None:
        self.edge.clear()

    def wait_for(self, count: int = 1, *, timeout: float = 30, **match: Any) -> list[dict[str, Any]]:
        return self.edge.wait_for(count, timeout=timeout, **match)

    def start(self) -> Self:
        self.edge.open()
        super().start()
        return self

    def close(self) -> None:
        self.edge.close()
        super().close()
