"""Browser-test fixtures: static server over web/dist, Debian Chromium, mock Edge.

Fixtures (besides pytest-playwright's ``browser``/``context``/``page``):

``static_server`` (session)
    :class:`tests.support.static_server.StaticServer` over ``web/dist`` on
    127.0.0.1 (random port), with ``node_modules/@adobe/alloy/dist`` mounted at
    ``/vendor/alloy/`` (reference alloy.js for parity tests, when installed).
``base_url`` (session)
    Its origin, e.g. ``http://127.0.0.1:40123``, so ``page.goto("/x.html")`` works.
``add_page`` (function)
    ``add_page(path, html, *, headers=None, content_type=None) -> absolute URL``;
    the page is served from the same origin as web/dist and removed after the test.
``dist_manifest`` (session)
    ``web/dist/manifest.json`` as a dict (``wheel``, ``version``, ``pyodide``...).
``wheel_url`` (session)
    Absolute URL of the alloy_py wheel in web/dist.
``edge`` (function)
    :class:`EdgeMock`: intercepts ``https://edge.adobedc.net/**`` and
    ``https://adobedc.demdex.net/**`` in the test's ``context``, records every
    request and answers it (see the class docstring).

Chromium: ``/usr/bin/chromium`` (Debian), overridable with ``ALLOY_PY_CHROMIUM``.
Every test in tests/browser gets the ``browser`` marker.
"""
from __future__ import annotations

import json
import runpy
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.support.static_server import StaticServer

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
ALLOY_REFERENCE_DIST = ROOT / "node_modules" / "@adobe" / "alloy" / "dist"
_LAUNCH = runpy.run_path(str(ROOT / "playwright.config.py"))
CHROMIUM = _LAUNCH["CHROMIUM"]
CHROMIUM_ARGS = _LAUNCH["CHROMIUM_ARGS"]

EDGE_URL_PATTERNS = ("https://edge.adobedc.net/**", "https://adobedc.demdex.net/**")


