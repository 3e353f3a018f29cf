"""RulesEngine: the rules engine itself (ported from aep-rules-engine's specs), the context, the
event history, and the component end to end with the in-memory browser."""

from __future__ import annotations

import json
from typing import Any

import pytest

from alloy_py.browser.memory import MemoryBrowser
from alloy_py.components.rules_engine.context import ContextProvider, flatten
from alloy_py.components.rules_engine.engine import RulesError, Ruleset, matches
from alloy_py.components.rules_engine.history import (
    EventRegistry,
    MemoryStorage,
    fnv1a32_hex,
    generate_event_hash,
    prune_events,
)
from alloy_py.errors import AlloyError
from alloy_py.log import DebugSwitch, Logger

from .conftest import body, configured, identity_edge, settle

SCHEMA = "https://ns.adobe.com/personalization/"
RULESET_ITEM = SCHEMA + "ruleset-item"
CONTENT_CARD = SCHEMA + "message/content-card"
STORAGE_KEY = "com.adobe.alloy.5BFE274A5F6980A50A495C08_AdobeOrg.decisioning.events"


def matcher(key: str, op: str, *values: Any) -> dict[str, Any]:
    return {"type": "matcher", "definition": {"key": key, "matcher": op, "values": list(values)}}


def group(logic: str, *conditions: dict[str, Any]) -> dict[str, Any]:
    return {"type": "group", "definition": {"logic": logic, "conditions": list(conditions)}}


def historical(events: list[dict[str, Any]], op: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "historical", "definition": {"events": events, "matcher": op, "value": value, **extra}}


def ruleset(condition: dict[str, Any], *consequences: dict[str, Any]) -> Ruleset:
    return Ruleset({"version": 1, "rules": [{"condition": condition, "consequences": list(consequences)}]},
                   generate_event_hash)


# The engine ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "values", "expected"),
    [
        ("eq", "Bar", ["bar"], True),  # case-insensitive
        ("eq", "bar", ["baz", "BAR"], True),
        ("eq", 5, ["5"], True),  # compared as text
        ("eq", True, ["true"], True),
        ("eq", None, [None], False),  # null in the context never equals
        ("eq", "bar", [None, {}], False),
        ("ne", "bar", ["baz"], True),
        ("ne", "bar", ["BAR"], False),
        ("ne", None, ["x"], False),
        ("ex", "", [], True),
        ("ex", None, [], False),
        ("nx", None, [], True),
        ("nx", 0, [], False),
        ("gt", 5, [4], True),
        ("gt", 5, [5], False),
        ("gt", "5", [4], False),  # only numbers compare
        ("gt", 5, ["4"], False),
        ("ge", 5, [5], True),
        ("lt", 4, [5], True),
        ("lt", True, [5], False),
        ("le", 5, [5, 1], True),
        ("le", 6, [5], False),
        ("co", "Hello World", ["WORLD"], True),
        ("co", "Hello", ["x"], False),
        ("nc", "Hello", ["x"], True),
        ("nc", "Hello", ["ell"], False),
        ("sw", "Hello", ["he"], True),
        ("sw", "Hello", ["lo"], False),
        ("ew", "Hello", ["LO"], True),
        ("ew", "Hello", ["he"], False),
        ("xx", "Hello", ["Hello"], False),  # an unknown matcher
    ],
)
def test_every_matcher(op: str, value: Any, values: list[Any], expected: bool) -> None:
    assert matches({"foo": value}, "foo", op, values) is expected


def test_a_missing_key_matches_only_nx() -> None:
    for op in ("eq", "ne", "ex", "gt", "co", "nc", "sw", "ew"):
        assert matches({}, "foo", op, ["x"]) is False
    assert matches({}, "foo", "nx") is True


def test_groups_and_or_and_nesting() -> None:
    yes, no = matcher("a", "eq", 1), matcher("a", "eq", 2)
    context = {"a": 1}
    assert ruleset(group("and", yes, yes), {"id": "c"}).execute(context) == [[{"id": "c"}]]
    assert ruleset(group("and", yes, no), {"id": "c"}).execute(context) == []
    assert ruleset(group("or", no, yes), {"id": "c"}).execute(context) == [[{"id": "c"}]]
    assert ruleset(group("or", no, no), {"id": "c"}).execute(context) == []
    assert ruleset(group("and", group("or", no, yes), yes), {"id": "c"}).execute(context) == [[{"id": "c"}]]
    assert ruleset(group("and"), {"id": "c"}).execute(context) == [[{"id": "c"}]]  # nothing to fail
    assert ruleset(group("or"), {"id": "c"}).execute(context) == []
    assert ruleset(group("xor", yes), {"id": "c"}).execute(context) == []


