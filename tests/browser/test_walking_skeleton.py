"""The walking skeleton in a real page: base code + alloy-py.js, Edge answered by routes."""

from __future__ import annotations

import json

from alloy_py_dev.samples import DATASTREAM_ID, IDENTITY_ANSWER, IDENTITY_COOKIE, ISSUE_EXAMPLE, ORG_ID

from tests.support.pages import configure_js, page_html


def test_issue_example_send_event(page, add_page, edge) -> None:
    edge.set_default(IDENTITY_ANSWER)
    url = add_page("/t/example.html", page_html(f"""
      {configure_js()};
      window.result = alloy('sendEvent', {json.dumps(ISSUE_EXAMPLE)});
    """))
    page.goto(url)
    [request] = edge.wait_for(1, timeout=60, page=page)
    assert request["method"] == "POST"
    assert request["host"] == "adobedc.demdex.net"  # Chromium counts as third-party-cookie capable
    assert request["path"] == "/ee/v1/interact"
    assert request["query"]["configId"] == DATASTREAM_ID
    assert request["content_type"] == "text/plain; charset=UTF-8"
    assert not request["beacon"]
    payload = request["body"]
    assert list(payload) == ["events", "query", "meta"]
    event = payload["events"][0]
    assert event["xdm"]["eventType"] == "commerce.purchases"
    assert event["xdm"]["web"]["webPageDetails"]["URL"] == url
    assert event["xdm"]["implementationDetails"]["name"] == "alloy-py"
    assert event["data"] == {"cart": {"total": 42}}
    assert event["query"]["personalization"]["decisionScopes"] == ["hero-banner", "__view__"]
    assert payload["query"] == {"identity": {"fetch": ["ECID", "CORE"]}}
    assert payload["meta"]["state"] == {"domain": "127.0.0.1", "cookiesEnabled": True}
    assert "sdkConfig" not in payload["meta"]  # the override names the configured datastream
    resolved = page.evaluate("() => window.result")
    assert resolved["propositions"][0]["id"] == "prop-1"
    assert resolved["propositions"][0]["renderAttempted"] is False
    assert resolved["decisions"][0]["items"][0]["data"]["content"] == {"headline": "Welcome back"}
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies[IDENTITY_COOKIE]["domain"] == "127.0.0.1"
    assert cookies["kndctr_ABC123_AdobeOrg_cluster"]["value"] == "or2"


def test_page_view_then_beacon_on_unload(page, add_page, edge) -> None:
    edge.set_default(IDENTITY_ANSWER)
    url = add_page("/t/beacon.html", page_html(f"""
      {configure_js(thirdPartyCookiesEnabled=False)};
      window.pageView = alloy('sendEvent', {{xdm: {{eventType: 'web.webpagedetails.pageViews',
                                             web: {{webPageDetails: {{name: 'home'}}}}}}}});
      window.pageView.then(function () {{
        window.exit = alloy('sendEvent', {{documentUnloading: true,
                                          xdm: {{eventType: 'web.webinteraction.linkClicks'}}}});
      }});
    """))
    page.goto(url)
    edge.wait_for(2, timeout=60, page=page)
    page_view, beacon = edge.requests
    assert (page_view["host"], page_view["path"], page_view["beacon"]) == ("edge.adobedc.net", "/ee/v1/interact", False)
    assert page_view["body"]["events"][0]["xdm"]["web"]["webPageDetails"]["name"] == "home"
    assert (beacon["host"], beacon["path"], beacon["beacon"]) == ("edge.adobedc.net", "/ee/or2/v1/collect", True)
    assert beacon["body"]["events"][0]["xdm"]["eventType"] == "web.webinteraction.linkClicks"
    assert [e["key"] for e in beacon["body"]["meta"]["state"]["entries"]] == [
        IDENTITY_COOKIE, "kndctr_ABC123_AdobeOrg_cluster",
    ]
    assert page.evaluate("() => window.exit") == {"propositions": []}


