"""A pytest plugin to test what your pages send to Adobe's Edge Network (alloy.js or alloy-py).

Installed with the dev tools (``pip install ./dev``, or ``-e``), the ``alloy_py``
``pytest11`` entry point loads it in every pytest run; ``-p no:alloy_py`` turns it
off. Not installed (the package on ``sys.path`` only): ``-p alloy_py_dev.pytest_plugin``.
Not both: pytest would register the module twice (``ValueError``); to load it by
module name where it is installed, ``-p no:alloy_py -p alloy_py_dev.pytest_plugin``.

Fixtures:

``edge``
    An :class:`Edge`: a local Edge emulator (:class:`~alloy_py_dev.emulator.EdgeEmulator`
    on 127.0.0.1, a free port) for one test, and helpers to wait for and assert
    what reached it. Needs no browser.
``edge_page``
    pytest-playwright's ``page`` with its context's Edge traffic routed to ``edge``
    (requested only by the tests that use it, so pytest-playwright is optional).
``edge_domains``
    Extra edge domains to route, besides :data:`EDGE_DOMAINS` (``[]``; override it
    in a conftest for a first-party ``edgeDomain`` such as ``metrics.example.com``).

Why routing rather than configuration: the page under test should be the page
you ship, configured for the real Edge (no ``edgeDomain``, or your own). Its
requests to ``https://<edge domain>/ee/...`` are answered by the emulator
through Playwright's routes, with the emulator's status, headers and body; the
emulator's ``Set-Cookie`` lands in the browser context for the Edge domain and
goes back with the next request, as the real Edge's cookies would.

Nothing of a test reaches Adobe: a routed page's requests to ``*.adobedc.net`` or
``*.demdex.net`` that no route brings to the emulator (an ``edgeDomain`` such as
``other.adobedc.net`` not in ``edge_domains``, an ID-sync pixel...) are aborted,
never sent, and fail the test, naming their URLs (:attr:`Edge.unrouted`).
"""

from __future__ import annotations

import copy
import http.client
import time
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit

import pytest

from .emulator import EdgeEmulator
from .emulator.decisions import validate_decisions

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam
    from playwright.sync_api import BrowserContext, Page, Route

__all__ = ["ADOBE_DOMAINS", "EDGE_DOMAINS", "Edge", "EdgeEvent", "edge", "edge_domains", "edge_page",
           "is_adobe_url"]

# Where alloy.js and alloy-py send events when no edgeDomain is configured
# (adobedc.demdex.net: alloy's identity-less first request with third-party cookies).
EDGE_DOMAINS: tuple[str, ...] = ("edge.adobedc.net", "*.demdex.net")
# A routed page's requests to these domains (and their subdomains) that no Edge route takes are
# aborted and fail the test: the test's data never reaches Adobe.
ADOBE_DOMAINS: tuple[str, ...] = ("adobedc.net", "demdex.net")
# Not forwarded: http.client sets Host and Content-Length; the Cookie header is rebuilt from the context.
_DROPPED_REQUEST_HEADERS = frozenset({"host", "content-length", "connection", "cookie", "accept-encoding"})
_DROPPED_RESPONSE_HEADERS = frozenset({"connection", "content-length", "transfer-encoding", "keep-alive"})
_SAME_SITE: dict[str, Literal["Lax", "None", "Strict"]] = {"lax": "Lax", "none": "None", "strict": "Strict"}


def edge_url_patterns(domains: Iterable[str]) -> list[str]:
    """Playwright URL globs for the Edge requests to ``domains`` (``https://<domain>/ee/**``).

    An entry with ``://`` is taken as a glob already (another base path, say).
    """
    return [d if "://" in d else f"https://{d}/ee/**" for d in domains]


def is_adobe_url(url: str) -> bool:
    """Is ``url`` on one of :data:`ADOBE_DOMAINS` (``https://x.adobedc.net/...``, ``dpm.demdex.net``...)?"""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return False
    return any(host == domain or host.endswith("." + domain) for domain in ADOBE_DOMAINS)


def _unrouted_failure(urls: list[str]) -> str:
    listed = "\n".join(f"  {url}" for url in urls)
    return (f"{len(urls)} request(s) to Adobe's Edge went unrouted (aborted, not sent to Adobe):\n{listed}\n"
            "Route their domain to the emulator: override the edge_domains fixture (e.g. "
            "return [\"my-edge.adobedc.net\"]) or pass domains= to edge.route().")


