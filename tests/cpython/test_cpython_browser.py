"""CPythonBrowser: one visitor of a CPython program, talking to the Edge emulator over HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alloy_py_dev.emulator import DEMO_DATASTREAM_ID, DEMO_ORG_ID, EdgeEmulator

from alloy_py import AlloyError, ConfigurationError, create_instance
from alloy_py.browser.cpython import CPythonBrowser
from alloy_py.components.personalization.propositions import NO_DOCUMENT
from alloy_py.instance import Instance

IDENTITY = "kndctr_DEMO0123456789ABCDEF0123_AdobeOrg_identity"
PAGE_VIEW = {"xdm": {"eventType": "web.webpagedetails.pageViews"}}


@pytest.fixture
def edge() -> Iterator[EdgeEmulator]:
    with EdgeEmulator() as emulator:
        yield emulator


async def configured(edge: EdgeEmulator, browser: CPythonBrowser, **options: Any) -> Instance:
    instance = create_instance("alloy", browser=browser)
    await instance.execute(
        "configure", {"datastreamId": DEMO_DATASTREAM_ID, "orgId": DEMO_ORG_ID, "edgeDomain": edge.url, **options}
    )
    return instance


def interacts(edge: EdgeEmulator) -> list[dict[str, Any]]:
    return [r for r in edge.requests if r["action"] == "interact"]


async def test_the_visitor_gets_an_ecid_and_its_cookie_goes_back_to_the_edge(edge: EdgeEmulator) -> None:
    browser = CPythonBrowser(page_url="https://www.example.com/shop.html")
    alloy = await configured(edge, browser)
    await alloy.execute("sendEvent", PAGE_VIEW)
    [first] = interacts(edge)
    assert first["ecidSource"] == "minted" and first["cookie"] == ""
    assert first["contentType"] == "text/plain; charset=UTF-8"
    assert first["body"]["events"][0]["xdm"]["web"]["webPageDetails"]["URL"] == "https://www.example.com/shop.html"

    identity = await alloy.execute("getIdentity", {})
    assert identity["identity"]["ECID"] == first["ecid"]

    await alloy.execute("sendEvent", PAGE_VIEW)
    second = interacts(edge)[-1]
    assert f"{IDENTITY}=" in second["cookie"]  # the Edge's Set-Cookie, back in the Cookie header
    assert second["ecidSource"] == "cookie" and second["ecid"] == first["ecid"]
    # alloy's own state:store cookie on the page's apex domain, as document.cookie shows it
    assert f"{IDENTITY}=" in browser.get_cookies()


async def test_decision_scopes_come_back_from_the_edge(edge: EdgeEmulator) -> None:
    alloy = await configured(edge, CPythonBrowser())
    result = await alloy.execute("sendEvent", {**PAGE_VIEW, "personalization": {"decisionScopes": ["hero-banner"]}})
    [banner] = [p for p in result["propositions"] if p["scope"] == "hero-banner"]
    assert banner["id"] == "emu-hero-banner-offer" and banner["renderAttempted"] is False
    assert banner["items"][0]["data"]["content"]["headline"] == "Welcome back!"
    assert "emu-hero-banner-offer" in interacts(edge)[-1]["decisionIds"]


async def test_render_decisions_returns_at_once_unrendered_with_one_warning(
    edge: EdgeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    alloy = await configured(edge, CPythonBrowser(), debugEnabled=True, prehidingStyle="#hero { opacity: 0 }")
    caplog.set_level(logging.INFO, logger="alloy_py")
    started = time.monotonic()
    result = await alloy.execute(
        "sendEvent", {**PAGE_VIEW, "renderDecisions": True, "personalization": {"decisionScopes": ["hero-banner"]}}
    )
    assert time.monotonic() - started < 1  # no five-second wait for containers that never come
    page_wide = [p for p in result["propositions"] if p["scope"] == "__view__"]
    assert page_wide and all(p["renderAttempted"] is False for p in result["propositions"])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"[alloy] [Personalization] {NO_DOCUMENT}"]
    await asyncio.sleep(0.2)
    # nothing was displayed, so nothing says so
    assert [r["eventTypes"] for r in interacts(edge)] == [["web.webpagedetails.pageViews"]]


async def test_the_visitor_survives_a_new_browser_through_its_state_file(edge: EdgeEmulator, tmp_path: Path) -> None:
    state = tmp_path / "visitor.json"
    first = await configured(edge, CPythonBrowser(state_file=state))
    await first.execute("sendEvent", PAGE_VIEW)
    ecid = interacts(edge)[0]["ecid"]
    saved = json.loads(state.read_text())
    assert {c["name"] for c in saved["cookies"]} >= {IDENTITY}

    later = await configured(edge, CPythonBrowser(state_file=state))
    await later.execute("sendEvent", PAGE_VIEW)
    again = interacts(edge)[-1]
    assert again["ecidSource"] == "cookie" and again["ecid"] == ecid
    assert (await later.execute("getIdentity", {}))["identity"]["ECID"] == ecid


def test_local_storage_is_kept_and_session_storage_and_cookies_end_with_the_browser(tmp_path: Path) -> None:
    state = tmp_path / "visitor.json"
    browser = CPythonBrowser(state_file=state)
    browser.storage_set("local", "kept", "1")
    browser.storage_set("session", "gone", "1")
    browser.set_cookie("session=1; path=/")
    browser.set_cookie("persistent=1; path=/; max-age=3600")
    again = CPythonBrowser(state_file=state)
    assert again.storage_keys("local") == ["kept"] and again.storage_keys("session") == []
    assert again.get_cookies() == "persistent=1"


def test_a_state_file_that_is_not_a_visitors_state_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "visitor.json"
    state.write_text("{not json")
    with pytest.raises(ConfigurationError, match="is not a visitor's state saved by CPythonBrowser"):
        CPythonBrowser(state_file=state)


def test_the_timezone_offset_is_the_local_zones_as_get_timezone_offset_counts_it() -> None:
    now = time.time()
    assert CPythonBrowser().timezone_offset_minutes(int(now * 1000)) * -60 == time.localtime(now).tm_gmtoff


async def test_an_unreachable_edge_rejects_with_a_network_error(edge: EdgeEmulator) -> None:
    alloy = await configured(edge, CPythonBrowser(timeout=5))
    edge.close()
    with pytest.raises(AlloyError) as failure:
        await alloy.execute("sendEvent", PAGE_VIEW)
    [command, network, reason] = failure.value.message.split("\nCaused by: ")
    assert command == "[alloy] [DataCollector] An error occurred while executing the sendEvent command."
    assert network == "Network request failed."  # the core's NetworkError, from CPythonBrowser's
    assert reason.startswith(f"Could not reach {edge.url}/ee/v1/interact: ")


async def test_document_cookie_follows_domain_and_expiry() -> None:
    browser = CPythonBrowser(page_url="https://www.example.com/")
    browser.set_cookie("a=1; path=/; domain=example.com; SameSite=Lax")
    browser.set_cookie("b=2; path=/")
    browser.set_cookie("c=3; path=/; domain=other.com")  # not this page's: dropped
    assert sorted(browser.get_cookies().split("; ")) == ["a=1", "b=2"]
    browser.set_cookie("a=; path=/; domain=example.com; expires=Thu, 01 Jan 1970 00:00:00 GMT")
    assert browser.get_cookies() == "b=2"
    browser.page_url = "https://shop.example.com/"  # host-only b stays behind
    assert browser.get_cookies() == ""


def test_alloy_outside_pyodide_names_the_alternatives() -> None:
    program = "import asyncio\nfrom alloy_py import alloy\nasyncio.run(alloy('configure', {}))\n"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("alloy_py.errors.NoPageError: alloy-py has no browser page here")
    assert "CPythonBrowser" in last and "MemoryBrowser" in last and "Pyodide" in last
    assert "No module named" not in done.stderr and "During handling" not in done.stderr


async def test_document_unloading_is_an_awaited_post_to_collect(edge: EdgeEmulator) -> None:
    alloy = await configured(edge, CPythonBrowser())
    await alloy.execute("sendEvent", PAGE_VIEW)
    await alloy.execute("sendEvent", {"xdm": {"eventType": "web.webinteraction.linkClicks"}, "documentUnloading": True})
    # there when the command resolves: no beacon left behind for a program that exits now
    last = edge.requests[-1]
    assert last["action"] == "collect" and last["eventTypes"] == ["web.webinteraction.linkClicks"]
    assert f"{IDENTITY}=" in last["cookie"]


async def test_an_edge_error_status_is_an_answer_not_a_network_failure(edge: EdgeEmulator) -> None:
    alloy = create_instance("alloy", browser=CPythonBrowser())
    await alloy.execute(
        "configure", {"datastreamId": "no-such-datastream", "orgId": DEMO_ORG_ID, "edgeDomain": edge.url}
    )
    with pytest.raises(AlloyError) as failure:
        await alloy.execute("sendEvent", PAGE_VIEW)
    [answered] = interacts(edge)
    assert answered["status"] >= 400
    assert "Network request failed." not in failure.value.message
    assert f"status code {answered['status']}" in failure.value.message


async def test_apply_propositions_hands_them_back_unrendered(edge: EdgeEmulator) -> None:
    alloy = await configured(edge, CPythonBrowser())
    fetched = await alloy.execute("sendEvent", PAGE_VIEW)
    started = time.monotonic()
    applied = await alloy.execute("applyPropositions", {"propositions": fetched["propositions"]})
    assert time.monotonic() - started < 1
    assert applied["propositions"] and all(p["renderAttempted"] is False for p in applied["propositions"])
    await alloy.execute("sendEvent", {**PAGE_VIEW, "personalization": {"includeRenderedPropositions": True}})
    assert "_experience" not in interacts(edge)[-1]["body"]["events"][0]["xdm"]  # nothing displayed to report


async def test_an_edge_redirect_is_not_followed() -> None:
    """A 302 from the Edge host is its answer: the POST is not re-sent as a GET elsewhere with the
    visitor's cookies, and nothing the other host says is filed under the Edge's."""
    import http.server
    import threading

    arrived: list[str] = []

    class Elsewhere(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            arrived.append(self.path)
            self.send_response(200)
            self.send_header("Set-Cookie", "stolen=1; Path=/")
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere)

    class Redirecting(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{other.server_port}/steal")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    edge = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    for server in (other, edge):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser = CPythonBrowser()
        alloy = create_instance("alloy", browser=browser)
        await alloy.execute("configure", {"datastreamId": DEMO_DATASTREAM_ID, "orgId": DEMO_ORG_ID,
                                          "edgeDomain": f"http://127.0.0.1:{edge.server_port}"})
        with pytest.raises(AlloyError) as failure:
            await alloy.execute("sendEvent", PAGE_VIEW)
        assert "status code 302" in failure.value.message
        assert arrived == []
        assert "stolen" not in browser.get_cookies()
    finally:
        for server in (other, edge):
            server.shutdown()
            server.server_close()
