"""Personalization decisions: the built-in demo set, the decisions file, matching.

A decisions file is a JSON list of propositions (or ``{"propositions": [...]}``),
each as the Edge returns it in a ``personalization:decisions`` handle::

    {"id": "...", "scope": "hero-banner" | "__view__" | "web://host/path",
     "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "..."},
                      "characteristics": {...}},
     "items": [{"id": "...", "schema": "https://ns.adobe.com/personalization/...",
                "data": {...}}]}

A proposition is returned for a request's event when its ``scope`` is one of the
event's ``query.personalization.decisionScopes``, or one of its ``surfaces``
(surface scopes may use shell wildcards: ``web://*/demo/shop.html``). Only the
items whose schema the event lists in ``schemas`` are returned (without a
``schemas`` list, every item but dom-actions), and a proposition left without
items is dropped.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from alloy_py.schemas import DOM_ACTION, HTML_CONTENT_ITEM, JSON_CONTENT_ITEM, MESSAGE_CONTENT_CARD, RULESET_ITEM

__all__ = [
    "DEFAULT_DECISIONS",
    "DOM_ACTION",
    "JSON_CONTENT_ITEM",
    "load_decisions",
    "match_propositions",
    "validate_decisions",
]

DOM_ACTION_FORMAT = "application/vnd.adobe.target.dom-action"


def _target(activity: str, experience: str = "0") -> dict[str, Any]:
    return {
        "decisionProvider": "TGT",
        "activity": {"id": activity},
        "experience": {"id": experience},
        "strategies": [{"algorithmID": "0", "trafficType": "0"}],
        "characteristics": {"eventToken": f"emu-token-{activity}-{experience}"},
        "correlationID": f"{activity}:{experience}:0",
    }


DEFAULT_DECISIONS: list[dict[str, Any]] = [
    {
        "id": "emu-view-hero",
        "scope": "__view__",
        "scopeDetails": _target("emu-activity-hero"),
        "items": [
            {
                "id": "emu-item-hero-html",
                "schema": DOM_ACTION,
                "data": {
                    "type": "setHtml",
                    "format": DOM_ACTION_FORMAT,
                    "selector": "#hero",
                    "prehidingSelector": "#hero",
                    "content": "<h2>Welcome back!</h2><p>20% off running shoes today.</p>",
                },
            },
            {
                "id": "emu-item-hero-style",
                "schema": DOM_ACTION,
                "data": {
                    "type": "setStyle",
                    "format": DOM_ACTION_FORMAT,
                    "selector": "#hero",
                    "prehidingSelector": "#hero",
                    "content": {"background-color": "#fde68a"},
                },
            },
            {
                # A Target click goal: a click on the button reports this activity (never displayed).
                "id": "emu-item-cart-click",
                "schema": DOM_ACTION,
                "characteristics": {"trackingLabel": "add-to-cart"},
                "data": {"type": "click", "format": DOM_ACTION_FORMAT, "selector": "#add-to-cart"},
            },
            {
                "id": "emu-item-cta-attr",
                "schema": DOM_ACTION,
                "data": {
                    "type": "setAttribute",
                    "format": DOM_ACTION_FORMAT,
                    "selector": "#hero",
                    "prehidingSelector": "#hero",
                    "content": {"data-offer": "running-20"},
                },
            },
        ],
    },
    {
        "id": "emu-hero-banner-offer",
        "scope": "hero-banner",
        "scopeDetails": _target("emu-activity-banner", "1"),
        "items": [
            {
                "id": "emu-item-banner-json",
                "schema": JSON_CONTENT_ITEM,
                "data": {
                    "id": "emu-item-banner-json",
                    "format": "application/json",
                    "content": {
                        "headline": "Welcome back!",
                        "body": "20% off running shoes today.",
                        "cta": {"label": "Shop now", "href": "/demo/shop.html"},
                    },
                },
            }
        ],
    },
    {
        "id": "emu-surface-shop",
        "scope": "web://*/demo/shop.html",
        "scopeDetails": {
            "decisionProvider": "AJO",
            "activity": {"id": "emu-campaign-shop"},
            "characteristics": {"eventToken": "emu-token-shop"},
            "correlationID": "emu-campaign-shop:0",
        },
        "items": [
            {
                "id": "emu-item-shop-html",
                "schema": HTML_CONTENT_ITEM,
                "data": {
                    "format": "text/html",
                    "selector": ".product",
                    "type": "appendHtml",
                    # AJO content is tracked by default: a click in it is a propositionInteract.
                    "content": '<p class="emu-shipping"><a id="shipping-offer" href="#shipping" '
                               'data-aep-click-label="free-shipping">Free shipping on orders over $50.</a></p>',
                },
            }
        ],
    },
]


# An AJO content card behind a ruleset: the page asks for the "#cards" surface; the rules engine
# qualifies the card on each event that asks for decisions (subscribeRulesetItems hands it over).
DEFAULT_DECISIONS.append(
    {
        "id": "emu-cards-shop",
        "scope": "web://*/demo/shop.html#cards",
        "scopeDetails": {
            "decisionProvider": "AJO",
            "rank": 1,
            "activity": {"id": "emu-campaign-cards#emu-action-card"},
            "characteristics": {"eventToken": "emu-token-cards"},
            "correlationID": "emu-campaign-cards:0",
        },
        "items": [
            {
                "id": "emu-item-cards-ruleset",
                "schema": RULESET_ITEM,
                "data": {
                    "version": 1,
                    "rules": [
                        {
                            "condition": {
                                "type": "matcher",
                                "definition": {"key": "~source", "matcher": "eq",
                                               "values": ["com.adobe.eventSource.requestContent"]},
                            },
                            "consequences": [
                                {
                                    "id": "emu-card-welcome",
                                    "type": "schema",
                                    "detail": {
                                        "id": "emu-card-welcome",
                                        "schema": MESSAGE_CONTENT_CARD,
                                        "data": {
                                            "content": {
                                                "title": {"content": "Members save 10%"},
                                                "body": {"content": "Join the trail club for 10% off every order."},
                                                "buttons": [{"text": {"content": "Join"}, "actionUrl": "#join"}],
                                            },
                                            "meta": {"surface": "web://*/demo/shop.html#cards"},
                                            "publishedDate": 1764000000,
                                        },
                                    },
                                }
                            ],
                        }
                    ],
                },
            }
        ],
    }
)


def validate_decisions(data: Any) -> list[dict[str, Any]]:
    """Check the decisions-file shape; return the list of propositions."""
    if isinstance(data, dict) and "propositions" in data:
        data = data["propositions"]
    if not isinstance(data, list):
        raise ValueError("decisions must be a JSON list of propositions")
    for index, prop in enumerate(data):
        where = f"proposition {index}"
        if not isinstance(prop, dict):
            raise ValueError(f"{where} is not an object")
        for key in ("id", "scope"):
            if not isinstance(prop.get(key), str) or not prop[key]:
                raise ValueError(f"{where} needs a non-empty string {key!r}")
        if not isinstance(prop.get("items", []), list):
            raise ValueError(f"{where}: 'items' must be a list")
        for item in prop.get("items", []):
            if not isinstance(item, dict) or not isinstance(item.get("schema"), str):
                raise ValueError(f"{where}: each item needs a string 'schema'")
    return data


def load_decisions(path: str | Path) -> list[dict[str, Any]]:
    return validate_decisions(json.loads(Path(path).read_text(encoding="utf-8")))


def _scope_matches(scope: str, scopes: Iterable[str], surfaces: Iterable[str]) -> bool:
    if scope in scopes:
        return True
    if "://" in scope:
        return any(scope == s or fnmatch.fnmatchcase(s, scope) for s in surfaces)
    return False


def match_propositions(
    decisions: Iterable[dict[str, Any]], personalization: dict[str, Any]
) -> list[dict[str, Any]]:
    """The propositions answering one event's ``query.personalization``."""
    scopes = [s for s in personalization.get("decisionScopes") or [] if isinstance(s, str)]
    surfaces = [s for s in personalization.get("surfaces") or [] if isinstance(s, str)]
    schemas = personalization.get("schemas")
    out = []
    for prop in decisions:
        if not _scope_matches(prop.get("scope", ""), scopes, surfaces):
            continue
        result = copy.deepcopy(prop)
        items = result.get("items", [])
        if isinstance(schemas, list):
            items = [i for i in items if i.get("schema") in schemas]
        else:
            items = [i for i in items if i.get("schema") != DOM_ACTION]
        if not items:
            continue
        result["items"] = items
        if "://" in result["scope"]:
            # A wildcard surface scope answers with the surface asked for.
            result["scope"] = next(
                s for s in surfaces if s == prop["scope"] or fnmatch.fnmatchcase(s, prop["scope"])
            )
        out.append(result)
    return out
