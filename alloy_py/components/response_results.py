"""Audiences: what the Edge's answer asks of the page, and results read from it.

Port of ``components/Audiences`` (push destinations: cookies and URL pixels;
pull destinations), which also returns the ``inferences`` of alloy's removed
MachineLearning component: alloy 2.33.1 has no such component, so neither does
alloy-py's component list.
"""

from __future__ import annotations

import math
from typing import Any

from ..edge.response import EdgeResponse, js_string
from ..pixels import fire_url_pixels, js_truthy
from ..types import ResponseResult
from . import Component

__all__ = ["Audiences"]

DEFAULT_TTL_DAYS = 10
_DAY_MS = 86_400_000


class Audiences(Component):
    """``activation:push`` destinations applied (cookies, URL pixels), as alloy 2.33.1 does;
    ``destinations`` from ``activation:pull`` handles (alloy ≥ 2.34) and ``inferences`` from
    ``rtml:inferences`` handles, as Adobe's sendEvent reference documents."""

    namespace = "Audiences"

    def on_response(self, response: EdgeResponse) -> ResponseResult:
        # activation:push, fire and forget (injectProcessDestinations): cookies first, then URLs.
        pushed = response.payloads("activation:push")
        for item in pushed:
            if isinstance(item, dict) and item.get("type") == "cookie" and isinstance(item.get("spec"), dict):
                self._set_cookie(item["spec"])
        fire_url_pixels(self.services.images, pushed, self.logger, "URL destination")
        result: dict[str, Any] = {}
        destinations = [item for item in response.payloads("activation:pull") if isinstance(item, dict)]
        if destinations:
            result["destinations"] = destinations
        inferences = response.payloads("rtml:inferences")
        if inferences:
            result["inferences"] = inferences
        return result or None

    def _set_cookie(self, spec: dict[str, Any]) -> None:
        """``cookieJar.set(name, value || "", {domain: domain || "", expires: ttlDays || 10, …})``:
        js-cookie with an ``encodeURIComponent`` converter; host-only without ``spec.domain``."""
        name = js_string(spec["name"]) if "name" in spec else "undefined"
        value = js_string(spec.get("value")) if js_truthy(spec.get("value")) else ""
        domain = js_string(spec.get("domain")) if js_truthy(spec.get("domain")) else ""
        ttl = spec.get("ttlDays") if js_truthy(spec.get("ttlDays")) else DEFAULT_TTL_DAYS
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not math.isfinite(ttl):
            # js-cookie calls toUTCString() on a non-number and alloy.js fails the command; skipped here.
            self.logger.warn(f"Cookie destination {name} skipped: ttlDays is not a number.")
            return
        secure = self.services.browser.page().href.startswith("https:")
        options: dict[str, Any] = {"domain": domain, "expires": ttl}
        if secure:
            options.update(sameSite="none", secure=True)
        self.logger.info("Setting cookie", {"name": name, "value": value, **options})
        self.services.cookies.set(
            name,
            value,
            domain=domain,
            expires_ms=_expires_ms(self.services.browser.now_ms(), ttl),
            same_site="none" if secure else None,
            secure=secure,
            uri_component=True,
        )


def _expires_ms(now_ms: int, ttl_days: float) -> int | None:
    """``new Date(Date.now() + ttlDays * 864e5)``; ``None`` (a session cookie) past what a date can hold."""
    expires = now_ms + ttl_days * _DAY_MS
    return int(expires) if math.isfinite(expires) and abs(expires) <= 8.64e15 else None

