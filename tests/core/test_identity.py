"""getIdentity and the identity cookie."""

from __future__ import annotations

import asyncio

import pytest

from alloy_py import ValidationError
from alloy_py.browser import HttpResponse
from alloy_py.browser.memory import FakeVisitor, MemoryBrowser
from alloy_py.cookies import CookieJar, decode_kndctr_ecid

from .conftest import (
    ECID,
    IDENTITY_COOKIE,
    IDENTITY_COOKIE_VALUE,
    ORG_ID,
    body,
    configured,
    edge_body,
    identity_edge,
    settle,
)


def test_decode_identity_cookie() -> None:
    assert decode_kndctr_ecid(IDENTITY_COOKIE_VALUE) == ECID
    assert decode_kndctr_ecid("not base64!") is None
    assert decode_kndctr_ecid("CiY") is None  # truncated


async def test_get_identity_reads_the_cookie_without_a_request(memory: MemoryBrowser) -> None:
    memory.set_cookie(f"{IDENTITY_COOKIE}={IDENTITY_COOKIE_VALUE}; path=/")

    assert await (await configured(memory))("getIdentity") == {"identity": {"ECID": ECID}, "edge": {}}
    assert memory.sent == []


async def test_get_identity_acquires_when_there_is_no_cookie(memory: MemoryBrowser) -> None:
    memory.edge = lambda request: HttpResponse(
        200,
        edge_body({"type": "identity:result", "payload": [{"id": "999", "namespace": {"code": "ECID"}},
                                                          {"id": "core-1", "namespace": {"code": "CORE"}}]}),
        {"x-adobe-edge": "or2;35"},
    )

    result = await (await configured(memory))("getIdentity", {"namespaces": ["ECID", "CORE"]})
    assert result == {"identity": {"ECID": "999", "CORE": "core-1"}, "edge": {"regionId": 35}}
    [sent] = memory.sent
    assert "/ee/v1/identity/acquire?configId=" in sent.url
    assert body(sent)["query"] == {"identity": {"fetch": ["ECID", "CORE"]}}
    # Visitor.js pages on the same site find the ECID in the legacy cookie alloy writes.
    assert CookieJar(memory).get("AMCV_5BFE274A5F6980A50A495C08@AdobeOrg") == "MCMID|999"


async def test_core_namespace_needs_third_party_cookies(memory: MemoryBrowser) -> None:
    alloy = await configured(memory, thirdPartyCookiesEnabled=False)
    with pytest.raises(ValidationError) as caught:
        await alloy("getIdentity", {"namespaces": ["CORE"]})
    assert "The CORE namespace cannot be requested when third-party cookies are disabled." in caught.value.message


def test_cookie_encoding_round_trips_like_js_cookie(memory: MemoryBrowser) -> None:
    jar = CookieJar(memory)
    jar.set("AMCV_X@AdobeOrg", "MCMID|1 2;3=4")
    assert "AMCV_X%40AdobeOrg" in memory.cookies
    assert memory.cookies["AMCV_X%40AdobeOrg"].value == "MCMID|1%202%3B3=4"
    assert jar.get("AMCV_X@AdobeOrg") == "MCMID|1 2;3=4"


@pytest.mark.parametrize("url,apex", [
    ("https://shop.example.co.uk/", "example.co.uk"),
    ("https://www.example.com/", "example.com"),
    ("http://localhost:8000/", ""),
    ("http://127.0.0.1:8000/", "127.0.0.1"),
])
def test_apex_domain(url: str, apex: str) -> None:
    memory = MemoryBrowser(url=url)
    assert CookieJar(memory).apex_domain(memory.hostname) == apex
    assert memory.cookies == {}


@pytest.mark.parametrize("url,expected_tail", [
    ("https://partner.example.org/page", "https://partner.example.org/page?adobe_mc="),
    ("https://partner.example.org/page?x=1#top", "https://partner.example.org/page?x=1&adobe_mc="),
    ("https://partner.example.org/page?#top", "https://partner.example.org/page?adobe_mc="),
])
async def test_append_identity_to_url(memory: MemoryBrowser, url: str, expected_tail: str) -> None:
    memory.set_cookie(f"{IDENTITY_COOKIE}={IDENTITY_COOKIE_VALUE}; path=/")

    result = (await (await configured(memory))("appendIdentityToUrl", {"url": url}))["url"]
    seconds = round(memory.now / 1000)
    value = f"TS%3D{seconds}%7CMCMID%3D{ECID}%7CMCORGID%3D5BFE274A5F6980A50A495C08%2540AdobeOrg"
    assert result.startswith(expected_tail + value)
    assert result.endswith("#top") == url.endswith("#top")
    assert memory.sent == []


