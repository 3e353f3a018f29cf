"""Requests to the Edge Network and their payloads.

Port of ``utils/request/*`` and ``utils/prepareConfigOverridesForEdge.js``.
Key order matters (it is what the Edge and our parity tests see), so the
payload is built in the order alloy builds it: config overrides, events,
query, then the rest of ``meta``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .._jsonutil import deep_assign
from ..event import Event

__all__ = ["EdgeRequest", "RequestKind", "RequestPayload", "apply_config_overrides", "prepare_config_overrides"]

RequestKind = Literal["interact", "privacy/set-consent", "identity/acquire", "media"]
"""``interact``: data collection (sent to ``/v1/interact``, or ``/v1/collect`` as a beacon);
``media``: a media event, to ``/va/v1/<media_action>`` (never a beacon); the others are the
fixed action in the URL."""


def prepare_config_overrides(overrides: Any) -> dict[str, Any] | None:
    """Drop empty values and ``enabled: true``: the Edge rejects them."""
    if not isinstance(overrides, dict):
        return None
    result: dict[str, Any] = {}
    for key, value in overrides.items():
        if isinstance(value, dict):
            value = prepare_config_overrides(value)
            if value is not None:
                result[key] = value
        elif isinstance(value, bool):
            if key != "enabled" or value is False:
                result[key] = value
        elif isinstance(value, (int, float)):
            result[key] = value
        elif isinstance(value, (str, list)) and len(value) > 0:
            result[key] = value
    return result or None


class RequestPayload:
    """The JSON body: ``events`` for data collection, ``query``/``meta`` always."""

    def __init__(self, content: dict[str, Any] | None = None, *, identity_map_at_top: bool = False) -> None:
        self.content: dict[str, Any] = content if content is not None else {}
        self.events: list[Event] = []
        # set-consent carries ``identityMap`` at the top; other requests in ``xdm``.
        self._identity_map_at_top = identity_map_at_top

    def merge_meta(self, meta: dict[str, Any]) -> None:
        deep_assign(self.content.setdefault("meta", {}), meta)

    def merge_state(self, state: dict[str, Any]) -> None:
        deep_assign(self.content.setdefault("meta", {}).setdefault("state", {}), state)

    def merge_query(self, query: dict[str, Any]) -> None:
        deep_assign(self.content.setdefault("query", {}), query)

    def merge_config_override(self, updates: dict[str, Any]) -> None:
        """A shallow assign per top-level key, as alloy does: local replaces global."""
        self.content.setdefault("meta", {}).setdefault("configOverrides", {}).update(updates)

    def finalize_config_overrides(self) -> None:
        meta = self.content.get("meta")
        if meta and "configOverrides" in meta:
            prepared = prepare_config_overrides(meta["configOverrides"])
            if prepared is None:
                del meta["configOverrides"]
            else:
                meta["configOverrides"] = prepared

    def _identity_map(self, create: bool) -> dict[str, Any] | None:
        holder = self.content if self._identity_map_at_top else (
            self.content.setdefault("xdm", {}) if create else self.content.get("xdm") or {}
        )
        if create:
            return holder.setdefault("identityMap", {})  # type: ignore[no-any-return]
        return holder.get("identityMap")

    def add_identity(self, namespace: str, identity: dict[str, Any]) -> None:
        identity_map = self._identity_map(create=True)
        assert identity_map is not None
        identity_map.setdefault(namespace, []).append(identity)

    def has_identity(self, namespace: str) -> bool:
        identity_map = self._identity_map(create=False)
        return isinstance(identity_map, dict) and namespace in identity_map

    def add_event(self, event: Event) -> None:
        self.events.append(event)
        self.content.setdefault("events", [])

    @property
    def document_may_unload(self) -> bool:
        return any(event.document_may_unload for event in self.events)

    def to_json(self) -> dict[str, Any]:
        result = dict(self.content)
        if "events" in result:
            result["events"] = [event.to_json() for event in self.events]
        return result


@dataclass
class EdgeRequest:
    """One request: where it goes and how, decided as late as alloy decides it."""

    id: str
    payload: RequestPayload
    kind: RequestKind = "interact"
    datastream_id_override: str | None = None
    use_third_party_domain: bool = False
    identity_established: bool = False
    media_action: str = ""  # kind "media": the event type's action (``play`` for ``media.play``)

    @property
    def use_send_beacon(self) -> bool:
        # Without an identity the visitor would get none back from /collect,
        # so the first request always goes to /interact with fetch.
        return self.kind == "interact" and self.payload.document_may_unload and self.identity_established

    @property
    def action(self) -> str:
        if self.kind == "interact":
            return "collect" if self.use_send_beacon else "interact"
        if self.kind == "media":
            return self.media_action
        return self.kind

    @property
    def edge_sub_path(self) -> str:
        """What alloy's ``getEdgeSubPath`` puts after the base path (and location hint)."""
        return "/va" if self.kind == "media" else ""


def apply_config_overrides(
    payload: RequestPayload, local: dict[str, Any] | None, global_: dict[str, Any] | None
) -> str | None:
    """Merge overrides into ``meta.configOverrides``; return the datastream override."""
    local = dict(local or {})
    datastream_id = local.pop("datastreamId", None)
    if global_:
        payload.merge_config_override(global_)
    if local:
        payload.merge_config_override(local)
    payload.finalize_config_overrides()
    return datastream_id or None
