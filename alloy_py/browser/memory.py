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
import ipaddress
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from ..errors import ImageError, NetworkError
from . import Browser, ClickListener, HtmlPosition, HttpRequest, HttpResponse, LinkFacts, Node, PageFacts, StorageKind

__all__ = ["FiredImage", "MemoryBrowser", "SentRequest", "StoredCookie"]

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
    sent: list[SentRequest] = field(default_factory=list)
    sleeps: list[int] = field(default_factory=list)
    logs: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
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
        self.now += ms
        await asyncio.sleep(0)

    def log(self, level: str, *args: object) -> None:
        self.logs.append((level, args))

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