@dataclass(frozen=True)
class EdgeEvent:
    """One XDM event the Edge received, with the request that carried it.

    Tests assert on events, not requests: alloy batches nothing today, but a
    request may carry several events and the same event may go by ``interact``
    (a fetch) or ``collect`` (a beacon), which the test rarely cares about.
    """

    type: str
    """``xdm.eventType`` (``""`` when the event has none)."""
    xdm: dict[str, Any]
    data: dict[str, Any]
    query: dict[str, Any]
    index: int
    """The event's position in its request's ``events``."""
    request: dict[str, Any]
    """The emulator's record of the request (``action``, ``path``, ``ecid``, ``beacon``, ``body``…)."""

    @property
    def ecid(self) -> str | None:
        """The visitor the emulator identified for this request (from a cookie, state, or minted)."""
        return cast("str | None", self.request.get("ecid"))

    @property
    def identity_map(self) -> dict[str, Any]:
        """The identities the page itself sent with the event (``xdm.identityMap``)."""
        identity_map = self.xdm.get("identityMap")
        return identity_map if isinstance(identity_map, dict) else {}

    @property
    def decisions(self) -> list[dict[str, Any]]:
        """The propositions the emulator answered this event with (its ``personalization:decisions``)."""
        response = self.request.get("response")
        handles = response.get("handle") if isinstance(response, dict) else None
        out: list[dict[str, Any]] = []
        for handle in handles if isinstance(handles, list) else []:
            if (isinstance(handle, dict) and handle.get("type") == "personalization:decisions"
                    and handle.get("eventIndex", 0) == self.index):
                out += [p for p in handle.get("payload") or [] if isinstance(p, dict)]
        return out


def _events_of(record: dict[str, Any]) -> list[EdgeEvent]:
    body = record.get("body")
    events = body.get("events") if isinstance(body, dict) else None
    out = []
    for index, event in enumerate(events if isinstance(events, list) else []):
        if not isinstance(event, dict):
            continue
        parts = [event.get(key) for key in ("xdm", "data", "query")]
        xdm, data, query = (p if isinstance(p, dict) else {} for p in parts)
        out.append(EdgeEvent(str(xdm.get("eventType", "")), xdm, data, query, index, record))
    return out


def _parse_set_cookie(header: str) -> tuple[str, str, dict[str, str]]:
    pair, *attributes = header.split(";")
    name, _, value = pair.strip().partition("=")
    attrs = {}
    for attribute in attributes:
        key, _, val = attribute.strip().partition("=")
        attrs[key.lower()] = val
    return name, value, attrs


def _expires(attrs: dict[str, str], now: float) -> float | None:
    """When a cookie expires (Unix time; ``Max-Age`` wins over ``Expires``), ``None``: session."""
    max_age = attrs.get("max-age", "")
    if max_age.lstrip("-").isdigit():
        return now + int(max_age)
    if attrs.get("expires"):
        try:
            return parsedate_to_datetime(attrs["expires"]).timestamp()
        except (TypeError, ValueError):
            return None
    return None


