"""Personalization: asking the Edge for decisions and returning them.

Port of ``browser/src/components/Personalization/createPersonalizationDetails.js``,
``createFetchDataHandler.js``, ``handlers/injectCreateProposition.js`` and
``utils/surfaceUtils.js``. Rendering decisions into the DOM is not ported
yet: with ``renderDecisions`` the propositions come back with
``renderAttempted: false`` and a warning says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ..edge.response import EdgeResponse
from ..event import Event
from ..validation import Validator, any_of, boolean, literal, object_of, string
from . import Component

__all__ = ["Personalization", "SCHEMAS", "page_surface"]

PAGE_WIDE_SCOPE = "__view__"
_SCHEMA = "https://ns.adobe.com/personalization/"
SCHEMAS = [
    _SCHEMA + "default-content-item",
    _SCHEMA + "html-content-item",
    _SCHEMA + "json-content-item",
    _SCHEMA + "redirect-item",
    _SCHEMA + "ruleset-item",
    _SCHEMA + "message/in-app",
    _SCHEMA + "message/content-card",
]
DOM_ACTION_SCHEMA = _SCHEMA + "dom-action"
_INTERACTIONS = [literal(v) for v in ("always", "never", "decoratedElementsOnly")]

_SURFACE = re.compile(r"^(\w+)://([^/#]+)(/[^#]*)?(#.*)?$")
_AUTHORITY = re.compile(r"^(?:.*@)?(?:[a-z\d\u00a1-\uffff.-]+|\[[a-f\d:]+\])(?::\d+)?$")
_PATH = re.compile(r"^/(?:[/\w\u00a1-\uffff\-.~]|%[a-fA-F\d]{2})*$")
_FRAGMENT = re.compile(r"^#(?:[/\w\u00a1-\uffff\-.~]|%[a-fA-F\d]{2})+$")


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
        match = _SURFACE.match(expanded)
        if not match:
            warn(f"Invalid surface: {surface}")
            continue
        surface_type = match.group(1).lower()
        authority = (match.group(2) or "").lower()
        path = _normalize_path(match.group(3)) if match.group(3) else "/"
        fragment = match.group(4)
        if surface_type not in ("web", "webapp"):
            warn(f"Unsupported surface type {surface_type} in surface: {surface}")
        elif not authority or not _AUTHORITY.match(authority):
            warn(f"Invalid authority {authority} in surface: {surface}")
        elif path and not _PATH.match(path):
            warn(f"Invalid path {path} in surface: {surface}")
        elif fragment and not _FRAGMENT.match(fragment):
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

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._view_cache_initialized = False
        self._view_cache: dict[str, list[dict[str, Any]]] = {}

    def on_before_request(self, request: Any, **_: Any) -> None:
        if self.context.config["targetMigrationEnabled"]:
            request.payload.merge_meta({"target": {"migration": True}})

    def on_before_event(
        self,
        event: Event,
        options: dict[str, Any],
        on_response: Callable[..., Any],
        on_request_failure: Callable[..., Any],
        **_: Any,
    ) -> None:
        on_response(lambda **__: {"propositions": []})
        href = self.context.browser.page().href
        if "adobe_authoring_enabled" in href:
            self.logger.warn("Rendering is disabled for authoring mode.")
            event.merge_query({"personalization": {"enabled": False}})
            return
        render = bool(options.get("renderDecisions"))
        personalization = options.get("personalization") or {}
        scopes = list(options.get("decisionScopes") or [])
        scopes += list(personalization.get("decisionScopes") or [])
        surfaces_asked = personalization.get("surfaces") or []
        default_enabled = personalization.get("defaultPersonalizationEnabled")
        wants_default = bool(default_enabled) or (not self._view_cache_initialized and default_enabled is not False)
        if not (scopes or surfaces_asked or wants_default):
            return  # cached SPA views are rendered by the rendering issue's code
        self._view_cache_initialized = True
        surfaces = normalize_surfaces(list(surfaces_asked), href, self.logger.warn)
        if wants_default:
            if PAGE_WIDE_SCOPE not in scopes:
                scopes.append(PAGE_WIDE_SCOPE)
            if page_surface(href) not in surfaces:
                surfaces.append(page_surface(href))
        schemas = SCHEMAS + ([DOM_ACTION_SCHEMA] if PAGE_WIDE_SCOPE in scopes else [])
        event.merge_query(
            {"personalization": {"schemas": schemas, "decisionScopes": _dedupe(scopes), "surfaces": _dedupe(surfaces)}}
        )
        view_name = event.view_name

        def handle_response(response: EdgeResponse, **__: Any) -> dict[str, Any]:
            return self._returned_decisions(response, render, view_name)

        on_response(handle_response)

    def _returned_decisions(self, response: EdgeResponse, render: bool, view_name: str | None) -> dict[str, Any]:
        handles = [p for p in response.payloads("personalization:decisions") if isinstance(p, dict)]
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
        current_view = new_views.get(view_name.lower(), []) if view_name else []
        if render and (groups["page"] or current_view):
            self.logger.warn("alloy-py does not render decisions yet; they are returned with renderAttempted: false.")
        propositions: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        for proposition in [*groups["page"], *current_view, *groups["proposition"]]:
            items = list(proposition.get("items") or [])
            propositions.append({**proposition, "items": items, "renderAttempted": False})
            decisions.append({**proposition, "items": items})
        return {"propositions": propositions, "decisions": decisions}
