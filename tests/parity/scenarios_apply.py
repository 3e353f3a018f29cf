"""Parity scenarios: applyPropositions and applyResponse (issue 12, item 4).

Each script chains its commands (each once the one before settled) and records every
result; the requests show what went out (applyPropositions never sends; applyResponse
sends only the display notification), the DOM what was rendered, the cookies what a
response's ``state:store`` wrote. Built on tests/parity/scenarios.py's helpers, which
adds these to its SCENARIOS.
"""
from __future__ import annotations

from alloy_py_dev.samples import IDENTITY_ANSWER

from .harness import Scenario
from .scenarios import CART_VIEW, SCHEMA, action, configure, decisions, js, proposition

PAGE = ('<div id="hero"><p>Default hero</p></div>\n'
        '<div id="promo"><a id="cta" href="#sale">Sale</a></div>\n'
        '<p class="promo">promo</p>')
DOM = ["#hero", "#promo", ".promo"]
EMPTY_EDGE = {"requestId": "r", "handle": []}


def chain(*calls: str) -> str:
    """``alloy(...)`` calls (JS argument lists), each once the one before settled; every one recorded."""
    script = "var last = Promise.resolve();"
    for call in calls:
        script += (f"last = last.then(function () {{ return alloy({call}); }},"
                   f" function () {{ return alloy({call}); }}); record(last);")
    return script


def applied(name: str, *calls: str, config: dict | None = None, requests: int = 0,
            edge_answers: list[dict] | None = None, **kw: object) -> Scenario:
    return Scenario(name, configure(**(config or {})) + chain(*calls), body=PAGE, dom=DOM,
                    edge_answers=edge_answers or [], edge_default=EMPTY_EDGE, requests=requests,
                    settle_ms=600, **kw)  # type: ignore[arg-type]


def apply_propositions(options: object) -> str:
    return f"'applyPropositions', {js(options)}"


def apply_response(options: object) -> str:
    return f"'applyResponse', {js(options)}"


def send_event(options: object) -> str:
    return f"'sendEvent', {js(options)}"


OFFER = proposition("p1", action("i1", type="setHtml", selector="#hero", content="<b>applied</b>"))
AJO_OFFER = proposition("p-ajo", action("a1", type="setText", selector=".promo", content="ajo"), provider="AJO")
HTML_ITEM = proposition("p-html", {"id": "h1", "schema": SCHEMA + "html-content-item",
                                   "data": {"content": "<i>slot</i>", "format": "text/html"}}, scope="hero-slot")
TRACKING = proposition("p-json", {"id": "j1", "schema": SCHEMA + "json-content-item", "data": {"content": {"a": 1}}},
                       scope="promo-slot", provider="AJO")
METADATA = {"hero-slot": {"selector": "#hero", "actionType": "setHtml"},
            "promo-slot": {"selector": "#promo", "actionType": "collectInteractions"}}
VIEW = proposition("p-view", action("v1", type="setHtml", selector="#hero", content="cart offer"), scope="cart",
                   characteristics={"scopeType": "view"})
APPEND = proposition("p-append", action("ap", type="appendHtml", selector="#promo", content="<i>+</i>"),
                     scope="promo-slot")
APPEND_VIEW = proposition("p-append-view", action("av", type="appendHtml", selector=".promo", content="<b>+</b>"),
                          scope="cart", characteristics={"scopeType": "view"})
INCLUDE = {"personalization": {"includeRenderedPropositions": True}}
SERVER_RESPONSE = {"requestId": "server-1", "handle": [*IDENTITY_ANSWER["handle"][:2],
                                                       {"type": "personalization:decisions",
                                                        "payload": [OFFER, AJO_OFFER, HTML_ITEM]}]}

