"""alloy-py.js in WebKit (Safari's engine): the memory snapshot restores, and a sendEvent reaches the Edge.

WebKitGTK's MiniBrowser through WebKitWebDriver (alloy_py_dev/webkit.py); the
page is served, and its Edge requests recorded, by the local Edge emulator.
Before tools/patch_pyodide.py, JavaScriptCore gave Pyodide a different
function table from the one the (Chromium-made) snapshot holds pointers into,
and every page booted the slow way after a warning.
"""
from __future__ import annotations

import json

import pytest
from alloy_py_dev import webkit
from alloy_py_dev.emulator.server import EdgeEmulator
from alloy_py_dev.repo import DIST
from alloy_py_dev.samples import DATASTREAM_ID, ORG_ID

from tests.support.pages import configure_js, page_html

pytestmark = pytest.mark.skipif(webkit.missing() is not None, reason=f"no WebKit: {webkit.missing()}")

SCRIPT = """
  window.warnings = [];
  var warn = console.warn;
  console.warn = function () { warnings.push([].join.call(arguments, ' ')); warn.apply(console, arguments); };
  window.order = [];
  CONFIGURE.then(function () { order.push('configure'); }, function (e) { order.push('rejected: ' + e.message); });
  alloy('sendEvent', {xdm: {eventType: 'webkit.check'}})
    .then(function () { order.push('sendEvent'); }, function (e) { order.push('rejected: ' + e.message); });
"""


def test_webkit_boots_from_the_snapshot_and_sends_to_the_edge(dist_manifest) -> None:
    configure = configure_js(edgeDomain="ORIGIN").replace('"ORIGIN"', "location.origin")
    with EdgeEmulator(static_dir=DIST, datastreams={DATASTREAM_ID: ORG_ID}) as edge, webkit.webkit() as driver:
        html = page_html(SCRIPT.replace("CONFIGURE", configure), loader_attrs="data-debug")
        url = edge.add_page("/t/webkit.html", html)
        driver.get(url)
        webkit.wait_for(driver, "return window.order && window.order.length === 2")
        state = driver.execute_script("""return {
          order: window.order, warnings: window.warnings, snapshot: window.__alloyPy.snapshot,
          aliases: window.__alloyPy.pyodide._module.alloyPyTableAliases,
          restored: performance.getEntriesByName('alloy-py:restored').length,
          fetched: performance.getEntriesByType('resource').map(function (e) { return e.name; }),
          agent: navigator.userAgent}""")
        assert "AppleWebKit" in state["agent"] and "Chrome" not in state["agent"], state["agent"]
        assert state["order"] == ["configure", "sendEvent"], state
        assert state["snapshot"] is True and state["restored"] == 1, state
        assert not state["warnings"], state["warnings"]
        assert any(dist_manifest["snapshot"] in name for name in state["fetched"]), state["fetched"]
        # JavaScriptCore's table.get() is not the export: the patch had slots to teach (Chromium: 0).
        assert state["aliases"] > 0, state
        # On the wire: the emulator received the event, for this datastream, from this page.
        requests = edge.wait_for(1, timeout=30)
        assert [r["action"] for r in requests] == ["interact"], json.dumps(requests)[:2000]
        assert requests[0]["configId"] == DATASTREAM_ID and requests[0]["status"] == 200
        assert [e["xdm"]["eventType"] for e in requests[0]["body"]["events"]] == ["webkit.check"]
