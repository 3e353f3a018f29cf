"""Parity scenarios: redirect offers, and the prehiding style under consent (issue 12, items 2 and 3).

A redirect sends the page to LANDING_ORIGIN: the harness records the leaving page's state as
it goes (requests, results, its ``head style`` and body, handed over at ``beforeunload``), lets
it land and records where (``navigations``, ``landed``: ``location.replace`` adds no history entry).
Built on tests/parity/scenarios.py's helpers, which adds these to its SCENARIOS: import that module.
"""
from __future__ import annotations

from alloy_py_dev.samples import IDENTITY_COOKIE

from .harness import LANDING_ORIGIN, Scenario
from .scenarios import (
    ADOBE_OUT,
    CONFIG,
    CONSENT_COOKIE,
    ECID_COOKIE_VALUE,
    RENDER_PAGE,
    SCHEMA,
    action,
    configure,
    consent_answer,
    decisions,
    js,
    proposition,
)

LANDING = LANDING_ORIGIN + "/welcome?from=offer"
PREHIDING = {"prehidingStyle": "#hero { opacity: 0 }"}
SNIPPET = '<style id="alloy-prehiding">#hero { opacity: 0 }</style>'  # Adobe's prehiding snippet
IDENTITY = {"name": IDENTITY_COOKIE, "value": ECID_COOKIE_VALUE, "domain": "127.0.0.1", "path": "/"}
DOM = ["head style", "body"]


def redirect(pid: str = "p-redirect", url: object = LANDING) -> dict:
    return proposition(pid, {"id": "r1", "schema": SCHEMA + "redirect-item", "data": {"content": url}})


def redirecting(name: str, *propositions: dict, config: dict | None = None, options: dict | None = None,
                script: str | None = None, requests: int = 2, navigations: int = 1, **kw: object) -> Scenario:
    """configure + sendEvent({renderDecisions: true}) answered with ``propositions``; ``requests``
    counts the redirect's display notification (a beacon to /collect)."""
    options = {"renderDecisions": True} if options is None else options
    script = configure(**(config or {})) if script is None else script
    return Scenario(name, script + f"record(alloy('sendEvent', {js(options)}));",
                    body=RENDER_PAGE, edge_answers=[{"body": decisions(*propositions)}],
                    edge_default={"requestId": "r", "handle": []}, requests=requests,
                    navigations=navigations, dom=DOM, **kw)  # type: ignore[arg-type]


def throws_on_display(**extra: object) -> str:
    """configure with an onBeforeEventSend that throws for display notifications only."""
    return ("record(alloy('configure', Object.assign(" + js({**CONFIG, **extra}) + ", {onBeforeEventSend:"
            " function (c) { if (c.xdm.eventType === 'decisioning.propositionDisplay')"
            " throw new Error('no displays'); }})));")


PREHIDING_KEPT = ("alloy.js keeps the prehiding style of a lone redirect proposition whose data is invalid "
                  "(nothing leaves); alloy-py shows the page (README, What differs)")
DEFAULT_OUT = ("under defaultConsent 'out' alloy.js inserts the prehiding style for a rendering sendEvent "
               "and never removes it; alloy-py does not hide (README, What differs)")

# Snapshot of the prehiding style 1.5 s in (both libraries have processed the sendEvent), then the choice.
DECLINE_LATER = ("setTimeout(function () {"
                 " record(Promise.resolve({hidden: !!document.getElementById('alloy-prehiding')}));"
                 f" record(alloy('setConsent', {{consent: [{js(ADOBE_OUT)}]}})); }}, 1500);")

SCENARIOS: list[Scenario] = [
    redirecting("redirect_prehiding", redirect(), config=PREHIDING, fast=True),
    redirecting("redirect_no_prehiding", redirect()),
    redirecting("redirect_identity_cookie", redirect(), config=PREHIDING, cookies=[IDENTITY]),
    redirecting("redirect_identity_map", redirect(), config=PREHIDING,
                options={"renderDecisions": True, "xdm": {"identityMap": {"CRM": [{"id": "u-1"}]}}}),
    redirecting("redirect_with_other_propositions",
                proposition("p-before", action("i1", type="setHtml", selector="#hero", content="<b>offer</b>")),
                redirect(),
                proposition("p-after", action("i2", type="setText", selector=".promo", content="later")),
                proposition("p-scoped", {"id": "j", "schema": SCHEMA + "json-content-item",
                                         "data": {"content": {"a": 1}}}, scope="hero-banner"),
                config=PREHIDING,
                options={"renderDecisions": True, "personalization": {"decisionScopes": ["hero-banner"]}}),
    redirecting("redirect_send_display_event_false", redirect(), config=PREHIDING,
                options={"renderDecisions": True, "personalization": {"sendDisplayEvent": False}}),
    redirecting("redirect_render_decisions_false", redirect(), config=PREHIDING, options={},
                requests=1, navigations=0),
    redirecting("redirect_display_fails", redirect(), script=throws_on_display(**PREHIDING),
                requests=1, navigations=0, settle_ms=800),
    redirecting("redirect_display_fails_no_prehiding", redirect(), script=throws_on_display(),
                requests=1, navigations=0, settle_ms=800),
    redirecting("redirect_invalid_content", redirect(url=""), config=PREHIDING, requests=1, navigations=0,
                intended={"dom.head style": PREHIDING_KEPT}),
    # -- prehiding and consent ------------------------------------------------------
    Scenario("prehiding_consent_cookie_out",
             configure(**PREHIDING) + "record(alloy('sendEvent', {renderDecisions: true}));",
             body=SNIPPET + RENDER_PAGE, dom=["#alloy-prehiding", "head style", "body"], settle_ms=500,
             cookies=[IDENTITY, {"name": CONSENT_COOKIE, "value": "general=out", "domain": "127.0.0.1", "path": "/"}]),
    Scenario("prehiding_consent_pending_then_declined",
             configure(defaultConsent="pending", **PREHIDING) + "record(alloy('sendEvent', {renderDecisions: true}));"
             + DECLINE_LATER,
             body=RENDER_PAGE, dom=["#alloy-prehiding", "head style", "body"], edge_answers=[consent_answer("out")],
             requests=1, settle_ms=1000),
    Scenario("prehiding_consent_pending_then_declined_snippet",
             configure(defaultConsent="pending", **PREHIDING) + "record(alloy('sendEvent', {renderDecisions: true}));"
             + DECLINE_LATER,
             body=SNIPPET + RENDER_PAGE, dom=["#alloy-prehiding", "head style", "body"],
             edge_answers=[consent_answer("out")], requests=1, settle_ms=1000),
    Scenario("prehiding_default_consent_out",
             configure(defaultConsent="out", **PREHIDING) + "record(alloy('sendEvent', {renderDecisions: true}));",
             body=RENDER_PAGE, dom=["#alloy-prehiding", "head style", "body"], settle_ms=500,
             intended={"dom.#alloy-prehiding": DEFAULT_OUT, "dom.head style": DEFAULT_OUT}),
]
