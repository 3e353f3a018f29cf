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
    "Json",
    "JsonObject",
    "Options",
    "ResponseHandler",
    "ResponseResult",
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

HookName = Literal[
    "on_components_registered",
    "on_before_event",
    "on_before_request",
    "on_response",
    "on_request_failure",
]

ResponseResult = Mapping[str, Any] | None
"""What an ``on_response`` hook or handler adds to the command's result (arrays concatenated)."""
ResponseHandler = Callable[["EdgeResponse"], Awaitable[ResponseResult] | ResponseResult]
"""Called with the Edge's answer to one request."""
FailureHandler = Callable[[BaseException], Awaitable[None] | None]
"""Called when one request (or the event before it) failed."""
