"""Parity scenarios: the RulesEngine component (evaluateRulesets, subscribeRulesetItems, rulesets
qualifying later events, content cards' collectEvent, personalizationStorageEnabled).

The first Edge answer carries the rulesets (``personalization:decisions``); later answers are
empty. Results are recorded with ``qualifiedDate``/``displayedDate`` masked (they are the
page's clock), subscribers' payloads in ``window.__calls``.
"""
from __future__ import annotations

from typing import Any

from alloy_py_dev.samples import ORG_ID

from .harness import Scenario
from .scenarios import SCHEMA, configure, decisions, js

RULESET_ITEM = SCHEMA + "ruleset-item"
CONTENT_CARD = SCHEMA + "message/content-card"
DOM_ACTION = SCHEMA + "dom-action"
SURFACE = "web://127.0.0.1/#cards"
HISTORY_KEY = f"com.adobe.alloy.{ORG_ID.replace('@', '_')}.decisioning.events"
EMPTY_EDGE = {"requestId": "r", "handle": []}
PAGE = '<div id="hero"><p>Default hero</p></div>'

# JS: a command's result, or a subscriber's payload, with the page's clock masked.
HELPERS = """
window.__calls = [];
function masked(value) {
  return JSON.parse(JSON.stringify(value === undefined ? null : value, function (key, v) {
    return (key === 'qualifiedDate' || key === 'displayedDate') && typeof v === 'number' ? '<date>' : v;
  }));
}
function run(command, options) {
  return alloy(command, options).then(masked);
}
function subscriber(name, collect) {
  return function (result, collectEvent) {
    window.__calls.push({name: name, result: masked(result), collectEvent: typeof collectEvent});
    if (collect && result.propositions.length) collect(collectEvent, result.propositions);
  };
}
function later(ms, expression) {
  return new Promise(function (resolve) { setTimeout(function () { resolve(expression()); }, ms); });
}
"""


def matcher(key: str, op: str, *values: Any) -> dict[str, Any]:
    return {"type": "matcher", "definition": {"key": key, "matcher": op, "values": list(values)}}


def group(logic: str, *conditions: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "definition": {"logic": logic, "conditions": list(conditions)}}


def card(item_id: str, title: str) -> dict[str, Any]:
    return {"id": f"c-{item_id}", "type": "schema", "detail": {
        "id": item_id, "schema": CONTENT_CARD,
        "data": {"content": {"title": {"content": title}, "body": {"content": "Save 10%"}},
                 "meta": {"surface": SURFACE}, "publishedDate": 1746806494}}}


def ruleset(pid: str, condition: dict[str, Any], *consequences: dict[str, Any], rank: int = 1,
            scope: str = SURFACE) -> dict[str, Any]:
    rule = {"condition": condition, "consequences": list(consequences)}
    return {"id": pid, "scope": scope,
            "scopeDetails": {"decisionProvider": "AJO", "correlationID": f"corr-{pid}", "rank": rank,
                             "characteristics": {"eventToken": f"token-{pid}"},
                             "activity": {"id": f"activity-{pid}", "priority": 0, "matchedSurfaces": [scope]}},
            "items": [{"id": f"rs-{pid}", "schema": RULESET_ITEM,
                       "data": {"version": 1, "rules": [rule]}}]}


EDGE_TYPE = matcher("~type", "eq", "com.adobe.eventType.edge")
RULES_TYPE = matcher("~type", "eq", "com.adobe.eventType.rulesEngine")
CART = matcher("xdm.web.webPageDetails.name", "eq", "Cart")
GOLD = ruleset("gold", group("and", RULES_TYPE, matcher("tier", "eq", "gold")), card("card-gold", "Gold"), rank=2)
ANY_REQUEST = ruleset("any", matcher("~source", "eq", "com.adobe.eventSource.requestContent"),
                      card("card-any", "Welcome"), rank=3)
