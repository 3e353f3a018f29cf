"""Monitors in a real page: the functions in their payloads, and that none of them leaks."""

from __future__ import annotations

from alloy_py_dev.samples import IDENTITY_ANSWER

from tests.support.pages import configure_js, page_html

MONITOR = """
window.__seen = [];
window.__kept = [];
window.__alloyMonitors = [{
  onInstanceConfigured: function (d) { window.__getLinkDetails = d.getLinkDetails; },
  onNetworkResponse: function (d) {
    window.__seen.push(d.getHeader('content-type'));
    window.__kept.push(d.getHeader);  // held until the test lets them go
  },
  onBeforeCommand: function (d) { if (d.commandName === 'createEventMergeId') throw new Error('monitor bug'); },
}];
"""

LIVE = "() => window.__alloyPy.pyodide.runPython('from alloy_py.browser import bridge; bridge.live_functions()')"


def test_payload_functions_work_and_are_released(page, add_page, edge) -> None:
    edge.set_default(IDENTITY_ANSWER)
    url = add_page("/t/monitors.html", page_html(MONITOR + f"""
      window.first = {configure_js()}.then(function () {{ return alloy('sendEvent', {{}}); }});
    """, loader_attrs="data-debug").replace(
        "<h1>shop</h1>", '<h1>shop</h1><nav id="menu"><a href="/shoes">Trail shoes</a></nav>'))
    page.goto(url)
    page.wait_for_function("() => window.__seen.length === 1", timeout=60_000)
    details = page.evaluate("() => window.__getLinkDetails(document.querySelector('nav a'))")
    assert (details["linkName"], details["linkRegion"], details["linkType"]) == ("Trail shoes", "menu", "other")
    assert page.evaluate("() => window.__getLinkDetails(document.querySelector('h1'))") == {}
    assert page.evaluate("() => window.__seen[0]").startswith("application/json")
    # A throwing monitor breaks no command; it is reported on the console.
    with page.expect_console_message(lambda m: "monitor bug" in m.text) as message:
        merge = page.evaluate("() => alloy('createEventMergeId')")
    assert isinstance(merge["eventMergeId"], str)
    assert message.value.text == "[alloy] A monitor's onBeforeCommand threw an error: monitor bug"

    for _ in range(40):  # each response hands the page a getHeader function
        page.evaluate("() => alloy('sendEvent', {})")
    assert page.evaluate("() => window.__seen.length") >= 40
    held = page.evaluate(LIVE)
    assert held >= 40  # every getHeader the page holds is registered
    page.evaluate("() => { window.__kept = []; }")
    cdp = page.context.new_cdp_session(page)
    live = page.evaluate(LIVE)
    for _ in range(20):  # FinalizationRegistry callbacks run some time after a collection
        cdp.send("HeapProfiler.collectGarbage")
        page.wait_for_timeout(100)
        live = page.evaluate(LIVE)
        if live <= 3:
            break
    # What the page still holds: getLinkDetails (kept in window).
    assert live <= 3, f"{live} of {held} Python callables still registered after collection"
