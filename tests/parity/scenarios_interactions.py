"""Parity scenarios: clicks on rendered content (issue 12, item 1).

Each page renders its propositions, then clicks (``element.click()``, default actions
prevented) once the sendEvent has settled and its display notification has gone: the
requests show the ``decisioning.propositionInteract`` events, merged into the link
click where there is one, and the DOM shows the ``data-aep-*`` decoration.
Built on tests/parity/scenarios.py's helpers, which adds these to its SCENARIOS.
"""
from __future__ import annotations

from .harness import Scenario
from .scenarios import CART_VIEW, DOM_ACTION, configure, decisions, js, proposition

PAGE = ('<div id="hero"><p>Default hero</p></div>\n'
        '<div id="promo"><a id="cta" href="#sale">Sale</a></div>\n'
        '<ul id="list"><li>one</li><li>two</li><li>three</li></ul>\n'
        '<button id="buy">Buy now</button> <span id="plain">plain</span>')
DOM = ["#hero", "#promo", "#list", "#buy"]
OFF = {"clickCollectionEnabled": False}


def item(item_id: str, label: str | None = None, **data: object) -> dict:
    result: dict = {"id": item_id, "schema": DOM_ACTION, "data": data}
    if label:
        result["characteristics"] = {"trackingLabel": label}
    return result


def metric(item_id: str, selector: str, label: str | None = None) -> dict:
    """A Target click metric: reported when its selector is clicked, never displayed."""
    return item(item_id, label, type="click", selector=selector)


def clicks(sends: int, *selectors: str) -> str:
    """Once the ``sends`` sendEvents (results[1:]) settled and 500 ms more, click each selector 300 ms apart."""
    return ("document.addEventListener('click', function (e) { e.preventDefault(); });"
            "record(new Promise(function (resolve) { (function poll() {"
            f" if (window.__parity.results.slice(1, {sends + 1}).indexOf('<pending>') >= 0)"
            " return setTimeout(poll, 50);"
            f" var left = {js(list(selectors))};"
            " function next() { if (!left.length) return setTimeout(resolve, 300);"
            " document.querySelector(left.shift()).click(); setTimeout(next, 300); }"
            " setTimeout(next, 500); })(); }));")


def clicked(name: str, *propositions: dict, selectors: tuple[str, ...], config: dict | None = None,
            options: list[dict] | None = None, requests: int, **kw: object) -> Scenario:
    """configure, the sendEvents (``options``; first: renderDecisions) answered with ``propositions``,
    then the clicks; ``requests`` counts every request: events, displays and clicks."""
    first, *later = options or [{"renderDecisions": True}]
    script = configure(**(config or {})) + f"var sent = alloy('sendEvent', {js(first)}); record(sent);"
    for more in later:  # each once the one before resolved
        script += f"sent = sent.then(function () {{ return alloy('sendEvent', {js(more)}); }}); record(sent);"
    return Scenario(name, script + clicks(1 + len(later), *selectors), body=PAGE,
                    edge_answers=[{"body": decisions(*propositions)}], edge_default={"requestId": "r", "handle": []},
                    requests=requests, dom=DOM, settle_ms=600, **kw)  # type: ignore[arg-type]


AJO_OFFER = proposition("p-ajo", item("i1", "hero-offer", type="setHtml", selector="#hero",
                                      content='<p>Deal of the day <a id="deal" href="#deal">See it</a></p>'),
                        provider="AJO")
TARGET_OFFER = proposition("p-tgt", item("t1", type="setHtml", selector="#hero",
                                         content='<p>Target <a id="deal" href="#deal">See it</a></p>'))

SCENARIOS: list[Scenario] = [
    # AJO content is tracked by default ("always"): the click on its link is one event.
    clicked("interact_ajo_link", AJO_OFFER, selectors=("#deal",), requests=3, fast=True),
    clicked("interact_ajo_click_collection_off", AJO_OFFER, selectors=("#hero p", "#plain"), config=OFF,
            requests=3),
    # Target content is not tracked by default; with collection off nothing goes out.
    clicked("interact_target_default_never", TARGET_OFFER, selectors=("#deal",), requests=3),
    clicked("interact_target_default_never_off", TARGET_OFFER, selectors=("#deal",), config=OFF, requests=2),
    clicked("interact_target_always", TARGET_OFFER, selectors=("#deal",), requests=3,
            config={"autoCollectPropositionInteractions": {"TGT": "always"}}),
    # decoratedElementsOnly: only clicks under a data-aep-click-label or -token count.
    clicked("interact_decorated_elements_only",
            proposition("p-tgt", item("t1", type="setHtml", selector="#hero",
                                      content='<p id="bare">bare</p><div data-aep-click-label="banner">'
                                              '<span id="tokened" data-aep-click-token="tok-1">go</span></div>')),
            selectors=("#bare", "#tokened"), requests=3,
            config={**OFF, "autoCollectPropositionInteractions": {"TGT": "decoratedElementsOnly", "AJO": "never"}}),
    clicked("interact_ajo_never", AJO_OFFER, selectors=("#deal",), config={
        **OFF, "autoCollectPropositionInteractions": {"AJO": "never"}}, requests=2),
    # Target click metrics: a selector (with :eq) and a label; never in the display notification.
    clicked("interact_target_click_metrics",
            proposition("p-goal", item("h1", type="setText", selector="#promo a", content="Sale!"),
                        metric("m1", "#buy", "buy-button"), metric("m2", "#list li:eq(1)")),
            selectors=("#buy", "#list li:nth-child(1)", "#list li:nth-child(2)", "#plain"), config=OFF, requests=4,
            fast=True),
    clicked("interact_click_metric_with_link_click",
            proposition("p-goal", metric("m1", "#promo", "promo")), selectors=("#cta",), requests=2),
    # Several items on one element, and nested decorated containers, report together.
    clicked("interact_items_merged",
            proposition("p-a", item("a1", type="setAttribute", selector="#promo", content={"data-x": "1"}),
                        item("a2", "styled", type="setStyle", selector="#promo", content={"color": "red"}),
                        provider="AJO"),
            proposition("p-b", item("b1", type="appendHtml", selector="#promo", content="<i>new</i>"),
                        provider="AJO"),
            selectors=("#cta",), config=OFF, requests=3),
    # SPA views: the interaction names its view.
    clicked("interact_spa_view",
            proposition("p-view", item("v1", type="setHtml", selector="#hero", content="<p id='cart'>cart</p>"),
                        scope="cart", provider="AJO", characteristics={"scopeType": "view"}),
            selectors=("#cart",), config=OFF, options=[{"renderDecisions": True},
                                                       {"renderDecisions": True, "xdm": CART_VIEW}],
            requests=3),
    clicked("interact_spa_view_click_metric",
            proposition("p-view", metric("m1", "#buy", "buy"), scope="cart",
                        characteristics={"scopeType": "view"}),
            selectors=("#buy",), config=OFF, options=[{"renderDecisions": True},
                                                      {"renderDecisions": True, "xdm": CART_VIEW}],
            requests=3),
]
