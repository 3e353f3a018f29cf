"""The core browser behaviours of alloy-py, in every installed engine.

Each test opens real pages from the Edge emulator (which serves web/dist too;
pages configure ``edgeDomain: location.origin``) and checks what the page
really did: the requests the server received, the DOM, the cookies, the console.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from alloy_py_dev.emulator import DEMO_DATASTREAM_ID, DEMO_ORG_ID, EdgeEmulator, decode_identity_cookie
from alloy_py_dev.engines import CONSOLE_PATH, click, evaluate, goto, wait
from alloy_py_dev.repo import DIST
from alloy_py_dev.samples import BASE_CODE

from alloy_py.cookies import namespaced_cookie_name
from alloy_py.startup import STORE_PREFIX

IDENTITY_COOKIE = namespaced_cookie_name(DEMO_ORG_ID, "identity")
SNAPSHOT_WARNING = "alloy-py: the memory snapshot could not be used"
PYODIDE_WASM = "/pyodide/pyodide.asm.wasm"


def configure(**extra: Any) -> str:
    options = {"datastreamId": DEMO_DATASTREAM_ID, "orgId": DEMO_ORG_ID, **extra}
    return f"alloy('configure', Object.assign({json.dumps(options)}, {{edgeDomain: location.origin}}))"


def page_html(script: str, *, body: str = "", loader_attrs: str = "") -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>engines</title>
<script src="{CONSOLE_PATH}"></script>
<script>{BASE_CODE}</script><script src="/alloy-py.js" async {loader_attrs}></script></head>
<body>{body}<script>{script}</script></body></html>"""


# Sets window.done to what the promise resolves to, or to {error: message}.
def settle(name: str, promise: str) -> str:
    return (f"({promise}).then(function (v) {{ window.{name} = v === undefined ? null : v; }},"
            f" function (e) {{ window.{name} = {{error: String(e && e.message || e)}}; }});")


PAGE_VIEW = "alloy('sendEvent', {xdm: {eventType: 'web.webpagedetails.pageViews'}, data: {engines: 'page view'}})"


