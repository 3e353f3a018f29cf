"""A tiny static HTTP server for browser tests and ``make demo``.

It serves one root directory (normally ``web/dist``) on 127.0.0.1, plus:

* **mounts**: extra directories under a URL prefix, e.g.
  ``{"/vendor/alloy/": "node_modules/@adobe/alloy/dist"}``;
* **in-memory pages**: ``server.add_page("/t/basic.html", html)`` serves a
  string or bytes at an exact path (the query string is ignored), from the same
  origin as the root, so nothing has to be written to disk.

Lookup order: in-memory pages, then the longest matching mount, then the root.

**Uploads**: ``server.accept_uploads("/x")`` makes a ``POST /x`` store its body
as the in-memory page ``/x`` (``application/octet-stream``), for tools that
hand bytes back from the page (tools/build_snapshot.py).

A file ``X`` with a ``X.br``/``X.gz`` next to it is served from that variant,
with ``Content-Encoding``, when the request accepts it
(:mod:`alloy_py.emulator.precompressed`, as the emulator does).

Responses carry explicit MIME types (``.wasm`` application/wasm, ``.mjs``/``.js``
text/javascript, ``.whl`` application/zip, ``.json`` application/json, ...) and
``Cache-Control: no-store`` unless told otherwise. Logging is quiet; every
request is recorded in ``server.requests`` as ``(method, path)``.

Usage in code::

    with StaticServer("web/dist", mounts={"/vendor/alloy/": alloy_dist}) as srv:
        srv.add_page("/t/basic.html", "<!doctype html>...")
        print(srv.url_for("/t/basic.html"))

From the command line (what ``make demo`` runs)::

    python -m tests.support.static_server web/dist [--port 8000] \
        [--mount /vendor/alloy/=node_modules/@adobe/alloy/dist]
"""
from __future__ import annotations

import argparse
import http.server
import mimetypes
import os
import posixpath
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Union
from urllib.parse import unquote, urlsplit

from alloy_py.emulator.precompressed import PrecompressedFiles

__all__ = ["StaticServer", "MIME_TYPES"]

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


@dataclass
class _Page:
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


def _content_type_for(path: str) -> str:
    _, ext = posixpath.splitext(path)
    return MIME_TYPES.get(ext.lower()) or mimetypes.guess_type(path)[0] or MIME_TYPES[""]


class _Handler(PrecompressedFiles):
    server: "_Server"
    extensions_map = dict(MIME_TYPES)
    protocol_version = "HTTP/1.1"

    # -- quiet -------------------------------------------------------------
    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)

    # -- headers -----------------------------------------------------------
    def end_headers(self) -> None:
        if self.server.cache_control:
            self.send_header("Cache-Control", self.server.cache_control)
        for name, value in self.server.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def guess_type(self, path) -> str:  # type: ignore[override]
        return _content_type_for(str(path))

    # -- routing -----------------------------------------------------------
    def _record(self) -> None:
        with self.server.lock:
            self.server.requests.append((self.command, self.path))

    def _page(self) -> Optional[_Page]:
        path = unquote(urlsplit(self.path).path)
        with self.server.lock:
            return self.server.pages.get(path)

    def _serve_page(self, page: _Page, head: bool) -> None:
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(page.body)

    def do_GET(self) -> None:  # noqa: N802
        self._record()
        clean = urlsplit(self.path).path
        for prefix, seconds in list(self.server.delays.items()):
            if clean.startswith(prefix):
                time.sleep(seconds)  # a slow network for these files (this thread only)
                break
        page = self._page()
        if page is not None:
            return self._serve_page(page, head=False)
        return super().do_GET()

    def do_POST(self) -> None:  # noqa: N802
        self._record()
        path = unquote(urlsplit(self.path).path)
        with self.server.lock:
            accepted = path in self.server.uploads
        if not accepted:
            self.send_error(405)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.pages[path] = _Page(body, MIME_TYPES[""])
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802
        self._record()
        page = self._page()
        if page is not None:
            return self._serve_page(page, head=True)
        return super().do_HEAD()

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        for prefix, directory in self.server.mounts:
            if clean.startswith(prefix):
                saved = self.directory
                self.directory = directory
                try:
                    return super().translate_path("/" + path[len(prefix):])
                finally:
                    self.directory = saved
        return super().translate_path(path)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler, *, directory: str):
        super().__init__(addr, handler)
        self.directory = directory
        self.lock = threading.Lock()
        self.pages: dict[str, _Page] = {}
        self.uploads: set[str] = set()
        self.mounts: list[tuple[str, str]] = []
        self.requests: list[tuple[str, str]] = []
        self.cache_control: Optional[str] = "no-store"
        self.extra_headers: dict[str, str] = {}
        self.delays: dict[str, float] = {}
        self.verbose = False

    def finish_request(self, request, client_address) -> None:
        self.RequestHandlerClass(request, client_address, self, directory=self.directory)

    def handle_error(self, request, client_address) -> None:
        # A page that navigates away mid-download resets its connections: not an error.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


PathLike = Union[str, "os.PathLike[str]"]


