"""Parity scenarios: a real site's page (issue 21, item 5).

Modelled on Adobe's AEM Edge Delivery boilerplate with its martech plugin, in the project's own
words: the boilerplate's Content-Security-Policy plus only ``'wasm-unsafe-eval'`` (alloy.js runs
under the very same one), the plugin's deferred command queue instead of alloy's base code, the
SDK loaded with ``import()`` from the plugin's folder (alloy-py's loader renamed ``alloy.min.js``
there, its folder beside it), and the plugin's calls: configure with ``onBeforeEventSend`` and
``defaultConsent: "pending"``, a ``decisionScopes`` fetch applied with ``applyPropositions``, the
display report, consent through ``setConsent``, a data-layer event and an SPA view.
"""
from __future__ import annotations

from alloy_py_dev.samples import IDENTITY_ANSWER

from .harness import SITE_SDK, Scenario
from .scenarios import CONFIG, CONSENT_COOKIE, action, decisions, js, proposition

# The boilerplate's head.html policy, with the 'wasm-unsafe-eval' Pyodide's compile needs.
SITE_CSP = ("script-src 'nonce-aem' 'strict-dynamic' 'unsafe-inline' http: https: 'wasm-unsafe-eval'; "
            "base-uri 'self'; object-src 'none'; frame-src 'self' https:; require-trusted-types-for 'script';")

# The plugin's queue: each call is pushed in a task of its own, and forwarded to the SDK if it
# replaced the stub meanwhile.
SITE_QUEUE = """(function (name) {
  (window.__alloyNS = window.__alloyNS || []).push(name);
  var stub = function () {
    var args = Array.prototype.slice.call(arguments);
    return new Promise(function (resolve, reject) {
      setTimeout(function () {
        var sdk = window[name];
        if (sdk !== stub) sdk.apply(null, args).then(resolve, reject);
        else stub.q.push([resolve, reject, args]);
      });
    });
  };
  stub.q = [];
  window[name] = stub;
})("alloy");"""

SITE_BODY = ('<header><a id="cta" href="#offers">See offers</a></header>'
             '<main><div class="section" data-section-status="loaded">'
             '<div class="hero block" data-block-status="loaded"><h1>Welcome</h1></div></div>'
             '<div id="offers" class="section"><p>Default offers</p></div></main>')
SITE_DOM = ["main", "head style"]

# Set the plugin's way: context, pending consent, an onBeforeEventSend that adds the page's
# data-layer state and drops empty objects.
SITE_CONFIG = {**CONFIG, "context": ["web", "device", "environment"], "defaultConsent": "pending",
               "thirdPartyCookiesEnabled": False}
ON_BEFORE_EVENT_SEND = """function (content) {
  var state = (window.adobeDataLayer || []).filter(function (e) { return e && !e.event; })
    .reduce(function (all, e) { return Object.assign(all, e); }, {});
  content.xdm = Object.assign({}, content.xdm, state);
  content.data = content.data || {};
  content.data.__adobe = {analytics: {contextData: {site: 'aem'}}};
  return true;
}"""

HEADLINE = proposition("p-hero", action("hero-1", type="setHtml", selector=".hero h1",
                                        content="Hello, returning visitor"), scope="hero")
OFFERS = proposition("p-offers", action("offers-1", type="setText", selector="#offers p", content="20% off today"),
                     scope="offers")
CART = proposition("p-cart", action("cart-1", type="setText", selector="#offers p", content="Your cart offer"),
                   scope="cart", characteristics={"scopeType": "view"})


def consent(general: str) -> dict:
    return {"body": {**IDENTITY_ANSWER, "handle": [*IDENTITY_ANSWER["handle"], {
        "type": "state:store",
        "payload": [{"key": CONSENT_COOKIE, "value": f"general={general}", "maxAge": 15552000}]}]}}


def consent_call(choice: str) -> str:
    value = "y" if choice == "in" else "n"
    return ("alloy('setConsent', {consent: [{standard: 'Adobe', version: '2.0', value: {"
            f"collect: {{val: '{value}'}}, personalize: {{content: {{val: '{value}'}}}},"
            f" share: {{val: '{value}'}}}}}}]}})")


