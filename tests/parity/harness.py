"""Differential parity harness: one scenario, run by alloy.js 2.33.1 and by alloy-py.

A :class:`Scenario` is a page (base code + a command script + the library's
script tag) with planted cookies and scripted Edge answers. :func:`run` loads it
once per library in a fresh browser context at the same URL and returns a
record (Edge requests, command results, cookies, storage keys, and the
outerHTML of the scenario's ``dom`` selectors once it settled; when the scenario
asks, the pixel requests to ``*.pixels.test`` with their frame and Referer, the
console lines it names and each cookie's attributes; for a scenario that expects
``navigations`` (redirect offers), the page's state as it left, the requests for
``LANDING_ORIGIN`` and where the page landed, with its history length).
Service workers are blocked unless the scenario gives one (``service_worker``,
served at ``SERVICE_WORKER_PATH``); ``permissions`` are granted to the context.
:func:`normalize` masks the values that differ on every run; :func:`diff` lists
the paths where two records differ.
"""
from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from alloy_py_dev.repo import ALLOY_REFERENCE_DIST, DIST
from alloy_py_dev.samples import BASE_CODE

from tests.support.edge_mock import EdgeMock

LIBRARIES = {
    "alloy.js": "/vendor/alloy/alloy.js",
    "alloy-py": "/alloy-py.js",
}
PAGE_PATH = "/parity/page.html"
SERVICE_WORKER_PATH = "/parity/sw.js"
MASK = "<masked>"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
# Where redirect offers send the page: its requests are recorded and answered with LANDING_HTML;
# a scenario that expects ``navigations`` records the page's state as it leaves (beforeunload).
LANDING_ORIGIN = "https://landing.example"
LANDING_HTML = "<!doctype html><title>landing</title><p>landed</p>"

# Injected before the command script: record(promise) keeps the command's
# resolved value (JSON) or rejection message, in call order.
RECORDER = """
window.__parity = {results: [], pending: 0, done: false};
function record(promise) {
  var p = window.__parity, i = p.results.length;
  p.results.push('<pending>'); p.pending++;
  function settle(v) { p.results[i] = v; if (--p.pending === 0) p.done = true; }
  return Promise.resolve(promise).then(function (value) {
    var out; try { out = value === undefined ? null : JSON.parse(JSON.stringify(value)); }
    catch (e) { out = '<unserializable>'; }
    settle({resolved: out}); return value;
  }, function (error) {
    settle({rejected: String(error && error.message !== undefined ? error.message : error)});
  });
}
"""
FINISH = "if (window.__parity.pending === 0) window.__parity.done = true;"


@dataclass
class Scenario:
    name: str
    script: str                      # JS run right after the base code; uses record(...)
    body: str = "<h1>shop</h1>"      # page <body> HTML
    cookies: list[dict] = field(default_factory=list)   # for context.add_cookies
    edge_answers: list[dict] = field(default_factory=list)  # {status, headers, body}, in order
    edge_default: Any = None         # default Edge body (None: EdgeMock's requestId echo)
    requests: int = 0                # Edge requests to wait for
    intended: dict[str, str] = field(default_factory=dict)  # path prefix -> reason
    fast: bool = False               # part of the `make test` subset
    xfail: str | None = None         # a known, reported DIFF
    dom: list[str] = field(default_factory=lambda: ["body"])  # CSS selectors whose outerHTML is recorded
    settle_ms: int = 300             # wait after the results, for display notifications and rendering
    navigations: int = 0             # page navigations to LANDING_ORIGIN to wait for (redirect offers)
    host: str | None = None          # the page's host instead of 127.0.0.1 (e.g. www.shop.localhost: loopback)
    pixels: bool = False             # answer and record requests to *.pixels.test (ID syncs, URL destinations)
    cookie_details: bool = False     # record each cookie's path, expiry (hours from now), SameSite, Secure
    console: list[str] = field(default_factory=list)  # record console messages containing one of these
    service_worker: str | None = None  # a service worker script served at SERVICE_WORKER_PATH (else workers blocked)
    permissions: list[str] = field(default_factory=list)  # granted to the page (context.grant_permissions)
    query: str = ""                  # the page URL's query (with its "?"), e.g. ad click ids
    # Third-party pages and scripts served locally: (URL regex, content type, body); the requests
    # for them are recorded (sorted URLs) as "fakes".
    fakes: list[tuple[str, str, str]] = field(default_factory=list)
    # A real site's way (tests/parity/scenarios_site.py): the page served with this
    # Content-Security-Policy, its inline scripts with the nonce SITE_NONCE; the base code
    # replaced; with ``module_sdk`` no script tag: the script imports SITE_SDK, where each library
    # is served renamed in place (alloy-py with its folder beside it).
    csp: str | None = None
    base_code: str = BASE_CODE
    module_sdk: bool = False


