"""Advertising: click-through and view-through conversions, ad ids on events, its configuration."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from alloy_py.browser.memory import MemoryBrowser
from alloy_py.components.advertising.identities import ID5_SCRIPT_URL
from alloy_py.components.advertising.murmur import murmur_hash_128_guava_hex
from alloy_py.errors import AlloyError

from .conftest import DATASTREAM_ID, ORG_ID, body, configured, identity_edge, make_alloy, settle

COOKIE = "kndctr_5BFE274A5F6980A50A495C08_AdobeOrg_advertising"
SHOP = "https://www.shop.example.com/products/shoes"
ADVERTISERS = {"advertiserSettings": [{"advertiserId": "111", "enabled": True},
                                      {"advertiserId": "222", "enabled": False},
                                      {"advertiserId": "333", "enabled": True}]}
PIXEL_ORIGIN = "https://www.everestjs.net"
PIXEL_ANSWER = (PIXEL_ORIGIN, "https://www.everestjs.net/static/pixel_details.html#google=__EFGCK__"
                "&gsurfer=SURFER-1&ev_lcc=DISPLAY-9&clientIp=203.0.113.7")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
RAMP_SCRIPT = "https://ats.partner.example/ats.js"


def page(url: str = SHOP, **extra: Any) -> MemoryBrowser:
    memory = MemoryBrowser(url=url, **extra)
    memory.edge = identity_edge()
    return memory


def stored(memory: MemoryBrowser) -> dict[str, Any]:
    """The advertising cookie as alloy reads it: js-cookie's decoding, then decodeURIComponent and JSON."""
    raw = memory.cookies[COOKIE].value
    return dict(json.loads(unquote(unquote(raw))))


def events(memory: MemoryBrowser) -> list[dict[str, Any]]:
    return [body(sent)["events"][0] for sent in memory.sent]


async def test_a_search_click_sends_its_conversion_at_configure_and_remembers_the_click() -> None:
    memory = page(SHOP + "?s_kwcid=AL!1234!3!abc&ef_id=EF-1:G:s&color=red")
    alloy = await configured(memory, advertising=ADVERTISERS)
    await settle()
    conversion = events(memory)[0]
    assert conversion["xdm"] == {
        "_experience": {"adcloud": {"conversionDetails": {"trackingCode": "AL!1234!3!abc",
                                                          "trackingIdentities": "EF-1:G:s"}}},
        "eventType": "advertising.enrichment_ct",
        "timestamp": "2025-11-24T16:00:00.000Z",
    }
    assert "query" not in conversion or "advertising" not in conversion["query"]
    assert urlsplit(memory.sent[0].url).path.endswith("/v1/interact")
    assert stored(memory) == {"_les_lsc": {"click_time": memory.now, "skwcid": "AL!1234!3!abc", "efid": "EF-1:G:s"},
                              "lastConversionTimeExpires": memory.now + 91 * 86_400_000}
    # The page's own events carry nothing of it (a click-through page is not enriched).
    await alloy("sendEvent", {"advertising": {"handleAdvertisingData": "wait"}})
    assert len(memory.sent) == 2
    assert "advertising" not in (events(memory)[1].get("query") or {})
    assert "_experience" not in events(memory)[1]["xdm"]
    assert memory.frames == []


async def test_a_click_id_without_the_al_prefix_is_sent_but_not_remembered_and_needs_no_configuration() -> None:
    memory = page(SHOP + "?ef_id=EF-2&s_kwcid=other&s_kwcid=second")
    await configured(memory)
    await settle()
    assert events(memory)[0]["xdm"]["_experience"]["adcloud"]["conversionDetails"] == {
        "trackingCode": "other", "trackingIdentities": "EF-2"}
    assert stored(memory) == {"lastConversionTimeExpires": memory.now + 91 * 86_400_000}


async def test_the_conversion_skips_onbeforeeventsend_and_the_configured_overrides() -> None:
    memory = page(SHOP + "?s_kwcid=AL!1&ef_id=E")
    seen: list[Any] = []
    await configured(memory, onBeforeEventSend=seen.append,
                     edgeConfigOverrides={"com_adobe_identity": {"idSyncContainerId": 30}})
    await settle()
    assert seen == []
    assert "configOverrides" not in body(memory.sent[0]).get("meta", {})


