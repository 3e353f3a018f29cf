"""The plugin loads by itself in a fresh pytest run, and its ``edge`` fixture works (no browser)."""
from __future__ import annotations

import pytest

INNER = '''
import json, urllib.request

def test_a_page_view(edge):
    request = urllib.request.Request(
        edge.url + "/ee/v1/interact?configId=demo-datastream-0001", method="POST",
        data=json.dumps({"events": [{"xdm": {"eventType": "web.webpagedetails.pageViews"},
                                     "query": {"personalization": {"decisionScopes": ["hero-banner"]}}}]}).encode())
    urllib.request.urlopen(request, timeout=10).read()
    event = edge.wait_for_event("web.webpagedetails.pageViews", timeout=5)
    assert edge.ecids() == [event.ecid]
    assert [p["id"] for p in edge.decisions()] == ["emu-hero-banner-offer"]

def test_the_routes_default_to_the_real_edge(edge, edge_domains):
    assert edge_domains == [] and edge.domains == ["edge.adobedc.net", "*.demdex.net"]
'''


# -p no:alloy_py: were the entry point installed, it would register the module a second time;
# -p no:playwright: the plugin needs no pytest-playwright (whose soft assertions do not nest in
# one process); the module was imported by the outer run, so it cannot be assertion-rewritten.
ARGS = ("-p", "no:alloy_py", "-p", "alloy_py_dev.pytest_plugin", "-p", "no:playwright",
        "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning")


@pytest.fixture(autouse=True)
def _inner_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_the_plugin_loads_in_a_fresh_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_inprocess(*ARGS, "-q")
    result.assert_outcomes(passed=2)
