"""Parity scenarios: Visitor.js ECID migration, the optional contexts, click event grouping.

The fake Visitor.js below is the same script for both libraries: it answers the calls
alloy makes of it (``Visitor.getInstance(orgId, {})``, ``getMarketingCloudVisitorID(cb, true)``,
``adobe.optIn.fetchPermissions(cb, true)``, ``isApproved([Categories.ECID])``) and records them.
"""
from __future__ import annotations

from alloy_py_dev.samples import IDENTITY_ANSWER

from .harness import Scenario
from .scenarios import CLICK_PAGE, configure, js

VISITOR_ECID = "55556666777788889999000011112222333344"

# window.Visitor as Visitor.js has it; it calls back a little later, as the real one does after its
# own request. Its calls are kept in __visitorCalls (read by the last record(...)).
FAKE_VISITOR = (
    "window.__visitorCalls = [];"
    "function defineVisitor() {"
    " window.Visitor = function () {};"
    " window.Visitor.getInstance = function (orgId, config) {"
    "  window.__visitorCalls.push(['getInstance', orgId, config]);"
    "  return {getMarketingCloudVisitorID: function (callback, forceCallCallback) {"
    "   window.__visitorCalls.push(['getMarketingCloudVisitorID', typeof callback, forceCallCallback]);"
    f"   setTimeout(function () {{ callback({js(VISITOR_ECID)}); }}, 30); }}}};"
    " };"
    "}"
)


def opt_in(approve: bool, after_ms: int) -> str:
    """``adobe.optIn`` pending, then deciding the ECID category after ``after_ms``."""
    return (
        "(function () { var approved = false;"
        " window.adobe = {optIn: {Categories: {ECID: 'ecid'},"
        "  fetchPermissions: function (callback, shouldAutoSubscribe) {"
        "   window.__visitorCalls.push(['fetchPermissions', typeof callback, shouldAutoSubscribe]);"
        f"   setTimeout(function () {{ approved = {js(approve)}; callback(); }}, {after_ms}); }},"
        "  isApproved: function (categories) {"
        "   window.__visitorCalls.push(['isApproved', categories]);"
        "   return approved && categories.length === 1 && categories[0] === 'ecid'; }}}; })();"
    )


def visitor_scenario(name: str, script: str, **kw: object) -> Scenario:
    """``script`` (between the fake Visitor and the events), a page view, then a second event
    (it waits for the first one's identity); the last result is what was asked of Visitor."""
    return Scenario(
        name,
        FAKE_VISITOR + script
        + "record(alloy('sendEvent', {xdm: {eventType: 'one'}}));"
        + "record(alloy('sendEvent', {xdm: {eventType: 'two'}})"
        ".then(function () { return window.__visitorCalls; }));",
        edge_default=IDENTITY_ANSWER, requests=2, **kw)  # type: ignore[arg-type]


SCENARIOS: list[Scenario] = [
    visitor_scenario("visitor_before_configure", "defineVisitor();" + configure(), fast=True),
    # Visitor.js arriving once configure resolved, before the first request: it is asked then.
    visitor_scenario("visitor_loaded_after_configure",
                     configure()[:-2] + ".then(defineVisitor));"),
    visitor_scenario("visitor_opt_in_pending_then_approved",
                     "defineVisitor();" + opt_in(True, 300) + configure()),
    visitor_scenario("visitor_opt_in_declined", "defineVisitor();" + opt_in(False, 100) + configure()),
    visitor_scenario("visitor_without_id_migration", "defineVisitor();" + configure(idMigrationEnabled=False)),
    visitor_scenario("visitor_with_amcv_cookie", "defineVisitor();" + configure(),
                     cookies=[{"name": "AMCV_ABC123%40AdobeOrg", "value": "MCMID|424242|MCAID|NONE",
                               "url": "http://127.0.0.1/"}]),
]

# The optional contexts: Chromium has navigator.userAgentData, so both libraries ask it for the same hints.
SCENARIOS += [
    Scenario("context_high_entropy_user_agent_hints",
             configure(context=["web", "highEntropyUserAgentHints"])
             + "record(alloy('sendEvent', {xdm: {eventType: 'one'}}));",
             edge_default=IDENTITY_ANSWER, requests=1),
    # The referrer goes on the first event only, then "" until it changes.
    Scenario("context_one_time_analytics_referrer",
             "Object.defineProperty(document, 'referrer', {get: function () {"
             " return 'https://search.example.org/?q=shoes'; }});"
             + configure(context=["web", "oneTimeAnalyticsReferrer"])
             + "record(alloy('sendEvent', {xdm: {eventType: 'one'}}));"
             + "record(alloy('sendEvent', {xdm: {eventType: 'two'}}));",
             edge_default=IDENTITY_ANSWER, requests=2),
]

# eventGroupingEnabled: an internal link click is held, then sent with the next event that has a page name.
SCENARIOS.append(Scenario(
    "click_event_grouping",
    "document.addEventListener('click', function (e) { e.preventDefault(); });"
    + configure(clickCollection={"eventGroupingEnabled": True})
    + "record(alloy('sendEvent', {xdm: {web: {webPageDetails: {name: 'home'}}}}).then(function () {"
    " document.getElementById('internal').click();"
    " return new Promise(function (r) { setTimeout(r, 300); }); }).then(function () {"
    " return alloy('sendEvent', {xdm: {web: {webPageDetails: {name: 'specials'}}}}); }));",
    body=CLICK_PAGE, edge_default=IDENTITY_ANSWER, requests=2, settle_ms=800))