# What a run records of the page; also run by the page itself as it leaves (redirects).
STATE_JS = """(selectors) => ({
    results: window.__parity.results,
    localStorage: Object.keys(localStorage).sort(),
    sessionStorage: Object.keys(sessionStorage).sort(),
    dom: Object.fromEntries(selectors.map(function (s) {
        return [s, Array.from(document.querySelectorAll(s), function (e) { return e.outerHTML; })];
    })),
})"""


# A 1x1 transparent GIF: what a pixel server answers. A URL with "fail" in it gets a 404.
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
PIXEL_HOSTS = re.compile(r"^https://[^/]+\.pixels\.test/")
BLOB_URL = re.compile(r"blob:[^\s\"']+/[0-9a-f-]{36}")


def page_html(scenario: Scenario, library: str) -> str:
    leaving = ""
    if scenario.navigations:  # the page's state as it leaves, handed to the harness (__parityLeaving)
        leaving = ("addEventListener('beforeunload', function () {"
                   f" window.__parityLeaving(({STATE_JS})({json.dumps(scenario.dom)})); }});")
    script = f'<script nonce="{SITE_NONCE}">' if scenario.csp else "<script>"
    nonce = f' nonce="{SITE_NONCE}"' if scenario.csp else ""
    tag = "" if scenario.module_sdk else f'<script src="{LIBRARIES[library]}" async{nonce}></script>'
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>parity</title>'
        f"{script}{scenario.base_code}</script>{script}{RECORDER}\n{leaving}\n{scenario.script}\n{FINISH}</script>"
        f"{tag}</head><body>{scenario.body}</body></html>"
    )


SITE_NONCE = "aem"
SITE_SDK = "/plugins/martech/src/alloy.min.js"  # where the AEM martech plugin vendors alloy


def serve_sdk(server: Any, library: str) -> None:
    """Put ``library`` at SITE_SDK as a site does: alloy.js's minified file, or alloy-py's loader
    renamed in place with the rest of its folder (web/dist) beside it."""
    folder = SITE_SDK.rsplit("/", 1)[0] + "/"
    if library == "alloy.js":
        server.add_page(SITE_SDK, (ALLOY_REFERENCE_DIST / "alloy.min.js").read_bytes(), content_type="text/javascript")
    else:
        server.add_mount(folder, DIST)
        server.add_page(SITE_SDK, (DIST / "alloy-py.js").read_bytes(), content_type="text/javascript")


