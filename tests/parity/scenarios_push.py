"""Parity scenarios: Push Notifications (``pushNotifications``, ``sendPushSubscription``).

Headless Chromium has no push service: with a service worker registered and
notifications granted, ``pushManager.subscribe`` is refused (``AbortError:
Registration failed - permission denied``), which ``push_subscribe_refused``
compares. The other paths stub ``PushManager.prototype.subscribe`` (and
``getSubscription``) in the page before either library loads, the same for both.
Each scenario that configures push reads back what the page left in IndexedDB
for alloy's service worker (``alloyPushNotifications``/``config``), key order
included, and the ``subscriptionDetails`` in localStorage.
"""
from __future__ import annotations

import base64

from alloy_py_dev.samples import IDENTITY_ANSWER, IDENTITY_COOKIE
from alloy_py_dev.samples import IDENTITY_COOKIE_VALUE as ECID_COOKIE_VALUE

from .harness import SERVICE_WORKER_PATH, Scenario
from .scenarios import configure, js

VAPID_KEY = base64.urlsafe_b64encode(bytes([4, *range(1, 65)])).decode().rstrip("=")
PUSH = {"vapidPublicKey": VAPID_KEY, "appId": "web-app", "trackingDatasetId": "6655aa0011bb"}
IDENTITY = [{"name": IDENTITY_COOKIE, "value": ECID_COOKIE_VALUE, "domain": "127.0.0.1", "path": "/"}]
SERVICE_WORKER = "self.addEventListener('install', function () { self.skipWaiting(); });"
DOM_EXCEPTION_REASON = (
    "alloy.js cannot prefix a DOMException's read-only message, so it rejects with the browser's bare words; "
    "alloy-py prefixes them as every command error ('[alloy] [Push Notifications] … Caused by: …', README)"
)
NULL_REASON = (
    "alloy.js's validator accepts pushNotifications: null, then its onComponentsRegistered hook fails configure "
    "with a TypeError (destructuring null); alloy-py takes null as 'not configured' and configure resolves (README)"
)

# pushDb(): what alloy's service worker would read (null when the database was never made);
# pushState(): that, the subscriptionDetails alloy keeps, and what the stubs saw.
HELPERS = """
function pushDb() {
  return indexedDB.databases().then(function (dbs) {
    if (!dbs.some(function (d) { return d.name === 'alloyPushNotifications'; })) return null;
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open('alloyPushNotifications');
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result, out = {version: db.version, stores: Array.from(db.objectStoreNames)};
        if (!db.objectStoreNames.contains('config')) { db.close(); resolve(out); return; }
        var store = db.transaction('config').objectStore('config'), all = store.getAll();
        out.keyPath = store.keyPath;
        all.onerror = function () { db.close(); reject(all.error); };
        all.onsuccess = function () {
          out.records = all.result.map(function (r) {
            var copy = {keys: Object.keys(r)};
            Object.keys(r).forEach(function (k) {
              copy[k] = k === 'timestamp' ? Math.abs(Date.now() - r[k]) < 120000 : r[k];
            });
            return copy;
          });
          db.close(); resolve(out);
        };
      };
    });
  });
}
function pushState() {
  return pushDb().then(function (db) {
    var kept = Object.keys(localStorage).filter(function (k) { return k.indexOf('pushNotifications') >= 0; });
    return {db: db, stored: kept.map(function (k) { return [k, localStorage.getItem(k)]; }),
            stub: window.__push || null};
  });
}
function registered() {
  return navigator.serviceWorker.register('""" + SERVICE_WORKER_PATH + """')
    .then(function () { return navigator.serviceWorker.ready; });
}
"""

# A push service that answers: the same subscription every time, or with renew a new endpoint
# each time; with failFirst, the first subscribe is refused and getSubscription returns an old
# subscription to unsubscribe.
STUB = """
function stubPush(failFirst, renew) {
  var p = window.__push = {subscribe: [], getSubscription: 0, unsubscribe: 0};
  PushManager.prototype.subscribe = function (options) {
    var key = options.applicationServerKey;
    p.subscribe.push({userVisibleOnly: options.userVisibleOnly, uint8: key instanceof Uint8Array,
                      key: Array.from(key), optionKeys: Object.keys(options)});
    if (failFirst && p.subscribe.length === 1) return Promise.reject(new Error('Different key'));
    return Promise.resolve({
      endpoint: 'https://push.example/send/abc' + (renew ? '-' + p.subscribe.length : ''),
      getKey: function (name) {
        var bytes = [];
        for (var i = 0; i < (name === 'auth' ? 16 : 65); i++) bytes.push((i * 37 + (name === 'auth' ? 5 : 11)) % 256);
        return new Uint8Array(bytes).buffer;
      },
    });
  };
  PushManager.prototype.getSubscription = function () {
    p.getSubscription++;
    if (!failFirst) return Promise.resolve(null);
    return Promise.resolve({unsubscribe: function () { p.unsubscribe++; return Promise.resolve(true); }});
  };
}
"""


def push_configure(**extra: object) -> str:
    return configure(pushNotifications=PUSH, **extra)


