"""Small components: EventMerge, LibraryInfo, Audiences, MachineLearning.

Ports of ``components/EventMerge``,
``components/LibraryInfo``, ``components/Audiences`` (pull destinations) and the
removed MachineLearning component (inferences).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import __version__
from . import Command, Component

__all__ = ["Audiences", "EventMerge", "LibraryInfo", "MachineLearning"]


class EventMerge(Component):
    namespace = "EventMerge"

    def commands(self) -> Mapping[str, Command]:
        return {"createEventMergeId": Command(run=lambda options: {"eventMergeId": self.context.browser.uuid4()})}


class LibraryInfo(Component):
    namespace = "LibraryInfo"

    def commands(self) -> Mapping[str, Command]:
        return {"getLibraryInfo": Command(run=self._library_info)}

    def _library_info(self, options: Any) -> dict[str, Any]:
        registry = self.context.registry()
        configs = {
            key: (f"function {getattr(value, '__name__', 'callback')}() {{ [python code] }}" if callable(value) else value)
            for key, value in self.context.config.items()
        }
        return {
            "libraryInfo": {
                "version": __version__,
                "configs": configs,
                "commands": sorted([*registry.command_names(), "configure", "setDebug"]),
                "components": registry.component_names(),
            }
        }


class Audiences(Component):
    """``destinations`` from ``activation:pull`` handles (alloy ≥ 2.34; the documented result)."""

    namespace = "Audiences"

    def on_response(self, response: Any, **_: Any) -> dict[str, Any] | None:
        destinations = [item for item in response.payloads("activation:pull") if isinstance(item, dict)]
        return {"destinations": destinations} if destinations else None


class MachineLearning(Component):
    """``inferences`` from ``rtml:inferences`` handles, as Adobe's sendEvent reference documents."""

    namespace = "MachineLearning"

    def on_response(self, response: Any, **_: Any) -> dict[str, Any] | None:
        inferences = response.payloads("rtml:inferences")
        return {"inferences": inferences} if inferences else None
