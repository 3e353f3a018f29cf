"""alloy's console logger: ``[instance] [Component] message``, silent unless debugging.

Port of ``core/createLogger.js`` and ``core/createLogController.js``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from .browser import Browser
from .cookies import storage_key
from .errors import AlloyError

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
    """A console logger that first tells the page's monitors (``window.__alloyMonitors``).

    Every log call notifies ``onBeforeLog``, debugging on or not, as alloy's does; the
    ``on_*`` methods notify alloy's other hooks, then log alloy's fixed message. A
    notification's data is ``{instanceName, componentName?, ...data}``, built only when
    there is a monitor. A monitor that throws never breaks a command: the other monitors
    are still called, and the failure is written to the console.
    """

    def __init__(
        self, browser: Browser, switch: DebugSwitch, instance_name: str, component_name: str | None = None
    ) -> None:
        self._browser = browser
        self._switch = switch
        self._context: dict[str, object] = {"instanceName": instance_name}
        self.prefix = f"[{instance_name}]"
        if component_name:
            self._context["componentName"] = component_name
            self.prefix += f" [{component_name}]"

    def child(self, namespace: str) -> Logger:
        return Logger(self._browser, self._switch, str(self._context["instanceName"]), namespace)

    @property
    def enabled(self) -> bool:
        """Worth building a message: debugging is on, or a monitor listens (alloy's ``logger.enabled``)."""
        return self._switch.enabled or self._browser.has_monitors()

    def notify(self, hook: str, data: Mapping[str, object]) -> None:
        if not self._browser.has_monitors():
            return
        for failure in self._browser.notify_monitors(hook, {**self._context, **data}):
            self._browser.log("error", self.prefix, f"A monitor's {hook} threw an error: {failure}")

    def log(self, level: str, *args: object) -> None:
        self.notify("onBeforeLog", {"level": level, "arguments": list(args)})
        if self._switch.enabled:
            self._browser.log(level, self.prefix, *args)

    def info(self, *args: object) -> None:
        self.log("info", *args)

    def warn(self, *args: object) -> None:
        self.log("warn", *args)

    def error(self, *args: object) -> None:
        self.log("error", *args)

    # alloy's logOn* methods: a hook, then a fixed message.
    def on_instance_created(self, instance: object) -> None:
        self.notify("onInstanceCreated", {"instance": instance})
        self.info("Instance initialized.")

    def on_instance_configured(self, config: Mapping[str, object], extra: Mapping[str, object]) -> None:
        self.notify("onInstanceConfigured", {**extra, "config": config})
        self.info("Instance configured. Computed configuration:", config)

    def on_before_command(self, command: str, options: object) -> None:
        self.notify("onBeforeCommand", {"commandName": command, "options": options})
        self.info(f"Executing {command} command. Options:", options)

    def on_command_resolved(self, command: str, options: object, result: object) -> None:
        self.notify("onCommandResolved", {"commandName": command, "options": options, "result": result})
        self.info(f"{command} command resolved. Result:", result)

    def on_command_rejected(self, command: str, options: object, error: AlloyError) -> None:
        self.notify("onCommandRejected", {"commandName": command, "options": options, "error": error})
        self.error(f"{command} command was rejected. Error:", error.message)

    def on_before_network_request(self, url: str, request_id: str, payload: object) -> None:
        self.notify("onBeforeNetworkRequest", {"url": url, "requestId": request_id, "payload": payload})
        self.info(f"Request {request_id}: Sending request.", payload)

    def on_network_response(self, data: Mapping[str, object], shown: object) -> None:
        """``data``: alloy's payload (requestId, url, payload, statusCode, body, parsedBody, getHeader,
        retriesAttempted); ``shown``: the body as the console shows it (``None``: no body)."""
        self.notify("onNetworkResponse", data)
        self.info(
            f"Request {data['requestId']}: Received response with status code {data['statusCode']} and "
            + ("response body:" if shown is not None else "no response body."),
            *([shown] if shown is not None else []),
        )

    def on_network_error(self, url: str, request_id: str, payload: object, error: BaseException) -> None:
        self.notify("onNetworkError", {"requestId": request_id, "url": url, "payload": payload, "error": error})
        self.error(f"Request {request_id}: Network request failed.", str(error))

    def on_content_hiding(self, status: str, message: str) -> None:
        self.notify("onContentHiding", {"status": status})
        self.info(message)

    def on_content_rendering(self, status: str, message: str, detail: object, level: str = "info") -> None:
        self.notify("onContentRendering", {"status": status, "payload": detail})
        self.log(level, message)
