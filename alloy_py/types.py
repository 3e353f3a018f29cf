"""The vocabulary shared by alloy-py's modules: read this first.

JSON values stay ``Any``: they come from the caller or from the Edge and are
checked where they are read (:mod:`alloy_py.validation`, the handle readers),
not by the type checker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .edge.response import EdgeResponse

__all__ = [
    "CommandResult",
    "Config",
    "FailureHandler",
    "HookName",
    "HtmlPosition",
    "Json",
    "JsonObject",
    "Node",
    "OnBeforeEventSend",
    "Options",
    "ResponseHandler",
    "ResponseResult",
    "StorageKind",
]

Json = Any
"""A JSON value (or a caller's callback inside options): checked where it is read."""
JsonObject = dict[str, Any]
Config = Mapping[str, Any]
"""The validated ``configure`` options, defaults filled in."""
Options = dict[str, Any]
"""A command's options once copied and validated."""
CommandResult = dict[str, Any]
"""What a command resolves to (always an object, as in alloy.js)."""

OnBeforeEventSend = Callable[[JsonObject], Any]
"""``configure``'s ``onBeforeEventSend``: called with ``{xdm, data}``; ``false`` cancels the event."""

# The browser seam (alloy_py.browser):
StorageKind = Literal["local", "session"]
HtmlPosition = Literal["replace-children", "append", "prepend", "before", "after"]
"""Where ``Browser.insert_html`` puts a fragment, relative to the node."""
Node = Any
"""A DOM node: an opaque handle that only the Browser which returned it reads."""

HookName = Literal[
    "on_components_registered",
    "on_before_event",
    "on_before_request",
    "on_response",
    "on_request_failure",
    "on_click",
    "on_decision",
]

ResponseResult = Mapping[str, Any] | None
"""What an ``on_response`` hook or handler adds to the command's result (arrays concatenated)."""
ResponseHandler = Callable[["EdgeResponse"], Awaitable[ResponseResult] | ResponseResult]
"""Called with the Edge's answer to one request."""
FailureHandler = Callable[[BaseException], Awaitable[None] | None]
"""Called when one request (or the event before it) failed."""
