"""EventMerge: ``createEventMergeId``.

Port of ``components/EventMerge``.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import Command, Component

__all__ = ["EventMerge"]


class EventMerge(Component):
    namespace = "EventMerge"

    def commands(self) -> Mapping[str, Command]:
        return {"createEventMergeId": Command(run=lambda options: {"eventMergeId": self.services.browser.uuid4()})}