def events(site: EdgeEmulator) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(request record, event) for every event the Edge received, oldest first."""
    return [(r, e) for r in site.requests for e in ((r["body"] or {}).get("events") or [])]


def wait_for_events(site: EdgeEmulator, predicate: Callable[[dict[str, Any]], bool], count: int = 1,
                    timeout: float = 20) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (record, event) pairs whose event matches, once there are ``count`` (or the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [(r, e) for r, e in events(site) if predicate(e)]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def event_type(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: (e.get("xdm") or {}).get("eventType") == name


def served(site: EdgeEmulator, fragment: str) -> list[str]:
    return [path for _, path in site.served if fragment in path]


# Not errors of the page: Firefox reports each cookie it refuses, and alloy's top-level-domain probe
# (alloy.js does the same) tries a cookie on every suffix of the host ("1", "0.1", ... of 127.0.0.1).
BROWSER_NOTICES = re.compile(r"^Cookie “com\.adobe\.alloy\.getTld” has been rejected for invalid domain\.$")


def no_page_errors(run: Any) -> None:
    bad = [(kind, text) for kind, text in run.console
           if (kind in ("error", "pageerror") or kind == "warning" and "alloy" in text)
           and not BROWSER_NOTICES.match(text)]
    assert not bad, run.console


# ---------------------------------------------------------------------------- boot
def test_boots_from_the_memory_snapshot(engine, run, add_page, fresh_site, dist_manifest) -> None:
    url = add_page("/t/snapshot.html", page_html(configure() + ";" + settle("done", PAGE_VIEW)))
    result = run([goto(url), wait("window.done !== undefined"),
                  evaluate("{snapshot: window.__alloyPy.snapshot, done: window.done}")])
    [values] = result.values
    assert values["snapshot"] is True, values
    assert "error" not in values["done"], values
    assert not [w for w in result.warnings() if SNAPSHOT_WARNING in w], result.console
    no_page_errors(result)
    # Restored from the snapshot file: neither zip of the normal boot, nor a wheel.
    assert served(fresh_site, "/" + dist_manifest["snapshot"])
    assert not served(fresh_site, "python_stdlib_pyc.zip") and not served(fresh_site, dist_manifest["zip"])
    assert not served(fresh_site, ".whl")
    # Each file downloaded once: the wasm is fetched by the loader itself (Firefox never hands a
    # preload "as fetch" to a fetch() with integrity). WebKit's import() does not take what its
    # modulepreload fetched, nor does that preload check integrity: the loader's check of each module
    # is a download more there.
    downloads = {name: len(served(fresh_site, "/pyodide/" + name))
                 for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "empty.zip")}
    modules = 3 if engine == "webkit" else 1
    assert downloads == {"pyodide.mjs": modules, "pyodide.asm.mjs": modules, "pyodide.asm.wasm": 1,
                         "empty.zip": 1}, downloads
    assert len(served(fresh_site, "/" + dist_manifest["snapshot"])) == 1
    assert wait_for_events(fresh_site, event_type("web.webpagedetails.pageViews"))


def _broken_snapshot(add_page: Callable[..., str], manifest: dict[str, Any]) -> None:
    real = (DIST / manifest["snapshot"]).read_bytes()
    add_page("/" + manifest["snapshot"], real[: len(real) // 2], content_type="application/octet-stream")


@pytest.mark.parametrize("how", ["off", "broken"])
def test_falls_back_to_a_normal_boot(run, add_page, fresh_site, dist_manifest, how: str) -> None:
    if how == "broken":  # in-memory pages win over files: half the snapshot, served at its path
        _broken_snapshot(add_page, dist_manifest)
    attrs = 'data-snapshot="off"' if how == "off" else ""
    url = add_page("/t/fallback.html", page_html(configure() + ";" + settle("done", PAGE_VIEW), loader_attrs=attrs))
    result = run([goto(url), wait("window.done !== undefined"),
                  evaluate("{snapshot: window.__alloyPy.snapshot, done: window.done}")])
    [values] = result.values
    assert values["snapshot"] is False, values
    assert "error" not in values["done"], values
    warnings = [w for w in result.warnings() if w.startswith("alloy-py")]
    if how == "off":
        assert warnings == [], result.console
        assert not served(fresh_site, "/" + dist_manifest["snapshot"])
    else:
        assert len(warnings) == 1 and warnings[0].startswith(SNAPSHOT_WARNING), result.console
    # The normal boot: the stdlib and alloy_py's zip.
    assert served(fresh_site, "python_stdlib_pyc.zip") and served(fresh_site, dist_manifest["zip"])
    assert wait_for_events(fresh_site, event_type("web.webpagedetails.pageViews"))


# ---------------------------------------------------------------------------- Edge
def test_configure_and_send_event_reach_the_edge(run, add_page, fresh_site) -> None:
    url = add_page("/t/send.html", page_html(
        configure() + ";" + settle("done", PAGE_VIEW + ".then(function (r) {"
                                   " return alloy('getIdentity', {namespaces: ['ECID']}); })")))
    result = run([goto(url), wait("window.done !== undefined"), evaluate("window.done")])
    [identity] = result.values
    assert "error" not in identity, identity
    [(record, event)] = wait_for_events(fresh_site, event_type("web.webpagedetails.pageViews"))
    assert (record["action"], record["status"], record["transport"]) == ("interact", 200, "fetch")
    assert record["configId"] == DEMO_DATASTREAM_ID and record["orgId"] == DEMO_ORG_ID
    assert event["xdm"]["web"]["webPageDetails"]["URL"] == url
    assert event["xdm"]["implementationDetails"]["name"] == "alloy-py"
    assert event["data"] == {"engines": "page view"}
    # The identity the Edge minted: in the answer, in the cookie it set, in what getIdentity says.
    assert record["ecidSource"] == "minted"
    assert identity["identity"]["ECID"] == record["ecid"]
    cookie = result.cookie(IDENTITY_COOKIE)
    assert cookie and decode_identity_cookie(cookie) == record["ecid"], result.cookies
    no_page_errors(result)


# ---------------------------------------------------------------------------- personalization
HERO = '<section id="hero"><h2>Shoes for every trail</h2></section>'


def test_a_personalization_offer_is_rendered_into_the_page(run, add_page, fresh_site) -> None:
    """The emulator's demo decisions answer __view__ with dom-actions on #hero (setHtml, setStyle, setAttribute)."""
    url = add_page("/t/offer.html", page_html(
        configure(prehidingStyle="#hero { opacity: 0 }") + ";"
        + settle("done", "alloy('sendEvent', {renderDecisions: true,"
                 " xdm: {eventType: 'web.webpagedetails.pageViews'}})"),
        body=HERO))
    result = run([goto(url), wait("window.done !== undefined"),
                  wait("document.getElementById('hero').getAttribute('data-offer') === 'running-20'", 20),
                  evaluate("""{html: document.getElementById('hero').innerHTML,
                              background: getComputedStyle(document.getElementById('hero')).backgroundColor,
                              opacity: getComputedStyle(document.getElementById('hero')).opacity,
                              prehiding: !!document.getElementById('alloy-prehiding'),
                              rendered: window.done.propositions.map(function (p) {
                                return [p.id, p.renderAttempted]; })}""")])
    [dom] = result.values
    assert dom["html"] == "<h2>Welcome back!</h2><p>20% off running shoes today.</p>"
    assert dom["background"] == "rgb(253, 230, 138)"
    assert dom["opacity"] == "1" and dom["prehiding"] is False  # shown again
    assert ["emu-view-hero", True] in dom["rendered"], dom
    [(ask, _)] = wait_for_events(fresh_site, event_type("web.webpagedetails.pageViews"))
    assert "emu-view-hero" in ask["decisionIds"]
    # The display notification names the proposition rendered.
    [(_, display)] = wait_for_events(fresh_site, event_type("decisioning.propositionDisplay"))
    shown = [p["id"] for p in display["xdm"]["_experience"]["decisioning"]["propositions"]]
    assert "emu-view-hero" in shown
    no_page_errors(result)


