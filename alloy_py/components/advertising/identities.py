"""The ids Advertising sends: Advertising Cloud's surfer id and the hashed IP, ID5's id, LiveRamp's RampID.

Port of ``Advertising/identities/*``. The surfer id and the visitor's IP come from
one hidden iframe (``pixel.everesttech.net``, which redirects to a
``www.everestjs.net`` page that posts its URL back); ID5 and RampID from their
partners' scripts (``window.ID5``, ``window.ats``). alloy keeps the ID5 and
RampID state per page (module variables); here it is per instance.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl, urlencode

from ..._futures import spawn
from ...browser import Browser
from ...log import Logger
from ...user_agent import browser_supports_third_party_cookies
from .murmur import murmur_hash_128_guava_hex
from .storage import (
    DISPLAY_CLICK,
    DISPLAY_CLICK_EXPIRES,
    HASHED_IP_ADDR,
    RAMP_ID,
    RAMP_ID_EXPIRES,
    SURFER_ID,
    AdvertisingCookie,
)

__all__ = ["ID5_SCRIPT_URL", "Identities"]

T = TypeVar("T")

ID5_SCRIPT_URL: Final = "https://www.everestjs.net/static/id5-api.js"
SURFER_TIMEOUT_MS: Final = 5000
SURFER_TRUSTED_ORIGIN: Final = "www.everestjs.net"
SHORT_TIMEOUT_MS: Final = 2000
LONG_TIMEOUT_MS: Final = 30_000
_RAMP_MAX_RETRIES: Final = 15
_RAMP_DELAY_MS: Final = 500
_RAMP_MAX_DELAY_MS: Final = 5000
_PIXEL_DETAILS = [
    ("google", "__EFGCK__"), ("gsurfer", "__EFGSURFER__"), ("imsId", "__EFIMSORGID__"),
    ("is_fb_cookie_synced", "__EFFB__"), ("optout", "__EFOPTOUT__"), ("throttleCookie", "__EFSYNC__"),
    ("time", "__EFTIME__"), ("ev_lcc", "__LCC__"), ("clientIp", "__EFREMOTEADDR__"),
]


def _quiet(task: asyncio.Future[Any]) -> None:
    """What finishes after nobody waits for it any more: its error is alloy's unhandled rejection, dropped."""
    if not task.cancelled():
        task.exception()


def _partner_number(text: str) -> int:
    """``Math.floor(Number(text))``; 0 for NaN (falsy, as in alloy)."""
    stripped = text.strip()
    try:
        if stripped.lower().startswith("0x"):
            return int(stripped, 16)
        value = float(stripped) if stripped and "_" not in stripped else 0.0
    except ValueError:
        return 0
    return math.floor(value) if math.isfinite(value) else 0