def test_rules_without_consequences_and_unparsable_conditions() -> None:
    assert ruleset(matcher("a", "eq", 1)).execute({"a": 1}) == []
    with pytest.raises(RulesError, match="Can not parse condition"):
        ruleset({"type": "nope", "definition": {}})


def test_target_rulesets_fail_as_in_alloy() -> None:
    with pytest.raises(RulesError, match="Provider data is missing"):
        Ruleset({"version": 1, "rules": [], "metadata": {"provider": "TGT"}}, generate_event_hash)
    target = Ruleset({"version": 1, "rules": [], "metadata": {"provider": "TGT", "providerData": {
        "identityTemplate": "<key>.<identity>", "buckets": 100}}}, generate_event_hash)
    with pytest.raises(RulesError, match="XDM object is missing in the context"):
        target.execute({"xdm.identityMap.ECID.0.id": "x"})


def _history(*events: tuple[str, str, list[int]]) -> dict[str, Any]:
    return {generate_event_hash({"eventType": t, "eventId": i}): {"timestamps": s} for t, i, s in events}


def test_historical_conditions_any_ordered_most_recent() -> None:
    events = _history(("display", "a1", [100, 200, 300]), ("interact", "a1", [150]), ("dismiss", "a1", [50]))
    context = {"events": events}
    display = {"iam.eventType": "display", "iam.id": "a1"}
    interact = {"eventType": "interact", "id": "a1"}  # the other spellings
    dismiss = {"type": "dismiss", "iam.id": "a1"}
    unknown = {"iam.eventType": "display", "iam.id": "zz"}

    def check(condition: dict[str, Any]) -> bool:
        return bool(ruleset(condition, {"id": "c"}).execute(context))

    assert check(historical([display], "eq", 3))
    assert check(historical([display, interact], "eq", 4))
    assert check(historical([display], "gt", 2)) and not check(historical([display], "gt", 3))
    assert check(historical([display], "ge", 3)) and check(historical([display], "lt", 4))
    assert check(historical([display], "le", 3)) and check(historical([display], "ne", 2))
    assert check(historical([display], "eq", 2, **{"from": 150}))
    assert check(historical([display], "eq", 1, to=150))
    assert check(historical([unknown], "eq", 0))
    assert check(historical([{"foo": "bar"}], "eq", 0))  # no type/id: not counted
    assert check(historical([display], "eq", "3")) is False  # eq is strict
    # ordered: first timestamps in order (dismiss 50 < display 100 < interact 150)
    assert check(historical([dismiss, display, interact], "eq", 1, searchType="ordered"))
    assert check(historical([interact, display], "eq", 0, searchType="ordered"))
    assert check(historical([display, unknown], "eq", 0, searchType="ordered"))
    # mostRecent: the index of the event seen last (display, at 300)
    assert check(historical([interact, display, dismiss], "eq", 1, searchType="mostRecent"))
    assert check(historical([interact, dismiss], "eq", 0, searchType="mostRecent"))
    assert check(historical([unknown], "eq", -1, searchType="mostRecent"))


def test_fnv1a_and_event_hashes() -> None:
    assert fnv1a32_hex("") == "811c9dc5"
    assert fnv1a32_hex("a") == "e40c292c"
    assert fnv1a32_hex("foobar") == "bf9cf968"
    # keys sorted, empty and null values left out
    assert generate_event_hash({"eventType": "display", "eventId": "abc", "action": None}) == fnv1a32_hex(
        "eventId:abceventType:display")
    assert generate_event_hash({"b": "", "a": 1}) == fnv1a32_hex("a:1")


def _registry(memory: MemoryBrowser) -> EventRegistry:
    return EventRegistry(MemoryStorage(), Logger(memory, DebugSwitch(memory, "alloy"), "alloy"), memory.now_ms)


