"""Parity scenarios: in-app messages (``…/message/in-app``) rendered by Personalization.

A message is an iframe (its ``src`` a blob URL, masked by the harness) in
``#alloy-messaging-container``, over ``#alloy-overlay-container`` when it takes over the
page; the recorded DOM is the body's ``div``\\ s as each library left them. The scripts
watch for the iframe (a MutationObserver, so its ``load`` listener comes after the
library's own) and, once it loaded, record the document it shows and click in it
(``contentDocument``: the blob is same-origin), which sends the click's interact
notification. Built on tests/parity/scenarios.py's helpers, which adds these to its SCENARIOS.
"""
from __future__ import annotations

from typing import Any

from .harness import LANDING_ORIGIN, Scenario
from .scenarios import SCHEMA, configure, decisions, js, proposition

IN_APP = SCHEMA + "message/in-app"
HTML = (
    "<html><head><style>body { margin: 0 }</style><script>window.fromMessage = 1;</script></head><body>"
    '<div class="closeBtn" data-uuid="c-1"><a aria-label="Close" class="btnClose" '
    'href="adbinapp://dismiss?interaction=cancel"><svg width="18" height="18"><rect width="18" height="18">'
    "</rect></svg></a></div>"
    '<div class="text"><h3>Integration Testing</h3><p>Hello</p></div>'
    '<a class="button" data-uuid="b-1" href="adbinapp://dismiss?interaction=clicked&amp;link='
    + LANDING_ORIGIN.replace(":", "%3A").replace("/", "%2F") + '%2Fsale">Shop now</a>'
    '<a class="keep" data-uuid="k-1" href="adbinapp://clicked?interaction=more">More</a>'
    "</body></html>"
)
# The modal of resp.interact.inapp-message-ruleset.json: webParameters as AJO sends them.
MODAL_MOBILE = {"verticalAlign": "center", "dismissAnimation": "bottom", "verticalInset": 0, "backdropOpacity": 0.2,
                "cornerRadius": 15, "gestures": {}, "horizontalInset": 0, "uiTakeover": True,
                "horizontalAlign": "center", "width": 55, "displayAnimation": "bottom", "backdropColor": "#000000",
                "height": 55}
MODAL_WEB = {
    "alloy-content-iframe": {"style": {"border": "none", "height": "100%", "width": "100%"},
                             "params": {"enabled": True, "insertionMethod": "appendChild",
                                        "parentElement": "#alloy-messaging-container"}},
    "alloy-messaging-container": {"style": {"backgroundColor": "#000000", "border": "none", "borderRadius": "15px",
                                            "height": "55vh", "overflow": "hidden", "position": "fixed",
                                            "width": "55%", "left": "50%",
                                            "transform": "translateX(-50%) translateY(-50%)", "top": "50%"},
                                  "params": {"enabled": True, "insertionMethod": "appendChild",
                                             "parentElement": "body"}},
    "alloy-overlay-container": {"style": {"position": "fixed", "top": "0", "left": "0", "width": "100%",
                                          "height": "100%", "background": "transparent", "opacity": 0.2,
                                          "backgroundColor": "#000000"},
                                "params": {"enabled": True, "insertionMethod": "appendChild",
                                           "parentElement": "body"}},
}
BANNER_MOBILE = {"verticalAlign": "top", "horizontalAlign": "center", "width": 80, "height": 12,
                 "verticalInset": 2, "cornerRadius": 6, "uiTakeover": False, "backdropColor": "#336699"}
FULLSCREEN_MOBILE = {"uiTakeover": True, "backdropOpacity": 0.6, "backdropColor": "#101010"}
BOTTOM_MOBILE = {"verticalAlign": "bottom", "horizontalAlign": "left", "horizontalInset": 4, "verticalInset": 3,
                 "width": 30, "height": 20}
PAGE = '<h1>shop</h1><p class="promo">promo</p>'
DOM = ["body > div", "body > div iframe"]
EMPTY_EDGE = {"requestId": "r", "handle": []}


def message(pid: str = "p-iam", *, web: Any = None, mobile: Any = MODAL_MOBILE, **data: Any) -> dict:
    fields = {"content": HTML, "contentType": "text/html", "mobileParameters": mobile, "webParameters": web, **data}
    item = {"id": f"{pid}-item", "schema": IN_APP, "data": {k: v for k, v in fields.items() if v is not None}}
    return proposition(pid, item, scope="web://shop.example/", provider="AJO",
                       correlationID=f"{pid}-correlation")


