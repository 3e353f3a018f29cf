"""The hostile catalogue (issue 10): bad calls and malformed Edge answers, as tables.

A case is run on its own instance (``c<n>``, its own datastream ``ds-<n>`` and
org ``ORG<n>@AdobeOrg``, so no cookie or identity of one case reaches another),
all cases of a table at once on one page. For each: the call under test, then
a good ``sendEvent`` (``xdm.eventType = "next"``) on the same instance, or on a
spare one (``n<n>``) when the case's own ``configure`` failed (alloy.js never
settles a command after that). See tests/browser/test_hostile.py.

``INPUT_CASES``: ``(id, call, expect)``; ``call`` is a JS function of the
instance function ``a`` and a good configuration ``cfg``; with ``configure:
False`` the call does its own configure. ``expect`` names what alloy-py does:
``"resolve"`` or a substring of the rejection message.

``ANSWER_CASES``: ``(id, answer, expect)``: the Edge's answer(s) to the case's
requests (a list is used in turn, its last entry then for every later one);
``"hang"`` never answers.
"""

from __future__ import annotations

from typing import Any

DEEP = lambda n, leaf="1": "[" * n + leaf + "]" * n  # noqa: E731


def _deep_js(n: int) -> str:
    return f"(function () {{ var o = {{v: 1}}; for (var i = 0; i < {n}; i++) o = {{o: o}}; return o; }})()"


CYCLIC = "(function () { var o = {a: 1}; o.self = o; return o; })()"
GETTER = ("Object.defineProperty({ok: 1}, 'bad', {enumerable: true, "
          "get: function () { throw new Error('getter boom'); }})")
PROXY_GET = "new Proxy({a: 1}, {get: function () { throw new Error('proxy get boom'); }})"
PROXY_KEYS = "new Proxy({a: 1}, {ownKeys: function () { throw new Error('proxy keys boom'); }})"
REVOKED = "(function () { var r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })()"
TOJSON_THROWS = "{toJSON: function () { throw new Error('toJSON boom'); }}"

# Options of a sendEvent, each in xdm and in data.
VALUES: list[tuple[str, str, str]] = [
    ("date", "new Date(0)", "resolve"),
    ("invalid-date", "new Date(NaN)", "resolve"),
    ("tojson", "{toJSON: function () { return {replaced: true}; }}", "resolve"),
    ("tojson-undefined", "{toJSON: function () { return undefined; }}", "resolve"),
    ("number-object", "new Number(5)", "resolve"),
    ("boolean-object", "new Boolean(false)", "resolve"),
    ("string-object", "new String('boxed')", "resolve"),
    ("nan", "NaN", "resolve"),
    ("infinity", "[Infinity, -Infinity, -0]", "resolve"),
    ("symbol", "Symbol('x')", "resolve"),
    ("array-holes", "[1, undefined, function () {}, Symbol('y'), , 3]", "resolve"),
    ("function", "function named() {}", "resolve"),
    ("bigint", "10n", "Do not know how to serialize a BigInt"),
    ("cyclic", CYCLIC, "circular structure"),
    ("getter-throws", GETTER, "getter boom"),
    ("proxy-get-throws", PROXY_GET, "proxy get boom"),
    ("proxy-keys-throws", PROXY_KEYS, "proxy keys boom"),
    ("revoked-proxy", REVOKED, "revoked"),
    ("tojson-throws", TOJSON_THROWS, "toJSON boom"),
    ("deep-150", _deep_js(150), "resolve"),
    ("deep-5000", _deep_js(5000), "nested deeper than"),
    ("big-integers", "[9007199254740992, 9007199254740993, 1e21, 123456789012345680000, 2e-7, 0.1]", "resolve"),
    ("lone-surrogates", "['\\ud800', 'a\\udfffb', '\\ud83d\\ude00', '\\u0000\\u001f\\u2028']", "resolve"),
    ("surrogate-key", "{'\\ud800': 1}", "resolve"),
    ("map-set-regexp", "[new Map([[1, 2]]), new Set([1]), /x/g, new Error('e')]", "resolve"),
    ("typed-array", "[new Uint8Array([1, 2]), new ArrayBuffer(2), new DataView(new ArrayBuffer(1))]", "resolve"),
    ("promise", "Promise.resolve(1)", "resolve"),
    ("dom-node", "document.body", "resolve"),
    ("null-prototype", "Object.assign(Object.create(null), {a: 1})", "resolve"),
    ("array-with-props", "Object.assign([1, 2], {extra: 3})", "resolve"),
    ("class-instance", "new (class Point { constructor() { this.x = 1; } get y() { return 2; } })()", "resolve"),
    ("proto-keys", "JSON.parse('{\"__proto__\": {\"polluted\": 1}, \"constructor\": 2}')", "resolve"),
]