def test_event_registry_counts_and_prunes() -> None:
    memory = MemoryBrowser()
    registry = _registry(memory)
    assert registry.add_event({"eventType": "display"}) is None
    first = registry.add_event({"eventType": "display", "eventId": "a"})
    memory.now += 10
    again = registry.add_event({"eventType": "display", "eventId": "a"})
    assert first is again and again["timestamps"] == [memory.now - 10, memory.now]
    assert registry.add_event({"eventType": "display", "eventId": "a"}, "insertIfNotExists") is None
    assert registry.get_event("display", "a") == {"timestamps": [memory.now - 10, memory.now]}
    day = 86_400_000
    events = {"old": {"timestamps": [memory.now - 31 * day]}, "new": {"timestamps": [memory.now - day, memory.now]}}
    assert prune_events(events, memory.now) == {"new": {"timestamps": [memory.now - day, memory.now]}}
    assert prune_events(events, memory.now, limit=1) == {"new": {"timestamps": [memory.now]}}


def test_the_context_alloy_evaluates_against() -> None:
    memory = MemoryBrowser(scroll=(0, 640.5), timezone_offset=-60)  # 2025-11-24T16:00:00Z, a Monday
    context = ContextProvider(memory, _registry(memory))
    memory.now += 1500
    got = context.get_context({"~type": "t", "nested": {"a": [1, {"b": 2}]}})
    assert got["browser.name"] == "Chrome"
    # alloy reads the global window for the page: no URL, empty parts (as alloy.js 2.33.1 does)
    assert "page.url" not in got and got["page.path"] == "" and got["referringPage.domain"] == ""
    assert got["window.scrollY"] == 640.5 and got["window.scrollX"] == 0 and "window.width" not in got
    assert got["~type"] == "t" and got["nested.a.0"] == 1 and got["nested.a.1.b"] == 2
    assert got["pageVisitDuration"] == 1500 and got["currentTimestamp"] == memory.now
    assert got["~timestampz"] == "2025-11-24T16:00:01.500Z" and got["~timestampu"] == memory.now / 1000
    assert got["~state.com.adobe.module.lifecycle/lifecyclecontextdata.dayofweek"] == 2  # Monday (Sunday: 1)
    assert got["~state.com.adobe.module.lifecycle/lifecyclecontextdata.hourofday"] == 17  # local, UTC+1
    assert (got["currentYear"], got["currentMonth"], got["currentDate"]) == (2025, 10, 24)
    assert got["~sdkver"] == "2.33.1" and got["events"] == {}
    assert flatten({"a": {}, "b": []}) == {}


# The component ------------------------------------------------------------------------------------

SURFACE = "web://www.shop.example.com/#cards"
ACTIVITY = "campaign-1#action-1"


def card_proposition(condition: dict[str, Any], *, activity: str = ACTIVITY, rank: int = 1,
                     pid: str = "prop-1") -> dict[str, Any]:
    consequence = {"id": "cons-1", "type": "schema", "detail": {
        "id": "card-1", "schema": CONTENT_CARD,
        "data": {"content": {"title": {"content": "Hello"}}, "meta": {"surface": SURFACE}}}}
    return {
        "id": pid, "scope": SURFACE,
        "scopeDetails": {"decisionProvider": "AJO", "rank": rank, "activity": {"id": activity},
                         "characteristics": {"eventToken": "token"}},
        "items": [{"id": "ruleset-1", "schema": RULESET_ITEM,
                   "data": {"version": 1, "rules": [{"condition": condition, "consequences": [consequence]}]}}],
    }


def decisions(*propositions: dict[str, Any]) -> dict[str, Any]:
    return {"type": "personalization:decisions", "payload": list(propositions)}


def rules_page(*propositions: dict[str, Any]) -> MemoryBrowser:
    memory = MemoryBrowser(url="https://www.shop.example.com/")
    memory.edge = identity_edge(decisions(*propositions))
    return memory


