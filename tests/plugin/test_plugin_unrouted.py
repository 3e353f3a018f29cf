"""Nothing of a test reaches Adobe: a routed page's unrouted requests to Adobe's domains fail the test.

No web/dist needed: the pages are a few lines of script on ``about:blank``.
"""
from __future__ import annotations

from typing import Any

import pytest
from alloy_py_dev.pytest_plugin import Edge, is_adobe_url

pytestmark = pytest.mark.browser

SEND = """async (url) => {
  const body = JSON.stringify({events: [{xdm: {eventType: "test"}}]});
  try { return (await fetch(url, {method: "POST", body})).status; }
  catch (e) { return "blocked"; }
}"""
OTHER_EDGE = "https://other.adobedc.net/ee/v1/interact?configId=demo-datastream-0001"
ID_SYNC = "https://dpm.demdex.net/ibs:dpid=411&dpuuid=42"
ROUTED = "https://edge.adobedc.net/ee/v1/interact?configId=demo-datastream-0001&requestId=r1"


def test_adobe_urls() -> None:
    for url in (OTHER_EDGE, ID_SYNC, ROUTED, "https://adobedc.net/x", "http://a.b.demdex.net./"):
        assert is_adobe_url(url), url
    for url in ("https://adobedc.net.evil.example/", "https://notdemdex.net/", "https://example.com/?u=x.adobedc.net",
                "http://[::1", "about:blank"):
        assert not is_adobe_url(url), url


def test_unrouted_requests_to_adobe_are_aborted_and_named(edge: Edge, page: Any) -> None:
    edge.route(page)
    page.goto("about:blank")
    assert page.evaluate(SEND, OTHER_EDGE) == "blocked"  # an edgeDomain not in edge_domains
    assert page.evaluate(SEND, ID_SYNC) == "blocked"  # not an /ee/ path of a routed domain
    assert page.evaluate(SEND, ROUTED) == 200  # routed: the emulator answers
    assert edge.routed == [ROUTED]
    assert edge.unrouted == [OTHER_EDGE, ID_SYNC]
    message = edge.unrouted_failure()  # what the test would fail with (taken here: this one passes)
    assert message is not None and OTHER_EDGE in message and ID_SYNC in message
    assert "2 request(s) to Adobe's Edge went unrouted" in message and "edge_domains" in message
    assert edge.unrouted_failure() is None  # reported once


INNER_CONFTEST = '''
import pytest
from alloy_py_dev.repo import launch_options

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, **launch_options()}
'''
INNER = f'''
SEND = """{SEND}"""

def test_a_page_whose_edge_domain_is_not_routed(edge, edge_page):
    edge_page.goto("about:blank")
    edge_page.evaluate(SEND, "{OTHER_EDGE}")

def test_a_page_that_keeps_to_the_routes(edge, edge_page):
    edge_page.goto("about:blank")
    assert edge_page.evaluate(SEND, "{ROUTED}") == 200
'''


def test_an_unrouted_request_fails_the_test_naming_its_url(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=INNER)
    # A subprocess: pytest-playwright (its browser) and the plugin's entry point, as a user's run has them.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*1 request(s) to Adobe's Edge went unrouted (aborted, not sent to Adobe):",
                                 f"  {OTHER_EDGE}",
                                 "*FAILED*test_a_page_whose_edge_domain_is_not_routed*"])
