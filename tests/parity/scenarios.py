"""Parity scenarios: what alloy-py implements (README "Commands and options").

Values are the project's own (alloy_py_dev.samples).
``fast=True`` marks the subset that runs in ``make test``; ``make parity`` runs all.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any

from alloy_py_dev.samples import DATASTREAM_ID, IDENTITY_ANSWER, IDENTITY_COOKIE, ORG_ID
from alloy_py_dev.samples import IDENTITY_COOKIE_VALUE as ECID_COOKIE_VALUE

from .harness import Scenario

OTHER_DATASTREAM_ID = "5b2f6c1e-8d3a-4e7b-9c0f-1a2b3c4d5e6f"
CONFIG = {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID}


def js(value: Any) -> str:
    return json.dumps(value)


def configure(**extra: Any) -> str:
    return f"record(alloy('configure', {js({**CONFIG, **extra})}));"


def send(name: str, options: dict, *, config: dict | None = None, **kw: Any) -> Scenario:
    """configure + one sendEvent, answered with the identity handle."""
    kw.setdefault("requests", 1)
    kw.setdefault("edge_default", IDENTITY_ANSWER)
    return Scenario(name, configure(**(config or {})) + f"record(alloy('sendEvent', {js(options)}));", **kw)


SCENARIOS: list[Scenario] = [
    # -- configure errors -------------------------------------------------
    Scenario("configure_no_options", "record(alloy('configure'));"),
    Scenario("configure_empty_options", "record(alloy('configure', {}));"),
    Scenario("configure_unknown_field", configure(unknownField=1)),
    Scenario("configure_bad_edge_domain_type", configure(edgeDomain=5)),
    *(Scenario(f"configure_conversation_stream_timeout_{label}",
               configure(conversation={"streamTimeout": value})
               + "record(alloy('getLibraryInfo').then(function (r) { return r.libraryInfo.configs.conversation; }));")
      for label, value in (("low", 5000), ("fraction", 10000.5), ("text", "x"), ("ok", 20000))),
    Scenario("configure_twice", configure() + configure(), fast=True),
    Scenario("command_before_configure",
             f"record(alloy('sendEvent', {js({'xdm': {'eventType': 'early'}})}));" + configure()
             + f"record(alloy('sendEvent', {js({'xdm': {'eventType': 'after'}})}));",
             requests=1, edge_default=IDENTITY_ANSWER),
    Scenario("unknown_command", configure() + "record(alloy('fooBar'));", fast=True),
    # -- sendEvent options one by one ----------------------------------------
    send("send_xdm", {"xdm": {"eventType": "web.webpagedetails.pageViews",
                              "web": {"webPageDetails": {"name": "home"}}}}, fast=True),
    send("send_data", {"data": {"cart": {"total": 42, "items": ["a", "b"]}}}),
    Scenario("send_data_with_functions",
             configure() + "record(alloy('sendEvent', {data: {keep: 1, f: function () {}, list: [1, function () {}]},"
             " xdm: {eventType: 'fn'}}));"),
    send("send_type", {"type": "commerce.purchases"}),
    send("send_type_and_xdm_event_type", {"type": "commerce.purchases",
                                          "xdm": {"eventType": "web.webpagedetails.pageViews"}}),
    send("send_merge_id", {"mergeId": "merge-1", "xdm": {"eventType": "a"}}),
    Scenario("create_event_merge_id_then_send",
             configure() + "record(alloy('createEventMergeId').then(function (r) {"
             " return alloy('sendEvent', {xdm: {eventType: 'a', eventMergeId: r.eventMergeId}}); }));",
             requests=1, edge_default=IDENTITY_ANSWER),
    send("send_dataset_id", {"datasetId": "5f3c1e0a9b8d7c6e5f4a3b2c", "xdm": {"eventType": "a"}}),
    send("send_decision_scopes", {"decisionScopes": ["hero-banner", "footer"]}),
    send("send_personalization_decision_scopes", {"personalization": {"decisionScopes": ["hero-banner"]}}),
    send("send_personalization_surfaces",
         {"personalization": {"surfaces": ["web://127.0.0.1/parity/page.html#hero", "#fragment"]}}),
    send("send_default_personalization_disabled",
         {"personalization": {"defaultPersonalizationEnabled": False, "decisionScopes": ["hero-banner"]}}),
    send("send_edge_config_overrides",
         {"edgeConfigOverrides": {"datastreamId": OTHER_DATASTREAM_ID,
                                  "com_adobe_analytics": {"reportSuites": ["rs1", "rs2"]}}}),
    send("configure_global_edge_config_overrides", {"xdm": {"eventType": "a"}},
         config={"edgeConfigOverrides": {"com_adobe_target": {"propertyToken": "tok-1"}}}),
    send("configure_context_web_only", {"xdm": {"eventType": "a"}}, config={"context": ["web"]}),
    send("configure_third_party_cookies_disabled", {"xdm": {"eventType": "a"}},
         config={"thirdPartyCookiesEnabled": False}),
    send("send_identity_map_valid",
         {"xdm": {"identityMap": {"EMAIL": [{"id": "a@example.com", "authenticatedState": "authenticated",
                                             "primary": True}]}}}),
    Scenario("send_identity_map_invalid",
             configure()
             + f"record(alloy('sendEvent', {js({'xdm': {'identityMap': {'EMAIL': [{'primary': True}]}}})}));",
             edge_default=IDENTITY_ANSWER),
    # -- identity, queue, beacon, errors ---------------------------------------
    Scenario("document_unloading_after_identity",
             configure() + "record(alloy('sendEvent', {xdm: {eventType: 'first'}}).then(function () {"
             " return alloy('sendEvent', {xdm: {eventType: 'leave'}, documentUnloading: true}); }));",
             requests=2, edge_default=IDENTITY_ANSWER, fast=True),
    Scenario("queue_three_events_before_identity",
             configure() + "".join(f"record(alloy('sendEvent', {{xdm: {{eventType: 'e{i}'}}}}));" for i in range(3)),
             requests=3, edge_default=IDENTITY_ANSWER),
    send("edge_400_problem_json", {"xdm": {"eventType": "a"}},
         edge_answers=[{"status": 400, "headers": {"content-type": "application/problem+json;charset=utf-8"},
                        "body": {"type": "https://ns.adobe.com/aep/errors/EXEG-0003-400", "status": 400,
                                 "title": "Invalid datastream ID",
                                 "detail": "The datastream ID is invalid or does not exist.",
                                 "report": {"requestId": "r"}}}]),
    Scenario("get_identity_from_cookie", configure() + "record(alloy('getIdentity'));",
             cookies=[{"name": IDENTITY_COOKIE, "value": ECID_COOKIE_VALUE,
                       "domain": "127.0.0.1", "path": "/"}], fast=True),
    Scenario("get_identity_acquire", configure() + "record(alloy('getIdentity', {namespaces: ['ECID']}));",
             requests=1, edge_default=IDENTITY_ANSWER),
    # -- more options ------------------------------------------------------------
    Scenario("configure_edge_config_id_deprecated",
             f"record(alloy('configure', {js({'edgeConfigId': DATASTREAM_ID, 'orgId': ORG_ID})}));"
             "record(alloy('sendEvent', {xdm: {eventType: 'a'}}));",
             requests=1, edge_default=IDENTITY_ANSWER),
    send("configure_edge_base_path", {"xdm": {"eventType": "a"}}, config={"edgeBasePath": "ee-pre-prd"}),
    Scenario("send_unknown_option", configure() + "record(alloy('sendEvent', {xdm: {}, unknownOption: 1}));"),
    Scenario("send_bad_xdm_type", configure() + "record(alloy('sendEvent', {xdm: 'not an object'}));"),
    send("send_render_decisions", {"renderDecisions": True, "personalization": {"decisionScopes": ["hero-banner"]}}),
    send("send_display_event_false", {"personalization": {"sendDisplayEvent": False}}),
    Scenario("on_before_event_send_modifies",
             "record(alloy('configure', Object.assign(" + js(CONFIG) + ", {onBeforeEventSend: function (c) {"
             " c.xdm.web.webPageDetails.name = 'changed'; c.data = {added: true}; }})));"
             "record(alloy('sendEvent', {xdm: {eventType: 'a'}}));",
             requests=1, edge_default=IDENTITY_ANSWER),
    Scenario("on_before_event_send_cancels",
             "record(alloy('configure', Object.assign(" + js(CONFIG) + ", {onBeforeEventSend: function () {"
             " return false; }})));record(alloy('sendEvent', {xdm: {eventType: 'a'}}));"),
    Scenario("set_debug", configure() + "record(alloy('setDebug', {enabled: true}));"
             "record(alloy('setDebug', {}));"),
    # -- identity cookie, retries, Edge handles ---------------------------------
    send("send_with_identity_cookie", {"xdm": {"eventType": "a"}},
         cookies=[{"name": IDENTITY_COOKIE, "value": ECID_COOKIE_VALUE, "domain": "127.0.0.1", "path": "/"},
                  {"name": "kndctr_ABC123_AdobeOrg_cluster", "value": "or2", "domain": "127.0.0.1", "path": "/"}]),
    send("configure_id_migration_disabled", {"xdm": {"eventType": "a"}}, config={"idMigrationEnabled": False}),
    Scenario("document_unloading_first",
             configure() + "record(alloy('sendEvent', {xdm: {eventType: 'leave'}, documentUnloading: true}));",
             requests=1, edge_default=IDENTITY_ANSWER),
    send("edge_503_retry", {"xdm": {"eventType": "a"}}, requests=2,
         edge_answers=[{"status": 503, "headers": {"retry-after": "1"}, "body": ""}]),
    send("edge_destinations_and_warnings", {"xdm": {"eventType": "a"}},
         edge_default={**IDENTITY_ANSWER, "handle": IDENTITY_ANSWER["handle"] + [
             {"type": "activation:push", "payload": [{
                 "type": "url", "id": 2097728, "spec": {"url": "https://example.test/pixel", "hideReferrer": False}}]}],
             "warnings": [{"type": "https://ns.adobe.com/aep/errors/EXEG-0204-200", "status": 200,
                           "title": "A warning", "report": {"cause": {"message": "Cannot read", "code": 202}}}]}),
    # getLibraryInfo: library_info in scenarios_idsyncs.py (version, commands, components intended).
]

# -- renderDecisions: DOM actions, prehiding, display notifications ------------
# Page and values are the project's own (tests/core/test_rendering.py).
RENDER_PAGE = ('<div id="hero"><p>Default hero</p></div>\n'
               '<ul id="list"><li>one</li><li>two</li><li>three</li></ul>\n'
               '<img id="logo" src="old.png">\n<p class="promo">promo</p>')
SCHEMA = "https://ns.adobe.com/personalization/"
DOM_ACTION = SCHEMA + "dom-action"
CART_VIEW = {"web": {"webPageDetails": {"viewName": "cart"}}}


def proposition(pid: str, *items: dict, scope: str = "__view__", provider: str = "TGT", **details: Any) -> dict:
    return {"id": pid, "scope": scope,
            "scopeDetails": {"decisionProvider": provider, "activity": {"id": pid}, **details},
            "items": list(items)}


def action(item_id: str, **data: Any) -> dict:
    return {"id": item_id, "schema": DOM_ACTION, "data": data}


def decisions(*propositions: dict) -> dict:
    """The identity handle plus these propositions (the first Edge answer)."""
    return {"requestId": "r", "handle": [*IDENTITY_ANSWER["handle"][:2],
                                         {"type": "personalization:decisions", "payload": list(propositions)}]}


def render(name: str, *propositions: dict, options: dict | None = None, config: dict | None = None,
           then: str = "", requests: int = 2, body: str = RENDER_PAGE, **kw: Any) -> Scenario:
    """configure + sendEvent({renderDecisions: true}) answered with ``propositions``;
    ``requests`` counts the display notification that follows."""
    options = {"renderDecisions": True} if options is None else options
    return Scenario(name, configure(**(config or {})) + f"record(alloy('sendEvent', {js(options)}));" + then,
                    body=body, edge_answers=[{"body": decisions(*propositions)}],
                    edge_default={"requestId": "r", "handle": []}, requests=requests, **kw)


def one(name: str, **data: Any) -> Scenario:
    """One dom-action item in one __view__ proposition."""
    return render(name, proposition("p1", action("i1", **data)))


def after_send(expression: str) -> str:
    """Record ``expression`` 500 ms after the sendEvent (results[1]) settled."""
    return ("record(new Promise(function (resolve) { (function poll() {"
            " if (window.__parity.results[1] === '<pending>') return setTimeout(poll, 50);"
            f" setTimeout(function () {{ resolve({expression}); }}, 500);"
            " })(); }));")


RAN = after_send("{ran: window.ran === undefined ? null : window.ran}")

# Seconds between the first Edge request and the display notification (resource timing).
GAP = ("record(new Promise(function (resolve) { (function poll() {"
       " var e = performance.getEntriesByType('resource').filter(function (x) {"
       " return x.name.indexOf('/ee/') >= 0; });"
       " if (e.length >= 2) resolve({displayAfterSeconds: Math.floor((e[1].startTime - e[0].startTime) / 1000)});"
       " else setTimeout(poll, 100); })(); }));")

SCENARIOS += [
    # Content aimed at <head> keeps its SCRIPT, LINK and STYLE elements as the browser parses them.
    render("render_head_offer", proposition("p1", action(
        "i1", type="setHtml", selector="HEAD",
        content='<style>.x{color:red}</style><p>dropped</p><div title="<script>x()</script>">t</div>'
                '<link rel="preload" href="/x.css" as="style"><script')), dom=["head style", "head link", "body"]),
    one("render_set_html", type="setHtml", selector="#hero", content="<h2>Welcome back</h2>"),
    one("render_set_text", type="setText", selector="#hero p", content="<b>not html</b> & text"),
    one("render_set_attribute", type="setAttribute", selector="#logo", content={"alt": "Logo", "data-x": "1"}),
    one("render_set_style", type="setStyle", selector=".promo", content={"color": "red", "font-size": "20px"}),
    one("render_set_style_priority", type="setStyle", selector=".promo",
        content={"color": "red", "priority": "important"}),
    one("render_set_image_source", type="setImageSource", selector="#logo", content="new.png"),
    one("render_move", type="move", selector=".promo", content={"left": "10px", "top": "20px", "position": "relative"}),
    one("render_resize", type="resize", selector="#logo", content={"width": "100px", "height": "50px"}),
    one("render_rearrange", type="rearrange", selector="#list", content={"from": 0, "to": 2}),
    one("render_remove", type="remove", selector="#list li:eq(1)"),
    one("render_append_html", type="appendHtml", selector="#list", content="<li>four</li><li>five</li>"),
    one("render_prepend_html", type="prependHtml", selector="#list", content="<li>zero</li>"),
    one("render_insert_before", type="insertBefore", selector=".promo", content="<p id=before>before</p>"),
    one("render_insert_after", type="insertAfter", selector=".promo", content="<p id=after>after</p><hr>"),
    one("render_replace_html", type="replaceHtml", selector="#hero", content="<section id=new>replaced</section>"),
    one("render_custom_code_body", type="customCode", selector="BODY", content="<div id=cc>custom</div>"),
    one("render_custom_code_target_body_remap", type="customCode", selector="BODY > *:eq(0)",
        content="<div id=cc>custom</div>"),
    render("render_eq_selectors", proposition(
        "p1", action("i1", type="setText", selector="#list li:eq(2)", content="THREE"),
        action("i2", type="setHtml", selector="HTML > BODY > UL:eq(0) > LI:eq(0)", content="<i>ONE</i>"))),
    render("render_child_selector_after_eq", proposition(
        "p1", action("i1", type="setText", selector="#hero:eq(0) > p", content="child"),
        action("i2", type="setAttribute", selector="BODY > UL:eq(0) > LI:eq(1)", content={"title": "t"}))),
    render("render_html_content_item", proposition(
        "p1", {"id": "h1", "schema": SCHEMA + "html-content-item",
               "data": {"selector": "#hero", "type": "setHtml", "content": "<p>html item</p>",
                        "format": "text/html"}})),
    render("render_default_content_item", proposition(
        "p1", {"id": "d1", "schema": SCHEMA + "default-content-item", "data": {}}), fast=True),
    render("render_json_content_item_for_scope", proposition(
        "p-json", {"id": "j", "schema": SCHEMA + "json-content-item", "data": {"content": {"a": 1}}},
        scope="hero-banner"), proposition("p1", action("i1", type="setHtml", selector="#hero", content="x")),
        options={"renderDecisions": True, "personalization": {"decisionScopes": ["hero-banner"]}}),
    render("render_missing_selector_waits_5s", proposition(
        "p1", action("i1", type="setHtml", selector="#nowhere", content="x")),
        proposition("p2", action("i2", type="setText", selector="#hero p", content="found")),
        then=GAP),  # was a DIFF (display listed only p2), fixed in d3b0999
    render("render_selector_appears_later", proposition(
        "p1", action("i1", type="setHtml", selector="#late", content="<b>late offer</b>")),
        then="setTimeout(function () { var d = document.createElement('div'); d.id = 'late';"
             " d.textContent = 'placeholder'; document.body.appendChild(d); }, 500);"),
    render("render_ajo_interact_id", proposition(
        "p-ajo", action("i1", type="setHtml", selector="#hero", content="<b>AJO</b>"),
        action("i2", type="setText", selector=".promo", content="AJO promo"), provider="AJO")),
    render("render_prehiding_style", proposition(
        "p1", action("i1", type="setHtml", selector="#hero", content="hi")),
        config={"prehidingStyle": "#hero { opacity: 0 }"}, dom=["body", "#alloy-prehiding", "head style"]),
    render("render_display_event_false_then_include", proposition(
        "p1", action("i1", type="setHtml", selector="#hero", content="top")),
        options={"renderDecisions": True, "personalization": {"sendDisplayEvent": False}},
        then="setTimeout(function () { record(alloy('sendEvent', {xdm: {eventType: 'bottom'},"
             " personalization: {includeRenderedPropositions: true}})); }, 500);", settle_ms=1000),
    Scenario("render_spa_view_change",
             configure() + "record(alloy('sendEvent', {renderDecisions: true}).then(function () {"
             f" return alloy('sendEvent', {{renderDecisions: true, xdm: {js(CART_VIEW)}}}); }}));",
             body=RENDER_PAGE, requests=2, edge_default={"requestId": "r", "handle": []},
             edge_answers=[{"body": decisions(proposition(
                 "pv", action("iv", type="setHtml", selector="#hero", content="<p>cart offer</p>"),
                 scope="cart", characteristics={"scopeType": "view"}))}]),
    render("render_decisions_false", proposition(
        "p1", action("i1", type="setHtml", selector="#hero", content="<b>x</b>")), options={}, requests=1),
    render("render_inline_script", proposition(
        "p1", action("i1", type="setHtml", selector="#hero",
                     content="<h2>Welcome back</h2><script>window.ran = (window.ran || 0) + 1</script>")),
        then=RAN, fast=True),
    render("render_remote_script", proposition(
        "p1", action("i1", type="setHtml", selector="#hero",
                     content='<h2>Welcome back</h2><script src="data:text/javascript,'
                             'window.ran=(window.ran||0)+1"></script>')),
        then=RAN),
    render("render_style_in_content", proposition(
        "p1", action("i1", type="appendHtml", selector="#hero",
                     content="<style>#hero p { color: green; }</style><p>styled</p>"))),
    # -- more rendering edges ----------------------------------------------------
    one("render_set_html_all_matches", type="setHtml", selector="#list li", content="<em>same</em>"),
    one("render_set_image_source_not_an_image", type="setImageSource", selector="#hero", content="new.png"),
    one("render_rearrange_out_of_range", type="rearrange", selector="#list", content={"from": 0, "to": 7}),
    render("render_two_items_same_element", proposition(
        "p1", action("i1", type="setHtml", selector="#hero", content="<p>first</p>"),
        action("i2", type="setStyle", selector="#hero", content={"color": "blue"})),
        proposition("p2", action("i3", type="setAttribute", selector="#hero", content={"data-p2": "yes"}))),
    render("render_html_content_item_without_selector", proposition(
        "p1", {"id": "h1", "schema": SCHEMA + "html-content-item",
               "data": {"content": "<p>no selector</p>", "format": "text/html"}}), requests=1),
    render("render_html_content_item_for_decision_scope", proposition(
        "p-scope", {"id": "h1", "schema": SCHEMA + "html-content-item",
                    "data": {"selector": "#hero", "type": "setHtml", "content": "<p>scoped</p>",
                             "format": "text/html"}}, scope="hero-banner"),
        options={"renderDecisions": True, "personalization": {"decisionScopes": ["hero-banner"]}},
        requests=1),  # neither library renders a non-view scope's item on sendEvent: no display
    render("render_custom_code_script_into_body", proposition(
        "p1", action("i1", type="customCode", selector="BODY > *:eq(0)",
                     content="<div id=cc>cc</div><script>window.ran = (window.ran || 0) + 1</script>")),
        then=RAN),
    render("render_shadow_dom_selector", proposition(
        "p1", action("i1", type="setText", selector="#host:shadow > p", content="in the shadow")),
        body=RENDER_PAGE + '<div id="host"></div><script>document.getElementById("host")'
             '.attachShadow({mode: "open"}).innerHTML = "<p class=in>shadow</p>";</script>',
        then=after_send("{shadow: document.getElementById('host').shadowRoot.innerHTML}"),
        requests=1, settle_ms=6000),  # wait past the 5 s selector timeout; was a DIFF (no :shadow), fixed in d3b0999
    Scenario("render_spa_view_twice",
             configure() + "record(alloy('sendEvent', {renderDecisions: true}).then(function () {"
             f" return alloy('sendEvent', {{renderDecisions: true, xdm: {js(CART_VIEW)}}}); }}).then(function () {{"
             f" return alloy('sendEvent', {{renderDecisions: true, xdm: {js(CART_VIEW)}}}); }}));",
             body=RENDER_PAGE, requests=3, edge_default={"requestId": "r", "handle": []},
             edge_answers=[{"body": decisions(proposition(
                 "pv", action("iv", type="appendHtml", selector="#list", content="<li>cart</li>"),
                 scope="cart", characteristics={"scopeType": "view"}))}]),
    Scenario("render_spa_view_without_propositions",
             configure() + "record(alloy('sendEvent', {renderDecisions: true}).then(function () {"
             " return alloy('sendEvent', {renderDecisions: true,"
             " xdm: {web: {webPageDetails: {viewName: 'checkout'}}}}); }));",
             body=RENDER_PAGE, requests=2, edge_default={"requestId": "r", "handle": []},
             edge_answers=[{"body": decisions(proposition(
                 "pv", action("iv", type="setHtml", selector="#hero", content="<p>cart offer</p>"),
                 scope="cart", characteristics={"scopeType": "view"}))}]),
]



# setConsent: the Edge answers with the consent cookie the choice implies.
CONSENT_COOKIE = IDENTITY_COOKIE.replace("_identity", "_consent")
ADOBE_IN = {"standard": "Adobe", "version": "1.0", "value": {"general": "in"}}
ADOBE_OUT = {"standard": "Adobe", "version": "1.0", "value": {"general": "out"}}


def consent_answer(general: str) -> dict:
    return {"body": {**IDENTITY_ANSWER, "handle": [*IDENTITY_ANSWER["handle"], {
        "type": "state:store",
        "payload": [{"key": CONSENT_COOKIE, "value": f"general={general}", "maxAge": 15552000}]}]}}


SCENARIOS += [
    Scenario("consent_pending_then_in",
             configure(defaultConsent="pending")
             + "record(alloy('sendEvent', {xdm: {eventType: 'held'}}));"
             + f"record(alloy('setConsent', {{consent: [{js(ADOBE_IN)}]}}));",
             edge_answers=[consent_answer("in")], edge_default=IDENTITY_ANSWER, requests=2),
    Scenario("consent_pending_then_out",
             configure(defaultConsent="pending")
             + "record(alloy('sendEvent', {xdm: {eventType: 'held'}}));"
             + f"record(alloy('setConsent', {{consent: [{js(ADOBE_OUT)}], identityMap: {{CRM: [{{id: 'u-1'}}]}}}}));"
             + "setTimeout(function () { record(alloy('sendEvent', {xdm: {eventType: 'after'}})); }, 1500);",
             edge_answers=[consent_answer("out")], requests=1, settle_ms=2500),
    Scenario("consent_same_twice",
             configure()
             + f"record(alloy('setConsent', {{consent: [{js(ADOBE_IN)}]}}).then(function () {{"
             f" return alloy('setConsent', {{consent: [{js(ADOBE_IN)}]}}); }}));",
             edge_answers=[consent_answer("in")], requests=1, settle_ms=1500),
    Scenario("consent_default_out",
             configure(defaultConsent="out") + "record(alloy('sendEvent', {}));", settle_ms=1000),
    Scenario("consent_invalid_options",
             configure() + "record(alloy('setConsent', {}));"
             + "record(alloy('setConsent', {consent: [], bogus: 1}));"),
]

SCENARIOS += [
    Scenario("append_identity_to_url_from_cookie",
             configure() + "record(alloy('appendIdentityToUrl', {url: 'https://partner.example.org/p?x=1#top'}));",
             cookies=[{"name": IDENTITY_COOKIE, "value": IDENTITY_ANSWER["handle"][0]["payload"][0]["value"],
                       "url": "http://127.0.0.1/"}], settle_ms=500),
    Scenario("append_identity_to_url_acquires",
             configure() + "record(alloy('appendIdentityToUrl', {url: 'https://partner.example.org/'}));",
             edge_default=IDENTITY_ANSWER, requests=1),
    Scenario("append_identity_to_url_consent_pending",
             configure(defaultConsent="pending") + "record(alloy('appendIdentityToUrl', {url: 'https://x.example/'}));"
             + "record(alloy('appendIdentityToUrl', {}));"),
]

ADOBE_MC_LINK = (
    "history.replaceState(null, '', location.pathname + '?adobe_mc=' + encodeURIComponent("
    "'TS=' + Math.floor(Date.now() / 1000) + '|MCMID=11112222333344445555666677778888999900|MCORGID='"
    f" + encodeURIComponent({js(ORG_ID)})));"
)
SCENARIOS += [
    Scenario("identity_from_adobe_mc_link",
             ADOBE_MC_LINK + configure() + "record(alloy('sendEvent', {}));",
             edge_default=IDENTITY_ANSWER, requests=1),
    Scenario("identity_migrated_from_amcv_cookie",
             configure() + "record(alloy('sendEvent', {}));",
             cookies=[{"name": "AMCV_ABC123%40AdobeOrg", "value": "MCMID|424242|MCAID|NONE",
                       "url": "http://127.0.0.1/"}],
             edge_default=IDENTITY_ANSWER, requests=1),
]

CLICK_PAGE = (
    '<nav id="menu"><a id="internal" href="#specials">  Trail\n shoes </a></nav>'
    '<main><a id="exit" href="https://partner.example.org/reviews?x=1">Reviews</a>'
    '<a id="download" href="/files/catalog.pdf"><img src="/img/cat.png" alt="Catalog"></a>'
    '<button id="buy">Buy now</button><div id="widget" onclick="void 0"><span id="inner">Open</span></div></main>'
    '<footer><a id="js" href="javascript:void(0)" onclick="void 0">js</a></footer>'
)
# Clicks happen once the page view resolved; nothing navigates (default actions are prevented).
def click(name: str, target: str, *, config: dict | None = None, beacons: int = 1) -> Scenario:
    return Scenario(
        name,
        "document.addEventListener('click', function (e) { e.preventDefault(); });"
        + configure(**(config or {}))
        + "record(alloy('sendEvent', {xdm: {web: {webPageDetails: {name: 'home'}}}}).then(function () {"
        f" document.getElementById({js(target)}).click(); }}));",
        body=CLICK_PAGE, edge_default=IDENTITY_ANSWER, requests=1 + beacons, settle_ms=800)


SCENARIOS += [
    click("click_internal_link", "internal"),
    click("click_exit_link", "exit"),
    click("click_download_link_image", "download"),
    click("click_button", "buy"),
    click("click_onclick_element_child", "inner"),
    click("click_javascript_link", "js"),
    click("click_collection_disabled", "internal", config={"clickCollectionEnabled": False}, beacons=0),
    click("click_external_links_disabled", "exit", config={"clickCollection": {"externalLinkEnabled": False}},
          beacons=0),
]

from .scenarios_redirects import SCENARIOS as REDIRECT_SCENARIOS  # noqa: E402

SCENARIOS += REDIRECT_SCENARIOS

from .scenarios_idsyncs import SCENARIOS as IDSYNC_SCENARIOS  # noqa: E402

SCENARIOS += IDSYNC_SCENARIOS

from .scenarios_interactions import SCENARIOS as INTERACTION_SCENARIOS  # noqa: E402

SCENARIOS += INTERACTION_SCENARIOS

from .scenarios_apply import SCENARIOS as APPLY_SCENARIOS  # noqa: E402

SCENARIOS += APPLY_SCENARIOS

from .scenarios_monitors import SCENARIOS as MONITOR_SCENARIOS  # noqa: E402

SCENARIOS += MONITOR_SCENARIOS

from .scenarios_rules import SCENARIOS as RULES_SCENARIOS  # noqa: E402

SCENARIOS += RULES_SCENARIOS
from .scenarios_concierge import SCENARIOS as CONCIERGE_SCENARIOS  # noqa: E402

SCENARIOS += CONCIERGE_SCENARIOS
from .scenarios_push import SCENARIOS as PUSH_SCENARIOS  # noqa: E402

SCENARIOS += PUSH_SCENARIOS
from .scenarios_media import SCENARIOS as MEDIA_SCENARIOS  # noqa: E402

SCENARIOS += MEDIA_SCENARIOS
from .scenarios_advertising import SCENARIOS as ADVERTISING_SCENARIOS  # noqa: E402

SCENARIOS += ADVERTISING_SCENARIOS
from .scenarios_extras import SCENARIOS as EXTRA_SCENARIOS  # noqa: E402

SCENARIOS += EXTRA_SCENARIOS
from .scenarios_in_app import SCENARIOS as IN_APP_SCENARIOS  # noqa: E402

SCENARIOS += IN_APP_SCENARIOS
from .scenarios_site import SCENARIOS as SITE_SCENARIOS  # noqa: E402
from .scenarios_site import SITE_CSP  # noqa: E402

SCENARIOS += SITE_SCENARIOS

# Issue 21: every feature works under the AEM boilerplate's policy plus only 'wasm-unsafe-eval'
# (Trusted Types enforced) as alloy.js works under it: these scenarios again, their inline
# scripts and the library's tag with the site's nonce.
UNDER_SITE_CSP = ("render_set_html", "render_prehiding_style", "render_custom_code_body", "click_exit_link",
                  "redirect_prehiding",
                  "in_app_modal", "media_session_events", "monitors_configure_send", "monitors_rendering")
SCENARIOS += [dataclasses.replace(s, name=s.name + "_site_csp", csp=SITE_CSP, fast=s.name == "redirect_prehiding")
              for s in SCENARIOS if s.name in UNDER_SITE_CSP]

BY_NAME = {s.name: s for s in SCENARIOS}
assert len(BY_NAME) == len(SCENARIOS), "scenario names must be unique"