async def test_a_ruleset_from_one_event_qualifies_a_later_one() -> None:
    cart = card_proposition(group("and", matcher("xdm.web.webPageDetails.name", "eq", "cart"),
                                  matcher("~type", "eq", "com.adobe.eventType.edge")))
    memory = rules_page(cart)
    alloy = await configured(memory)
    first = await alloy("sendEvent", {"xdm": {"web": {"webPageDetails": {"name": "home"}}}})
    # The ruleset itself comes back unrendered; nothing qualified on this event.
    assert [(p["id"], p["items"][0]["schema"], p["renderAttempted"]) for p in first["propositions"]] == [
        ("prop-1", RULESET_ITEM, False)]
    memory.edge = identity_edge()
    # An event without a personalization query is not evaluated (the first one initialized the cache).
    assert await alloy("sendEvent", {"xdm": {"web": {"webPageDetails": {"name": "cart"}}}}) == {"propositions": []}
    result = await alloy("sendEvent", {"xdm": {"web": {"webPageDetails": {"name": "cart"}}},
                                       "personalization": {"surfaces": ["#cards"]}})
    qualified = [p for p in result["propositions"] if "renderAttempted" not in p]
    assert [(p["id"], p["scope"]) for p in qualified] == [("prop-1", SURFACE)]
    [item] = qualified[0]["items"]
    assert item["id"] == "card-1" and item["schema"] == CONTENT_CARD
    assert item["data"]["qualifiedDate"] == memory.now and "displayedDate" not in item["data"]
    assert item["data"]["content"] == {"title": {"content": "Hello"}}


async def test_decision_context_and_evaluate_rulesets() -> None:
    memory = rules_page(card_proposition(group("and", matcher("~type", "eq", "com.adobe.eventType.rulesEngine"),
                                               matcher("tier", "eq", "gold"))))
    alloy = await configured(memory)
    await alloy("sendEvent", {})
    assert await alloy("evaluateRulesets", {}) == {"propositions": []}
    result = await alloy("evaluateRulesets", {"personalization": {"decisionContext": {"tier": "GOLD"}}})
    assert [p["items"][0]["id"] for p in result["propositions"]] == ["card-1"]
    assert "renderAttempted" not in result["propositions"][0]
    with pytest.raises(AlloyError) as error:
        await alloy("evaluateRulesets", {"renderDecisions": "yes"})
    assert error.value.message == (
        "[alloy] Invalid evaluateRulesets command options:\n\t - Error: 'renderDecisions': Expected true or false, "
        'but got "yes". For command documentation see: https://adobe.ly/3sHgQHb')
    with pytest.raises(AlloyError) as error:
        await alloy("evaluateRulesets", {"foo": 1})
    assert "'foo': Unknown field." in error.value.message


async def test_subscribe_ruleset_items_filters_and_unsubscribes() -> None:
    memory = rules_page(card_proposition(matcher("~source", "eq", "com.adobe.eventSource.requestContent")))
    alloy = await configured(memory)
    calls: list[tuple[str, Any]] = []
    subscribed = await alloy("subscribeRulesetItems",
                             {"callback": lambda result, collect: calls.append(("all", result))})
    await alloy("subscribeRulesetItems", {"surfaces": ["web://other"],
                                          "callback": lambda result, collect: calls.append(("other", result))})
    assert calls == []  # nothing evaluated yet
    await alloy("sendEvent", {})
    await settle()  # onDecision comes after the response (at once where tasks start eagerly)
    assert [(name, [p["id"] for p in r["propositions"]]) for name, r in calls] == [("all", ["prop-1"]), ("other", [])]
    calls.clear()
    late: list[Any] = []
    await alloy("subscribeRulesetItems", {"schemas": [CONTENT_CARD], "callback": lambda r, c: late.append(r)})
    assert [p["id"] for p in late[0]["propositions"]] == ["prop-1"]  # the last ones, at once
    subscribed["unsubscribe"]()
    await alloy("evaluateRulesets", {})  # ~source matches here too
    await settle()
    assert [name for name, _ in calls] == ["other"] and len(late) == 2
    with pytest.raises(AlloyError) as error:
        await alloy("subscribeRulesetItems", {"surfaces": ["a", "a"], "callback": print})
    assert "'surfaces': Expected array values to be unique" in error.value.message
    with pytest.raises(AlloyError) as error:
        await alloy("subscribeRulesetItems", {})
    assert "'callback' is a required option" in error.value.message


