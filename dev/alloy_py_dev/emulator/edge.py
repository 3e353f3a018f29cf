"""The Edge Network's answers, independent of HTTP: validate, identify, decide.

:func:`answer` takes one request (action, query, Cookie header, body bytes) and
returns an :class:`EdgeAnswer`: status, JSON body, the cookies to set, and the
summary the inspector shows (event types, ECID and where it came from, the
decision ids returned).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from alloy_py.cookies import namespaced_cookie_name
from alloy_py.edge.client import MAX_PAYLOAD_BYTES

from .decisions import match_propositions
from .identity import decode_identity_cookie, encode_identity_cookie, mint_ecid

__all__ = [
    "ACTIONS",
    "CLUSTER",
    "DEFAULT_DATASTREAMS",
    "DEMO_DATASTREAM_ID",
    "DEMO_ORG_ID",
    "EdgeAnswer",
    "answer",
]

DEMO_DATASTREAM_ID = "demo-datastream-0001"
DEMO_ORG_ID = "DEMO0123456789ABCDEF0123@AdobeOrg"
DEFAULT_DATASTREAMS = {DEMO_DATASTREAM_ID: DEMO_ORG_ID}
CLUSTER = "emu1"
IDENTITY_MAX_AGE = 34_128_000
CLUSTER_MAX_AGE = 1800
CONSENT_MAX_AGE = 15_552_000
NOTIFICATION_TYPES = ("decisioning.propositionDisplay", "decisioning.propositionInteract")
ACTIONS = ("interact", "collect", "identity/acquire", "privacy/set-consent")
ERRORS = "https://ns.adobe.com/aep/errors/"


@dataclass
class EdgeAnswer:
    status: int
    body: dict[str, Any] | None = None
    content_type: str = "application/json"
    # (name, value, max_age) to send as Set-Cookie too.
    cookies: list[tuple[str, str, int]] = field(default_factory=list)
    org_id: str | None = None
    event_types: list[str] = field(default_factory=list)
    ecid: str | None = None
    ecid_source: str | None = None  # cookie | state | identityMap | minted
    decision_ids: list[str] = field(default_factory=list)
    # What propositionInteract events report: "<proposition id> [<label>]", one per proposition.
    interactions: list[str] = field(default_factory=list)
    notification: bool = False
    consent: str | None = None
    error: str | None = None


def _problem(status: int, code: str, title: str, detail: str, request_id: str) -> EdgeAnswer:
    body = {
        "type": f"{ERRORS}{code}-{status}",
        "status": status,
        "title": title,
        "detail": detail,
        "report": {"requestId": request_id},
    }
    return EdgeAnswer(status, body, "application/problem+json", error=title)


def _invalid(detail: str, request_id: str) -> EdgeAnswer:
    return _problem(400, "EXEG-0002", "Invalid request", detail, request_id)


def _cookies_from_header(header: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name not in jar:
            jar[name] = value
    return jar


def _state_entries(payload: dict[str, Any]) -> dict[str, str]:
    meta = payload.get("meta")
    state = meta.get("state") if isinstance(meta, dict) else None
    entries = state.get("entries") if isinstance(state, dict) else None
    out: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            out.setdefault(entry["key"], str(entry.get("value", "")))
    return out


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _identity_map_ecid(payload: dict[str, Any]) -> str | None:
    maps = [payload.get("identityMap"), _get(payload, "xdm", "identityMap")]
    events = payload.get("events")
    maps += [_get(e, "xdm", "identityMap") for e in events] if isinstance(events, list) else []
    for identity_map in maps:
        ids = identity_map.get("ECID") if isinstance(identity_map, dict) else None
        for identity in ids if isinstance(ids, list) else []:
            if isinstance(identity, dict) and str(identity.get("id", "")).isdigit():
                return str(identity["id"])
    return None


def _identify(org_id: str, cookie_header: str, payload: dict[str, Any]) -> tuple[str, str]:
    name = namespaced_cookie_name(org_id, "identity")
    for source, jar in (("cookie", _cookies_from_header(cookie_header)),
                        ("state", _state_entries(payload))):
        if name in jar:
            ecid = decode_identity_cookie(jar[name])
            if ecid:
                return ecid, source
    ecid = _identity_map_ecid(payload)
    if ecid:
        return ecid, "identityMap"
    return mint_ecid(), "minted"


def _identity_handles(answer: EdgeAnswer, org_id: str) -> list[dict[str, Any]]:
    identity = encode_identity_cookie(answer.ecid or "")
    cluster_name = namespaced_cookie_name(org_id, "cluster")
    identity_name = namespaced_cookie_name(org_id, "identity")
    answer.cookies += [(identity_name, identity, IDENTITY_MAX_AGE),
                       (cluster_name, CLUSTER, CLUSTER_MAX_AGE)]
    return [
        {"type": "identity:result",
         "payload": [{"id": answer.ecid, "namespace": {"code": "ECID"}}]},
        {"type": "locationHint:result",
         "payload": [{"scope": "EdgeNetwork", "hint": CLUSTER, "ttlSeconds": CLUSTER_MAX_AGE}]},
        {"type": "state:store", "payload": [
            {"key": identity_name, "value": identity, "maxAge": IDENTITY_MAX_AGE,
             "attrs": {"SameSite": "None"}},
            {"key": cluster_name, "value": CLUSTER, "maxAge": CLUSTER_MAX_AGE},
        ]},
    ]


def _interactions(xdm: dict[str, Any]) -> list[str]:
    """The propositions a ``decisioning.propositionInteract`` event reports clicks on, with its label."""
    if xdm.get("eventType") != "decisioning.propositionInteract":
        return []
    decisioning = _get(xdm, "_experience", "decisioning")
    decisioning = decisioning if isinstance(decisioning, dict) else {}
    label = _get(decisioning, "propositionAction", "label")
    suffix = f" [{label}]" if isinstance(label, str) and label else ""
    propositions = decisioning.get("propositions")
    return [f"{p.get('id')}{suffix}" for p in propositions if isinstance(p, dict)] if isinstance(
        propositions, list) else []


def consent_general(consent: list[Any]) -> str:
    """``out`` if an Adobe 1.0 ``general: out`` or Adobe 2.0 ``collect.val: n``."""
    for entry in consent:
        if not isinstance(entry, dict) or entry.get("standard") != "Adobe":
            continue
        raw_value = entry.get("value")
        value: dict[str, Any] = raw_value if isinstance(raw_value, dict) else {}
        if entry.get("version") == "1.0" and value.get("general") == "out":
            return "out"
        collect = value.get("collect")
        if entry.get("version") == "2.0" and isinstance(collect, dict) and collect.get("val") == "n":
            return "out"
    return "in"


def answer(
    action: str,
    query: Mapping[str, str],
    body: bytes,
    *,
    cookie_header: str = "",
    datastreams: Mapping[str, str],
    decisions: list[dict[str, Any]],
) -> EdgeAnswer:
    """Answer one Edge request (``action`` is one of :data:`ACTIONS`, or ``va/<action>``: a media event)."""
    request_id = query.get("requestId") or str(uuid.uuid4())
    edge_request_id = request_id
    if len(body) > MAX_PAYLOAD_BYTES:
        return _problem(
            413, "EXEG-0004", "Request body too large",
            f"The request body is {len(body)} bytes; the limit is {MAX_PAYLOAD_BYTES} bytes.",
            edge_request_id)
    config_id = query.get("configId", "")
    org_id = datastreams.get(config_id)
    if org_id is None:
        return _problem(
            400, "EXEG-0003", "Invalid datastream ID",
            f"The datastream ID '{config_id}' referenced in your request does not exist.",
            edge_request_id)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return _invalid(f"The request body is not valid JSON: {exc}", edge_request_id)
    if not isinstance(payload, dict):
        return _invalid("The request body must be a JSON object.", edge_request_id)

    result_events: list[dict[str, Any]] = []
    media = action.startswith("va/")
    if action in ("interact", "collect") or media:
        events = payload.get("events")
        if not isinstance(events, list) or not events or not all(isinstance(e, dict) for e in events):
            return _invalid("The request must have an 'events' array of objects.", edge_request_id)
        result_events = events
    elif action == "privacy/set-consent":
        consent = payload.get("consent")
        if not isinstance(consent, list) or not consent or not all(isinstance(c, dict) for c in consent):
            return _invalid("The request must have a non-empty 'consent' array.", edge_request_id)

    ans = EdgeAnswer(200, org_id=org_id)
    for event in result_events:
        xdm = event.get("xdm") or {}
        xdm = xdm if isinstance(xdm, dict) else {}
        ans.event_types.append(str(xdm.get("eventType", "")))
        ans.interactions += _interactions(xdm)
    ans.notification = bool(ans.event_types) and all(t in NOTIFICATION_TYPES for t in ans.event_types)
    ans.ecid, ans.ecid_source = _identify(org_id, cookie_header, payload)

    if action == "collect" or media:  # media events: 204, as the Edge answers them
        return EdgeAnswer(204, None, org_id=org_id, event_types=ans.event_types, ecid=ans.ecid,
                          ecid_source=ans.ecid_source, notification=ans.notification,
                          interactions=ans.interactions)

    handles = _identity_handles(ans, org_id)
    if action == "interact":
        for index, event in enumerate(result_events):
            if ans.event_types[index] in NOTIFICATION_TYPES:
                continue
            if ans.event_types[index] == "media.sessionStart":
                handles.append({"type": "media-analytics:new-session", "payload": [{"sessionId": uuid.uuid4().hex}],
                                "eventIndex": index})
            query_part = event.get("query") or {}
            query_part = query_part if isinstance(query_part, dict) else {}
            personalization = query_part.get("personalization")
            if not isinstance(personalization, dict):
                continue
            propositions = match_propositions(decisions, personalization)
            ans.decision_ids += [p["id"] for p in propositions]
            handles.append({"type": "personalization:decisions", "payload": propositions,
                            "eventIndex": index})
    elif action == "privacy/set-consent":
        ans.consent = consent_general(payload["consent"])
        name = namespaced_cookie_name(org_id, "consent")
        value = f"general={ans.consent}"
        ans.cookies.append((name, value, CONSENT_MAX_AGE))
        store = next(h for h in handles if h["type"] == "state:store")
        store["payload"].append({"key": name, "value": value, "maxAge": CONSENT_MAX_AGE})
    ans.body = {"requestId": edge_request_id, "handle": handles}
    return ans
