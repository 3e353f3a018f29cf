"""Parity scenarios: ID syncs (identity:exchange), push destinations (activation:push), getLibraryInfo.

Pixels go to ``*.pixels.test``, which the harness answers (a GIF; a 404 for
URLs with "fail") and records with their frame (``Adobe Alloy`` for the hidden
iframe) and Referer. Values are the project's own.
"""
from __future__ import annotations

import json
from typing import Any

from alloy_py_dev.samples import DATASTREAM_ID, IDENTITY_ANSWER, IDENTITY_COOKIE, IDENTITY_COOKIE_VALUE, ORG_ID

from .harness import Scenario

DEBUG = {"debugEnabled": True}


def js(value: Any) -> str:
    return json.dumps(value)


def configure(**extra: Any) -> str:
    """scenarios.configure (not imported: scenarios.py imports this module)."""
    return f"record(alloy('configure', {js({'datastreamId': DATASTREAM_ID, 'orgId': ORG_ID, **extra})}));"


def answer(*handles: dict[str, Any]) -> dict[str, Any]:
    """The identity answer plus ``handles``."""
    return {**IDENTITY_ANSWER, "handle": [*IDENTITY_ANSWER["handle"], *handles]}


def url_spec(url: str, hide: Any, item_type: str = "url", **extra: Any) -> dict[str, Any]:
    return {"type": item_type, "id": 411, "spec": {"url": url, "hideReferrer": hide, **extra}}


def cookie(**spec: Any) -> dict[str, Any]:
    return {"type": "cookie", "id": 2097728, "spec": spec}


ID_SYNCS = {"type": "identity:exchange", "payload": [
    url_spec("https://sync.pixels.test/id?d_uuid=1&x=%20y", False, ttlMinutes=10080),
    url_spec("https://hidden.pixels.test/id?hide=1", True, ttlMinutes=10080),
    url_spec("https://fail.pixels.test/id", False),
    url_spec("https://ignored.pixels.test/not-a-url-sync", True, item_type="img"),
]}

SEND = "record(alloy('sendEvent', {xdm: {eventType: 'web.webpagedetails.pageViews'}}));"
TWO_SENDS = ("record(alloy('sendEvent', {xdm: {eventType: 'a'}}).then(function () {"
             " return alloy('sendEvent', {xdm: {eventType: 'b'}}); }));")

LIBRARY_INFO_INTENDED = {
    "results[1].resolved.libraryInfo.version": "alloy-py's own version",
}

# state:store items without maxAge (session cookies), so that the logged cookies carry no clock.
SESSION_COOKIES = {"requestId": "r", "handle": [
    {"type": "state:store", "payload": [
        {"key": IDENTITY_COOKIE, "value": IDENTITY_COOKIE_VALUE, "attrs": {"SameSite": "None"}},
        {"key": "kndctr_ABC123_AdobeOrg_cluster", "value": "or2"}, {"key": "odd", "value": 7}]},
    *IDENTITY_ANSWER["handle"][1:2]]}

SCENARIOS: list[Scenario] = [
    Scenario("cookies_logged", configure(**DEBUG) + SEND, requests=1, edge_default=SESSION_COOKIES,
             console=["Setting cookie"]),
    Scenario("idsync_pixels", configure(**DEBUG) + SEND, edge_default=answer(ID_SYNCS), requests=1,
             pixels=True, console=["ID sync"], settle_ms=1000, fast=True),
    Scenario("idsync_one_hidden_iframe_per_page", configure() + TWO_SENDS, requests=2, pixels=True,
             edge_answers=[{"body": answer({"type": "identity:exchange", "payload": [
                 url_spec("https://hidden.pixels.test/first", True)]})},
                 {"body": answer({"type": "identity:exchange", "payload": [
                     url_spec("https://hidden.pixels.test/second", True),
                     url_spec("https://page.pixels.test/second", False)]})}],
             edge_default=IDENTITY_ANSWER, settle_ms=1000),
    Scenario("destination_urls", configure(**DEBUG) + SEND, requests=1, pixels=True,
             console=["URL destination"], settle_ms=1000,
             edge_default=answer({"type": "activation:push", "payload": [
                 url_spec("https://dest.pixels.test/a?seg=1", False),
                 url_spec("https://dest.pixels.test/b?seg=2", True),
                 url_spec("https://fail.pixels.test/c", True)]})),
    # www.shop.localhost is loopback in Chromium; its apex domain is shop.localhost.
    Scenario("destination_cookies", configure() + SEND, requests=1, host="www.shop.localhost",
             cookie_details=True, settle_ms=800,
             edge_default=answer({"type": "activation:push", "payload": [
                 cookie(name="aud_seg", value="a=1; b/c é,d", ttlDays=30),
                 cookie(name="aud_default_ttl", value="y"),
                 cookie(name="aud_site", value="x", domain="shop.localhost", ttlDays=2),
                 cookie(name="aud_foreign", value="z", domain="other.test"),
                 cookie(name="aud_zero_ttl", ttlDays=0),
                 cookie(name="aud_number", value=42, ttlDays=0.5),
             ]})),
    Scenario("library_info_defaults", configure() + "record(alloy('getLibraryInfo'));", intended=LIBRARY_INFO_INTENDED),
    Scenario("library_info",
             "record(alloy('configure', Object.assign(" + js({"datastreamId": "d-1", "orgId": "ABC@AdobeOrg"})
             + ", {debugEnabled: true, context: ['web'],"
             " onBeforeEventSend: function (content) { content.xdm.seen = true; }})));"
             "record(alloy('getLibraryInfo'));",
             intended=LIBRARY_INFO_INTENDED),
]
