"""The real page, through Pyodide: the only module (with :mod:`.bridge`) that imports ``js``.

Each method is one browser call and its conversion; decisions stay in the core.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Coroutine, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import (  # type: ignore[import-not-found]
    JsException,
    create_once_callable,
    create_proxy,
    jsnull,
    to_js,
)

from .._futures import spawn
from ..errors import ImageError, NetworkError, NoPageError, PageApiError, PageScriptError
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

__all__ = ["PyodideBrowser", "page_browser"]

# The only headers the core reads; copying all of them costs an FFI call each.
_READ_HEADERS = ("x-adobe-edge", "retry-after", "content-type")


class PyodideBrowser:
    async def fetch(self, request: HttpRequest) -> HttpResponse:
        init = to_js(
            {
                "method": "POST",
                "body": request.body,
                "headers": {"Content-Type": request.content_type},
                "credentials": "include",
                "cache": "no-cache",
                "referrerPolicy": "no-referrer-when-downgrade",
                "referrer": str(_page().location.href),  # a worker's own (blob:) URL would be sent as none
            },
            dict_converter=js.Object.fromEntries,
        )
        try:
            response = await js.fetch(request.url, init)
            body = await response.text()
        except JsException as error:
            raise NetworkError(_js_message(error)) from None
        headers = {}
        for name in _READ_HEADERS:
            value = response.headers.get(name)
            if isinstance(value, str):
                headers[name] = value
        return HttpResponse(int(response.status), str(body), headers)

    async def fetch_stream(self, request: HttpRequest) -> TextStream:
        headers = {"Content-Type": request.content_type}
        if request.accept is not None:
            headers["Accept"] = request.accept
        # As alloy's BrandConcierge: window.fetch with its default credentials (same-origin).
        init = to_js(
            {"method": "POST", "headers": headers, "body": request.body}, dict_converter=js.Object.fromEntries
        )
        try:
            response = await js.fetch(request.url, init)
        except JsException as error:
            raise NetworkError(_js_message(error)) from None
        return _BodyStream(response)

    def send_beacon(self, request: HttpRequest) -> bool:
        if not hasattr(_page().navigator, "sendBeacon"):
            return False
        blob = js.Blob.new(
            to_js([request.body]), to_js({"type": request.content_type}, dict_converter=js.Object.fromEntries)
        )
        return bool(_page().navigator.sendBeacon(request.url, blob))

    def get_cookies(self) -> str:
        return str(_page().document.cookie)

    def set_cookie(self, cookie: str) -> None:
        _page().document.cookie = cookie

    def _storage(self, kind: StorageKind) -> Any:
        return _page().localStorage if kind == "local" else _page().sessionStorage

    # Storage may be disabled (Safari private mode throws): treat it as empty.
    def storage_get(self, kind: StorageKind, key: str) -> str | None:
        try:
            value = self._storage(kind).getItem(key)
        except JsException:
            return None
        return value if isinstance(value, str) else None

    def storage_set(self, kind: StorageKind, key: str, value: str) -> None:
        try:
            self._storage(kind).setItem(key, value)
        except JsException:
            pass

    def storage_remove(self, kind: StorageKind, key: str) -> None:
        try:
            self._storage(kind).removeItem(key)
        except JsException:
            pass

    def storage_keys(self, kind: StorageKind) -> list[str]:
        try:
            return [str(key) for key in _page().Object.keys(self._storage(kind))]
        except JsException:
            return []

    def scroll_offset(self) -> tuple[float, float] | None:
        window = _page()
        return float(window.scrollX or 0), float(window.scrollY or 0)

    def page(self) -> PageFacts:
        screen = _page().screen
        root = _node(_page().document.documentElement)
        return PageFacts(
            href=str(_page().location.href),
            referrer=str(_page().document.referrer),
            user_agent=str(_page().navigator.userAgent),
            screen_width=_integer(screen.width),
            screen_height=_integer(screen.height),
            screen_orientation=_orientation(),
            viewport_width=_integer(root.clientWidth) if root is not None else None,
            viewport_height=_integer(root.clientHeight) if root is not None else None,
            iana_timezone=str(js.Intl.DateTimeFormat.new().resolvedOptions().timeZone or "") or None,
        )

    def now_ms(self) -> int:
        return int(js.Date.now())

    def timezone_offset_minutes(self, epoch_ms: int) -> int:
        return int(js.Date.new(epoch_ms).getTimezoneOffset())

    def uuid4(self) -> str:
        return str(uuid.uuid4())

    def random(self) -> float:
        return random.random()

    async def sleep_ms(self, ms: int) -> None:
        await asyncio.sleep(ms / 1000)

    def log(self, level: str, *args: object) -> None:
        converted = [to_js(_with_js_dates(arg), dict_converter=js.Object.fromEntries) for arg in args]
        getattr(_page().console, level)(*converted)

    def report_unhandled(self, error: BaseException) -> None:
        # The page's own error object when it threw one (a TypeError from a refused innerHTML).
        original = getattr(error, "js_error", None)
        reason = original if original is not None else js.Error.new(str(error))
        # Promise.reject called from Python would come back as a future Pyodide handles: made by a
        # bound function in a microtask, nobody holds the rejected promise, so the page sees it unhandled.
        js.queueMicrotask(js.Function.prototype.call.bind(js.Promise.reject, js.Promise, reason))

    # Monitors
    def has_monitors(self) -> bool:
        # Asked before every log call: one FFI crossing when there are none. No JS is evaluated from a
        # string (a CSP without 'unsafe-eval' forbids it).
        monitors = _monitors()
        return monitors is not None and bool(js.Array.isArray(monitors)) and monitors.length > 0

    def notify_monitors(self, hook: str, data: Mapping[str, object]) -> list[str]:
        from .bridge import to_page  # (bridge imports this module)

        monitors = _monitors()
        if not js.Array.isArray(monitors):
            return []
        payload = to_page(dict(data))
        failures = []
        for monitor in list(monitors):
            function: Any = getattr(monitor, hook, None) if monitor is not None and monitor is not jsnull else None
            if getattr(function, "typeof", None) == "function":
                try:
                    function(payload)  # called on the monitor: ``this`` is the monitor
                except JsException as error:
                    failures.append(_js_message(error))
                except Exception as error:  # a monitor calling into alloy-py that failed there
                    failures.append(str(error))
        return failures

    # DOM
    has_document = True

    def query_all(self, selector: str, within: Node | None = None) -> list[Node]:
        try:
            return list((within or _page().document).querySelectorAll(selector))
        except JsException as error:
            raise ValueError(_js_message(error)) from None

    def matches(self, node: Node, selector: str) -> bool:
        if not self.tag_name(node):
            return False
        try:
            return bool(node.matches(selector))
        except JsException as error:
            raise ValueError(_js_message(error)) from None

    def is_same_node(self, node: Node, other: Node) -> bool:
        return bool(node.isSameNode(other))

    async def next_mutation(self, timeout_ms: int) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def finish(*_: Any) -> None:
            if not done.done():
                done.set_result(None)

        callback = create_proxy(finish)
        observer = _page().MutationObserver.new(callback)
        options = to_js({"childList": True, "subtree": True}, dict_converter=js.Object.fromEntries)
        observer.observe(_page().document, options)
        timer = js.setTimeout(callback, timeout_ms)
        try:
            await done
        finally:
            observer.disconnect()
            js.clearTimeout(timer)
            callback.destroy()

    def tag_name(self, node: Node) -> str:
        return str(getattr(node, "tagName", "") or "").upper()

    def shadow_root(self, node: Node) -> Node | None:
        return _node(getattr(node, "shadowRoot", None))

    def get_attribute(self, node: Node, name: str) -> str | None:
        value = node.getAttribute(name)
        return value if isinstance(value, str) else None

    def set_attribute(self, node: Node, name: str, value: str) -> None:
        node.setAttribute(name, value)

    def remove_attribute(self, node: Node, name: str) -> None:
        node.removeAttribute(name)

    def set_text(self, node: Node, text: str) -> None:
        node.textContent = text

    def append_style(self, node: Node, css: str) -> None:
        node.style.cssText += css

    def insert_html(self, node: Node, position: HtmlPosition, html: str) -> tuple[list[Node], list[str]]:
        if position == "replace-children":
            node.replaceChildren()  # first, as alloy's setHtml: a refused innerHTML (Trusted Types) leaves it empty
        template = _page().document.createElement("template")
        template.innerHTML = html
        fragment = template.content
        nonce = _nonce()
        for style in fragment.querySelectorAll("style"):
            if nonce and not style.getAttribute("src"):
                style.nonce = nonce
        inline, remote = [], []
        for script in fragment.querySelectorAll("script"):
            src = script.getAttribute("src")
            if src:
                remote.append(str(src))
            elif script.textContent:
                inline.append(str(script.textContent))
        for image in fragment.querySelectorAll("img"):
            if image.getAttribute("src"):
                self.preload_image(str(image.getAttribute("src")))
        nodes = list(fragment.childNodes)
        if position == "replace-children":
            node.replaceChildren(fragment)
        elif position == "append":
            node.append(fragment)
        elif position == "prepend":
            node.prepend(fragment)
        elif position == "before":
            node.before(fragment)
        else:
            node.after(fragment)
        parent = node if position in ("replace-children", "append", "prepend") else _node(node.parentNode)
        for text in inline:  # HTML-inserted scripts never run: recreate them
            if parent is None:
                break
            script = _page().document.createElement("script")
            if nonce:  # an attribute, as alloy's createNode sets it (the browser then hides its value)
                script.setAttribute("nonce", nonce)
            script.textContent = text
            parent.appendChild(script)
            parent.removeChild(script)
        return nodes, remote

    async def load_scripts(self, urls: list[str]) -> None:
        waits = []
        for url in urls:
            script = _page().document.createElement("script")
            script.src = url
            script.setAttribute("async", "")
            waits.append(_load_event(script, RuntimeError(f"Failed to load script: {url}")))
            _page().document.head.appendChild(script)
        await asyncio.gather(*waits)

    def remove(self, node: Node) -> None:
        node.remove()

    def children(self, node: Node) -> list[Node]:
        return list(node.children)

    def move(self, node: Node, reference: Node, *, after: bool) -> None:
        if after:
            reference.after(node)
        else:
            reference.before(node)

    def add_style(self, css: str, element_id: str | None = None) -> Node:
        style = _page().document.createElement("style")
        if element_id:
            style.id = element_id
        nonce = _nonce()
        if nonce:  # an attribute, as alloy's createNode sets it (the browser then hides its value)
            style.setAttribute("nonce", nonce)
        style.textContent = css
        _page().document.head.appendChild(style)
        return style

    def element_by_id(self, element_id: str) -> Node | None:
        return _node(_page().document.getElementById(element_id))

    def preload_image(self, url: str) -> None:
        image = _page().document.createElement("img")
        image.src = url

    def replace_location(self, url: str) -> None:
        try:
            _page().location.replace(url)
        except JsException as error:  # a URL the browser cannot parse (SyntaxError)
            raise ValueError(_js_message(error)) from None

    # In-app messages
    def create_element(self, tag: str, attributes: Mapping[str, str]) -> Node:
        element = _page().document.createElement(tag)
        for name, value in attributes.items():
            element.setAttribute(name, value)
        return element

    def set_style_property(self, node: Node, name: str, value: str) -> None:
        setattr(node.style, name, value)

    def insert_node(self, parent: Node, method: str, node: Node) -> bool:
        insert = getattr(parent, method, None)
        if not callable(insert):
            return False
        insert(node)
        return True

    def parse_html_document(self, html: str) -> Node:
        return _page().DOMParser.new().parseFromString(html, "text/html")

    def outer_html(self, node: Node) -> str:
        element = getattr(node, "documentElement", None) or node
        return str(element.outerHTML)

    def object_url(self, text: str, mime_type: str) -> str:
        options = to_js({"type": mime_type}, dict_converter=js.Object.fromEntries)
        return str(_page().URL.createObjectURL(_page().Blob.new(to_js([text]), options)))

    def page_nonce(self) -> str | None:
        return _nonce()

    def on_frame_click(self, iframe: Node, listener: ClickListener) -> None:
        def click(event: Any) -> None:
            event.preventDefault()
            event.stopImmediatePropagation()
            listener(event.target)

        def load(*_: Any) -> None:
            window = iframe.contentWindow
            if window is not None and window is not jsnull:
                window.addEventListener("click", on_click)

        on_click, on_load = create_proxy(click), create_proxy(load)
        _kept_proxies.extend((on_click, on_load))  # as long as the page: the message may stay
        iframe.addEventListener("load", on_load)

    def assign_location(self, url: str) -> None:
        try:
            _page().location.href = url
        except JsException as error:  # a URL the browser cannot parse (SyntaxError)
            raise ValueError(_js_message(error)) from None

    # Pixels
    def append_hidden_iframe(self, name: str) -> Node:
        iframe = _page().document.createElement("iframe")
        iframe.setAttribute("name", name)
        iframe.style.display = "none"
        iframe.style.width = 0
        iframe.style.height = 0
        return _page().document.body.appendChild(iframe)

    async def fire_image(self, url: str, within: Node | None = None) -> None:
        try:
            document = _page().document if within is None else within.contentWindow.document
            image = document.createElement("img")
        except (JsException, AttributeError) as error:  # an iframe taken out of the page has no window
            raise ImageError(str(error)) from None
        loaded = _load_event(image, ImageError(f"The image did not load: {url}"))
        image.setAttribute("src", url)
        await loaded

    # Advertising
    async def frame_message(self, src: str, trusted_host: str, timeout_ms: int) -> object:
        page = _page()
        done: asyncio.Future[object] = asyncio.get_running_loop().create_future()

        def receive(event: Any) -> None:
            if from_host(str(event.origin), trusted_host) and not done.done():
                done.set_result(_from_js(event.data))

        def expire(*_: Any) -> None:
            if not done.done():
                done.set_exception(TimeoutError("Advertising identity call timed out"))

        listener, timeout = create_proxy(receive), create_proxy(expire)
        page.addEventListener("message", listener, False)
        timer = js.setTimeout(timeout, timeout_ms)
        iframe = page.document.createElement("iframe")
        iframe.setAttribute("src", src)
        iframe.height = iframe.width = iframe.frameBorder = 0
        iframe.style.display = "none"
        try:
            while page.document.body is None or page.document.body is jsnull:
                if done.done():
                    break
                await self.next_mutation(timeout_ms)
            else:
                page.document.body.appendChild(iframe)
            return await done
        finally:
            page.removeEventListener("message", listener, False)
            js.clearTimeout(timer)
            listener.destroy()
            timeout.destroy()

    def has_global(self, name: str) -> bool:
        return _live(name) is not None  # undefined comes as None, null as jsnull

    def id5_user_id(self, partner_id: int) -> str | None:
        try:
            value = _live("ID5").init(_js_object({"partnerId": partner_id})).getUserId()
        except (JsException, AttributeError) as error:
            raise RuntimeError(str(error)) from None
        return str(value) if isinstance(value, str) else None

    async def id5_on_available(self, partner_id: int, wait_ms: int) -> str | None:
        done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

        def available(status: Any, *_: Any) -> None:
            try:
                value = status.getUserId()
            except (JsException, AttributeError):
                value = None
            if not done.done():
                done.set_result(str(value) if isinstance(value, str) else None)

        callback = create_proxy(available)
        try:
            _live("ID5").init(_js_object({"partnerId": partner_id})).onAvailable(callback, wait_ms)
            return await done
        except (JsException, AttributeError) as error:
            raise RuntimeError(str(error)) from None
        finally:
            if done.done():  # otherwise ID5 may still call it (the caller stopped waiting)
                callback.destroy()

    async def ats_retrieve_envelope(self) -> object:
        try:
            return _from_js(await _live("ats").retrieveEnvelope())
        except (JsException, AttributeError) as error:
            raise RuntimeError(str(error)) from None

    # Clicks
    # Push notifications
    def push_support(self) -> PushSupport:
        page = _page()
        if not page.Reflect.has(page.navigator, "serviceWorker"):
            return "no-service-worker"
        if not (page.Reflect.has(page, "PushManager") and page.Reflect.has(page, "Notification")):
            return "no-push-manager"
        permission = str(page.Notification.permission)
        return "granted" if permission == "granted" else "denied" if permission == "denied" else "default"

    async def _registration(self) -> Any:
        try:
            return _node(await _page().navigator.serviceWorker.getRegistration())
        except JsException as error:
            raise PageApiError(_js_message(error)) from None

    async def service_worker_registered(self) -> bool:
        return await self._registration() is not None

    async def push_subscribe(self, application_server_key: bytes) -> PushSubscription:
        page = _page()
        registration = await self._registration()
        if registration is None:
            raise PageApiError("No service worker registration was found.")
        options = page.Object.new()
        options.userVisibleOnly = True
        options.applicationServerKey = page.Uint8Array.new(to_js(list(application_server_key)))
        try:
            subscription = await registration.pushManager.subscribe(options)

            def key(name: str) -> bytes:  # new Uint8Array(subscription.getKey(name)): empty for null
                raw = subscription.getKey(name)
                return bytes(page.Uint8Array.new(None if raw is jsnull else raw).to_bytes())

            return PushSubscription(str(subscription.endpoint), key("p256dh"), key("auth"))
        except JsException as error:
            raise PageApiError(_js_message(error)) from None

    async def push_unsubscribe(self) -> bool | None:
        registration = await self._registration()
        if registration is None:
            return None
        try:
            subscription = _node(await registration.pushManager.getSubscription())
            if subscription is None:
                return None
            return bool(await subscription.unsubscribe())
        except JsException as error:
            raise PageApiError(_js_message(error)) from None

    # IndexedDB
    async def indexed_db_get(self, database: str, store: str, key: str) -> dict[str, Any] | None:
        db = await _open_indexed_db(database, store)
        try:
            record = await _indexed_db_request(db.transaction(store, "readonly").objectStore(store).get(key))
        except JsException as error:  # no such store, a closing database…
            raise PageApiError(_js_message(error)) from None
        finally:
            db.close()
        if record is None or record is jsnull:
            return None
        value = record.to_py() if hasattr(record, "to_py") else record
        return value if isinstance(value, dict) else None

    async def indexed_db_put(self, database: str, store: str, record: dict[str, Any]) -> None:
        db = await _open_indexed_db(database, store)
        try:
            value = to_js(record, dict_converter=js.Object.fromEntries)
            await _indexed_db_request(db.transaction(store, "readwrite").objectStore(store).put(value))
        except JsException as error:  # a value that cannot be cloned, no such store…
            raise PageApiError(_js_message(error)) from None
        finally:
            db.close()

    def on_click(self, listener: ClickListener) -> None:
        def handle(event: Any) -> None:
            if getattr(event, "s_fe", None):  # AppMeasurement re-dispatching a click
                return
            path = event.composedPath() if hasattr(event, "composedPath") else None
            listener(path[0] if path is not None and path.length > 0 else event.target)

        proxy = create_proxy(handle)
        _kept_proxies.append(proxy)  # lives as long as the page
        _page().document.addEventListener("click", proxy, True)

    def parent(self, node: Node) -> Node | None:
        return _node(getattr(node, "parentNode", None))

    def node_name(self, node: Node) -> str:
        return str(getattr(node, "nodeName", "") or "")

    def child_nodes(self, node: Node) -> list[Node]:
        children = getattr(node, "childNodes", None)
        return list(children) if children is not None and children is not jsnull else []

    def node_value(self, node: Node) -> str | None:
        value = getattr(node, "nodeValue", None)
        return value if isinstance(value, str) else None

    def inner_text(self, node: Node) -> str:
        text = getattr(node, "innerText", None)
        if not isinstance(text, str) or not text:
            text = getattr(node, "textContent", None)
        return text if isinstance(text, str) else ""

    def link_facts(self, node: Node) -> LinkFacts:
        def text(name: str) -> str:
            value = getattr(node, name, None)
            return value if isinstance(value, str) else ""

        href = getattr(node, "href", None)
        return LinkFacts(
            href=href if isinstance(href, str) and href else None,
            protocol=text("protocol"),
            has_onclick=bool(getattr(node, "onclick", None)),
            type=text("type"),
            src=text("src"),
            download=bool(getattr(node, "download", None)),
            id=text("id"),
        )

    # Page globals: Visitor.js, user-agent client hints (read at each call: a page may load them late).
    def has_visitor(self) -> bool:
        visitor = _global("Visitor")
        return _typeof(visitor) == "function" and _typeof(getattr(visitor, "getInstance", None)) == "function"

    def has_legacy_opt_in(self) -> bool:
        adobe = _global("adobe")
        return _is_object(adobe) and _is_object(getattr(adobe, "optIn", None))

    async def legacy_opt_in_approved(self) -> bool:
        opt_in = _global("adobe").optIn
        try:
            await _called_back(lambda callback: opt_in.fetchPermissions(callback, True))
            return bool(opt_in.isApproved(to_js([opt_in.Categories.ECID])))
        except JsException as error:
            raise PageScriptError(_js_message(error)) from None

    async def visitor_ecid(self, org_id: str) -> str | None:
        def ask(callback: Any) -> None:
            visitor = _global("Visitor").getInstance(org_id, js.Object.new())
            visitor.getMarketingCloudVisitorID(callback, True)

        try:
            ecid = await _called_back(ask)
        except JsException as error:
            raise PageScriptError(_js_message(error)) from None
        return ecid if isinstance(ecid, str) and ecid else None

    async def high_entropy_values(self, hints: list[str]) -> Mapping[str, object] | None:
        navigator = _page().navigator
        if not hasattr(navigator, "userAgentData"):  # alloy: "userAgentData" in navigator
            return None
        try:
            answer = await navigator.userAgentData.getHighEntropyValues(to_js(hints))
        except JsException as error:
            raise PageScriptError(_js_message(error)) from None
        own = js.Object.prototype.hasOwnProperty
        return {
            name: value
            for name in hints
            if own.call(answer, name) and isinstance(value := getattr(answer, name), (str, bool, int, float))
        }


async def _called_back(call: Any) -> Any:
    """``call(callback)``, then the first argument the page calls ``callback`` with (JS callback APIs)."""
    called: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def settle(*args: Any) -> None:
        if not called.done():
            called.set_result(args[0] if args else None)

    callback = create_once_callable(settle)
    try:
        call(callback)
    except BaseException:
        if not called.done():
            callback.destroy()
        raise
    return await called


def _global(name: str) -> Any:
    """``window[name]`` now (``_page()`` keeps what it read once, for objects that never change)."""
    value = getattr(_page()._window, name, None)
    return None if value is jsnull else value


def _typeof(value: Any) -> str:
    if value is None or value is jsnull:
        return "undefined"
    return str(getattr(value, "typeof", "")) or type(value).__name__


def _is_object(value: Any) -> bool:
    """alloy's ``isObject``: not null, not an array, ``typeof`` object."""
    return _typeof(value) == "object" and not js.Array.isArray(value)


