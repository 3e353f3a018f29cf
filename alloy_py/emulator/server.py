"""The emulator's HTTP server: Edge endpoints, static files and the inspector.

Why :class:`http.server.ThreadingHTTPServer`: alloy-py has no runtime
dependencies and the emulator keeps it that way (``pip install alloy_py`` gives
``python -m alloy_py serve`` with nothing else). The job is small: a handful of
JSON POSTs per page view from one developer's browser, static files from disk,
and one long-lived server-sent-events stream per open inspector. A thread per
connection covers that (the SSE streams simply hold their thread), HTTP/1.1
keep-alive is built in, and a blocking handler keeps the Edge logic plain,
synchronous and easy to test. An asyncio framework would add a dependency or a
hand-written HTTP parser for no gain at this load. It is a development tool:
bind it to 127.0.0.1 (the default), never expose it.
"""

from __future__ import annotations

import copy
import http.server
import json
import mimetypes
import posixpath
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Optional, Union
from urllib.parse import parse_qsl, unquote, urlsplit

from .decisions import DEFAULT_DECISIONS, validate_decisions
from .edge import ACTIONS, CLUSTER, DEFAULT_DATASTREAMS, MAX_BODY_BYTES, EdgeAnswer, answer
from .precompressed import PrecompressedFiles

__all__ = ["EdgeEmulator"]

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".whl": "application/zip",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    "": "application/octet-stream",
}
EDGE_PATH = re.compile(
    r"^/(?P<base>[^/]+)(?:/(?P<hint>[^/]+))?/v1/(?P<action>"
    + "|".join(re.escape(a) for a in ACTIONS) + r")/?$"
)
INSPECTOR_HTML = Path(__file__).with_name("inspector.html")
MAX_READ_BYTES = 8 * 1024 * 1024
PathLike = Union[str, Path]


def _content_type(path: str) -> str:
    ext = posixpath.splitext(path)[1].lower()
    return MIME_TYPES.get(ext) or mimetypes.guess_type(path)[0] or MIME_TYPES[""]