# --------------------------------------------------------------------------
# marker
# --------------------------------------------------------------------------
_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests/browser tests ``browser``; they run in collection order, among the others."""
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------
# web/dist + static server
# --------------------------------------------------------------------------
def _check_dist() -> dict:
    """Fail loudly (and say what to run) if web/dist is missing or stale."""
    hint = "run `make web` (builds web/dist from the repo)"
    manifest_path = DIST / "manifest.json"
    if not manifest_path.is_file():
        pytest.fail(f"{DIST} is not built: {hint}", pytrace=False)
    manifest = json.loads(manifest_path.read_text())
    wheel = DIST / manifest["wheel"]
    needed = [wheel, DIST / "pyodide" / "pyodide.mjs", DIST / "pyodide" / "pyodide.asm.wasm"]
    if (ROOT / "web" / "alloy-py.js").is_file():
        needed.append(DIST / "alloy-py.js")
    missing = [str(p.relative_to(ROOT)) for p in needed if not p.is_file()]
    if missing:
        pytest.fail(f"missing from web/dist: {', '.join(missing)}: {hint}", pytrace=False)
    built = manifest_path.stat().st_mtime
    sources = [ROOT / "pyproject.toml", ROOT / "web" / "alloy-py.js"]
    sources += list((ROOT / "alloy_py").rglob("*.py"))
    if (ROOT / "web" / "demo").is_dir():
        sources += [p for p in (ROOT / "web" / "demo").rglob("*") if p.is_file()]
    stale = [p for p in sources if p.is_file() and p.stat().st_mtime > built]
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale[:3])
        pytest.fail(f"web/dist is older than {names}: {hint}", pytrace=False)
    return manifest


@pytest.fixture(scope="session")
def dist_manifest() -> dict:
    return _check_dist()


@pytest.fixture(scope="session")
def static_server(dist_manifest: dict) -> Iterator[StaticServer]:
    mounts = {}
    if ALLOY_REFERENCE_DIST.is_dir():
        mounts["/vendor/alloy/"] = ALLOY_REFERENCE_DIST
    with StaticServer(DIST, mounts=mounts) as server:
        yield server


@pytest.fixture(scope="session")
def base_url(static_server: StaticServer) -> str:
    return static_server.url


@pytest.fixture(scope="session")
def wheel_url(static_server: StaticServer, dist_manifest: dict) -> str:
    return static_server.url_for(dist_manifest["wheel"])


@pytest.fixture
def add_page(static_server: StaticServer) -> Iterator[Callable[..., str]]:
    """``add_page(path, html, *, headers=None, content_type=None, status=200) -> url``."""
    added: list[str] = []

    def _add(path: str, body: Union[str, bytes], **kwargs: Any) -> str:
        url = static_server.add_page(path, body, **kwargs)
        added.append(path)
        return url

    yield _add
    for path in added:
        static_server.remove_page(path)


# --------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: run `make setup` (apt-get install chromium) "
            "or set ALLOY_PY_CHROMIUM",
            pytrace=False,
        )
    args = list(browser_type_launch_args.get("args", []))
    args += [a for a in CHROMIUM_ARGS if a not in args]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # Service workers would hide requests from context.route (playwright#1090).
    return {**browser_context_args, "service_workers": "block"}


# --------------------------------------------------------------------------
# mock Edge
# --------------------------------------------------------------------------
@dataclass
class EdgeResponse:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # dict/list -> JSON; str/bytes sent as is; None -> empty body.
    body: Any = None


HandlerResult = Union[EdgeResponse, tuple, dict, None]
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
    recorded request dict and returns an :class:`EdgeResponse`, a tuple
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
                     headers: Optional[dict] = None,
                     when: Optional[Callable[[dict], bool]] = None) -> None:
        """Answer the next (matching) non-beacon request with this response."""
        def handler(req: dict) -> Optional[EdgeResponse]:
            if when is not None and not when(req):
                return None
            return EdgeResponse(status, dict(headers or {}), body)
        self.add_handler(handler, once=True)

    def set_default(self, body: Any = None, *, status: int = 200,
                    headers: Optional[dict] = None) -> None:
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

    def matching(self, path_contains: Optional[str] = None, *,
                 beacon: Optional[bool] = None,
                 predicate: Optional[Callable[[dict], bool]] = None) -> list[dict]:
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
                 page: Any = None, path_contains: Optional[str] = None,
                 beacon: Optional[bool] = None,
                 predicate: Optional[Callable[[dict], bool]] = None) -> list[dict]:
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

    def _default(self, req: dict) -> EdgeResponse:
        body = self.default_body
        if body is None:
            body = {"requestId": req["query"].get("requestId") or str(uuid.uuid4()), "handle": []}
        return EdgeResponse(self.default_status, dict(self.default_headers), body)

    @staticmethod
    def _coerce(result: HandlerResult) -> EdgeResponse:
        if isinstance(result, EdgeResponse):
            return result
        if isinstance(result, tuple):
            if len(result) == 3:
                return EdgeResponse(int(result[0]), dict(result[1] or {}), result[2])
            if len(result) == 2:
                return EdgeResponse(int(result[0]), {}, result[1])
        if isinstance(result, dict) and set(result) <= {"status", "headers", "body"}:
            return EdgeResponse(int(result.get("status", 200)),
                                dict(result.get("headers") or {}), result.get("body"))
        raise TypeError(
            "edge handler must return EdgeResponse, (status, headers, body), "
            f"(status, body), a dict of status/headers/body, or None; got {result!r}"
        )

    def _answer(self, req: dict) -> EdgeResponse:
        if req["beacon"]:
            return EdgeResponse(204, {}, None)
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
            resp = EdgeResponse(500, {}, {"error": f"edge handler raised {exc!r}"})
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


@pytest.fixture
def edge(context: Any, base_url: str) -> Iterator[EdgeMock]:
    """Mock Adobe Edge for this test's browser context (see :class:`EdgeMock`)."""
    mock = EdgeMock(context, base_url)
    yield mock
    if mock.errors:
        raise mock.errors[0]