def _load_event(element: Any, failure: Exception) -> Coroutine[Any, Any, None]:
    """Listen now for ``element``'s load; await the result: its error or abort raises ``failure``.

    Called before the element starts loading (its ``src`` set, or it is put in
    the page), so no event can come before the listeners.
    """
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def settle(event: Any) -> None:
        if done.done():
            return
        if str(event.type) == "load":
            done.set_result(None)
        else:
            done.set_exception(failure)

    callback = create_proxy(settle)
    element.onload = element.onerror = element.onabort = callback

    async def loaded() -> None:
        try:
            await done
        finally:
            element.onload = element.onerror = element.onabort = jsnull
            callback.destroy()

    return loaded()


async def _indexed_db_request(request: Any, on_upgrade: Any = None) -> Any:
    """An ``IDBRequest``'s result, or :class:`PageApiError` with its error's message."""
    done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def succeeded(_: Any) -> None:
        if not done.done():
            done.set_result(request.result)

    def failed(_: Any) -> None:
        if not done.done():
            error = request.error
            done.set_exception(PageApiError(str(getattr(error, "message", "") or error)))

    proxies = [create_proxy(succeeded), create_proxy(failed)]
    request.onsuccess, request.onerror = proxies
    if on_upgrade is not None:
        proxies.append(create_proxy(on_upgrade))
        request.onupgradeneeded = proxies[-1]
    try:
        return await done
    finally:
        request.onsuccess = request.onerror = jsnull
        if on_upgrade is not None:
            request.onupgradeneeded = jsnull
        for proxy in proxies:
            proxy.destroy()


