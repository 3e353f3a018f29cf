"""What one ``sendEvent`` asks of Personalization, read once from its options.

Port of ``Personalization/createPersonalizationDetails.js``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...schemas import DOM_ACTION, PAGE_WIDE_SCOPE, REQUESTED_SCHEMAS
from ...types import JsonObject, Options
from .surfaces import normalize_surfaces, page_surface

__all__ = ["PersonalizationDetails"]


@dataclass(frozen=True)
class PersonalizationDetails:
    render: bool  # renderDecisions
    send_display: bool  # personalization.sendDisplayEvent (default true)
    include_rendered: bool  # personalization.includeRenderedPropositions
    decision_scopes: tuple[str, ...]  # decisionScopes, then personalization.decisionScopes
    surfaces: tuple[Any, ...]  # personalization.surfaces, as given
    wants_default: bool  # page-wide scope and page surface too
    view_name: str | None  # xdm.web.webPageDetails.viewName
    href: str

    @classmethod
    def from_options(
        cls, options: Options, *, view_name: str | None, href: str, view_cache_initialized: bool
    ) -> PersonalizationDetails:
        personalization = options.get("personalization") or {}
        default_enabled = personalization.get("defaultPersonalizationEnabled")
        return cls(
            render=bool(options.get("renderDecisions")),
            send_display=bool(personalization.get("sendDisplayEvent", True)),
            include_rendered=bool(personalization.get("includeRenderedPropositions")),
            decision_scopes=(
                *(options.get("decisionScopes") or []),
                *(personalization.get("decisionScopes") or []),
            ),
            surfaces=tuple(personalization.get("surfaces") or []),
            # Without a cached view yet, the first event asks for the page's decisions.
            wants_default=bool(default_enabled) or (not view_cache_initialized and default_enabled is not False),
            view_name=view_name,
            href=href,
        )

    @property
    def should_fetch(self) -> bool:
        """Ask the Edge for decisions (otherwise a view change is served from the cache)."""
        return bool(self.decision_scopes or self.surfaces or self.wants_default)

    def query(self, warn: Callable[[str], None]) -> JsonObject:
        """``query.personalization``: schemas, scopes and surfaces (invalid surfaces warned about)."""
        scopes = list(self.decision_scopes)
        surfaces = normalize_surfaces(self.surfaces, self.href, warn)
        if self.wants_default:
            if PAGE_WIDE_SCOPE not in scopes:
                scopes.append(PAGE_WIDE_SCOPE)
            if page_surface(self.href) not in surfaces:
                surfaces.append(page_surface(self.href))
        schemas = REQUESTED_SCHEMAS + ([DOM_ACTION] if PAGE_WIDE_SCOPE in scopes else [])
        return {"schemas": schemas, "decisionScopes": _dedupe(scopes), "surfaces": _dedupe(surfaces)}


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