def run(browser: Any, server: Any, scenario: Scenario, library: str, *,
        timeout: float = 60.0) -> dict:
    """Run ``scenario`` with ``library`` in a fresh context; return its raw record."""
    headers = {"Content-Security-Policy": scenario.csp} if scenario.csp else None
    url = server.add_page(PAGE_PATH, page_html(scenario, library), headers=headers)
    if scenario.module_sdk:
        serve_sdk(server, library)
    if scenario.host:
        url = url.replace("//127.0.0.1:", f"//{scenario.host}:", 1)
    url += scenario.query
    if scenario.service_worker is not None:
        server.add_page(SERVICE_WORKER_PATH, scenario.service_worker)
    context = browser.new_context(service_workers="allow" if scenario.service_worker is not None else "block")
    pixels: list[dict] = []
    console: list[str] = []

    def answer_pixel(route: Any, request: Any) -> None:
        try:
            frame = request.frame.name
        except Exception:  # noqa: BLE001 - a request without a frame
            frame = "<no frame>"
        pixels.append({"url": request.url, "frame": frame, "referer": request.headers.get("referer"),
                       "type": request.resource_type})
        if "fail" in request.url:
            route.fulfill(status=404, body="")
        else:
            route.fulfill(status=200, content_type="image/gif", body=GIF)

    try:
        if scenario.permissions:
            context.grant_permissions(scenario.permissions)
        if scenario.pixels:
            context.route(PIXEL_HOSTS, answer_pixel)
        if scenario.cookies:
            context.add_cookies(copy.deepcopy(scenario.cookies))
        edge = EdgeMock(context, server.url)
        edge.set_default(copy.deepcopy(scenario.edge_default))
        for answer in scenario.edge_answers:
            edge.respond_next(copy.deepcopy(answer.get("body")), status=answer.get("status", 200),
                              headers=answer.get("headers"))
        navigations: list[dict] = []  # requests for LANDING_ORIGIN, answered with LANDING_HTML
        page = context.new_page()

        def land(route: Any) -> None:
            request = route.request
            navigations.append({"url": request.url, "method": request.method,
                                "navigation": request.is_navigation_request(),
                                "mainFrame": request.frame == page.main_frame})
            route.fulfill(status=200, content_type="text/html", body=LANDING_HTML)

        context.route(LANDING_ORIGIN + "/**", land)
        faked: list[str] = []
        for pattern, content_type, fake_body in scenario.fakes:
            def serve(route: Any, request: Any, content_type: str = content_type, fake_body: str = fake_body) -> None:
                faked.append(request.url)
                route.fulfill(status=200, content_type=content_type, body=fake_body)

            context.route(re.compile(pattern), serve)
        leaving: list[dict] = []
        if scenario.navigations:
            context.expose_binding("__parityLeaving", lambda source, state: leaving.append(state))
        page_errors: list[str] = []
        if scenario.csp:  # what a site's policy refuses shows as uncaught errors
            page.on("pageerror", lambda error: page_errors.append(str(error).splitlines()[0] if str(error) else ""))
        if scenario.console:
            page.on("console", lambda m: console.append(m.text)
                    if any(part in m.text for part in scenario.console) else None)
        page.goto(url)
        if scenario.requests:
            edge.wait_for(scenario.requests, timeout=timeout, page=page)
        landed = None
        if scenario.navigations:
            deadline = time.monotonic() + timeout
            while (len(navigations) < scenario.navigations or not leaving) and time.monotonic() < deadline:
                page.wait_for_timeout(25)
            if not leaving:
                raise AssertionError(f"the page did not leave for {LANDING_ORIGIN}; navigations: {navigations}")
            page.wait_for_url(LANDING_ORIGIN + "/**", timeout=timeout * 1000)
            page.wait_for_timeout(scenario.settle_ms)  # an unexpected extra request
            state = leaving[0]
            landed = page.evaluate("() => ({href: location.href, historyLength: history.length})")
        else:
            page.wait_for_function("() => window.__parity.done === true", timeout=timeout * 1000)
            # Let display notifications, rendering and an unexpected extra request show up.
            page.wait_for_timeout(scenario.settle_ms)
            state = page.evaluate(STATE_JS, list(scenario.dom))
        if edge.errors:
            raise edge.errors[0]
        now = time.time()
        cookies = sorted(({"name": c["name"], "value": c["value"], "domain": c["domain"],
                           **(_cookie_details(c, now) if scenario.cookie_details else {})}
                          for c in context.cookies()), key=lambda c: (c["name"], c["domain"]))
        requests = [{k: r[k] for k in ("method", "host", "path", "query", "body", "beacon")}
                    for r in edge.requests]
        record = {"requests": requests, "results": state["results"], "cookies": cookies,
                  "localStorage": state["localStorage"], "sessionStorage": state["sessionStorage"],
                  "dom": state["dom"]}
        if scenario.navigations or navigations:
            record["navigations"], record["landed"] = navigations, landed
        if scenario.pixels:
            record["pixels"] = sorted(pixels, key=lambda p: (p["url"], p["frame"]))
        if scenario.console:
            record["console"] = sorted(console)
        if scenario.fakes:
            record["fakes"] = sorted(faked)
        if scenario.csp:
            record["pageErrors"] = sorted(page_errors)
        return record
    finally:
        context.close()
        server.remove_page(PAGE_PATH)
        if scenario.module_sdk:
            server.remove_page(SITE_SDK)
        if scenario.service_worker is not None:
            server.remove_page(SERVICE_WORKER_PATH)


def _cookie_details(cookie: dict, now: float) -> dict:
    expires = cookie.get("expires", -1)
    return {"path": cookie.get("path"), "secure": cookie.get("secure"), "sameSite": cookie.get("sameSite"),
            "expiresInHours": None if expires is None or expires < 0 else round((expires - now) / 3600, 1)}


