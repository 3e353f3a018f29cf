"""In-app messages (``…/message/in-app``): the iframe alloy builds, and what clicks in it report (in-memory page)."""

from __future__ import annotations

import copy
from typing import Any

from alloy_py.browser.memory import MemoryBrowser

from .conftest import body, configured, identity_edge, settle
from .test_rendering import PAGE, proposition

IN_APP = "https://ns.adobe.com/personalization/message/in-app"
HTML = (
    "<html><head><script>console.log('in the message')</script></head><body>"
    '<div class="closeBtn"><a class="btnClose" href="adbinapp://dismiss?interaction=cancel"><b>x</b></a></div>'
    '<p class="text">Hello</p>'
    '<a class="button" data-uuid="u-1" href="adbinapp://dismiss?interaction=clicked&amp;'
    'link=https%3A%2F%2Fwww.shop.example.com%2Fsale%3Fa%3D1">Shop now</a>'
    '<a class="other" href="https://www.shop.example.com/other">Other</a>'
    "</body></html>"
)
MODAL_MOBILE = {"verticalAlign": "center", "horizontalAlign": "center", "width": 55, "height": 55,
                "cornerRadius": 15, "backdropColor": "#000000", "backdropOpacity": 0.2, "uiTakeover": True,
                "verticalInset": 0, "horizontalInset": 0, "gestures": {}}
# As AJO sends them (the fixture resp.interact.inapp-message-ruleset.json).
MODAL_WEB = {
    "alloy-content-iframe": {"style": {"border": "none", "height": "100%", "width": "100%"},
                             "params": {"enabled": True, "insertionMethod": "appendChild",
                                        "parentElement": "#alloy-messaging-container"}},
    "alloy-messaging-container": {"style": {"backgroundColor": "#000000", "border": "none", "borderRadius": "15px",
                                            "height": "55vh", "overflow": "hidden", "position": "fixed",
                                            "width": "55%", "left": "50%",
                                            "transform": "translateX(-50%) translateY(-50%)", "top": "50%"},
                                  "params": {"enabled": True, "insertionMethod": "appendChild",
                                             "parentElement": "body"}},
    "alloy-overlay-container": {"style": {"position": "fixed", "top": "0", "left": "0", "width": "100%",
                                          "height": "100%", "background": "transparent", "opacity": 0.2,
                                          "backgroundColor": "#000000"},
                                "params": {"enabled": True, "insertionMethod": "appendChild",
                                           "parentElement": "body"}},
}
META = {"id": "p-iam", "scope": "web://www.shop.example.com/",
        "scopeDetails": {"decisionProvider": "AJO", "activity": {"id": "p-iam"}}}


def message(pid: str = "p-iam", **data: Any) -> dict[str, Any]:
    fields = {"content": HTML, "contentType": "text/html", "mobileParameters": MODAL_MOBILE,
              "webParameters": MODAL_WEB, **data}
    item = {"id": f"{pid}-item", "schema": IN_APP, "data": {k: v for k, v in fields.items() if v is not None}}
    return proposition(pid, item, scope="web://www.shop.example.com/", provider="AJO")


def page_with(*propositions: dict[str, Any]) -> MemoryBrowser:
    memory = MemoryBrowser(url="https://www.shop.example.com/", html=PAGE)
    memory.edge = identity_edge({"type": "personalization:decisions", "payload": list(propositions)})
    return memory


def xdms(memory: MemoryBrowser) -> list[dict[str, Any]]:
    return [body(sent)["events"][0]["xdm"] for sent in memory.sent]


def style(memory: MemoryBrowser, element_id: str) -> str | None:
    node = memory.element_by_id(element_id)
    return None if node is None else memory.get_attribute(node, "style")


async def shown(memory: MemoryBrowser, options: dict[str, Any] | None = None) -> dict[str, Any]:
    alloy = await configured(memory)
    result = await alloy("sendEvent", {"renderDecisions": True, **(options or {})})
    await settle()
    return result