class Edge:
    """The Edge Network of one test: an :class:`EdgeEmulator` and what reached it.

    Pages reach it directly (alloy-py with ``edgeDomain: edge.url``) or, unchanged,
    through :meth:`route`. Every helper reads the emulator's record, so a test
    asserts on what went over the wire, whatever SDK sent it.
    """

    def __init__(self, emulator: EdgeEmulator, *, domains: Iterable[str] = ()) -> None:
        self.emulator = emulator
        self.domains: list[str] = [*EDGE_DOMAINS, *(d for d in domains if d not in EDGE_DOMAINS)]
        self.errors: list[BaseException] = []
        """What failed forwarding a routed request (the page saw a network error; ``edge`` raises it)."""
        self.routed: list[str] = []
        """The URLs of the requests :meth:`route` forwarded, in order (to tell the page used the routes)."""
        self.unrouted: list[str] = []
        """The URLs of routed pages' requests to :data:`ADOBE_DOMAINS` no Edge route took: aborted.

        Any fails the test (at the end of its call, else at teardown), naming them."""
        self._reported = 0
        self._targets: list[Page | BrowserContext] = []
        self._closed = False

    @property
    def url(self) -> str:
        """The emulator's origin, e.g. ``http://127.0.0.1:40123`` (an ``edgeDomain`` for alloy-py)."""
        return self.emulator.url

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every Edge request recorded so far, oldest first (see :class:`EmulatedEdge`)."""
        return self.emulator.requests

    # -- routing ------------------------------------------------------------------
    def route(self, target: Page | BrowserContext, *, domains: Iterable[str] | None = None) -> None:
        """Send ``target``'s requests to the Edge domains (:attr:`domains` by default) to the emulator.

        ``target`` is a sync-API ``BrowserContext`` (every page of it, popups too) or one
        ``Page``. The request goes to the emulator over HTTP with the page's headers
        (``Origin``, ``Sec-Fetch-Mode``: the emulator tells beacons by it) and, as
        ``Cookie``, the context's cookies for the Edge URL; the answer is fulfilled
        as the emulator gave it, and its ``Set-Cookie`` stored in the context for
        the Edge domain (whatever ``SameSite`` says: the real Edge sets ``None``).

        ``target``'s other requests to :data:`ADOBE_DOMAINS` are aborted and fail the test
        (:attr:`unrouted`): the guard is added first, so it runs after every route added
        since (Playwright runs the last added first) and takes what none of them took.
        """
        context = cast("BrowserContext", getattr(target, "context", target))

        def forward(route: Route) -> None:
            self._forward(route, context)

        target.route(is_adobe_url, self._refuse)
        for pattern in edge_url_patterns(self.domains if domains is None else domains):
            target.route(pattern, forward)
        self._targets.append(target)

    def _refuse(self, route: Route) -> None:
        """A request to Adobe no Edge route took: never sent; the test fails naming it."""
        self.unrouted.append(route.request.url)
        route.abort("blockedbyclient")

    def unrouted_failure(self) -> str | None:
        """The failure message for the :attr:`unrouted` requests not reported yet (``None``: none)."""
        fresh = self.unrouted[self._reported:]
        self._reported = len(self.unrouted)
        return _unrouted_failure(fresh) if fresh else None

    def _forward(self, route: Route, context: BrowserContext) -> None:
        if self._closed:
            route.abort()
            return
        try:
            request = route.request
            self.routed.append(request.url)
            split = urlsplit(request.url)
            headers = {k: v for k, v in request.all_headers().items()
                       if k.lower() not in _DROPPED_REQUEST_HEADERS and not k.startswith(":")}
            jar = "; ".join(f"{c.get('name')}={c.get('value')}" for c in context.cookies(request.url))
            if jar:
                headers["Cookie"] = jar
            if request.resource_type == "ping":
                headers.setdefault("sec-fetch-mode", "no-cors")
            origin = headers.get("origin")
            if origin and origin != "null":  # the real Edge answers any site's pages: this test's page may read
                try:
                    self.emulator.allow_origin(origin)
                except ValueError:
                    pass
            target = split.path + (f"?{split.query}" if split.query else "")
            connection = http.client.HTTPConnection(self.emulator.host, self.emulator.port, timeout=30)
            try:
                connection.request(request.method, target, body=request.post_data_buffer, headers=headers)
                response = connection.getresponse()
                body = response.read()
                answer_headers = response.getheaders()
                status = response.status
            finally:
                connection.close()
            cookies = [_parse_set_cookie(v) for k, v in answer_headers if k.lower() == "set-cookie"]
            self._store_cookies(context, split.hostname or "", cookies)
            fulfilled: dict[str, str] = {}
            for name, value in answer_headers:
                key = name.lower()
                if key in _DROPPED_RESPONSE_HEADERS:
                    continue
                separator = "\n" if key == "set-cookie" else ", "
                fulfilled[key] = f"{fulfilled[key]}{separator}{value}" if key in fulfilled else value
            route.fulfill(status=status, headers=fulfilled, body=body)
        except Exception as exc:  # the page sees a network error; the test fails at teardown
            self.errors.append(exc)
            route.abort()

    @staticmethod
    def _store_cookies(context: BrowserContext, host: str,
                       cookies: list[tuple[str, str, dict[str, str]]]) -> None:
        now = time.time()
        jar: list[SetCookieParam] = []
        for name, value, attrs in cookies:
            domain = attrs.get("domain", "").lstrip(".")
            cookie: SetCookieParam = {"name": name, "value": value,
                                      "domain": f".{domain}" if domain else host,
                                      "path": attrs.get("path") or "/", "secure": True,
                                      "httpOnly": "httponly" in attrs}
            same_site = _SAME_SITE.get(attrs.get("samesite", "").lower())
            if same_site:
                cookie["sameSite"] = same_site
            expires = _expires(attrs, now)
            if expires is not None and expires <= now:  # Max-Age=0 or a past date: a deletion
                context.clear_cookies(name=name, domain=cookie["domain"], path=cookie["path"])
                continue
            if expires is not None:
                cookie["expires"] = expires
            jar.append(cookie)
        if jar:
            context.add_cookies(jar)

    # -- waiting ------------------------------------------------------------------
    def _pump(self, seconds: float) -> None:
        """Wait ``seconds``, letting Playwright run the route handlers meanwhile.

        Playwright's sync API only runs them while it waits itself: a plain sleep
        would hold a routed request (and the wait) until the timeout.
        """
        for target in self._targets:
            pages = cast("list[Page]", getattr(target, "pages", None) or [target])
            for page in pages:
                if not page.is_closed():
                    page.wait_for_timeout(seconds * 1000)
                    return
        self.emulator.edge.wait_after(self.emulator.edge.last_id(), seconds)

    def wait_for_events(self, type: str | None = None, *, count: int = 1,
                        timeout: float = 10.0) -> list[EdgeEvent]:
        """Wait until ``count`` events (of ``type``, if given) arrived; return them all.

        Raises ``TimeoutError`` naming the event types that did arrive.
        """
        if count < 1:
            raise ValueError(f"count must be at least 1, not {count}")
        deadline = time.monotonic() + timeout
        while True:
            found = self.events(type)
            remaining = deadline - time.monotonic()
            if len(found) >= count:
                return found
            if remaining <= 0:
                seen = [e.type for e in self.events()]
                raise TimeoutError(f"{len(found)}/{count} events of type {type!r} after {timeout}s; "
                                   f"the Edge received {seen}")
            self._pump(min(remaining, 0.05))

    def wait_for_event(self, type: str | None = None, *, count: int = 1, timeout: float = 10.0) -> EdgeEvent:
        """Wait for the ``count``-th event (of ``type``, if given); return it."""
        return self.wait_for_events(type, count=count, timeout=timeout)[count - 1]

    def wait_for(self, count: int = 1, *, timeout: float = 10.0, **match: Any) -> list[dict[str, Any]]:
        """Wait for ``count`` requests whose record has the ``match`` values (``action="collect"``).

        :meth:`EdgeEmulator.wait_for`, but letting routed requests through while it waits.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.requests if all(r.get(k) == v for k, v in match.items())]
            remaining = deadline - time.monotonic()
            if len(found) >= count:
                return found
            if remaining <= 0:
                raise TimeoutError(f"{len(found)}/{count} requests matching {match} after {timeout}s: "
                                   f"{[(r['action'], r['status']) for r in self.requests]}")
            self._pump(min(remaining, 0.05))

    # -- what arrived ---------------------------------------------------------------
    def events(self, type: str | None = None) -> list[EdgeEvent]:
        """The XDM events received so far (of ``type``, e.g. ``"web.webpagedetails.pageViews"``), oldest first."""
        return [e for r in self.requests for e in _events_of(r) if type is None or e.type == type]

    def ecids(self) -> list[str]:
        """The distinct ECIDs the Edge saw, first seen first: one, for one visitor."""
        seen: list[str] = []
        for record in self.requests:
            ecid = record.get("ecid")
            if isinstance(ecid, str) and ecid not in seen:
                seen.append(ecid)
        return seen

    def decisions(self, type: str | None = None) -> list[dict[str, Any]]:
        """The propositions the emulator answered (to events of ``type``), in order."""
        return [p for e in self.events(type) for p in e.decisions]

    def set_decisions(self, decisions: list[dict[str, Any]]) -> None:
        """Answer the next requests from ``decisions`` (propositions as the Edge returns them).

        The default is the emulator's demo set (:data:`~alloy_py_dev.emulator.DEFAULT_DECISIONS`);
        ``[]`` answers no decisions. Checked here, so a malformed list fails the test that sets it.
        """
        self.emulator.decisions = validate_decisions(copy.deepcopy(decisions))

    def clear(self) -> None:
        """Forget the requests recorded so far (e.g. those of a warm-up page load)."""
        self.emulator.clear()

    def close(self) -> None:
        """Stop the emulator; routed requests after this are aborted."""
        self._closed = True
        self.emulator.stop()


