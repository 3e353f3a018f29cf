"""Link click collection (ActivityCollector) on the in-memory DOM."""

from __future__ import annotations

from typing import Any

from alloy_py.browser.memory import MemoryBrowser

from .conftest import IDENTITY_COOKIE, IDENTITY_COOKIE_VALUE, body, configured, settle

PAGE = """<!doctype html><html><head></head><body>
<nav id="menu"><a href="/shoes?x=1">  Trail
   shoes </a></nav>
<main><a id="out" href="https://partner.example.org/reviews">Reviews</a>
<a href="/files/catalog.PDF?v=2"><img src="/img/cat.png" alt="Catalog"></a>
<button id="buy">Buy now</button><span id="plain">not a link</span>
<div onclick="go()"><span class="inner">Open</span></div></main>
<footer><a href="javascript:void(0)" onclick="x()">js</a></footer>
</body></html>"""


async def clicked(memory: MemoryBrowser, selector: str, **config: Any) -> None:
    alloy = await configured(memory, **config)
    await alloy("sendEvent", {"xdm": {"web": {"webPageDetails": {"name": "home"}}}})
    memory.click(selector)
    await settle()


def page() -> MemoryBrowser:
    memory = MemoryBrowser(url="https://www.shop.example.com/index.html", html=PAGE)
    memory.set_cookie(f"{IDENTITY_COOKIE}={IDENTITY_COOKIE_VALUE}; path=/")
    return memory


def interaction(memory: MemoryBrowser) -> tuple[str, dict[str, Any], dict[str, Any]]:
    request = memory.sent[-1]
    event = body(request)["events"][0]
    activitymap = event["data"]["__adobe"]["analytics"]["contextData"]["a"]["activitymap"]
    return request.transport, event["xdm"]["web"]["webInteraction"], activitymap


async def test_internal_link_click_is_sent_as_a_beacon_with_activity_map() -> None:
    memory = page()
    await clicked(memory, "nav a")
    transport, web, activitymap = interaction(memory)
    assert transport == "beacon"
    assert body(memory.sent[-1])["events"][0]["xdm"]["eventType"] == "web.webinteraction.linkClicks"
    assert web == {"name": "Trail shoes", "region": "menu", "type": "other",
                   "URL": "https://www.shop.example.com/shoes?x=1", "linkClicks": {"value": 1}}
    assert activitymap == {"page": "home", "link": "Trail shoes", "region": "menu", "pageIDType": 1}


async def test_exit_and_download_links_and_image_names() -> None:
    memory = page()
    await clicked(memory, "#out")
    assert interaction(memory)[1]["type"] == "exit"
    memory = page()
    await clicked(memory, "main img")
    _, web, _ = interaction(memory)
    assert (web["type"], web["name"], web["region"]) == ("download", "Catalog", "MAIN")


async def test_buttons_and_onclick_elements_count_plain_text_does_not() -> None:
    memory = page()
    await clicked(memory, "#buy")
    _, web, _ = interaction(memory)
    assert (web["name"], web["type"], web["URL"]) == ("Buy now", "other", "https://www.shop.example.com/index.html")
    memory = page()
    await clicked(memory, ".inner")
    assert interaction(memory)[1]["name"] == "Open"
    memory = page()
    await clicked(memory, "#plain")
    assert len(memory.sent) == 1  # only the page view
    memory = page()
    await clicked(memory, "footer a")  # javascript: with an onclick is not a link
    assert interaction(memory)[1]["name"] == "js"


async def test_disabled_collection_and_link_types() -> None:
    memory = page()
    await clicked(memory, "nav a", clickCollectionEnabled=False)
    assert len(memory.sent) == 1
    memory = page()
    await clicked(memory, "#out", clickCollection={"externalLinkEnabled": False})
    assert len(memory.sent) == 1


async def test_filter_click_details_can_edit_and_reject() -> None:
    def rename(props: dict[str, Any]) -> bool | None:
        if props["linkType"] == "exit":
            return False
        props["linkName"] = "renamed"
        return None

    memory = page()
    await clicked(memory, "nav a", clickCollection={"filterClickDetails": rename})
    assert interaction(memory)[1]["name"] == "renamed"
    memory = page()
    await clicked(memory, "#out", clickCollection={"filterClickDetails": rename})
    assert len(memory.sent) == 1


async def test_event_grouping_holds_internal_clicks_for_the_next_page_view() -> None:
    memory = page()
    grouping = {"clickCollection": {"eventGroupingEnabled": True, "sessionStorageEnabled": True}}
    await clicked(memory, "nav a", **grouping)
    assert len(memory.sent) == 1  # the internal link click is kept, not sent
    await clicked_again(memory)
    event = body(memory.sent[-1])["events"][0]
    assert event["xdm"]["eventType"] == "web.webpagedetails.pageViews"  # the page view keeps its type
    assert event["xdm"]["web"]["webInteraction"] == {
        "name": "Trail shoes", "region": "menu", "type": "other",
        "URL": "https://www.shop.example.com/shoes?x=1", "linkClicks": {"value": 1}}
    assert event["data"]["__adobe"]["analytics"]["contextData"]["a"]["activitymap"] == {
        "page": "home", "link": "Trail shoes", "region": "menu", "pageIDType": 1}
    # exit links are still sent at once
    memory.click("#out")
    await settle()
    assert body(memory.sent[-1])["events"][0]["xdm"]["web"]["webInteraction"]["type"] == "exit"


async def clicked_again(memory: MemoryBrowser) -> None:
    """A second page's page view, on the same session storage (the grouped click travels with it)."""
    alloy = await configured(memory, clickCollection={"eventGroupingEnabled": True, "sessionStorageEnabled": True})
    await alloy("sendEvent", {"xdm": {"eventType": "web.webpagedetails.pageViews",
                                      "web": {"webPageDetails": {"name": "shoes"}}}})
