"""Personalization: asking the Edge for decisions, rendering them, saying so.

Port of ``browser/src/components/Personalization/createComponent.js``,
``createPersonalizationDetails.js``, ``createFetchDataHandler.js``,
``createViewChangeHandler.js``, ``createViewCacheManager.js``,
``createNotificationHandler.js``, ``handlers/createProcessPropositions.js``,
``handlers/injectCreateProposition.js`` and ``utils/surfaceUtils.js``. The DOM
work itself is in :mod:`.rendering`. Redirect offers and in-app messages are
not rendered yet: they come back with ``renderAttempted: false``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from ..edge.response import EdgeResponse
from ..event import Event
from ..validation import Validator, any_of, boolean, literal, object_of, string
from . import Component, ComponentContext
from ..schemas import DEFAULT_CONTENT_ITEM, DOM_ACTION, REDIRECT_ITEM, REQUESTED_SCHEMAS
from .rendering import Renderer

__all__ = ["Personalization", "page_surface"]

PAGE_WIDE_SCOPE = "__view__"
_INTERACTIONS = [literal(v) for v in ("always", "never", "decoratedElementsOnly")]

# Compiled on first use: the wide Unicode ranges cost ~40 ms at import under Pyodide.
_SURFACE = r"^(\w+)://([^/#]+)(/[^#]*)?(#.*)?$"
_AUTHORITY = r"^(?:.*@)?(?:[a-z\d\u00a1-\uffff.-]+|\[[a-f\d:]+\])(?::\d+)?$"
_PATH = r"^/(?:[/\w\u00a1-\uffff\-.~]|%[a-fA-F\d]{2})*$"
_FRAGMENT = r"^#(?:[/\w\u00a1-\uffff\-.~]|%[a-fA-F\d]{2})+$"


def _normalize_path(path: str) -> str:
    return path.rstrip("/") or "/"


def page_surface(href: str) -> str:
    """``web://host/path`` of the page, without a trailing slash."""
    parts = urlsplit(href)
    return f"web://{parts.netloc.lower()}{_normalize_path(parts.path or '/')}"


def normalize_surfaces(surfaces: list[Any], href: str, warn: Callable[[str], None]) -> list[str]:
    result = []
    for surface in surfaces:
        if not isinstance(surface, str) or not surface:
            warn(f"Invalid surface: {surface}")
            continue
        expanded = page_surface(href) + surface if surface.startswith("#") else surface
        match = re.match(_SURFACE, expanded)
        if not match:
            warn(f"Invalid surface: {surface}")
            continue
        surface_type = match.group(1).lower()
        authority = (match.group(2) or "").lower()
        path = _normalize_path(match.group(3)) if match.group(3) else "/"
        fragment = match.group(4)
        if surface_type not in ("web", "webapp"):
            warn(f"Unsupported surface type {surface_type} in surface: {surface}")
        elif not authority or not re.match(_AUTHORITY, authority):
            warn(f"Invalid authority {authority} in surface: {surface}")
        elif path and not re.match(_PATH, path):
            warn(f"Invalid path {path} in surface: {surface}")
        elif fragment and not re.match(_FRAGMENT, fragment):
            warn(f"Invalid fragment {fragment} in surface: {surface}")
        else:
            result.append(f"{surface_type}://{authority}{path}{fragment or ''}")
    return result


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _scope_type(proposition: dict[str, Any]) -> str:
    scope = proposition.get("scope")
    if scope == PAGE_WIDE_SCOPE or (isinstance(scope, str) and scope.startswith("web://") and "#" not in scope):
        return "page"
    details = proposition.get("scopeDetails") or {}
    if ((details.get("characteristics") or {}).get("scopeType")) == "view":
        return "view"
    return "proposition"


Meta = dict[str, Any]
T = TypeVar("T")
Renderable = tuple[dict[str, Any], str, bool]  # a proposition, its scope type, whether it is returned
DISPLAY = "decisioning.propositionDisplay"


