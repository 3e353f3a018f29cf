"""Clicks on rendered content: which propositions they report, as alloy.js reports them.

Port of ``Personalization/createInteractionStorage.js``, ``createClickStorage.js``,
``dom-actions/clicks/{collectInteractions,collectClicks}.js``, ``utils/metaUtils.js``
and ``createOnClickHandler.js``. Rendering decorates what it changed with
``data-aep-interact-id`` and stores the proposition under that id; Target
``click`` metrics store their selector. A click walks up from the clicked
element and gathers both into one ``decisioning.propositionInteract``.
"""

from __future__ import annotations

import itertools
import json
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..browser import Browser, Node
from ..types import JsonObject

__all__ = ["CLICK_LABEL", "CLICK_TOKEN", "INTERACT", "INTERACT_ID", "Interaction", "InteractionTracker",
           "notification", "tracks_interactions"]

INTERACT = "decisioning.propositionInteract"
INTERACT_ID = "data-aep-interact-id"
CLICK_LABEL = "data-aep-click-label"
CLICK_TOKEN = "data-aep-click-token"

Select = Callable[[str], list[Node]]
"""``selectNodesWithEq``: the page's nodes for a selector with ``:eq(n)`` steps."""


# alloy's ``lastInteractId`` is one per page: two instances never give two elements the same id.
_LAST_INTERACT_ID: weakref.WeakKeyDictionary[Browser, itertools.count[int]] = weakref.WeakKeyDictionary()


def notification(proposition: JsonObject) -> JsonObject:
    """A proposition as notifications name it (alloy's ``getNotification``): ``id``, ``scope``, ``scopeDetails``."""
    meta = {
        "id": proposition.get("id"), "scope": proposition.get("scope"), "scopeDetails": proposition.get("scopeDetails")
    }
    return {key: value for key, value in meta.items() if value is not None}


def tracks_interactions(auto_collect: Mapping[str, Any], provider: Any) -> bool:
    """alloy's ``interactionTrackingSupported``: clicks on this provider's content are reported."""
    return auto_collect.get(provider) in ("always", "decoratedElementsOnly") if isinstance(provider, str) else False


@dataclass(frozen=True)
class Interaction:
    """What one click reports: merged into the click's event."""

    propositions: list[JsonObject]
    label: str | None
    token: str | None
    view_name: str | None

    def xdm(self) -> JsonObject:
        xdm: JsonObject = {"eventType": INTERACT}
        if self.view_name:
            xdm["web"] = {"webPageDetails": {"viewName": self.view_name}}
        action: JsonObject = {}
        if self.label:
            action["label"] = self.label
        if self.token:
            action["tokens"] = [self.token]
        decisioning: JsonObject = {"propositions": self.propositions, "propositionEventType": {"interact": 1}}
        if action:
            decisioning["propositionAction"] = action
        xdm["_experience"] = {"decisioning": decisioning}
        return xdm