@pytest.fixture
def edge_domains() -> list[str]:
    """Edge domains to route besides ``edge.adobedc.net`` and ``*.demdex.net``: override it."""
    return []


@pytest.fixture
def edge(edge_domains: list[str]) -> Iterator[Edge]:
    """A local Edge emulator for this test (see :class:`Edge`); fails the test if routing failed."""
    with EdgeEmulator(port=0) as emulator:
        fixture = Edge(emulator, domains=edge_domains)
        try:
            yield fixture
        finally:
            fixture.close()
    if fixture.errors:
        raise fixture.errors[0]
    unrouted = fixture.unrouted_failure()  # those that came after the test's call (page closing...)
    if unrouted:
        pytest.fail(unrouted, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test whose routed pages sent requests to Adobe that no route took fails, naming them."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    fixture = funcargs.get("edge") if isinstance(funcargs, dict) else None
    if call.when == "call" and isinstance(fixture, Edge):
        message = fixture.unrouted_failure()
        if message and report.passed:
            report.outcome = "failed"
            report.longrepr = message
        elif message:
            report.sections.append(("unrouted Edge requests", message))
    return report


@pytest.fixture
def edge_page(edge: Edge, page: Page) -> Page:
    """pytest-playwright's ``page``, its context's Edge traffic routed to ``edge``."""
    edge.route(page.context)
    return page