async def test_collect_event_reports_content_cards_and_records_history() -> None:
    memory = rules_page(card_proposition(matcher("~type", "ex")))
    alloy = await configured(memory, personalizationStorageEnabled=True)
    collected: list[Any] = []
    await alloy("subscribeRulesetItems", {"callback": lambda result, collect: collected.append((result, collect))})
    await alloy("sendEvent", {})
    await settle()
    stored = json.loads(memory.storage["local"][STORAGE_KEY])
    trigger = generate_event_hash({"eventType": "trigger", "eventId": ACTIVITY})
    assert stored == {trigger: {"timestamps": [memory.now]}}
    result, collect = collected[-1]
    sent = len(memory.sent)
    await collect("display", result["propositions"])
    await collect("display", result["propositions"])  # once per page
    await collect("interact", result["propositions"])
    await collect("interact", result["propositions"])  # every time
    await collect("bogus", result["propositions"])
    events = [body(s)["events"][0]["xdm"] for s in memory.sent[sent:]]
    assert [e["eventType"] for e in events] == ["decisioning.propositionDisplay", "decisioning.propositionInteract",
                                                "decisioning.propositionInteract"]
    assert events[0]["_experience"]["decisioning"] == {
        "propositions": [{"id": "prop-1", "scope": SURFACE, "scopeDetails": result["propositions"][0]["scopeDetails"]}],
        "propositionEventType": {"display": 1}}
    assert all(s.transport == "beacon" for s in memory.sent[sent:])
    history = json.loads(memory.storage["local"][STORAGE_KEY])
    assert generate_event_hash({"eventType": "display", "eventId": ACTIVITY}) in history
    assert len(history[generate_event_hash({"eventType": "interact", "eventId": ACTIVITY})]["timestamps"]) == 2


async def test_history_in_memory_only_and_cleared_without_personalization_storage() -> None:
    memory = rules_page(card_proposition(matcher("~type", "ex")))
    memory.storage["local"][STORAGE_KEY] = "{}"
    memory.storage["local"]["com.adobe.alloy.5BFE274A5F6980A50A495C08_AdobeOrg.decisioning.other"] = "x"
    memory.storage["local"]["unrelated"] = "kept"
    alloy = await configured(memory)
    assert memory.storage["local"] == {"unrelated": "kept"}
    await alloy("sendEvent", {})  # prop-1 qualifies: one trigger
    assert STORAGE_KEY not in memory.storage["local"]
    # still counted in memory: prop-1 is evaluated first (same rank, came first) and counts its second
    # trigger before prop-2's historical condition is read
    proposition = card_proposition(historical([{"iam.eventType": "trigger", "iam.id": ACTIVITY}], "eq", 2),
                                   activity="other", pid="prop-2")
    memory.edge = identity_edge(decisions(proposition))
    await alloy("sendEvent", {})  # no query (the cache is initialized): the ruleset is kept, nothing evaluated
    result = await alloy("evaluateRulesets", {})
    assert [p["id"] for p in result["propositions"]] == ["prop-1", "prop-2"]
    assert [p["id"] for p in (await alloy("evaluateRulesets", {}))["propositions"]] == ["prop-1"]  # 3 now


async def test_stored_history_is_restored_after_consent() -> None:
    memory = rules_page(card_proposition(historical([{"iam.eventType": "display", "iam.id": "seen"}], "eq", 1)))
    memory.storage["local"][STORAGE_KEY] = json.dumps(
        {generate_event_hash({"eventType": "display", "eventId": "seen"}): {"timestamps": [1]}})
    alloy = await configured(memory, personalizationStorageEnabled=True)
    await alloy("sendEvent", {})
    result = await alloy("evaluateRulesets", {})
    assert [p["id"] for p in result["propositions"]] == ["prop-1"]


