"""alloy-py.js boots from the memory snapshot, and falls back to a normal boot when it cannot.

What the page really did is read off the wire: which files were fetched (and
when), the Edge requests, the console.
"""
from __future__ import annotations

import gzip
import json
import struct
import sys
import zipfile

import pytest
from alloy_py_dev.repo import DIST, ROOT
from alloy_py_dev.samples import IDENTITY_ANSWER, IDENTITY_COOKIE

from tests.support.pages import configure_js, page_html

sys.path.insert(0, str(ROOT / "tools"))
import build_snapshot  # noqa: E402

WARNING = "alloy-py: the memory snapshot could not be used"


def snapshot_bytes(manifest: dict) -> bytes:
    """The file served: Pyodide's snapshot without its zero pages."""
    return (DIST / manifest["snapshot"]).read_bytes()


def site_root(page) -> str:
    """The test server's origin and the loader's base, as the page saw it."""
    return page.evaluate("() => new URL('/', location.href).href")


class Wire:
    """Every request the page made, in order, and its console."""

    def __init__(self, page) -> None:
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.responses: dict[str, dict] = {}
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", lambda r: self.responses.__setitem__(r.url, r.all_headers()))
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.console.append(("pageerror", str(e))))

    def index(self, fragment: str) -> int:
        return next(i for i, url in enumerate(self.requests) if fragment in url)

    def fetched(self, fragment: str) -> bool:
        return any(fragment in url for url in self.requests)

    def warnings(self) -> list[str]:
        return [text for kind, text in self.console if kind == "warning"]


QUEUED = f"""
  window.order = [];
  {configure_js(thirdPartyCookiesEnabled=False)}.then(function () {{ order.push('configure'); }});
  alloy('sendEvent', {{xdm: {{eventType: 'first'}}}}).then(function () {{ order.push('first'); }});
  alloy('sendEvent', {{xdm: {{eventType: 'second'}}}}).then(function () {{ order.push('second'); }});
"""


def test_snapshot_files_match_the_pinned_pyodide(dist_manifest) -> None:
    served = snapshot_bytes(dist_manifest)
    snapshot = build_snapshot.expand(served)
    wasm = DIST / "pyodide" / "pyodide.asm.wasm"
    build_snapshot.verify(snapshot, build_snapshot.wasm_initial_memory(wasm))  # magic, BUILD_ID, heap size
    assert build_snapshot.sparse(snapshot) == served and len(served) < len(snapshot) / 2
    assert dist_manifest["pyodide"] == build_snapshot.PYODIDE_VERSION
    assert gzip.decompress((DIST / (dist_manifest["snapshot"] + ".gz")).read_bytes()) == served
    assert (DIST / (dist_manifest["snapshot"] + ".br")).stat().st_size < len(served) / 2
    with zipfile.ZipFile(DIST / dist_manifest["zip"]) as zf:
        names = zf.namelist()
    assert "alloy_py/browser/bridge.pyc" in names and not any("emulator" in n or n.endswith(".py") for n in names)


def test_boot_restores_the_snapshot_and_fetches_no_zip(page, add_page, edge, dist_manifest) -> None:
    wire = Wire(page)
    edge.set_default(IDENTITY_ANSWER)
    # Served 404 (in-memory pages win over files): if an import did need it, it would warn.
    add_page("/pyodide/python_stdlib_pyc.zip", "gone", status=404)
    page.goto(add_page("/t/snapshot.html", page_html(QUEUED, loader_attrs="data-debug")))
    page.wait_for_function("() => window.order.length === 3", timeout=60_000)
    assert page.evaluate("() => window.order") == ["configure", "first", "second"]
    assert [r["body"]["events"][0]["xdm"]["eventType"] for r in edge.requests] == ["first", "second"]
    assert page.evaluate("() => window.__alloyPy.snapshot") is True
    # V8's table.get() is the export: tools/patch_pyodide.py changes nothing here (WebKit: test_webkit.py).
    assert page.evaluate("() => window.__alloyPy.pyodide._module.alloyPyTableAliases") == 0
    snapshot = wire.responses[next(u for u in wire.requests if "/pyodide/snapshot-" in u)]
    assert snapshot.get("content-encoding") in ("br", "gzip")  # the pre-compressed variant, decoded by the browser
    # Nothing of the normal boot (no wheel, no lock file) and, once the page is idle, still no zip.
    page.evaluate("() => new Promise(function (done) {"
                  " requestIdleCallback(function () { setTimeout(done, 1500); }); })")
    assert not wire.fetched(".whl") and not wire.fetched("pyodide-lock.json")
    assert not wire.fetched("python_stdlib_pyc.zip") and not wire.fetched(dist_manifest["zip"])
    assert not wire.warnings(), wire.console
    # An import the snapshot lacks asks for them; when that fails, one warning says what is lost.
    error = page.evaluate("""() => { try { window.__alloyPy.pyodide.runPython("import colorsys"); }
                                     catch (e) { return e.message; } }""")
    assert error and ("EOFError" in error or "ZipImportError" in error), error
    assert wire.fetched("python_stdlib_pyc.zip")
    assert [t for t in wire.warnings() if t.startswith("alloy-py")] == [
        f"alloy-py: {site_root(page)}pyodide/python_stdlib_pyc.zip: HTTP 404: "
        "modules not in the snapshot cannot be imported."], wire.console