CART_CARD = ruleset("cart", group("and", EDGE_TYPE, CART), card("card-cart", "Your cart"))
RULED_HERO = ruleset("hero", group("and", EDGE_TYPE, CART), {"id": "c-hero", "type": "schema", "detail": {
    "id": "hero-item", "schema": DOM_ACTION, "data": {"type": "setHtml", "selector": "#hero", "content": "ruled"}}},
    scope="web://127.0.0.1/parity/page.html")
CART_EVENT = {"xdm": {"web": {"webPageDetails": {"name": "cart"}}}, "personalization": {"surfaces": ["#cards"]}}


def rules(name: str, script: str, *rulesets: dict[str, Any], config: dict[str, Any] | None = None,
          requests: int = 1, **kw: Any) -> Scenario:
    """configure, then ``script``; the first Edge answer brings ``rulesets``."""
    return Scenario(name, HELPERS + configure(**(config or {})) + script, body=PAGE, dom=["#hero"],
                    edge_answers=[{"body": decisions(*rulesets)}], edge_default=EMPTY_EDGE, requests=requests,
                    settle_ms=500, **kw)


def then(*calls: str) -> str:
    """Each JS expression (a promise) once the one before settled; every one recorded."""
    script = "var last = Promise.resolve();"
    for call in calls:
        script += f"last = last.then(function () {{ return {call}; }}, function () {{ return {call}; }}); record(last);"
    return script


SCENARIOS: list[Scenario] = [
    # evaluateRulesets: ~type rulesEngine, and the decisionContext's keys.
    rules("rules_evaluate_rulesets", then(
        "run('sendEvent', {})",
        "run('evaluateRulesets', {})",
        f"run('evaluateRulesets', {js({'personalization': {'decisionContext': {'tier': 'GOLD'}}})})",
        "run('evaluateRulesets', {renderDecisions: true, personalization: {decisionContext: {tier: 'gold'}}})",
    ), GOLD, ANY_REQUEST, fast=True),
    # subscribers: every evaluation (empty ones too), surfaces and schemas filters, the last ones at once
    # for a late subscriber, unsubscribe.
    rules("rules_subscribe_ruleset_items", then(
        "alloy('subscribeRulesetItems', {callback: subscriber('all')}).then(function (r) {"
        " window.__unsubscribe = r.unsubscribe; return typeof r.unsubscribe; })",
        f"alloy('subscribeRulesetItems', {{surfaces: [{js(SURFACE)}], schemas: [{js(CONTENT_CARD)}],"
        " callback: subscriber('cards')}).then(function () { return null; })",
        "alloy('subscribeRulesetItems', {surfaces: ['web://elsewhere'], callback: subscriber('elsewhere')})"
        ".then(function () { return null; })",
        "run('sendEvent', {})",
        "later(100, function () { return null; })",
        "alloy('subscribeRulesetItems', {callback: subscriber('late')}).then(function () { return null; })",
        "later(50, function () { window.__unsubscribe(); return null; })",
        f"run('evaluateRulesets', {js({'personalization': {'decisionContext': {'tier': 'gold'}}})})",
        "later(200, function () { return window.__calls; })",
    ), GOLD, ANY_REQUEST),
    # A ruleset from the first event qualifies a later one (its xdm and a personalization query); with
    # renderDecisions the DOM action it yields is rendered and its display reported.
    rules("rules_later_send_event_render", then(
        "run('sendEvent', {xdm: {web: {webPageDetails: {name: 'home'}}}})",
        f"run('sendEvent', {js(CART_EVENT)})",
        f"run('sendEvent', {js({**CART_EVENT, 'renderDecisions': True})})",
    ), CART_CARD, RULED_HERO, requests=4),
    # Content cards: subscribers get them with collectEvent; display once per page, interact and
    # dismiss every time (beacons), and the history counts them (storage on).
    rules("rules_content_card_collect", then(
        "alloy('subscribeRulesetItems', {schemas: [" + js(CONTENT_CARD) + "], callback: subscriber('cards',"
        " function (collect, propositions) { if (window.__collected) return; window.__collected = true;"
        " collect('display', propositions); collect('display', propositions);"
        " collect('interact', propositions).then(function (r) { window.__interacted = r; });"
        " collect('dismiss', propositions); collect('bogus', propositions); })})"
        ".then(function () { return null; })",
        "run('sendEvent', {})",
        "later(300, function () { return {calls: window.__calls, interacted: window.__interacted,"
        f" history: Object.keys(JSON.parse(localStorage.getItem({js(HISTORY_KEY)}) || '{{}}')).sort()}}; }})",
    ), ANY_REQUEST, config={"personalizationStorageEnabled": True}, requests=4),
    # personalizationStorageEnabled: the history kept in localStorage (its hashes), or cleared.
    rules("rules_storage_enabled", then(
        "run('sendEvent', {})",
        "run('evaluateRulesets', {})",
        f"later(100, function () {{ return Object.keys(JSON.parse(localStorage.getItem({js(HISTORY_KEY)})))"
        ".sort(); })",
    ), ANY_REQUEST, config={"personalizationStorageEnabled": True}),
    rules("rules_storage_disabled",
          f"localStorage.setItem({js(HISTORY_KEY)}, '{{}}');"
          f"localStorage.setItem({js(HISTORY_KEY.replace('.events', '.other'))}, 'x');"
          "localStorage.setItem('unrelated', 'kept');"
          + then("run('sendEvent', {})", "run('evaluateRulesets', {})",
                 f"later(100, function () {{ return localStorage.getItem({js(HISTORY_KEY)}); }})"),
          ANY_REQUEST),
    # Invalid options: alloy's messages.
    rules("rules_invalid_options", then(
        "alloy('evaluateRulesets', {renderDecisions: 'yes'})",
        "alloy('evaluateRulesets', {foo: 1})",
        "alloy('evaluateRulesets', {personalization: {decisionContext: 'x'}})",
        "alloy('evaluateRulesets', {personalization: {surfaces: []}})",
        "alloy('subscribeRulesetItems', {})",
        "alloy('subscribeRulesetItems', {callback: 5})",
        "alloy('subscribeRulesetItems', {surfaces: ['a', 'a'], callback: function () {}})",
        "alloy('subscribeRulesetItems', {schemas: 'x', callback: function () {}})",
        "alloy('subscribeRulesetItems', {callback: function () {}, other: true})",
    ), requests=0),
    Scenario("rules_invalid_config", "record(alloy('configure', "
             + js({"datastreamId": "x", "orgId": ORG_ID, "personalizationStorageEnabled": "yes"}) + "));"),
]