def _send(where: str, value: str) -> str:
    return f"(a) => a('sendEvent', {{{where}: {{eventType: 'case', v: {value}}}}})" if where == "xdm" else (
        f"(a) => a('sendEvent', {{xdm: {{eventType: 'case'}}, data: {{v: {value}}}}})"
    )


INPUT_CASES: list[dict[str, Any]] = []


def _case(id: str, call: str, expect: str, **extra: Any) -> None:
    INPUT_CASES.append({"id": id, "call": call, "expect": expect, **extra})


for _id, _value, _expect in VALUES:
    _case(f"xdm-{_id}", _send("xdm", _value), _expect)
    _case(f"data-{_id}", _send("data", _value), _expect)

# Commands.
for _id, _call in [
    ("no-command", "(a) => a()"), ("null-command", "(a) => a(null)"), ("number-command", "(a) => a(5)"),
    ("object-command", "(a) => a({})"), ("array-command", "(a) => a([])"), ("true-command", "(a) => a(true)"),
    ("empty-command", "(a) => a('')"), ("wrong-case-command", "(a) => a('sendevent')"),
    ("nan-command", "(a) => a(NaN)"),
]:
    _case(_id, _call, "command does not exist")
for _id, _call in [("unconfigured-no-command", "(a) => a()"), ("unconfigured-send", "(a) => a('sendEvent', {})"),
                   ("unconfigured-null", "(a) => a(null)")]:
    _case(_id, _call, "must be configured first", configure=False, spare=True)

# configure.
for _id, _options, _expect in [
    ("undefined", "undefined", "datastreamId"), ("null", "null", "configuration"), ("number", "5", "configuration"),
    ("string", "'x'", "configuration"), ("array", "[]", "configuration"), ("empty", "{}", "datastreamId"),
    ("symbol-datastream", "{datastreamId: Symbol(), orgId: cfg.orgId}", "datastreamId"),
    ("number-datastream", "{datastreamId: 5, orgId: cfg.orgId}", "datastreamId"),
    ("empty-datastream", "{datastreamId: '', orgId: cfg.orgId}", "datastreamId"),
    ("null-datastream", "{datastreamId: null, orgId: cfg.orgId}", "datastreamId"),
    ("function-datastream", "{datastreamId: function () {}, orgId: cfg.orgId}", "datastreamId"),
    ("symbol-org", "{datastreamId: cfg.datastreamId, orgId: Symbol('o')}", "orgId"),
    ("no-org", "{datastreamId: cfg.datastreamId}", "orgId"),
    ("number-edge-domain", "Object.assign({}, cfg, {edgeDomain: 5})", "edgeDomain"),
    ("object-base-path", "Object.assign({}, cfg, {edgeBasePath: {}})", "edgeBasePath"),
    ("string-debug", "Object.assign({}, cfg, {debugEnabled: 'yes'})", "debugEnabled"),
    ("string-callback", "Object.assign({}, cfg, {onBeforeEventSend: 'x'})", "onBeforeEventSend"),
    ("symbol-callback", "Object.assign({}, cfg, {onBeforeEventSend: Symbol()})", "onBeforeEventSend"),
    ("bad-consent", "Object.assign({}, cfg, {defaultConsent: 'maybe'})", "defaultConsent"),
    ("string-context", "Object.assign({}, cfg, {context: 'web'})", "context"),
    ("number-prehiding", "Object.assign({}, cfg, {prehidingStyle: 5})", "prehidingStyle"),
    ("string-third-party", "Object.assign({}, cfg, {thirdPartyCookiesEnabled: 'no'})", "thirdPartyCookiesEnabled"),
    ("number-overrides", "Object.assign({}, cfg, {edgeConfigOverrides: 5})", "edgeConfigOverrides"),
    ("number-click-collection", "Object.assign({}, cfg, {clickCollection: 5})", "clickCollection"),
    ("cyclic", "(function () { var c = Object.assign({}, cfg); c.self = c; return c; })()", "'self': Unknown field"),
    ("getter-throws", "Object.defineProperty(Object.assign({}, cfg), 'orgId', "
     "{enumerable: true, get: function () { throw new Error('org getter boom'); }})", "org getter boom"),
    ("proxy-throws", "new Proxy(Object.assign({}, cfg), {get: function () { throw new Error('cfg proxy boom'); }})",
     "cfg proxy boom"),
    ("bigint", "Object.assign({}, cfg, {edgeConfigOverrides: {n: 1n}})", "resolve"),
    ("window", "window", "more values than alloy-py reads"),
    ("deep-overrides", "Object.assign({}, cfg, {edgeConfigOverrides: " + _deep_js(5000) + "})", "nested deeper than"),
    ("boxed-datastream", "{datastreamId: new String(cfg.datastreamId), orgId: cfg.orgId}", "resolve"),
    ("tojson-config", "{toJSON: function () { return cfg; }}", "resolve"),
    ("date-datastream", "{datastreamId: new Date(0), orgId: cfg.orgId}", "resolve"),
]:
    _case(f"configure-{_id}", f"(a, cfg) => a('configure', {_options})", _expect, configure=False, spare=True)

