"""Audiences and MachineLearning: results read from the Edge's answer alone.

Ports of ``components/Audiences`` (pull destinations) and the removed
MachineLearning component (inferences).
"""

from __future__ import annotations

from ..edge.response import EdgeResponse
from ..types import ResponseResult
from . import Component

__all__ = ["Audiences", "MachineLearning"]


class Audiences(Component):
    """``destinations`` from ``activation:pull`` handles (alloy ≥ 2.34; the documented result)."""

    namespace = "Audiences"

    def on_response(self, response: EdgeResponse) -> ResponseResult:
        destinations = [item for item in response.payloads("activation:pull") if isinstance(item, dict)]
        return {"destinations": destinations} if destinations else None


class MachineLearning(Component):
    """``inferences`` from ``rtml:inferences`` handles, as Adobe's sendEvent reference documents."""

    namespace = "MachineLearning"

    def on_response(self, response: EdgeResponse) -> ResponseResult:
        inferences = response.payloads("rtml:inferences")
        return {"inferences": inferences} if inferences else None
