"""``applyPropositions``: rendering propositions the page already has.

Port of ``Personalization/createApplyPropositions.js`` and
``validateApplyPropositionsOptions.js``. Options alloy.js cannot read only warn,
and the command resolves ``{propositions: []}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...errors import ValidationError
from ...schemas import (
    DEFAULT_CONTENT_ITEM,
    DOM_ACTION,
    HTML_CONTENT_ITEM,
    JSON_CONTENT_ITEM,
    MESSAGE_IN_APP,
    PAGE_WIDE_SCOPE,
)
from ...types import JsonObject
from ...validation import Validator, array_of, object_of, string

__all__ = ["APPLY_PROPOSITIONS_OPTIONS", "EMPTY_PROPOSITIONS", "lenient", "prepare_propositions"]

EMPTY_PROPOSITIONS: JsonObject = {"propositions": []}
_COLLECT_INTERACTIONS = "collectInteractions"
_SUPPORTED = (DOM_ACTION, HTML_CONTENT_ITEM, JSON_CONTENT_ITEM, MESSAGE_IN_APP, DEFAULT_CONTENT_ITEM)

APPLY_PROPOSITIONS_OPTIONS = object_of(
    {
        "propositions": array_of(
            object_of(
                {
                    "id": string().required(),
                    "scope": string().required(),
                    "scopeDetails": object_of({"decisionProvider": string().required()}).required(),
                    "items": array_of(
                        object_of({"id": string().required(), "schema": string().required(),
                                   "data": object_of({})})
                    ).non_empty().required(),
                }
            ).required()
        ).non_empty().required(),
        "metadata": object_of({}),
        "viewName": string(),
    }
).required()


def lenient(validator: Validator, warn: Callable[..., None]) -> Callable[[Any], Any]:
    """alloy's applyPropositions validation: invalid options warn and apply nothing."""

    def validate(options: Any) -> Any:
        try:
            return validator(options)
        except ValidationError as error:
            warn("Invalid options for applyPropositions. No propositions will be applied.", error.message)
            return dict(EMPTY_PROPOSITIONS)

    return validate


def _interaction_tracking(schema: Any, action_type: Any) -> bool:
    return bool(schema == JSON_CONTENT_ITEM and action_type == _COLLECT_INTERACTIONS)


def _items(items: list[Any], metadata: Any) -> list[JsonObject]:
    """alloy's ``updatePropositionItems``: HTML content and interaction tracking need the scope's metadata."""
    metadata = metadata if isinstance(metadata, Mapping) else {}
    action_type, selector = metadata.get("actionType"), metadata.get("selector")
    prepared: list[JsonObject] = []
    for item in items:
        schema = item.get("schema")
        if schema not in _SUPPORTED or (schema == JSON_CONTENT_ITEM and action_type != _COLLECT_INTERACTIONS):
            continue
        if schema != HTML_CONTENT_ITEM and not _interaction_tracking(schema, action_type):
            prepared.append(dict(item))
        elif metadata:
            data = {**(item.get("data") or {}), "selector": selector, "type": action_type}
            prepared.append({**item, "schema": DOM_ACTION if _interaction_tracking(schema, action_type) else schema,
                             "data": {k: v for k, v in data.items() if v is not None}})
    return prepared


def prepare_propositions(propositions: list[Any], metadata: Mapping[str, Any]) -> list[JsonObject]:
    """alloy's ``preparePropositions``: what is left to render of the page's propositions."""
    prepared: list[JsonObject] = []
    for proposition in propositions:
        if proposition.get("scope") == PAGE_WIDE_SCOPE and proposition.get("renderAttempted"):
            continue  # rendered already by the sendEvent that fetched it
        items = proposition.get("items")
        if isinstance(items, list) and items:
            kept = {key: proposition[key] for key in ("id", "scope", "scopeDetails") if key in proposition}
            proposition = {**kept, "items": _items(items, metadata.get(str(proposition.get("scope"))))}
        if isinstance(proposition.get("items"), list) and proposition["items"]:
            prepared.append(proposition)
    return prepared
