"""Parity scenarios: monitors (``window.__alloyMonitors``), alloy's hooks in alloy's order.

The page sets a monitor before the library loads (or later, ``late``); every hook call is
recorded as a JSON digest (``DIGEST``): ids, timestamps and the functions in payloads are
digested to presence, ``typeof`` or what calling them returns (``getLinkDetails`` on the
page's links, ``getHeader('content-type')``). The digests are the last recorded result.
Built on tests/parity/scenarios.py's helpers, which adds these to its SCENARIOS: import that module.
"""
from __future__ import annotations

from alloy_py_dev.samples import IDENTITY_ANSWER

from .harness import Scenario
from .scenarios import RENDER_PAGE, action, configure, decisions, js, proposition

LINKS = ('<nav id="menu"><a href="/shoes">Trail shoes</a></nav>'
         '<a id="out" href="https://partner.example.org/reviews">Reviews</a><h1>shop</h1>')

# The monitor: one digest per hook call, in order. ``logs``: also onBeforeLog (level, first argument).
DIGEST = r"""
window.__monitored = [];
var ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
function ids(value) { return JSON.parse(JSON.stringify(value === undefined ? null : value).replace(ID, '<id>')); }
function scopes(payload) {
  var out = {};
  Object.keys(payload || {}).sort().forEach(function (k) {
    var v = payload[k];
    out[k] = Array.isArray(v) ? v.map(function (p) {
      return {id: p && p.id, items: p && p.items ? p.items.map(function (i) { return i && i.id; }) : null};
    }) : (v && typeof v === 'object' ? Object.keys(v).sort() : v);
  });
  return out;
}
var lastRequestId = null;
function digest(hook, d) {
  var o = {hook: hook, instanceName: d.instanceName};
  if ('componentName' in d) o.componentName = d.componentName;
  if (hook === 'onInstanceCreated') o.instance = typeof d.instance;
  if (hook === 'onInstanceConfigured') {
    o.config = {datastreamId: d.config.datastreamId, orgId: d.config.orgId, debugEnabled: d.config.debugEnabled};
    o.getLinkDetails = typeof d.getLinkDetails;
    window.__getLinkDetails = d.getLinkDetails;
  }
  if ('commandName' in d) { o.commandName = d.commandName; o.options = ids(d.options); }
  if (hook === 'onCommandResolved') o.result = Object.keys(d.result).sort();
  if (hook === 'onCommandRejected') o.error = String(d.error && d.error.message);
  if (hook === 'onBeforeNetworkRequest') {
    lastRequestId = d.requestId;
    o.requestId = typeof d.requestId; o.url = d.url.replace(ID, '<id>');
    o.events = (d.payload.events || []).map(function (e) { return e.xdm && e.xdm.eventType; });
  }
  if (hook === 'onNetworkResponse' || hook === 'onNetworkError') {
    o.sameRequestId = d.requestId === lastRequestId; o.url = d.url.replace(ID, '<id>');
    o.payload = typeof d.payload;
  }
  if (hook === 'onNetworkResponse') {
    o.statusCode = d.statusCode; o.body = typeof d.body; o.retriesAttempted = d.retriesAttempted;
    o.handles = d.parsedBody && d.parsedBody.handle ? d.parsedBody.handle.map(function (h) { return h.type; }) : null;
    o.getHeader = typeof d.getHeader; o.contentType = d.getHeader('content-type');
  }
  if (hook === 'onNetworkError') o.error = d.error instanceof Error;
  if (hook === 'onContentHiding' || hook === 'onContentRendering') o.status = d.status;
  if (hook === 'onContentRendering') {
    var p = d.payload || {};
    if (d.status === 'no-offers') o.decisionScopes = p.query && p.query.decisionScopes;
    else if (d.status === 'rendering-started') {
      o.scope = p.scope; o.propositions = (p.propositions || []).map(function (x) { return x.id; });
    } else if (d.status === 'rendering-failed') {
      o.item = p.item && p.item.id; o.proposition = p.propositionDetails && p.propositionDetails.id;
    } else if (d.status === 'rendering-redirect') {
      o.redirect = p.redirect; o.proposition = p.propositionDetails && p.propositionDetails.id;
    } else o.payload = scopes(p);
  }
  if (hook === 'onBeforeLog') {
    o.level = d.level;
    var first = d.arguments[0];
    o.first = typeof first === 'string' ? first.replace(ID, '<id>') : typeof first;
  }
  return o;
}
function monitor(logs) {
  var m = {};
  ['onInstanceCreated', 'onInstanceConfigured', 'onBeforeCommand', 'onCommandResolved', 'onCommandRejected',
   'onBeforeNetworkRequest', 'onNetworkResponse', 'onNetworkError', 'onContentHiding', 'onContentRendering']
    .concat(logs ? ['onBeforeLog'] : []).forEach(function (hook) {
      m[hook] = function (d) { window.__monitored.push(digest(hook, d)); };
    });
  return m;
}
// The digests, once ``promise`` settled and ``ms`` more passed; with getLinkDetails of the page's links.
function monitored(promise, ms) {
  return record(Promise.resolve(promise).catch(function () {}).then(function () {
    return new Promise(function (r) { setTimeout(r, ms || 500); });
  }).then(function () {
    var links = window.__getLinkDetails ? ['nav a', '#out', 'h1'].map(function (s) {
      var e = document.querySelector(s); return e ? window.__getLinkDetails(e) : null;
    }) : null;
    return {monitored: window.__monitored, links: links};
  }));
}
"""