# sendEvent options.
for _id, _options, _expect in [
    ("null", "null", "required option"), ("number", "5", "sendEvent"), ("string", "'x'", "sendEvent"),
    ("array", "[]", "sendEvent"), ("symbol", "Symbol()", "sendEvent"), ("function", "function () {}", "sendEvent"),
    ("unknown-key", "{foo: 1}", "foo"), ("xdm-null", "{xdm: null}", "resolve"), ("xdm-number", "{xdm: 5}", "xdm"),
    ("xdm-string", "{xdm: 'x'}", "xdm"), ("xdm-array", "{xdm: []}", "xdm"), ("data-number", "{data: 5}", "data"),
    ("type-number", "{type: 5}", "type"), ("type-symbol", "{type: Symbol()}", "'type'"),
    ("unloading-string", "{documentUnloading: 'yes'}", "documentUnloading"),
    ("render-string", "{renderDecisions: 'yes'}", "renderDecisions"),
    ("scopes-string", "{decisionScopes: 'x'}", "decisionScopes"),
    ("scopes-numbers", "{decisionScopes: [5]}", "decisionScopes"),
    ("personalization-number", "{personalization: 5}", "personalization"),
    ("merge-id-number", "{mergeId: 5}", "mergeId"), ("dataset-id-number", "{datasetId: 5}", "datasetId"),
    ("overrides-string", "{edgeConfigOverrides: 'x'}", "edgeConfigOverrides"),
    ("cyclic-options", CYCLIC, "Unknown field"), ("proxy-options", PROXY_KEYS, "proxy keys boom"),
    ("event-type-number", "{xdm: {eventType: 5}}", "eventType"),
    ("too-large", "{xdm: {eventType: 'case'}, data: {big: 'x'.repeat(70000)}}", "64 KB"),
]:
    _case(f"send-{_id}", f"(a) => a('sendEvent', {_options})", _expect)

# Other commands.
for _id, _call, _expect in [
    ("identity-string", "a('getIdentity', {namespaces: 'ECID'})", "namespaces"),
    ("identity-empty", "a('getIdentity', {namespaces: []})", "namespaces"),
    ("identity-unknown", "a('getIdentity', {namespaces: ['X']})", "namespaces"),
    ("identity-number", "a('getIdentity', 5)", "getIdentity"),
    ("consent-undefined", "a('setConsent')", "consent"),
    ("consent-number", "a('setConsent', {consent: 5})", "consent"),
    ("consent-bad-standard", "a('setConsent', {consent: [{standard: 5}]})", "resolve"),
    ("url-missing", "a('appendIdentityToUrl', {})", "url"),
    ("url-number", "a('appendIdentityToUrl', {url: 5})", "url"),
    ("url-symbol", "a('appendIdentityToUrl', {url: Symbol()})", "url"),
    ("debug-empty", "a('setDebug', {})", "enabled"),
    ("debug-string", "a('setDebug', {enabled: 'yes'})", "enabled"),
    ("debug-null", "a('setDebug', null)", "required option"),
    ("library-info-junk", "a('getLibraryInfo', {x: 1})", "resolve"),
    ("merge-id-junk", "a('createEventMergeId', 5)", "resolve"),
    ("identity-null", "a('getIdentity', null)", None),
    ("consent-null", "a('setConsent', null)", None),
    ("url-null", "a('appendIdentityToUrl', null)", None),
    ("library-info-null", "a('getLibraryInfo', null)", None),
    ("merge-id-null", "a('createEventMergeId', null)", None),
    ("debug-symbol", "a('setDebug', {enabled: Symbol()})", "enabled"),
    ("identity-cyclic", "a('getIdentity', " + CYCLIC + ")", "Unknown field"),
]:
    # An unreadable consent leaves the visitor's consent pending (alloy.js too): the next call goes elsewhere.
    _case(f"cmd-{_id}", f"(a) => {_call}", _expect,
          **({"spare": True, "next_on_spare": True} if "consent" in _id else {}))

