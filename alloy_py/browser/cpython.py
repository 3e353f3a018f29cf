"""A browser for CPython programs (notebooks, backends): one visitor, a real Edge, no page.

Events go to the Edge over real HTTP (``urllib``, run off the event loop), the
visitor's cookies live in an :class:`http.cookiejar.CookieJar` that serves both
``document.cookie`` (the page's domain) and the ``Cookie`` header (the Edge's
host), and with ``state_file`` the visitor's cookies and local storage survive
the program, as a browser profile does::

    browser = CPythonBrowser(page_url="https://www.example.com/", state_file="visitor.json")
    alloy = alloy_py.create_instance("alloy", browser=browser)
    await alloy.execute("configure", {"datastreamId": "…", "orgId": "…@AdobeOrg"})

There is no document: :attr:`has_document` is ``False``, so decisions come back
unrendered (``renderAttempted: false``, one warning when debugging), nothing
waits for containers, and no clicks are ever collected. Standard library only.
"""

from __future__ import annotations

import asyncio
import codecs
import email.message
import http.client
import http.cookiejar
import json
import logging
import os
import random
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import SplitResult, urlsplit

from .._futures import spawn
from .._version import __version__
from ..errors import ConfigurationError, ImageError, NetworkError, NoPageError, PageApiError
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
)

__all__ = ["CPythonBrowser"]

logger = logging.getLogger("alloy_py")

DEFAULT_USER_AGENT = f"alloy-py/{__version__} (CPython)"
_LOG_LEVELS = {"error": logging.ERROR, "warn": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}


class _DetachedNode:
    """What the DOM methods hand out (``<style>``, ``<iframe>``): an element never in a document."""

    def __init__(self, tag: str, attributes: dict[str, str]) -> None:
        self.tag = tag
        self.attributes = attributes


class _SetCookieHeaders:
    """A response as :meth:`http.cookiejar.CookieJar.extract_cookies` reads one: ``info()`` and its headers."""

    def __init__(self, headers: email.message.Message) -> None:
        self._headers = headers

    def info(self) -> email.message.Message:
        return self._headers


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the Edge's answer (an error status): followed, the POST would become a GET to
    another host, and the visitor's cookies would follow it and be filed under the first host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


def _unreachable(request: urllib.request.Request, error: BaseException) -> NetworkError:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    where = urlsplit(request.full_url)
    return NetworkError(f"Could not reach {where.scheme}://{where.netloc}{where.path}: {reason}")


class _BodyStream:
    """An answer's body read as it arrives, each read in a worker thread; decoded as UTF-8 streams."""

    def __init__(self, response: Any, request: urllib.request.Request) -> None:
        self.status = int(response.status)
        self._response = response
        self._request = request
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: asyncio.Future[bytes] | None = None
        self._ended = False

    async def read(self, timeout_ms: int) -> str | None:
        if self._ended:
            return None
        if self._pending is None:
            self._pending = spawn(asyncio.to_thread(self._read_some))
        done, _ = await asyncio.wait({self._pending}, timeout=max(timeout_ms, 0) / 1000)
        if not done:
            raise TimeoutError
        pending, self._pending = self._pending, None
        chunk = pending.result()
        if not chunk:
            self.close()
            return None
        return self._decoder.decode(chunk)

    def _read_some(self) -> bytes:
        try:
            read = getattr(self._response, "read1", self._response.read)
            return bytes(read(65536))
        except (http.client.HTTPException, OSError, ValueError) as error:
            raise _unreachable(self._request, error) from None

    def close(self) -> None:
        self._ended = True
        if self._pending is not None:  # a read still blocked: its outcome no longer matters
            self._pending.add_done_callback(lambda future: future.cancelled() or future.exception())
        self._response.close()


