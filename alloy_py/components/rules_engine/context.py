"""What rules are evaluated against: the page, the time, the event, flattened to dotted keys.

Port of ``RulesEngine/createContextProvider.js`` and ``utils/flattenObject.js``. alloy 2.33.1
hands the provider the global ``window`` (not its page facts), so ``page.url``, ``page.title``,
``referringPage.url``, ``window.width`` and ``window.height`` are undefined there and the URL parts
are empty strings; alloy-py gives the same context, so rules match as they do in alloy.js.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ...browser import Browser
from ...dates import iso_utc
from ...user_agent import browser_name
from .history import EventRegistry

__all__ = ["ContextProvider", "flatten"]

SDK_VERSION = "2.33.1"  # alloy's libraryVersion, which rules may test (~sdkver)
_EMPTY_URL = {"path": "", "query": "", "fragment": "", "subdomain": "", "domain": "", "topLevelDomain": ""}


def flatten(value: Any) -> Any:
    """alloy's ``flattenObject``: nested objects and arrays become ``"a.b.0"`` keys."""
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    _flatten_into(value, result, "")
    return result


def _flatten_into(value: dict[str, Any] | list[Any], result: dict[str, Any], prefix: str) -> None:
    pairs = value.items() if isinstance(value, dict) else ((str(i), v) for i, v in enumerate(value))
    for key, item in pairs:
        if isinstance(item, (dict, list)):
            _flatten_into(item, result, f"{prefix}{key}.")
        else:
            result[f"{prefix}{key}"] = item


class ContextProvider:
    def __init__(self, browser: Browser, registry: EventRegistry) -> None:
        self._browser = browser
        self._registry = registry
        self._page_load_ms = browser.now_ms()
        self._browser_name = browser_name(browser.page().user_agent)

    def _time(self) -> dict[str, Any]:
        now = self._browser.now_ms()
        local = datetime.fromtimestamp(now / 1000, UTC) - timedelta(minutes=self._browser.timezone_offset_minutes(now))
        return {
            "pageLoadTimestamp": self._page_load_ms,
            "currentTimestamp": now,
            "currentDate": local.day,
            # Sunday is 1, as the authoring UI counts (getDay() + 1)
            "~state.com.adobe.module.lifecycle/lifecyclecontextdata.dayofweek": (local.weekday() + 1) % 7 + 1,
            "~state.com.adobe.module.lifecycle/lifecyclecontextdata.hourofday": local.hour,
            "currentMinute": local.minute,
            "currentMonth": local.month - 1,
            "currentYear": local.year,
            "pageVisitDuration": now - self._page_load_ms,
            "~timestampu": now / 1000,
            "~timestampz": iso_utc(now),
        }

    def _window(self) -> dict[str, Any]:
        scroll = self._browser.scroll_offset()
        if scroll is None:
            return {}
        x, y = scroll
        return {"scrollY": int(y) if y == int(y) else y, "scrollX": int(x) if x == int(x) else x}

    def get_context(self, added: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The flattened context, ``added`` over the global one, and ``events`` (the live history)."""
        context: dict[str, Any] = {
            "browser": {"name": self._browser_name},
            "page": dict(_EMPTY_URL),
            "referringPage": dict(_EMPTY_URL),
            **self._time(),
            "window": self._window(),
            "~sdkver": SDK_VERSION,
            **(added or {}),
        }
        return {**flatten(context), "events": self._registry.events}
