"""Image pixels: ID syncs (``identity:exchange``) and URL destinations (``activation:push``).

Port of ``utils/dom/injectFireReferrerHideableImage.js``,
``components/Identity/injectProcessIdSyncs.js`` and the URL half of
``components/Audiences/injectProcessDestinations.js``. A pixel is an ``<img>``
never attached to the page; with ``hideReferrer`` it is made by the document of
one hidden iframe named "Adobe Alloy", appended to ``<body>`` the first time it
is needed and shared by every instance of the page (alloy keeps it in its
module). Pixels are fire-and-forget: a failure is logged
(``ID sync failed: <url>``), never raised to the command.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ._futures import spawn
from .browser import Browser, Node
from .edge.response import js_string
from .errors import ImageError
from .log import Logger

__all__ = ["IFRAME_NAME", "ReferrerHideableImage", "fire_url_pixels", "js_truthy"]

IFRAME_NAME = "Adobe Alloy"
BODY_WAIT_MS = 5000  # awaitSelector's MAX_POLLING_TIMEOUT



def js_truthy(value: Any) -> bool:
    """JavaScript truthiness of a JSON value."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    return True


class ReferrerHideableImage:
    """``fireReferrerHideableImage``: one per page (see :class:`~alloy_py.instance.PageInstances`)."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._iframe: Node | None = None

    async def fire(self, url: str, *, hide_referrer: bool) -> None:
        if not hide_referrer:
            await self._browser.fire_image(url)
            return
        await self._browser.fire_image(url, await self._hidden_iframe())

    async def _hidden_iframe(self) -> Node:
        await self._await_body()
        if self._iframe is None:
            self._iframe = self._browser.append_hidden_iframe(IFRAME_NAME)
        return self._iframe

    async def _await_body(self) -> None:
        deadline = self._browser.now_ms() + BODY_WAIT_MS
        while not self._browser.query_all("BODY"):
            remaining = deadline - self._browser.now_ms()
            if remaining <= 0:
                raise ImageError("Could not find: BODY")
            await self._browser.next_mutation(remaining)


def fire_url_pixels(images: ReferrerHideableImage, items: Iterable[Any], logger: Logger, label: str) -> None:
    """Fire the ``type: "url"`` items' ``spec.url``, each logged ``<label> succeeded/failed: <url>``.

    Items of another type are left alone; an item whose ``spec`` is not an object is
    skipped (alloy.js fails the command on it with a TypeError).
    """
    for item in items:
        if not isinstance(item, dict) or item.get("type") != "url" or not isinstance(item.get("spec"), dict):
            continue
        spec = item["spec"]
        # img.src = String(spec.url), as alloy's setAttribute does.
        url = js_string(spec["url"]) if "url" in spec else "undefined"
        spawn(_fire_logged(images, url, js_truthy(spec.get("hideReferrer")), logger, label))


async def _fire_logged(images: ReferrerHideableImage, url: str, hide: bool, logger: Logger, label: str) -> None:
    try:
        await images.fire(url, hide_referrer=hide)
    except Exception:  # alloy: "We intentionally do not throw an error if id syncs fail."
        logger.warn(f"{label} failed: {url}")
    else:
        logger.info(f"{label} succeeded: {url}")