class InteractionTracker:
    """One instance's record of decorated elements and click metrics, and reading a click against it."""

    def __init__(self, browser: Browser, auto_collect: Mapping[str, Any]) -> None:
        self._browser = browser
        self.auto_collect = auto_collect
        # interact id -> proposition id -> its notification (with scopeType) and the item ids
        self._metas: dict[int, dict[str, JsonObject]] = {}
        self._items: dict[int, dict[str, list[Any]]] = {}
        # click-metric selector -> proposition id -> its notification (with trackingLabel, scopeType)
        self._clicks: dict[str, dict[str, JsonObject]] = {}

    def interact_id(self, existing: str | None) -> int:
        """The element's id if it has one (``parseInt``), else the page's next."""
        if existing and (parsed := _parse_int(existing)) is not None:
            return parsed
        return next(_LAST_INTERACT_ID.setdefault(self._browser, itertools.count(1)))

    def store_interaction(
        self, proposition_id: Any, item_id: Any, scope_type: str, notification: JsonObject, interact_id: int
    ) -> None:
        key = _js_key(proposition_id)
        items = self._items.setdefault(interact_id, {}).setdefault(key, [])
        if item_id not in items:
            items.append(item_id)
        self._metas.setdefault(interact_id, {})[key] = {**notification, "scopeType": scope_type}

    def store_click(self, selector: str, notification: JsonObject, tracking_label: Any, scope_type: str) -> None:
        meta = {k: v for k, v in notification.items() if k != "id"}
        self._clicks.setdefault(selector, {})[_js_key(notification.get("id"))] = {
            **meta, "trackingLabel": tracking_label, "scopeType": scope_type
        }

    def click(self, browser: Browser, element: Node, select: Select) -> Interaction | None:
        """alloy's ``onClickHandler``: what a click on ``element`` reports, if anything."""
        metas: list[JsonObject] = []
        label = token = view_name = None
        for found in (self._interactions(browser, element), self._click_metrics(browser, element, select)):
            if found is None:
                continue
            metas.extend(found.propositions)
            label = label or found.label
            token = token or found.token
            view_name = view_name or found.view_name
        if not metas:
            return None
        return Interaction(metas, label, token, view_name)

    def _interactions(self, browser: Browser, element: Node) -> Interaction | None:
        interact_ids: list[str] = []
        label = token = None
        node: Node | None = element
        while node is not None and browser.node_name(node) not in ("HTML", "#document-fragment", "#document"):
            if browser.tag_name(node):
                interact_id = browser.get_attribute(node, INTERACT_ID)
                if interact_id and interact_id not in interact_ids:
                    interact_ids.append(interact_id)
                label = label or browser.get_attribute(node, CLICK_LABEL)
                token = token or browser.get_attribute(node, CLICK_TOKEN)
            node = browser.parent(node)
        if not interact_ids:
            return None
        metas = [
            meta for meta in self._interaction_metas(interact_ids)
            if self._reported(meta, label, token)
        ]
        view = next((m for m in metas if m.get("scopeType") == "view"), None)
        return Interaction(_clean(metas), label or "", token, view.get("scope") if view else None)

    def _reported(self, meta: JsonObject, label: str | None, token: str | None) -> bool:
        provider = (meta.get("scopeDetails") or {}).get("decisionProvider")
        setting = self.auto_collect.get(provider) if isinstance(provider, str) else None
        return setting == "always" or (setting == "decoratedElementsOnly" and bool(label or token))

    def _interaction_metas(self, interact_ids: list[str]) -> list[JsonObject]:
        by_proposition: dict[str, tuple[JsonObject, list[Any]]] = {}
        for text in interact_ids:
            interact_id = _parse_int(text)
            if interact_id is None:
                continue
            for key, meta in self._metas.get(interact_id, {}).items():
                _, items = by_proposition.setdefault(key, (meta, []))  # the first meta stays, as in alloy
                items.extend(i for i in self._items[interact_id][key] if i not in items)
        return [{**meta, "items": [{"id": i} for i in items]} for meta, items in _js_values(by_proposition)]

    def _click_metrics(self, browser: Browser, element: Node, select: Select) -> Interaction | None:
        metas: list[JsonObject] = []
        label, label_weight = "", None
        view_name, view_weight = None, None
        for selector in _js_keys(self._clicks):
            weight = _matching_depth(browser, element, selector, select)
            if weight is None:
                continue
            stored = self._clicks[selector]
            found = [{"id": key, **stored[key]} for key in _js_keys(stored)]
            with_label = next((m for m in found if m.get("trackingLabel")), None)
            if with_label is not None and (label_weight is None or weight <= label_weight):
                label, label_weight = with_label["trackingLabel"], weight
            view = next((m for m in found if m.get("scopeType") == "view"), None)
            if view is not None and view.get("scope") and (view_weight is None or weight <= view_weight):
                view_name, view_weight = view["scope"], weight
            metas.extend(_clean(found))
        unique: list[JsonObject] = []
        seen: set[str] = set()
        for meta in metas:  # alloy's dedupeMetas: by their JSON
            text = json.dumps(meta, separators=(",", ":"))
            if text not in seen:
                seen.add(text)
                unique.append(meta)
        return Interaction(unique, label, None, view_name)


def _matching_depth(browser: Browser, element: Node, selector: str, select: Select) -> int | None:
    """How many steps up from ``element`` the first node matching ``selector`` is (``None``: none is)."""
    candidates = select(selector) if ":eq(" in selector else None
    node: Node | None = element
    depth = 0
    while node is not None and browser.node_name(node) not in ("HTML", "#document"):
        if candidates is None:
            if browser.matches(node, selector):
                return depth
        elif any(browser.is_same_node(node, candidate) for candidate in candidates):
            return depth
        node = browser.parent(node)
        depth += 1
    return None


def _clean(metas: list[JsonObject]) -> list[JsonObject]:
    """alloy's ``cleanMetas``."""
    return [{k: v for k, v in meta.items() if k not in ("trackingLabel", "scopeType")} for meta in metas]


def _js_key(value: Any) -> str:
    """A value as a JS object key (``String(value)``)."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_int(text: str) -> int | None:
    """``parseInt(text, 10)`` for the ids alloy writes (``NaN`` as ``None``)."""
    digits = ""
    for char in text.strip():
        if not char.isascii() or not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None


def _js_keys(entries: Mapping[str, Any]) -> list[str]:
    """``Object.keys`` order: integer-like keys ascending first, then the rest as inserted."""
    integers = sorted((k for k in entries if k.isascii() and k.isdigit() and (k == "0" or k[0] != "0")), key=int)
    return [*integers, *(k for k in entries if k not in integers)]


def _js_values(entries: Mapping[str, Any]) -> list[Any]:
    return [entries[key] for key in _js_keys(entries)]
