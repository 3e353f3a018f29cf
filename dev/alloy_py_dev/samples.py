"""Values the tests, the benchmarks and the parity harness share.

alloy's base code (the snippet a site puts before the script tag), a test
datastream and org, and an Edge answer that gives the visitor an identity.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BASE_CODE",
    "DATASTREAM_ID",
    "ECID",
    "IDENTITY_ANSWER",
    "IDENTITY_COOKIE",
    "IDENTITY_COOKIE_VALUE",
    "IDENTITY_HANDLES",
    "ISSUE_EXAMPLE",
    "ORG_ID",
]

BASE_CODE = (
    '!function(n,o){o.forEach(function(o){n[o]||((n.__alloyNS=n.__alloyNS||[]).push(o),n[o]=function(){'
    'var u=arguments;return new Promise(function(i,l){n[o].q.push([i,l,u])})},n[o].q=[])})}(window,["alloy"]);'
)
ORG_ID = "ABC123@AdobeOrg"
DATASTREAM_ID = "0dada9f4-fa94-4c9c-8aaf-fdbac6c56287"
IDENTITY_COOKIE = "kndctr_ABC123_AdobeOrg_identity"
# A kndctr identity cookie as the Edge writes it (protobuf field 1: the ECID), and that ECID.
IDENTITY_COOKIE_VALUE = "CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA=="
ECID = "12345678901234567890123456789012345678"
# The sendEvent options of the issue's example.
ISSUE_EXAMPLE: dict[str, Any] = {
    "data": {"cart": {"total": 42}},
    "documentUnloading": False,
    "edgeConfigOverrides": {"datastreamId": DATASTREAM_ID},
    "personalization": {"decisionScopes": ["hero-banner"]},
    "renderDecisions": True,
    "type": "commerce.purchases",
    "xdm": {"commerce": {"purchases": {"value": 1}}},
}
# The identity cookie and cluster stored, and the ECID they hold.
IDENTITY_HANDLES: list[dict[str, Any]] = [
    {"type": "state:store", "payload": [
        {"key": IDENTITY_COOKIE, "value": IDENTITY_COOKIE_VALUE,
         "maxAge": 34128000, "attrs": {"SameSite": "None"}},
        {"key": "kndctr_ABC123_AdobeOrg_cluster", "value": "or2", "maxAge": 1800},
    ]},
    {"type": "identity:result", "payload": [
        {"id": ECID, "namespace": {"code": "ECID"}}]},
]
IDENTITY_ANSWER: dict[str, Any] = {
    "requestId": "r",
    "handle": [
        *IDENTITY_HANDLES,
        {"type": "personalization:decisions", "payload": [
            {"id": "prop-1", "scope": "hero-banner", "scopeDetails": {"decisionProvider": "TGT"},
             "items": [{"id": "item-1", "schema": "https://ns.adobe.com/personalization/json-content-item",
                        "data": {"content": {"headline": "Welcome back"}}}]}]},
    ],
}
