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
from typing import Any, Literal, Protocol

__all__ = [
    "Browser", "ClickDom", "ClickListener", "HtmlPosition", "HttpRequest", "HttpResponse", "LinkFacts", "Node",
    "PageFacts", "PushSubscription", "PushSupport", "StorageKind", "TextStream", "from_host",
]

from ..types import HtmlPosition, Node, StorageKind


def from_host(origin: str, host: str) -> bool:
    """A message's ``origin`` is ``http(s)://host[:port]``. alloy.js only asks that the origin
    *contain* the host, which ``https://www.everestjs.net.evil.example`` does."""
    scheme, _, rest = origin.partition("://")
    return scheme in ("https", "http") and rest.split(":", 1)[0].lower() == host.lower()


@dataclass(frozen=True)
class HttpRequest:
    """A POST to the Edge: alloy always sends a JSON string as ``text/plain``."""

    url: str
    body: str
    content_type: str = "text/plain; charset=UTF-8"
    accept: str | None = None  # an ``Accept`` header (BrandConcierge's streamed answers)


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


class TextStream(Protocol):
    """An answer whose body is read as it arrives (BrandConcierge's server-sent events)."""

    @property
    def status(self) -> int: ...

    async def read(self, timeout_ms: int) -> str | None:
        """The next piece of the body, UTF-8 decoded as it streams; ``None`` at its end. Raises
        :class:`TimeoutError` when nothing came within ``timeout_ms`` (the read stays pending:
        the next call waits for it), :class:`~alloy_py.errors.NetworkError` when reading fails."""
        ...

    def close(self) -> None:
        """Stop reading: the rest of the body is never read."""
        ...


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


PushSupport = Literal["no-service-worker", "no-push-manager", "default", "denied", "granted"]
"""What the page offers for push: ``navigator.serviceWorker`` missing, ``PushManager`` or
``Notification`` missing, or else ``Notification.permission``."""


@dataclass(frozen=True)
class PushSubscription:
    """What alloy reads of a ``PushSubscription``: ``endpoint`` and ``getKey(name)``'s bytes."""

    endpoint: str
    p256dh: bytes
    auth: bytes


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

    async def fetch_stream(self, request: HttpRequest) -> TextStream:
        """POST as alloy's BrandConcierge does (``window.fetch`` with its default credentials, ``same-origin``;
        ``Content-Type`` and ``Accept`` only); returns once the headers came, the body still to be read.
        Raises :class:`~alloy_py.errors.NetworkError` when no response."""
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

    def scroll_offset(self) -> tuple[float, float] | None:
        """``(window.scrollX, window.scrollY)`` now; ``None`` without a page (rules read them)."""
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

    def report_unhandled(self, error: BaseException) -> None:
        """What alloy.js leaves as an unhandled promise rejection: the page sees the same error."""
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

    # Push notifications (alloy's PushNotifications component); the service worker is alloy's own script.
    def push_support(self) -> PushSupport:
        """``"serviceWorker" in navigator``, ``"PushManager"``/``"Notification" in window``, else
        ``Notification.permission``."""
        ...

    async def service_worker_registered(self) -> bool:
        """``navigator.serviceWorker.getRegistration()`` found a registration for this page."""
        ...

    async def push_subscribe(self, application_server_key: bytes) -> PushSubscription:
        """``registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey})``;
        raises :class:`~alloy_py.errors.PageApiError` with the browser's message when it refuses."""
        ...

    async def push_unsubscribe(self) -> bool | None:
        """``pushManager.getSubscription()``, then its ``unsubscribe()``'s answer; ``None`` when there
        is no subscription."""
        ...

    # IndexedDB: each call opens ``database`` at version 1, whose upgrade creates ``store`` with key
    # path ``id`` (alloy's openIndexedDb), and closes it; :class:`~alloy_py.errors.PageApiError` on failure.
    async def indexed_db_get(self, database: str, store: str, key: str) -> dict[str, Any] | None:
        """``store.get(key)``: the record (structured-cloned to JSON-like values), ``None`` when absent."""
        ...

    async def indexed_db_put(self, database: str, store: str, record: dict[str, Any]) -> None:
        """``store.put(record)``, its keys in their order."""
    # Advertising: Advertising Cloud's identity iframe and the ID partners' page APIs (ID5, LiveRamp's ``ats``).
    async def frame_message(self, src: str, trusted_host: str, timeout_ms: int) -> object:
        """Listen to the window's ``message`` events, then append a hidden ``<iframe src>`` (0x0, no border,
        ``display: none``) to ``<body>`` once there is one; return the ``data`` of the first message from
        an origin whose host is ``trusted_host`` (:func:`from_host`). :class:`TimeoutError` after
        ``timeout_ms`` (the iframe stays)."""
        ...

    def has_global(self, name: str) -> bool:
        """``typeof window[name] !== "undefined"``."""
        ...

    def id5_user_id(self, partner_id: int) -> str | None:
        """``window.ID5.init({partnerId}).getUserId()``; ``RuntimeError`` when that throws."""
        ...

    async def id5_on_available(self, partner_id: int, wait_ms: int) -> str | None:
        """``window.ID5.init({partnerId}).onAvailable(status => status.getUserId(), wait_ms)``: returns when
        ID5 calls back (it may never); ``RuntimeError`` when the call throws."""
        ...

    async def ats_retrieve_envelope(self) -> object:
        """``await window.ats.retrieveEnvelope()``; ``RuntimeError`` when it throws or rejects."""
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

    # Page globals alloy consults: Visitor.js (ECID migration) and user-agent client hints.
    def has_visitor(self) -> bool:
        """``window.Visitor`` and ``Visitor.getInstance`` are functions (alloy's ``getVisitor``)."""
        ...

    def has_legacy_opt_in(self) -> bool:
        """``window.adobe`` and ``adobe.optIn`` are objects (Visitor.js's opt-in service)."""
        ...

    async def legacy_opt_in_approved(self) -> bool:
        """``adobe.optIn.fetchPermissions(callback, true)``; once called back,
        ``adobe.optIn.isApproved([adobe.optIn.Categories.ECID])``. Waits as long as it takes;
        raises :class:`~alloy_py.errors.PageScriptError` with the page's message if they throw."""
        ...

    async def visitor_ecid(self, org_id: str) -> str | None:
        """``Visitor.getInstance(orgId, {}).getMarketingCloudVisitorID(callback, true)``: the ECID it calls
        back with (``None`` for what is not a non-empty string). Waits as long as it takes; raises
        :class:`~alloy_py.errors.PageScriptError` if the page's Visitor throws."""
        ...

    async def high_entropy_values(self, hints: list[str]) -> Mapping[str, object] | None:
        """``navigator.userAgentData.getHighEntropyValues(hints)``: the answer's own properties among
        ``hints``; ``None`` without ``navigator.userAgentData``; :class:`~alloy_py.errors.PageScriptError`
        when it throws or rejects."""
        ...