async def _open_indexed_db(database: str, store: str) -> Any:
    """``indexedDB.open(database, 1)``; its upgrade creates ``store`` keyed by ``id``, as alloy's.

    This thread's IndexedDB: the origin's, which the page, a PyScript worker and the
    service worker share (no object crosses threads).
    """
    try:
        request = js.indexedDB.open(database, 1)
    except JsException as error:
        raise PageApiError(_js_message(error)) from None

    def upgrade(event: Any) -> None:
        db = event.target.result
        if not db.objectStoreNames.contains(store):
            options = js.Object.new()
            options.keyPath = "id"
            db.createObjectStore(store, options)

    return await _indexed_db_request(request, upgrade)
def _from_js(value: Any) -> object:
    """A value a page API handed over, as Python data (``null``/``undefined``: ``None``)."""
    if value is None or value is jsnull:
        return None
    to_py = getattr(value, "to_py", None)
    return to_py() if callable(to_py) else value


def _js_object(value: dict[str, Any]) -> Any:
    return to_js(value, dict_converter=js.Object.fromEntries)


def _live(name: str) -> Any:
    """``window[name]`` read now (a partner's script defines it late): not through :class:`_Page`'s cache."""
    return getattr(_page()._window, name, None)


def _node(value: Any) -> Node | None:
    """DOM lookups answer ``null`` (``jsnull`` in Python) when nothing matches."""
    return None if value is None or value is jsnull else value