def test_a_tampered_zip_is_refused_after_a_restore(page, add_page, edge, dist_manifest) -> None:
    """A synchronous request takes no integrity: Python checks what was written, and removes it."""
    stdlib = (DIST / "pyodide/python_stdlib_pyc.zip").read_bytes()
    middle = len(stdlib) // 2  # one bit: still a zip of the same size, with the same tables
    add_page("/pyodide/python_stdlib_pyc.zip", stdlib[:middle] + bytes([stdlib[middle] ^ 1]) + stdlib[middle + 1:],
             content_type="application/octet-stream")
    wire = Wire(page)
    edge.set_default(IDENTITY_ANSWER)
    page.goto(add_page("/t/tampered-zip.html", page_html(QUEUED, loader_attrs="data-debug")))
    page.wait_for_function("() => window.order.length === 3", timeout=60_000)
    assert page.evaluate("() => window.__alloyPy.snapshot") is True
    result = page.evaluate("""() => { var py = window.__alloyPy.pyodide;
        var error = null;
        try { py.runPython("import colorsys"); } catch (e) { error = e.message; }
        return {error: error, written: py.FS.analyzePath("/lib/python314.zip").exists,
                zip: py.FS.analyzePath("/lib/alloy_py.zip").exists}; }""")
    assert wire.fetched("python_stdlib_pyc.zip") and wire.fetched(dist_manifest["zip"])
    assert "/lib/python314.zip is not the file alloy-py.js was built with (integrity)" in result["error"], result
    assert result["written"] is False and result["zip"] is True, result  # only the file that differs is removed


