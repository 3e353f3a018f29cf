"""The Edge emulator under CPython: urllib against EdgeEmulator on port 0."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from alloy_py_dev.emulator import (
    DEMO_DATASTREAM_ID,
    DEMO_ORG_ID,
    EdgeEmulator,
    decode_identity_cookie,
    encode_identity_cookie,
    mint_ecid,
)

from alloy_py.cookies import decode_kndctr_ecid
from tests.support.precompressed import check_precompressed

IDENTITY = "kndctr_DEMO0123456789ABCDEF0123_AdobeOrg_identity"
CLUSTER = "kndctr_DEMO0123456789ABCDEF0123_AdobeOrg_cluster"
CONSENT = "kndctr_DEMO0123456789ABCDEF0123_AdobeOrg_consent"
SCHEMAS = [
    "https://ns.adobe.com/personalization/default-content-item",
    "https://ns.adobe.com/personalization/html-content-item",
    "https://ns.adobe.com/personalization/json-content-item",
    "https://ns.adobe.com/personalization/dom-action",
]


@pytest.fixture
def edge():
    with EdgeEmulator() as emulator:
        yield emulator


def post(edge: EdgeEmulator, path: str, body: Any, *, config_id: str = DEMO_DATASTREAM_ID,
         request_id: str = "req-1", headers: dict | None = None) -> tuple[int, dict, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    url = f"{edge.url}{path}?configId={config_id}&requestId={request_id}"
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "text/plain; charset=UTF-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            status, hdrs, raw = res.status, res.headers, res.read()
    except urllib.error.HTTPError as err:
        status, hdrs, raw = err.code, err.headers, err.read()
    return status, hdrs, (json.loads(raw) if raw else None)


def handles(body: dict, kind: str) -> list:
    return [p for h in body["handle"] if h["type"] == kind for p in h["payload"]]


def page_view(**personalization: Any) -> dict:
    event: dict = {"xdm": {"eventType": "web.webpagedetails.pageViews"}}
    if personalization:
        event["query"] = {"personalization": personalization}
    return {"events": [event], "query": {"identity": {"fetch": ["ECID"]}},
            "meta": {"state": {"domain": "", "cookiesEnabled": True}}}


def ecid_of(body: dict) -> str:
    [identity] = handles(body, "identity:result")
    assert identity["namespace"] == {"code": "ECID"}
    return identity["id"]


# -- identity ---------------------------------------------------------------
def test_cookie_round_trip_with_alloy_py_decoder() -> None:
    ecid = mint_ecid()
    assert len(ecid) == 38 and ecid.isdigit() and ecid[0] != "0"
    value = encode_identity_cookie(ecid, timestamp=1_700_000_000)
    assert value.startswith("CiY") and value.endswith("=") and len(value) % 4 == 0
    assert decode_kndctr_ecid(value) == ecid
    assert decode_identity_cookie(value) == ecid
    # The Edge's real cookie (with more fields) decodes too.
    real = "CiY0MTg2MTY2NjE5MzE0MDE2MTkzNDI3Njg0NTY1MTE0ODg3Njk4OFIQCM68vcXoMhgBKgNPUjIwAaAB0ry9xegysAHCqAHwAc68vcXoMg=="  # noqa: E501
    assert decode_identity_cookie(real) == decode_kndctr_ecid(real) == "41861666193140161934276845651148876988"
    assert decode_identity_cookie("not base64!") is None


def test_interact_without_identity_mints_ecid(edge: EdgeEmulator) -> None:
    status, headers, body = post(edge, "/ee/v1/interact", page_view())
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["x-adobe-edge"] == "emu1;1"
    assert body["requestId"] == "req-1"
    ecid = ecid_of(body)
    assert len(ecid) == 38
    store = {e["key"]: e for e in handles(body, "state:store")}
    assert store[IDENTITY]["maxAge"] == 34128000
    assert store[IDENTITY]["attrs"] == {"SameSite": "None"}
    assert decode_kndctr_ecid(store[IDENTITY]["value"]) == ecid
    assert store[CLUSTER] == {"key": CLUSTER, "value": "emu1", "maxAge": 1800}
    assert handles(body, "locationHint:result") == [
        {"scope": "EdgeNetwork", "hint": "emu1", "ttlSeconds": 1800}]
    cookies = headers.get_all("Set-Cookie")
    assert any(c.startswith(f"{IDENTITY}={store[IDENTITY]['value']}; Path=/") for c in cookies)
    assert any(c.startswith(f"{CLUSTER}=emu1; Path=/") for c in cookies)
    [record] = edge.requests
    assert record["ecid"] == ecid and record["ecidSource"] == "minted"
    assert record["eventTypes"] == ["web.webpagedetails.pageViews"]
    assert record["action"] == "interact" and record["transport"] == "fetch"
    assert record["body"] == page_view()


def test_interact_reuses_identity_from_cookie_header_and_state(edge: EdgeEmulator) -> None:
    ecid = mint_ecid()
    cookie = encode_identity_cookie(ecid)
    _, _, body = post(edge, "/ee/emu1/v1/interact", page_view(),
                      headers={"Cookie": f"other=1; {IDENTITY}={cookie}"})
    assert ecid_of(body) == ecid
    payload = page_view()
    payload["meta"]["state"]["entries"] = [{"key": IDENTITY, "value": cookie},
                                           {"key": CLUSTER, "value": "emu1"}]
    _, _, body = post(edge, "/ee/v1/interact", payload)
    assert ecid_of(body) == ecid
    first, second = edge.requests
    assert (first["ecidSource"], first["locationHint"]) == ("cookie", "emu1")
    assert second["ecidSource"] == "state"
    # An identity cookie of another org does not count.
    _, _, body = post(edge, "/ee/v1/interact", page_view(),
                      headers={"Cookie": f"kndctr_OTHER_AdobeOrg_identity={cookie}"})
    assert ecid_of(body) != ecid


def test_identity_acquire(edge: EdgeEmulator) -> None:
    status, _, body = post(edge, "/ee/v1/identity/acquire",
                           {"query": {"identity": {"fetch": ["ECID"]}}, "meta": {}})
    assert status == 200
    ecid = ecid_of(body)
    assert {e["key"] for e in handles(body, "state:store")} == {IDENTITY, CLUSTER}
    assert edge.requests[0]["action"] == "identity/acquire"
    assert edge.requests[0]["ecid"] == ecid


# -- errors -----------------------------------------------------------------
def test_unknown_datastream_is_400_problem(edge: EdgeEmulator) -> None:
    status, headers, body = post(edge, "/ee/v1/interact", page_view(), config_id="nope")
    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert {k: body[k] for k in ("type", "status", "title", "detail")} == {
        "type": "https://ns.adobe.com/aep/errors/EXEG-0003-400",
        "status": 400,
        "title": "Invalid datastream ID",
        "detail": "The datastream ID 'nope' referenced in your request does not exist.",
    }
    assert edge.requests[0]["status"] == 400


def test_too_large_is_413(edge: EdgeEmulator) -> None:
    payload = page_view()
    payload["events"][0]["data"] = {"blob": "x" * (64 * 1024)}
    status, _, body = post(edge, "/ee/v1/interact", payload)
    assert status == 413
    assert body["status"] == 413 and body["type"].endswith("-413")


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'{"events": []}', b'{"events": [1]}',
                                 b'{"query": {}}'])
def test_malformed_is_400(edge: EdgeEmulator, raw: bytes) -> None:
    status, headers, body = post(edge, "/ee/v1/interact", raw)
    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert body["type"] == "https://ns.adobe.com/aep/errors/EXEG-0002-400"
    assert body["status"] == 400 and body["detail"]


# -- collect ----------------------------------------------------------------
def test_collect_is_204_and_recorded(edge: EdgeEmulator) -> None:
    status, _, body = post(edge, "/ee/v1/collect", page_view())
    assert (status, body) == (204, None)
    [record] = edge.requests
    assert record["action"] == "collect" and record["status"] == 204
    assert record["transport"] == "beacon"  # urllib sends no Sec-Fetch-Mode: by endpoint
    status, _, _ = post(edge, "/ee/v1/collect", page_view(), config_id="nope")
    assert status == 400


def test_interactions_are_recorded_with_their_label(edge: EdgeEmulator) -> None:
    interact = {"xdm": {"eventType": "decisioning.propositionInteract", "_experience": {"decisioning": {
        "propositions": [{"id": "p1"}, {"id": "p2", "items": [{"id": "i"}]}, "junk"],
        "propositionEventType": {"interact": 1}, "propositionAction": {"label": "buy"}}}}}
    post(edge, "/ee/v1/collect", {"events": [interact, page_view()["events"][0]]})
    post(edge, "/ee/v1/collect", {"events": [{"xdm": {"eventType": "decisioning.propositionInteract"}}]})
    first, second = edge.requests
    assert first["interactions"] == ["p1 [buy]", "p2 [buy]"]
    assert second["interactions"] == []


# -- consent ----------------------------------------------------------------
@pytest.mark.parametrize("consent, general", [
    ({"standard": "Adobe", "version": "1.0", "value": {"general": "in"}}, "in"),
    ({"standard": "Adobe", "version": "1.0", "value": {"general": "out"}}, "out"),
    ({"standard": "Adobe", "version": "2.0", "value": {"collect": {"val": "y"}}}, "in"),
    ({"standard": "Adobe", "version": "2.0", "value": {"collect": {"val": "n"}}}, "out"),
])
def test_set_consent(edge: EdgeEmulator, consent: dict, general: str) -> None:
    status, headers, body = post(edge, "/ee/v1/privacy/set-consent", {
        "consent": [consent], "query": {"identity": {"fetch": ["ECID"]}}, "meta": {}})
    assert status == 200
    store = {e["key"]: e for e in handles(body, "state:store")}
    assert store[CONSENT]["value"] == f"general={general}"
    assert IDENTITY in store
    assert ecid_of(body)
    assert any(c.startswith(f"{CONSENT}=general={general};") for c in headers.get_all("Set-Cookie"))
    assert edge.requests[0]["consent"] == general


def test_set_consent_needs_consent_list(edge: EdgeEmulator) -> None:
    status, _, body = post(edge, "/ee/v1/privacy/set-consent", {"consent": []})
    assert status == 400 and "consent" in body["detail"]


def test_set_consent_identity_map_ecid(edge: EdgeEmulator) -> None:
    ecid = mint_ecid()
    _, _, body = post(edge, "/ee/v1/privacy/set-consent", {
        "consent": [{"standard": "Adobe", "version": "1.0", "value": {"general": "in"}}],
        "identityMap": {"ECID": [{"id": ecid}]}})
    assert ecid_of(body) == ecid


# -- CORS -------------------------------------------------------------------
def test_cors(edge: EdgeEmulator) -> None:
    # The emulator's own pages (any loopback name of its port) read its answers.
    own = f"http://localhost:{edge.port}"
    _, headers, _ = post(edge, "/ee/v1/interact", page_view(), headers={"Origin": own})
    assert headers["Access-Control-Allow-Origin"] == own
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Expose-Headers"] == "x-adobe-edge"
    # Another origin only once allowed (another local server's pages with edgeDomain: edge.url).
    _, headers, _ = post(edge, "/ee/v1/interact", page_view(), headers={"Origin": "http://localhost:3000"})
    assert headers["Access-Control-Allow-Origin"] is None
    edge.allow_origin("http://localhost:3000")
    _, headers, _ = post(edge, "/ee/v1/interact", page_view(), headers={"Origin": "http://localhost:3000"})
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    req = urllib.request.Request(f"{edge.url}/ee/v1/interact?configId=x", method="OPTIONS", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    with urllib.request.urlopen(req, timeout=10) as res:
        assert res.status == 204
        assert res.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
        assert "POST" in res.headers["Access-Control-Allow-Methods"]
        assert res.headers["Access-Control-Allow-Headers"].lower() == "content-type"
        assert res.headers["Access-Control-Allow-Credentials"] == "true"
    assert len(edge.requests) == 3  # preflights are not recorded


def test_no_other_website_reads_the_edge_or_the_inspector(edge: EdgeEmulator) -> None:
    post(edge, "/ee/v1/interact", page_view(), headers={"Cookie": f"{IDENTITY}=secret-ecid; session=s3cr3t"})
    for path in ("/inspector/api/requests", "/ee/v1/interact"):
        status, headers, _ = get(edge.url_for(path), headers={"Origin": "https://evil.example"})
        assert headers["Access-Control-Allow-Origin"] is None, path
    status, headers, _ = post(edge, "/ee/v1/interact", page_view(), headers={"Origin": "https://evil.example"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] is None
    req = urllib.request.Request(f"{edge.url}/inspector/api/requests", method="OPTIONS", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    refused.value.close()
    assert refused.value.code == 403
    # A page of evil.example under a DNS-rebinding name (evil.example -> 127.0.0.1): not served.
    assert get(edge.url_for("/inspector/api/requests"), headers={"Host": f"evil.example:{edge.port}"})[0] == 421


# -- decisions --------------------------------------------------------------
def decision_ids(body: dict) -> list[str]:
    return [p["id"] for p in handles(body, "personalization:decisions")]


def test_decisions_match_scopes_and_schemas(edge: EdgeEmulator) -> None:
    _, _, body = post(edge, "/ee/v1/interact", page_view(
        decisionScopes=["hero-banner", "__view__"], surfaces=["web://shop.test/"], schemas=SCHEMAS))
    assert decision_ids(body) == ["emu-view-hero", "emu-hero-banner-offer"]
    [view, banner] = handles(body, "personalization:decisions")
    assert view["scope"] == "__view__"
    assert view["scopeDetails"]["decisionProvider"] == "TGT"
    set_html = view["items"][0]["data"]
    assert (set_html["type"], set_html["selector"]) == ("setHtml", "#hero")
    assert "Welcome back!" in set_html["content"]
    assert {i["data"]["type"] for i in view["items"]} >= {"setHtml", "setStyle", "setAttribute"}
    assert banner["items"][0]["schema"].endswith("/json-content-item")
    assert edge.requests[0]["decisionIds"] == ["emu-view-hero", "emu-hero-banner-offer"]
    # Without the dom-action schema, the view's dom actions are not returned.
    _, _, body = post(edge, "/ee/v1/interact", page_view(
        decisionScopes=["hero-banner", "__view__"], schemas=SCHEMAS[:3]))
    assert decision_ids(body) == ["emu-hero-banner-offer"]
    # No personalization query: no decisions handle at all.
    _, _, body = post(edge, "/ee/v1/interact", page_view())
    assert handles(body, "personalization:decisions") == []


def test_decisions_match_surfaces() -> None:
    decisions = [
        {"id": "exact", "scope": "web://shop.test/cart", "items": [
            {"id": "i1", "schema": SCHEMAS[1], "data": {"content": "<p>cart</p>"}}]},
        {"id": "wild", "scope": "web://*/demo/shop.html", "items": [
            {"id": "i2", "schema": SCHEMAS[1], "data": {"content": "<p>shop</p>"}}]},
        {"id": "scope", "scope": "sidebar", "items": [
            {"id": "i3", "schema": SCHEMAS[2], "data": {"content": {}}}]},
    ]
    with EdgeEmulator(decisions=decisions) as edge:
        _, _, body = post(edge, "/ee/v1/interact", page_view(
            decisionScopes=["__view__"], surfaces=["web://shop.test/cart"], schemas=SCHEMAS))
        assert decision_ids(body) == ["exact"]
        _, _, body = post(edge, "/ee/v1/interact", page_view(
            decisionScopes=["sidebar"], surfaces=["web://127.0.0.1:9/demo/shop.html"],
            schemas=SCHEMAS))
        assert decision_ids(body) == ["wild", "scope"]
        wild = handles(body, "personalization:decisions")[0]
        assert wild["scope"] == "web://127.0.0.1:9/demo/shop.html"


def test_notifications_get_no_decisions(edge: EdgeEmulator) -> None:
    payload = page_view(decisionScopes=["hero-banner"], schemas=SCHEMAS)
    payload["events"][0]["xdm"] = {"eventType": "decisioning.propositionDisplay", "_experience": {
        "decisioning": {"propositions": [{"id": "emu-hero-banner-offer", "scope": "hero-banner"}],
                        "propositionEventType": {"display": 1}}}}
    status, _, body = post(edge, "/ee/v1/interact", payload)
    assert status == 200
    assert handles(body, "personalization:decisions") == []
    assert edge.requests[0]["notification"] is True


def test_custom_datastreams_and_no_demo() -> None:
    with EdgeEmulator(datastreams={"ds-2": "ABC@AdobeOrg"}, demo=False) as edge:
        assert edge.datastreams == {"ds-2": "ABC@AdobeOrg"}
        status, _, body = post(edge, "/ee/v1/interact", page_view(), config_id="ds-2")
        assert status == 200
        assert {e["key"] for e in handles(body, "state:store")} == {
            "kndctr_ABC_AdobeOrg_identity", "kndctr_ABC_AdobeOrg_cluster"}
        assert post(edge, "/ee/v1/interact", page_view())[0] == 400


# -- static + inspector -----------------------------------------------------
def get(url: str, *, headers: dict | None = None) -> tuple[int, Any, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_static_mime_types(tmp_path) -> None:
    for name in ("a.wasm", "a.mjs", "a.js", "a.whl", "a.json", "index.html"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "alloy.js").write_text("alloy")
    with EdgeEmulator(static_dir=tmp_path, mounts={"/vendor/alloy/": tmp_path / "v"}) as edge:
        types = {n: get(edge.url_for(n))[1]["Content-Type"]
                 for n in ("a.wasm", "a.mjs", "a.js", "a.whl", "a.json")}
        assert types == {"a.wasm": "application/wasm", "a.mjs": "text/javascript",
                         "a.js": "text/javascript", "a.whl": "application/zip",
                         "a.json": "application/json"}
        assert get(edge.url_for("/vendor/alloy/alloy.js"))[2] == b"alloy"
        assert get(edge.url_for("/../etc/passwd"))[0] == 404
        assert get(edge.url_for("/missing.js"))[0] == 404
        assert get(edge.url_for("/ee/v1/interact"))[0] == 405
    with EdgeEmulator() as edge:  # no static folder: 404, not the working directory
        assert get(edge.url_for("/pyproject.toml"))[0] == 404


def test_inspector(edge: EdgeEmulator) -> None:
    status, headers, html = get(edge.url_for("/inspector/"))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"<script" in html and b"src=" not in html and b"http" not in html.replace(
        b"http-equiv", b"")  # self-contained
    post(edge, "/ee/v1/interact", page_view(decisionScopes=["hero-banner"], schemas=SCHEMAS),
         headers={"Referer": "http://127.0.0.1:1/shop.html", "Origin": "http://127.0.0.1:1"})
    status, _, raw = get(edge.url_for("/inspector/api/requests"))
    [record] = json.loads(raw)
    assert record["decisionIds"] == ["emu-hero-banner-offer"]
    assert record["referer"] == "http://127.0.0.1:1/shop.html" and record["origin"] == "http://127.0.0.1:1"
    assert json.loads(get(edge.url_for(f"/inspector/api/requests?since={record['id']}"))[2]) == []


def test_the_inspector_shows_cookie_names_not_values(edge: EdgeEmulator) -> None:
    cookie = f"{IDENTITY}=secret-ecid; session=s3cr3t; {CONSENT}=general%3Din; flag"
    post(edge, "/ee/v1/interact", page_view(), headers={"Cookie": cookie})
    assert edge.requests[0]["cookie"] == cookie  # the tests' own record, in-process: as sent
    [record] = json.loads(get(edge.url_for("/inspector/api/requests"))[2])
    assert record["cookie"] == f"{IDENTITY}=<redacted>; session=<redacted>; {CONSENT}=<redacted>; flag"
    assert record["consentCookie"] == "general%3Din"  # the emulator's own answer, for the summary
    with urllib.request.urlopen(edge.url_for("/inspector/stream"), timeout=10) as res:
        post(edge, "/ee/v1/interact", page_view(), headers={"Cookie": cookie})
        data = next(line for line in res if line.startswith(b"data:"))
    assert b"secret-ecid" not in data and b"s3cr3t" not in data
    assert json.loads(data[5:])["cookie"].startswith(f"{IDENTITY}=<redacted>")


def test_inspector_stream(edge: EdgeEmulator) -> None:
    lines: list[str] = []
    connected = threading.Event()

    def listen() -> None:
        with urllib.request.urlopen(edge.url_for("/inspector/stream"), timeout=10) as res:
            assert res.headers["Content-Type"] == "text/event-stream"
            connected.set()
            for raw in res:
                lines.append(raw.decode())
                if raw.startswith(b"data:"):
                    return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert connected.wait(5)
    post(edge, "/ee/v1/interact", page_view(), request_id="streamed")
    thread.join(10)
    data = json.loads(next(line for line in lines if line.startswith("data:"))[5:])
    assert data["requestId"] == "streamed" and data["ecidSource"] == "minted"


def test_wait_for(edge: EdgeEmulator) -> None:
    post(edge, "/ee/v1/collect", page_view())
    assert edge.wait_for(1, action="collect", timeout=1)[0]["status"] == 204
    with pytest.raises(TimeoutError):
        edge.wait_for(1, action="interact", timeout=0.2)
    edge.clear()
    assert edge.requests == []


def test_cli_parses_datastreams_and_decisions(tmp_path, monkeypatch) -> None:
    from alloy_py_dev import cli
    from alloy_py_dev.emulator import server

    started: dict = {}

    def fake_serve_forever(self: EdgeEmulator) -> None:
        started.update(url=self.url, datastreams=dict(self.datastreams),
                       decisions=self.decisions, static=self.static_dir,
                       cors=set(self.cors_origins), hosts=set(self.allowed_hosts))
        self.close()

    monkeypatch.setattr(server.EdgeEmulator, "serve_forever", fake_serve_forever)
    decisions = tmp_path / "d.json"
    decisions.write_text(json.dumps([{"id": "p", "scope": "s", "items": []}]))
    assert cli.main(["serve", "--port", "0", "--static", str(tmp_path), "--datastream",
                     "cfg=ORG@AdobeOrg", "--decisions", str(decisions)]) == 0
    assert started["url"].startswith("http://127.0.0.1:")
    assert started["datastreams"] == {DEMO_DATASTREAM_ID: DEMO_ORG_ID, "cfg": "ORG@AdobeOrg"}
    assert started["decisions"] == [{"id": "p", "scope": "s", "items": []}]
    assert (started["cors"], started["hosts"]) == (set(), set())
    assert cli.main(["serve", "--port", "0", "--cors-origin", "http://localhost:3000",
                     "--allow-host", "dev.example.test"]) == 0
    assert (started["cors"], started["hosts"]) == ({"http://localhost:3000"}, {"dev.example.test"})
    with pytest.raises(SystemExit):
        cli.main(["serve", "--port", "0", "--cors-origin", "localhost:3000"])
    decisions.write_text("{}")
    with pytest.raises(SystemExit):
        cli.main(["serve", "--port", "0", "--decisions", str(decisions)])
    with pytest.raises(SystemExit):
        cli.main(["serve", "--port", "0", "--datastream", "no-equals"])


def test_emulator_not_on_browser_boot_path() -> None:
    import subprocess
    import sys
    code = "import sys, alloy_py; print(any(m.startswith(('alloy_py.emulator', 'alloy_py_dev')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_static_precompressed_variants(tmp_path) -> None:
    with EdgeEmulator(static_dir=tmp_path) as edge:
        check_precompressed(edge.url_for, tmp_path)


def test_media_session_start_and_media_events(edge: EdgeEmulator) -> None:
    start = {"events": [{"xdm": {"eventType": "media.sessionStart",
                                 "mediaCollection": {"sessionDetails": {"name": "v"}, "playhead": 0}}}]}
    status, _, body = post(edge, "/ee/v1/interact", start)
    assert status == 200
    [session] = handles(body, "media-analytics:new-session")
    assert len(session["sessionId"]) == 32
    play = {"events": [{"xdm": {"eventType": "media.play",
                                "mediaCollection": {"playhead": 3, "sessionID": session["sessionId"]}}}]}
    status, _, answer = post(edge, "/ee/emu1/va/v1/play", play)
    assert (status, answer) == (204, None)
    record = edge.requests[-1]
    assert (record["action"], record["eventTypes"], record["locationHint"]) == ("va/play", ["media.play"], "emu1")
    status, _, _ = post(edge, "/ee/va/v1/ping", {"events": []})
    assert status == 400
