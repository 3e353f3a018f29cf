"""An in-memory browser: deterministic, records what the SDK did.

Used by the CPython tests (a program that talks to the real Edge uses
:mod:`.cpython` instead). The Edge is a plain function ``HttpRequest -> HttpResponse``
(httpx's ``MockTransport`` idea); cookies follow the browser's domain rules
closely enough for alloy's apex-domain probe. The DOM is parsed and queried
with Beautiful Soup and soupsieve, imported only when a page has HTML
(``pip install alloy_py[test]``); scripts in it never run.
"""

from __future__ import annotations

import asyncio
import copy
import ipaddress
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ..errors import ImageError, NetworkError, PageApiError
from . import (
    Browser,
    ClickListener,
    HtmlPosition,
    HttpRequest,
    HttpResponse,
    LinkFacts,
    Node,
    PageFacts,
    PushSubscription,
    PushSupport,
    StorageKind,
    TextStream,
    from_host,
)

__all__ = ["FiredImage", "MemoryBrowser", "SentRequest", "StoredCookie", "StreamedResponse"]
from ..errors import PageScriptError

__all__ = ["FakeVisitor", "FiredImage", "MemoryBrowser", "SentRequest", "StoredCookie"]

EdgeHandler = Callable[[HttpRequest], HttpResponse]

EMPTY_EDGE_RESPONSE = '{"requestId":"memory","handle":[]}'


def empty_edge(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, EMPTY_EDGE_RESPONSE, {"content-type": "application/json"})


@dataclass(frozen=True)
class SentRequest:
    """One request as it left the page."""

    url: str
    body: str
    transport: str  # "fetch" or "beacon"
    accept: str | None = None  # the Accept header of a fetch_stream


@dataclass(frozen=True)
class StreamedResponse(HttpResponse):
    """An answer :meth:`MemoryBrowser.fetch_stream` hands over piece by piece: each chunk is
    ``(ms after the one before, text)``, or an exception for a body whose reading fails there.
    The page's clock moves by those delays, or by the reader's timeout when a chunk comes later."""

    chunks: tuple[tuple[int, str | Exception], ...] = ()


class _MemoryStream:
    def __init__(self, browser: MemoryBrowser, status: int, chunks: list[tuple[int, str | Exception]]) -> None:
        self.status = status
        self._browser = browser
        self._chunks = chunks
        self.closed = False

    async def read(self, timeout_ms: int) -> str | None:
        await asyncio.sleep(0)
        if self.closed or not self._chunks:
            return None
        delay, chunk = self._chunks[0]
        if delay > timeout_ms:
            self._browser.now += max(timeout_ms, 0)
            self._chunks[0] = (delay - max(timeout_ms, 0), chunk)
            raise TimeoutError
        self._browser.now += delay
        self._chunks.pop(0)
        if isinstance(chunk, Exception):
            raise NetworkError(str(chunk))
        return chunk

    def close(self) -> None:
        self.closed = True


@dataclass(frozen=True)
class FiredImage:
    """One image pixel as it left the page: ``frame`` is the iframe's name, ``None`` for the page itself."""

    url: str
    frame: str | None


@dataclass
class StoredCookie:
    value: str
    domain: str | None  # None: host-only
    expires_ms: int | None
    same_site: str | None = None
    secure: bool = False


@dataclass
class FakeVisitor:
    """``window.Visitor`` (Visitor.js) and its ``adobe.optIn``, as they answer alloy.

    ``opt_in`` is ``adobe.optIn``'s answer for the ECID category (``None``: no ``adobe.optIn``);
    with ``decided``, ``fetchPermissions`` calls back only once that event is set. ``ecid`` is
    what ``getMarketingCloudVisitorID`` calls back with; with ``ready``, only once it is set.
    """

    ecid: str | None = "91919191919191919191919191919191919191"
    opt_in: bool | None = None
    decided: asyncio.Event | None = None
    ready: asyncio.Event | None = None
    error: str | None = None  # getInstance throws this message
    asked: list[str] = field(default_factory=list)  # the org ids getInstance was called with