# Callbacks.
for _id, _callback, _expect in [
    ("throws", "function () { throw new Error('callback boom'); }", "callback boom"),
    ("throws-number", "function () { throw 5; }", "sendEvent"),
    ("throws-null", "function () { throw null; }", "sendEvent"),
    ("returns-false", "function () { return false; }", "resolve"),
    ("adds-date", "function (c) { c.xdm.when = new Date(0); c.xdm.n = new Number(1); }", "resolve"),
    ("adds-cycle", "function (c) { c.xdm.self = c.xdm; }", "circular structure"),
]:
    _case(f"callback-{_id}", "(a, cfg) => a('configure', Object.assign({}, cfg, {onBeforeEventSend: "
          + _callback + "})).then(function () { return a('sendEvent', {xdm: {eventType: 'case'}}); })",
          _expect, configure=False, spare=True, next_on_spare=True)


# ------------------------------------------------------------------ answers
def _store(items: Any) -> dict[str, Any]:
    return {"handle": [{"type": "state:store", "payload": items}]}


def _handle(kind: str, payload: Any) -> dict[str, Any]:
    return {"handle": [{"type": kind, "payload": payload}]}


OK = "resolve"
STATUS = "The server responded with a status code"
ANSWER_CASES: list[dict[str, Any]] = []
for _id, _answer, _expect in [
    ("empty-200", {"status": 200, "body": ""}, STATUS),
    ("not-json", {"status": 200, "body": "<html>oops</html>"}, STATUS),
    ("json-array", {"status": 200, "body": "[]"}, STATUS),
    ("json-empty-object", {"status": 200, "body": "{}"}, STATUS),
    ("json-null", {"status": 200, "body": "null"}, STATUS),
    ("json-number", {"status": 200, "body": "5"}, STATUS),
    ("json-string", {"status": 200, "body": '"handle"'}, STATUS),
    ("handle-number", {"body": {"handle": 5}}, STATUS),
    ("handle-object", {"body": {"handle": {}}}, STATUS),
    ("handle-junk-items", {"body": {"handle": [5, None, "x", [], {}]}}, OK),
    ("handle-type-number", {"body": {"handle": [{"type": 5, "payload": []}]}}, OK),
    ("store-payload-number", {"body": _store(5)}, OK),
    ("store-payload-string", {"body": _store("x")}, OK),
    ("store-junk-items", {"body": _store([5, None, "x", []])}, OK),
    ("store-key-types", {"body": _store([{"key": 5, "value": {}}, {"key": ["a"], "value": [1, 2]}])}, OK),
    ("store-value-null", {"body": _store([{"key": "k1", "value": None}, {"key": "k2"}])}, OK),
    ("store-bad-percent", {"body": _store([{"key": "k3", "value": "%E0%A4%A"}])}, OK),
    ("store-lone-surrogate", {"status": 200, "body": '{"handle":[{"type":"state:store","payload":'
                              '[{"key":"k4","value":"\\ud800x"}]}]}'}, OK),
    ("store-separators", {"body": _store([{"key": "k5", "value": "a;b=c, d"}])}, OK),
    ("store-max-age-string", {"body": _store([{"key": "k6", "value": "v", "maxAge": "x"}])}, OK),
    ("store-max-age-huge", {"body": _store([{"key": "k7", "value": "v", "maxAge": 1e30}])}, OK),
    ("store-attrs-odd", {"body": _store([{"key": "k8", "value": "v", "attrs": 5},
                                         {"key": "k9", "value": "v", "attrs": {"SameSite": 5}}])}, OK),
    ("identity-payload-number", {"body": _handle("identity:result", 5)}, OK),
    ("identity-odd-items", {"body": _handle("identity:result", [5, {"namespace": 5},
                                                                {"namespace": {"code": 5}, "id": {}}])}, OK),
    ("decisions-payload-number", {"body": _handle("personalization:decisions", 5)}, OK),
    ("decisions-odd-items", {"body": _handle("personalization:decisions", [
        5, None, {"items": 5}, {"id": 1, "scope": 5, "items": [5]}])}, OK),
    ("decisions-odd-fields", {"body": _handle("personalization:decisions", [
        {"id": "p", "scope": "__view__", "scopeDetails": 5, "items": [{"id": "i", "schema": 5, "data": 5}]}])}, OK),
    ("decisions-dom-action-odd", {"body": _handle("personalization:decisions", [
        {"id": "p", "scope": "__view__", "items": [
            {"id": "i", "schema": "https://ns.adobe.com/personalization/dom-action",
             "data": {"type": "setHtml", "selector": 5, "content": {}}},
            {"id": "j", "schema": "https://ns.adobe.com/personalization/dom-action", "data": {"type": 5}},
            {"id": "k", "schema": "https://ns.adobe.com/personalization/html-content-item", "data": "x"}]}])}, OK),
    ("location-hint-odd", {"body": _handle("locationHint:result", [
        {"scope": 5, "hint": {}}, {"scope": "EdgeNetwork", "hint": 5, "ttlSeconds": "x"}])}, OK),
    ("activation-odd", {"body": _handle("activation:pull", 5)}, OK),
    ("warnings-odd", {"body": {"handle": [], "warnings": [5, None, {"code": {}}]}}, OK),
    ("deep-payload", {"status": 200, "body": '{"handle":[{"type":"x","payload":' + DEEP(10000) + "}]}"},
     "nested deeper than"),
    ("deep-body", {"status": 200, "body": DEEP(100000)}, "nested deeper than"),
    ("large-body", {"status": 200, "body": '{"handle":[],"pad":"' + "x" * 1_000_000 + '"}'}, OK),
    ("problem-500", {"status": 500, "body": {"type": "https://ns.adobe.com/aep/errors/EXEG-0201-503", "status": 500}},
     STATUS),
    ("text-400", {"status": 400, "body": "bad request"}, STATUS),
    ("empty-204", {"status": 204, "body": ""}, OK),
    ("teapot", {"status": 418, "body": ""}, STATUS),
    ("redirect-status", {"status": 302, "body": "", "headers": {"location": "/elsewhere"}}, "Network request failed"),
    ("retry-after-3600-429", {"status": 429, "headers": {"retry-after": "3600"}, "body": ""}, STATUS),
    ("retry-after-3600-503", {"status": 503, "headers": {"retry-after": "3600"}, "body": ""}, STATUS),
    ("retry-after-garbage", [{"status": 503, "headers": {"retry-after": "soon"}, "body": ""}, None], OK),
    ("retry-after-past", [{"status": 503, "headers": {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, "body": ""},
                          None], OK),
    ("retry-after-huge", {"status": 503, "headers": {"retry-after": "99999999999999999999"}, "body": ""}, STATUS),
    ("503-then-ok", [{"status": 503, "body": ""}, None], OK),
    ("edge-header-garbage", {"headers": {"x-adobe-edge": ";;;"}}, OK),
    ("edge-header-number", {"headers": {"x-adobe-edge": "or2;99999999999999999999999"}}, OK),
    ("html-content-type", {"headers": {"content-type": "text/html"}}, OK),
    ("bom-body", {"status": 200, "body": "\ufeff{\"handle\":[]}"}, OK),
    ("trailing-garbage", {"status": 200, "body": '{"handle":[]} trailing'}, STATUS),
    ("nan-literal", {"status": 200, "body": '{"handle":[],"x":NaN}'}, STATUS),
    ("hang", "hang", "did not answer"),
]:
    ANSWER_CASES.append({"id": _id, "answer": _answer, "expect": _expect})
