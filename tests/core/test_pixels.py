"""ID syncs (identity:exchange) and push destinations (activation:push): pixels and cookies."""

from __future__ import annotations

from typing import Any

from alloy_py.browser.memory import FiredImage, MemoryBrowser
from alloy_py.instance import PageInstances

from .conftest import DATASTREAM_ID, ORG_ID, configured, identity_edge, settle

SYNC = "https://sync.partner.example/id?d_uuid=1"
HIDDEN = "https://hidden.partner.example/px?x=1&y=%20"
IFRAME = '<iframe name="Adobe Alloy" style="display: none; width: 0px; height: 0px;"></iframe>'


def exchange(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "identity:exchange", "payload": list(items)}


def push(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "activation:push", "payload": list(items)}


def url_item(url: str, hide: Any = False, kind: str = "url") -> dict[str, Any]:
    return {"type": kind, "id": 411, "spec": {"url": url, "hideReferrer": hide, "ttlMinutes": 10080}}


def messages(memory: MemoryBrowser, level: str) -> list[str]:
    return [" ".join(str(a) for a in args) for lvl, args in memory.logs if lvl == level]


def iframes(memory: MemoryBrowser) -> list[str]:
    return [str(tag) for tag in memory.document.find_all("iframe")]


async def test_id_syncs_fire_on_the_page_or_in_the_hidden_iframe(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge(exchange(url_item(SYNC), url_item(HIDDEN, hide=True),
                                         url_item("https://no.example/", kind="cookie")))
    alloy = await configured(memory, debugEnabled=True)

    result = await alloy("sendEvent", {})
    await settle()

    assert result == {"propositions": [], "decisions": []}  # ID syncs add nothing to the result
    assert memory.fired_images == [FiredImage(SYNC, None), FiredImage(HIDDEN, "Adobe Alloy")]
    assert iframes(memory) == [IFRAME]
    assert memory.document.body.contents[-1].name == "iframe"  # appended to <body>
    info = messages(memory, "info")
    assert f"[alloy] [Identity] ID sync succeeded: {SYNC}" in info
    assert f"[alloy] [Identity] ID sync succeeded: {HIDDEN}" in info


async def test_the_hidden_iframe_is_made_once_per_page_for_every_instance(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge(exchange(url_item(HIDDEN, hide=True)))
    page = PageInstances(memory)
    first, second = page.instance("alloy"), page.instance("other")
    await first("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID})
    await second("configure", {"datastreamId": "other-datastream", "orgId": "OTHER@AdobeOrg"})
    await first("sendEvent", {})
    await second("sendEvent", {})
    await first("sendEvent", {})
    await settle()

    assert memory.fired_images == [FiredImage(HIDDEN, "Adobe Alloy")] * 3
    assert iframes(memory) == [IFRAME]


async def test_hide_referrer_is_read_as_javascript_truthiness(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge(exchange(
        url_item("https://a.example/", hide=1), url_item("https://b.example/", hide=""),
        url_item("https://c.example/", hide="false"), {"type": "url", "spec": {"url": "https://d.example/"}},
    ))
    await (await configured(memory))("sendEvent", {})
    await settle()

    assert memory.fired_images == [
        FiredImage("https://a.example/", "Adobe Alloy"), FiredImage("https://b.example/", None),
        FiredImage("https://c.example/", "Adobe Alloy"), FiredImage("https://d.example/", None),
    ]


async def test_a_failing_pixel_is_logged_and_never_fails_the_command(memory: MemoryBrowser) -> None:
    memory.failing_images = {SYNC, "https://dest.example/"}
    memory.edge = identity_edge(exchange(url_item(SYNC), {"type": "url", "spec": None}, "junk"),
                                push(url_item("https://dest.example/", hide=True)))
    alloy = await configured(memory, debugEnabled=True)

    result = await alloy("sendEvent", {})
    await settle()

    assert result == {"propositions": [], "decisions": []}
    warnings = messages(memory, "warn")
    assert f"[alloy] [Identity] ID sync failed: {SYNC}" in warnings
    assert "[alloy] [Audiences] URL destination failed: https://dest.example/" in warnings


async def test_without_a_body_the_hidden_iframe_pixel_fails_after_five_seconds() -> None:
    memory = MemoryBrowser(html="<!doctype html><html><head></head></html>")
    memory.document.body.decompose() if memory.document.body else None
    memory.edge = identity_edge(exchange(url_item(HIDDEN, hide=True), url_item(SYNC)))
    alloy = await configured(memory, debugEnabled=True)
    await alloy("sendEvent", {})
    await settle()

    assert memory.fired_images == [FiredImage(SYNC, None)]
    assert f"[alloy] [Identity] ID sync failed: {HIDDEN}" in messages(memory, "warn")
    assert 5000 in memory.sleeps


async def test_url_destinations_fire_like_id_syncs(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge(push(url_item("https://dest.example/a", hide=False),
                                     url_item("https://dest.example/b", hide=True)))
    alloy = await configured(memory, debugEnabled=True)
    await alloy("sendEvent", {})
    await settle()

    assert memory.fired_images == [FiredImage("https://dest.example/a", None),
                                   FiredImage("https://dest.example/b", "Adobe Alloy")]
    assert "[alloy] [Audiences] URL destination succeeded: https://dest.example/b" in messages(memory, "info")


def cookie_item(**spec: Any) -> dict[str, Any]:
    return {"type": "cookie", "id": 1, "spec": spec}


async def test_cookie_destinations_are_uri_encoded_with_ttl_days_and_their_own_domain(memory: MemoryBrowser) -> None:
    now = memory.now
    memory.edge = identity_edge(push(
        cookie_item(name="aud_seg", value="a=1;b c/é", ttlDays=30),
        cookie_item(name="aud_dom", value="x", domain="shop.example.com"),
        cookie_item(name="aud_elsewhere", value="x", domain="other.example"),
        cookie_item(name="aud_empty", ttlDays=0),
    ))
    alloy = await configured(memory, debugEnabled=True)
    result = await alloy("sendEvent", {})

    assert "destinations" not in result
    cookies = memory.cookies
    assert cookies["aud_seg"].value == "a%3D1%3Bb%20c%2F%C3%A9"  # encodeURIComponent, not js-cookie's default
    assert cookies["aud_seg"].domain is None  # no spec.domain: host-only, not the apex domain
    assert cookies["aud_seg"].expires_ms == now + 30 * 86_400_000
    assert (cookies["aud_seg"].same_site, cookies["aud_seg"].secure) == ("none", True)  # an https page
    assert cookies["aud_dom"].domain == "shop.example.com"
    assert cookies["aud_dom"].expires_ms == now + 10 * 86_400_000  # ttlDays defaults to 10
    assert "aud_elsewhere" not in cookies  # the browser refuses a foreign domain
    assert cookies["aud_empty"].value == ""
    assert cookies["aud_empty"].expires_ms == now + 10 * 86_400_000  # ttlDays 0 is "not given"
    assert memory.cookies["aud_seg"] is not None and alloy  # the command still resolved
    [logged] = [args for lvl, args in memory.logs if lvl == "info" and args[1:2] == ("Setting cookie",)
                and args[2]["name"] == "aud_seg"]
    assert logged[0] == "[alloy] [Audiences]"
    assert logged[2] == {"name": "aud_seg", "value": "a=1;b c/é", "domain": "", "expires": 30,
                         "sameSite": "none", "secure": True}


async def test_cookie_destinations_on_http_pages_are_not_secure() -> None:
    memory = MemoryBrowser(url="http://www.shop.example.com/")
    memory.edge = identity_edge(push(cookie_item(name="seg", value=5, ttlDays=0.5)))
    await (await configured(memory))("sendEvent", {})

    cookie = memory.cookies["seg"]
    assert (cookie.value, cookie.same_site, cookie.secure) == ("5", None, False)
    assert cookie.expires_ms == memory.now + 43_200_000


async def test_a_cookie_destination_with_a_non_number_ttl_is_skipped_and_the_rest_applied(
    memory: MemoryBrowser,
) -> None:
    memory.edge = identity_edge(push(cookie_item(name="bad", value="x", ttlDays="5"),
                                     cookie_item(name="good", value="y"), url_item("https://dest.example/")))
    result = await (await configured(memory, debugEnabled=True))("sendEvent", {})
    await settle()

    assert result == {"propositions": [], "decisions": []}
    assert "bad" not in memory.cookies and memory.cookies["good"].value == "y"
    assert memory.fired_images == [FiredImage("https://dest.example/", None)]
    assert any("Cookie destination bad skipped" in m for m in messages(memory, "warn"))


async def test_a_removed_hidden_iframe_makes_later_pixels_fail_as_in_alloy(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge(exchange(url_item(HIDDEN, hide=True)))
    alloy = await configured(memory, debugEnabled=True)
    await alloy("sendEvent", {})
    await settle()
    memory.document.find("iframe").extract()  # the page took it out
    await alloy("sendEvent", {})
    await settle()

    assert memory.fired_images == [FiredImage(HIDDEN, "Adobe Alloy")]
    assert iframes(memory) == []  # alloy keeps using its iframe; it never makes another
    assert f"[alloy] [Identity] ID sync failed: {HIDDEN}" in messages(memory, "warn")


async def test_cookie_destination_ttl_edges(memory: MemoryBrowser) -> None:
    memory.edge = identity_edge(push(cookie_item(name="huge", value="h", ttlDays=1e300),
                                     cookie_item(name="gone", value="g", ttlDays=-1)))
    memory.cookies.clear()
    await (await configured(memory))("sendEvent", {})

    assert memory.cookies["huge"].expires_ms is None  # past what a Date holds: a session cookie
    assert "gone" not in memory.cookies  # expired at once