class CPythonBrowser:
    """One visitor on ``page_url`` (change it for a new page view), talking to the real Edge.

    ``state_file``: a JSON file keeping the visitor's persistent cookies and local storage
    across runs (read when it exists, written after every change); session cookies and
    session storage end with this object, as they end with a browser session.
    ``timeout``: seconds to wait for the Edge before the request fails with a ``NetworkError``.
    """

    has_document = False

    def __init__(
        self,
        page_url: str = "https://www.example.com/",
        *,
        referrer: str = "",
        user_agent: str = DEFAULT_USER_AGENT,
        state_file: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.page_url = page_url
        self.referrer = referrer
        self.user_agent = user_agent
        self.timeout = timeout
        self._state_file = Path(state_file) if state_file is not None else None
        self._jar = http.cookiejar.CookieJar()
        self._storage: dict[StorageKind, dict[str, str]] = {"local": {}, "session": {}}
        self._load()

    # Network
    async def fetch(self, request: HttpRequest) -> HttpResponse:
        outgoing = urllib.request.Request(
            request.url,
            data=request.body.encode("utf-8"),
            method="POST",
            headers={"Content-Type": request.content_type, "User-Agent": self.user_agent, "Referer": self.page_url},
        )
        self._jar.add_cookie_header(outgoing)
        status, body, headers = await asyncio.to_thread(self._send, outgoing)
        self._jar.extract_cookies(cast(http.client.HTTPResponse, _SetCookieHeaders(headers)), outgoing)
        self._save()
        return HttpResponse(status, body.decode("utf-8", errors="replace"), dict(headers.items()))

    def _send(self, request: urllib.request.Request) -> tuple[int, bytes, email.message.Message]:
        """The blocking exchange, in a worker thread; an HTTP error status is an answer, not a failure."""
        try:
            try:
                response = _NO_REDIRECTS.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as answer:
                response = answer
            with response:
                return int(response.status), response.read(), response.headers
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise _unreachable(request, error) from None

    async def fetch_stream(self, request: HttpRequest) -> TextStream:
        """Without the visitor's cookies: alloy's BrandConcierge fetch is not credentialed."""
        headers = {"Content-Type": request.content_type, "User-Agent": self.user_agent, "Referer": self.page_url}
        if request.accept is not None:
            headers["Accept"] = request.accept
        body = request.body.encode("utf-8")
        outgoing = urllib.request.Request(request.url, data=body, method="POST", headers=headers)
        return _BodyStream(await asyncio.to_thread(self._open, outgoing), outgoing)

    def _open(self, request: urllib.request.Request) -> Any:
        try:
            try:
                return _NO_REDIRECTS.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as answer:
                return answer
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            raise _unreachable(request, error) from None

    def send_beacon(self, request: HttpRequest) -> bool:
        """``False``: no page unloads here, so the core's fallback sends it with :meth:`fetch`, awaited,
        and a program that exits once its command resolves cannot lose it."""
        return False

    # Cookies: document.cookie is the jar seen from the page's URL (HttpOnly cookies hidden).
    def get_cookies(self) -> str:
        self._jar.clear_expired_cookies()
        page = urlsplit(self.page_url)
        return "; ".join(
            f"{cookie.name}={cookie.value}"
            for cookie in self._jar
            if cookie.value is not None and _visible_to(cookie, page)
        )

    def set_cookie(self, cookie: str) -> None:
        """Stored as the page's ``Set-Cookie`` would be: domain rules checked, a past expiry deletes it."""
        headers = email.message.Message()
        headers["Set-Cookie"] = cookie
        self._jar.extract_cookies(
            cast(http.client.HTTPResponse, _SetCookieHeaders(headers)), urllib.request.Request(self.page_url)
        )
        self._save()

    # Storage
    def storage_get(self, kind: StorageKind, key: str) -> str | None:
        return self._storage[kind].get(key)

    def storage_set(self, kind: StorageKind, key: str, value: str) -> None:
        self._storage[kind][key] = value
        if kind == "local":
            self._save()

    def storage_remove(self, kind: StorageKind, key: str) -> None:
        if self._storage[kind].pop(key, None) is not None and kind == "local":
            self._save()

    def storage_keys(self, kind: StorageKind) -> list[str]:
        return list(self._storage[kind])

    # The visitor's state on disk
    def _load(self) -> None:
        if self._state_file is None or not self._state_file.is_file():
            return
        try:
            state = json.loads(self._state_file.read_text(encoding="utf-8"))
            local = {str(k): str(v) for k, v in state["localStorage"].items()}
            cookies = [_cookie_from_json(saved) for saved in state["cookies"]]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ConfigurationError(
                f"{self._state_file} is not a visitor's state saved by CPythonBrowser ({error!r}): "
                "give another state_file, or remove it to start a new visitor."
            ) from None
        self._storage["local"] = local
        for cookie in cookies:
            self._jar.set_cookie(cookie)
        self._jar.clear_expired_cookies()

    def _save(self) -> None:
        if self._state_file is None:
            return
        state = {
            "cookies": [_cookie_to_json(cookie) for cookie in self._jar if not cookie.discard],
            "localStorage": self._storage["local"],
        }
        # Written whole, then renamed: a crash never leaves half a visitor.
        directory = self._state_file.parent
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, delete=False) as out:
            json.dump(state, out, indent=1)
        os.replace(out.name, self._state_file)

    # Page
    def page(self) -> PageFacts:
        return PageFacts(href=self.page_url, referrer=self.referrer, user_agent=self.user_agent)

    def scroll_offset(self) -> tuple[float, float] | None:
        return None  # no window to scroll

    # Clock, ids, randomness
    def now_ms(self) -> int:
        return int(time.time() * 1000)

    def timezone_offset_minutes(self, epoch_ms: int) -> int:
        """As ``getTimezoneOffset``: minutes to add to local time to get UTC, in the local zone."""
        return -(time.localtime(epoch_ms / 1000).tm_gmtoff // 60)

    def uuid4(self) -> str:
        return str(uuid.uuid4())

    def random(self) -> float:
        return random.random()

    async def sleep_ms(self, ms: int) -> None:
        await asyncio.sleep(ms / 1000)

    def log(self, level: str, *args: object) -> None:
        """To the ``alloy_py`` logger; the first argument is alloy's ``[instance] [Component]`` prefix."""
        logger.log(_LOG_LEVELS.get(level, logging.INFO), " ".join(_log_text(arg) for arg in args))

    def report_unhandled(self, error: BaseException) -> None:
        logger.error("Unhandled rejection: %s", error)

    # Monitors (window.__alloyMonitors) belong to a page: there are none here.
    def has_monitors(self) -> bool:
        return False

    def notify_monitors(self, hook: str, data: Mapping[str, object]) -> list[str]:
        return []

    # Page globals: there is no page, so no Visitor.js and no client hints.
    def has_visitor(self) -> bool:
        return False

    def has_legacy_opt_in(self) -> bool:
        return False

    async def legacy_opt_in_approved(self) -> bool:
        raise NoPageError("There is no adobe.optIn without a page.")

    async def visitor_ecid(self, org_id: str) -> str | None:
        raise NoPageError("There is no Visitor.js without a page.")

    async def high_entropy_values(self, hints: list[str]) -> Mapping[str, object] | None:
        return None

    # DOM: an empty document. Nothing is ever found, made nodes stay detached, nothing changes.
    def query_all(self, selector: str, within: Node | None = None) -> list[Node]:
        return []

    def matches(self, node: Node, selector: str) -> bool:
        return False

    def is_same_node(self, node: Node, other: Node) -> bool:
        return node is other

    async def next_mutation(self, timeout_ms: int) -> None:
        await self.sleep_ms(timeout_ms)  # this document never changes

    def tag_name(self, node: Node) -> str:
        return node.tag.upper() if isinstance(node, _DetachedNode) else ""

    def shadow_root(self, node: Node) -> Node | None:
        return None

    def get_attribute(self, node: Node, name: str) -> str | None:
        return node.attributes.get(name) if isinstance(node, _DetachedNode) else None

    def set_attribute(self, node: Node, name: str, value: str) -> None:
        if isinstance(node, _DetachedNode):
            node.attributes[name] = value

    def remove_attribute(self, node: Node, name: str) -> None:
        if isinstance(node, _DetachedNode):
            node.attributes.pop(name, None)

    def set_text(self, node: Node, text: str) -> None:
        return None

    def append_style(self, node: Node, css: str) -> None:
        return None

    def insert_html(self, node: Node, position: HtmlPosition, html: str) -> tuple[list[Node], list[str]]:
        return [], []

    async def load_scripts(self, urls: list[str]) -> None:
        return None

    def remove(self, node: Node) -> None:
        return None

    def children(self, node: Node) -> list[Node]:
        return []

    def move(self, node: Node, reference: Node, *, after: bool) -> None:
        return None

    def add_style(self, css: str, element_id: str | None = None) -> Node:
        return _DetachedNode("style", {"id": element_id} if element_id else {})

    def element_by_id(self, element_id: str) -> Node | None:
        return None

    def preload_image(self, url: str) -> None:
        return None

    def replace_location(self, url: str) -> None:
        """A redirect needs a page to leave; decisions are never rendered here, so none asks."""
        raise ValueError("There is no page to redirect: CPythonBrowser has no window.")

    # In-app messages: never rendered here (no document); made nodes stay detached.
    def create_element(self, tag: str, attributes: Mapping[str, str]) -> Node:
        return _DetachedNode(tag, dict(attributes))

    def set_style_property(self, node: Node, name: str, value: str) -> None:
        return None

    def insert_node(self, parent: Node, method: str, node: Node) -> bool:
        return False

    def parse_html_document(self, html: str) -> Node:
        return _DetachedNode("html", {})

    def outer_html(self, node: Node) -> str:
        return ""

    def object_url(self, text: str, mime_type: str) -> str:
        raise NoPageError("Blob URLs need a browser page: CPythonBrowser has no window.")

    def page_nonce(self) -> str | None:
        return None

    def on_frame_click(self, iframe: Node, listener: ClickListener) -> None:
        return None

    def assign_location(self, url: str) -> None:
        raise ValueError("There is no page to leave: CPythonBrowser has no window.")

    # Pixels: ID syncs and URL destinations set third-party cookies in a browser; here there is none.
    def append_hidden_iframe(self, name: str) -> Node:
        return _DetachedNode("iframe", {"name": name})

    async def fire_image(self, url: str, within: Node | None = None) -> None:
        raise ImageError(f"Image pixels need a browser page; not fired: {url}")

    # Push notifications need a browser's push service and a service worker; here there are none,
    # so sendPushSubscription fails with alloy's "Service workers are not supported in this browser."
    def push_support(self) -> PushSupport:
        return "no-service-worker"

    async def service_worker_registered(self) -> bool:
        return False

    async def push_subscribe(self, application_server_key: bytes) -> PushSubscription:
        raise PageApiError(_NO_PUSH)

    async def push_unsubscribe(self) -> bool | None:
        return None

    # IndexedDB: where a service worker reads alloy's push settings; no service worker here.
    async def indexed_db_get(self, database: str, store: str, key: str) -> dict[str, Any] | None:
        raise PageApiError(_NO_INDEXED_DB)

    async def indexed_db_put(self, database: str, store: str, record: dict[str, Any]) -> None:
        raise PageApiError(_NO_INDEXED_DB)
    # Advertising: no page, so no iframe and no partner scripts.
    async def frame_message(self, src: str, trusted_host: str, timeout_ms: int) -> object:
        raise TimeoutError(f"An iframe needs a browser page; not loaded: {src}")

    def has_global(self, name: str) -> bool:
        return False

    def id5_user_id(self, partner_id: int) -> str | None:
        raise RuntimeError("ID5 object not available after script load")

    async def id5_on_available(self, partner_id: int, wait_ms: int) -> str | None:
        raise RuntimeError("ID5 object not available after script load")

    async def ats_retrieve_envelope(self) -> object:
        raise RuntimeError("window.ats is not available without a browser page")

    # Clicks: no visitor clicks here.
    def on_click(self, listener: ClickListener) -> None:
        return None

    def parent(self, node: Node) -> Node | None:
        return None

    def node_name(self, node: Node) -> str:
        return node.tag.upper() if isinstance(node, _DetachedNode) else "#document"

    def child_nodes(self, node: Node) -> list[Node]:
        return []

    def node_value(self, node: Node) -> str | None:
        return None

    def inner_text(self, node: Node) -> str:
        return ""

    def link_facts(self, node: Node) -> LinkFacts:
        return LinkFacts()


def _log_text(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, default=str)
    except ValueError:  # a circular structure
        return repr(value)


def _visible_to(cookie: http.cookiejar.Cookie, page: SplitResult) -> bool:
    """In ``document.cookie`` of ``page``: its domain and path, ``Secure`` only over https, never ``HttpOnly``."""
    host = (page.hostname or "").lower()
    domain = cookie.domain.lower()
    if cookie.domain_specified:
        on_domain = host == domain.lstrip(".") or host.endswith("." + domain.lstrip("."))
    else:
        on_domain = host == domain  # host-only
    return (
        on_domain
        and (page.path or "/").startswith(cookie.path)
        and (page.scheme == "https" or not cookie.secure)
        and "httponly" not in (name.lower() for name in _attributes(cookie))
    )


def _attributes(cookie: http.cookiejar.Cookie) -> dict[str, str | None]:
    """Its other attributes (``SameSite``, ``HttpOnly``), as written: ``Cookie`` has no public reader of them all."""
    attributes: dict[str, str | None] = getattr(cookie, "_rest", {})  # where Cookie keeps them
    return dict(attributes)


def _cookie_to_json(cookie: http.cookiejar.Cookie) -> dict[str, Any]:
    return {
        "name": cookie.name,
        "value": cookie.value,
        "domain": cookie.domain,
        "domainSpecified": cookie.domain_specified,
        "path": cookie.path,
        "secure": cookie.secure,
        "expires": cookie.expires,
        "attributes": _attributes(cookie),
    }


def _cookie_from_json(saved: dict[str, Any]) -> http.cookiejar.Cookie:
    domain = str(saved["domain"])
    return http.cookiejar.Cookie(
        version=0,
        name=str(saved["name"]),
        value=saved["value"],
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=bool(saved["domainSpecified"]),
        domain_initial_dot=domain.startswith("."),
        path=str(saved["path"]),
        path_specified=True,
        secure=bool(saved["secure"]),
        expires=saved["expires"],
        discard=False,
        comment=None,
        comment_url=None,
        rest=dict(saved.get("attributes") or {}),
    )


_NO_PUSH = "Push subscriptions need a browser with a service worker: CPythonBrowser has neither."
_NO_INDEXED_DB = "IndexedDB needs a browser: CPythonBrowser has none (nothing to keep for a service worker)."


if TYPE_CHECKING:  # mypy checks that the backend's browser is a whole Browser
    _conforms: Browser = CPythonBrowser()
