"""The harness's normalize/diff on hand-made records: a changed field turns red, a masked one does not."""
from __future__ import annotations

import copy

from .harness import diff, lookup, normalize, split_intended


def record(**changes) -> dict:
    rec = {
        "requests": [{
            "method": "POST", "host": "edge.adobedc.net", "path": "/ee/v1/interact",
            "query": {"configId": "ds", "requestId": "r-1"}, "beacon": False,
            "body": {"events": [{"xdm": {"eventType": "a", "web": {"webPageDetails": {"URL": "http://x/"}},
                                         "timestamp": "2026-01-01T00:00:00.000Z",
                                         "placeContext": {"localTime": "t1", "ianaTimezone": "UTC"},
                                         "implementationDetails": {"name": "alloy-py"},
                                         "eventMergeId": "m-1"}}],
                     "meta": {"queueTimeMillis": 3, "state": {"domain": "x"}}},
        }],
        "results": [{"resolved": {}}, {"resolved": {"eventMergeId": "m-2"}}],
        "cookies": [], "localStorage": [], "sessionStorage": [],
        "dom": {"body": ['<body><div id="hero" data-aep-interact-id="1"><b>AJO</b></div>\n</body>']},
    }
    for path, value in changes.items():
        node = rec
        keys = path.split("/")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        node[int(keys[-1]) if keys[-1].isdigit() else keys[-1]] = value
    return rec


def test_identical_records_have_no_diff() -> None:
    assert diff(normalize(record()), normalize(record())) == []


def test_masked_fields_are_not_reported() -> None:
    ours = record(**{
        "requests/0/query/requestId": "r-2",
        "requests/0/body/events/0/xdm/timestamp": "2027-02-02T00:00:00.000Z",
        "requests/0/body/events/0/xdm/placeContext/localTime": "t2",
        "requests/0/body/events/0/xdm/implementationDetails": {"name": "https://ns.adobe.com/experience/alloy"},
        "requests/0/body/events/0/xdm/eventMergeId": "m-9",
        "requests/0/body/meta/queueTimeMillis": 99,
        "results/1/resolved/eventMergeId": "m-8",
    })
    assert diff(normalize(ours), normalize(record())) == []


def test_a_changed_request_field_is_reported() -> None:
    ours = record(**{"requests/0/body/events/0/xdm/web": {"webPageDetails": {"URL": "http://y/"}}})
    assert diff(normalize(ours), normalize(record())) == ["requests[0].body.events[0].xdm.web.webPageDetails.URL"]


def test_missing_extra_and_type_changes_are_reported() -> None:
    ours = record(**{"requests/0/body/events/0/xdm/eventType": 1, "requests/0/beacon": True})
    del ours["requests"][0]["body"]["meta"]["state"]
    ours["requests"][0]["body"]["events"][0]["data"] = {"x": 1}
    ours["requests"].append(copy.deepcopy(ours["requests"][0]))
    paths = diff(normalize(ours), normalize(record()))
    assert paths == [
        "requests[0].beacon",
        "requests[0].body.events[0].xdm.eventType",
        "requests[0].body.events[0].data",
        "requests[0].body.meta.state",
        "requests[1]",
    ]
    assert lookup(ours, "requests[0].body.events[0].xdm.eventType") == 1
    assert lookup(ours, "requests[0].body.meta.state") == "<absent>"


def test_intended_paths_are_split_off() -> None:
    undeclared, declared = split_intended(
        ["results[1].rejected", "results[10].rejected", "requests[0].host"],
        {"results[1]": "reason"})
    assert undeclared == ["results[10].rejected", "requests[0].host"]
    assert declared == {"results[1].rejected": "reason"}


def test_dom_is_compared_exactly_whitespace_and_interact_ids_included() -> None:
    spaced = record(**{"dom/body/0": '<body><div id="hero" data-aep-interact-id="1"><b>AJO</b></div> \n</body>'})
    renumbered = record(**{"dom/body/0": '<body><div id="hero" data-aep-interact-id="2"><b>AJO</b></div>\n</body>'})
    assert diff(normalize(spaced), normalize(record())) == ["dom.body[0]"]
    assert diff(normalize(renumbered), normalize(record())) == ["dom.body[0]"]