async def test_append_identity_to_url_while_consent_is_pending_returns_the_options(memory: MemoryBrowser) -> None:
    alloy = await configured(memory, defaultConsent="pending")
    assert await alloy("appendIdentityToUrl", {"url": "https://x.example/"}) == {"url": "https://x.example/"}


def adobe_mc(
    seconds: int, ecid: str = "11112222333344445555666677778888999900", org: str = "5BFE274A5F6980A50A495C08%40AdobeOrg"
) -> str:
    return f"adobe_mc=TS%3D{seconds}%7CMCMID%3D{ecid}%7CMCORGID%3D{org}"


@pytest.mark.parametrize("where", ["query", "hash"])
async def test_ecid_from_a_fresh_adobe_mc_link(where: str) -> None:
    now = MemoryBrowser().now // 1000
    param = adobe_mc(now - 10)
    url = f"https://www.example.com/?{param}" if where == "query" else f"https://www.example.com/#/route?{param}"
    memory = MemoryBrowser(url=url)

    await (await configured(memory))("sendEvent", {})
    payload = body(memory.sent[0])
    assert list(payload) == ["events", "query", "xdm", "meta"]
    assert payload["xdm"] == {"identityMap": {"ECID": [{"id": "11112222333344445555666677778888999900"}]}}