async def test_a_view_through_sends_the_surfer_id_and_hashed_ip_once_per_30_minutes() -> None:
    memory = page(frame_answers=[PIXEL_ANSWER])
    alloy = await configured(memory, advertising=ADVERTISERS)
    await settle()
    src = memory.frames[0]
    assert src.startswith("https://pixel.everesttech.net/1/gr?ev_gb=0&url=https%3A%2F%2Fwww.everestjs.net%2F")
    assert parse_qs(urlsplit(src).query)["url"] == [
        "https://www.everestjs.net/static/pixel_details.html#google=__EFGCK__&gsurfer=__EFGSURFER__"
        "&imsId=__EFIMSORGID__&is_fb_cookie_synced=__EFFB__&optout=__EFOPTOUT__&throttleCookie=__EFSYNC__"
        "&time=__EFTIME__&ev_lcc=__LCC__&clientIp=__EFREMOTEADDR__"]
    hashed = murmur_hash_128_guava_hex("203.0.113.7")
    [conversion] = events(memory)
    assert conversion["xdm"] == {"eventType": "advertising.enrichment", "timestamp": "2025-11-24T16:00:00.000Z"}
    assert conversion["query"]["advertising"] == {
        "lastDisplayClick": "DISPLAY-9",
        "stitchIds": {"surferId": "SURFER-1", "hashedIp": hashed},
        "advIds": "111, 333",
        "eventType": "advertising.enrichment",
    }
    assert stored(memory) == {"hashedIPAddr": hashed, "surferId": "SURFER-1", "ev_lcc": "DISPLAY-9",
                              "displayClickCookieExpires": memory.now + 15 * 60_000,
                              "surferId_last_conversion": memory.now, "lastConversionTime": memory.now}
    # The surfer id is throttled now: a sendEvent names it in stitchId only.
    await alloy("sendEvent", {"advertising": {"handleAdvertisingData": "auto"}})
    last = events(memory)[-1]
    assert last["xdm"]["_experience"] == {"adcloud": {"stitchId": f"SURFER-1|{hashed}|||"}}
    assert "advertising" not in (last.get("query") or {})
    assert len(memory.frames) == 1
    # A new page within 30 minutes sends no view-through.
    again = MemoryBrowser(url=SHOP, cookies=memory.cookies, edge=identity_edge(), frame_answers=[PIXEL_ANSWER])
    await configured(again, advertising=ADVERTISERS)
    await settle()
    assert again.sent == [] and again.frames == []


async def test_sendevent_with_auto_sends_what_is_known_and_with_disabled_nothing() -> None:
    memory = page()  # the iframe never answers: no view-through conversion
    alloy = await configured(memory, advertising=ADVERTISERS)
    await settle()
    assert memory.sent == []
    await alloy("sendEvent", {})
    assert "_experience" not in events(memory)[-1]["xdm"]
    await alloy("sendEvent", {"advertising": {"handleAdvertisingData": "disabled"}})
    assert "_experience" not in events(memory)[-1]["xdm"]
    memory.frame_answers.append(PIXEL_ANSWER)
    await alloy("sendEvent", {"advertising": {"handleAdvertisingData": "auto"}})
    last = events(memory)[-1]
    hashed = murmur_hash_128_guava_hex("203.0.113.7")
    # "auto" does not look the surfer id up; the hashed IP, though, comes from the iframe.
    assert last["xdm"]["_experience"] == {"adcloud": {"stitchId": f"|{hashed}|||"}}
    assert last["query"]["advertising"] == {"stitchIds": {"hashedIp": hashed}, "advIds": "111, 333"}


async def test_sendevent_with_wait_fetches_id5_and_rampid_outside_chrome_without_the_surfer_id() -> None:
    memory = page(user_agent=FIREFOX, script_globals={ID5_SCRIPT_URL: "ID5", RAMP_SCRIPT: "ats"},
                  id5_user_ids=[None, "ID5-USER"], ats_envelopes=['{"envelope":"RAMP-ENV"}'])
    alloy = await configured(memory, advertising={**ADVERTISERS, "id5PartnerId": "1234",
                                                  "rampIdJSPath": RAMP_SCRIPT})
    await settle()
    assert memory.sent == []  # no dspEnabled: the view-through only wants the surfer id, which never came
    memory.frame_answers.append(PIXEL_ANSWER)
    await alloy("sendEvent", {"advertising": {"handleAdvertisingData": "wait"}})
    last = events(memory)[-1]
    hashed = murmur_hash_128_guava_hex("203.0.113.7")
    # Firefox is taken to block third-party cookies: no surfer id (nor display click) from the iframe.
    assert last["xdm"]["_experience"] == {"adcloud": {"stitchId": f"|{hashed}|||"}}
    assert last["query"]["advertising"] == {
        "stitchIds": {"id5": "ID5-USER", "rampIdEnv": "RAMP-ENV", "hashedIp": hashed}, "advIds": "111, 333"}
    assert memory.loaded_scripts == [ID5_SCRIPT_URL, RAMP_SCRIPT]
    assert stored(memory)["rampId"] == "RAMP-ENV"
    assert memory.now < stored(memory)["rampIdExpires"] <= memory.now + 48 * 3_600_000  # (timeouts move the clock)


