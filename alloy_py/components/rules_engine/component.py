"""The RulesEngine component: rulesets from the Edge, evaluated on every event.

Port of ``RulesEngine/index.js``, ``createDecisionProvider.js``,
``createEvaluableRulesetPayload.js``, ``createOnResponseHandler.js``,
``createApplyResponse.js``, ``createEvaluateRulesetsCommand.js`` and
``createConsequenceAdapter.js``.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar

from ..._futures import spawn
from ...cookies import sanitize_org_id, storage_key
from ...edge.request import EdgeRequest
from ...edge.response import EdgeResponse
from ...event import Event
from ...lifecycle import Decision, RequestHandlers, start_now
from ...schemas import JSON_CONTENT_ITEM, MESSAGE_IN_APP, RULESET_ITEM
from ...types import CommandResult, JsonObject, Options
from ...validation import Validator, boolean, object_of
from .. import Command, Component, ComponentServices
from .context import ContextProvider, flatten
from .engine import RulesError, Ruleset
from .history import EventRegistry, MemoryStorage, generate_event_hash
from .subscriptions import SUBSCRIBE_OPTIONS, Subscriptions

__all__ = ["RulesEngine"]

EVENT_HISTORY_OPERATION = "https://ns.adobe.com/personalization/eventHistoryOperation"
DISPLAY = "decisioning.propositionDisplay"
EDGE_EVENT_TYPE = "com.adobe.eventType.edge"
RULES_ENGINE_EVENT_TYPE = "com.adobe.eventType.rulesEngine"
REQUEST_SOURCE = "com.adobe.eventSource.requestContent"
EVALUATE_OPTIONS = object_of(
    {"renderDecisions": boolean(), "personalization": object_of({"decisionContext": object_of({})})}
).no_unknown_fields()


class _LocalStorage:
    """alloy's namespaced ``localStorage`` (``com.adobe.alloy.<org>.decisioning.``)."""

    def __init__(self, services: ComponentServices, prefix: str) -> None:
        self._browser = services.browser
        self.prefix = prefix

    def get_item(self, name: str) -> str | None:
        return self._browser.storage_get("local", self.prefix + name)

    def set_item(self, name: str, value: str) -> None:
        self._browser.storage_set("local", self.prefix + name, value)

    def clear(self) -> None:
        for key in self._browser.storage_keys("local"):
            if key.startswith(self.prefix):
                self._browser.storage_remove("local", key)


def _activity_id(proposition: Any) -> Any:
    details = proposition.get("scopeDetails") if isinstance(proposition, dict) else None
    activity = details.get("activity") if isinstance(details, dict) else None
    return activity.get("id") if isinstance(activity, dict) else None


def _parse(content: Any) -> Any:
    if not isinstance(content, str):
        return content
    try:
        return json.loads(content)
    except ValueError as error:
        raise RulesError(f"The ruleset is not JSON: {error}") from None