async def test_a_modal_is_an_iframe_from_a_blob_in_a_container_over_an_overlay() -> None:
    memory = page_with(message())
    result = await shown(memory)
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [("p-iam", True)]
    body_children = [memory.get_attribute(n, "id") for n in memory.children(memory.query_all("body")[0])]
    assert body_children[-2:] == ["alloy-overlay-container", "alloy-messaging-container"]
    [iframe] = memory.query_all("#alloy-messaging-container > iframe")
    assert list(iframe.attrs) == ["src", "id", "style"]  # set in alloy's order
    assert memory.get_attribute(iframe, "id") == "alloy-content-iframe"
    assert style(memory, "alloy-content-iframe") == "border: none; height: 100%; width: 100%;"
    assert style(memory, "alloy-messaging-container") == (
        "background-color: #000000; border: none; border-radius: 15px; height: 55vh; overflow: hidden; "
        "position: fixed; width: 55%; left: 50%; transform: translateX(-50%) translateY(-50%); top: 50%;"
    )
    assert style(memory, "alloy-overlay-container") == (
        "position: fixed; top: 0; left: 0; width: 100%; height: 100%; background: transparent; opacity: 0.2; "
        "background-color: #000000;"
    )
    # The content: parsed, its first script given the page's nonce (none here: String(null), as alloy.js).
    src = memory.get_attribute(iframe, "src")
    assert src == "blob:https://www.shop.example.com/blob-1"
    assert memory.blobs[src].startswith('<html><head><script nonce="null">console.log(')
    # The display is reported like any rendered proposition's.
    [_, display] = xdms(memory)
    assert display["eventType"] == "decisioning.propositionDisplay"
    assert display["_experience"]["decisioning"] == {"propositions": [META], "propositionEventType": {"display": 1}}


async def test_the_page_nonce_goes_on_the_first_script_only() -> None:
    memory = page_with(message(content=HTML.replace("</head>", "<script>2</script></head>")))
    memory.html = PAGE.replace("<head>", '<head><script nonce="abc123"></script>')
    await shown(memory)
    content = memory.blobs[memory.get_attribute(memory.element_by_id("alloy-content-iframe"), "src") or ""]
    assert content.count('nonce="abc123"') == 1 and "<script>2</script>" in content


async def test_a_banner_built_from_mobile_parameters_has_no_overlay() -> None:
    mobile = {"verticalAlign": "top", "horizontalAlign": "center", "width": 100, "height": 10, "verticalInset": 2,
              "uiTakeover": False}
    memory = page_with(message(mobileParameters=mobile, webParameters={}))
    await shown(memory)
    assert memory.element_by_id("alloy-overlay-container") is None
    assert style(memory, "alloy-messaging-container") == (
        "width: 100%; background-color: rgba(0, 0, 0, 0.5); border-radius: 0px; border: none; position: relative; "
        "overflow: hidden; left: 50%; transform: translateX(-50%); top: 2%; height: 10vh;"
    )
    assert style(memory, "alloy-content-iframe") == "border: none; width: 100%; height: 100%;"


async def test_a_fullscreen_takeover_and_a_bottom_message_from_mobile_parameters() -> None:
    memory = page_with(message(mobileParameters={"uiTakeover": True, "backdropOpacity": 0.7}, webParameters=None))
    await shown(memory)
    assert style(memory, "alloy-messaging-container") == (
        "width: 100%; background-color: rgba(0, 0, 0, 0.5); border-radius: 0px; border: none; position: fixed; "
        "overflow: hidden; height: 100%;"
    )
    assert style(memory, "alloy-overlay-container") == (
        "position: fixed; top: 0; left: 0; width: 100%; height: 100%; background: transparent; opacity: 0.7; "
        "background-color: #FFFFFF;"
    )
    bottom = page_with(message(mobileParameters={"verticalAlign": "bottom", "horizontalAlign": "right",
                                                 "horizontalInset": 5, "cornerRadius": 8}, webParameters=None))
    await shown(bottom)
    assert style(bottom, "alloy-messaging-container") == (
        "width: 100%; background-color: rgba(0, 0, 0, 0.5); border-radius: 8px; border: none; position: fixed; "
        "overflow: hidden; right: 5%; bottom: 0; height: 100%;"
    )


async def test_a_dismiss_link_reports_interact_and_dismiss_and_takes_the_message_away() -> None:
    memory = page_with(message())
    await shown(memory, {"xdm": {"identityMap": {"CRM": [{"id": "u1"}]}}})
    memory.click_in_frame("a.btnClose b")  # inside the link: the link is reported
    await settle()
    assert memory.element_by_id("alloy-messaging-container") is None
    assert memory.element_by_id("alloy-overlay-container") is None
    *_, interact = xdms(memory)
    assert interact == {
        "_experience": {"decisioning": {
            "propositions": [META], "propositionEventType": {"interact": 1, "dismiss": 1},
            "propositionAction": {"label": "x", "id": "cancel", "uuid": "", "link": ""},
        }},
        "eventType": "decisioning.propositionInteract",
        "identityMap": {"CRM": [{"id": "u1"}]},
        **{k: interact[k] for k in interact if k not in ("_experience", "eventType", "identityMap")},
    }
    assert list(interact)[:3] == ["_experience", "eventType", "identityMap"]
    assert memory.location_assignments == []


