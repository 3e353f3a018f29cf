"""The one development server: static files, in-memory pages and optional routes.

Tests, the parity report, the benchmarks, ``make demo`` and ``make serve`` all
use :class:`DevServer`; the Edge emulator (:class:`alloy_py_dev.emulator.EdgeEmulator`)
is a DevServer with the emulated Edge and its inspector added as routes.

What it serves, in this order:

* **routes**: callables added with :meth:`DevServer.add_route`; each gets a
  :class:`Request` and returns a :class:`Response`, or ``None`` to pass;
* **in-memory pages**: ``server.add_page("/t/basic.html", html)`` serves a
  string or bytes at an exact path (the query string is ignored), with its own
  headers and status, from the same origin as the files;
* **mounts**: extra directories under a URL prefix, the longest prefix first,
  e.g. ``{"/vendor/alloy/": "node_modules/@adobe/alloy/dist"}``;
* **the root folder** (``web/dist`` usually); without one (and no mount matching),
  404: never the working directory.

A file ``X`` with a ``X.br``/``X.gz`` next to it is served from that variant,
with ``Content-Encoding``, when the request accepts it (:mod:`.precompressed`).
Every response carries a ``Content-Type`` from :data:`MIME_TYPES` and a real
``Cache-Control``: ``cache_control`` (``no-store`` by default; files use
``file_cache_control`` when given), unless the page or route sets its own, so
the long-lived caching of a production server can be tried locally.

**Uploads**: ``path = server.accept_uploads()`` makes one ``POST`` to ``path`` (a
random, unguessable one unless given) store its body as the in-memory page
``path``, for tools that hand bytes back from the page (tools/build_snapshot.py):
once only, up to ``max_bytes``, and only from the server's own origin.
:meth:`DevServer.delay` answers GETs under a prefix late (a slow network).
:attr:`DevServer.served` lists ``(method, path)`` of every request.

Why :class:`http.server.ThreadingHTTPServer`: standard library only, a thread
per connection is plenty for one developer's browser (long-lived event streams
simply hold their thread), and blocking handlers keep the routes plain. It is a
development tool: keep it on 127.0.0.1 (the default).

**Who may talk to it**: any website the developer visits meanwhile can make the
browser send requests to 127.0.0.1, so

* the ``Host`` header must name a loopback host (``localhost``, ``*.localhost``,
  ``127.x.x.x``, ``[::1]``), the address the server is bound to, or one of
  ``allowed_hosts``: anything else (a DNS-rebinding name) is answered 421;
* with ``cors=True``, only *allowed origins* may read the answers
  cross-origin: ``http://`` + a loopback host on the server's own port (pages of
  the server itself, under another loopback name such as ``www.shop.localhost``),
  or one of ``cors_origins`` (:meth:`DevServer.allow_origin`; e.g. the origin of
  another local server whose pages use this one as their ``edgeDomain``). Other
  origins get no ``Access-Control-Allow-Origin`` (their preflights get 403);
* uploads come from the server's own origin only (:meth:`DevServer.accept_uploads`).

Usage::

    with DevServer("web/dist", mounts={"/vendor/alloy/": alloy_dist}) as server:
        server.add_page("/t/basic.html", "<!doctype html>...")
        print(server.url_for("/t/basic.html"))
"""
from __future__ import annotations

import http.server
import ipaddress
import mimetypes
import os
import posixpath
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any, Self
from urllib.parse import unquote, urlsplit

from .precompressed import PrecompressedFiles

__all__ = ["MAX_READ_BYTES", "MAX_UPLOAD_BYTES", "MIME_TYPES", "DevServer", "Request", "Response", "Route",
           "guess_content_type", "is_loopback_host"]

MIME_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".cjs": "text/javascript",
    ".map": "application/json",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".tar": "application/x-tar",
    ".gz": "application/gzip",
    ".css": "text/css; charset=utf-8",
    ".py": "text/x-python; charset=utf-8",
    ".toml": "application/toml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".d.ts": "text/plain; charset=utf-8",
    "": "application/octet-stream",
}
# A POST body larger than this is not read (the route gets ``body=None``).
MAX_READ_BYTES = 8 * 1024 * 1024
# An upload larger than this (by default) is refused unread: 413.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024

PathLike = str | os.PathLike[str]