def normalize(record: dict) -> dict:
    """Mask what differs on every run (ids, times) and the library's own name.

    The recorded DOM is compared exactly (whitespace included), generated
    ``data-aep-interact-id`` values too: both libraries count from 1 per page
    (checked by the render_ajo_interact_id scenario), so nothing is masked there.
    """
    record = copy.deepcopy(record)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in node:
                if key == "eventMergeId":
                    node[key] = MASK
                elif isinstance(node[key], str) and "adobe_mc=TS%3D" in node[key]:
                    node[key] = re.sub(r"TS%3D\d+", "TS%3D" + MASK, node[key])  # appendIdentityToUrl's clock
                else:
                    walk(node[key])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for cookie in record.get("cookies", []):
        if cookie["name"].endswith("_advertising"):  # Advertising's JSON cookie holds its clock's readings
            cookie["value"] = _mask_times(json.loads(unquote(unquote(cookie["value"]))))
    for request in record.get("requests", []):
        if "requestId" in request.get("query", {}):
            request["query"]["requestId"] = MASK
        if UUID.fullmatch(request.get("query", {}).get("sessionId", "")):  # a new conversation's (BrandConcierge)
            request["query"]["sessionId"] = MASK
        body = request.get("body")
        if isinstance(body, dict):
            if "queueTimeMillis" in body.get("meta", {}):
                body["meta"]["queueTimeMillis"] = MASK
            for entry in body.get("meta", {}).get("state", {}).get("entries", []):
                if str(entry.get("key", "")).endswith("_advertising"):  # the cookie, sent to a third-party domain
                    entry["value"] = _mask_times(json.loads(unquote(entry["value"])))
            for event in body.get("events", []):
                xdm = event.get("xdm", {})
                for key in ("timestamp", "implementationDetails"):
                    if key in xdm:
                        xdm[key] = MASK
                if "localTime" in xdm.get("placeContext", {}):
                    xdm["placeContext"]["localTime"] = MASK
                advertising = event.get("query", {}).get("advertising", {})
                if "lastSearchClick" in advertising:
                    advertising["lastSearchClick"] = MASK
    walk(record)  # eventMergeId in bodies and createEventMergeId results; adobe_mc timestamps
    for selector, htmls in record.get("dom", {}).items():  # blob URLs (in-app messages' iframes): a new id each
        record["dom"][selector] = [BLOB_URL.sub("blob:" + MASK, html) for html in htmls]
    return record


def _mask_times(node: Any) -> Any:
    """Epoch milliseconds (numbers past 2001) masked, the rest kept."""
    if isinstance(node, dict):
        return {key: _mask_times(value) for key, value in node.items()}
    if isinstance(node, (int, float)) and not isinstance(node, bool) and node > 1e12:
        return MASK
    return node


def diff(ours: Any, reference: Any, path: str = "") -> list[str]:
    """Paths where two (normalized) records differ, e.g. ``requests[0].body.events[0].xdm.web``."""
    if isinstance(ours, dict) and isinstance(reference, dict):
        out = []
        for key in list(reference) + [k for k in ours if k not in reference]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in ours or key not in reference:
                out.append(sub)
            else:
                out += diff(ours[key], reference[key], sub)
        return out
    if isinstance(ours, list) and isinstance(reference, list):
        out = []
        for i in range(max(len(ours), len(reference))):
            sub = f"{path}[{i}]"
            if i >= len(ours) or i >= len(reference):
                out.append(sub)
            else:
                out += diff(ours[i], reference[i], sub)
        return out
    return [] if ours == reference and type(ours) is type(reference) else [path]


def split_intended(paths: list[str], intended: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Return (undeclared paths, {declared path: reason})."""
    undeclared, declared = [], {}
    for p in paths:
        prefix = next((i for i in intended if p == i or p.startswith((i + ".", i + "["))), None)
        if prefix is None:
            undeclared.append(p)
        else:
            declared[p] = intended[prefix]
    return undeclared, declared


def lookup(record: Any, path: str) -> Any:
    """The value at ``path`` in a record (for reports), or '<absent>'."""
    import re
    node = record
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        try:
            node = node[int(index)] if index else node[name]
        except (KeyError, IndexError, TypeError):
            return "<absent>"
    return node


def compare(browser: Any, server: Any, scenario: Scenario) -> dict:
    """Run both libraries; return records and the diff split into undeclared/declared."""
    reference = normalize(run(browser, server, scenario, "alloy.js"))
    ours = normalize(run(browser, server, scenario, "alloy-py"))
    undeclared, declared = split_intended(diff(ours, reference), scenario.intended)
    return {"reference": reference, "ours": ours, "undeclared": undeclared, "declared": declared}


def describe(result: dict, limit: int = 5) -> str:
    parts = []
    for p in result["undeclared"][:limit]:
        parts.append(f"{p}: alloy.js={json.dumps(lookup(result['reference'], p))[:160]} "
                     f"alloy-py={json.dumps(lookup(result['ours'], p))[:160]}")
    return "; ".join(parts)