# ---------------------------------------------------------------------------- clicks and beacons
def test_a_link_click_is_collected(run, add_page, fresh_site) -> None:
    landed = add_page("/t/landed.html", "<!doctype html><title>landed</title><p>landed</p>")
    url = add_page("/t/click.html", page_html(
        configure() + ";" + settle("done", PAGE_VIEW),
        body='<p><a id="leave" href="/t/landed.html">Leave this page</a></p>'))
    result = run([goto(url), wait("window.done !== undefined"), click("#leave"),
                  wait("location.pathname === '/t/landed.html'"), evaluate("document.title")])
    assert result.values == ["landed"]
    [(record, event)] = wait_for_events(fresh_site, event_type("web.webinteraction.linkClicks"))
    interaction = event["xdm"]["web"]["webInteraction"]
    assert interaction["URL"] == landed
    assert interaction["name"] == "Leave this page"
    assert interaction["type"] == "other" and interaction["linkClicks"] == {"value": 1}
    assert event["xdm"]["web"]["webPageDetails"]["URL"] == url
    # Sent as the page went away: a beacon to /collect, with the identity the page view got.
    assert (record["action"], record["transport"]) == ("collect", "beacon"), record
    assert record["ecidSource"] == "cookie"


def test_a_beacon_leaves_with_the_page(run, add_page, fresh_site) -> None:
    """A documentUnloading sendEvent from the page's pagehide handler reaches the Edge."""
    landed = add_page("/t/after.html", "<!doctype html><title>after</title>")
    url = add_page("/t/beacon.html", page_html(
        configure() + ";" + settle("done", PAGE_VIEW)
        + "addEventListener('pagehide', function () { alloy('sendEvent', {documentUnloading: true,"
          " xdm: {eventType: 'test.pagehide'}}); });"))
    run([goto(url), wait("window.done !== undefined"), goto(landed), wait("document.title === 'after'")])
    [(record, event)] = wait_for_events(fresh_site, event_type("test.pagehide"))
    assert (record["action"], record["transport"], record["status"]) == ("collect", "beacon", 204), record
    assert event["xdm"]["web"]["webPageDetails"]["URL"] == url
    assert record["ecidSource"] == "cookie"  # the page view's identity went with it


# ---------------------------------------------------------------------------- durable queue
@pytest.fixture
def slow_boot(fresh_site: EdgeEmulator):
    """Pyodide's wasm served 3 s late: the window before Python is up is wide."""
    fresh_site.delay(PYODIDE_WASM, 3.0)
    yield fresh_site
    fresh_site.delay(PYODIDE_WASM, 0)


def test_calls_queued_before_python_survive_a_navigation(run, add_page, slow_boot) -> None:
    queued = "".join(f"alloy('sendEvent', {{xdm: {{eventType: 'test.queued'}}, data: {{n: {n}}}}});"
                     for n in range(3))
    first = add_page("/t/queue-first.html", page_html(configure() + ";" + queued))
    second = add_page("/t/queue-second.html", page_html(configure() + ";" + settle("done", PAGE_VIEW)))
    loader_ran = "window.alloy && window.alloy.q && window.alloy.q.push !== Array.prototype.push"
    stored = f"Object.keys(localStorage).filter(function (k) {{ return k.indexOf('{STORE_PREFIX}') === 0; }})"
    result = run([
        goto(first), wait(loader_ran, 20),
        evaluate("!!window.__alloyPy"),  # Python is not up yet: the wasm is still on its way
        goto(second), evaluate(stored),  # what the first page left, before this one's Python is up
        evaluate("!!window.__alloyPy"),
        wait("window.done !== undefined"), wait(f"{stored}.length === 0", 20),
    ])
    python_up_on_first, left, python_up_on_second = result.values
    assert python_up_on_first is False
    received = wait_for_events(slow_boot, event_type("test.queued"), 3)
    seen = [(r["action"], (e.get("xdm") or {}).get("eventType")) for r, e in events(slow_boot)]
    # Each once. (What the second page found in storage as it loaded, and whether its Python was up
    # then, are only there to say more when this fails.)
    assert sorted(e["data"]["n"] for _, e in received) == [0, 1, 2], (
        seen, {"stored when the second page loaded": left, "its Python up then": python_up_on_second},
        result.console)
    for _, event in received:  # sent by the second page, as made on the first, with their own moment
        assert event["data"]["alloyPy"]["replayed"] is True
        assert event["xdm"]["web"]["webPageDetails"]["URL"] == first
    # In the order they were made (the Edge may receive parallel requests in any order).
    stamps = [e["xdm"]["timestamp"] for _, e in sorted(received, key=lambda pair: pair[1]["data"]["n"])]
    assert stamps == sorted(stamps), stamps