class StaticServer:
    """Static files from ``root`` + mounts + in-memory pages, on 127.0.0.1."""

    def __init__(
        self,
        root: PathLike,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        mounts: Optional[Mapping[str, PathLike]] = None,
        cache_control: Optional[str] = "no-store",
        headers: Optional[Mapping[str, str]] = None,
        verbose: bool = False,
    ) -> None:
        self.root = Path(root).resolve()
        self._httpd = _Server((host, port), _Handler, directory=str(self.root))
        self._httpd.cache_control = cache_control
        self._httpd.extra_headers = dict(headers or {})
        self._httpd.verbose = verbose
        for prefix, directory in (mounts or {}).items():
            self.add_mount(prefix, directory)
        self._thread: Optional[threading.Thread] = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> "StaticServer":
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="static-server", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "StaticServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------
    @property
    def host(self) -> str:
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """The origin, e.g. ``http://127.0.0.1:40123`` (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    origin = url

    def url_for(self, path: str) -> str:
        return self.url + "/" + path.lstrip("/")

    # -- in-memory pages ---------------------------------------------------
    def add_page(
        self,
        path: str,
        body: Union[str, bytes],
        *,
        content_type: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        status: int = 200,
    ) -> str:
        """Serve ``body`` at ``path`` (exact match, query ignored); return its URL.

        ``content_type`` defaults from the extension (``.html`` -> text/html;
        charset=utf-8). ``headers`` are added to the response (e.g. a
        Content-Security-Policy). Adding the same path again replaces it.
        """
        if not path.startswith("/"):
            path = "/" + path
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        page = _Page(data, content_type or _content_type_for(path), dict(headers or {}), status)
        with self._httpd.lock:
            self._httpd.pages[path] = page
        return self.url_for(path)

    add_file = add_page

    def accept_uploads(self, path: str) -> None:
        """A ``POST`` to ``path`` stores its body as the page ``path`` (see :meth:`page_body`)."""
        with self._httpd.lock:
            self._httpd.uploads.add(path)

    def page_body(self, path: str) -> Optional[bytes]:
        with self._httpd.lock:
            page = self._httpd.pages.get(path)
        return page.body if page is not None else None

    def remove_page(self, path: str) -> None:
        if not path.startswith("/"):
            path = "/" + path
        with self._httpd.lock:
            self._httpd.pages.pop(path, None)

    def clear_pages(self) -> None:
        with self._httpd.lock:
            self._httpd.pages.clear()

    @property
    def pages(self) -> list[str]:
        with self._httpd.lock:
            return sorted(self._httpd.pages)

    # -- mounts ------------------------------------------------------------
    def delay(self, prefix: str, seconds: float) -> None:
        """Answer GETs of paths under ``prefix`` ``seconds`` late (0 removes the delay)."""
        if seconds:
            self._httpd.delays[prefix] = seconds
        else:
            self._httpd.delays.pop(prefix, None)

    def add_mount(self, prefix: str, directory: PathLike) -> str:
        """Serve ``directory`` under URL ``prefix`` (e.g. ``/vendor/alloy/``)."""
        prefix = "/" + prefix.strip("/") + "/"
        directory = str(Path(directory).resolve())
        with self._httpd.lock:
            mounts = [m for m in self._httpd.mounts if m[0] != prefix]
            mounts.append((prefix, directory))
            mounts.sort(key=lambda m: len(m[0]), reverse=True)
            self._httpd.mounts = mounts
        return self.url_for(prefix)

    # -- request log -------------------------------------------------------
    @property
    def requests(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request served so far (a copy)."""
        with self._httpd.lock:
            return list(self._httpd.requests)

    def clear_requests(self) -> None:
        with self._httpd.lock:
            self._httpd.requests.clear()

    @property
    def headers(self) -> dict[str, str]:
        """Headers added to every response (mutable)."""
        return self._httpd.extra_headers


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="Serve a static folder on 127.0.0.1 (no-store).")
    ap.add_argument("root", nargs="?", default="web/dist")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000, help="0 picks a free port (default 8000)")
    ap.add_argument("--mount", action="append", default=[], metavar="PREFIX=DIR")
    ap.add_argument("--path", default="/", help="path to print in the URL (default /)")
    ap.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = ap.parse_args(argv)
    mounts = {}
    for spec in args.mount:
        prefix, sep, directory = spec.partition("=")
        if not sep:
            ap.error(f"--mount expects PREFIX=DIR, got {spec!r}")
        mounts[prefix] = directory
    if not Path(args.root).is_dir():
        ap.error(f"{args.root} is not a directory (run `make web`?)")
    try:
        server = StaticServer(args.root, host=args.host, port=args.port, mounts=mounts,
                              verbose=args.verbose)
    except OSError as exc:
        ap.error(f"cannot listen on {args.host}:{args.port}: {exc} (try --port 0)")
    with server:
        print(f"Serving {server.root} at {server.url_for(args.path)}", flush=True)
        for prefix, directory in server._httpd.mounts:
            print(f"  {server.url_for(prefix)} -> {directory}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
