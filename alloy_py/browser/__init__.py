"""The one seam between alloy-py and the page.

Everything the SDK needs from a browser (network, cookies, web storage, page
facts, clock, ids, console) goes through :class:`Browser`. The core never
imports ``js``: :mod:`alloy_py.browser.pyodide` implements this protocol over
the real page, :mod:`alloy_py.browser.memory` in memory for CPython tests, and
:mod:`alloy_py.browser.cpython` for CPython programs (real HTTP, no document).
Implementations stay dumb: one browser call and its conversion per method;
every decision (beacon fallback, retries, cookie encoding) is in the core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "Browser", "ClickDom", "ClickListener", "HtmlPosition", "HttpRequest", "HttpResponse", "LinkFacts", "Node",
    "PageFacts", "StorageKind",
]

from ..types import HtmlPosition, Node, StorageKind


@dataclass(frozen=True)
class HttpRequest:
    """A POST to the Edge: alloy always sends a JSON string as ``text/plain``."""

    url: str
    body: str
    content_type: str = "text/plain; charset=UTF-8"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class LinkFacts:
    """The element properties alloy's click collection reads (``element.href`` etc.)."""

    href: str | None = None  # A/AREA only: absolute, as the browser resolves it
    protocol: str = ""
    has_onclick: bool = False
    type: str = ""  # the reflected ``type`` property (a BUTTON's default is "submit")
    src: str = ""
    download: bool = False
    id: str = ""


ClickListener = Callable[[Node], None]


@dataclass(frozen=True)
class PageFacts:
    """What the Context component reads from ``window``; ``None`` when unknown."""

    href: str
    referrer: str
    user_agent: str
    screen_width: int | None = None
    screen_height: int | None = None
    screen_orientation: str | None = None  # "portrait" / "landscape"
    viewport_width: int | None = None
    viewport_height: int | None = None
    iana_timezone: str | None = None


class ClickDom(Protocol):
    """What click collection reads of the page: the live :class:`Browser`, or a
    recorded click (:class:`~alloy_py.browser.recorded.RecordedDom`)."""

    def page(self) -> PageFacts: ...

    def element_by_id(self, element_id: str) -> Node | None: ...

    def parent(self, node: Node) -> Node | None: ...

    def node_name(self, node: Node) -> str: ...

    def child_nodes(self, node: Node) -> list[Node]: ...

    def node_value(self, node: Node) -> str | None: ...

    def inner_text(self, node: Node) -> str: ...

    def get_attribute(self, node: Node, name: str) -> str | None: ...

    def link_facts(self, node: Node) -> LinkFacts: ...