SCENARIOS: list[Scenario] = [
    # applyPropositions renders, sends nothing; the next includeRenderedPropositions event reports it once.
    applied("apply_propositions_then_include_rendered",
            apply_propositions({"propositions": [OFFER, AJO_OFFER]}), send_event(INCLUDE), send_event(INCLUDE),
            requests=2, fast=True),
    applied("apply_propositions_display_not_included", apply_propositions({"propositions": [OFFER]}),
            send_event({}), requests=1),
    applied("apply_propositions_metadata", apply_propositions({"propositions": [HTML_ITEM, TRACKING]}),
            apply_propositions({"propositions": [HTML_ITEM, TRACKING], "metadata": METADATA})),
    applied("apply_propositions_invalid",
            "'applyPropositions'", apply_propositions({}), apply_propositions({"propositions": []}),
            apply_propositions({"propositions": [{"id": "x", "scope": "s", "items": []}]}),
            apply_propositions({"propositions": [OFFER], "metadata": "nope"}),
            apply_propositions({"propositions": [OFFER], "unknown": 1})),
    applied("apply_propositions_unsupported_items",
            apply_propositions({"propositions": [proposition(
                "p-mixed", {"id": "r", "schema": SCHEMA + "redirect-item", "data": {"content": "https://x.test/"}},
                {"id": "d", "schema": SCHEMA + "default-content-item"},
                {"id": "u", "schema": SCHEMA + "unknown"})]})),
    # The sendEvent's own rendering is not repeated; what it returned unrendered can be applied.
    applied("apply_propositions_after_send_event",
            send_event({"renderDecisions": True, "personalization": {"decisionScopes": ["hero-slot"]}}),
            "'applyPropositions', {propositions: window.__parity.results[1].propositions,"
            f" metadata: {js(METADATA)}}}",
            edge_answers=[{"body": decisions(
                proposition("p-page", action("pg", type="setText", selector=".promo", content="page")), HTML_ITEM)}],
            requests=2),
    applied("apply_propositions_view_name",
            send_event({}), apply_propositions({"propositions": [AJO_OFFER], "viewName": "cart"}),
            apply_propositions({"propositions": [OFFER], "viewName": "nothing-cached"}),
            send_event({"xdm": CART_VIEW, **INCLUDE}),
            edge_answers=[{"body": decisions(VIEW)}], requests=2),
    # Applied twice: page-scope actions run again; a view's insertions only once per container.
    applied("apply_propositions_twice",
            apply_propositions({"propositions": [APPEND, APPEND_VIEW]}),
            apply_propositions({"propositions": [APPEND, APPEND_VIEW]}),
            send_event(INCLUDE), requests=1),
    # applyResponse: the server's answer, applied here.
    applied("apply_response_render", apply_response({"renderDecisions": True, "responseBody": SERVER_RESPONSE,
                                                     "responseHeaders": {"x-adobe-edge": "OR2;9"}}),
            send_event({}), requests=2, fast=True),
    applied("apply_response_no_render", apply_response({"responseBody": SERVER_RESPONSE}), send_event({}),
            requests=1),
    applied("apply_response_send_display_event_false",
            apply_response({"renderDecisions": True, "responseBody": SERVER_RESPONSE,
                            "personalization": {"sendDisplayEvent": False}}),
            send_event(INCLUDE), requests=1),
    applied("apply_response_invalid", "'applyResponse'", apply_response({}),
            apply_response({"responseBody": {}}),
            apply_response({"responseBody": {"handle": [{"type": "x"}]}}),
            apply_response({"responseBody": {"handle": []}, "decisionContext": {}}),
            apply_response({"responseBody": {"handle": []}, "responseHeaders": {"a": 1}}),
            apply_response({"responseBody": {"handle": []}, "renderDecisions": "yes"})),
    applied("apply_response_warnings_and_errors",
            apply_response({"responseBody": {"handle": [], "warnings": [{"type": "w", "title": "careful"}],
                                             "errors": [{"type": "e", "status": 500, "title": "broken"}]}})),
]
