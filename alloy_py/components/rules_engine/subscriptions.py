"""``subscribeRulesetItems``: callbacks told of what rulesets qualified, and ``collectEvent``.

Port of ``RulesEngine/createSubscribeRulesetItems.js`` and ``utils/createSubscription.js``.
Each callback gets ``({propositions}, collectEvent)`` on every evaluation (also with no
propositions), and once at subscription with the last ones. ``collectEvent(type, propositions)``
sends ``decisioning.proposition<Type>`` for them (content cards' display, interact, dismiss):
a display or trigger once per session, an interaction or a dismissal every time.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...edge.response import js_string
from ...event_manager import EventManager
from ...lifecycle import start_now
from ...log import Logger
from ...types import JsonObject
from ...validation import array_of, callback, object_of, string
from ..personalization.notifications import merge_decisions_meta

__all__ = ["SUBSCRIBE_OPTIONS", "PROPOSITION_EVENT_TYPES", "Subscriptions"]

SUBSCRIBE_OPTIONS = object_of(
    {
        "surfaces": array_of(string()).unique_items(),
        "schemas": array_of(string()).unique_items(),
        "callback": callback().required(),
    }
).no_unknown_fields()

# alloy's PropositionEventType -> the XDM eventType sent
PROPOSITION_EVENT_TYPES = {
    "display": "decisioning.propositionDisplay",
    "interact": "decisioning.propositionInteract",
    "trigger": "decisioning.propositionTrigger",
    "dismiss": "decisioning.propositionDismiss",
    "suppressDisplay": "decisioning.propositionSuppressDisplay",
}
_ALWAYS_COLLECTED = ("interact", "dismiss")


@dataclass
class _Subscription:
    callback: Callable[..., Any]
    surfaces: list[str] | None
    schemas: list[str] | None


class Subscriptions:
    def __init__(self, events: EventManager, logger: Logger) -> None:
        self._events = events
        self._logger = logger
        self._subscriptions: dict[int, _Subscription] = {}
        self._ids = itertools.count(1)
        self._last: list[JsonObject] | None = None  # nothing is emitted before the first evaluation
        self._collected: set[str] = set()  # this page's displays and triggers already sent

    def subscribe(self, options: JsonObject) -> JsonObject:
        surfaces, schemas = options.get("surfaces"), options.get("schemas")
        key = next(self._ids)
        self._subscriptions[key] = _Subscription(
            options["callback"],
            surfaces if isinstance(surfaces, list) else None,
            schemas if isinstance(schemas, list) else None,
        )
        if self._last is not None:
            self._emit(self._subscriptions[key], self._last)

        def unsubscribe(*_: Any) -> None:
            self._subscriptions.pop(key, None)

        return {"unsubscribe": unsubscribe}

    def refresh(self, propositions: list[JsonObject]) -> None:
        self._last = propositions
        for subscription in list(self._subscriptions.values()):
            self._emit(subscription, propositions)

    def _emit(self, subscription: _Subscription, propositions: list[JsonObject]) -> None:
        selected = []
        for proposition in propositions:
            if subscription.surfaces is not None and proposition.get("scope") not in subscription.surfaces:
                continue
            schemas = subscription.schemas
            items = [
                item
                for item in proposition.get("items") or []
                if schemas is None or (isinstance(item, dict) and item.get("schema") in schemas)
            ]
            if items:
                selected.append({**proposition, "items": items})
        try:
            subscription.callback({"propositions": selected}, self.collect_event)
        except Exception as error:  # alloy.js lets it escape into an unawaited promise
            self._logger.warn("A subscribeRulesetItems callback threw an error.", str(error))

    def collect_event(self, event_type: Any = None, propositions: Any = None) -> asyncio.Future[Any]:
        """``collectEvent(propositionEventType, propositions)``: resolves once sent (or at once)."""
        propositions = [] if propositions is None else propositions
        if not isinstance(propositions, list) or event_type not in PROPOSITION_EVENT_TYPES:
            return _done(None)
        this_call: set[str] = set()
        metas = []
        for proposition in propositions:
            proposition = proposition if isinstance(proposition, dict) else {}
            meta = {k: proposition[k] for k in ("id", "scope", "scopeDetails") if k in proposition}
            key = f"{event_type}-{_js_join(meta.get('id'))}"
            wanted = key not in this_call and (event_type in _ALWAYS_COLLECTED or key not in self._collected)
            this_call.add(key)
            self._collected.add(key)
            if wanted:
                metas.append(meta)
        if not metas:
            return _done(None)
        return start_now(self._send(str(event_type), metas))

    async def _send(self, event_type: str, metas: list[JsonObject]) -> JsonObject:
        """alloy's ``collect``: its own event, which may leave as the page unloads."""
        event = self._events.create_event()
        merge_decisions_meta(event, metas, event_type)
        event.merge_xdm({"eventType": PROPOSITION_EVENT_TYPES[event_type]})
        event.document_may_unload = True
        return await self._events.send_event(event, {})


def _js_join(value: Any) -> str:
    """``[type, id].join("-")``: ``undefined`` and ``null`` join as empty."""
    return "" if value is None else js_string(value)


def _done(value: Any) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = asyncio.get_event_loop().create_future()
    future.set_result(value)
    return future
