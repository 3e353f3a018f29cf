"""The issue's example call, run by alloy.js 2.33.1 and by alloy-py on the same page.

Both libraries get the same page URL, the same Edge answers and fresh browser
contexts; their requests must be equal once the values that differ on every
run (ids, times) and the library's own name/version are masked.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST
from alloy_py_dev.samples import BASE_CODE, DATASTREAM_ID, IDENTITY_ANSWER, ISSUE_EXAMPLE, ORG_ID

from tests.support.edge_mock import EdgeMock

LOADERS = {
    "alloy.js": '<script src="/vendor/alloy/alloy.js" async></script>',
    "alloy-py": '<script src="/alloy-py.js" async></script>',
}
MASK = "<masked>"


def mask(request: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(request["body"])
    body["meta"]["queueTimeMillis"] = MASK
    for event in body.get("events", []):
        xdm = event["xdm"]
        xdm["timestamp"] = MASK
        xdm["implementationDetails"] = MASK
        if "placeContext" in xdm:
            xdm["placeContext"]["localTime"] = MASK
    query = {k: (MASK if k == "requestId" else v) for k, v in request["query"].items()}
    return {
        "method": request["method"],
        "host": request["host"],
        "path": request["path"],
        "query": query,
        "content_type": request["content_type"],
        "beacon": request["beacon"],
        "body": body,
    }


def run_library(browser: Any, base_url: str, add_page: Any, library: str, script: str) -> tuple[list, Any]:
    context = browser.new_context(service_workers="block")
    try:
        edge = EdgeMock(context, base_url)
        edge.set_default(IDENTITY_ANSWER)
        url = add_page(
            "/parity/example.html",
            f'<!doctype html><html><head><meta charset="utf-8"><script>{BASE_CODE}</script>'
            f"{LOADERS[library]}</head><body><div id=hero></div><script>{script}</script></body></html>",
        )
        page = context.new_page()
        page.goto(url)
        edge.wait_for(2, timeout=60, page=page)
        page.wait_for_function("() => window.done === true", timeout=30_000)
        results = page.evaluate("() => window.results")
        return [mask(r) for r in edge.requests], results
    finally:
        context.close()


@pytest.mark.skipif(not (ALLOY_REFERENCE_DIST / "alloy.js").exists(), reason="npm @adobe/alloy not installed")
def test_issue_example_matches_alloy_js(browser, base_url, add_page) -> None:
    script = f"""
      window.results = [];
      alloy('configure', {json.dumps({'datastreamId': DATASTREAM_ID, 'orgId': ORG_ID})});
      alloy('sendEvent', {json.dumps(ISSUE_EXAMPLE)})
        .then(function (r) {{ results.push(r); return alloy('sendEvent', {{xdm: {{eventType: 'second'}}}}); }})
        .then(function (r) {{ results.push(r); window.done = true; }},
              function (e) {{ results.push(String(e)); window.done = true; }});
    """
    reference_requests, reference_results = run_library(browser, base_url, add_page, "alloy.js", script)
    our_requests, our_results = run_library(browser, base_url, add_page, "alloy-py", script)
    assert len(reference_requests) == 2
    assert our_requests == reference_requests
    # renderDecisions: alloy.js renders nothing for a JSON offer, so it is returned unrendered by both.
    assert our_results == reference_results