async def test_a_link_parameter_is_opened_after_the_interaction() -> None:
    memory = page_with(message())
    await shown(memory)
    memory.click_in_frame("a.button")
    await settle()
    *_, interact = xdms(memory)
    assert interact["_experience"]["decisioning"]["propositionAction"] == {
        "label": "Shop now", "id": "clicked", "uuid": "u-1", "link": "https://www.shop.example.com/sale?a=1"}
    assert memory.location_assignments == ["https://www.shop.example.com/sale?a=1"]


async def test_other_clicks_in_the_message() -> None:
    memory = page_with(message())
    await shown(memory)
    sent = len(memory.sent)
    memory.click_in_frame("p.text")  # not in a link: nothing
    await settle()
    assert len(memory.sent) == sent
    memory.click_in_frame("a.other")  # any other link: an interact without an action (its navigation stopped)
    await settle()
    *_, interact = xdms(memory)
    assert interact["_experience"]["decisioning"]["propositionAction"] == {}
    assert interact["_experience"]["decisioning"]["propositionEventType"] == {"interact": 1}
    assert memory.location_assignments == []
    assert memory.element_by_id("alloy-messaging-container") is not None


async def test_without_render_decisions_the_message_is_returned() -> None:
    offer = message()
    memory = page_with(offer)
    alloy = await configured(memory)
    result = await alloy("sendEvent", {})
    await settle()
    assert memory.element_by_id("alloy-messaging-container") is None
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [("p-iam", False)]
    assert len(memory.sent) == 1
    # Rendered later with applyPropositions: shown, its display held for a later event.
    applied = await alloy("applyPropositions", {"propositions": copy.deepcopy(result["propositions"])})
    await settle()
    assert [(p["id"], p["renderAttempted"]) for p in applied["propositions"]] == [("p-iam", True)]
    assert memory.element_by_id("alloy-content-iframe") is not None
    assert len(memory.sent) == 1
    await alloy("sendEvent", {"personalization": {"includeRenderedPropositions": True}})
    later = xdms(memory)[-1]
    assert later["_experience"]["decisioning"]["propositions"] == [META]


async def test_a_new_message_replaces_the_one_shown() -> None:
    memory = page_with(message())
    alloy = await configured(memory)
    await alloy("sendEvent", {"renderDecisions": True})
    await alloy("applyPropositions", {"propositions": [message("p-2")]})
    await settle()
    assert len(memory.query_all("#alloy-messaging-container")) == 1
    assert len(memory.query_all("#alloy-overlay-container")) == 1
    src = memory.get_attribute(memory.element_by_id("alloy-content-iframe"), "src")
    assert src == "blob:https://www.shop.example.com/blob-2"


async def test_invalid_messages_are_returned_unrendered_with_alloys_warnings() -> None:
    offers = [message("p-type", type="banner"), message("p-missing", contentType=None),
              message("p-json", contentType="application/json", content={"html": "<p>x</p>"})]
    memory = page_with(*offers)
    alloy = await configured(memory, debugEnabled=True)
    result = await alloy("sendEvent", {"renderDecisions": True})
    await settle()
    assert [(p["id"], p["renderAttempted"]) for p in result["propositions"]] == [
        ("p-type", False), ("p-missing", False), ("p-json", False)]
    warnings = [str(args[1]) for level, args in memory.logs if level == "warn"]
    assert warnings == ["Invalid in-app message data: unknown type.",
                        "Invalid in-app message data: missing property 'contentType'.",
                        "Invalid in-app message data.content: missing property 'mobileParameters'."]
    assert memory.element_by_id("alloy-messaging-container") is None


async def test_a_message_that_is_not_html_or_has_no_parameters_counts_as_shown() -> None:
    memory = page_with(message(contentType="text/plain"), message("p-2", mobileParameters=None, webParameters=None))
    result = await shown(memory)
    assert [p["renderAttempted"] for p in result["propositions"]] == [True, True]
    assert memory.element_by_id("alloy-messaging-container") is None
    [_, display] = xdms(memory)
    assert [m["id"] for m in display["_experience"]["decisioning"]["propositions"]] == ["p-iam", "p-2"]