def site(name: str, flow: str, *, answers: list[dict], requests: int, **kw: object) -> Scenario:
    """The plugin's page load: the SDK imported, then configured; ``flow`` (statements awaiting
    ``alloy(...)``, storing results in ``out``) runs after; everything ends up in one record."""
    script = (
        "window.adobeDataLayer = [{page: {name: 'home'}}];"
        "record((async function () { var out = {};"
        "  function step(key, promise) { return promise.then(function (v) { out[key] = v === undefined ? null : v; },"
        "    function (e) { out[key] = {rejected: String(e && e.message)}; }); }"
        f"  await import({js(SITE_SDK)});"
        f"  var config = {js(SITE_CONFIG)}; config.onBeforeEventSend = {ON_BEFORE_EVENT_SEND};"
        "  await step('configure', alloy('configure', config));"
        f"  {flow}"
        "  return out; })());"
    )
    return Scenario(name, script, body=SITE_BODY, dom=SITE_DOM, csp=SITE_CSP, base_code=SITE_QUEUE,
                    module_sdk=True, edge_answers=answers, edge_default={"requestId": "r", "handle": []},
                    requests=requests, settle_ms=600, **kw)  # type: ignore[arg-type]


# The fetch, as the plugin makes it: no rendering, no display event; it waits for consent.
FETCH = ("var fetched = alloy('sendEvent', {type: 'decisioning.propositionFetch', renderDecisions: false,"
         " personalization: {sendDisplayEvent: false, decisionScopes: ['hero', 'offers']}});")
APPLY = ("await step('fetch', fetched);"
         "var propositions = (out.fetch && out.fetch.propositions || []).filter(function (p) {"
         "  return p.items.some(function (i) {"
         "    return i.schema === 'https://ns.adobe.com/personalization/dom-action'; }); });"
         "await step('apply', alloy('applyPropositions', {propositions: propositions}));"
         "await step('display', alloy('sendEvent', {documentUnloading: true,"
         "  xdm: {eventType: 'decisioning.propositionDisplay',"
         "  _experience: {decisioning: {propositions: propositions.map(function (p) {"
         "    return {id: p.id, scope: p.scope, scopeDetails: p.scopeDetails}; }),"
         "  propositionEventType: {display: 1}}}}}));")
DATA_LAYER_EVENT = ("window.adobeDataLayer.push({event: 'form-submit', xdm: {eventType: 'web.formFilledOut'}});"
                    "await step('dataLayer', alloy('sendEvent', {documentUnloading: true,"
                    " xdm: {eventType: 'web.formFilledOut'},"
                    " data: {form: 'newsletter'}}));"
                    # A beacon may leave after a later fetch: let it go first, so the order is one.
                    "await new Promise(function (resolve) { setTimeout(resolve, 300); });")
SPA_VIEW = ("await step('view', alloy('sendEvent', {renderDecisions: true,"
            " xdm: {web: {webPageDetails: {viewName: 'cart'}}}}));")

SCENARIOS: list[Scenario] = [
    # Consent accepted: the fetch leaves after the consent request; the offers are applied and
    # reported; then a data-layer event and an SPA view that renders its cached view offer.
    site("site_page_load",
         f"{FETCH} await step('consent', {consent_call('in')}); {APPLY} {DATA_LAYER_EVENT} {SPA_VIEW}",
         answers=[consent("in"), {"body": decisions(HEADLINE, OFFERS, CART)}], requests=5, fast=True),
    # Consent declined: nothing but the consent request leaves; the waiting fetch and the later
    # calls settle as alloy.js settles them.
    site("site_consent_declined",
         f"{FETCH} await step('consent', {consent_call('out')}); await step('fetch', fetched); {DATA_LAYER_EVENT}",
         answers=[consent("out")], requests=1),
    # A site that enforces Trusted Types and allows HTML through a default policy: the headline
    # offer renders (without one, setHtml leaves the heading empty in both, as above).
    site("site_trusted_types_policy",
         "trustedTypes.createPolicy('default', {createHTML: function (html) { return html; }});"
         f"{FETCH} await step('consent', {consent_call('in')}); {APPLY}",
         answers=[consent("in"), {"body": decisions(HEADLINE, OFFERS)}], requests=3),
    # A click on the page's call to action once the page has loaded: click collection's event.
    site("site_cta_click",
         "document.addEventListener('click', function (e) { e.preventDefault(); });"
         f"await step('consent', {consent_call('in')});"
         "await step('pageView', alloy('sendEvent', {xdm: {web: {webPageDetails: {name: 'home'}}}}));"
         "document.getElementById('cta').click();"
         "await new Promise(function (resolve) { setTimeout(resolve, 400); });",
         answers=[consent("in")], requests=3),
]