@pytest.mark.parametrize("param", [
    adobe_mc(MemoryBrowser().now // 1000 - 301),  # older than five minutes
    adobe_mc(MemoryBrowser().now // 1000, org="OTHER%40AdobeOrg"),
    "adobe_mc=garbage",
])
async def test_expired_or_foreign_adobe_mc_is_ignored(param: str) -> None:
    memory = MemoryBrowser(url=f"https://www.example.com/?{param}")

    await (await configured(memory))("sendEvent", {})
    assert "xdm" not in body(memory.sent[0])


def nested_adobe_mc(depth: int) -> str:
    value = adobe_mc(MemoryBrowser().now // 1000)[len("adobe_mc="):]
    for _ in range(depth):
        value = value.replace("%", "%25")
    return "adobe_mc=" + value


async def test_adobe_mc_encoded_twice_is_still_read() -> None:
    memory = MemoryBrowser(url=f"https://www.example.com/?{nested_adobe_mc(2)}")
    await (await configured(memory))("sendEvent", {})
    assert body(memory.sent[0])["xdm"]["identityMap"]["ECID"] == [{"id": "11112222333344445555666677778888999900"}]


@pytest.mark.parametrize("param", [
    nested_adobe_mc(40),  # alloy.js decodes 40 times on every request
    adobe_mc(MemoryBrowser().now // 1000) + "%7CPAD%3D" + "a" * 3000,  # valid, but longer than any real one
])
async def test_adobe_mc_too_deep_or_too_long_is_invalid_at_once(param: str) -> None:
    memory = MemoryBrowser(url=f"https://www.example.com/?{param}")
    await (await configured(memory))("sendEvent", {})
    assert "xdm" not in body(memory.sent[0])


async def test_visitor_ecid_is_migrated_on_the_first_request(memory: MemoryBrowser) -> None:
    CookieJar(memory).set("AMCV_5BFE274A5F6980A50A495C08@AdobeOrg", "MCMID|424242|MCAID|NONE")
    CookieJar(memory).set("s_ecid", "MCMID|515151")

    alloy = await configured(memory)
    await alloy("sendEvent", {})
    # s_ecid is read before AMCV, as alloy does.
    assert body(memory.sent[0])["xdm"] == {"identityMap": {"ECID": [{"id": "515151"}]}}


async def test_no_migration_when_disabled(memory: MemoryBrowser) -> None:
    CookieJar(memory).set("AMCV_5BFE274A5F6980A50A495C08@AdobeOrg", "MCMID|424242")

    await (await configured(memory, idMigrationEnabled=False))("sendEvent", {})
    assert "xdm" not in body(memory.sent[0])


# Visitor.js on the page (injectGetEcidFromVisitor, awaitVisitorOptIn)
VISITOR_ECID = "91919191919191919191919191919191919191"


def infos(memory: MemoryBrowser) -> list[str]:
    return [str(args[-1]) for level, args in memory.logs if level == "info"]


async def test_visitor_ecid_is_migrated_when_there_is_no_legacy_cookie(memory: MemoryBrowser) -> None:
    memory.visitor = FakeVisitor()
    memory.edge = identity_edge()

    alloy = await configured(memory, debugEnabled=True)
    await alloy("sendEvent", {})
    await alloy("sendEvent", {})
    assert body(memory.sent[0])["xdm"] == {"identityMap": {"ECID": [{"id": VISITOR_ECID}]}}
    assert "identityMap" not in body(memory.sent[1]).get("xdm", {})  # the identity cookie is there now
    assert memory.visitor.asked == [ORG_ID]
    assert "Delaying request while using Visitor to retrieve ECID from server." in infos(memory)
    assert "Resuming previously delayed request that was waiting for ECID from Visitor." in infos(memory)


async def test_the_legacy_cookie_wins_over_visitor(memory: MemoryBrowser) -> None:
    memory.visitor = FakeVisitor()
    CookieJar(memory).set("AMCV_5BFE274A5F6980A50A495C08@AdobeOrg", "MCMID|424242")
    alloy = await configured(memory)
    await alloy("sendEvent", {})
    assert body(memory.sent[0])["xdm"] == {"identityMap": {"ECID": [{"id": "424242"}]}}
    assert memory.visitor.asked == []


async def test_visitor_is_not_asked_without_id_migration(memory: MemoryBrowser) -> None:
    memory.visitor = FakeVisitor()
    await (await configured(memory, idMigrationEnabled=False))("sendEvent", {})
    assert "xdm" not in body(memory.sent[0])
    assert memory.visitor.asked == []


async def test_requests_wait_for_visitor_and_then_for_the_identity(memory: MemoryBrowser) -> None:
    ready = asyncio.Event()
    memory.visitor = FakeVisitor(ready=ready)
    memory.edge = identity_edge()
    alloy = await configured(memory)

    first = asyncio.ensure_future(alloy("sendEvent", {"xdm": {"eventType": "one"}}))
    second = asyncio.ensure_future(alloy("sendEvent", {"xdm": {"eventType": "two"}}))
    await settle()
    assert memory.sent == []  # as long as Visitor takes, as alloy waits
    ready.set()
    await asyncio.gather(first, second)
    sent = [body(s) for s in memory.sent]
    assert sent[0]["xdm"] == {"identityMap": {"ECID": [{"id": VISITOR_ECID}]}}
    assert sent[0]["events"][0]["xdm"]["eventType"] == "one"
    assert "identityMap" not in sent[1].get("xdm", {})
    assert memory.visitor.asked == [ORG_ID]


async def test_visitor_waits_for_the_legacy_opt_in(memory: MemoryBrowser) -> None:
    decided = asyncio.Event()
    memory.visitor = FakeVisitor(opt_in=True, decided=decided)
    alloy = await configured(memory, debugEnabled=True)

    sending = asyncio.ensure_future(alloy("sendEvent", {}))
    await settle()
    assert memory.sent == [] and memory.visitor.asked == []  # Visitor is not asked before the approval
    assert (
        "Delaying request while waiting for legacy opt-in to let Visitor retrieve ECID from server." in infos(memory)
    )
    decided.set()
    await sending
    assert body(memory.sent[0])["xdm"] == {"identityMap": {"ECID": [{"id": VISITOR_ECID}]}}
    assert "Received legacy opt-in approval to let Visitor retrieve ECID from server." in infos(memory)


@pytest.mark.parametrize("visitor,message", [
    (FakeVisitor(opt_in=False), "Legacy opt-in was declined., retrieving ECID from experience edge"),
    (FakeVisitor(error="Visitor is broken"), "Visitor is broken, retrieving ECID from experience edge"),
    (FakeVisitor(ecid=""), None),
])
async def test_without_an_ecid_from_visitor_the_edge_mints_one(
    memory: MemoryBrowser, visitor: FakeVisitor, message: str | None
) -> None:
    memory.visitor = visitor
    await (await configured(memory, debugEnabled=True))("sendEvent", {})
    assert "xdm" not in body(memory.sent[0])
    if message:
        assert message in infos(memory)