async def test_dsp_view_through_converts_id5_and_rampid() -> None:
    memory = page(script_globals={ID5_SCRIPT_URL: "ID5", RAMP_SCRIPT: "ats"}, id5_user_ids=["ID5-USER"],
                  ats_envelopes=["PLAIN-ENV"],
                  frame_answers=[(PIXEL_ORIGIN, "https://www.everestjs.net/static/pixel_details.html")])
    await configured(memory, advertising={**ADVERTISERS, "id5PartnerId": "77.9", "dspEnabled": True,
                                          "rampIdJSPath": RAMP_SCRIPT})
    await settle()
    stitched = [event["query"]["advertising"]["stitchIds"] for event in events(memory)]
    assert stitched and all(set(ids) <= {"id5", "rampIdEnv"} for ids in stitched)
    assert {key for ids in stitched for key in ids} == {"id5", "rampIdEnv"}
    marks = stored(memory)
    assert marks["id5Id_last_conversion"] == marks["rampId_last_conversion"] == memory.now
    assert "surferId_last_conversion" not in marks


async def test_a_missing_id5_script_is_logged_and_the_rest_goes_on() -> None:
    memory = page(failing_scripts={ID5_SCRIPT_URL}, frame_answers=[PIXEL_ANSWER])
    await configured(memory, advertising={**ADVERTISERS, "id5PartnerId": "5", "dspEnabled": True},
                     debugEnabled=True)
    await settle()
    assert [e["query"]["advertising"]["stitchIds"]["surferId"] for e in events(memory)] == ["SURFER-1"]
    assert any("Script loading failed" in str(args) for _, args in memory.logs)


async def test_nothing_without_consent() -> None:
    memory = page(SHOP + "?s_kwcid=AL!1&ef_id=E", frame_answers=[PIXEL_ANSWER])
    await configured(memory, advertising=ADVERTISERS, defaultConsent="pending")
    await settle()
    assert memory.sent == [] and COOKIE not in memory.cookies
    memory2 = page(frame_answers=[PIXEL_ANSWER])
    alloy = await configured(memory2, advertising=ADVERTISERS, defaultConsent="out")
    await settle()
    assert memory2.frames == [] and memory2.sent == []
    assert await alloy("sendEvent", {"advertising": {"handleAdvertisingData": "wait"}}) == {}


@pytest.mark.parametrize(("advertising", "message"), [
    ({"dspEnabled": "yes"}, "'advertising.dspEnabled': Expected true or false, but got \"yes\"."),
    ({"id5PartnerId": 5}, "'advertising.id5PartnerId': Expected a string, but got 5."),
    ({"other": 1}, "'advertising.other': Unknown field."),
    ({"advertiserSettings": [{"advertiserId": "1"}]},
     "'advertising.advertiserSettings[0].enabled' is a required option"),
    ({"advertiserSettings": [{"advertiserId": "1", "enabled": True, "x": 1}]},
     "'advertising.advertiserSettings[0].x': Unknown field."),
    ("on", "'advertising': Expected an object, but got \"on\"."),
])
async def test_configuration_is_validated_as_alloy_does(advertising: Any, message: str) -> None:
    alloy = make_alloy(page())
    with pytest.raises(AlloyError) as caught:
        await alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "advertising": advertising})
    assert message in str(caught.value)


def test_the_hash_is_guavas_murmur3_128() -> None:
    # Values from alloy's murmurHash128GuavaHex.js (node), as Guava's murmur3_128().hashString(…, UTF_8).
    assert murmur_hash_128_guava_hex("") == "00000000000000000000000000000000"
    assert murmur_hash_128_guava_hex("192.168.0.1") == "2da98f0710816766c689670d9e59160e"
    assert murmur_hash_128_guava_hex("hello world, this is 32+ chars long!!") == "87c0af4dd75cbe0958f002e5c2f3dfc9"
    assert murmur_hash_128_guava_hex("é漢字", -1) == "f8a34de78f8f4b60d61297855292cdcc"


async def test_a_message_from_a_look_alike_origin_is_not_taken_for_advertising_clouds() -> None:
    """alloy.js takes any origin that contains www.everestjs.net; only that host's own is taken here."""
    fake = ("https://www.everestjs.net.attacker.example", PIXEL_ANSWER[1].replace("SURFER-1", "FORGED"))
    memory = page(frame_answers=[fake, PIXEL_ANSWER])
    await configured(memory, advertising=ADVERTISERS)
    await settle()
    surfers = [e["query"]["advertising"]["stitchIds"].get("surferId") for e in events(memory)]
    assert surfers and "FORGED" not in surfers and "SURFER-1" in surfers
