"""The one dev server under CPython: pages, files, Cache-Control, uploads, routes, the log."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from alloy_py_dev.emulator import EdgeEmulator
from alloy_py_dev.server import MAX_UPLOAD_BYTES, DevServer, Request, Response


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


# -- who may talk to it (issue 22: DNS rebinding, CORS, uploads) ---------------------------
def raw(server: DevServer, method: str, path: str, headers: dict[str, str],
        body: bytes | None = None) -> tuple[int, Any, bytes]:
    """One request with exactly these headers (``Host`` included: urllib would set its own)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def echo_route(request: Request) -> Response | None:
    return Response(200, b"secret", "text/plain") if request.path == "/api" else None


def test_only_loopback_and_configured_host_names_are_served(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    with DevServer(tmp_path) as server:
        port = server.port
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"www.shop.localhost:{port}",
                     "127.0.0.2", f"[::1]:{port}", f"LOCALHOST:{port}"):
            assert raw(server, "GET", "/a.txt", {"Host": host})[0] == 200, host
        # A DNS-rebinding name (evil.example resolving to 127.0.0.1) is not served: 421.
        for host in (f"evil.example:{port}", "localhost.evil.example", f"127.0.0.1.nip.io:{port}",
                     "user@localhost", "a b"):
            status, _, body = raw(server, "GET", "/a.txt", {"Host": host})
            assert status == 421 and body != b"a", host
        assert raw(server, "POST", "/a.txt", {"Host": "evil.example"}, b"x")[0] == 421
        assert raw(server, "GET", "/a.txt", {})[0] == 400  # HTTP/1.1: Host required
    with DevServer(tmp_path, allowed_hosts=["dev.example.test"]) as server:
        assert raw(server, "GET", "/a.txt", {"Host": f"dev.example.test:{server.port}"})[0] == 200
        assert raw(server, "GET", "/a.txt", {"Host": "evil.example"})[0] == 421


def test_cors_is_for_the_servers_own_loopback_origins_and_the_allowed_ones(tmp_path: Path) -> None:
    with DevServer(tmp_path, cors=True, cors_expose="x-test") as server:
        server.add_route(echo_route)
        port = server.port
        host = {"Host": f"127.0.0.1:{port}"}

        def allowed(origin: str) -> str | None:
            return raw(server, "GET", "/api", {**host, "Origin": origin})[1]["Access-Control-Allow-Origin"]

        # Any other website (or another local port) reads nothing with the visitor's cookies.
        for origin in ("https://evil.example", f"https://localhost:{port}", "http://127.0.0.1:3000",
                       f"http://evil.example:{port}", "null"):
            assert allowed(origin) is None, origin
        status, headers, _ = raw(server, "OPTIONS", "/api", {
            **host, "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert status == 403 and headers["Access-Control-Allow-Origin"] is None
        # The server's own pages, under any loopback name of this port, do.
        for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}",
                       f"http://www.shop.localhost:{port}"):
            assert allowed(origin) == origin
        _, headers, _ = raw(server, "GET", "/api", {**host, "Origin": f"http://localhost:{port}"})
        assert (headers["Access-Control-Allow-Credentials"], headers["Access-Control-Expose-Headers"]) == (
            "true", "x-test")
        # And the origins allowed explicitly (another local server's pages using this one).
        server.allow_origin("http://127.0.0.1:3000/")
        assert allowed("http://127.0.0.1:3000") == "http://127.0.0.1:3000"
        assert allowed("http://127.0.0.1:3001") is None
        status, headers, _ = raw(server, "OPTIONS", "/api", {
            **host, "Origin": "http://127.0.0.1:3000", "Access-Control-Request-Method": "POST"})
        assert status == 204 and headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"
    with DevServer(tmp_path, cors=True, cors_origins=["http://localhost:5173"]) as server:
        server.add_route(echo_route)
        _, headers, _ = raw(server, "GET", "/api", {"Host": f"127.0.0.1:{server.port}",
                                                    "Origin": "http://localhost:5173"})
        assert headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


def test_uploads_come_once_from_this_origin_and_not_too_big(tmp_path: Path) -> None:
    with DevServer(tmp_path) as server:
        server.accept_uploads("/up")
        here = {"Host": f"127.0.0.1:{server.port}"}
        same = {**here, "Origin": server.url, "Sec-Fetch-Site": "same-origin"}
        # Another website's page posting into the build: refused, not stored.
        for foreign in ({**here, "Origin": "https://evil.example"},
                        {**here, "Origin": "http://localhost:1"},
                        {**here, "Origin": server.url, "Sec-Fetch-Site": "cross-site"},
                        {**here, "Sec-Fetch-Site": "same-site"}):
            assert raw(server, "POST", "/up", foreign, b"evil")[0] == 403, foreign
        assert server.page_body("/up") is None
        assert raw(server, "POST", "/up", same, b"bytes")[0] == 204
        assert server.page_body("/up") == b"bytes"
        assert raw(server, "POST", "/up", same, b"again")[0] == 409  # one upload only
        assert server.page_body("/up") == b"bytes"
        assert raw(server, "GET", "/up", here)[2] == b"bytes"
        big = server.accept_uploads("/big", max_bytes=1000)
        assert raw(server, "POST", big, same, b"x" * 1001)[0] == 413
        assert server.page_body("/big") is None
        assert raw(server, "POST", big, same, b"x" * 1000)[0] == 204


def test_uploads_default_to_a_random_path_and_64_mib(tmp_path: Path) -> None:
    with DevServer(tmp_path) as server:
        path = server.accept_uploads()
        assert path.startswith("/__upload__/") and len(path) > 30
        assert path != server.accept_uploads()  # a new one each time
        here = {"Host": f"127.0.0.1:{server.port}", "Origin": server.url}
        # Refused from the headers alone: the 64 MiB + 1 bytes are never sent.
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        try:
            connection.putrequest("POST", path, skip_host=True)
            for name, value in {**here, "Content-Length": str(MAX_UPLOAD_BYTES + 1)}.items():
                connection.putheader(name, value)
            connection.endheaders()
            assert connection.getresponse().status == 413
        finally:
            connection.close()
        assert MAX_UPLOAD_BYTES == 64 * 1024 * 1024
        assert raw(server, "POST", path, here, b"ok")[0] == 204