def _integer(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _orientation() -> str | None:
    orientation = getattr(_page().screen, "orientation", None)
    kind = getattr(orientation, "type", None) if orientation is not None else None
    if isinstance(kind, str) and kind.split("-")[0] in ("portrait", "landscape"):
        return kind.split("-")[0]
    if hasattr(_page(), "matchMedia"):
        for name in ("portrait", "landscape"):
            if _page().matchMedia(f"(orientation: {name})").matches:
                return name
    return None


_page_nonce: str | None = None
_kept_proxies: list[Any] = []


def _nonce() -> str | None:
    """The page's CSP nonce, read once as alloy does."""
    global _page_nonce
    if _page_nonce is None:
        node = _node(_page().document.querySelector("[nonce]"))
        _page_nonce = str((node.nonce or node.getAttribute("nonce")) or "") if node is not None else ""
    return _page_nonce or None


def _js_message(error: JsException) -> str:
    message = getattr(error, "message", None)
    return str(message) if message else str(error)


class _BodyStream:
    """A fetch's body through its ``ReadableStream`` reader and one streaming ``TextDecoder``."""

    def __init__(self, response: Any) -> None:
        self.status = int(response.status)
        body = response.body
        self._reader = body.getReader() if body is not None and body is not jsnull else None
        self._decoder = js.TextDecoder.new("utf-8")
        self._streaming = to_js({"stream": True}, dict_converter=js.Object.fromEntries)
        self._pending: asyncio.Future[str | None] | None = None

    async def read(self, timeout_ms: int) -> str | None:
        if self._reader is None:
            return None
        if self._pending is None:
            self._pending = spawn(self._next(self._reader))
        done, _ = await asyncio.wait({self._pending}, timeout=max(timeout_ms, 0) / 1000)
        if not done:
            raise TimeoutError
        pending, self._pending = self._pending, None
        return pending.result()

    async def _next(self, reader: Any) -> str | None:
        try:
            result = await reader.read()
        except JsException as error:
            raise NetworkError(_js_message(error)) from None
        if result.done:
            self._reader = None
            return None
        return str(self._decoder.decode(result.value, self._streaming))

    def close(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            try:
                reader.cancel()
            except JsException:
                pass


_browser: PyodideBrowser | None = None


def page_browser() -> PyodideBrowser:
    """The one browser object for this page; :class:`NoPageError` where the page is out of reach."""
    global _browser
    if _browser is None:
        _page()
        _browser = PyodideBrowser()
    return _browser


_NO_PAGE_IN_WORKER = (
    "alloy-py runs in a web worker that cannot reach the page: it needs the page's document, cookies and "
    "storage. In a PyScript worker (<script type=\"py\" worker>) they are reached through the main thread, "
    "which needs SharedArrayBuffer: serve the page and its scripts with the headers "
    "`Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` (or "
    "`credentialless`), or enable PyScript's service worker (see "
    "https://docs.pyscript.net/latest/faq/#sharedarraybuffer); or run alloy-py on the main thread "
    "(<script type=\"py\"> without worker)."
)


def _monitors() -> Any:
    """``window.__alloyMonitors``, read at each notification as alloy reads it. On the main thread only:
    in a PyScript worker the payloads' functions could not cross to the page's thread."""
    global _window
    if _window is _UNSET:  # looked up at the first call, never while the snapshot is made
        _window = getattr(js, "window", None)
    return getattr(_window, "__alloyMonitors", None) if _window is not None else None


_UNSET: Any = object()
_window: Any = _UNSET


class _Page:
    """The page's window, each of its objects (document, localStorage, navigator…) fetched once.

    In a worker every object that crosses from the main thread costs milliseconds;
    the window's objects never change, so one fetch each is enough. Only for them:
    not for values that change (``window.name``).
    """

    def __init__(self, window: Any) -> None:
        self._window = window

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._window, name)
        setattr(self, name, value)
        return value


_page_window: _Page | None = None


def _page() -> Any:
    """The page's global object: ``js`` on the main thread, PyScript's proxy of the main thread's in a worker.

    Everything meant on the page (document, storage, location, navigator, console,
    DOM constructors) goes through it; fetch, timers and clocks stay in this thread.
    """
    global _page_window
    if _page_window is None:
        if hasattr(js, "window"):  # the main thread: js is the page's window
            page = _Page(js)
        else:
            try:
                from pyscript import window  # type: ignore[import-not-found]

                page = _Page(window)
                page.document  # noqa: B018  (PyScript's stand-in raises when it has no main thread)
            except (ImportError, AttributeError):
                raise NoPageError(_NO_PAGE_IN_WORKER) from None
        _page_window = page
    return _page_window


if TYPE_CHECKING:  # mypy checks that the page's browser is a whole Browser
    _conforms: Browser = PyodideBrowser()


def _with_js_dates(value: Any) -> Any:
    """Logged values with their dates as JS ``Date`` objects, which the console shows as alloy.js's."""
    if isinstance(value, datetime):
        return js.Date.new(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {key: _with_js_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_js_dates(item) for item in value]
    return value
