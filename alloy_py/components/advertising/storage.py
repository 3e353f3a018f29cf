"""The ``kndctr_<orgId>_advertising`` cookie and the facts around it: throttling, the page's click ids.

Port of ``Advertising/utils/advertisingCookieManager.js``, ``utils/helpers.js``
and ``constants/index.js``. Everything Advertising remembers lives in one
cookie, a JSON object written ``encodeURIComponent``-ed (then encoded again by
the cookie jar, as js-cookie does); each write reads it, sets one key, and
writes it back for a year.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

from ..._jsonutil import to_json
from ...browser import Browser
from ...cookies import CookieJar, encode_uri_component, namespaced_cookie_name
from ...log import Logger

__all__ = [
    "AD_CONVERSION_CLICK_EVENT_TYPE", "AD_CONVERSION_VIEW_EVENT_TYPE", "DISPLAY_CLICK", "DISPLAY_CLICK_EXPIRES",
    "HASHED_IP", "HASHED_IP_ADDR", "ID5_ID", "LAST_CLICK", "LAST_CONVERSION_TIME", "LAST_CONVERSION_TIME_EXPIRES",
    "RAMP_ID", "RAMP_ID_EXPIRES", "SURFER_ID", "AdvertisingCookie", "active_advertisers", "click_params",
]

COOKIE_KEY: Final = "advertising"
LAST_CLICK: Final = "_les_lsc"
LAST_CONVERSION_TIME: Final = "lastConversionTime"
LAST_CONVERSION_TIME_EXPIRES: Final = "lastConversionTimeExpires"
DISPLAY_CLICK: Final = "ev_lcc"
DISPLAY_CLICK_EXPIRES: Final = "displayClickCookieExpires"
RAMP_ID_EXPIRES: Final = "rampIdExpires"
SURFER_ID: Final = "surferId"
HASHED_IP: Final = "hashedIp"  # the id's name in events
HASHED_IP_ADDR: Final = "hashedIPAddr"  # its key in the cookie
ID5_ID: Final = "id5Id"
RAMP_ID: Final = "rampId"
AD_CONVERSION_CLICK_EVENT_TYPE: Final = "advertising.enrichment_ct"
AD_CONVERSION_VIEW_EVENT_TYPE: Final = "advertising.enrichment"
COOKIE_LIFETIME_MS: Final = 527_040 * 60_000  # 366 days
THROTTLE_MS: Final = 30 * 60_000
_UNSET: Final = object()


class AdvertisingCookie:
    def __init__(self, org_id: str, cookies: CookieJar, browser: Browser, logger: Logger) -> None:
        self._name = namespaced_cookie_name(org_id, COOKIE_KEY)
        self._cookies = cookies
        self._browser = browser
        self._logger = logger

    def _read(self) -> dict[str, Any]:
        value = self._cookies.get(self._name)
        if not value or not value.startswith(("%7B", "{")):
            return {}
        try:
            data = json.loads(unquote(value, errors="strict"))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> Any:
        return self._read().get(key)

    def set(self, key: str, value: Any = _UNSET) -> None:
        """alloy's ``setValue(key, value)``; without a value the key is dropped (``undefined`` in JSON)."""
        data = self._read()
        if value is _UNSET:
            data.pop(key, None)
        else:
            data[key] = value
        text = encode_uri_component(to_json(data))
        expires_ms = self._browser.now_ms() + COOKIE_LIFETIME_MS
        expires = datetime.fromtimestamp(expires_ms / 1000, UTC)
        self._logger.info("Setting cookie", {"name": self._name, "value": text, "expires": expires})
        self._cookies.set(self._name, text, expires_ms=expires_ms)

    def throttled(self, id_type: str) -> bool:
        """An id converted less than 30 minutes ago is not sent again."""
        last = self.get(f"{id_type}_last_conversion")
        return bool(_number(last) and self._browser.now_ms() - _number(last) < THROTTLE_MS)

    def mark_converted(self, id_types: list[str]) -> None:
        now = self._browser.now_ms()
        for id_type in id_types:
            self.set(f"{id_type}_last_conversion", now)
            self._logger.info("Ad conversion submitted successfully")
        self.set(LAST_CONVERSION_TIME, now)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def click_params(href: str) -> tuple[str | None, str | None]:
    """The search click ids in the page's query: ``s_kwcid`` and ``ef_id`` (the first of each)."""
    skwcid = efid = None
    for name, value in parse_qsl(urlsplit(href).query, keep_blank_values=True):
        if name == "s_kwcid" and skwcid is None:
            skwcid = value
        elif name == "ef_id" and efid is None:
            efid = value
    return skwcid, efid


def active_advertisers(settings: Any) -> str:
    """alloy's ``normalizeAdvertiser``: the enabled advertiser ids, joined with ``", "``."""
    if not isinstance(settings, list):
        return ""
    return ", ".join(
        str(item["advertiserId"])
        for item in settings
        if isinstance(item, dict) and item.get("enabled") is True and item.get("advertiserId")
    )
