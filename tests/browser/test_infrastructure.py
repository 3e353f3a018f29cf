"""Checks of the browser-test infrastructure itself (no Pyodide, fast)."""
from __future__ import annotations

import pytest

from tests.support.edge_mock import MockAnswer

BLANK = "<!doctype html><meta charset='utf-8'><title>blank</title>"

# What alloy.js does: a credentialed text/plain POST (no CORS preflight).
FETCH_JS = """async ([url, body, ct]) => {
  const r = await fetch(url, {method: "POST", credentials: "include",
                               headers: {"Content-Type": ct || "text/plain; charset=UTF-8"},
                               body: JSON.stringify(body)});
  return {status: r.status, edge: r.headers.get("x-adobe-edge"), text: await r.text()};
}"""

INTERACT = "https://edge.adobedc.net/ee/v1/interact?configId=cfg&requestId=req-1"


@pytest.fixture
def blank(page, add_page):
    add_page("/t/blank.html", BLANK)
    page.goto("/t/blank.html")
    return page


def test_default_answer_and_record(blank, edge, base_url):
    res = blank.evaluate(FETCH_JS, [INTERACT, {"events": [{"xdm": {"a": 1}}]}, None])
    assert res["status"] == 200
    assert res["edge"] == "or2;35"  # exposed to JS through access-control-expose-headers
    assert res["text"] == '{"requestId": "req-1", "handle": []}'

    (req,) = edge.wait_for(1)
    assert req["method"] == "POST"
    assert req["host"] == "edge.adobedc.net"
    assert req["path"] == "/ee/v1/interact"
    assert req["query"] == {"configId": "cfg", "requestId": "req-1"}
    assert req["body"] == {"events": [{"xdm": {"a": 1}}]}
    assert req["content_type"] == "text/plain; charset=UTF-8"
    assert req["resource_type"] == "fetch" and req["beacon"] is False
    assert req["headers"]["origin"] == base_url
    assert req["response"]["headers"]["access-control-allow-origin"] == base_url
    assert req["response"]["headers"]["access-control-allow-credentials"] == "true"


def test_json_preflight_and_demdex(blank, edge):
    res = blank.evaluate(FETCH_JS, ["https://adobedc.demdex.net/ee/v1/interact?configId=c",
                                    {"x": 1}, "application/json"])
    assert res["status"] == 200
    (req,) = edge.wait_for(1)
    assert req["host"] == "adobedc.demdex.net"
    assert req["content_type"] == "application/json"
    assert len(edge) == 1  # the CORS preflight is answered by Playwright, not recorded


def test_beacon_is_ping_and_gets_204(blank, edge):
    sent = blank.evaluate("""() => [
      navigator.sendBeacon("https://edge.adobedc.net/ee/v1/collect?configId=c", JSON.stringify({b: 1})),
      navigator.sendBeacon("https://edge.adobedc.net/ee/v1/collect?configId=c",
                           new Blob([JSON.stringify({b: 2})], {type: "application/json"})),
    ]""")
    assert sent == [True, True]
    reqs = edge.wait_for(2, beacon=True)
    assert [r["body"] for r in reqs] == [{"b": 1}, {"b": 2}]
    assert [r["resource_type"] for r in reqs] == ["ping", "ping"]
    assert reqs[0]["content_type"] == "text/plain;charset=UTF-8"
    assert reqs[1]["content_type"] == "application/json"
    assert all(r["response"]["status"] == 204 for r in reqs)
    assert edge.collects == reqs


def test_keepalive_fetch_is_not_a_beacon(blank, edge):
    blank.evaluate("""() => { fetch("https://edge.adobedc.net/ee/v1/collect?k=1",
                     {method: "POST", keepalive: true, credentials: "include", body: "{}"}); }""")
    (req,) = edge.wait_for(1, path_contains="/collect")
    assert req["resource_type"] == "fetch" and not req["beacon"]


def test_scripted_answers(blank, edge):
    edge.respond_next({"requestId": "x", "handle": [{"type": "state:store", "payload": []}]})
    edge.respond_next(status=500, body={"title": "boom"})
    edge.add_handler(lambda req: (207, {"x-custom": "1"}, {"n": req["body"]["n"]})
                     if req["body"] and req["body"].get("n") else None)
    r1 = blank.evaluate(FETCH_JS, [INTERACT, {}, None])
    r2 = blank.evaluate(FETCH_JS, [INTERACT, {}, None])
    r3 = blank.evaluate(FETCH_JS, [INTERACT, {"n": 7}, None])
    r4 = blank.evaluate(FETCH_JS, [INTERACT, {}, None])
    assert (r1["status"], r1["text"]) == (200, '{"requestId": "x", "handle": [{"type": "state:store", "payload": []}]}')
    assert (r2["status"], r2["text"]) == (500, '{"title": "boom"}')
    assert (r3["status"], r3["text"]) == (207, '{"n": 7}')
    assert r4["status"] == 200 and '"handle": []' in r4["text"]  # back to the default
    assert [r["response"]["status"] for r in edge.wait_for(4)] == [200, 500, 207, 200]


def test_cors_failure_can_be_simulated(blank, edge):
    edge.add_handler(lambda req: MockAnswer(200, {"access-control-allow-origin": "*"}, {}))
    res = blank.evaluate("""async (url) => {
      try { await fetch(url, {method: "POST", credentials: "include", body: "{}"}); return "ok"; }
      catch (e) { return e.name; }
    }""", INTERACT)
    assert res == "TypeError"


def test_wait_for_times_out_with_a_clear_message(blank, edge):
    with pytest.raises(AssertionError, match="waiting for 1 edge request"):
        edge.wait_for(1, timeout=0.2)


def test_static_server_pages_mounts_and_mime(page, add_page, static_server, base_url, dist_manifest):
    url = add_page("/t/csp.html", BLANK, headers={"Content-Security-Policy": "default-src 'self'"})
    resp = page.goto(url)
    assert resp.status == 200
    assert resp.headers["content-security-policy"] == "default-src 'self'"
    assert resp.headers["cache-control"] == "no-store"
    for path, mime in [("/pyodide/pyodide.asm.wasm", "application/wasm"),
                       ("/pyodide/pyodide.mjs", "text/javascript"),
                       ("/pyodide/pyodide-lock.json", "application/json"),
                       ("/" + dist_manifest["wheel"], "application/zip"),
                       ("/vendor/alloy/alloy.js", "text/javascript")]:
        r = page.request.head(base_url + path)
        assert r.status == 200, path
        assert r.headers["content-type"] == mime, path
    assert ("HEAD", "/pyodide/pyodide.asm.wasm") in static_server.served
    assert page.request.get(static_server.url_for("/nope.html")).status == 404


def test_static_server_precompressed_variants(tmp_path):
    from alloy_py_dev.server import DevServer

    from tests.support.precompressed import check_precompressed

    with DevServer(tmp_path) as server:
        check_precompressed(server.url_for, tmp_path)