class Identities:
    def __init__(self, browser: Browser, cookie: AdvertisingCookie, logger: Logger) -> None:
        self._browser = browser
        self._cookie = cookie
        self._logger = logger
        self._pixel_call: asyncio.Future[dict[str, Any]] | None = None
        self._surfer_id: str = cookie.get(SURFER_ID) or ""
        self._hashed_ip: str = cookie.get(HASHED_IP_ADDR) or ""
        self._id5_id: str | None = None
        self._id5_call: asyncio.Future[str | None] | None = None
        self._ramp_env: Any = None
        self._ramp_call: asyncio.Future[Any] | None = None
        self._ramp_taken = False  # alloy's rampIdCallInitiated: the first good envelope is the one kept
        self._envelope_in_progress = False

    async def _within(self, work: Awaitable[T], timeout_ms: int) -> T | None:
        """``Promise.race([work, timeout → null])``: the work goes on after the timeout, unwatched."""
        task = spawn(work)
        timer = spawn(self._browser.sleep_ms(timeout_ms))
        racing: set[asyncio.Future[Any]] = {task, timer}
        await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            timer.cancel()
            return task.result()
        task.add_done_callback(_quiet)  # spawn keeps it until it ends
        return None

    # The identity iframe: one at a time, shared by the surfer id and the hashed IP.
    def _identity_call(self) -> asyncio.Future[dict[str, Any]]:
        if self._pixel_call is None:
            call = spawn(self._load_pixel())
            self._pixel_call = call

            def finished(_: object) -> None:
                self._pixel_call = None
                _quiet(call)

            call.add_done_callback(finished)
        return self._pixel_call

    async def _load_pixel(self) -> dict[str, Any]:
        scheme = "https:" if self._browser.page().href.startswith("https:") else "http:"
        details = f"{scheme}//www.everestjs.net/static/pixel_details.html#{urlencode(_PIXEL_DETAILS)}"
        src = f"{scheme}//pixel.everesttech.net/1/gr?{urlencode([('ev_gb', '0'), ('url', details)])}"
        try:
            data = await self._browser.frame_message(src, SURFER_TRUSTED_ORIGIN, SURFER_TIMEOUT_MS)
        except TimeoutError:
            raise TimeoutError("Advertising identity call timed out") from None
        if not isinstance(data, str):
            raise TypeError("pixelRedirectUri.indexOf is not a function")
        _, hash_mark, fragment = data.partition("#")
        if not hash_mark:
            return {"surferId": None, "displayClickCookie": None, "clientIp": ""}
        params: dict[str, str] = {}
        for name, value in parse_qsl(fragment, keep_blank_values=True):
            params.setdefault(name, value)
        display_click = params.get(DISPLAY_CLICK)
        return {
            "surferId": params.get("gsurfer") or None,
            "displayClickCookie": display_click if display_click and display_click != "__LCC__" else None,
            "clientIp": params.get("clientIp") or "",
        }

    async def surfer_id(self, resolve_if_missing: bool = True) -> str | None:
        if self._surfer_id:
            return self._surfer_id
        if not resolve_if_missing:
            return None
        found = await self._identity_call()
        supported = browser_supports_third_party_cookies(self._browser.page().user_agent)
        if supported:
            if found["surferId"]:
                self._surfer_id = found["surferId"]
                self._cookie.set(SURFER_ID, found["surferId"])
            if found["displayClickCookie"]:
                self._cookie.set(DISPLAY_CLICK, found["displayClickCookie"])
                self._cookie.set(DISPLAY_CLICK_EXPIRES, self._browser.now_ms() + 15 * 60_000)
        return found["surferId"] if supported else None

    async def hashed_ip(self) -> str:
        if self._hashed_ip:
            return self._hashed_ip
        found = await self._identity_call()
        if found["clientIp"]:
            self._hashed_ip = murmur_hash_128_guava_hex(found["clientIp"])
            self._cookie.set(HASHED_IP_ADDR, self._hashed_ip)
        return self._hashed_ip

    # ID5
    async def id5_id(self, partner_id: str, resolve_if_missing: bool = True, short_timeout: bool = False) -> str | None:
        if self._id5_id:
            return self._id5_id
        if not resolve_if_missing:
            return None
        if self._id5_call is None:
            timeout = SHORT_TIMEOUT_MS if short_timeout else LONG_TIMEOUT_MS
            call = spawn(self._within(self._resolve_id5(_partner_number(partner_id)), timeout))
            self._id5_call = call

            def finished(_: object) -> None:
                self._id5_call = None
                _quiet(call)

            call.add_done_callback(finished)
        try:
            return await asyncio.shield(self._id5_call)
        except Exception as error:
            self._logger.error("Failed to get ID5 ID", error)
            raise

    async def _resolve_id5(self, partner_id: int) -> str | None:
        if not partner_id:
            self._logger.error("Missing partner ID")
            raise ValueError("ID5 partner ID is required")
        browser = self._browser
        if not browser.has_global("ID5"):
            try:
                await self._load_script(ID5_SCRIPT_URL)
            except Exception as error:
                self._logger.error("Script loading failed", error)
                raise
            if not browser.has_global("ID5"):
                raise RuntimeError("ID5 object not available after script load")
        try:
            self._id5_id = browser.id5_user_id(partner_id)
            if self._id5_id:
                return self._id5_id
            for _ in range(2):
                self._id5_id = await browser.id5_on_available(partner_id, 1000)
                if self._id5_id:
                    return self._id5_id
        except Exception as error:
            self._logger.error("Error during ID5 initialization", error)
            raise
        self._logger.error("Failed to get ID5 ID after all retries")
        return None

    async def _load_script(self, url: str) -> None:
        """alloy's ``loadScript``: a script already in the page counts as loaded."""
        if not self._browser.query_all(f'script[src="{url}"]'):
            await self._browser.load_scripts([url])

    # RampID (LiveRamp's ATS)
    async def ramp_id(self, script_path: str | None, resolve_if_missing: bool = True,
                      short_timeout: bool = False) -> Any:
        if self._ramp_env:
            return self._ramp_env
        stored, expires = self._cookie.get(RAMP_ID), self._cookie.get(RAMP_ID_EXPIRES)
        if stored and isinstance(expires, (int, float)) and expires > self._browser.now_ms():
            self._ramp_env = stored
            return stored
        if not resolve_if_missing or script_path is None:
            return None
        if self._ramp_call is None:
            timeout = SHORT_TIMEOUT_MS if short_timeout else LONG_TIMEOUT_MS
            call = spawn(self._within(self._resolve_ramp_id(script_path), timeout))
            self._ramp_call = call

            def finished(_: object) -> None:
                self._ramp_call = None
                _quiet(call)

            call.add_done_callback(finished)
        return await asyncio.shield(self._ramp_call)

    async def _resolve_ramp_id(self, script_path: str) -> Any:
        await self._load_script(script_path)
        browser = self._browser
        if browser.has_global("ats") and not self._envelope_in_progress:
            self._envelope_in_progress = True
            try:
                envelope = await browser.ats_retrieve_envelope()
            except Exception as error:
                self._logger.error("Error retrieving envelope", error)
                self._envelope_in_progress = False
                raise
            if envelope:
                self._take_envelope(envelope)
            else:
                self._envelope_in_progress = False
        # alloy also retries on the page's lrEnvelopePresent event; these retries cover it.
        retries, multiplier, elapsed = _RAMP_MAX_RETRIES, 1, 0
        while not self._ramp_env:
            if elapsed > LONG_TIMEOUT_MS:
                self._logger.error("Maximum retry time exceeded")
                self._envelope_in_progress = False
                raise RuntimeError("Failed to retrieve RampID - timeout")
            if retries == 0:
                self._logger.error("Maximum retries exceeded")
                self._envelope_in_progress = False
                raise RuntimeError("Failed to retrieve RampID after maximum retries")
            delay = min(_RAMP_DELAY_MS * multiplier, _RAMP_MAX_DELAY_MS)
            await browser.sleep_ms(delay)
            elapsed, retries, multiplier = elapsed + delay, retries - 1, multiplier + 1
            if browser.has_global("ats") and not self._ramp_env and not self._envelope_in_progress:
                self._envelope_in_progress = True
                try:
                    self._take_envelope(await browser.ats_retrieve_envelope())
                except Exception:
                    self._logger.warn("Failed to retrieve envelope")
                    self._envelope_in_progress = False
        return self._ramp_env

    def _take_envelope(self, envelope: Any) -> None:
        """alloy's ``processEnvelope``: ATS answers ``{"envelope": …}`` as JSON, or the envelope itself."""
        parsed = envelope
        if isinstance(envelope, str):
            try:
                value = json.loads(envelope)
            except ValueError:
                value = None
            else:
                parsed = value.get("envelope") if isinstance(value, dict) else (envelope if value is None else None)
        if parsed and not self._ramp_taken:
            self._ramp_taken = True
            self._ramp_env = parsed
            self._envelope_in_progress = False
            self._cookie.set(RAMP_ID, parsed)
            self._cookie.set(RAMP_ID_EXPIRES, self._browser.now_ms() + 48 * 3_600_000)
        else:
            self._logger.warn("Invalid RampID envelope received", {"envelope": parsed})
            self._envelope_in_progress = False
