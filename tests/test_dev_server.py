"""The one dev server under CPython: pages, files, Cache-Control, uploads, routes, the log."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from alloy_py_dev.emulator import EdgeEmulator
from alloy_py_dev.server import DevServer, Request, Response


def fetch(url: str, *, data: bytes | None = None) -> tuple[int, Any, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_pages_files_and_cache_control(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("b{}")
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "x.js").write_text("x")
    cached = "public, max-age=31536000, immutable"
    with DevServer(tmp_path, mounts={"/vendor/": tmp_path / "v"}, cache_control=cached) as server:
        server.add_page("/t/p.html", "<p>hi</p>", headers={"Cache-Control": "no-cache", "X-Test": "1"}, status=201)
        status, headers, body = fetch(server.url_for("/t/p.html?q=1"))
        assert (status, body, headers["X-Test"]) == (201, b"<p>hi</p>", "1")
        assert headers.get_all("Cache-Control") == ["no-cache"]  # the page's own, alone
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        status, headers, body = fetch(server.url_for("/a.css"))
        assert (status, headers["Content-Type"], headers.get_all("Cache-Control")) == (
            200, "text/css; charset=utf-8", [cached])
        assert fetch(server.url_for("/vendor/x.js"))[1]["Content-Type"] == "text/javascript"
        server.remove_page("/t/p.html")
        assert fetch(server.url_for("/t/p.html"))[0] == 404
        assert ("GET", "/t/p.html?q=1") in server.served
        server.clear_served()
        assert server.served == []


def test_headers_go_on_every_response_files_included(tmp_path: Path) -> None:
    (tmp_path / "w.js").write_text("x")
    isolation = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}
    with DevServer(tmp_path, headers=isolation) as server:
        server.add_page("/p.html", "<p>hi</p>", headers={"Cross-Origin-Embedder-Policy": "credentialless"})
        _, headers, _ = fetch(server.url_for("/w.js"))
        assert (headers["Cross-Origin-Opener-Policy"], headers["Cross-Origin-Embedder-Policy"]) == (
            "same-origin", "require-corp")
        _, headers, _ = fetch(server.url_for("/p.html"))
        assert headers.get_all("Cross-Origin-Embedder-Policy") == ["credentialless"]  # the page's own, alone
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        server.headers = {}
        assert "Cross-Origin-Opener-Policy" not in fetch(server.url_for("/w.js"))[1]


def test_uploads_routes_and_delays(tmp_path: Path) -> None:
    def echo(request: Request) -> Response | None:
        if request.path != "/echo":
            return None
        return Response(200, (request.body or b"") + request.query.encode(), "text/plain")

    with DevServer(tmp_path) as server:
        assert fetch(server.url_for("/up"), data=b"bytes")[0] == 404
        server.accept_uploads("/up")
        assert fetch(server.url_for("/up"), data=b"bytes")[0] == 204
        assert server.page_body("/up") == b"bytes"
        server.add_route(echo)
        assert fetch(server.url_for("/echo?x"), data=b"body")[2] == b"bodyx"
        server.add_page("/slow.txt", "s")
        server.delay("/slow", 0.3)
        started = time.monotonic()
        assert fetch(server.url_for("/slow.txt"))[2] == b"s"
        assert time.monotonic() - started >= 0.3
        server.delay("/slow", 0)
        server.clear_pages()
        assert fetch(server.url_for("/slow.txt"))[0] == 404


def test_the_emulator_links_the_demo_pages_and_the_inspector(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "shop.html").write_text("shop")
    (tmp_path / "a.js").write_text("a")
    with EdgeEmulator(static_dir=tmp_path) as edge:
        status, headers, body = fetch(edge.url_for("/"))
        assert status == 200 and headers["Cache-Control"] == "no-store"
        assert b'href="/demo/shop.html"' in body and b'href="/inspector/"' in body
        assert fetch(edge.url_for("/a.js"))[1]["Cache-Control"] == "no-cache"  # files revalidate