def _notification(proposition: dict[str, Any]) -> Meta:
    meta = {"id": proposition.get("id"), "scope": proposition.get("scope"), "scopeDetails": proposition.get("scopeDetails")}
    return {key: value for key, value in meta.items() if value is not None}


def merge_decisions_meta(event: Event, metas: list[Meta], event_type: str = "display") -> None:
    """alloy's ``mergeDecisionsMeta``: which propositions this event reports on."""
    if metas:
        event.merge_xdm(
            {"_experience": {"decisioning": {"propositions": metas, "propositionEventType": {event_type: 1}}}}
        )


class Personalization(Component):
    namespace = "Personalization"
    config_schema: ClassVar[Validator | None] = object_of(
        {
            "prehidingStyle": string().non_empty(),
            "targetMigrationEnabled": boolean().default(False),
            "autoCollectPropositionInteractions": object_of(
                {
                    "AJO": any_of(_INTERACTIONS, "undefined").default("always"),
                    "TGT": any_of(_INTERACTIONS, "undefined").default("never"),
                }
            )
            .default({"AJO": "always", "TGT": "never"})
            .no_unknown_fields(),
        }
    )

    def __init__(self, context: ComponentContext) -> None:
        super().__init__(context)
        config = context.config
        self.renderer = Renderer(context.browser, self.logger, config["autoCollectPropositionInteractions"])
        self._view_cache_initialized = False
        self._view_cache: dict[str, list[dict[str, Any]]] = {}
        # Displays held back by sendDisplayEvent: false, for a later includeRenderedPropositions.
        self._held_displays: list[asyncio.Future[list[Meta]]] = []

    def on_before_request(self, request: Any, **_: Any) -> None:
        if self.context.config["targetMigrationEnabled"]:
            request.payload.merge_meta({"target": {"migration": True}})

    def on_components_registered(self, **_: Any) -> None:
        """alloy's ``handleConsentFlicker``: an opted-out visitor never keeps prehidden content hidden."""
        consent = self.context.consent
        if consent.state == "out" and consent.was_set:
            self.renderer.show_containers()
            return

        async def show_if_declined() -> None:
            try:
                await consent.await_consent()
            except Exception:
                self.renderer.show_containers()

        asyncio.ensure_future(show_if_declined())

    def on_request_failure(self, **_: Any) -> None:
        self.renderer.show_containers()

    async def on_before_event(
        self,
        event: Event,
        options: dict[str, Any],
        on_response: Callable[..., Any],
        on_request_failure: Callable[..., Any],
        **_: Any,
    ) -> None:
        on_response(lambda **__: {"propositions": []})
        on_request_failure(lambda **__: self.renderer.show_containers())
        href = self.context.browser.page().href
        if "adobe_authoring_enabled" in href:
            self.logger.warn("Rendering is disabled for authoring mode.")
            event.merge_query({"personalization": {"enabled": False}})
            return
        render = bool(options.get("renderDecisions"))
        personalization = options.get("personalization") or {}
        send_display = bool(personalization.get("sendDisplayEvent", True))
        scopes = list(options.get("decisionScopes") or [])
        scopes += list(personalization.get("decisionScopes") or [])
        surfaces_asked = personalization.get("surfaces") or []
        default_enabled = personalization.get("defaultPersonalizationEnabled")
        wants_default = bool(default_enabled) or (not self._view_cache_initialized and default_enabled is not False)
        view_name = event.view_name
        metas: list[Meta] = []
        if personalization.get("includeRenderedPropositions"):
            held, self._held_displays = self._held_displays, []
            for displays in await asyncio.gather(*held):
                metas.extend(displays)
        if scopes or surfaces_asked or wants_default:
            self._view_cache_initialized = True
            self._fetch(event, render, send_display, scopes, surfaces_asked, wants_default, view_name, href, on_response)
        elif view_name:
            metas.extend(await self._change_view(view_name, render, on_response))
        merge_decisions_meta(event, metas)

    def _fetch(
        self,
        event: Event,
        render: bool,
        send_display: bool,
        scopes: list[str],
        surfaces_asked: list[Any],
        wants_default: bool,
        view_name: str | None,
        href: str,
        on_response: Callable[..., Any],
    ) -> None:
        consent = self.context.consent
        if not (consent.state == "out" and consent.was_set):
            if render:
                self.renderer.hide_containers(self.context.config.get("prehidingStyle"))
            else:
                self.renderer.show_containers()
        surfaces = normalize_surfaces(list(surfaces_asked), href, self.logger.warn)
        if wants_default:
            if PAGE_WIDE_SCOPE not in scopes:
                scopes.append(PAGE_WIDE_SCOPE)
            if page_surface(href) not in surfaces:
                surfaces.append(page_surface(href))
        schemas = REQUESTED_SCHEMAS + ([DOM_ACTION] if PAGE_WIDE_SCOPE in scopes else [])
        event.merge_query(
            {"personalization": {"schemas": schemas, "decisionScopes": _dedupe(scopes), "surfaces": _dedupe(surfaces)}}
        )
        notify = self._notifier(render, send_display, view_name, event.user_identity_map)

        def handle_response(response: EdgeResponse, **__: Any) -> dict[str, Any]:
            return self._handle_decisions(response, render, view_name, notify)

        on_response(handle_response)

    def _notifier(
        self, render: bool, send_display: bool, view_name: str | None, identity_map: Any
    ) -> Callable[[list[Meta]], None]:
        if not render:
            return lambda metas: None
        if not send_display:
            held: asyncio.Future[list[Meta]] = asyncio.get_running_loop().create_future()
            self._held_displays.append(held)

            def hold(metas: list[Meta]) -> None:
                if not held.done():
                    held.set_result(metas)

            return hold

        def send(metas: list[Meta]) -> None:
            if metas:
                asyncio.ensure_future(self._send_display(metas, view_name, identity_map))

        return send

    async def _send_display(self, metas: list[Meta], view_name: str | None, identity_map: Any) -> None:
        events = self.context.events
        event = events.create_event()
        merge_decisions_meta(event, metas)
        xdm: dict[str, Any] = {"eventType": DISPLAY}
        if identity_map is not None:
            xdm["identityMap"] = identity_map
        if view_name:
            xdm["web"] = {"webPageDetails": {"viewName": view_name}}
        event.merge_xdm(xdm)
        try:
            await events.send_event(event, {})
        except Exception as error:  # nobody awaits a display notification
            self.logger.warn("The display notification failed.", str(error))

    def _handle_decisions(
        self, response: EdgeResponse, render: bool, view_name: str | None, notify: Callable[[list[Meta]], None]
    ) -> dict[str, Any]:
        handles = [clean for p in response.payloads("personalization:decisions") if (clean := _proposition(p))]
        if not handles:
            self.logger.info("No offers were returned.")
        groups: dict[str, list[dict[str, Any]]] = {"page": [], "view": [], "proposition": []}
        for proposition in handles:
            groups[_scope_type(proposition)].append(proposition)
        new_views: dict[str, list[dict[str, Any]]] = {}
        for proposition in groups["view"]:
            if proposition.get("scope"):
                new_views.setdefault(str(proposition["scope"]).lower(), []).append(proposition)
        self._view_cache.update(new_views)
        current_view = self._view(new_views, view_name) if view_name else []
        page = [(p, "page", True) for p in groups["page"]]
        others = [(p, "proposition", True) for p in groups["proposition"]]
        if not render:
            returned, decisions, _ = self._process([], [*page, *current_view, *others])
            return {"propositions": returned, "decisions": decisions}
        returned, decisions, displays = self._process([*page, *current_view], others)
        if displays.done():  # everything rendered already: report before the command resolves, as alloy.js
            notify(displays.result())
        else:
            displays.add_done_callback(lambda done: None if done.cancelled() else notify(done.result()))
        only_redirect = len(groups["page"]) == 1 and all(
            item.get("schema") == REDIRECT_ITEM for item in groups["page"][0].get("items") or []
        )
        if not only_redirect:
            self.renderer.show_containers()
        return {"propositions": returned, "decisions": decisions}

    def _view(self, views: dict[str, list[dict[str, Any]]], view_name: str) -> list[Renderable]:
        cached = views.get(view_name.lower())
        if cached:
            return [(p, "view", True) for p in cached]
        # An empty view is still reported (never returned), so that the view change is counted.
        empty = {"scope": view_name, "scopeDetails": {"characteristics": {"scopeType": "view"}},
                 "items": [{"schema": DEFAULT_CONTENT_ITEM}]}
        return [(empty, "view", False)]

    async def _change_view(self, view_name: str, render: bool, on_response: Callable[..., Any]) -> list[Meta]:
        propositions = self._view(self._view_cache, view_name)
        if render:
            returned, decisions, displays = self._process(propositions, [])
        else:
            returned, decisions, _ = self._process([], propositions)
            displays = None
        on_response(lambda **__: {"propositions": returned, "decisions": decisions})
        return await displays if displays is not None else []

    def _process(
        self, to_render: list[Renderable], not_rendered: list[Renderable]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], asyncio.Future[list[Meta]]]:
        """alloy's ``processPropositions``: render what can be, return the rest, then report."""
        returned: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        pending: list[asyncio.Future[Meta | None]] = []
        for proposition, scope_type, visible in to_render:
            rendered_items: list[dict[str, Any]] = []
            other_items: list[dict[str, Any]] = []
            outcomes: list[asyncio.Future[None]] = []
            notify = False
            for item in proposition.get("items") or []:
                plan = self.renderer.plan(item, proposition, scope_type)
                if plan.render is not None:
                    outcomes.append(self._start(plan.render, item))
                notify = notify or plan.in_notification
                (rendered_items if plan.render_attempted else other_items).append(item)
            if outcomes:
                # alloy.js counts a failed render (a selector that never appeared) as done:
                # a proposition with anything to render is reported once its items have run.
                meta = _notification(proposition) if notify else None
                pending.append(_after(outcomes, _constant(meta)))
            elif notify:
                pending.append(_resolved(_notification(proposition)))
            if visible:
                _add_returned(returned, decisions, proposition, rendered_items, True)
                _add_returned(returned, decisions, proposition, other_items, False)
        for proposition, _scope, visible in not_rendered:
            if visible:
                _add_returned(returned, decisions, proposition, list(proposition.get("items") or []), False)
        return returned, decisions, _after(pending, lambda: [m for m in (p.result() for p in pending) if m])

    def _start(self, render: Callable[[], Awaitable[None] | None], item: dict[str, Any]) -> asyncio.Future[None]:
        """Run an item's render now; settled when it has finished (failures are logged)."""
        try:
            waiting = render()
        except Exception as error:
            self._render_failed(item, error)
            return _resolved(None)
        if waiting is None:
            return _resolved(None)

        async def finish() -> None:
            try:
                await waiting
            except Exception as error:
                self._render_failed(item, error)

        return asyncio.ensure_future(finish())

    def _render_failed(self, item: dict[str, Any], error: BaseException) -> None:
        self.logger.warn(f"Failed to execute action {json.dumps(item)}. {error}")


def _add_returned(
    returned: list[dict[str, Any]],
    decisions: list[dict[str, Any]],
    proposition: dict[str, Any],
    items: list[dict[str, Any]],
    render_attempted: bool,
) -> None:
    if not items:
        return
    returned.append({**proposition, "items": items, "renderAttempted": render_attempted})
    if not render_attempted:
        decisions.append({**proposition, "items": items})


def _resolved(value: Any) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def _constant(value: T) -> Callable[[], T]:
    return lambda: value


def _after(futures: Sequence[asyncio.Future[Any]], value: Callable[[], T]) -> asyncio.Future[T]:
    """``value()`` once ``futures`` have settled; settled at once if they already are,
    so that a display notification can leave before the command resolves."""
    if all(future.done() for future in futures):
        return _resolved(value())

    async def wait() -> T:
        for future in futures:
            await future
        return value()

    return asyncio.ensure_future(wait())


def _proposition(value: Any) -> dict[str, Any] | None:
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
