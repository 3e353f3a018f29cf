"""Nothing lost while Python starts (issue 8): the durable queue, early clicks, prehiding.

The Pyodide files (not the loader) are served late by the test server, so the
window between the loader running and Python being ready is seconds wide.
Pages and files come from a DevServer with ``Cache-Control: no-cache`` (a
second load revalidates: the HTTP, V8 and wasm caches apply, and the delay
still does); the Edge is the project's emulator on another port, reached with
``edgeDomain``, so no Playwright route switches the HTTP cache off.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from alloy_py_dev.emulator import EdgeEmulator
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST, DIST
from alloy_py_dev.samples import BASE_CODE, IDENTITY_COOKIE_VALUE
from alloy_py_dev.server import DevServer

from alloy_py.startup import STORE_PREFIX

ORG_ID = "DEMO0123456789ABCDEF0123@AdobeOrg"
DATASTREAM_ID = "demo-datastream-0001"
BOOT_DELAY_S = 2.5
SLOW_FILE = "/pyodide/pyodide.asm.wasm"  # the one big download every boot waits for


@pytest.fixture(scope="module")
def emulator() -> Iterator[EdgeEmulator]:
    with EdgeEmulator(decisions=[]) as edge:
        yield edge


@pytest.fixture(scope="module")
def site() -> Iterator[DevServer]:
    mounts = {"/vendor/alloy/": ALLOY_REFERENCE_DIST} if ALLOY_REFERENCE_DIST.exists() else {}
    with DevServer(DIST, mounts=mounts, cache_control="no-cache") as server:
        yield server


@pytest.fixture
def slow_boot(site: DevServer) -> Iterator[DevServer]:
    site.delay(SLOW_FILE, BOOT_DELAY_S)
    yield site
    site.delay(SLOW_FILE, 0)


@pytest.fixture(autouse=True)
def _fresh(emulator: EdgeEmulator, site: DevServer) -> Iterator[None]:
    emulator.allow_origin(site.url)  # the site's pages use the emulator as their edgeDomain
    emulator.clear()
    yield
    site.clear_pages()


# The order in which requests are handed to the browser (the Edge may see parallel ones in any order).
FETCH_RECORDER = """<script>
window.issued = [];
const fetch = window.fetch;
window.fetch = function (url, init) {
  if (String(url).includes('/v1/interact')) {
    for (const event of JSON.parse(init.body).events)
      if (event.data && 'n' in event.data) window.issued.push(event.data.n);
  }
  return fetch.apply(this, arguments);
};
</script>"""


def page_html(script: str, *, head: str = "", body: str = "", loader: str = "/alloy-py.js") -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>boot window</title>{head}
<script>{BASE_CODE}</script><script src="{loader}" async></script></head>
<body>{body}<script>{script}</script></body></html>"""


def configure(emulator: EdgeEmulator, **extra: Any) -> str:
    options = {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "edgeDomain": emulator.url, **extra}
    return f"alloy('configure', {json.dumps(options)});"


def queued_events(count: int, prefix: str = "test.queued") -> str:
    return "".join(
        f"alloy('sendEvent', {{xdm: {{eventType: '{prefix}.{n}'}}, data: {{n: {n}}}}});" for n in range(count)
    )


def events_of(emulator: EdgeEmulator) -> list[dict[str, Any]]:
    return [event for request in emulator.requests for event in (request["body"] or {}).get("events", [])]


def wait_for_events(emulator: EdgeEmulator, page: Any, predicate: Any, count: int, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in events_of(emulator) if predicate(e)]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        page.wait_for_timeout(50)


def is_queued(event: dict) -> bool:
    return str(event.get("xdm", {}).get("eventType", "")).startswith("test.queued.")


