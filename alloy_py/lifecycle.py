"""Lifecycle hooks: how components take part in every event and request.

Port of ``core/createLifecycle.js``. A component takes part in a hook by
overriding its method on :class:`~alloy_py.component.Component`; the
component hooks run in registration order, then the per-request
:class:`RequestHandlers` the hooks added.

============================  =================================================
hook (method)                 arguments
============================  =================================================
``on_components_registered``  —
``on_before_event``           event, options, handlers
``on_before_request``         request, handlers
``on_response``               response → what it adds to the result
``on_request_failure``        error
``on_click``                  event, the page (or a recorded click's copy), clicked node
``on_decision``               a :class:`Decision`: propositions a ruleset qualified (RulesEngine)
============================  =================================================
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, get_args

from ._futures import spawn
from .component import Component
from .errors import AlloyError, ComponentError
from .types import FailureHandler, HookName, ResponseHandler, ResponseResult

if TYPE_CHECKING:
    from .browser import ClickDom
    from .edge.request import EdgeRequest
    from .edge.response import EdgeResponse
    from .event import Event
    from .types import Node, Options

__all__ = ["HOOKS", "Decision", "Lifecycle", "RequestHandlers", "call_maybe_async", "check_hooks", "start_now"]

HOOKS: dict[HookName, str] = {
    "on_components_registered": "onComponentsRegistered",
    "on_before_event": "onBeforeEvent",
    "on_before_request": "onBeforeRequest",
    "on_response": "onResponse",
    "on_request_failure": "onRequestFailure",
    "on_click": "onClick",
    "on_decision": "onDecision",
}
assert set(HOOKS) == set(get_args(HookName))

T = TypeVar("T")


def start_now(coroutine: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
    """Run ``coroutine`` now, in the caller's (JS) task, up to its first real wait.

    alloy.js runs that far synchronously; so must we, or an event sent from a
    click handler (a link, ``documentUnloading``) would lose the race with the
    page unloading. Python before 3.12 has no eager tasks: there it is queued.
    """
    return spawn(coroutine, eager=True)


async def call_maybe_async(function: Callable[..., Awaitable[T] | T], *args: Any) -> T:
    result = function(*args)
    if inspect.isawaitable(result):
        return await result
    return result


@dataclass
class RequestHandlers:
    """What the hooks of one event and its request want called with its outcome.

    Created once per request (alloy's callback aggregators); ``on_before_event``
    and ``on_before_request`` hooks append to it.
    """

    on_response: list[ResponseHandler] = field(default_factory=list)
    on_failure: list[FailureHandler] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """What ``onDecision`` hears: propositions the rules engine qualified, to render (Personalization)
    and hand to ``subscribeRulesetItems`` callbacks (RulesEngine)."""

    render_decisions: bool
    propositions: list[Any]
    event: Event | None = None  # the sendEvent that was evaluated (none for evaluateRulesets)
    personalization: Options | None = None
    identity_map: Any = None


def check_hooks(component_type: type[Component]) -> None:
    """A misspelt hook would never run: refuse any ``on_*`` method that is not one."""
    for name in dir(component_type):
        if name.startswith("on_") and name not in HOOKS:
            raise AlloyError(
                f"[{component_type.namespace}] {name} is not a lifecycle hook "
                f"(the hooks are {', '.join(HOOKS)})."
            )


class Lifecycle:
    """Calls the hooks of the components that override them, in registration order."""

    def __init__(self, components: Sequence[Component]) -> None:
        self._taking_part: dict[HookName, list[Component]] = {
            hook: [c for c in components if getattr(type(c), hook) is not getattr(Component, hook)]
            for hook in HOOKS
        }

    async def _call(self, hook: HookName, invoke: Callable[[Component], Awaitable[T] | T]) -> list[T]:
        results = []
        for component in self._taking_part[hook]:
            try:
                results.append(await call_maybe_async(invoke, component))
            except Exception as error:
                if isinstance(error, AlloyError) and error.code:  # declined consent travels unwrapped
                    raise
                raise ComponentError(
                    f"[{component.namespace}] An error occurred while executing the {HOOKS[hook]} lifecycle hook."
                ) from error
        return results

    async def components_registered(self) -> None:
        await self._call("on_components_registered", lambda c: c.on_components_registered())

    async def before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        await self._call("on_before_event", lambda c: c.on_before_event(event, options, handlers))

    async def before_request(self, request: EdgeRequest, handlers: RequestHandlers) -> None:
        await self._call("on_before_request", lambda c: c.on_before_request(request, handlers))

    async def click(self, event: Event, dom: ClickDom, element: Node) -> None:
        await self._call("on_click", lambda c: c.on_click(event, dom, element))

    async def decided(self, decision: Decision) -> None:
        await self._call("on_decision", lambda c: c.on_decision(decision))

    async def responded(self, response: EdgeResponse, handlers: RequestHandlers) -> list[ResponseResult]:
        """The components' ``on_response`` results, then the request's handlers'."""
        results = await self._call("on_response", lambda c: c.on_response(response))
        for handler in list(handlers.on_response):
            results.append(await call_maybe_async(handler, response))
        return results

    async def failed(self, error: BaseException, handlers: RequestHandlers) -> None:
        """The components' ``on_request_failure``, then the request's handlers; their own errors are
        dropped: the original error is the one the caller must see."""
        try:
            await self._call("on_request_failure", lambda c: c.on_request_failure(error))
            for handler in list(handlers.on_failure):
                await call_maybe_async(handler, error)
        except Exception:
            pass