IN_APP = SCHEMA + "message/in-app"
IN_APP_WEB = {
    "alloy-content-iframe": {"style": {"border": "none", "width": "100%", "height": "100%"},
                             "params": {"enabled": True, "parentElement": "#alloy-messaging-container",
                                        "insertionMethod": "appendChild"}},
    "alloy-messaging-container": {"style": {"position": "fixed", "width": "50%", "height": "50vh",
                                            "top": "25%", "left": "25%"},
                                  "params": {"enabled": True, "parentElement": "body",
                                             "insertionMethod": "appendChild"}},
}


def in_app(pid: str, text: str, rank: int) -> dict[str, Any]:
    consequence = {"id": f"c-{pid}", "type": "schema", "detail": {
        "id": f"m-{pid}", "schema": IN_APP,
        "data": {"content": f"<html><body><p>{text}</p></body></html>", "contentType": "text/html",
                 "webParameters": IN_APP_WEB}}}
    return ruleset(pid, RULES_TYPE, consequence, rank=rank, scope="web://127.0.0.1/parity/page.html")


# Two in-app messages qualified by one evaluation: the first shown, the second reported as suppressed.
SCENARIOS.append(rules("rules_in_app_conflict", then(
    "run('sendEvent', {})",
    "run('evaluateRulesets', {renderDecisions: true})",
    "later(300, function () { return document.querySelectorAll('#alloy-messaging-container').length; })",
), in_app("first", "First message", 1), in_app("second", "Second message", 2), requests=3))