class Browser(Protocol):
    """The page as alloy-py sees it."""

    async def fetch(self, request: HttpRequest) -> HttpResponse:
        """POST with credentials; raise :class:`~alloy_py.errors.NetworkError` when no response."""
        ...

    def send_beacon(self, request: HttpRequest) -> bool:
        """``navigator.sendBeacon``; ``False`` when the browser refuses to queue it."""
        ...

    def get_cookies(self) -> str:
        """``document.cookie``."""
        ...

    def set_cookie(self, cookie: str) -> None:
        """``document.cookie = cookie``: one ``name=value; attr…`` string."""
        ...

    def storage_get(self, kind: StorageKind, key: str) -> str | None: ...

    def storage_set(self, kind: StorageKind, key: str, value: str) -> None: ...

    def storage_remove(self, kind: StorageKind, key: str) -> None: ...

    def storage_keys(self, kind: StorageKind) -> list[str]: ...

    def page(self) -> PageFacts:
        """Read now, not cached: SPAs change the URL."""
        ...

    def now_ms(self) -> int:
        """``Date.now()``."""
        ...

    def timezone_offset_minutes(self, epoch_ms: int) -> int:
        """``new Date(epoch_ms).getTimezoneOffset()``."""
        ...

    def uuid4(self) -> str: ...

    def random(self) -> float:
        """``Math.random()``: the jitter of retry delays."""
        ...

    async def sleep_ms(self, ms: int) -> None: ...

    def log(self, level: str, *args: object) -> None:
        """``console[level](...args)``."""
        ...

    # Monitors: the page's ``window.__alloyMonitors``, read at each notification as alloy does.
    def has_monitors(self) -> bool:
        """At least one monitor: only then is a notification's data built and converted."""
        ...

    def notify_monitors(self, hook: str, data: Mapping[str, object]) -> list[str]:
        """Call ``monitor[hook](data)`` on every monitor that has that function, in order; returns the
        messages of those that threw (the others are still called). Python callables in ``data``
        reach the page as functions."""
        ...

    # DOM: a closed set of operations, enough for alloy's rendering.
    @property
    def has_document(self) -> bool:
        """``False`` when there is no page to render into (:mod:`.cpython`): decisions come back unrendered."""
        ...

    def query_all(self, selector: str, within: Node | None = None) -> list[Node]:
        """``(within or document).querySelectorAll(selector)``; ``ValueError`` for a bad selector."""
        ...

    def matches(self, node: Node, selector: str) -> bool:
        """``node.matches(selector)``; ``False`` for a node that is not an element, ``ValueError`` for a bad
        selector."""
        ...

    def is_same_node(self, node: Node, other: Node) -> bool:
        """``node === other``: the same DOM node (handles to it may differ)."""
        ...

    async def next_mutation(self, timeout_ms: int) -> None:
        """Return at the next change to the document's tree, or after ``timeout_ms``."""
        ...

    def tag_name(self, node: Node) -> str:
        """Upper-case, as ``Element.tagName`` in HTML documents; ``""`` for non-elements."""
        ...

    def shadow_root(self, node: Node) -> Node | None:
        """``node.shadowRoot`` (open shadow roots only)."""
        ...

    def get_attribute(self, node: Node, name: str) -> str | None: ...

    def set_attribute(self, node: Node, name: str, value: str) -> None: ...

    def remove_attribute(self, node: Node, name: str) -> None: ...

    def set_text(self, node: Node, text: str) -> None: ...

    def append_style(self, node: Node, css: str) -> None:
        """``node.style.cssText += css``."""
        ...

    def insert_html(self, node: Node, position: HtmlPosition, html: str) -> tuple[list[Node], list[str]]:
        """Insert ``html`` as alloy does: nonce on inline styles, images preloaded,
        inline scripts run once. Returns the inserted top-level nodes and the
        ``src`` of remote scripts, which :meth:`load_scripts` runs."""
        ...

    async def load_scripts(self, urls: list[str]) -> None:
        """Append ``<script async src>`` to ``<head>`` for each url; wait until all loaded."""
        ...

    def remove(self, node: Node) -> None: ...

    def children(self, node: Node) -> list[Node]:
        """Element children (``node.children``)."""
        ...

    def move(self, node: Node, reference: Node, *, after: bool) -> None:
        """Move ``node`` just before or after ``reference``."""
        ...

    def add_style(self, css: str, element_id: str | None = None) -> Node:
        """A ``<style>`` (with the page's nonce) appended to ``<head>``."""
        ...

    def element_by_id(self, element_id: str) -> Node | None: ...

    def preload_image(self, url: str) -> None: ...

    def replace_location(self, url: str) -> None:
        """``window.location.replace(url)``: leave for ``url`` without a history entry (redirect offers);
        ``ValueError`` when the browser refuses the URL."""
        ...

    # In-app messages: alloy's displayIframeContent builds an overlay, a container and an iframe.
    def create_element(self, tag: str, attributes: Mapping[str, str]) -> Node:
        """``document.createElement(tag)`` with each attribute set (``setAttribute``), not yet in the page."""
        ...

    def set_style_property(self, node: Node, name: str, value: str) -> None:
        """``node.style[name] = value``: a camelCase property, as ``Object.assign(node.style, …)`` sets it."""
        ...

    def insert_node(self, parent: Node, method: str, node: Node) -> bool:
        """``parent[method](node)`` (``appendChild``, ``prepend``…); ``False``, doing nothing, when the parent
        has no such method."""
        ...

    def parse_html_document(self, html: str) -> Node:
        """``new DOMParser().parseFromString(html, "text/html")``: a document apart from the page (query it
        with ``query_all(…, within=document)``)."""
        ...

    def outer_html(self, node: Node) -> str:
        """``node.outerHTML``; of a parsed document, its ``documentElement``'s."""
        ...

    def object_url(self, text: str, mime_type: str) -> str:
        """``URL.createObjectURL(new Blob([text], {type: mime_type}))``."""
        ...

    def page_nonce(self) -> str | None:
        """The CSP nonce of the page's first ``[nonce]`` element, read once (alloy's ``getNonce``); ``None``
        when there is none."""
        ...

    def on_frame_click(self, iframe: Node, listener: ClickListener) -> None:
        """At each ``load`` of ``iframe``, listen for clicks in its window: each click's default action and
        propagation are stopped (``preventDefault``, ``stopImmediatePropagation``), then
        ``listener(event.target)``."""
        ...

    def assign_location(self, url: str) -> None:
        """``window.location.href = url``: leave for ``url`` with a history entry; ``ValueError`` when the
        browser refuses the URL."""
        ...

    # Pixels: ID syncs and URL destinations (alloy's fireReferrerHideableImage).
    def append_hidden_iframe(self, name: str) -> Node:
        """``<iframe name=… style="display: none; width: 0px; height: 0px;">`` appended to ``<body>``."""
        ...

    async def fire_image(self, url: str, within: Node | None = None) -> None:
        """An ``<img src=url>`` never attached, made by the page's document or, with ``within``, by
        the document of that iframe (so the request carries no page referrer). Returns on ``load``;
        raises :class:`~alloy_py.errors.ImageError` on ``error``/``abort`` or an iframe without a window."""
        ...

    # Clicks: what alloy's ActivityCollector needs.
    def on_click(self, listener: ClickListener) -> None:
        """Call ``listener(clicked node)`` for every click, in the capture phase, for the page's life."""
        ...

    def parent(self, node: Node) -> Node | None:
        """``node.parentNode`` (``None`` above the document)."""
        ...

    def node_name(self, node: Node) -> str:
        """``node.nodeName``: ``A``, ``#text``, ``#comment``, ``#document``…"""
        ...

    def child_nodes(self, node: Node) -> list[Node]: ...

    def node_value(self, node: Node) -> str | None:
        """Text of text nodes (``nodeValue``); ``None`` for elements."""
        ...

    def inner_text(self, node: Node) -> str:
        """``innerText || textContent``."""
        ...

    def link_facts(self, node: Node) -> LinkFacts: ...
