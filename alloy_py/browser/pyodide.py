"""The real page, through Pyodide: the only module (with :mod:`.bridge`) that imports ``js``.

Each method is one browser call and its conversion; decisions stay in the core.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsException, to_js  # type: ignore[import-not-found]

from ..errors import NetworkError
from . import HttpRequest, HttpResponse, PageFacts, StorageKind

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

    def send_beacon(self, request: HttpRequest) -> bool:
        if not hasattr(js.navigator, "sendBeacon"):
            return False
        blob = js.Blob.new(to_js([request.body]), to_js({"type": request.content_type}, dict_converter=js.Object.fromEntries))
        return bool(js.navigator.sendBeacon(request.url, blob))

    def get_cookies(self) -> str:
        return str(js.document.cookie)

    def set_cookie(self, cookie: str) -> None:
        js.document.cookie = cookie

    def _storage(self, kind: StorageKind) -> Any:
        return js.localStorage if kind == "local" else js.sessionStorage

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

    def page(self) -> PageFacts:
        screen = js.screen
        root = js.document.documentElement
        return PageFacts(
            href=str(js.location.href),
            referrer=str(js.document.referrer),
            user_agent=str(js.navigator.userAgent),
            screen_width=_integer(screen.width),
            screen_height=_integer(screen.height),
            screen_orientation=_orientation(),
            viewport_width=_integer(root.clientWidth) if root else None,
            viewport_height=_integer(root.clientHeight) if root else None,
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
        converted = [to_js(arg, dict_converter=js.Object.fromEntries) for arg in args]
        getattr(js.console, level)(*converted)


def _integer(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _orientation() -> str | None:
    orientation = getattr(js.screen, "orientation", None)
    kind = getattr(orientation, "type", None) if orientation is not None else None
    if isinstance(kind, str) and kind.split("-")[0] in ("portrait", "landscape"):
        return kind.split("-")[0]
    if hasattr(js, "matchMedia"):
        for name in ("portrait", "landscape"):
            if js.matchMedia(f"(orientation: {name})").matches:
                return name
    return None


def _js_message(error: JsException) -> str:
    message = getattr(error, "message", None)
    return str(message) if message else str(error)


_browser: PyodideBrowser | None = None


def page_browser() -> PyodideBrowser:
    """The one browser object for this page."""
    global _browser
    if _browser is None:
        _browser = PyodideBrowser()
    return _browser