@dataclass(eq=False)  # compared (and hashed) by identity: one page each
class MemoryBrowser:
    """A page at ``url`` whose Edge is ``edge``; time only moves when told.

    ``edge`` (the handler the page's requests reach) keeps its short name: it is the
    public test API (``MemoryBrowser(edge=handler)``, ``memory.edge = handler``).
    """

    url: str = "https://www.example.com/index.html"
    html: str = "<!doctype html><html><head></head><body></body></html>"
    referrer: str = ""
    user_agent: str = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/156.0.0.0 Safari/537.36"
    )
    edge: EdgeHandler = empty_edge
    beacons_accepted: bool = True
    now: int = 1_764_000_000_000
    timezone_offset: int = 0
    iana_timezone: str = "UTC"
    screen: tuple[int, int] = (1280, 800)
    viewport: tuple[int, int] = (1264, 700)
    scroll: tuple[float, float] = (0.0, 0.0)  # window.scrollX, window.scrollY
    sent: list[SentRequest] = field(default_factory=list)
    sleeps: list[int] = field(default_factory=list)
    # True: sleep_ms waits for advance() (a test drives the timers); False: time jumps at once.
    hold_sleeps: bool = False
    _sleepers: list[tuple[int, int, asyncio.Future[None]]] = field(default_factory=list)
    logs: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    unhandled: list[BaseException] = field(default_factory=list)  # report_unhandled's errors
    cookies: dict[str, StoredCookie] = field(default_factory=dict)
    storage: dict[StorageKind, dict[str, str]] = field(
        default_factory=lambda: {"local": {}, "session": {}}
    )
    random_values: list[float] = field(default_factory=lambda: [0.5])
    # Browsers refuse cookies on public suffixes; this is the part of the list tests need.
    public_suffixes: set[str] = field(default_factory=lambda: {"co.uk", "com.au", "github.io"})
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _randoms: int = 0
    preloaded_images: list[str] = field(default_factory=list)
    fired_images: list[FiredImage] = field(default_factory=list)
    failing_images: set[str] = field(default_factory=set)  # urls whose pixel fails to load
    click_listeners: list[ClickListener] = field(default_factory=list)
    loaded_scripts: list[str] = field(default_factory=list)
    location_replacements: list[str] = field(default_factory=list)  # replace_location(url), in order
    location_assignments: list[str] = field(default_factory=list)  # assign_location(url), in order
    blobs: dict[str, str] = field(default_factory=dict)  # object_url(...) -> the text it holds
    frame_click_listeners: list[tuple[Node, ClickListener]] = field(default_factory=list)
    _frame_documents: dict[int, Any] = field(default_factory=dict)
    # window.__alloyMonitors: each a mapping of hook name to callable (what is not callable is skipped).
    monitors: list[Mapping[str, object]] = field(default_factory=list)
    # Push: what the page offers, whether it registered a service worker, and its push service: one
    # subscription per key, refused for another key until unsubscribed (as Chrome's), or every
    # subscribe refused with ``push_refusal``. ``push_subscribe_keys``: each subscribe's key, in order.
    push_support_answer: PushSupport = "default"
    service_worker: bool = False
    push_subscription: PushSubscription | None = None
    push_subscription_key: bytes | None = None
    push_refusal: str | None = None
    push_subscribe_keys: list[bytes] = field(default_factory=list)
    # IndexedDB: database -> store -> key ("id") -> record; every call fails with ``indexed_db_refusal``.
    indexed_db: dict[str, dict[str, dict[str, dict[str, Any]]]] = field(default_factory=dict)
    indexed_db_refusal: str | None = None
    # Advertising: what the identity iframe posts (origin, data), in order (none: the iframe never answers);
    # the iframes' src; the page's globals; what a loaded script defines (url -> global name); scripts that
    # fail to load; ID5's answers to getUserId/onAvailable, in order (none left: onAvailable never calls
    # back); LiveRamp's envelopes, in order (none left: retrieveEnvelope rejects).
    frame_answers: list[tuple[str, object]] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    page_globals: set[str] = field(default_factory=set)
    script_globals: dict[str, str] = field(default_factory=dict)
    failing_scripts: set[str] = field(default_factory=set)
    id5_user_ids: list[str | None] = field(default_factory=list)
    ats_envelopes: list[object] = field(default_factory=list)
    visitor: FakeVisitor | None = None  # window.Visitor
    # What navigator.userAgentData.getHighEntropyValues answers (None: no navigator.userAgentData).
    user_agent_data: Mapping[str, object] | None = None
    _document: Any = None

    # Network
    async def fetch(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(SentRequest(request.url, request.body, "fetch"))
        await asyncio.sleep(0)
        try:
            return self.edge(request)
        except NetworkError:
            raise
        except Exception as error:  # the handler stands for the network
            raise NetworkError(str(error)) from None

    async def fetch_stream(self, request: HttpRequest) -> TextStream:
        """The ``edge`` handler's answer, read as it streams: a :class:`StreamedResponse`'s chunks, or
        another answer's whole body at once."""
        self.sent.append(SentRequest(request.url, request.body, "fetch", request.accept))
        await asyncio.sleep(0)
        try:
            response = self.edge(request)
        except NetworkError:
            raise
        except Exception as error:
            raise NetworkError(str(error)) from None
        if isinstance(response, StreamedResponse):
            chunks = list(response.chunks)
        else:
            chunks = [(0, response.body)] if response.body else []
        return _MemoryStream(self, response.status, chunks)

    def send_beacon(self, request: HttpRequest) -> bool:
        if not self.beacons_accepted:
            return False
        self.sent.append(SentRequest(request.url, request.body, "beacon"))
        return True

    # Cookies
    def get_cookies(self) -> str:
        self._expire_cookies()
        return "; ".join(f"{name}={cookie.value}" for name, cookie in self.cookies.items())

    def set_cookie(self, cookie: str) -> None:
        pair, *attributes = [part.strip() for part in cookie.split(";")]
        name, _, value = pair.partition("=")
        stored = StoredCookie(value=value, domain=None, expires_ms=None)
        for attribute in attributes:
            key, _, attr_value = attribute.partition("=")
            key = key.lower()
            if key == "domain":
                domain = attr_value.lstrip(".").lower()
                if not self._domain_allowed(domain):
                    return  # browsers drop such cookies silently
                stored.domain = domain
            elif key == "expires":
                stored.expires_ms = int(parsedate_to_datetime(attr_value).timestamp() * 1000)
            elif key == "max-age":
                stored.expires_ms = self.now + int(attr_value) * 1000
            elif key == "samesite":
                stored.same_site = attr_value
            elif key == "secure":
                stored.secure = True
        if stored.same_site and stored.same_site.lower() == "none" and not stored.secure:
            return
        if stored.expires_ms is not None and stored.expires_ms <= self.now:
            self.cookies.pop(name, None)
            return
        self.cookies.pop(name, None)  # a re-set cookie moves to the end, as in Chromium
        self.cookies[name] = stored

    def _domain_allowed(self, domain: str) -> bool:
        host = self.hostname
        if domain == host:
            return True
        if _is_ip(host) or "." not in domain or domain in self.public_suffixes:
            return False
        return host.endswith("." + domain)

    def _expire_cookies(self) -> None:
        for name in [n for n, c in self.cookies.items() if c.expires_ms is not None and c.expires_ms <= self.now]:
            del self.cookies[name]

    # Storage
    def storage_get(self, kind: StorageKind, key: str) -> str | None:
        return self.storage[kind].get(key)

    def storage_set(self, kind: StorageKind, key: str, value: str) -> None:
        self.storage[kind][key] = value

    def storage_remove(self, kind: StorageKind, key: str) -> None:
        self.storage[kind].pop(key, None)

    def storage_keys(self, kind: StorageKind) -> list[str]:
        return list(self.storage[kind])

    # Page
    @property
    def hostname(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def scroll_offset(self) -> tuple[float, float] | None:
        return self.scroll

    def page(self) -> PageFacts:
        width, height = self.screen
        return PageFacts(
            href=self.url,
            referrer=self.referrer,
            user_agent=self.user_agent,
            screen_width=width,
            screen_height=height,
            screen_orientation="landscape" if width >= height else "portrait",
            viewport_width=self.viewport[0],
            viewport_height=self.viewport[1],
            iana_timezone=self.iana_timezone,
        )

    # Clock, ids, randomness
    def now_ms(self) -> int:
        return self.now

    def timezone_offset_minutes(self, epoch_ms: int) -> int:
        return self.timezone_offset

    def uuid4(self) -> str:
        return f"00000000-0000-4000-8000-{next(self._ids):012d}"

    def random(self) -> float:
        value = self.random_values[self._randoms % len(self.random_values)]
        self._randoms += 1
        return value

    async def sleep_ms(self, ms: int) -> None:
        self.sleeps.append(ms)
        if not self.hold_sleeps:
            self.now += ms
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + ms, len(self.sleeps), woken))
        await woken

    async def advance(self, ms: int) -> None:
        """With ``hold_sleeps``: move the clock ``ms`` on, waking each sleep whose time came, soonest
        first, each once the one before has run as far as it can (sleeps they start count too)."""
        end = self.now + ms
        loop = asyncio.get_running_loop()
        while True:
            for _ in range(1000):  # until idle: what was woken (or started) waits again
                await asyncio.sleep(0)
                if not loop._ready:  # type: ignore[attr-defined]
                    break
            self._sleepers = [s for s in self._sleepers if not s[2].done()]
            due = sorted((s for s in self._sleepers if s[0] <= end), key=lambda s: (s[0], s[1]))
            if not due:
                break
            self._sleepers.remove(due[0])
            self.now = max(self.now, due[0][0])
            due[0][2].set_result(None)
        self.now = end

    @property
    def pending_sleeps(self) -> list[int]:  # (after an await: a sleep may not have started yet)
        """With ``hold_sleeps``: the clock times the sleeps still waiting end at."""
        return sorted(s[0] for s in self._sleepers if not s[2].done())

    def log(self, level: str, *args: object) -> None:
        self.logs.append((level, args))

    def report_unhandled(self, error: BaseException) -> None:
        self.unhandled.append(error)

    def has_monitors(self) -> bool:
        return bool(self.monitors)

    def notify_monitors(self, hook: str, data: Mapping[str, object]) -> list[str]:
        failures = []
        for monitor in list(self.monitors):
            function = monitor.get(hook)
            if callable(function):
                try:
                    function(data)
                except Exception as error:
                    failures.append(str(error))
        return failures

    # Page globals: Visitor.js, user-agent client hints
    def has_visitor(self) -> bool:
        return self.visitor is not None

    def has_legacy_opt_in(self) -> bool:
        return self.visitor is not None and self.visitor.opt_in is not None

    async def legacy_opt_in_approved(self) -> bool:
        assert self.visitor is not None
        if self.visitor.decided is not None:
            await self.visitor.decided.wait()
        return bool(self.visitor.opt_in)

    async def visitor_ecid(self, org_id: str) -> str | None:
        assert self.visitor is not None
        self.visitor.asked.append(org_id)
        if self.visitor.error is not None:
            raise PageScriptError(self.visitor.error)
        if self.visitor.ready is not None:
            await self.visitor.ready.wait()
        return self.visitor.ecid or None

    async def high_entropy_values(self, hints: list[str]) -> Mapping[str, object] | None:
        if self.user_agent_data is None:
            return None
        await asyncio.sleep(0)
        return {name: value for name, value in self.user_agent_data.items() if name in hints}

    # DOM
    has_document = True

    @property
    def document(self) -> Any:
        if self._document is None:
            from bs4 import BeautifulSoup

            self._document = BeautifulSoup(self.html, "html.parser")
        return self._document

    def query_all(self, selector: str, within: Node | None = None) -> list[Node]:
        import soupsieve

        try:
            return list((within or self.document).select(selector))
        except soupsieve.SelectorSyntaxError as error:
            raise ValueError(str(error)) from None

    def matches(self, node: Node, selector: str) -> bool:
        import soupsieve

        if not self.tag_name(node):
            return False
        try:
            return bool(soupsieve.match(selector, node))
        except soupsieve.SelectorSyntaxError as error:
            raise ValueError(str(error)) from None

    def is_same_node(self, node: Node, other: Node) -> bool:
        return node is other

    async def next_mutation(self, timeout_ms: int) -> None:
        await self.sleep_ms(timeout_ms)  # nothing else changes this document

    def tag_name(self, node: Node) -> str:
        name = getattr(node, "name", None)
        return name.upper() if isinstance(name, str) and not name.startswith("[") else ""

    def shadow_root(self, node: Node) -> Node | None:
        return None  # parsed HTML has no shadow roots

    def get_attribute(self, node: Node, name: str) -> str | None:
        value = node.get(name)
        return " ".join(value) if isinstance(value, list) else value

    def set_attribute(self, node: Node, name: str, value: str) -> None:
        node[name] = str(value)

    def remove_attribute(self, node: Node, name: str) -> None:
        if name in node.attrs:
            del node[name]

    def set_text(self, node: Node, text: str) -> None:
        node.string = text

    def append_style(self, node: Node, css: str) -> None:
        node["style"] = (node.get("style") or "") + css

    def insert_html(self, node: Node, position: HtmlPosition, html: str) -> tuple[list[Node], list[str]]:
        from bs4 import BeautifulSoup

        fragment = BeautifulSoup(html, "html.parser")
        remote = [str(s["src"]) for s in fragment.select("script[src]")]
        self.preloaded_images.extend(str(i["src"]) for i in fragment.select("img[src]"))
        nodes = list(fragment.contents)
        if position == "replace-children":
            node.clear()
        for inserted in nodes if position != "prepend" and position != "after" else reversed(nodes):
            inserted.extract()
            if position in ("replace-children", "append"):
                node.append(inserted)
            elif position == "prepend":
                node.insert(0, inserted)
            elif position == "before":
                node.insert_before(inserted)
            else:
                node.insert_after(inserted)
        return nodes, remote

    async def load_scripts(self, urls: list[str]) -> None:
        self.loaded_scripts.extend(urls)
        for url in urls:
            if url in self.failing_scripts:
                raise RuntimeError(f"Failed to load script: {url}")
            if url in self.script_globals:
                self.page_globals.add(self.script_globals[url])

    def remove(self, node: Node) -> None:
        node.extract()

    def children(self, node: Node) -> list[Node]:
        return [child for child in node.children if self.tag_name(child)]

    def move(self, node: Node, reference: Node, *, after: bool) -> None:
        node.extract()
        if after:
            reference.insert_after(node)
        else:
            reference.insert_before(node)

    def add_style(self, css: str, element_id: str | None = None) -> Node:
        style = self.document.new_tag("style", attrs={"id": element_id} if element_id else {})
        style.string = css
        head = self.document.head or self.document
        head.append(style)
        return style

    def element_by_id(self, element_id: str) -> Node | None:
        return self.document.find(id=element_id)

    def preload_image(self, url: str) -> None:
        self.preloaded_images.append(url)

    def replace_location(self, url: str) -> None:
        """Recorded; the page stays (a test decides what happens next)."""
        self.location_replacements.append(url)

    # In-app messages
    def create_element(self, tag: str, attributes: Mapping[str, str]) -> Node:
        return self.document.new_tag(tag, attrs=dict(attributes))

    def set_style_property(self, node: Node, name: str, value: str) -> None:
        """Kept in the ``style`` attribute as ``name: value;`` (kebab-case), in the order first set; a
        browser would also normalise the values."""
        prop = re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), name)
        declarations: dict[str, str] = {}
        for declaration in (node.get("style") or "").split(";"):
            key, _, text = declaration.partition(":")
            if key.strip():
                declarations[key.strip()] = text.strip()
        if value == "":
            declarations.pop(prop, None)
        else:
            declarations[prop] = value
        node["style"] = " ".join(f"{key}: {text};" for key, text in declarations.items())

    def insert_node(self, parent: Node, method: str, node: Node) -> bool:
        if method in ("appendChild", "append"):
            parent.append(node)
        elif method == "prepend":
            parent.insert(0, node)
        elif method in ("before", "after") and parent.parent is not None:
            (parent.insert_before if method == "before" else parent.insert_after)(node)
        else:
            return False
        return True

    def parse_html_document(self, html: str) -> Node:
        from bs4 import BeautifulSoup

        document = BeautifulSoup(html, "html.parser")
        if document.html is None:  # DOMParser always makes <html>, <head> and <body>
            document = BeautifulSoup(f"<html><head></head><body>{html}</body></html>", "html.parser")
        return document

    def outer_html(self, node: Node) -> str:
        from bs4 import BeautifulSoup

        return str(node.html if isinstance(node, BeautifulSoup) else node)

    def object_url(self, text: str, mime_type: str) -> str:
        parts = urlsplit(self.url)
        url = f"blob:{parts.scheme}://{parts.netloc}/blob-{len(self.blobs) + 1}"
        self.blobs[url] = text
        return url

    def page_nonce(self) -> str | None:
        node = self.document.find(attrs={"nonce": True})
        return str(node["nonce"]) if node is not None else None

    def on_frame_click(self, iframe: Node, listener: ClickListener) -> None:
        self.frame_click_listeners.append((iframe, listener))

    def frame_document(self, iframe_id: str) -> Any:
        """The document the page's iframe ``iframe_id`` shows (its ``src`` blob), parsed once."""
        iframe = self.element_by_id(iframe_id)
        if iframe is None:
            raise LookupError(f"No iframe #{iframe_id} in the page.")
        if id(iframe) not in self._frame_documents:
            self._frame_documents[id(iframe)] = self.parse_html_document(self.blobs[str(iframe["src"])])
        return self._frame_documents[id(iframe)]

    def click_in_frame(self, selector: str, iframe_id: str = "alloy-content-iframe") -> None:
        """A visitor clicks the first element matching ``selector`` inside the page's iframe ``iframe_id``
        (loaded: its click listeners are on)."""
        iframe = self.element_by_id(iframe_id)
        [node, *_] = self.query_all(selector, self.frame_document(iframe_id))
        for frame, listener in list(self.frame_click_listeners):
            if frame is iframe:
                listener(node)

    def assign_location(self, url: str) -> None:
        """Recorded; the page stays (a test decides what happens next)."""
        self.location_assignments.append(url)

    # Pixels
    def append_hidden_iframe(self, name: str) -> Node:
        iframe = self.document.new_tag(
            "iframe", attrs={"name": name, "style": "display: none; width: 0px; height: 0px;"}
        )
        (self.document.body or self.document).append(iframe)
        return iframe

    async def fire_image(self, url: str, within: Node | None = None) -> None:
        frame: str | None = None
        if within is not None:
            if within.parent is None:  # taken out of the page: no contentWindow
                raise ImageError("The iframe has no window.")
            frame = within.get("name")
        self.fired_images.append(FiredImage(url, frame))
        await asyncio.sleep(0)
        if url in self.failing_images:
            raise ImageError(f"The image did not load: {url}")

    # Push notifications
    def push_support(self) -> PushSupport:
        return self.push_support_answer

    async def service_worker_registered(self) -> bool:
        await asyncio.sleep(0)
        return self.service_worker

    async def push_subscribe(self, application_server_key: bytes) -> PushSubscription:
        await asyncio.sleep(0)
        self.push_subscribe_keys.append(application_server_key)
        if self.push_refusal is not None:
            raise PageApiError(self.push_refusal)
        if self.push_subscription is not None and self.push_subscription_key not in (None, application_server_key):
            raise PageApiError(
                "Registration failed - A subscription with a different applicationServerKey (or gcm_sender_id) "
                "already exists; to change the applicationServerKey, unsubscribe then resubscribe."
            )
        if self.push_subscription is None:
            number = len(self.push_subscribe_keys)
            self.push_subscription = PushSubscription(
                f"https://push.example/send/{number}", bytes([4, *range(number, number + 64)]), bytes(range(16))
            )
        self.push_subscription_key = application_server_key
        return self.push_subscription

    async def push_unsubscribe(self) -> bool | None:
        await asyncio.sleep(0)
        if self.push_subscription is None:
            return None
        self.push_subscription = self.push_subscription_key = None
        return True

    # IndexedDB
    def _object_store(self, database: str, store: str) -> dict[str, dict[str, Any]]:
        if self.indexed_db_refusal is not None:
            raise PageApiError(self.indexed_db_refusal)
        return self.indexed_db.setdefault(database, {}).setdefault(store, {})

    async def indexed_db_get(self, database: str, store: str, key: str) -> dict[str, Any] | None:
        await asyncio.sleep(0)
        record = self._object_store(database, store).get(key)
        return copy.deepcopy(record)

    async def indexed_db_put(self, database: str, store: str, record: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        self._object_store(database, store)[str(record["id"])] = copy.deepcopy(record)
    # Advertising
    async def frame_message(self, src: str, trusted_host: str, timeout_ms: int) -> object:
        self.frames.append(src)
        await asyncio.sleep(0)
        for index, (origin, data) in enumerate(self.frame_answers):
            if from_host(origin, trusted_host):
                del self.frame_answers[index]
                return data
        await self.sleep_ms(timeout_ms)
        raise TimeoutError("Advertising identity call timed out")

    def has_global(self, name: str) -> bool:
        return name in self.page_globals

    def id5_user_id(self, partner_id: int) -> str | None:
        if "ID5" not in self.page_globals:
            raise RuntimeError("ID5 is not defined")
        return self.id5_user_ids.pop(0) if self.id5_user_ids else None

    async def id5_on_available(self, partner_id: int, wait_ms: int) -> str | None:
        if "ID5" not in self.page_globals:
            raise RuntimeError("ID5 is not defined")
        if not self.id5_user_ids:
            await asyncio.get_running_loop().create_future()  # ID5 never calls back
        return self.id5_user_ids.pop(0)

    async def ats_retrieve_envelope(self) -> object:
        if "ats" not in self.page_globals:
            raise RuntimeError("ats is not defined")
        if not self.ats_envelopes:
            raise RuntimeError("no envelope")
        return self.ats_envelopes.pop(0)

    # Clicks
    def on_click(self, listener: ClickListener) -> None:
        self.click_listeners.append(listener)

    def click(self, selector: str) -> None:
        """A visitor clicks the first element matching ``selector``."""
        [node, *_] = self.query_all(selector)
        for listener in list(self.click_listeners):
            listener(node)

    def parent(self, node: Node) -> Node | None:
        parent = getattr(node, "parent", None)
        return parent

    def node_name(self, node: Node) -> str:
        from bs4.element import Comment, NavigableString

        if isinstance(node, Comment):
            return "#comment"
        if isinstance(node, NavigableString):
            return "#text"
        name = getattr(node, "name", "") or ""
        return "#document" if name == "[document]" else name.upper()

    def child_nodes(self, node: Node) -> list[Node]:
        return list(getattr(node, "contents", []) or [])

    def node_value(self, node: Node) -> str | None:
        return str(node) if self.node_name(node) in ("#text", "#comment") else None

    def inner_text(self, node: Node) -> str:
        return str(node.get_text()) if hasattr(node, "get_text") else str(node)

    def link_facts(self, node: Node) -> LinkFacts:
        name = self.node_name(node)
        if not name or name.startswith("#"):
            return LinkFacts()
        attrs = getattr(node, "attrs", {}) or {}
        href = urljoin(self.url, attrs["href"]) if name in ("A", "AREA") and "href" in attrs else None
        default_type = "submit" if name == "BUTTON" else "text" if name == "INPUT" else ""
        return LinkFacts(
            href=href,
            protocol=(urlsplit(href).scheme + ":") if href else "",
            has_onclick="onclick" in attrs,
            type=str(attrs.get("type", default_type)).lower(),
            src=urljoin(self.url, attrs["src"]) if "src" in attrs else "",
            download="download" in attrs,
            id=str(attrs.get("id", "")),
        )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


if TYPE_CHECKING:  # mypy checks that the fake is a whole Browser
    _conforms: Browser = MemoryBrowser()
