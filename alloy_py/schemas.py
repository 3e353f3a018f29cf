"""The Edge's personalization schema URLs: one home for the SDK and the emulator.

alloy keeps them in ``constants/schema.js``; a request lists the ones it can
handle (``query.personalization.schemas``) and each returned item names one.
Also the page-wide decision scope (``constants/pageWideScope.js``).
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_CONTENT_ITEM",
    "DOM_ACTION",
    "HTML_CONTENT_ITEM",
    "JSON_CONTENT_ITEM",
    "MESSAGE_CONTENT_CARD",
    "MESSAGE_IN_APP",
    "PAGE_WIDE_SCOPE",
    "REDIRECT_ITEM",
    "REQUESTED_SCHEMAS",
    "RULESET_ITEM",
]

PAGE_WIDE_SCOPE = "__view__"
_BASE = "https://ns.adobe.com/personalization/"
DEFAULT_CONTENT_ITEM = _BASE + "default-content-item"
DOM_ACTION = _BASE + "dom-action"
HTML_CONTENT_ITEM = _BASE + "html-content-item"
JSON_CONTENT_ITEM = _BASE + "json-content-item"
REDIRECT_ITEM = _BASE + "redirect-item"
RULESET_ITEM = _BASE + "ruleset-item"
MESSAGE_IN_APP = _BASE + "message/in-app"
MESSAGE_CONTENT_CARD = _BASE + "message/content-card"

# What every personalization query asks for, in alloy's order; DOM_ACTION is
# added only when the page-wide scope is requested.
REQUESTED_SCHEMAS = [
    DEFAULT_CONTENT_ITEM,
    HTML_CONTENT_ITEM,
    JSON_CONTENT_ITEM,
    REDIRECT_ITEM,
    RULESET_ITEM,
    MESSAGE_IN_APP,
    MESSAGE_CONTENT_CARD,
]
