"""The SPA views' propositions, kept for later view changes.

Port of ``Personalization/createViewCacheManager.js``.
"""

from __future__ import annotations

import asyncio

from ...schemas import DEFAULT_CONTENT_ITEM
from ...types import JsonObject
from .propositions import Renderable

__all__ = ["CacheUpdate", "ViewCache", "view_renderables"]


class ViewCache:
    """Like alloy's, a view asked for while a fetch is on its way waits for that fetch's answer."""

    def __init__(self) -> None:
        self.initialized = False  # a fetch has been made: later events need not ask for the page's decisions
        self._views: dict[str, list[JsonObject]] = {}
        self._updates: list[asyncio.Future[None]] = []  # the fetches on their way, oldest first

    def create_update(self) -> CacheUpdate:
        """Before a fetch: views asked for from now on wait until it is stored or canceled."""
        self.initialized = True
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._updates.append(done)
        return CacheUpdate(self, done)

    def _merge(self, view_propositions: list[JsonObject]) -> dict[str, list[JsonObject]]:
        new_views: dict[str, list[JsonObject]] = {}
        for proposition in view_propositions:
            if proposition.get("scope"):
                new_views.setdefault(str(proposition["scope"]).lower(), []).append(proposition)
        self._views.update(new_views)
        return new_views

    def _settle(self, done: asyncio.Future[None]) -> None:
        if not done.done():
            done.set_result(None)
        if done in self._updates:
            self._updates.remove(done)

    async def view(self, view_name: str) -> list[Renderable]:
        """The view's cached propositions, once the fetches already on their way have answered."""
        if self._updates:
            await asyncio.gather(*self._updates)
        return view_renderables(self._views, view_name)


class CacheUpdate:
    """One fetch's part of the cache: :meth:`store` its views, or :meth:`cancel` (the old ones stay)."""

    def __init__(self, cache: ViewCache, done: asyncio.Future[None]) -> None:
        self._cache = cache
        self._done = done

    def store(self, view_propositions: list[JsonObject]) -> dict[str, list[JsonObject]]:
        """Cache the view-scoped propositions of an answer; returns them by (lower-case) view name."""
        if self._done.done():
            return {}
        new_views = self._cache._merge(view_propositions)
        self._cache._settle(self._done)
        return new_views

    def cancel(self) -> None:
        self._cache._settle(self._done)


def view_renderables(views: dict[str, list[JsonObject]], view_name: str) -> list[Renderable]:
    cached = views.get(view_name.lower())
    if cached:
        return [Renderable(p, "view", True) for p in cached]
    # An empty view is still reported (never returned), so that the view change is counted.
    empty = {"scope": view_name, "scopeDetails": {"characteristics": {"scopeType": "view"}},
             "items": [{"schema": DEFAULT_CONTENT_ITEM}]}
    return [Renderable(empty, "view", False)]
