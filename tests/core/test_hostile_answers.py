"""Fuzz: whatever the Edge answers, a command resolves or raises AlloyError (issue 10).

Hypothesis builds answers from the Edge's shapes (handles of every type alloy-py
reads, with payloads of any JSON type), arbitrary JSON, arbitrary text and
deeply nested JSON, with any status and odd headers. Each goes through the
whole response path (parsing, state:store cookies, identity, personalization,
location hints, retries) of a configured instance under CPython. Then the same
instance must still send a good event.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.errors import INTERNAL_ERROR, AlloyError

from .conftest import DATASTREAM_ID, IDENTITY_HANDLES, ORG_ID, edge_body, make_alloy

HANDLE_TYPES = ["state:store", "identity:result", "personalization:decisions", "locationHint:result",
                "activation:pull", "rtml:inferences", "identity:exchange", "activation:push",
                "personalization:notification", "x"]
PYTHON_WORDS = re.compile(r"Traceback|File \"|\bNone\b|jsnull|\b\w+Error\b|object has no attribute|NoneType")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["key", "value", "maxAge", "attrs", "SameSite", "id", "scope", "items", "schema", "data",
                         "namespace", "code", "hint", "ttlSeconds", "type", "payload", "scopeDetails", "x",
                         "spec", "url", "hideReferrer", "name", "domain", "ttlDays"]),
        children, max_size=5),
    max_leaves=25,
)
KEYS = st.sampled_from(["key", "value", "maxAge", "attrs", "id", "scope", "items", "schema", "data", "namespace",
                        "hint", "ttlSeconds", "scopeDetails", "characteristics", "scopeType", "type", "selector",
                        "spec"])
items = st.lists(st.dictionaries(KEYS, json_values | st.lists(st.dictionaries(KEYS, json_values), max_size=2),
                                 max_size=6), max_size=3)
handles = st.fixed_dictionaries({"type": st.sampled_from(HANDLE_TYPES), "payload": items}) | st.fixed_dictionaries(
    {"type": st.sampled_from(HANDLE_TYPES) | json_values, "payload": json_values})
edge_shaped = st.fixed_dictionaries(
    {"handle": st.lists(handles, min_size=1, max_size=4) | st.lists(handles | json_values, max_size=5) | json_values},
    optional={"warnings": json_values, "errors": json_values, "requestId": json_values},
).map(json.dumps)
bodies = st.one_of(
    edge_shaped, edge_shaped, edge_shaped, edge_shaped,
    json_values.map(json.dumps),
    st.text(max_size=40),
    st.integers(min_value=150, max_value=100_000).map(lambda n: "[" * n + "]" * n),
    st.integers(min_value=150, max_value=5_000).map(
        lambda n: '{"handle":[{"type":"x","payload":' + "[" * n + "]" * n + "}]}"
    ),
)
answers = st.tuples(
    st.sampled_from([200] * 12 + [204, 207, 301, 400, 404, 429, 500, 502, 503, 504]),
    bodies,
    st.dictionaries(st.sampled_from(["x-adobe-edge", "retry-after", "content-type"]),
                    st.text(max_size=20) | st.sampled_from(["or2;35", "3600", "Wed, 21 Oct 2015 07:28:00 GMT"]),
                    max_size=3),
)


async def _hostile_then_good(answer: tuple[int, str, dict[str, str]]) -> None:
    status, text, headers = answer
    hostile = True

    def edge(request: HttpRequest) -> HttpResponse:
        if hostile:
            return HttpResponse(status, text, headers)
        return HttpResponse(200, edge_body(*IDENTITY_HANDLES), {"x-adobe-edge": "OR2;9"})

    browser = MemoryBrowser(edge=edge)
    alloy = make_alloy(browser)
    await alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID})
    for command, options in (("sendEvent", {"renderDecisions": True, "xdm": {"eventType": "x"}}),
                             ("getIdentity", {})):
        try:
            result = await alloy(command, options)
        except AlloyError as error:
            ours = error.message.split("response body:")[0]  # what follows is the Edge's own text
            assert not PYTHON_WORDS.search(ours), error.message
            assert INTERNAL_ERROR not in error.message, error.message  # an answer we failed to handle
        else:
            assert isinstance(result, dict)
    hostile = False
    assert isinstance(await alloy("sendEvent", {"xdm": {"eventType": "next"}}), dict)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(answers)
async def test_any_answer_resolves_or_raises_alloy_error(answer: tuple[int, str, dict[str, str]]) -> None:
    await _hostile_then_good(answer)
