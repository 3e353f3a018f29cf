"""Parity scenarios: Advertising (click-through and view-through conversions, ad ids on sendEvent).

Advertising Cloud's identity iframe (``pixel.everesttech.net``, then a
``www.everestjs.net`` page that posts its URL to the page), ID5's script and a
LiveRamp ATS script are all served locally by the harness (``fakes``): small
stand-ins that answer as the real ones do. Ids and values are the project's own.
"""
from __future__ import annotations

import json
from typing import Any

from alloy_py_dev.samples import DATASTREAM_ID, IDENTITY_ANSWER, ORG_ID

from .harness import Scenario

ADVERTISERS = [{"advertiserId": "111", "enabled": True}, {"advertiserId": "222", "enabled": False},
               {"advertiserId": "333", "enabled": True}]
RAMP_SCRIPT = "https://ats.partner.test/ats.js"

# The pixel server fills in its macros (surfer id, display click, IP) and redirects to the details page,
# which posts its own URL to the page.
PIXEL = (r"^https?://pixel\.everesttech\.net/", "text/html",
         "<script>location.replace(new URLSearchParams(location.search).get('url')"
         ".replace('__EFGSURFER__', 'SURFER-1').replace('__LCC__', 'DISPLAY-9')"
         ".replace('__EFREMOTEADDR__', '203.0.113.7'));</script>")
DETAILS = (r"^https?://www\.everestjs\.net/static/pixel_details\.html", "text/html",
           "<script>parent.postMessage(location.href, '*');</script>")
# A details page that knows nothing of the visitor (no fragment): no surfer id, no IP.
DETAILS_EMPTY = (r"^https?://www\.everestjs\.net/static/pixel_details\.html", "text/html",
                 "<script>parent.postMessage(location.origin + location.pathname, '*');</script>")
ID5 = (r"^https://www\.everestjs\.net/static/id5-api\.js", "text/javascript",
       "window.ID5 = {init: function (o) { return {getUserId: function () { return 'ID5-' + o.partnerId; },"
       " onAvailable: function (cb) { cb(this); return this; }}; }};")
ATS = (r"^https://ats\.partner\.test/ats\.js", "text/javascript",
       "window.ats = {retrieveEnvelope: function () {"
       " return Promise.resolve(JSON.stringify({envelope: 'RAMP-ENV'})); }};")


def js(value: Any) -> str:
    return json.dumps(value)


def configure(**advertising: Any) -> str:
    """scenarios.configure (not imported: scenarios.py imports this module)."""
    options = {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "advertising": advertising}
    return f"record(alloy('configure', {js(options)}));"


def send_when_converted(id_type: str, options: dict[str, Any]) -> str:
    """A sendEvent once the view-through conversion of ``id_type`` is recorded in the cookie."""
    return ("record(new Promise(function (resolve) { var t = setInterval(function () {"
            f" if (document.cookie.indexOf({js(id_type + '_last_conversion')}) < 0) return;"
            f" clearInterval(t); resolve(alloy('sendEvent', {js(options)})); }}, 50); }}));")


NOT_AN_OBJECT = {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "advertising": "on"}
WAIT = {"advertising": {"handleAdvertisingData": "wait"}}
AUTO = {"xdm": {"eventType": "web.webpagedetails.pageViews"}, "advertising": {"handleAdvertisingData": "auto"}}

SCENARIOS: list[Scenario] = [
    Scenario("advertising_config_invalid",
             configure(dspEnabled="yes", id5PartnerId=5, other=1,
                       advertiserSettings=[{"advertiserId": 5}, {"advertiserId": "1", "enabled": True, "x": 1}])),
    Scenario("advertising_config_not_an_object", f"record(alloy('configure', {js(NOT_AN_OBJECT)}));"),
    # A search ad's landing page: the conversion goes at configure, the click is remembered, and the
    # page's events carry no ad ids.
    Scenario("advertising_click_through",
             configure(advertiserSettings=ADVERTISERS) + f"record(alloy('sendEvent', {js(WAIT)}));",
             query="?s_kwcid=AL!1234!3!abc&ef_id=EF-1:G:s&color=red", requests=2,
             edge_default=IDENTITY_ANSWER, fast=True),
    Scenario("advertising_click_through_unconfigured",
             f"record(alloy('configure', {js({'datastreamId': DATASTREAM_ID, 'orgId': ORG_ID})}));",
             query="?ef_id=EF-2&s_kwcid=other&s_kwcid=second", requests=1, edge_default=IDENTITY_ANSWER),
    # View-through: the surfer id and hashed IP from the iframe, then a sendEvent that names them.
    Scenario("advertising_view_through_surfer",
             configure(advertiserSettings=ADVERTISERS) + send_when_converted("surferId", AUTO),
             fakes=[PIXEL, DETAILS], requests=2, edge_default=IDENTITY_ANSWER, settle_ms=500),
    # With the surfer id converted, a sendEvent that waits fetches ID5's id for its query.
    Scenario("advertising_send_event_wait_id5",
             configure(advertiserSettings=ADVERTISERS, id5PartnerId="1234") + send_when_converted("surferId", WAIT),
             fakes=[PIXEL, DETAILS, ID5], requests=2, edge_default=IDENTITY_ANSWER, settle_ms=500),
    # dspEnabled: ID5 and RampID (each alone, so that one conversion goes) with an iframe that knows nothing.
    Scenario("advertising_view_through_id5",
             configure(advertiserSettings=ADVERTISERS, id5PartnerId="1234.7", dspEnabled=True),
             fakes=[PIXEL, DETAILS_EMPTY, ID5], requests=1, edge_default=IDENTITY_ANSWER, settle_ms=1000),
    Scenario("advertising_view_through_rampid",
             configure(advertiserSettings=ADVERTISERS, rampIdJSPath=RAMP_SCRIPT, dspEnabled=True),
             fakes=[PIXEL, DETAILS_EMPTY, ATS], requests=1, edge_default=IDENTITY_ANSWER, settle_ms=1000),
    # No enabled advertiser: no iframe, nothing sent besides the page's event.
    Scenario("advertising_no_enabled_advertiser",
             configure(advertiserSettings=[{"advertiserId": "9", "enabled": False}])
             + f"record(alloy('sendEvent', {js(WAIT)}));",
             fakes=[PIXEL, DETAILS], requests=1, edge_default=IDENTITY_ANSWER),
]