async def test_ranking_history_operations_and_render_decisions() -> None:
    always = matcher("~type", "ex")
    low = card_proposition(always, activity="a-low", rank=5, pid="low")
    high = card_proposition(always, activity="a-high", rank=2, pid="high")
    operation = {"id": "op", "schema": SCHEMA + "eventHistoryOperation",
                 "data": {"operation": "insert", "content": {"iam.id": "a-high", "iam.eventType": "custom"}}}
    high["items"][0]["data"]["rules"][0]["consequences"].append(
        {"id": "op", "type": "schema", "detail": operation})
    memory = rules_page(low, high)
    alloy = await configured(memory)
    await alloy("sendEvent", {})
    sent = len(memory.sent)
    result = await alloy("evaluateRulesets", {"renderDecisions": True})
    assert [p["id"] for p in result["propositions"]] == ["high", "low"]  # by rank
    assert [i["id"] for i in result["propositions"][0]["items"]] == ["card-1"]  # the operation is done, not returned
    # inserted twice: by the sendEvent's evaluation and by evaluateRulesets'
    proposition = card_proposition(historical([{"iam.eventType": "custom", "iam.id": "a-high"}], "eq", 2),
                                   activity="a-check", pid="check")
    memory.edge = identity_edge(decisions(proposition))
    await alloy("sendEvent", {})
    await settle()
    assert "check" in [p["id"] for p in (await alloy("evaluateRulesets", {}))["propositions"]]
    # Content cards are not rendered, so rendering them sends no display notification.
    assert all(body(s)["events"][0]["xdm"].get("eventType") != "decisioning.propositionDisplay"
               for s in memory.sent[sent:])


async def test_json_content_rulesets_and_cjmiam_consequences() -> None:
    rules = {"version": 1, "rules": [{"condition": matcher("~type", "ex"), "consequences": [
        {"id": "iam-1", "type": "cjmiam", "detail": {"html": "<p>hi</p>", "mobileParameters": {"a": 1}}}]}]}
    proposition = {"id": "json", "scope": SURFACE, "scopeDetails": {"activity": {"id": "j"}},
                   "items": [{"id": "i", "schema": SCHEMA + "json-content-item",
                              "data": {"content": json.dumps(rules)}}]}
    memory = rules_page(proposition)
    alloy = await configured(memory)
    await alloy("sendEvent", {})
    [result] = (await alloy("evaluateRulesets", {}))["propositions"]
    assert result["items"] == [{"schema": SCHEMA + "message/in-app", "data": {
        "mobileParameters": {"a": 1}, "webParameters": {}, "content": "<p>hi</p>", "contentType": "text/html",
        "qualifiedDate": memory.now}, "id": "iam-1"}]


def in_app_proposition(pid: str, text: str) -> dict[str, Any]:
    from .test_in_app_messages import IN_APP, MODAL_WEB

    consequence = {"id": f"{pid}-cons", "type": "schema", "detail": {
        "id": f"{pid}-message", "schema": IN_APP,
        "data": {"content": f"<html><body><p>{text}</p></body></html>", "contentType": "text/html",
                 "webParameters": MODAL_WEB}}}
    proposition = card_proposition(matcher("~type", "ex"), activity=f"a-{pid}", pid=pid)
    proposition["items"][0]["data"]["rules"][0]["consequences"] = [consequence]
    return proposition


async def test_of_two_qualified_in_app_messages_only_the_first_is_shown() -> None:
    """alloy's shouldSuppressDisplay: the second is reported as suppressed for a conflict."""
    memory = rules_page(in_app_proposition("first", "First message"), in_app_proposition("second", "Second message"))
    alloy = await configured(memory)
    await alloy("sendEvent", {})
    sent = len(memory.sent)
    result = await alloy("evaluateRulesets", {"renderDecisions": True})
    await settle()
    assert [p["id"] for p in result["propositions"]] == ["first", "second"]
    shown = [text for text in memory.blobs.values()]
    assert len(shown) == 1 and "First message" in shown[0]
    xdms = [body(s)["events"][0]["xdm"] for s in memory.sent[sent:]]
    display = [x for x in xdms if x.get("eventType") == "decisioning.propositionDisplay"]
    suppressed = [x for x in xdms if x.get("eventType") == "decisioning.propositionSuppressDisplay"]
    assert [[p["id"] for p in x["_experience"]["decisioning"]["propositions"]] for x in display] == [["first"]]
    assert len(suppressed) == 1
    decisioning = suppressed[0]["_experience"]["decisioning"]
    assert [p["id"] for p in decisioning["propositions"]] == ["second"]
    assert decisioning["propositionEventType"] == {"suppressDisplay": 1}
    assert decisioning["propositionAction"] == {"reason": "Conflict"}