def guess_content_type(path: str) -> str:
    """The ``Content-Type`` served for ``path`` (by its extension)."""
    ext = posixpath.splitext(path)[1].lower()
    return MIME_TYPES.get(ext) or mimetypes.guess_type(path)[0] or MIME_TYPES[""]


def is_loopback_host(hostname: str) -> bool:
    """``localhost``, ``*.localhost`` (loopback in browsers, RFC 6761), ``127.x.x.x`` or ``::1``."""
    name = hostname.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_and_port(netloc: str) -> tuple[str, int | None] | None:
    """``("www.shop.localhost", 8000)`` of ``www.shop.localhost:8000`` (``[::1]`` -> ``::1``); None: malformed."""
    try:
        split = urlsplit("//" + netloc)
        port = split.port
    except ValueError:
        return None
    if not split.hostname or split.username is not None or split.password is not None or split.path:
        return None
    return split.hostname, port


def _origin_parts(origin: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an ``Origin`` header (the default port filled in); None: not one."""
    try:
        split = urlsplit(origin)
        port = split.port
    except ValueError:
        return None
    if split.scheme not in ("http", "https") or not split.hostname or split.path or split.query:
        return None
    return split.scheme, split.hostname, port or (443 if split.scheme == "https" else 80)


@dataclass
class _Upload:
    max_bytes: int
    once: bool
    done: bool = False


@dataclass
class Request:
    """What a route sees: ``path`` is unquoted, without the query string."""

    method: str
    target: str  # the request target as sent: path and query, still quoted
    path: str
    query: str
    headers: Message
    body: bytes | None = b""  # None: a POST body over MAX_READ_BYTES, not read


@dataclass
class Response:
    """A page or a route's answer. ``stream``: chunks written (and flushed) one by one."""

    status: int = 200
    body: bytes = b""
    content_type: str = MIME_TYPES[""]
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False  # close the connection after this response
    stream: Iterable[bytes] | None = None


Route = Callable[[Request], Response | None]


class _Handler(PrecompressedFiles):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.dev.verbose:
            super().log_message(format, *args)

    def guess_type(self, path: Any) -> str:
        return guess_content_type(str(path))

    def end_headers(self) -> None:
        dev = self.server.dev
        buffered = b"".join(getattr(self, "_headers_buffer", []))  # http.server: the headers so far
        cache_control = dev.file_cache_control if self._file else dev.cache_control
        if cache_control and b"\r\ncache-control:" not in buffered.lower():
            self.send_header("Cache-Control", cache_control)
        for name, value in dev.headers.items():
            if f"\r\n{name.lower()}:".encode() not in buffered.lower():
                self.send_header(name, value)
        if dev.cors and not self._file and self._host_ok:
            origin = self.headers.get("Origin")
            if origin and dev.origin_allowed(origin):
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Access-Control-Allow-Credentials", "true")
                self.send_header("Access-Control-Expose-Headers", dev.cors_expose)
            elif origin:
                dev.note_refused_origin(origin)
            self.send_header("Vary", "Origin")
        super().end_headers()

    # -- who may ask ----------------------------------------------------------------
    _host_ok = False  # set once the Host header is checked (no CORS headers on a refusal)

    def parse_request(self) -> bool:
        """http.server's parsing, then the ``Host`` check (DNS rebinding): 421 for a foreign name."""
        self._host_ok = False
        if not super().parse_request():
            return False
        host = self.headers.get("Host")
        if host is None:
            self.send_error(400, "Host header required")
            return False
        if not self.server.dev.host_allowed(host):
            self.close_connection = True
            self._send(Response(421, f"not served for Host {host!r} (only loopback names and "
                                     "configured hosts)\n".encode(), "text/plain; charset=utf-8",
                                close=True), head=self.command == "HEAD")
            return False
        self._host_ok = True
        return True

    def _same_origin(self) -> bool:
        """Not a cross-origin browser request: no ``Origin``/``Sec-Fetch-Site``, or this very origin."""
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site != "same-origin":
            return False
        origin = self.headers.get("Origin")
        if origin is None:
            return True
        parts = _origin_parts(origin)
        here = _host_and_port(self.headers.get("Host") or "")
        return (parts is not None and here is not None and parts[0] == "http"
                and (parts[1], parts[2]) == (here[0], here[1] or 80))

    # -- answering ------------------------------------------------------------
    def _request(self, body: bytes | None = b"") -> Request:
        split = urlsplit(self.path)
        return Request(self.command, self.path, unquote(split.path), split.query, self.headers, body)

    def _answer(self, request: Request) -> bool:
        """Answer from a route or a page; False when neither does."""
        response = self.server.dev.respond(request)
        if response is None:
            return False
        self._send(response, head=request.method == "HEAD")
        return True

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        if response.body or response.stream is not None or response.status != 204:
            self.send_header("Content-Type", response.content_type)
        if response.stream is None:
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if response.close or response.stream is not None:
            self.close_connection = True
        if response.stream is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        if response.body:
            self.wfile.write(response.body)
        try:
            for chunk in response.stream or ():
                self.wfile.write(chunk)
                self.wfile.flush()
        except OSError:  # the client went away (BrokenPipe, ConnectionReset...)
            pass

    _file = False  # set while a file (root or mount) is being served

    def _serve_file(self, head: bool) -> None:
        dev = self.server.dev
        if dev.root is None and not dev.mounts:
            self._send(Response(404, b"not found\n", "text/plain"), head)
            return
        self._file = True
        try:
            super().do_HEAD() if head else super().do_GET()
        finally:
            self._file = False

    # -- methods ----------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        self._get(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._get(head=True)

    def _get(self, head: bool) -> None:
        dev = self.server.dev
        dev.log_request(self.command, self.path)
        if not head:
            dev.wait_before(unquote(urlsplit(self.path).path))
        if not self._answer(self._request()):
            self._serve_file(head)

    def do_POST(self) -> None:  # noqa: N802
        dev = self.server.dev
        dev.log_request(self.command, self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._send(Response(400, b"bad Content-Length\n", "text/plain", close=True), head=False)
            return
        path = unquote(urlsplit(self.path).path)
        upload = dev.upload_for(path)
        if upload is not None:
            self._upload(path, upload, length)
            return
        if length > MAX_READ_BYTES:
            self.close_connection = True
            body = None
        else:
            body = self.rfile.read(length) if length else b""
        if not self._answer(self._request(body)):
            self._send(Response(404, b"not found\n", "text/plain"), head=False)

    def _upload(self, path: str, upload: _Upload, length: int) -> None:
        """Store the body as the page ``path``: once, from this origin, up to ``upload.max_bytes``."""
        dev = self.server.dev
        refusal: Response | None = None
        if not self._same_origin():
            refusal = Response(403, b"uploads are accepted from this origin only\n", "text/plain")
        elif length > upload.max_bytes:
            refusal = Response(413, f"upload over {upload.max_bytes} bytes\n".encode(), "text/plain")
        elif not dev.claim_upload(path):
            refusal = Response(409, b"already uploaded\n", "text/plain")
        if refusal is not None:  # the body is not read: close rather than leave it on the connection
            refusal.close = True
            self._send(refusal, head=False)
            return
        dev.add_page(path, self.rfile.read(length), content_type=MIME_TYPES[""])
        self._send(Response(204), head=False)

    def do_OPTIONS(self) -> None:  # noqa: N802
        """CORS preflights, when the server answers cross-origin requests (``cors=True``)."""
        dev = self.server.dev
        if not dev.cors:
            self.send_error(501, f"Unsupported method ({self.command!r})")
            return
        origin = self.headers.get("Origin")
        if origin is not None and not dev.origin_allowed(origin):
            self._send(Response(403, b"origin not allowed\n", "text/plain"), head=False)
            return
        self._send(Response(204, headers=[
            ("Access-Control-Allow-Methods", "POST, GET, OPTIONS"),
            ("Access-Control-Allow-Headers", self.headers.get("Access-Control-Request-Headers") or "Content-Type"),
            ("Access-Control-Max-Age", "600"),
        ]), head=False)

    def translate_path(self, path: str) -> str:
        dev = self.server.dev
        clean = urlsplit(path).path
        for prefix, directory in dev.mounts:
            if clean.startswith(prefix):
                self.directory = str(directory)
                return super().translate_path("/" + clean[len(prefix):])
        if dev.root is None:
            return "/nonexistent/alloy-py-dev-server"
        self.directory = str(dev.root)
        return super().translate_path(path)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dev: DevServer) -> None:
        self.dev = dev
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        _Handler(request, client_address, self, directory=str(self.dev.root or "."))

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A page that navigates away mid-download resets its connections: not an error.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class DevServer:
    """Static files from ``root`` + mounts + in-memory pages + routes, on 127.0.0.1.

    ``cache_control`` is the ``Cache-Control`` of every response that sets none
    itself (``None``: no header), ``file_cache_control`` that of files (defaults
    to ``cache_control``). ``cors=True``
    answers preflights and lets the allowed origins (loopback ones on this port,
    and ``cors_origins``) read (with credentials) what is not a file, exposing
    ``cors_expose``. ``allowed_hosts``: ``Host`` names served besides the loopback
    ones and the bound address (see the module docstring). ``headers`` are sent on every response
    that does not set them itself, files included (e.g. ``Cross-Origin-Opener-Policy``
    and ``Cross-Origin-Embedder-Policy``, which an isolated page needs on its
    scripts and workers too); the attribute can be changed while serving.
    """

    def __init__(
        self,
        root: PathLike | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        mounts: Mapping[str, PathLike] | None = None,
        cache_control: str | None = "no-store",
        file_cache_control: str | None = None,
        cors: bool = False,
        cors_expose: str = "",
        cors_origins: Iterable[str] = (),
        allowed_hosts: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
        verbose: bool = False,
    ) -> None:
        self.root: Path | None = Path(root).resolve() if root is not None else None
        self.cache_control = cache_control
        self.file_cache_control = cache_control if file_cache_control is None else file_cache_control
        self.cors = cors
        self.cors_expose = cors_expose
        self.cors_origins: set[str] = set()
        for origin in cors_origins:
            self.allow_origin(origin)
        self.allowed_hosts: set[str] = {h.lower().rstrip(".") for h in allowed_hosts}
        self._refused_origins: set[str] = set()
        self.headers: dict[str, str] = dict(headers or {})
        self.verbose = verbose
        self.mounts: list[tuple[str, Path]] = []
        self.routes: list[Route] = []
        self._lock = threading.Lock()
        self._pages: dict[str, Response] = {}
        self._uploads: dict[str, _Upload] = {}
        self._served: list[tuple[str, str]] = []
        self._delays: dict[str, float] = {}
        self._httpd = _Server((host, port), self)
        for prefix, directory in (mounts or {}).items():
            self.add_mount(prefix, directory)
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                            name="dev-server", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the CLI); then close."""
        try:
            self._httpd.serve_forever()
        finally:
            self.close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.close()

    def close(self) -> None:
        """Release the listening socket (after :meth:`stop`, or instead of serving)."""
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------
    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The origin, e.g. ``http://127.0.0.1:40123`` (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + "/" + path.lstrip("/")

    # -- who may ask -------------------------------------------------------------------
    def host_allowed(self, host: str) -> bool:
        """Serve a request whose ``Host`` header is ``host``? (loopback, the bound address, ``allowed_hosts``)"""
        parsed = _host_and_port(host)
        if parsed is None:
            return False
        name = parsed[0].lower().rstrip(".")
        return is_loopback_host(name) or name == self.host.lower() or name in self.allowed_hosts

    def allow_origin(self, origin: str) -> None:
        """Let pages of ``origin`` (``http://127.0.0.1:8000``) read this server's answers (with ``cors=True``)."""
        parts = _origin_parts(origin.rstrip("/"))
        if parts is None:
            raise ValueError(f"not an origin: {origin!r} (scheme://host[:port])")
        self.cors_origins.add("{}://{}:{}".format(*parts))

    def origin_allowed(self, origin: str) -> bool:
        """May a page of ``origin`` read the answers? A loopback origin on this port, or an allowed one."""
        parts = _origin_parts(origin)
        if parts is None:
            return False
        scheme, host, port = parts
        if scheme == "http" and port == self.port and is_loopback_host(host):
            return True
        return f"{scheme}://{host}:{port}" in self.cors_origins

    def note_refused_origin(self, origin: str) -> None:
        """Say once per origin (on stderr) why its pages cannot read the answers."""
        with self._lock:
            if origin in self._refused_origins or len(self._refused_origins) > 100:
                return
            self._refused_origins.add(origin)
        print(f"alloy-py dev server {self.url}: no CORS for origin {origin!r}"
              " (allow it with cors_origins= / --cors-origin)", file=sys.stderr, flush=True)

    # -- content ---------------------------------------------------------------------
    def add_route(self, route: Route) -> Route:
        """Ask ``route`` first, for every GET, HEAD and POST (in the order added)."""
        self.routes.append(route)
        return route

    def add_mount(self, prefix: str, directory: PathLike) -> str:
        """Serve ``directory`` under URL ``prefix`` (e.g. ``/vendor/alloy/``)."""
        prefix = "/" + prefix.strip("/") + "/"
        with self._lock:
            mounts = [m for m in self.mounts if m[0] != prefix]
            mounts.append((prefix, Path(directory).resolve()))
            mounts.sort(key=lambda m: len(m[0]), reverse=True)
            self.mounts = mounts
        return self.url_for(prefix)

    def add_page(
        self,
        path: str,
        body: str | bytes,
        *,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        status: int = 200,
    ) -> str:
        """Serve ``body`` at ``path`` (exact match, query ignored); return its URL.

        ``content_type`` defaults from the extension (``.html`` -> text/html;
        charset=utf-8). ``headers`` are added to the response (e.g. a
        Content-Security-Policy, or its own Cache-Control). Adding the same path
        again replaces it.
        """
        path = "/" + path.lstrip("/")
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        page = Response(status, data, content_type or guess_content_type(path),
                        list((headers or {}).items()))
        with self._lock:
            self._pages[path] = page
        return self.url_for(path)

    def remove_page(self, path: str) -> None:
        with self._lock:
            self._pages.pop("/" + path.lstrip("/"), None)

    def clear_pages(self) -> None:
        with self._lock:
            self._pages.clear()

    def page_body(self, path: str) -> bytes | None:
        with self._lock:
            page = self._pages.get(path)
        return page.body if page is not None else None

    def accept_uploads(self, path: str | None = None, *, max_bytes: int = MAX_UPLOAD_BYTES,
                       once: bool = True) -> str:
        """A ``POST`` to ``path`` stores its body as the page ``path`` (see :meth:`page_body`); return ``path``.

        Without ``path``, a random one (``/__upload__/<token>``): pass it to the page.
        Refused (the body unread): from another origin (403; browsers send
        ``Origin`` with every POST), over ``max_bytes`` (413), and with ``once``
        (the default) any upload after the first (409).
        """
        if path is None:
            path = "/__upload__/" + secrets.token_urlsafe(16)
        path = "/" + path.lstrip("/")
        with self._lock:
            self._uploads[path] = _Upload(max_bytes, once)
        return path

    def accepts_upload(self, path: str) -> bool:
        with self._lock:
            upload = self._uploads.get(path)
            return upload is not None and not upload.done

    def upload_for(self, path: str) -> _Upload | None:
        with self._lock:
            return self._uploads.get(path)

    def claim_upload(self, path: str) -> bool:
        """Take the upload slot of ``path`` (False: a ``once`` upload already came)."""
        with self._lock:
            upload = self._uploads.get(path)
            if upload is None or upload.done:
                return False
            upload.done = upload.once
            return True

    def respond(self, request: Request) -> Response | None:
        """The routes' answer to ``request``, else its in-memory page (GET/HEAD), else ``None``."""
        for route in list(self.routes):
            response = route(request)
            if response is not None:
                return response
        if request.method not in ("GET", "HEAD"):
            return None
        with self._lock:
            return self._pages.get(request.path)

    # -- a slow network ----------------------------------------------------------------
    def delay(self, prefix: str, seconds: float) -> None:
        """Answer GETs of paths under ``prefix`` ``seconds`` late (0 removes the delay)."""
        with self._lock:
            if seconds:
                self._delays[prefix] = seconds
            else:
                self._delays.pop(prefix, None)

    def wait_before(self, path: str) -> None:
        """Sleep as :meth:`delay` says for a GET of ``path`` (in the thread serving it)."""
        with self._lock:
            seconds = next((s for prefix, s in self._delays.items() if path.startswith(prefix)), 0.0)
        if seconds:
            time.sleep(seconds)

    # -- request log -----------------------------------------------------------------
    def log_request(self, method: str, target: str) -> None:
        with self._lock:
            self._served.append((method, target))

    @property
    def served(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request served so far (a copy; the path with its query)."""
        with self._lock:
            return list(self._served)

    def clear_served(self) -> None:
        with self._lock:
            self._served.clear()
