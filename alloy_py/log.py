"""alloy's console logger: ``[instance] [Component] message``, silent unless debugging.

Port of ``core/createLogger.js`` and ``core/createLogController.js``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .browser import Browser
from .cookies import storage_key

__all__ = ["DebugSwitch", "Logger"]


class DebugSwitch:
    """Whether logging is on: config, ``setDebug``, or ``?alloy_debug=true`` (kept in the tab)."""

    def __init__(self, browser: Browser, instance_name: str) -> None:
        self._browser = browser
        self._key = storage_key(f"instance.{instance_name}.debug")
        stored = browser.storage_get("session", self._key)
        query = parse_qs(urlsplit(browser.page().href).query)
        if "alloy_debug" in query:
            stored = "true" if query["alloy_debug"][-1].lower() == "true" else "false"
            browser.storage_set("session", self._key, stored)
        # A choice the visitor made (URL or setDebug) beats the configuration.
        self._user_set = stored is not None
        self.enabled = stored == "true"

    def set(self, enabled: bool, *, from_config: bool) -> None:
        if from_config:
            if self._user_set:
                return
        else:
            self._user_set = True
            self._browser.storage_set("session", self._key, "true" if enabled else "false")
        self.enabled = enabled


class Logger:
    def __init__(self, browser: Browser, switch: DebugSwitch, prefix: str) -> None:
        self._browser = browser
        self._switch = switch
        self.prefix = prefix

    def child(self, namespace: str) -> Logger:
        return Logger(self._browser, self._switch, f"{self.prefix} [{namespace}]")

    @property
    def enabled(self) -> bool:
        return self._switch.enabled

    def log(self, level: str, *args: object) -> None:
        if self._switch.enabled:
            self._browser.log(level, self.prefix, *args)

    def info(self, *args: object) -> None:
        self.log("info", *args)

    def warn(self, *args: object) -> None:
        self.log("warn", *args)

    def error(self, *args: object) -> None:
        self.log("error", *args)
