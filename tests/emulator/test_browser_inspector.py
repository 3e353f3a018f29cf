"""The inspector page in Chromium: live rows, summaries, filters, the JSON tree, an 800 px viewport."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alloy_py_dev.emulator import EdgeEmulator
from playwright.sync_api import expect

from tests.emulator.test_emulator import SCHEMAS, post

PAGE_URL = "https://shop.example/products/42?" + "utm_campaign=" + "x" * 300  # one long word


@pytest.fixture
def edge() -> Iterator[EdgeEmulator]:
    with EdgeEmulator() as emulator:
        yield emulator


def page_view() -> dict[str, Any]:
    return {"events": [{
        "xdm": {"eventType": "web.webpagedetails.pageViews",
                "web": {"webPageDetails": {"URL": PAGE_URL}},
                "identityMap": {"CRM": [{"id": "user-42", "authenticatedState": "authenticated"}]}},
        "query": {"personalization": {"decisionScopes": ["hero-banner"], "schemas": SCHEMAS}}}],
        "meta": {"state": {"domain": "", "cookiesEnabled": True}}}


def product_view() -> dict[str, Any]:
    return {"events": [{"xdm": {"eventType": "commerce.productViews"}}]}


def set_consent() -> dict[str, Any]:
    return {"consent": [{"standard": "Adobe", "version": "2.0",
                         "value": {"collect": {"val": "y"}}}],
            "identityMap": {"ECID": [{"id": "12345678901234567890123456789012345678"}]}}


def row(page: Any, request_id: str) -> Any:
    return page.locator(f'tr.req[data-request-id="{request_id}"]')


def visible_request_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "tr.req", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.requestId)")


def test_inspector_summaries_filters_tree_and_narrow_viewport(page: Any, edge: EdgeEmulator) -> None:
    page.set_viewport_size({"width": 800, "height": 600})
    page.goto(edge.url_for("/inspector/"))
    page.wait_for_function("() => document.getElementById('status').textContent === 'live'",
                           timeout=10_000)
    assert post(edge, "/ee/v1/interact", page_view(), request_id="pv")[0] == 200
    assert post(edge, "/ee/v1/collect", product_view(), request_id="prod",
                headers={"Referer": "http://127.0.0.1/shop.html"})[0] == 204
    assert post(edge, "/ee/v1/privacy/set-consent", set_consent(), request_id="consent")[0] == 200
    row(page, "consent").wait_for(timeout=10_000)
    assert page.locator("tr.req").count() == 3
    pv_record = next(r for r in edge.requests if r["requestId"] == "pv")

    # -- summaries ------------------------------------------------------------
    pv = row(page, "pv")
    assert pv.locator("td.types").inner_text() == "web.webpagedetails.pageViews"
    assert pv_record["ecid"] in pv.locator('[data-field="ecid"]').inner_text()
    assert "minted" in pv.locator('[data-field="ecid"]').inner_text()
    assert "emu-hero-banner-offer (hero-banner)" in pv.locator('[data-field="decisions"]').inner_text()
    assert "CRM user-42 (authenticated)" in pv.locator('[data-field="identities"]').inner_text()
    assert PAGE_URL in pv.locator('[data-field="page"]').inner_text()
    prod = row(page, "prod")
    assert prod.locator("td.types").inner_text() == "commerce.productViews"
    assert "http://127.0.0.1/shop.html (Referer)" in prod.locator('[data-field="page"]').inner_text()
    assert prod.locator('[data-field="decisions"]').count() == 0
    consent = row(page, "consent").locator('[data-field="consent"]').inner_text()
    assert "general in" in consent and "Adobe 2.0: collect.val=y" in consent
    assert "ECID 12345678901234567890123456789012345678" in row(page, "consent").locator(
        '[data-field="identities"]').inner_text()
    options = page.eval_on_selector_all("#f-types option", "os => os.map(o => o.value)")
    assert sorted(options) == ["commerce.productViews", "web.webpagedetails.pageViews"]

    # -- filters: by endpoint, by event type, both; applied to requests arriving later -----
    assert visible_request_ids(page) == ["consent", "prod", "pv"]
    page.select_option("#f-action", "collect")
    assert visible_request_ids(page) == ["prod"]
    assert page.locator("#count").inner_text() == "showing 1 of 3"
    page.select_option("#f-action", "privacy/set-consent")
    assert visible_request_ids(page) == ["consent"]
    page.select_option("#f-action", "")
    page.fill("#f-type", "pageviews")
    assert visible_request_ids(page) == ["pv"]
    page.select_option("#f-action", "collect")
    assert visible_request_ids(page) == []
    page.fill("#f-type", "product")
    assert visible_request_ids(page) == ["prod"]
    post(edge, "/ee/v1/interact", product_view(), request_id="late-interact")
    post(edge, "/ee/v1/collect", product_view(), request_id="late-collect")
    row(page, "late-collect").wait_for(timeout=10_000)
    assert row(page, "late-interact").count() == 1 and row(page, "late-interact").is_hidden()
    assert visible_request_ids(page) == ["late-collect", "prod"]
    # The filters are in the address: a reload keeps them.
    assert page.url.endswith("/inspector/#action=collect&type=product")
    page.reload()
    row(page, "pv").wait_for(state="attached", timeout=10_000)
    assert page.input_value("#f-type") == "product" and page.input_value("#f-action") == "collect"
    assert visible_request_ids(page) == ["late-collect", "prod"]
    page.click("#f-clear")
    assert page.input_value("#f-type") == "" and page.input_value("#f-action") == ""
    assert page.url.endswith("/inspector/")
    assert visible_request_ids(page) == ["late-collect", "late-interact", "consent", "prod", "pv"]
    assert post(edge, "/ee/v1/interact", product_view(), config_id="no-such-datastream",
                request_id="bad")[0] == 400
    row(page, "bad").wait_for(timeout=10_000)
    assert "Invalid datastream ID" in row(page, "bad").locator('[data-field="error"]').inner_text()
    page.check("#f-errors")
    assert visible_request_ids(page) == ["bad"]
    page.uncheck("#f-errors")
    assert len(visible_request_ids(page)) == 6

    # -- the JSON tree ---------------------------------------------------------
    detail = page.locator("#detail-" + str(pv_record["id"]))
    assert detail.is_hidden()
    pv.locator("button.toggle").click()
    expect(detail).to_be_visible()
    assert pv.locator("button.toggle").get_attribute("aria-expanded") == "true"
    body = detail.locator("section.pane").filter(has_text="request body")
    event_type = body.locator('.leaf[data-path="events.0.xdm.eventType"]')
    assert event_type.count() == 0  # not rendered until its parents are expanded
    body.locator('details[data-path="events.0"] > summary').click()
    expect(body.locator('details[data-path="events.0.xdm"]')).to_be_visible()  # events.0's children drawn
    assert event_type.count() == 0  # and xdm's not yet
    body.locator('details[data-path="events.0.xdm"] > summary').click()
    expect(event_type).to_be_visible()  # rendered on the details' toggle event, a task later
    assert event_type.inner_text() == 'eventType: "web.webpagedetails.pageViews"'
    body.locator('details[data-path="events.0.xdm"] > summary').click()  # collapses again
    expect(event_type).to_be_hidden()
    response = detail.locator("section.pane").filter(has_text="response (200)")
    scope = response.locator('.leaf[data-path$=".payload.0.scope"]')
    assert scope.count() == 0
    response.get_by_role("button", name="expand all").click()
    hero = scope.filter(has_text='scope: "hero-banner"')
    expect(hero).to_have_count(1)
    expect(hero).to_be_visible()
    response.get_by_role("button", name="collapse all").click()
    expect(hero).to_be_hidden()
    body.get_by_role("button", name="expand all").click()
    url_leaf = body.locator('.leaf[data-path="events.0.xdm.web.webPageDetails.URL"]')
    expect(url_leaf).to_be_visible()
    assert PAGE_URL in url_leaf.inner_text()

    # -- no horizontal overflow at 800 px, with the long URL shown in a summary and a tree ----
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    box = url_leaf.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 800 and box["height"] > 20  # wrapped

    # -- clicking the row again closes it ------------------------------------
    pv.locator("td").first.click()
    expect(detail).to_be_hidden()
    assert pv.locator("button.toggle").get_attribute("aria-expanded") == "false"