# ---------------------------------------------------------------------------- CSP
CSP = "script-src 'self' 'wasm-unsafe-eval'"


def test_a_page_with_a_strict_csp_works(run, add_page, fresh_site) -> None:
    """No inline script, no eval: only same-origin scripts and WebAssembly."""
    add_page("/t/csp-base.js", BASE_CODE)
    add_page("/t/csp-page.js", "window.violations = [];"
             "document.addEventListener('securitypolicyviolation', function (e) {"
             " violations.push(e.violatedDirective + ' ' + e.blockedURI); });"
             + configure() + ";" + settle("done", PAGE_VIEW))
    url = add_page("/t/csp.html", """<!doctype html><html><head><meta charset="utf-8"><title>csp</title>
<script src="CONSOLE"></script>
<script src="/t/csp-base.js"></script><script src="/alloy-py.js" async></script>
<script src="/t/csp-page.js"></script></head><body><p>csp</p></body></html>""".replace("CONSOLE", CONSOLE_PATH),
                   headers={"Content-Security-Policy": CSP})
    result = run([goto(url), wait("window.done !== undefined"),
                  evaluate("{done: window.done, violations: window.violations, snapshot: window.__alloyPy.snapshot}")])
    [values] = result.values
    assert "error" not in values["done"], values
    assert values["violations"] == [], values
    assert values["snapshot"] is True
    assert wait_for_events(fresh_site, event_type("web.webpagedetails.pageViews"))
    no_page_errors(result)


# ---------------------------------------------------------------------------- integrity
BUILT_WITH = "is not the file this alloy-py.js was built with"


def _tampered(path: str) -> tuple[bytes, str]:
    """The file with a change that still parses (so only its integrity can refuse it), and its type."""
    data = (DIST / path).read_bytes()
    if path.endswith(".mjs"):  # still a module, one that would leave a mark
        return data + b"\n;globalThis.tamperedRan = true;\n", "text/javascript"
    if path.endswith(".wasm"):  # a custom section more: still a valid module
        return data + b"\x00\x09\x08tampered", "application/wasm"
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1:], "application/octet-stream"


@pytest.mark.parametrize("name", ["snapshot", "alloy_py zip", "stdlib zip", "pyodide.mjs", "pyodide.asm.mjs",
                                  "pyodide.asm.wasm"])
def test_a_tampered_file_is_refused(run, add_page, fresh_site, dist_manifest, name: str) -> None:
    """Every file after the loader is checked against the digest built into it (fetch/modulepreload integrity)."""
    path = {"snapshot": dist_manifest["snapshot"], "alloy_py zip": dist_manifest["zip"],
            "stdlib zip": "pyodide/python_stdlib_pyc.zip"}.get(name, "pyodide/" + name)
    body, content_type = _tampered(path)
    add_page("/" + path, body, content_type=content_type)  # in-memory pages win over files
    attrs = 'data-snapshot="off"' if name.endswith(" zip") else ""  # the zips are read by the normal boot
    url = add_page("/t/tampered.html", page_html(configure() + ";" + settle("done", PAGE_VIEW), loader_attrs=attrs))
    result = run([goto(url), wait("window.done !== undefined"),
                  evaluate("{done: window.done, ran: globalThis.tamperedRan === true,"
                           " snapshot: window.__alloyPy ? window.__alloyPy.snapshot : null}")])
    [values] = result.values
    assert served(fresh_site, "/" + path), "the tampered file was not even asked for"
    assert values["ran"] is False, values
    if name == "snapshot":  # refused, and the normal boot takes over
        assert values["snapshot"] is False and "error" not in values["done"], values
        warnings = [w for w in result.warnings() if w.startswith(SNAPSHOT_WARNING)]
        assert len(warnings) == 1 and path in warnings[0] and BUILT_WITH in warnings[0], result.console
        assert wait_for_events(fresh_site, event_type("web.webpagedetails.pageViews"))
        return
    error = values["done"].get("error", "")
    assert error.startswith("[alloy] alloy-py could not start: "), values
    assert path in error and ("could not be loaded" in error or BUILT_WITH in error), error
    assert "Traceback" not in error
    assert not fresh_site.requests, fresh_site.requests