# --------------------------------------------------------------------------- durable queue
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
@pytest.mark.parametrize("leave_after_ms", [250, 500, 1000])
def test_events_queued_by_a_page_left_during_boot_arrive_once(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer, warm: bool, leave_after_ms: int
) -> None:
    first = slow_boot.add_page("/t/first.html", page_html(
        configure(emulator) + queued_events(19)
        + "alloy('sendEvent', {xdm: {eventType: 'test.queued.19'}, data: {n: 19}, documentUnloading: true});"))
    second = slow_boot.add_page("/t/second.html", page_html(
        configure(emulator) + "alloy('sendEvent', {xdm: {eventType: 'web.webpagedetails.pageViews'}});",
        head=FETCH_RECORDER))
    page = context.new_page()
    if warm:  # the files in the HTTP cache (revalidated, so still late)
        page.goto(second)
        wait_for_events(emulator, page, lambda e: True, 1)
        emulator.clear()
    started = time.time() * 1000
    page.goto(first, wait_until="commit")
    page.wait_for_timeout(leave_after_ms)
    page.goto(second)
    # The first page's scripts ran at the latest until the second one replaced
    # it: before its DOM was interactive, and well before its Python replays.
    left = page.evaluate("() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].domInteractive")
    received = wait_for_events(emulator, page, is_queued, 20)
    handed_over = page.evaluate("() => window.issued")
    page.wait_for_function(f"() => !Object.keys(localStorage).some(k => k.startsWith('{STORE_PREFIX}'))")
    page.goto(second)  # a third load must not send any of them again
    wait_for_events(emulator, page, lambda e: e["xdm"]["eventType"] == "web.webpagedetails.pageViews", 2)
    page.wait_for_timeout(500)
    received = [e for e in events_of(emulator) if is_queued(e)]
    numbers = [e["data"]["n"] for e in received]
    assert sorted(numbers) == list(range(20)), numbers  # each exactly once
    for event in received:
        assert event["xdm"]["web"]["webPageDetails"]["URL"] == first
        stamp = _epoch_ms(event["xdm"]["timestamp"])
        assert started - 1000 <= stamp <= left, (event["xdm"]["timestamp"], started, left)
        if event["data"].get("alloyPy"):  # replayed by the next page
            assert event["data"]["alloyPy"]["replayed"] is True
            assert event["xdm"]["_id"] == event["data"]["alloyPy"]["eventId"]
    replayed = [e for e in received if e["data"].get("alloyPy")]
    assert replayed, "the page was left during boot: its events must come from the next page"
    # Replayed in order (the documentUnloading one, n = 19, as a beacon the fetch recorder does not see).
    assert handed_over == sorted(handed_over)
    assert set(handed_over) | {19} == {e["data"]["n"] for e in replayed}
    assert not page.evaluate(f"() => Object.keys(localStorage).filter(k => k.startsWith('{STORE_PREFIX}'))")


def test_events_still_waiting_when_a_booted_page_is_left_arrive_once(
    context: Any, emulator: EdgeEmulator, site: DevServer
) -> None:
    """Python is up, but the first answer (the identity) never came: the 19 waiting behind it are kept."""
    held: list[Any] = []
    context.route(f"{emulator.url}/**", lambda route: held.append(route))
    first = site.add_page("/t/held-first.html", page_html(configure(emulator) + queued_events(20)))
    second = site.add_page("/t/held-second.html", page_html(configure(emulator)))
    page = context.new_page()
    page.goto(first)
    page.wait_for_function("() => window.__alloyPy", timeout=60_000)
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    [request] = held  # the first event went alone; the others wait for its identity
    page.goto(second, wait_until="commit")
    context.unroute(f"{emulator.url}/**")
    replayed = wait_for_events(emulator, page, is_queued, 19)
    page.wait_for_timeout(300)
    sent_first = [e["data"]["n"] for e in json.loads(request.request.post_data)["events"]]
    numbers = sorted(sent_first + [e["data"]["n"] for e in events_of(emulator) if is_queued(e)])
    assert numbers == list(range(20)), numbers
    assert all(e["data"]["alloyPy"]["replayed"] for e in replayed)