def test_commands_queued_before_the_loader_arrives(page, add_page, edge) -> None:
    """Calls made with only the base code on the page resolve once alloy-py loads later."""
    url = add_page("/t/queue.html", page_html(f"""
      window.order = [];
      {configure_js(thirdPartyCookiesEnabled=False)}.then(function () {{ order.push('configure'); }});
      window.first = alloy('sendEvent', {{xdm: {{eventType: 'first'}}}})
        .then(function (r) {{ order.push('first'); return r; }});
      window.second = alloy('sendEvent', {{xdm: {{eventType: 'second'}}}})
        .then(function (r) {{ order.push('second'); return r; }});
      window.queuedBeforeLoad = alloy.q.length;
      setTimeout(function () {{
        var s = document.createElement('script'); s.src = '/alloy-py.js'; document.head.appendChild(s);
      }}, 300);
    """, loader=False))
    page.goto(url)
    assert page.evaluate("() => window.queuedBeforeLoad") == 3
    edge.wait_for(2, timeout=60, page=page)
    page.wait_for_function("() => window.order.length === 3", timeout=30_000)
    assert page.evaluate("() => window.order") == ["configure", "first", "second"]
    assert [r["body"]["events"][0]["xdm"]["eventType"] for r in edge.requests] == ["first", "second"]
    assert page.evaluate("() => window.first") == {"propositions": [], "decisions": []}


def test_invalid_configure_rejects_with_alloys_message(page, add_page, edge) -> None:
    url = add_page("/t/invalid.html", page_html("""
      window.outcome = alloy('configure', {orgId: 42, edgeDomain: 'https://no/pe'}).then(
        function () { return 'resolved'; },
        function (e) { return {isError: e instanceof Error, message: e.message}; });
      window.later = alloy('sendEvent', {}).catch(function (e) { return e.message; });
    """))
    page.goto(url)
    outcome = page.evaluate("() => window.outcome")
    assert outcome["isError"] is True
    assert outcome["message"] == (
        "[alloy] Resolve these configuration problems:\n"
        "\t - Error: 'datastreamId' is a required option\n"
        "\t - 'edgeDomain': Expected a valid domain, but got \"https://no/pe\".\n"
        "\t - 'orgId': Expected a string, but got 42.\n"
        "For configuration documentation see: https://adobe.ly/3sHh553"
    )
    assert page.evaluate("() => window.later") == (
        "[alloy] The library must be configured first. Please do so by executing the configure command."
    )
    edge.expect_no_requests(within=0.3, page=page)


def test_unknown_command_and_bad_options_reject_readably(page, add_page, edge) -> None:
    url = add_page("/t/errors.html", page_html(f"""
      {configure_js()};
      window.unknown = alloy('sendEvnt', {{}}).catch(function (e) {{ return e.message; }});
      window.bad = alloy('sendEvent', {{xdm: 'not an object'}}).catch(function (e) {{ return e.message; }});
      window.callbackError = alloy('sendEvent', {{xdm: {{a: 1}}, data: {{f: function () {{}}}}}})
        .catch(function (e) {{ return e.message; }});
    """))
    page.goto(url)
    unknown = page.evaluate("() => window.unknown")
    assert unknown.startswith("[alloy] The sendEvnt command does not exist."
                              " List of available commands: configure, setDebug,")
    assert page.evaluate("() => window.bad") == (
        "[alloy] Invalid sendEvent command options:\n\t - Error: 'xdm': Expected an object, but got \"not an object\". "
        "For command documentation see: https://adobe.ly/3GQ3Q7t"
    )
    # A function in data is left out of the request, as JSON.stringify does.
    assert page.evaluate("() => window.callbackError") == {"propositions": [], "decisions": []}


def test_on_before_event_send_from_javascript_edits_the_event(page, add_page, edge) -> None:
    url = add_page("/t/callback.html", page_html(f"""
      var options = {json.dumps({'datastreamId': DATASTREAM_ID, 'orgId': ORG_ID, 'thirdPartyCookiesEnabled': False})};
      options.onBeforeEventSend = function (content) {{
        content.xdm.custom = 'from-js';
        if (content.xdm.eventType === 'drop') return false;
      }};
      alloy('configure', options);
      window.kept = {{xdm: {{eventType: 'keep', nested: {{a: 1}}}}}};
      window.sent = alloy('sendEvent', window.kept);
      window.dropped = alloy('sendEvent', {{xdm: {{eventType: 'drop'}}}});
    """))
    page.goto(url)
    assert page.evaluate("() => window.dropped") == {}
    [request] = edge.wait_for(1, timeout=60, page=page)
    assert request["body"]["events"][0]["xdm"]["custom"] == "from-js"
    assert page.evaluate("() => window.sent")["propositions"] == []
    # The caller's object is untouched.
    assert page.evaluate("() => window.kept") == {"xdm": {"eventType": "keep", "nested": {"a": 1}}}


