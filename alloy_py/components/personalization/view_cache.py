"""The SPA views' propositions, kept for later view changes.

Port of ``Personalization/createViewCacheManager.js``.
"""

from __future__ import annotations

from ...schemas import DEFAULT_CONTENT_ITEM
from ...types import JsonObject
from .propositions import Renderable

__all__ = ["ViewCache"]


class ViewCache:
    def __init__(self) -> None:
        self.initialized = False  # a fetch has been made: later events need not ask for the page's decisions
        self._views: dict[str, list[JsonObject]] = {}

    def store(self, view_propositions: list[JsonObject]) -> dict[str, list[JsonObject]]:
        """Cache the view-scoped propositions of an answer; returns them by (lower-case) view name."""
        new_views: dict[str, list[JsonObject]] = {}
        for proposition in view_propositions:
            if proposition.get("scope"):
                new_views.setdefault(str(proposition["scope"]).lower(), []).append(proposition)
        self._views.update(new_views)
        return new_views

    def view(self, view_name: str) -> list[Renderable]:
        return view_renderables(self._views, view_name)


def view_renderables(views: dict[str, list[JsonObject]], view_name: str) -> list[Renderable]:
    cached = views.get(view_name.lower())
    if cached:
        return [Renderable(p, "view", True) for p in cached]
    # An empty view is still reported (never returned), so that the view change is counted.
    empty = {"scope": view_name, "scopeDetails": {"characteristics": {"scopeType": "view"}},
             "items": [{"schema": DEFAULT_CONTENT_ITEM}]}
    return [Renderable(empty, "view", False)]
