"""The event history: what the visitor saw, clicked and qualified for, counted by historical conditions.

Port of ``RulesEngine/createEventRegistry.js`` and its ``utils`` (``generateEventHash``,
``createEventPruner``, ``storage``). Events are kept by FNV-1a hash of their fields,
``{hash: {"timestamps": [ms…]}}``; in memory until consent allows web storage, then (with
``personalizationStorageEnabled``) in ``localStorage`` under
``com.adobe.alloy.<org>.decisioning.events``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from ..._jsonutil import to_json
from ...edge.response import js_string
from ...log import Logger

__all__ = [
    "EVENT_HISTORY_MAX_LENGTH",
    "EVENT_HISTORY_MAX_RECORDS",
    "EVENT_HISTORY_RETENTION_DAYS",
    "EventRegistry",
    "HistoryStorage",
    "MemoryStorage",
    "fnv1a32_hex",
    "generate_event_hash",
    "prune_events",
]

EVENT_HISTORY_MAX_RECORDS = 1000
EVENT_HISTORY_RETENTION_DAYS = 30
EVENT_HISTORY_STORAGE_KEY = "events"
EVENT_HISTORY_MAX_LENGTH = 2 * 1024 * 1024  # characters of the stored JSON
INSERT = "insert"
INSERT_IF_NOT_EXISTS = "insertIfNotExists"
_DAY_MS = 86_400_000


def fnv1a32_hex(text: str) -> str:
    """alloy's ``fnv1a32Hex``: FNV-1a over the UTF-8 bytes (``TextEncoder``: lone surrogates as U+FFFD)."""
    data = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def generate_event_hash(event: Mapping[str, Any]) -> str:
    """Sorted ``key:value`` pairs (empty and null values left out), concatenated, hashed."""
    text = "".join(
        f"{key}:{js_string(event[key])}" for key in sorted(event) if event[key] is not None and event[key] != ""
    )
    return fnv1a32_hex(text)


def prune_events(
    events: Mapping[str, Any], now_ms: int, retention_days: int = EVENT_HISTORY_RETENTION_DAYS,
    limit: int = EVENT_HISTORY_MAX_RECORDS,
) -> dict[str, Any]:
    """``createEventPruner``: the newest ``limit`` timestamps of the last ``retention_days`` days."""
    expires = now_ms - retention_days * _DAY_MS
    stamps = [
        (key, stamp)
        for key, record in events.items()
        for stamp in _stamps(record)
        if isinstance(stamp, (int, float)) and stamp >= expires
    ]
    stamps.sort(key=lambda pair: pair[1])
    pruned: dict[str, Any] = {}
    for key, stamp in stamps[-limit:] if limit > 0 else []:
        pruned.setdefault(key, {"timestamps": []})["timestamps"].append(stamp)
    return pruned


def _stamps(record: Any) -> list[Any]:
    stamps = record.get("timestamps", []) if isinstance(record, dict) else []
    return stamps if isinstance(stamps, list) else []


class HistoryStorage(Protocol):
    def get_item(self, name: str) -> str | None: ...

    def set_item(self, name: str, value: str) -> None: ...


class MemoryStorage:
    """``createInMemoryStorage``: the history before consent allows web storage."""

    def __init__(self) -> None:
        self._items: dict[str, str] = {}

    def get_item(self, name: str) -> str | None:
        return self._items.get(name)

    def set_item(self, name: str, value: str) -> None:
        self._items[name] = value


class EventRegistry:
    def __init__(self, storage: HistoryStorage, logger: Logger, now_ms: Any) -> None:
        self._logger = logger
        self._now_ms = now_ms
        self._storage = storage
        self.events: dict[str, Any] = {}
        self.set_storage(storage)

    def set_storage(self, storage: HistoryStorage) -> None:
        """Use ``storage`` from now on: what it holds replaces what was counted so far."""
        self._storage = storage
        stored = storage.get_item(EVENT_HISTORY_STORAGE_KEY)
        events: Any = None
        try:
            events = json.loads(stored) if stored is not None else None
        except ValueError:
            stored = None
        self.events = events if isinstance(events, dict) else {}
        if stored is not None and len(stored.encode("utf-16-le")) // 2 > EVENT_HISTORY_MAX_LENGTH:
            self.events = prune_events(self.events, self._now_ms())
            self._save()

    def _save(self) -> None:
        self._storage.set_item(EVENT_HISTORY_STORAGE_KEY, to_json(self.events))

    def add_event(self, event: Mapping[str, Any], operation: Any = INSERT) -> dict[str, Any] | None:
        """Count one event now; ``None`` when it has no type or id (or ``insertIfNotExists`` found it)."""
        if not event.get("eventType") or not event.get("eventId"):
            return None
        key = generate_event_hash(event)
        if operation == INSERT_IF_NOT_EXISTS and self.events.get(key):
            return None
        record = self.events.get(key)
        if not isinstance(record, dict) or not isinstance(record.get("timestamps"), list):
            record = self.events[key] = {"timestamps": []}
        timestamp = self._now_ms()
        record["timestamps"].append(timestamp)
        record["timestamps"].sort(key=js_string)  # Array.prototype.sort(): as strings
        self._logger.info("[Event History] Added event for", dict(event), "with hash", key, "and timestamp", timestamp)
        self._save()
        return record

    def add_event_payloads(self, payloads: list[tuple[Any, Mapping[str, Any]]]) -> None:
        for operation, event in payloads:
            self.add_event(event, operation)

    def add_experience_edge_event(self, xdm: Any) -> None:
        """An event on its way to the Edge: each AJO proposition it reports on (display, interact…)."""
        experience = xdm.get("_experience") if isinstance(xdm, dict) else None
        if not isinstance(experience, dict):
            return
        decisioning = experience.get("decisioning")
        decisioning = decisioning if isinstance(decisioning, dict) else {}
        event_types = decisioning.get("propositionEventType")
        action = decisioning.get("propositionAction")
        action_id = action.get("id") if isinstance(action, dict) else None
        propositions = decisioning.get("propositions")
        if not isinstance(event_types, dict) or not isinstance(propositions, list):
            return
        for event_type, value in event_types.items():
            if value != 1 or isinstance(value, bool):
                continue
            for proposition in propositions:
                details = proposition.get("scopeDetails") if isinstance(proposition, dict) else None
                if not isinstance(details, dict) or details.get("decisionProvider") != "AJO":
                    continue
                activity = details.get("activity")
                self.add_event(
                    {
                        "eventId": activity.get("id") if isinstance(activity, dict) else None,
                        "eventType": event_type,
                        "action": action_id,
                    }
                )

    def get_event(self, event_type: str, event_id: Any) -> dict[str, Any] | None:
        record = self.events.get(generate_event_hash({"eventType": event_type, "eventId": event_id}))
        return record if record else None