class _Handler(PrecompressedFiles):
    server: "_Server"
    protocol_version = "HTTP/1.1"
    server_version = "alloy-py-edge-emulator"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.emulator.verbose:
            super().log_message(format, *args)

    def guess_type(self, path: Any) -> str:  # type: ignore[override]
        return _content_type(str(path))

    # -- CORS ------------------------------------------------------------
    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Credentials", "true")
            self.send_header("Access-Control-Expose-Headers", "x-adobe-edge")
            self.send_header("Vary", "Origin")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers",
                         self.headers.get("Access-Control-Request-Headers") or "Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- responses -------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str,
              headers: Optional[list[tuple[str, str]]] = None, head: bool = False) -> None:
        self.send_response(status)
        if body or status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers or []:
            self.send_header(name, value)
        self._cors()
        self.end_headers()
        if body and not head:
            self.wfile.write(body)

    def _send_json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode("utf-8"), "application/json")

    # -- GET -------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        self._get(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._get(head=True)

    def _get(self, head: bool) -> None:
        emulator = self.server.emulator
        split = urlsplit(self.path)
        path = unquote(split.path)
        if path in ("/inspector", "/inspector/"):
            if path == "/inspector":
                return self._send(301, b"", "text/plain", [("Location", "/inspector/")], head)
            return self._send(200, INSPECTOR_HTML.read_bytes(), "text/html; charset=utf-8",
                              head=head)
        if path == "/inspector/api/requests":
            since = dict(parse_qsl(split.query)).get("since", "0")
            since_id = int(since) if since.isdigit() else 0
            return self._send_json(200, [r for r in emulator.requests if r["id"] > since_id])
        if path == "/inspector/stream":
            return self._stream()
        page = emulator._pages.get(path)
        if page is not None:
            return self._send(200, page[0], page[1], head=head)
        if EDGE_PATH.match(path):
            return self._send(405, b"", "text/plain", [("Allow", "POST, OPTIONS")], head)
        if emulator.static_dir is None and not emulator.mounts:
            return self._send(404, b"not found\n", "text/plain", head=head)
        if head:
            return super().do_HEAD()
        return super().do_GET()

    def end_headers(self) -> None:
        # Static files: always revalidate (dev server).
        buffered = getattr(self, "_headers_buffer", None)  # http.server internals: headers set so far
        if not buffered or b"Cache-Control" not in b"".join(buffered):
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        emulator = self.server.emulator
        clean = urlsplit(path).path
        for prefix, directory in emulator.mounts:
            if clean.startswith(prefix):
                self.directory = str(directory)
                return super().translate_path("/" + clean[len(prefix):])
        if emulator.static_dir is None:
            return "/nonexistent/alloy-py-emulator"
        self.directory = str(emulator.static_dir)
        return super().translate_path(path)

    def _stream(self) -> None:
        """Server-sent events: one ``request`` event per recorded request."""
        emulator = self.server.emulator
        # Before the headers: a request recorded once the client sees them must be streamed.
        last = emulator._last_id()
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(b": alloy-py edge emulator\n\n")
            self.wfile.flush()
            while not emulator._closing.is_set():
                fresh = emulator._wait_after(last, timeout=15)
                if not fresh:
                    self.wfile.write(b": keep-alive\n\n")
                for record in fresh:
                    last = record["id"]
                    data = json.dumps(record)
                    self.wfile.write(f"id: {last}\nevent: request\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    # -- POST (Edge) ------------------------------------------------------
    def do_POST(self) -> None:  # noqa: N802
        split = urlsplit(self.path)
        match = EDGE_PATH.match(unquote(split.path))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_READ_BYTES:
            self.close_connection = True
            body = b"\0" * (MAX_BODY_BYTES + 1)  # not read: answered 413, connection closed
        else:
            body = self.rfile.read(length) if length else b""
        if match is None:
            return self._send(404, b"not found\n", "text/plain")
        self.server.emulator._handle_edge(self, match, split.query, body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: "EdgeEmulator") -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        _Handler(request, client_address, self, directory=str(self.emulator.static_dir or "."))


class EdgeEmulator:
    """A local Edge Network: ``with EdgeEmulator() as edge: ... edge.url ...``.

    ``datastreams`` maps configId → orgId (the demo datastream
    ``demo-datastream-0001`` → ``DEMO0123456789ABCDEF0123@AdobeOrg`` is added
    unless ``demo=False``); ``decisions`` is the list of propositions to answer
    from (the built-in demo set by default). ``static_dir`` and ``mounts``
    (``{"/vendor/alloy/": dir}``) are served as files; :meth:`add_page` serves
    in-memory pages. :attr:`requests` lists every Edge request recorded so far.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        static_dir: Optional[PathLike] = None,
        mounts: Optional[Mapping[str, PathLike]] = None,
        datastreams: Optional[Mapping[str, str]] = None,
        decisions: Optional[list[dict[str, Any]]] = None,
        demo: bool = True,
        verbose: bool = False,
    ) -> None:
        self.datastreams: dict[str, str] = dict(DEFAULT_DATASTREAMS) if demo else {}
        self.datastreams.update(datastreams or {})
        self.decisions: list[dict[str, Any]] = validate_decisions(
            copy.deepcopy(DEFAULT_DECISIONS if decisions is None else decisions))
        self.static_dir: Optional[Path] = Path(static_dir).resolve() if static_dir else None
        self.mounts: list[tuple[str, Path]] = []
        self.verbose = verbose
        self._pages: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Condition()
        self._requests: list[dict[str, Any]] = []
        self._next_id = 1
        self._closing = threading.Event()
        self._httpd = _Server((host, port), self)
        for prefix, directory in (mounts or {}).items():
            self.add_mount(prefix, directory)
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> "EdgeEmulator":
        if self._thread is None:
            self._closing.clear()
            self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                            name="edge-emulator", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the CLI)."""
        try:
            self._httpd.serve_forever()
        finally:
            self._closing.set()
            with self._lock:
                self._lock.notify_all()
            self._httpd.server_close()

    def stop(self) -> None:
        self._closing.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "EdgeEmulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------
    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """The origin, e.g. ``http://127.0.0.1:8080``: alloy-py's ``edgeDomain``."""
        return f"http://{self.host}:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + "/" + path.lstrip("/")

    # -- content -------------------------------------------------------------
    def add_mount(self, prefix: str, directory: PathLike) -> str:
        """Serve ``directory`` under ``prefix`` (e.g. ``/vendor/alloy/``)."""
        prefix = "/" + prefix.strip("/") + "/"
        self.mounts = [m for m in self.mounts if m[0] != prefix]
        self.mounts.append((prefix, Path(directory).resolve()))
        self.mounts.sort(key=lambda m: len(m[0]), reverse=True)
        return self.url_for(prefix)

    def add_page(self, path: str, body: Union[str, bytes], content_type: Optional[str] = None) -> str:
        """Serve ``body`` at ``path`` (exact, query ignored); return its URL."""
        path = "/" + path.lstrip("/")
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        self._pages[path] = (data, content_type or _content_type(path))
        return self.url_for(path)

    def remove_page(self, path: str) -> None:
        self._pages.pop("/" + path.lstrip("/"), None)

    # -- requests --------------------------------------------------------------
    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every Edge request so far (a copy), oldest first; see :meth:`_record`."""
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

    def _last_id(self) -> int:
        with self._lock:
            return self._next_id - 1

    def _wait_after(self, last_id: int, timeout: float) -> list[dict[str, Any]]:
        with self._lock:
            fresh = [r for r in self._requests if r["id"] > last_id]
            if not fresh and not self._closing.is_set():
                self._lock.wait(timeout)
                fresh = [r for r in self._requests if r["id"] > last_id]
            return fresh

    # -- the Edge ------------------------------------------------------------
    def _handle_edge(self, handler: _Handler, match: "re.Match[str]", query_string: str,
                     body: bytes) -> None:
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        action = match["action"].rstrip("/")
        ans = answer(action, query, body, cookie_header=handler.headers.get("Cookie", ""),
                     datastreams=dict(self.datastreams), decisions=list(self.decisions))
        payload = b"" if ans.body is None else json.dumps(ans.body).encode("utf-8")
        headers = [("x-adobe-edge", f"{CLUSTER};1")]
        for name, value, max_age in ans.cookies:
            headers.append(("Set-Cookie", f"{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax"))
        if ans.status == 413:
            handler.close_connection = True
        # Recorded before answering: whoever got the answer finds it in .requests.
        self._record(handler, match, action, query, body, ans)
        handler._send(ans.status, payload, ans.content_type, headers)

    def _record(self, handler: _Handler, match: "re.Match[str]", action: str,
                query: dict[str, str], body: bytes, ans: EdgeAnswer) -> None:
        mode = handler.headers.get("Sec-Fetch-Mode")
        beacon = mode == "no-cors" if mode else action == "collect"
        text = body[:MAX_READ_BYTES].decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        record = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "method": "POST",
            "path": handler.path.split("?", 1)[0],
            "action": action,
            "basePath": match["base"],
            "locationHint": match["hint"],
            "query": query,
            "configId": query.get("configId"),
            "requestId": query.get("requestId"),
            "transport": "beacon" if beacon else "fetch",
            "beacon": beacon,
            "origin": handler.headers.get("Origin"),
            "cookie": handler.headers.get("Cookie", ""),
            "contentType": handler.headers.get("Content-Type"),
            "status": ans.status,
            "error": ans.error,
            "orgId": ans.org_id,
            "eventTypes": ans.event_types,
            "notification": ans.notification,
            "ecid": ans.ecid,
            "ecidSource": ans.ecid_source,
            "decisionIds": ans.decision_ids,
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