def in_frame(selector: str | None) -> str:
    """Once the message's iframe has loaded: record the document it shows, then click ``selector`` in it."""
    click = (f"doc.querySelector({js(selector)}).dispatchEvent("
             "new MouseEvent('click', {bubbles: true, cancelable: true}));" if selector else "")
    return ("record(new Promise(function (resolve) {"
            " var seen = false;"
            " new MutationObserver(function () {"
            "  var frame = document.getElementById('alloy-content-iframe');"
            "  if (!frame || seen) return; seen = true;"
            "  frame.addEventListener('load', function () {"
            "   var doc = frame.contentDocument; var html = doc.documentElement.outerHTML;"
            f"   {click} resolve({{html: html, ran: frame.contentWindow.fromMessage === 1}});"
            "  });"
            " }).observe(document, {childList: true, subtree: true});"
            " setTimeout(function () { resolve('no message'); }, 5000);"
            "}));")


def shown(name: str, *propositions: dict, options: dict | None = None, click: str | None = None,
          requests: int = 2, **kw: Any) -> Scenario:
    """configure + sendEvent({renderDecisions: true}) answered with ``propositions``; ``requests``
    counts the display notification and a click's interaction."""
    options = {"renderDecisions": True} if options is None else options
    return Scenario(name, configure() + in_frame(click) + f"record(alloy('sendEvent', {js(options)}));",
                    body=PAGE, edge_answers=[{"body": decisions(*propositions)}], edge_default=EMPTY_EDGE,
                    requests=requests, dom=DOM, settle_ms=600, **kw)


# Not rendered by the sendEvent; its propositions handed to applyPropositions, then reported by a later event.
UNRENDERED_THEN_APPLIED = (
    configure() + in_frame(None)
    + "record(alloy('sendEvent', {}).then(function (result) {"
      " return alloy('applyPropositions', {propositions: result.propositions}).then(function (applied) {"
      "  return alloy('sendEvent', {personalization: {includeRenderedPropositions: true}}).then(function () {"
      "   return {sent: result.propositions, applied: applied.propositions}; }); }); }));"
)
APPLIED = (
    configure() + in_frame(None)
    # "</script>" in the message's HTML would end the page's inline script: written "<\/".
    + "record(alloy('applyPropositions', {propositions: [" + js(message(web=MODAL_WEB)).replace("</", "<\\/") + "]}));"
)

# The same message applied, then its close button clicked: the interaction is the first request.
APPLIED_THEN_DISMISSED = (
    configure() + in_frame("a.btnClose rect")
    + "record(alloy('applyPropositions', {propositions: [" + js(message(web=MODAL_WEB)).replace("</", "<\\/") + "]}));"
)

SCENARIOS: list[Scenario] = [
    shown("in_app_modal", message(web=MODAL_WEB), fast=True),
    shown("in_app_banner", message(mobile=BANNER_MOBILE)),
    shown("in_app_fullscreen", message(mobile=FULLSCREEN_MOBILE)),
    shown("in_app_bottom", message(mobile=BOTTOM_MOBILE)),
    shown("in_app_dismiss_click", message(web=MODAL_WEB), click="a.btnClose rect", requests=3,
          options={"renderDecisions": True, "xdm": {"identityMap": {"CRM": [{"id": "u-1"}]}}}),
    shown("in_app_link_click", message(web=MODAL_WEB), click=".button", requests=3, navigations=1),
    shown("in_app_action_click", message(mobile=BANNER_MOBILE), click=".keep", requests=3),
    shown("in_app_text_click", message(mobile=BANNER_MOBILE), click="h3", requests=2),
    shown("in_app_not_rendered", message(web=MODAL_WEB), options={}, requests=1),
    shown("in_app_invalid", message("p-type", type="banner"), message("p-json", contentType="application/json"),
          message("p-plain", contentType="text/plain"), requests=2),
    Scenario("in_app_unrendered_then_applied", UNRENDERED_THEN_APPLIED, body=PAGE,
             edge_answers=[{"body": decisions(message(mobile=FULLSCREEN_MOBILE))}], edge_default=EMPTY_EDGE,
             requests=2, dom=DOM, settle_ms=600),
    Scenario("in_app_apply_propositions", APPLIED, body=PAGE, edge_default=EMPTY_EDGE, dom=DOM,
             settle_ms=600),
    Scenario("in_app_apply_propositions_dismiss_click", APPLIED_THEN_DISMISSED, body=PAGE,
             edge_default=EMPTY_EDGE, dom=DOM, requests=1, settle_ms=600),
]