def test_every_command_runs_after_a_restore_without_the_zips(page, add_page, edge) -> None:
    """Nothing any command runs imports a module the snapshot lacks: a request for either zip would be held."""
    held: list = []
    page.route("**/python_stdlib_pyc.zip", lambda route: held.append(route))
    page.route("**/alloy_py-*.zip", lambda route: held.append(route))
    wire = Wire(page)
    answer = {"requestId": "r", "handle": [
        *IDENTITY_ANSWER["handle"],
        {"type": "personalization:decisions", "payload": [
            {"id": "hero-1", "scope": "__view__", "scopeDetails": {"decisionProvider": "TGT"},
             "items": [{"id": "a", "schema": "https://ns.adobe.com/personalization/dom-action",
                        "data": {"type": "setHtml", "selector": "#hero", "content": "<b>Welcome</b>"}}]}]},
    ]}
    edge.set_default(answer)
    script = f"""
      window.results = {{}};
      function record(name, promise) {{
        return promise.then(function (v) {{ results[name] = v === undefined ? null : v; }},
                            function (e) {{ results[name] = 'rejected: ' + e.message; }});
      }}
      window.all = Promise.all([
        record('configure', {configure_js(clickCollectionEnabled=True, prehidingStyle='#hero {opacity: 0}')}),
        record('setDebug', alloy('setDebug', {{enabled: true}})),
        record('sendEvent', alloy('sendEvent', {{renderDecisions: true,
          personalization: {{decisionScopes: ['hero-banner']}}, xdm: {{eventType: 'web.webpagedetails.pageViews'}}}})),
        record('getIdentity', alloy('getIdentity', {{namespaces: ['ECID']}})),
        record('appendIdentityToUrl', alloy('appendIdentityToUrl', {{url: 'https://example.com/next#top'}})),
        record('getLibraryInfo', alloy('getLibraryInfo')),
        record('createEventMergeId', alloy('createEventMergeId')),
        record('unknown', alloy('nope', {{}})),
      ]).then(function () {{
        return record('unloading', alloy('sendEvent', {{documentUnloading: true, xdm: {{eventType: 'bye'}}}}));
      }});
      // Last: without a consent cookie from the Edge, consent then stays pending.
      window.consent = function () {{
        return record('setConsent', alloy('setConsent', {{consent: [{{standard: 'Adobe', version: '2.0',
          value: {{collect: {{val: 'y'}}}}}}]}}));
      }};
    """
    html = page_html(script, loader_attrs="data-debug").replace("<h1>shop</h1>",
                                     '<div id="hero">Default</div><a id="out" href="#next">next</a>')
    page.goto(add_page("/t/commands.html", html))
    page.wait_for_function("() => window.results.unloading !== undefined", timeout=60_000)
    page.click("#out")
    edge.wait_for(1, predicate=lambda r: r["body"] and "linkClicks" in json.dumps(r["body"]), timeout=30, page=page)
    page.evaluate("() => window.consent()")
    results = page.evaluate("() => window.results")
    assert page.evaluate("() => window.__alloyPy.snapshot") is True
    failed = {k: v for k, v in results.items() if isinstance(v, str) and v.startswith("rejected") and k != "unknown"}
    assert not failed, failed
    assert results["unknown"].startswith("rejected: [alloy] The nope command does not exist.")
    assert results["getIdentity"]["identity"]["ECID"] == "12345678901234567890123456789012345678"
    assert "adobe_mc=" in results["appendIdentityToUrl"]["url"]
    assert results["getLibraryInfo"]["libraryInfo"]["commands"]
    assert page.inner_html("#hero") == "<b>Welcome</b>"
    assert edge.matching("/collect", beacon=True)
    assert held == [] and not wire.fetched(".whl")  # no command asked for either zip
    # An import the snapshot lacks fetches both first, written where the
    # snapshot's zipimport tables expect them, and then finds its module.
    page.unroute("**/python_stdlib_pyc.zip")
    page.unroute("**/alloy_py-*.zip")
    assert page.evaluate("""() => window.__alloyPy.pyodide.runPython(
        "import colorsys; colorsys.rgb_to_hsv(1, 0, 0)[2]")""") == 1
    assert wire.fetched("python_stdlib_pyc.zip") and wire.fetched("/alloy_py-")
    assert page.evaluate("() => performance.getEntriesByName('alloy-py:files').length") == 1
    assert not [t for t in wire.warnings() if "alloy-py" in t], wire.console


def _corrupt_build_id(served: bytes) -> bytes:
    """Flip a byte of the BUILD_ID in Pyodide's header (the first run, after the run table)."""
    at = 20 + 8 * struct.unpack_from("<I", served, 16)[0] + 16
    return served[:at] + bytes([served[at] ^ 0xFF]) + served[at + 1:]


