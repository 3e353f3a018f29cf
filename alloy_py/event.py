"""One event: what the components merge into it and what the user gave.

Port of ``core/createEvent.js``. Component content is merged first; the
user's ``xdm``/``data`` are merged over it at :meth:`Event.finalize`, so the
user always wins (alloy never sets ``xdm._id``).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ._jsonutil import deep_assign
from .types import JsonObject, OnBeforeEventSend

if TYPE_CHECKING:
    from .startup import CallFacts

__all__ = ["Event"]


def _propositions(xdm: JsonObject | None) -> list[Any]:
    decisioning = ((xdm or {}).get("_experience") or {}).get("decisioning") or {}
    propositions = decisioning.get("propositions")
    return propositions if isinstance(propositions, list) and propositions else []


def _same_proposition(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return bool(a == b)
    return bool(a.get("id") and a.get("id") == b.get("id") and a.get("scope") and a.get("scope") == b.get("scope"))


class Event:
    def __init__(self, created_at_ms: int) -> None:
        self.created_at_ms = created_at_ms
        self.content: JsonObject = {}
        self.user_xdm: JsonObject | None = None
        self.user_data: JsonObject | None = None
        self.document_may_unload = False
        self.should_send = True
        # Set for a call the loader recorded before Python ran: its own moment and page.
        self.call: CallFacts | None = None
        self._finalized = False

    def _check_open(self, method: str) -> None:
        if self._finalized:
            raise RuntimeError(f"{method} cannot be called after event is finalized.")

    def merge_xdm(self, xdm: JsonObject | None) -> None:
        self._merge("xdm", xdm, "mergeXdm")

    def merge_data(self, data: JsonObject | None) -> None:
        self._merge("data", data, "mergeData")

    def merge_meta(self, meta: JsonObject | None) -> None:
        self._merge("meta", meta, "mergeMeta")

    def merge_query(self, query: JsonObject | None) -> None:
        self._merge("query", query, "mergeQuery")

    def _merge(self, key: str, value: JsonObject | None, method: str) -> None:
        self._check_open(method)
        if value:
            deep_assign(self.content, {key: copy.deepcopy(value)})

    def get_content(self) -> JsonObject:
        """alloy's ``getContent``: a copy of what was merged so far, the user's ``xdm``/``data`` over it."""
        content = copy.deepcopy(self.content)
        if self.user_xdm:
            deep_assign(content, {"xdm": copy.deepcopy(self.user_xdm)})
        if self.user_data:
            deep_assign(content, {"data": copy.deepcopy(self.user_data)})
        return content

    @property
    def view_name(self) -> str | None:
        page = ((self.user_xdm or {}).get("web") or {}).get("webPageDetails") or {}
        return page.get("viewName") if isinstance(page, dict) else None

    @property
    def user_identity_map(self) -> Any:
        return (self.user_xdm or {}).get("identityMap")

    def finalize(self, on_before_event_send: OnBeforeEventSend | None) -> None:
        """Merge the user's data over ours, then let ``onBeforeEventSend`` edit or cancel."""
        if self._finalized:
            return
        merged: list[Any] = []
        for proposition in [*_propositions(self.user_xdm), *_propositions(self.content.get("xdm"))]:
            if not any(_same_proposition(proposition, seen) for seen in merged):
                merged.append(proposition)
        if self.user_xdm:
            self.merge_xdm(self.user_xdm)
        if merged:
            self.content["xdm"]["_experience"]["decisioning"]["propositions"] = merged
        if self.user_data:
            self.merge_data(self.user_data)
        self._finalized = True
        if on_before_event_send is None:
            return
        # Assume the callback fails until it returns: a throwing callback cancels.
        self.should_send = False
        editable = {"xdm": self.content.get("xdm") or {}, "data": self.content.get("data") or {}}
        result = on_before_event_send(editable)
        self.should_send = result is not False
        self.content["xdm"] = editable.get("xdm") or {}
        self.content["data"] = editable.get("data") or {}
        for key in ("xdm", "data"):
            if not self.content[key]:
                del self.content[key]

    def is_empty(self) -> bool:
        return not self.content and not self.user_xdm and not self.user_data

    def to_json(self) -> JsonObject:
        if not self._finalized:
            raise RuntimeError("toJSON called before finalize")
        return self.content
