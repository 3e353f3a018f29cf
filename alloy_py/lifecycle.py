"""Lifecycle hooks: how components take part in every event and request.

Port of ``core/createLifecycle.js``. A component takes part in a hook by
defining the method; callbacks run in component registration order.

============================  =================================================
hook (method)                 keyword arguments
============================  =================================================
``on_components_registered``  —
``on_before_event``           event, options, on_response, on_request_failure
``on_before_request``         request, on_response, on_request_failure
``on_response``               response
``on_request_failure``        error
============================  =================================================
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from .errors import AlloyError, ComponentError

__all__ = ["HOOKS", "CallbackList", "Lifecycle", "call_maybe_async", "start_now"]

HOOKS = {
    "on_components_registered": "onComponentsRegistered",
    "on_before_event": "onBeforeEvent",
    "on_before_request": "onBeforeRequest",
    "on_response": "onResponse",
    "on_request_failure": "onRequestFailure",
}


def start_now(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
    """Run ``coroutine`` now, in the caller's (JS) task, up to its first real wait.

    alloy.js runs that far synchronously; so must we, or an event sent from a
    click handler (a link, ``documentUnloading``) would lose the race with the
    page unloading. Python before 3.12 has no eager tasks: there it is queued.
    """
    loop = asyncio.get_event_loop()
    try:
        return asyncio.Task(coroutine, loop=loop, eager_start=True)  # type: ignore[call-arg]
    except TypeError:
        return asyncio.ensure_future(coroutine)


async def call_maybe_async(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    result = function(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


class CallbackList:
    """Callbacks added while an event is built, called together later (alloy's aggregator)."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[..., Any]] = []

    def add(self, callback: Callable[..., Any]) -> None:
        self._callbacks.append(callback)

    async def call(self, **kwargs: Any) -> list[Any]:
        return [await call_maybe_async(callback, **kwargs) for callback in list(self._callbacks)]


class Lifecycle:
    def __init__(self, components: Sequence[Any]) -> None:
        self._components = components  # shared: filled in after the components are built

    async def call(self, hook: str, **kwargs: Any) -> list[Any]:
        results = []
        for component in self._components:
            method = getattr(component, hook, None)
            if method is None:
                continue
            try:
                results.append(await call_maybe_async(method, **kwargs))
            except AlloyError as error:
                if error.code:  # declined consent travels unwrapped
                    raise
                raise ComponentError(
                    f"[{component.namespace}] An error occurred while executing the {HOOKS[hook]} lifecycle hook."
                ) from error
            except Exception as error:
                raise ComponentError(
                    f"[{component.namespace}] An error occurred while executing the {HOOKS[hook]} lifecycle hook."
                ) from error
        return results

    def hook(self, name: str) -> Callable[..., Awaitable[list[Any]]]:
        async def run(**kwargs: Any) -> list[Any]:
            return await self.call(name, **kwargs)

        return run
