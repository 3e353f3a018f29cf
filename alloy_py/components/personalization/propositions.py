"""Propositions: their shape, their scope type, and rendering them or handing them back.

Port of ``Personalization/handlers/createProcessPropositions.js`` and
``handlers/injectCreateProposition.js``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace
from typing import Any, Literal, NamedTuple

from ..._futures import after, constant, resolved, spawn
from ..._jsonutil import to_json
from ...log import Logger
from ...schemas import MESSAGE_IN_APP, PAGE_WIDE_SCOPE, REDIRECT_ITEM
from ...types import JsonObject
from ..interactions import notification
from ..rendering import ItemPlan, Renderer

__all__ = ["NO_DOCUMENT", "DisplayMeta", "PlanRedirect", "Processed", "PropositionProcessor", "Renderable", "ScopeType",
           "clean_proposition", "scope_type"]

ScopeType = Literal["page", "view", "proposition"]
DisplayMeta = JsonObject
"""One proposition as a display notification reports it: ``id``, ``scope``, ``scopeDetails``."""


class Renderable(NamedTuple):
    proposition: JsonObject
    scope_type: ScopeType
    returned: bool  # handed back to the caller (an empty view is only reported)


class Processed(NamedTuple):
    propositions: list[JsonObject]  # the command's result, with renderAttempted
    decisions: list[JsonObject]  # what was not rendered (alloy's deprecated ``decisions``)
    # What to report once rendering has run; called where alloy.js's render() promise goes on (after
    # the containers are shown): the rendering-succeeded notification comes then, or once all have run.
    displays: Callable[[], asyncio.Future[list[DisplayMeta]]]


def scope_type(proposition: JsonObject) -> ScopeType:
    scope = proposition.get("scope")
    if scope == PAGE_WIDE_SCOPE or (isinstance(scope, str) and scope.startswith("web://") and "#" not in scope):
        return "page"
    details = proposition.get("scopeDetails") or {}
    if ((details.get("characteristics") or {}).get("scopeType")) == "view":
        return "view"
    return "proposition"


def clean_proposition(value: Any) -> JsonObject | None:
    """A proposition as the Edge sends it, or ``None``: what is not of its shape is left out."""
    if not isinstance(value, dict):
        return None
    proposition = dict(value)
    if "items" in proposition:
        items = proposition["items"]
        proposition["items"] = [dict(i) for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    if "scope" in proposition and not isinstance(proposition["scope"], str):
        proposition["scope"] = "" if proposition["scope"] is None else str(proposition["scope"])
    if "scopeDetails" in proposition and not isinstance(proposition["scopeDetails"], dict):
        del proposition["scopeDetails"]
    details = proposition.get("scopeDetails")
    if isinstance(details, dict) and not isinstance(details.get("characteristics", {}), dict):
        proposition["scopeDetails"] = {k: v for k, v in details.items() if k != "characteristics"}
    for item in proposition.get("items", []):
        if "schema" in item and not isinstance(item["schema"], str):
            del item["schema"]
    return proposition


NO_DOCUMENT = (
    "Rendering needs a browser page and this browser has none (CPythonBrowser): "
    "the propositions come back unrendered (renderAttempted: false) and no display is reported."
)

PlanRedirect = Callable[[JsonObject, JsonObject, Any], ItemPlan]
"""Plans a redirect (or in-app message) item: ``(item, proposition, the triggering event's identityMap)``."""

# One proposition's renders: each item's render with its item, the display it adds, and whether
# failures are logged (a redirect's are not: alloy.js runs it without its logging wrapper).
_Renders = tuple[
    list[tuple[Callable[[], Awaitable[None] | None], JsonObject]], DisplayMeta | None, bool, DisplayMeta
]


class PropositionProcessor:
    """alloy's ``processPropositions``: render what can be, return the rest, then report."""

    def __init__(
        self,
        renderer: Renderer,
        logger: Logger,
        plan_redirect: PlanRedirect | None = None,
        plan_in_app: PlanRedirect | None = None,
    ) -> None:
        self._renderer = renderer
        self._logger = logger
        self._planners = {
            schema: plan for schema, plan in ((REDIRECT_ITEM, plan_redirect), (MESSAGE_IN_APP, plan_in_app)) if plan
        }

    def _plan(self, item: JsonObject, proposition: JsonObject, kind: ScopeType, identity_map: Any) -> ItemPlan:
        plan = self._planners.get(str(item.get("schema")))
        if plan is not None:
            return plan(item, proposition, identity_map)
        return self._renderer.plan(item, proposition, kind)

    def process(
        self,
        to_render: list[Renderable],
        not_rendered: list[Renderable],
        identity_map: Any = None,
        before_render: Callable[[], None] | None = None,
        suppressed: Collection[str] = (),
    ) -> Processed:
        """``before_render``: called once everything is planned, before anything renders (alloy's
        ``rendering-started`` notifications come between the two). ``suppressed``: the ids of
        propositions whose in-app messages are not shown but still reported (alloy's
        ``shouldSuppressDisplay``)."""
        if to_render and not self._renderer.has_document:
            self._logger.warn(NO_DOCUMENT)
            to_render, not_rendered = [], [*to_render, *not_rendered]
        returned: list[JsonObject] = []
        decisions: list[JsonObject] = []
        renders: list[_Renders] = []
        only_at: int | None = None  # the proposition whose redirect is all that is rendered
        for index, (proposition, kind, visible) in enumerate(to_render):
            rendered_items: list[JsonObject] = []
            other_items: list[JsonObject] = []
            item_renders: list[tuple[Callable[[], Awaitable[None] | None], JsonObject]] = []
            notify = False
            only = False
            for item in proposition.get("items") or []:
                plan = self._plan(item, proposition, kind, identity_map)
                if item.get("schema") == MESSAGE_IN_APP and proposition.get("id") in suppressed:
                    plan = replace(plan, render=None)
                if plan.only_render_this:  # alloy's onlyRenderThis: forget all planned so far
                    returned, decisions, renders = [], [], []
                    rendered_items, other_items = ([item], []) if plan.render_attempted else ([], [item])
                    item_renders = [(plan.render, item)] if plan.render is not None else []
                    notify, only = plan.in_notification, True
                    break
                if plan.render is not None:
                    item_renders.append((plan.render, item))
                notify = notify or plan.in_notification
                (rendered_items if plan.render_attempted else other_items).append(item)
            meta = notification(proposition) if notify else None
            if item_renders or meta is not None:
                renders.append((item_renders, meta, not only, notification(proposition)))
            if visible:
                _add_returned(returned, decisions, proposition, rendered_items, True)
                _add_returned(returned, decisions, proposition, other_items, False)
            if only:
                only_at = index
                break
        if only_at is not None:
            for index, (proposition, _kind, visible) in enumerate(to_render):
                if index != only_at and visible:
                    _add_returned(returned, decisions, proposition, list(proposition.get("items") or []), False)
        for proposition, _kind, visible in not_rendered:
            if visible:
                _add_returned(returned, decisions, proposition, list(proposition.get("items") or []), False)
        if before_render is not None:
            before_render()
        # Rendering starts once everything is planned, in order, as alloy.js's render() does.
        pending: list[asyncio.Future[DisplayMeta | None]] = []
        rendered: list[asyncio.Future[JsonObject | None]] = []  # what the rendering-succeeded notification lists
        for item_renders, meta, logged, details in renders:
            if item_renders:
                # alloy.js counts a failed render (a selector that never appeared) as done:
                # a proposition with anything to render is reported once its items have run.
                outcomes = [self._start(render, item, details, logged) for render, item in item_renders]
                pending.append(after(outcomes, constant(meta)))
                rendered.append(after(outcomes, _with_items(meta, outcomes)))
            else:
                pending.append(resolved(meta))
                rendered.append(resolved(meta))
        succeeded = after(rendered, lambda: [m for m in (r.result() for r in rendered) if m])
        # Reported before the display notifications go out, as alloy.js's render() does.
        return Processed(
            returned,
            decisions,
            lambda: after([succeeded], lambda: self._report_succeeded(succeeded.result(), pending)),
        )

    def _report_succeeded(
        self, propositions: list[JsonObject], pending: list[asyncio.Future[DisplayMeta | None]]
    ) -> list[DisplayMeta]:
        if propositions:
            by_scope: dict[str, list[JsonObject]] = {}
            for proposition in propositions:
                by_scope.setdefault(str(proposition.get("scope")), []).append(proposition)
            self._logger.on_content_rendering(
                "rendering-succeeded", f"Scopes: {to_json(by_scope)} successfully executed.", by_scope
            )
        return [m for m in (p.result() for p in pending) if m]

    def _start(
        self,
        render: Callable[[], Awaitable[None] | None],
        item: JsonObject,
        details: DisplayMeta,
        logged: bool = True,
    ) -> asyncio.Future[JsonObject | None]:
        """Run an item's render now; settled when it has finished, with the item (``None`` when it
        failed; failures are logged)."""
        try:
            waiting = render()
        except Exception as error:
            if logged:
                self._render_failed(item, details, error)
            return resolved(None)
        if waiting is None:
            return resolved(self._rendered(item, logged))

        async def finish() -> JsonObject | None:
            try:
                await waiting
            except Exception as error:
                if logged:
                    self._render_failed(item, details, error)
                return None
            return self._rendered(item, logged)

        return spawn(finish())

    def _rendered(self, item: JsonObject, logged: bool) -> JsonObject:
        if logged and self._logger.enabled:
            self._logger.info(f"Action {to_json(item)} executed.")
        return item

    def _render_failed(self, item: JsonObject, details: DisplayMeta, error: BaseException) -> None:
        self._logger.on_content_rendering(
            "rendering-failed",
            f"Failed to execute action {to_json(item)}. {error}",
            {"propositionDetails": details, "item": item},
            "warn",
        )


def _with_items(meta: DisplayMeta | None, outcomes: list[asyncio.Future[JsonObject | None]]) -> Callable[[], Any]:
    """alloy's ``renderItems``: the proposition's notification with the items that were run."""
    return lambda: None if meta is None else {**meta, "items": [o.result() for o in outcomes]}


def _add_returned(
    returned: list[JsonObject],
    decisions: list[JsonObject],
    proposition: JsonObject,
    items: list[JsonObject],
    render_attempted: bool,
) -> None:
    if not items:
        return
    returned.append({**proposition, "items": items, "renderAttempted": render_attempted})
    if not render_attempted:
        decisions.append({**proposition, "items": items})
