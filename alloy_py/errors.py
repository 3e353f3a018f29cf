"""The errors alloy-py raises, and how they read once they reach JavaScript.

::

    AlloyError                 message as alloy.js words it
     ├─ ConfigurationError     "Resolve these configuration problems: …"
     ├─ CommandError           not configured / configured twice / unknown command
     ├─ ValidationError        one validator's complaint ("'x': Expected a string, but got 1.")
     ├─ ComponentError         "[Ns] An error occurred while executing the <x> command."
     ├─ NetworkError           the browser could not complete the request
     ├─ PayloadTooLargeError   refused before sending: over the Edge's 64 KB limit
     ├─ EdgeResponseError      the Edge answered non-2xx or a malformed body
 ├─ ImageError             an image pixel (ID sync, URL destination) did not load: logged, never raised to the page
     ├─ PushError              sendPushSubscription cannot subscribe (not configured, no service worker, no permission…)
     ├─ PageApiError           a browser API refused (pushManager.subscribe, IndexedDB): the browser's own message
     ├─ DeclinedConsentError   code "declinedConsent": the command resolves {} instead
     └─ NoPageError            no page for the default browser: CPython (pass a browser), or a worker
                               that cannot reach the page (the page needs COOP/COEP)

alloy.js chains causes by rewriting ``message``; we chain with ``raise … from``
and let :func:`format_message` produce the same text.

Internal signals are AlloyErrors too, each private to the module that raises and
catches it: ``ConsentPending`` (:mod:`~alloy_py.consent`), ``EventCanceled``
(:mod:`~alloy_py.event_manager`), ``SelectorNotFound``
(:mod:`~alloy_py.components.rendering`) and ``_NoIdentityCookie``
(:mod:`~alloy_py.components.identity`).
"""

from __future__ import annotations

__all__ = [
    "AlloyError",
    "CommandError",
    "ComponentError",
    "ConfigurationError",
    "DeclinedConsentError",
    "EdgeResponseError",
    "ImageError",
    "NetworkError",
    "NoPageError",
    "PageApiError",
    "PayloadTooLargeError",
    "PushError",
    "ValidationError",
    "INTERNAL_ERROR",
    "format_message",
]


class AlloyError(Exception):
    """Base of every error alloy-py raises on purpose."""

    code: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigurationError(AlloyError):
    """``configure`` was given options it cannot use."""


class CommandError(AlloyError):
    """The command cannot run: not configured yet, configured twice, unknown."""


class ValidationError(AlloyError):
    """A validator rejected a value; the message names the option path."""


class ComponentError(AlloyError):
    """A component's command failed; the cause says why."""


class NetworkError(AlloyError):
    """The browser could not complete the request (offline, blocked, CORS)."""


class PayloadTooLargeError(AlloyError):
    """The request body is over the Edge Network's size limit."""


class EdgeResponseError(AlloyError):
    """The Edge answered with a failing status or a body without ``handle``."""

    def __init__(self, message: str, status: int, body: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class ImageError(AlloyError):
    """An image pixel (``identity:exchange`` ID sync, ``activation:push`` URL destination) did not load.

    alloy only logs it (``ID sync failed: <url>``); the command that brought the pixel is not affected.
    """


class PushError(AlloyError):
    """``sendPushSubscription`` cannot subscribe this browser: alloy's reasons, in alloy's words."""


class PageApiError(AlloyError):
    """A browser API the SDK called refused (``pushManager.subscribe``, IndexedDB); the message is the browser's."""


class DeclinedConsentError(AlloyError):
    """The visitor declined consent; commands resolve ``{}`` instead of failing."""

    code = "declinedConsent"


class PageScriptError(AlloyError):
    """A page script alloy calls (Visitor.js, ``adobe.optIn``, ``navigator.userAgentData``) threw; its message."""


class NoPageError(AlloyError):
    """``alloy(…)`` or ``create_instance()`` without a browser, where there is no page.

    CPython has none; a web worker reaches it only through PyScript on a cross-origin-isolated page.
    """


def format_message(error: BaseException) -> str:
    """The message alloy.js would show: each cause appended as ``Caused by:``."""
    parts = [_own_message(error)]
    cause = error.__cause__
    while cause is not None:
        parts.append(_own_message(cause))
        cause = cause.__cause__
    return "\nCaused by: ".join(parts)


INTERNAL_ERROR = "alloy-py could not handle a value it was given (an internal error: please report it)."


def _own_message(error: BaseException) -> str:
    if isinstance(error, AlloyError):
        return error.message
    js_error = getattr(error, "js_error", None)  # a JS exception (a callback threw): its own message
    if js_error is not None:
        try:
            message = getattr(js_error, "message", None)
            text = str(message) if isinstance(message, str) else str(js_error)
        except Exception:
            text = ""
        return text or "A JavaScript error without a message."
    if _raised_outside_sdk(error):  # a Python callback of the caller's: its own words
        return str(error) or INTERNAL_ERROR
    return INTERNAL_ERROR  # a bug of ours: Python's wording and class names stay out of the page


_SDK_DIR = __file__.rsplit("/", 1)[0] + "/"


def _raised_outside_sdk(error: BaseException) -> bool:
    trace = error.__traceback__
    if trace is None:
        return False
    while trace.tb_next is not None:
        trace = trace.tb_next
    return not trace.tb_frame.f_code.co_filename.startswith(_SDK_DIR)