@pytest.mark.parametrize("how", ["garbage", "build-id", "truncated", "missing", "hangs"])
def test_a_snapshot_that_fails_falls_back_to_a_normal_boot(page, add_page, edge, dist_manifest, how) -> None:
    # Served by the test server (in-memory pages win over files): a 30 MB body
    # through Playwright's route.fulfill would take seconds.
    path = "/" + dist_manifest["snapshot"]
    if how == "hangs":
        page.route("**" + path, lambda route: None)  # never answered
    elif how == "missing":
        add_page(path, "gone", status=404)
    else:
        real = snapshot_bytes(dist_manifest)
        add_page(path, {"garbage": b"not a snapshot at all!" * 4096, "build-id": _corrupt_build_id(real),
                        "truncated": real[: len(real) // 2]}[how])
    wire = Wire(page)
    attrs = 'data-boot-timeout="16000"' if how == "hangs" else ""
    page.goto(add_page("/t/fallback.html", page_html(QUEUED, loader_attrs=attrs)))
    page.wait_for_function("() => window.order.length === 3", timeout=60_000)
    assert page.evaluate("() => window.order") == ["configure", "first", "second"]
    assert [r["body"]["events"][0]["xdm"]["eventType"] for r in edge.requests] == ["first", "second"]
    assert page.evaluate("() => window.__alloyPy.snapshot") is False
    warnings = [t for t in wire.warnings() if t.startswith("alloy-py")]
    assert len(warnings) == 1 and warnings[0].startswith(WARNING), wire.console
    # A changed file is refused by its integrity before its header is read.
    changed = "is not the file this alloy-py.js was built with"
    expected = {"garbage": changed, "build-id": changed,
                "hangs": "took more than 8000 ms", "missing": "HTTP 404", "truncated": changed}[how]
    assert expected in warnings[0]
    assert wire.fetched("python_stdlib_pyc.zip") and wire.fetched(dist_manifest["zip"])


def test_data_snapshot_off_boots_without_it(page, add_page, edge, dist_manifest) -> None:
    wire = Wire(page)
    page.goto(add_page("/t/off.html", page_html(QUEUED, loader_attrs='data-snapshot="off"')))
    page.wait_for_function("() => window.order.length === 3", timeout=60_000)
    assert len(edge.requests) == 2
    assert page.evaluate("() => window.__alloyPy.snapshot") is False
    assert not wire.fetched("/pyodide/snapshot-") and not wire.fetched(".whl")
    assert not wire.warnings(), wire.console


ENTROPY = """() => window.__alloyPy.pyodide.runPython(`
import random, uuid, time
[random.random(), str(uuid.uuid4()), time.time(), hash("alloy-py")]
`).toJs()"""


def test_two_page_loads_do_not_share_entropy(context, page, add_page, edge, browser) -> None:
    edge.set_default(IDENTITY_ANSWER)
    url = add_page("/t/entropy.html", page_html(f"""
      {configure_js(thirdPartyCookiesEnabled=False)};
      window.sent = alloy('sendEvent', {{}});
      window.identity = window.sent.then(function () {{ return alloy('getIdentity', {{namespaces: ['ECID']}}); }});
      window.jsRandom = Math.random();
    """, loader_attrs="data-debug"))
    loads = []
    for _ in range(2):
        page.goto(url)
        page.wait_for_function("() => window.__alloyPy !== undefined && window.__alloyPy.snapshot", timeout=60_000)
        identity = page.evaluate("() => window.identity")
        loads.append({"entropy": page.evaluate(ENTROPY), "js": page.evaluate("() => window.jsRandom"),
                      "ecid": identity["identity"]["ECID"], "now": page.evaluate("() => Date.now() / 1000")})
    first, second = edge.requests
    assert first["query"]["requestId"] != second["query"]["requestId"]
    # The visitor keeps its ECID: the second load sends the identity cookie the first one got.
    assert "entries" not in first["body"]["meta"]["state"]
    assert IDENTITY_COOKIE in [e["key"] for e in second["body"]["meta"]["state"]["entries"]]
    assert loads[0]["ecid"] == loads[1]["ecid"]
    (r1, u1, t1, h1), (r2, u2, t2, h2) = loads[0]["entropy"], loads[1]["entropy"]
    assert r1 != r2 and u1 != u2 and loads[0]["js"] != loads[1]["js"]
    # the clock is the page's, not the build's
    assert abs(t1 - loads[0]["now"]) < 5 and abs(t2 - loads[1]["now"]) < 5
    assert h1 == h2  # hash() is seeded once per snapshot build (README, Performance)
    # Another visitor: no identity of the first one.
    other = browser.new_context(service_workers="block")
    try:
        from tests.support.edge_mock import EdgeMock

        other_edge = EdgeMock(other, edge.origin)
        other_page = other.new_page()
        other_page.goto(url)
        # Its sendEvent (its Edge answers without an identity: getIdentity may follow with an acquire).
        [request] = other_edge.wait_for(1, timeout=60, page=other_page, path_contains="/interact")
        assert "entries" not in request["body"]["meta"]["state"]
        assert request["query"]["requestId"] not in (first["query"]["requestId"], second["query"]["requestId"])
    finally:
        other.close()