def watched(logs: bool = False) -> str:
    return DIGEST + f"window.__alloyMonitors = [monitor({js(logs)})];"


def monitors(name: str, script: str, *, logs: bool = False, late: bool = False, **kw: object) -> Scenario:
    """``script`` ends with the promise to wait for, as ``last``; the monitor is set first (``late``:
    by the script itself)."""
    setup = DIGEST if late else watched(logs)
    return Scenario(name, setup + script + "monitored(last);", **kw)  # type: ignore[arg-type]


THROWING = ("a monitor that throws breaks alloy.js's command (it rejects with the monitor's error); "
            "alloy-py calls the other monitors, reports the error on the console and the command runs "
            "(README, What differs)")

CONFIGURE_RESOLVED = ("alloy.js notifies configure's onCommandResolved some promise callbacks after its "
                      "configuration settled, interleaved with the hooks of the commands that waited for it; "
                      "alloy-py when its configuration task completes: the same hooks, configure's "
                      "onCommandResolved at another place among them (README, What differs)")


def swapped(result: int, *positions: int) -> dict[str, str]:
    """The digests at ``positions`` of result ``result``: configure's onCommandResolved moved."""
    return {f"results[{result}].resolved.monitored[{p}]": CONFIGURE_RESOLVED for p in positions}


def rendering(name: str, second: dict, **kw: object) -> Scenario:
    """A rendering sendEvent with prehiding: ``p1`` renders now, ``second`` as the scenario has it."""
    return monitors(name, configure(prehidingStyle="#hero { opacity: 0 }")
                    + "var last = alloy('sendEvent', {renderDecisions: true}); record(last);",
                    body=RENDER_PAGE, requests=2, edge_default={"requestId": "r", "handle": []},
                    edge_answers=[{"body": decisions(
                        proposition("p1", action("i1", type="setHtml", selector="#hero", content="<b>New</b>"),
                                    action("i2", type="setText", selector=".promo", content="later")),
                        second)}],
                    intended=swapped(2, 4, 5), **kw)


SCENARIOS: list[Scenario] = [
    monitors("monitors_configure_send",
             configure() + "var last = alloy('sendEvent', {xdm: {eventType: 'web.webpagedetails.pageViews'}});"
             "record(last);",
             body=LINKS, requests=1, edge_default=IDENTITY_ANSWER, fast=True),
    monitors("monitors_rejected_commands",
             "var early = alloy('sendEvent', {}); record(early);" + configure()
             + "var last = alloy('sendEvent', {xdm: 'not an object'}); record(last);",
             intended=swapped(3, 5, 6)),
    monitors("monitors_network_error",
             configure() + "var last = alloy('sendEvent', {xdm: {eventType: 'a'}}); record(last);",
             requests=1, edge_answers=[{"headers": {"access-control-allow-origin": "*"}, "body": IDENTITY_ANSWER}]),
    monitors("monitors_retry",
             configure() + "var last = alloy('sendEvent', {xdm: {eventType: 'a'}}); record(last);",
             requests=2, edge_default=IDENTITY_ANSWER,
             edge_answers=[{"status": 503, "headers": {"retry-after": "1"}, "body": ""}]),
    rendering("monitors_rendering",
              proposition("p2", action("i3", type="setText", selector="#missing-for-ever", content="x")),
              settle_ms=300),
    rendering("monitors_rendering_succeeded",
              proposition("p2", action("i3", type="setAttribute", selector="#logo", content={"alt": "x"}))),
    monitors("monitors_no_offers",
             configure() + "var last = alloy('sendEvent', {renderDecisions: true}); record(last);",
             requests=1, edge_default=IDENTITY_ANSWER),
    monitors("monitors_before_log_debug_off",
             configure() + "var last = alloy('sendEvent', {xdm: {eventType: 'a'}}); record(last);",
             logs=True, requests=1, edge_default=IDENTITY_ANSWER),
    monitors("monitors_added_after_configure",
             configure() + "var last = alloy('configure', {}).catch(function () {}).then(function () {"
             " window.__alloyMonitors = [monitor(false)];"
             " return alloy('sendEvent', {xdm: {eventType: 'a'}}); }); record(last);",
             late=True, requests=1, edge_default=IDENTITY_ANSWER, intended=swapped(2, 1, 2)),
    monitors("monitors_throwing",
             "window.__alloyMonitors.unshift({onBeforeCommand: function (d) {"
             " if (d.commandName === 'sendEvent') throw new Error('monitor bug'); }});"
             + configure() + "var last = alloy('sendEvent', {xdm: {eventType: 'a'}}); record(last);",
             edge_default=IDENTITY_ANSWER,
             intended={"results[1]": THROWING, "results[2].resolved.monitored": THROWING,
                       "requests": THROWING, "cookies": THROWING}),
]