def _is_ruleset_item(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    schema = item.get("schema")
    if schema == RULESET_ITEM:
        return True
    if schema != JSON_CONTENT_ITEM or not isinstance(item.get("data"), dict):
        return False
    try:
        content = _parse(item["data"].get("content"))
    except RulesError:
        return False
    return isinstance(content, dict) and "version" in content and "rules" in content


def _adapt(consequence: Mapping[str, Any]) -> Any:
    """``createConsequenceAdapter``: an in-app message (``cjmiam``), a schema item, or the detail."""
    kind, detail = consequence.get("type"), consequence.get("detail")
    if kind == "cjmiam" and isinstance(detail, dict):
        data: JsonObject = {}
        if "mobileParameters" in detail:
            data["mobileParameters"] = detail["mobileParameters"]
        data["webParameters"] = {}
        if "html" in detail:
            data["content"] = detail["html"]
        data["contentType"] = "text/html"
        item: JsonObject = {"schema": MESSAGE_IN_APP, "data": data}
        if "id" in consequence:
            item["id"] = consequence["id"]
        return item
    if kind == "schema" and isinstance(detail, dict):
        schema_item: JsonObject = {k: detail[k] for k in ("schema", "data") if k in detail}
        item_id = detail.get("id") or consequence.get("id")
        if item_id is not None or "id" in consequence:
            schema_item["id"] = item_id
        return schema_item
    if kind in ("cjmiam", "schema"):
        raise RulesError(f"Cannot destructure the detail of a {kind} consequence")
    return detail


class _EvaluablePayload:
    """One proposition with ruleset items: its rules, evaluated to the items they qualify."""

    def __init__(self, payload: JsonObject, registry: EventRegistry) -> None:
        self.payload = payload
        self._registry = registry
        self.activity_id = _activity_id(payload)
        self.rulesets: list[Ruleset] = []
        items = payload.get("items")
        for item in items if isinstance(items, list) else []:
            if not _is_ruleset_item(item):
                continue
            data: Any = item.get("data", {})
            content = data if item.get("schema") == RULESET_ITEM else data.get("content")
            if content:
                self.rulesets.append(Ruleset(_parse(content), generate_event_hash))
        details = payload.get("scopeDetails")
        rank = details.get("rank") if isinstance(details, dict) else None
        self.rank: float = rank if isinstance(rank, (int, float)) and not isinstance(rank, bool) and rank else math.inf

    def evaluate(self, context: Mapping[str, Any]) -> JsonObject:
        display = self._registry.get_event(DISPLAY, self.activity_id)
        displayed = (display.get("timestamps") or [None])[0] if display else None
        # Every ruleset is run before any trigger is counted, as alloy.js does.
        executed = [ruleset.execute(context) for ruleset in self.rulesets]
        adapted = [_adapt(c) for matched in executed for consequences in matched for c in consequences]
        items = []
        for adapted_item in adapted:
            trigger = self._registry.add_event({"eventType": "trigger", "eventId": self.activity_id})
            item = dict(adapted_item) if isinstance(adapted_item, dict) else {}
            data = dict(item["data"]) if isinstance(item.get("data"), dict) else {}
            data["qualifiedDate"] = trigger["timestamps"][0] if trigger else None
            if displayed is not None:
                data["displayedDate"] = displayed
            items.append({**item, "data": data})
        return {**self.payload, "items": items}


class _DecisionProvider:
    def __init__(self, registry: EventRegistry) -> None:
        self._registry = registry
        self._payloads: dict[Any, _EvaluablePayload] = {}

    def add_payloads(self, payloads: list[Any]) -> None:
        for payload in payloads:
            if not isinstance(payload, dict) or not _activity_id(payload):
                continue
            evaluable = _EvaluablePayload(payload, self._registry)
            if evaluable.rulesets:
                self._payloads[_activity_id(payload)] = evaluable

    def evaluate(self, context: Mapping[str, Any]) -> list[JsonObject]:
        ranked = sorted(self._payloads.values(), key=lambda payload: payload.rank)
        evaluated = [payload.evaluate(context) for payload in ranked]
        return [proposition for proposition in evaluated if proposition["items"]]


def _history_operations(propositions: list[JsonObject]) -> list[tuple[Any, Mapping[str, Any]]]:
    """Items that write the event history are taken out of the propositions, as operations."""
    operations: list[tuple[Any, Mapping[str, Any]]] = []
    for proposition in propositions:
        kept = []
        for item in proposition.get("items") or []:
            if isinstance(item, dict) and item.get("schema") == EVENT_HISTORY_OPERATION:
                data: JsonObject = item["data"] if isinstance(item.get("data"), dict) else {}
                content: JsonObject = data["content"] if isinstance(data.get("content"), dict) else {}
                event = {"eventId": content.get("iam.id"), "eventType": content.get("iam.eventType")}
                operations.append((data.get("operation"), event))
            else:
                kept.append(item)
        proposition["items"] = kept
    return operations


class RulesEngine(Component):
    namespace = "RulesEngine"
    config_schema: ClassVar[Validator | None] = object_of({"personalizationStorageEnabled": boolean().default(False)})

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        self._storage_enabled = bool(services.config["personalizationStorageEnabled"])
        org = sanitize_org_id(services.config["orgId"])
        self._storage = _LocalStorage(services, storage_key(f"{org}.decisioning."))
        if not self._storage_enabled:
            self._storage.clear()
        self._registry = EventRegistry(MemoryStorage(), self.logger, services.browser.now_ms)
        self._decisions = _DecisionProvider(self._registry)
        self._context = ContextProvider(services.browser, self._registry)
        self._subscriptions = Subscriptions(services.events, self.logger)

    def commands(self) -> Mapping[str, Command]:
        return {
            "evaluateRulesets": Command(run=self._evaluate_rulesets, validate=EVALUATE_OPTIONS),
            "subscribeRulesetItems": Command(run=self._subscriptions.subscribe, validate=SUBSCRIBE_OPTIONS),
        }

    def _evaluate_rulesets(self, options: Options) -> CommandResult:
        added = ((options.get("personalization") or {}).get("decisionContext")) or {}
        context = self._context.get_context({"~type": RULES_ENGINE_EVENT_TYPE, "~source": REQUEST_SOURCE, **added})
        return self._apply(bool(options.get("renderDecisions")), self._decisions.evaluate(context))

    def _apply(
        self, render: bool, propositions: list[JsonObject], event: Event | None = None,
        personalization: Options | None = None,
    ) -> CommandResult:
        """alloy's ``applyResponse``: history operations done, then ``onDecision`` for the others."""
        self._registry.add_event_payloads(_history_operations(propositions))
        decision = Decision(
            render, propositions, event, personalization, event.user_identity_map if event is not None else None
        )
        task = start_now(self.services.edge_client.lifecycle.decided(decision))
        task.add_done_callback(self._decided)
        return {"propositions": propositions}

    def _decided(self, task: asyncio.Future[None]) -> None:
        if not task.cancelled() and task.exception() is not None:  # nobody awaits onDecision
            self.logger.warn("onDecision failed.", str(task.exception()))

    # Lifecycle
    def on_components_registered(self) -> None:
        if self._storage_enabled:
            spawn(self._use_storage_after_consent())

    async def _use_storage_after_consent(self) -> None:
        try:
            await self.services.consent.await_consent()
        except Exception:
            self._storage.clear()
            return
        self._registry.set_storage(self._storage)

    def on_decision(self, decision: Decision) -> None:
        self._subscriptions.refresh(decision.propositions)

    def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        personalization = options.get("personalization") or {}
        added = personalization.get("decisionContext") or {}
        context = {
            **flatten(event.get_content()),
            **self._context.get_context({"~type": EDGE_EVENT_TYPE, "~source": REQUEST_SOURCE, **added}),
        }
        render = bool(options.get("renderDecisions"))

        def handle_response(response: EdgeResponse) -> CommandResult:
            self._decisions.add_payloads(response.payloads("personalization:decisions"))
            if "query" not in event.content:  # only events that asked for decisions are evaluated
                return {"propositions": []}
            return self._apply(render, self._decisions.evaluate(context), event, personalization)

        handlers.on_response.append(handle_response)

    def on_before_request(self, request: EdgeRequest, handlers: RequestHandlers) -> None:
        for event in request.payload.events:
            self._registry.add_experience_edge_event(event.content.get("xdm"))