def subscribe_after(ready: str, times: int = 1) -> str:
    """``times`` sendPushSubscription one after the other once ``ready`` settled, then pushState()."""
    script, previous = "", ready
    for index in range(times):
        script += f"var push{index} = record({previous}.then(function () {{ return alloy('sendPushSubscription'); }}));"
        previous = f"push{index}"
    return script + f"record({previous}.then(pushState));"


def invalid(name: str, push: object) -> Scenario:
    return Scenario(name, HELPERS + configure(pushNotifications=push) + "record(pushDb());")


SCENARIOS: list[Scenario] = [
    Scenario("push_not_configured", HELPERS + configure() + subscribe_after("Promise.resolve()"), fast=True),
    invalid("push_config_missing_fields", {}),
    invalid("push_config_unknown_field", {**PUSH, "extra": 1}),
    invalid("push_config_wrong_type", {**PUSH, "appId": 5}),
    invalid("push_config_not_an_object", "yes"),
    invalid("push_config_empty_key", {**PUSH, "vapidPublicKey": ""}),
    Scenario("push_config_null", HELPERS + configure(pushNotifications=None) + "record(pushDb());",
             intended={"results[0]": NULL_REASON}),
    Scenario("push_library_info", push_configure() + "record(alloy('getLibraryInfo').then(function (r) {"
             " var i = r.libraryInfo; return {configs: i.configs.pushNotifications,"
             " command: i.commands.indexOf('sendPushSubscription') >= 0,"
             " component: i.components.indexOf('Push Notifications') >= 0}; }));"),
    Scenario("push_configure_saves_settings", HELPERS + push_configure(edgeBasePath="ee-x")
             + "record(alloy('getLibraryInfo').then(pushState));"),
    Scenario("push_options_invalid", HELPERS + push_configure()
             + "record(alloy('sendPushSubscription', {foo: 1}));", cookies=IDENTITY),
    Scenario("push_permission_not_granted", HELPERS + push_configure() + subscribe_after("Promise.resolve()"),
             cookies=IDENTITY),
    Scenario("push_no_registration", HELPERS + push_configure() + subscribe_after("Promise.resolve()"),
             cookies=IDENTITY, permissions=["notifications"]),
    Scenario("push_no_service_worker_support", HELPERS + "delete Navigator.prototype.serviceWorker;"
             + push_configure() + subscribe_after("Promise.resolve()"), cookies=IDENTITY,
             permissions=["notifications"]),
    Scenario("push_no_push_manager", HELPERS + "delete window.PushManager;" + push_configure()
             + subscribe_after("Promise.resolve()"), cookies=IDENTITY, permissions=["notifications"]),
    Scenario("push_subscribe_refused", HELPERS + push_configure() + subscribe_after("registered()"),
             cookies=IDENTITY, permissions=["notifications"], service_worker=SERVICE_WORKER,
             intended={"results[1].rejected": DOM_EXCEPTION_REASON}),
    Scenario("push_vapid_key_malformed", HELPERS + STUB + "stubPush(false);"
             + configure(pushNotifications={**PUSH, "vapidPublicKey": "not base64!"})
             + subscribe_after("registered()"), cookies=IDENTITY, permissions=["notifications"],
             service_worker=SERVICE_WORKER, intended={"results[1].rejected": DOM_EXCEPTION_REASON}),
    Scenario("push_subscribe_sent_once", HELPERS + STUB + "stubPush(false);"
             + push_configure(edgeConfigOverrides={"com_adobe_target": {"propertyToken": "t1"}})
             + subscribe_after("registered()", times=2), cookies=IDENTITY, permissions=["notifications"],
             service_worker=SERVICE_WORKER, requests=1, edge_default=IDENTITY_ANSWER, fast=True),
    Scenario("push_renewed_subscription_sent_again", HELPERS + STUB + "stubPush(false, true);" + push_configure()
             + subscribe_after("registered()", times=2), cookies=IDENTITY, permissions=["notifications"],
             service_worker=SERVICE_WORKER, requests=2, edge_default=IDENTITY_ANSWER),
    Scenario("push_resubscribe_after_refusal", HELPERS + STUB + "stubPush(true);" + push_configure()
             + subscribe_after("registered()"), cookies=IDENTITY, permissions=["notifications"],
             service_worker=SERVICE_WORKER, requests=1, edge_default=IDENTITY_ANSWER),
    Scenario("push_waits_for_identity", HELPERS + STUB + "stubPush(false);" + push_configure()
             + "var ready = registered();"
             + "var pushed = record(ready.then(function () { return alloy('sendPushSubscription'); }));"
             + "record(ready.then(function () {"
             + f" return alloy('sendEvent', {js({'xdm': {'eventType': 'page'}})}); }}));"
             + "record(pushed.then(pushState));",
             permissions=["notifications"], service_worker=SERVICE_WORKER, requests=2,
             edge_default=IDENTITY_ANSWER),
    Scenario("push_consent_declined", HELPERS + STUB + "stubPush(false);" + push_configure(defaultConsent="out")
             + subscribe_after("registered()"), cookies=IDENTITY, permissions=["notifications"],
             service_worker=SERVICE_WORKER),
]
