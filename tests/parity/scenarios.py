"""Parity scenarios: what alloy-py implements (README "Commands and options").

Values are the project's own (tests/browser/test_walking_skeleton.py).
``fast=True`` marks the subset that runs in ``make test``; ``make parity`` runs all.
"""
from __future__ import annotations

import json
from typing import Any

from tests.browser.test_walking_skeleton import DATASTREAM_ID, IDENTITY_ANSWER, IDENTITY_COOKIE, ORG_ID

from .harness import Scenario

ECID_COOKIE_VALUE = "CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA=="
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


UNKNOWN_COMMAND_REASON = ("alloy.js lists every command in 'List of available commands'; "
                          "alloy-py lists only ported ones (README)")

SCENARIOS: list[Scenario] = [
    # -- configure errors -------------------------------------------------
    Scenario("configure_no_options", "record(alloy('configure'));"),
    Scenario("configure_empty_options", "record(alloy('configure', {}));"),
    Scenario("configure_unknown_field", configure(unknownField=1)),
    Scenario("configure_bad_edge_domain_type", configure(edgeDomain=5)),
    Scenario("configure_twice", configure() + configure(), fast=True),
    Scenario("command_before_configure",
             f"record(alloy('sendEvent', {js({'xdm': {'eventType': 'early'}})}));" + configure()
             + f"record(alloy('sendEvent', {js({'xdm': {'eventType': 'after'}})}));",
             requests=1, edge_default=IDENTITY_ANSWER),
    Scenario("unknown_command", configure() + "record(alloy('fooBar'));",
             intended={"results[1].rejected": UNKNOWN_COMMAND_REASON}, fast=True),
    # -- sendEvent options one by one ----------------------------------------
    send("send_xdm", {"xdm": {"eventType": "web.webpagedetails.pageViews",
                              "web": {"webPageDetails": {"name": "home"}}}}, fast=True),
    send("send_data", {"data": {"cart": {"total": 42, "items": ["a", "b"]}}}),
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
             configure() + f"record(alloy('sendEvent', {js({'xdm': {'identityMap': {'EMAIL': [{'primary': True}]}}})}));",
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
             {"type": "activation:push", "payload": [{"type": "url", "id": 2097728,
                                                      "spec": {"url": "https://example.test/pixel", "hideReferrer": False}}]}],
             "warnings": [{"type": "https://ns.adobe.com/aep/errors/EXEG-0204-200", "status": 200,
                           "title": "A warning", "report": {"cause": {"message": "Cannot read", "code": 202}}}]}),
    # getLibraryInfo is not comparable (library name/version): no scenario.
]

BY_NAME = {s.name: s for s in SCENARIOS}
assert len(BY_NAME) == len(SCENARIOS), "scenario names must be unique"