def test_edge_5xx_is_retried_then_resolves(page, add_page, edge) -> None:
    edge.respond_next({"error": "busy"}, status=503, headers={"retry-after": "0"})
    url = add_page("/t/retry.html", page_html(f"""
      {configure_js(thirdPartyCookiesEnabled=False)};
      window.sent = alloy('sendEvent', {{}});
    """))
    page.goto(url)
    edge.wait_for(2, timeout=60, page=page)
    assert page.evaluate("() => window.sent") == {"propositions": [], "decisions": []}
    first, second = edge.requests
    assert first["query"]["requestId"] == second["query"]["requestId"]
    assert first["raw_body"] == second["raw_body"]


def test_csp_without_wasm_unsafe_eval_rejects_instead_of_hanging(page, add_page, edge) -> None:
    url = add_page(
        "/t/csp.html",
        page_html(f"""
          window.outcome = {configure_js()}.catch(function (e) {{ return e.message; }});
          window.later = function () {{ return alloy('sendEvent', {{}}).catch(function (e) {{ return e.message; }}); }};
        """, loader_attrs='data-boot-timeout="8000"').replace("<script>", "<script nonce=\"n\">"),
        headers={"Content-Security-Policy": "script-src 'self' 'nonce-n'"},
    )
    page.goto(url)
    message = page.evaluate("() => window.outcome")
    assert message.startswith("[alloy] alloy-py could not start: ")
    assert "wasm-unsafe-eval" in message
    assert page.evaluate("() => window.later()").startswith("[alloy] alloy-py could not start")
    assert len(edge.requests) == 0


def test_python_api_inside_pyodide(page, add_page, edge, wheel_url) -> None:
    """A Pyodide program calls alloy_py directly with plain dicts."""
    url = add_page("/t/python.html", f"""<!doctype html><html><body><script type="module">
      import {{ loadPyodide }} from "/pyodide/pyodide.mjs";
      const pyodide = await loadPyodide({{indexURL: "/pyodide/", packages: ["{wheel_url}"]}});
      window.result = pyodide.runPythonAsync(`
from alloy_py import alloy
await alloy("configure", {{"datastreamId": "{DATASTREAM_ID}", "orgId": "{ORG_ID}", "thirdPartyCookiesEnabled": False}})
result = await alloy("sendEvent", {{"xdm": {{"eventType": "python"}}}})
try:
    await alloy("nope")
except Exception as error:
    failure = str(error)
[result, failure]
`).then((r) => r.toJs({{dict_converter: Object.fromEntries}}));
    </script></body></html>""")
    edge.set_default(IDENTITY_ANSWER)
    page.goto(url)
    page.wait_for_function("() => window.result !== undefined", timeout=60_000)
    result, failure = page.evaluate("() => window.result")
    assert [p["id"] for p in result["propositions"]] == ["prop-1"]
    assert failure.startswith("[alloy] The nope command does not exist.")
    [request] = edge.wait_for(1, timeout=30, page=page)
    assert request["body"]["events"][0]["xdm"]["eventType"] == "python"


def test_render_decisions_changes_the_page_and_sends_a_display(page, add_page, edge) -> None:
    answer = {"requestId": "r", "handle": [
        *IDENTITY_ANSWER["handle"][:2],
        {"type": "personalization:decisions", "payload": [
            {"id": "hero-1", "scope": "__view__", "scopeDetails": {"decisionProvider": "TGT"},
             "items": [{"id": "a", "schema": "https://ns.adobe.com/personalization/dom-action",
                        "data": {"type": "setHtml", "selector": "#hero",
                                 "content": "<h2>Welcome back</h2>"
                                            "<script>window.ran = (window.ran || 0) + 1</script>"}}]}]},
    ]}
    edge.respond_next(answer)
    url = add_page("/t/render.html", page_html(f"""
      {configure_js(thirdPartyCookiesEnabled=False, prehidingStyle='#hero {{ opacity: 0 }}')};
      window.sent = alloy('sendEvent', {{renderDecisions: true}});
    """).replace("<h1>shop</h1>", '<div id="hero"><p>Default</p></div>'))
    page.goto(url)
    edge.wait_for(2, timeout=60, page=page)
    assert page.inner_html("#hero").startswith("<h2>Welcome back</h2>")
    assert page.evaluate("() => window.ran") == 1
    assert page.evaluate("() => document.getElementById('alloy-prehiding')") is None
    assert page.evaluate("() => window.sent")["propositions"][0]["renderAttempted"] is True
    display = edge.requests[1]["body"]["events"][0]["xdm"]
    assert display["eventType"] == "decisioning.propositionDisplay"
    assert display["_experience"]["decisioning"]["propositions"] == [
        {"id": "hero-1", "scope": "__view__", "scopeDetails": {"decisionProvider": "TGT"}}
    ]