def _epoch_ms(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000


def test_a_hundred_commands_queued_during_boot_go_out_in_order(
    page: Any, emulator: EdgeEmulator, slow_boot: DevServer
) -> None:
    url = slow_boot.add_page("/t/hundred.html", page_html(configure(emulator) + """
      window.settled = 0;
      for (let n = 0; n < 100; n++) {
        alloy('sendEvent', {xdm: {eventType: 'test.queued.' + n}, data: {n}}).then(() => window.settled++);
      }""", head=FETCH_RECORDER))
    page.goto(url)
    page.wait_for_function("() => window.settled === 100", timeout=60_000)
    issued = page.evaluate("() => window.issued")
    assert issued == list(range(100)), issued
    assert sorted(e["data"]["n"] for e in events_of(emulator) if is_queued(e)) == list(range(100))


def test_what_is_stored_is_bounded_and_counted(context: Any, emulator: EdgeEmulator, slow_boot: DevServer) -> None:
    first = slow_boot.add_page("/t/bounded.html", page_html(configure(emulator) + """
      const cyclic = {}; cyclic.self = cyclic;
      alloy('sendEvent', {data: {cyclic}});
      alloy('sendEvent', {data: {big: 'x'.repeat(70000)}});
      alloy('sendEvent', {xdm: {eventType: 'test.callback'}, onBeforeEventSend: () => true});
    """ + queued_events(105)))
    page = context.new_page()
    page.goto(first, wait_until="commit")
    page.wait_for_timeout(300)
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    [record] = page.evaluate(f"() => Object.keys(localStorage).filter(k => k.startsWith('{STORE_PREFIX}'))"
                             ".map(k => JSON.parse(localStorage.getItem(k)))")
    assert record["state"] == "left" and record["configure"]["orgId"] == ORG_ID
    assert len(record["entries"]) == 100
    assert record["dropped"] == {"excess": 6, "tooLarge": 1, "unserializable": 1}
    assert record["entries"][0]["callbacks"] == ["onBeforeEventSend"]  # noted, not replayable
    assert [e["options"]["data"]["n"] for e in record["entries"][1:]] == list(range(99))


def test_nothing_is_stored_without_consent(context: Any, emulator: EdgeEmulator, slow_boot: DevServer) -> None:
    first = slow_boot.add_page("/t/pending.html", page_html(
        configure(emulator, defaultConsent="pending") + queued_events(3)))
    page = context.new_page()
    page.goto(first, wait_until="commit")
    page.wait_for_timeout(300)
    stored = page.evaluate("() => Object.keys(localStorage)")
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    assert page.evaluate("() => Object.keys(localStorage)") == stored == []


def stored_after_leaving(context: Any, slow_boot: DevServer, path: str, script: str) -> list[dict]:
    """The durable-queue records a page leaves when the visitor goes before Python is up."""
    page = context.new_page()
    page.goto(slow_boot.add_page(path, page_html(script)), wait_until="commit")
    page.wait_for_timeout(300)
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    return page.evaluate(f"() => Object.keys(localStorage).filter(k => k.startsWith('{STORE_PREFIX}'))"
                         ".map(k => JSON.parse(localStorage.getItem(k)))")


def stored_records(page: Any) -> dict[str, str]:
    return page.evaluate("() => Object.fromEntries(Object.keys(localStorage)"
                         f".filter(k => k.startsWith('{STORE_PREFIX}')).map(k => [k, localStorage.getItem(k)]))")


def test_stored_urls_keep_no_fragment_or_credentials(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer
) -> None:
    """An OAuth callback's #access_token= is never written to storage; the query (alloy sends it) is kept."""
    page = context.new_page()
    url = slow_boot.add_page("/t/callback.html", page_html(configure(emulator) + queued_events(1)))
    page.goto(url + "?step=2#access_token=SECRET&state=x", wait_until="commit")
    page.wait_for_timeout(300)
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    [text] = stored_records(page).values()
    assert "SECRET" not in text
    [entry] = json.loads(text)["entries"]
    assert entry["page"]["href"] == url + "?step=2"


@pytest.mark.parametrize("value", ["off", "nonsense"])
def test_data_durable_off_stores_nothing_and_removes_earlier_records(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer, value: str
) -> None:
    page = context.new_page()
    seed = slow_boot.add_page("/t/seed.html", "<!doctype html><title>seed</title>")
    page.goto(seed)
    page.evaluate(f"() => localStorage.setItem('{STORE_PREFIX}alloy.earlier', '{{\"v\": 1}}')")
    html = page_html(configure(emulator) + queued_events(2)).replace(' async>', f' async data-durable="{value}">')
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(slow_boot.add_page("/t/durable-off.html", html), wait_until="commit")
    page.wait_for_timeout(300)
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    assert stored_records(page) == {}
    notice = [w for w in warnings if "data-durable" in w]
    assert notice == ([] if value == "off" else ['alloy-py: data-durable must be "on", "off" or "consent",'
                                                 ' not "nonsense": nothing is stored for the next page.'])


@pytest.mark.parametrize("consented", [False, True])
def test_data_durable_consent_stores_only_for_a_visitor_who_consented(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer, consented: bool
) -> None:
    if consented:
        prefix = "kndctr_" + ORG_ID.replace("@", "_") + "_"
        context.add_cookies([{"name": prefix + "identity", "value": IDENTITY_COOKIE_VALUE, "url": slow_boot.url},
                             {"name": prefix + "consent", "value": "general=in", "url": slow_boot.url}])
    html = page_html(configure(emulator) + queued_events(2)).replace(" async>", ' async data-durable="consent">')
    page = context.new_page()
    page.goto(slow_boot.add_page("/t/durable-consent.html", html), wait_until="commit")
    page.wait_for_timeout(300)
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    records = [json.loads(text) for text in stored_records(page).values()]
    assert [len(r["entries"]) for r in records] == ([2] if consented else [])


def test_all_records_together_stay_within_their_budget(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer
) -> None:
    """Records of many earlier pages never fill the site's storage: the oldest go first."""
    page = context.new_page()
    page.goto(slow_boot.add_page("/t/flood-seed.html", "<!doctype html><title>seed</title>"))
    page.evaluate(f"""() => {{ for (let i = 0; i < 30; i++) localStorage.setItem('{STORE_PREFIX}alloy.old' + i,
        JSON.stringify({{v: 1, savedAt: 1000 + i, entries: [], pad: 'x'.repeat(60000)}})); }}""")
    page.evaluate("() => localStorage.setItem('site.own', 'the site keeps this')")
    page.goto(slow_boot.add_page("/t/flood.html", page_html(configure(emulator) + """
      for (let i = 0; i < 20; i++) alloy('sendEvent', {data: {n: i, big: 'y'.repeat(30000)}});
    """)), wait_until="commit")
    page.wait_for_timeout(300)
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    records = stored_records(page)
    assert sum(len(text) for text in records.values()) <= 1_000_000
    assert len(records) <= 20
    [own] = [json.loads(t) for k, t in records.items() if ".old" not in k]
    assert 0 < len(own["entries"]) < 20 and own["dropped"]["excess"] == 20 - len(own["entries"])
    kept = sorted(int(k.rsplit("old", 1)[1]) for k in records if ".old" in k)
    assert kept == list(range(30 - len(kept), 30))  # the newest of the earlier pages' records
    assert page.evaluate("() => localStorage.getItem('site.own')") == "the site keeps this"


def test_nothing_is_stored_after_a_queued_opt_out(context: Any, emulator: EdgeEmulator, slow_boot: DevServer) -> None:
    opt_out = ("alloy('setConsent', {consent: [{standard: 'Adobe', version: '2.0',"
               " value: {collect: {val: 'n'}}}]});")
    assert stored_after_leaving(context, slow_boot, "/t/opt-out.html",
                                configure(emulator) + queued_events(2) + opt_out + queued_events(1)) == []


def test_nothing_is_stored_under_the_pages_own_rules(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer
) -> None:
    """What onBeforeEventSend would have filtered cannot be replayed unfiltered on another page."""
    script = configure(emulator).replace("});", "}, onBeforeEventSend: function (c) { delete c.xdm.secret; }});")
    assert "onBeforeEventSend" in script
    assert stored_after_leaving(context, slow_boot, "/t/rules.html", script + queued_events(2)) == []


def test_rendering_navigation_and_chat_are_not_stored(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer
) -> None:
    script = configure(emulator) + queued_events(1) + """
      alloy('applyPropositions', {propositions: [{id: 'p', scope: '__view__', items: []}]});
      alloy('applyResponse', {renderDecisions: true, responseBody: {handle: []}});
      alloy('evaluateRulesets', {renderDecisions: true});
      alloy('sendConversationEvent', {message: 'buy it again'});
    """ + queued_events(1, prefix="test.after")
    [record] = stored_after_leaving(context, slow_boot, "/t/not-kept.html", script)
    assert [e["command"] for e in record["entries"]] == ["sendEvent", "sendEvent"]


def test_a_replay_never_happens_after_consent_turned_out(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer
) -> None:
    first = slow_boot.add_page("/t/consent-first.html", page_html(configure(emulator) + queued_events(3)))
    second = slow_boot.add_page("/t/consent-second.html", page_html(configure(emulator)))
    page = context.new_page()
    page.goto(first, wait_until="commit")
    page.wait_for_timeout(300)
    page.goto(second, wait_until="commit")
    assert page.evaluate("() => Object.keys(localStorage).length") == 1
    host = "127.0.0.1"
    context.add_cookies([
        {"name": "kndctr_DEMO0123456789ABCDEF0123_AdobeOrg_consent", "value": "general=out", "domain": host,
         "path": "/"},
        {"name": "kndctr_DEMO0123456789ABCDEF0123_AdobeOrg_identity", "value": IDENTITY_COOKIE_VALUE, "domain": host,
         "path": "/"},
    ])
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.reload()
    page.wait_for_function("() => Object.keys(localStorage).filter(k => k.startsWith('alloy-py.queue.')).length === 0",
                           timeout=30_000)
    page.wait_for_timeout(300)
    assert not [e for e in events_of(emulator) if is_queued(e)]
    assert any("3 the visitor declined consent" in m for m in messages), messages


# --------------------------------------------------------------------------- clicks
CLICK_BODY = """<nav id="menu"><a id="internal" href="#details">Product <b>details</b></a>
<a id="next" href="/t/click-next.html"><img src="data:," alt="Next page"></a></nav>"""


def _click_event(events: list[dict]) -> dict:
    [event] = [e for e in events if e.get("xdm", {}).get("eventType") == "web.webinteraction.linkClicks"]
    return {"web": event["xdm"]["web"], "data": event.get("data")}


def _alloy_js_click(context: Any, site: DevServer, emulator: EdgeEmulator, link: str) -> dict:
    """What alloy.js 2.33.1 sends for the same click on the same page (it is up long before it)."""
    def forward(route: Any, request: Any) -> None:
        path = request.url.split("/", 3)[3]
        route.fulfill(response=route.fetch(url=emulator.url_for(path)))

    context.route("https://edge.adobedc.net/**", forward)
    context.route("https://adobedc.demdex.net/**", forward)
    try:
        url = site.add_page("/t/click.html", page_html(configure(emulator, edgeDomain="edge.adobedc.net")
                                                        + "window.ready = alloy('getLibraryInfo');",
                                                        body=CLICK_BODY, loader="/vendor/alloy/alloy.js"))
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("() => window.ready && true")
        page.wait_for_timeout(200)
        page.click(f"#{link}")
        wait_for_events(emulator, page, lambda e: e["xdm"]["eventType"] == "web.webinteraction.linkClicks", 1)
        page.close()
        return _click_event(events_of(emulator))
    finally:
        context.unroute("https://edge.adobedc.net/**")
        context.unroute("https://adobedc.demdex.net/**")


@pytest.mark.skipif(not ALLOY_REFERENCE_DIST.exists(), reason="needs @adobe/alloy from npm")
@pytest.mark.parametrize("link", ["internal", "next"])
def test_a_click_before_python_is_up_is_collected_as_alloy_js_collects_it(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer, link: str
) -> None:
    expected = _alloy_js_click(context, slow_boot, emulator, link)
    emulator.clear()
    url = slow_boot.add_page("/t/click.html", page_html(configure(emulator), body=CLICK_BODY))
    slow_boot.add_page("/t/click-next.html", page_html(configure(emulator)))
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.click(f"#{link}")  # Python is seconds away
    assert page.evaluate("() => !window.__alloyPy")
    found = wait_for_events(emulator, page, lambda e: e["xdm"]["eventType"] == "web.webinteraction.linkClicks", 1)
    assert found, "the early click was never collected"
    got = _click_event(events_of(emulator))
    assert got["web"]["webInteraction"] == expected["web"]["webInteraction"]
    assert got["web"]["webPageDetails"]["URL"] == url
    activity_map = got["data"]["__adobe"]["analytics"]["contextData"]["a"]["activitymap"]
    assert activity_map == expected["data"]["__adobe"]["analytics"]["contextData"]["a"]["activitymap"]
    assert bool(got["data"].get("alloyPy")) == (link == "next")  # only a click that left the page is replayed


# --------------------------------------------------------------------------- prehiding
HERO = '<div id="hero">original</div>'
SAMPLER = """<script>
window.samples = [];
(function sample() {
  const hero = document.getElementById('hero');
  const styled = hero && getComputedStyle(hero).opacity;
  window.samples.push({t: performance.now(), shown: hero ? styled !== '0' : null, text: hero && hero.textContent});
  requestAnimationFrame(sample);
})();
</script>"""
PREHIDING = "#hero { opacity: 0 !important }"
HERO_DECISION = [{
    "id": "hero-offer", "scope": "__view__",
    "scopeDetails": {"decisionProvider": "TGT", "activity": {"id": "1"}, "characteristics": {"scopeType": "page"}},
    "items": [{"id": "hero-item", "schema": "https://ns.adobe.com/personalization/dom-action",
               "data": {"type": "setHtml", "selector": "#hero", "content": "personalized"}}],
}]


def _prehiding_page(site: DevServer, emulator: EdgeEmulator, loader: str, **configure_extra: Any) -> str:
    edge_domain = {"edgeDomain": "edge.adobedc.net"} if "vendor" in loader else {}
    script = configure(emulator, prehidingStyle=PREHIDING, **{**configure_extra, **edge_domain}) + (
        "window.result = alloy('sendEvent', {renderDecisions: true})"
        ".then(r => ({ok: r}), e => ({error: e.message}));")
    return site.add_page(f"/t/prehide{loader.replace('/', '-')}.html",
                         page_html(script, head=SAMPLER, body=HERO, loader=loader))


def _first_hidden_ms(samples: list[dict]) -> float:
    return next(s["t"] for s in samples if s["shown"] is False)


@pytest.mark.skipif(not ALLOY_REFERENCE_DIST.exists(), reason="needs @adobe/alloy from npm")
def test_prehiding_starts_no_later_than_alloy_js_and_holds_until_rendered(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer
) -> None:
    emulator.decisions = HERO_DECISION
    try:
        def forward(route: Any, request: Any) -> None:
            route.fulfill(response=route.fetch(url=emulator.url_for(request.url.split("/", 3)[3])))

        runs: dict[str, list[dict]] = {}
        for loader in ("/vendor/alloy/alloy.js", "/alloy-py.js"):
            if "vendor" in loader:
                context.route("https://edge.adobedc.net/**", forward)
                context.route("https://adobedc.demdex.net/**", forward)
            page = context.new_page()
            page.goto(_prehiding_page(slow_boot, emulator, loader))
            page.wait_for_function("() => window.result", timeout=60_000)
            page.wait_for_function("() => document.getElementById('hero').textContent === 'personalized'")
            page.wait_for_timeout(100)
            runs[loader] = page.evaluate("() => window.samples")
            assert page.evaluate("() => !document.getElementById('alloy-prehiding')")
            page.close()
            context.unroute_all()
    finally:
        emulator.decisions = []
    alloy_js, alloy_py = runs["/vendor/alloy/alloy.js"], runs["/alloy-py.js"]
    # Hidden no later than alloy.js hides it (one frame of slack for the two page loads).
    assert _first_hidden_ms(alloy_py) <= _first_hidden_ms(alloy_js) + 17, (alloy_py[:5], alloy_js[:5])
    hidden_at = _first_hidden_ms(alloy_py)
    shown_after = [s for s in alloy_py if s["t"] > hidden_at and s["shown"]]
    assert shown_after and all(s["text"] == "personalized" for s in shown_after), shown_after[:3]
    assert alloy_py[-1]["t"] - hidden_at > BOOT_DELAY_S * 1000 * 0.8  # it really held through the boot


@pytest.mark.parametrize("outcome", ["nothing to render", "Edge error", "consent out", "configure rejected"])
def test_the_prehiding_style_is_removed_in_every_outcome(
    context: Any, emulator: EdgeEmulator, slow_boot: DevServer, outcome: str
) -> None:
    extra: dict[str, Any] = {}
    if outcome == "Edge error":
        extra["datastreamId"] = "unknown-datastream"  # the emulator answers 400
    elif outcome == "configure rejected":
        extra["thirdPartyCookiesEnabled"] = "yes"
    elif outcome == "consent out":
        context.add_cookies([
            {"name": f"kndctr_{ORG_ID.replace('@', '_')}_{name}", "value": value, "domain": "127.0.0.1", "path": "/"}
            for name, value in (("consent", "general=out"), ("identity", IDENTITY_COOKIE_VALUE))])
    page = context.new_page()
    page.goto(_prehiding_page(slow_boot, emulator, "/alloy-py.js", **extra), wait_until="domcontentloaded")
    if outcome != "consent out":  # alloy never hides for a visitor who opted out
        page.wait_for_function("() => document.getElementById('alloy-prehiding')", timeout=2_000)
    if outcome == "configure rejected":  # the sendEvent never settles, as in alloy.js: watch the style
        page.wait_for_function("() => window.__alloyPy", timeout=60_000)
        page.wait_for_function("() => !document.getElementById('alloy-prehiding')", timeout=10_000)
        return
    result = page.wait_for_function("() => window.result", timeout=60_000).json_value()
    assert page.evaluate("() => !document.getElementById('alloy-prehiding')")
    assert page.evaluate("() => document.getElementById('hero').textContent") == "original"
    if outcome == "Edge error":
        assert "The server responded with a status code 400" in result["error"]
    else:
        assert "ok" in result, result


@pytest.mark.parametrize("failure", ["missing file", "timeout"])
def test_a_boot_failure_removes_prehiding_and_rejects_every_call(
    context: Any, emulator: EdgeEmulator, site: DevServer, failure: str
) -> None:
    page = context.new_page()
    if failure == "missing file":
        page.route("**/pyodide/pyodide.mjs", lambda route: route.fulfill(status=404, body="gone"))
        loader = "/alloy-py.js"
    else:
        site.delay(SLOW_FILE, 3)
        loader = "/alloy-py.js"
    url = _prehiding_page(site, emulator, loader)
    if failure == "timeout":
        html = page_html(configure(emulator, prehidingStyle=PREHIDING)
                         + "window.result = alloy('sendEvent', {renderDecisions: true})"
                           ".then(r => ({ok: r}), e => ({error: e.message}));",
                         head=SAMPLER, body=HERO)
        url = site.add_page("/t/timeout.html",
                            html.replace('async></script>', 'async data-boot-timeout="800"></script>'))
    try:
        page.goto(url)
        result = page.wait_for_function("() => window.result", timeout=30_000).json_value()
    finally:
        site.delay(SLOW_FILE, 0)
    assert result["error"].startswith("[alloy] alloy-py could not start: ")
    if failure == "timeout":
        assert "did not start within 800 ms" in result["error"]
    assert page.evaluate("() => !document.getElementById('alloy-prehiding')")
    late = page.evaluate("() => alloy('sendEvent', {}).then(() => 'resolved', e => e.message)")
    assert late.startswith("[alloy] alloy-py could not start: ")
    assert not events_of(emulator)
