"""The rules engine: rulesets parsed once, evaluated against a flattened context.

Port of ``@adobe/aep-rules-engine`` 3.1.1 (``parser.ts``, ``model.ts``,
``matchers/``, ``historical.ts``, ``executors/``) as alloy 2.33.1 bundles it.
A context is a flat mapping (``"page.url"``, ``"~type"``…) plus ``events``,
the event history (hash -> ``{"timestamps": [...]}``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ...edge.response import js_string
from ...errors import AlloyError

__all__ = ["EventHash", "RulesError", "Ruleset", "matches"]

EventHash = Callable[[Mapping[str, Any]], str]
Context = Mapping[str, Any]
Evaluable = Callable[[Context], bool]


class RulesError(AlloyError):
    """A ruleset the engine cannot parse or run (alloy.js throws the same words)."""


_UNDEFINED: Any = object()


def _get(context: Context, key: Any) -> Any:
    return context.get(key if isinstance(key, str) else js_string(key), _UNDEFINED)


def _object_or_undefined(value: Any) -> bool:
    """``typeof value === "object" || typeof value === "undefined"`` (``null`` included)."""
    return value is _UNDEFINED or value is None or isinstance(value, (dict, list))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text_matcher(test: Callable[[str, str], bool], found: bool) -> Callable[[Context, Any, list[Any]], bool]:
    def match(context: Context, key: Any, values: list[Any]) -> bool:
        value = _get(context, key)
        if _object_or_undefined(value):
            return False
        text = js_string(value).lower()
        for candidate in values:
            if not _object_or_undefined(candidate) and test(text, js_string(candidate).lower()):
                return found
        return not found

    return match


def _number_matcher(test: Callable[[float, float], bool]) -> Callable[[Context, Any, list[Any]], bool]:
    def match(context: Context, key: Any, values: list[Any]) -> bool:
        needle = _get(context, key)
        if not _number(needle):
            return False
        return any(_number(v) and test(needle, v) for v in values)

    return match


def _exists(context: Context, key: Any, values: list[Any]) -> bool:
    return _get(context, key) not in (_UNDEFINED, None)


MATCHERS: dict[str, Callable[[Context, Any, list[Any]], bool]] = {
    "eq": _text_matcher(lambda text, value: text == value, True),
    "ne": _text_matcher(lambda text, value: text == value, False),
    "ex": _exists,
    "nx": lambda context, key, values: not _exists(context, key, values),
    "gt": _number_matcher(lambda a, b: a > b),
    "ge": _number_matcher(lambda a, b: a >= b),
    "lt": _number_matcher(lambda a, b: a < b),
    "le": _number_matcher(lambda a, b: a <= b),
    "co": _text_matcher(lambda text, value: value in text, True),
    "nc": _text_matcher(lambda text, value: value in text, False),
    "sw": _text_matcher(lambda text, value: text.startswith(value), True),
    "ew": _text_matcher(lambda text, value: text.endswith(value), True),
}


def matches(context: Context, key: Any, matcher: Any, values: Any = None) -> bool:
    """One matcher condition (an unknown matcher never matches)."""
    test = MATCHERS.get(matcher) if isinstance(matcher, str) else None
    if test is None:
        return False
    return test(context, key, values if isinstance(values, list) else [])


# Historical conditions ---------------------------------------------------------------------------

_EVENT_TYPE_KEYS = ("iam.eventType", "eventType", "type")
_EVENT_ID_KEYS = ("iam.id", "id")


def _normalize_event(event: Any) -> dict[str, Any]:
    """The event as Web SDK events are stored (``eventType``, ``eventId``); raises when it has neither."""
    if not isinstance(event, dict):
        raise ValueError("The event does not match the expected schema.")
    normalized = dict(event)
    for keys, name in ((_EVENT_TYPE_KEYS, "eventType"), (_EVENT_ID_KEYS, "eventId")):
        found = next((k for k in keys if k in normalized), None)
        if found is None:
            raise ValueError("The event does not match the expected schema.")
        if found != name:
            normalized[name] = normalized.pop(found)
    return normalized


def _bound(value: Any, default: float) -> float:
    """A ``from``/``to`` as JS compares it (``undefined``: the default, ``null``: 0)."""
    if value is _UNDEFINED:
        return default
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    if _number(value):
        return float(value)
    try:
        return float(value) if isinstance(value, str) and value.strip() else (0 if value == "" else math.nan)
    except ValueError:
        return math.nan


def _timestamps(events: Context, key: str) -> list[Any] | None:
    record = events.get(key) if isinstance(events, dict) else None
    if not record:
        return None
    stamps = record.get("timestamps", []) if isinstance(record, dict) else []
    return stamps if isinstance(stamps, list) else []


def _in_range(stamp: Any, start: float, end: float) -> bool:
    return _number(stamp) and start <= stamp <= end


def _count_any(events: list[Any], context: Context, hash_event: EventHash, start: float, end: float) -> int:
    total = 0
    for event in events:
        try:
            stamps = _timestamps(context.get("events") or {}, hash_event(_normalize_event(event)))
        except ValueError:
            continue
        if stamps is not None:
            total += sum(1 for t in stamps if _in_range(t, start, end))
    return total


def _count_ordered(events: list[Any], context: Context, hash_event: EventHash, start: float, end: float) -> int:
    previous: Any = start
    for event in events:
        try:
            stamps = _timestamps(context.get("events") or {}, hash_event(_normalize_event(event)))
        except ValueError:
            return 0
        if stamps is None:
            return 0
        first: Any = stamps[0] if stamps else None
        if not (_number(first) and _number(previous) and previous <= first <= end):
            return 0
        previous = first
    return 1


def _most_recent(events: list[Any], context: Context, hash_event: EventHash, start: float, end: float) -> int:
    index, latest = -1, 0
    try:
        for position, event in enumerate(events):
            stamps = _timestamps(context.get("events") or {}, hash_event(_normalize_event(event)))
            if stamps is None:
                continue
            in_range = [t for t in stamps if _in_range(t, start, end)]
            if in_range and in_range[-1] and in_range[-1] > latest:
                index, latest = position, in_range[-1]
    except ValueError:
        return -1
    return index


def _compare_count(count: int, matcher: Any, value: Any) -> bool:
    """``checkForHistoricalMatcher``: ``eq``/``ne`` are strict, the others compare as JS numbers."""
    if matcher == "eq":
        return _number(value) and count == value
    if matcher == "ne":
        return not (_number(value) and count == value)
    number = _bound(value, math.nan) if value is not _UNDEFINED else math.nan
    tests: dict[str, Callable[[float, float], bool]] = {
        "gt": lambda a, b: a > b,
        "ge": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b,
    }
    test = tests.get(matcher) if isinstance(matcher, str) else None
    return test is not None and test(count, number)


# Parsing ---------------------------------------------------------------------------------------


def _field(mapping: Any, key: str) -> Any:
    if not isinstance(mapping, dict):
        raise RulesError(f"Cannot read properties of {js_string(mapping) if mapping is None else 'undefined'} "
                         f"(reading '{key}')")
    return mapping.get(key, _UNDEFINED)


def _parse_condition(condition: Any, hash_event: EventHash) -> Evaluable:
    kind = _field(condition, "type")
    definition = _field(condition, "definition")
    if kind == "matcher":
        key, matcher, values = (_field(definition, k) for k in ("key", "matcher", "values"))
        return lambda context: matches(context, key, matcher, values)
    if kind == "group":
        logic = _field(definition, "logic")
        conditions = _field(definition, "conditions")
        if not isinstance(conditions, list):
            raise RulesError("conditions.map is not a function")
        parsed = [_parse_condition(c, hash_event) for c in conditions]
        if logic == "and":
            return lambda context: all(c(context) for c in parsed)
        if logic == "or":
            return lambda context: any(c(context) for c in parsed)
        return lambda context: False
    if kind == "historical":
        return _parse_historical(definition, hash_event)
    raise RulesError("Can not parse condition")


def _parse_historical(definition: Any, hash_event: EventHash) -> Evaluable:
    events, matcher, value, start, end, search = (
        _field(definition, k) for k in ("events", "matcher", "value", "from", "to", "searchType")
    )

    def evaluate(context: Context) -> bool:
        low, high = _bound(start, 0), _bound(end, math.inf)
        if not isinstance(events, list):
            count = -1 if search == "mostRecent" else 0
        elif search == "mostRecent":
            count = _most_recent(events, context, hash_event, low, high)
        elif search == "ordered":
            count = _count_ordered(events, context, hash_event, low, high)
        else:
            count = _count_any(events, context, hash_event, low, high)
        return _compare_count(count, matcher, value)

    return evaluate


class Ruleset:
    """One parsed ruleset (``RulesEngine(ruleset, {generateEventHash})``); :meth:`execute` gives the
    consequences of the rules that match, rule by rule."""

    def __init__(self, ruleset: Any, hash_event: EventHash) -> None:
        rules = _field(ruleset, "rules")
        if not isinstance(rules, list):
            raise RulesError("rules.map is not a function")
        self._rules: list[tuple[Evaluable, list[Any]]] = []
        for rule in rules:
            condition = _parse_condition(_field(rule, "condition"), hash_event)
            consequences = _field(rule, "consequences")
            if not isinstance(consequences, list):
                raise RulesError("consequences.map is not a function")
            self._rules.append((condition, [_consequence(c) for c in consequences]))
        metadata = ruleset.get("metadata")
        self._target = isinstance(metadata, dict) and metadata.get("provider") == "TGT"
        if self._target:
            provider_data = metadata.get("providerData") if isinstance(metadata, dict) else None
            if not provider_data:
                raise RulesError("Provider data is missing in metadata")
            if not provider_data.get("identityTemplate"):
                raise RulesError("Identity template is missing in provider data")
            if not provider_data.get("buckets"):
                raise RulesError("Buckets is missing in provider data")

    def execute(self, context: Context) -> list[list[Any]]:
        if self._target:
            # The Target executor reads context.xdm.identityMap: alloy always hands it a flattened
            # context, which has no "xdm" object, so it throws.
            if not isinstance(context.get("xdm"), dict):
                raise RulesError("XDM object is missing in the context")
            raise RulesError("Target rulesets are not supported")
        return [consequences for condition, consequences in self._rules if condition(context) and consequences]


def _consequence(consequence: Any) -> dict[str, Any]:
    if not isinstance(consequence, dict):
        raise RulesError("Cannot destructure a consequence that is not an object")
    result = {}
    for key in ("id", "type", "detail"):
        if key in consequence:
            result[key] = consequence[key]
    return result
