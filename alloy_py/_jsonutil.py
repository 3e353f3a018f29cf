"""Plain-data helpers shared by the core: JavaScript's merge rules and JSON text."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import AlloyError

__all__ = [
    "FUNCTION_KEY", "MAX_DEPTH", "NULL", "SYMBOL_KEY", "UNSERIALIZABLE_KEY", "Omitted", "Unserializable",
    "assign_concat_arrays", "deep_assign", "js_number", "parse_json", "read_marked", "to_json",
]

MAX_DEPTH = 200
"""How deep the JSON alloy-py reads and writes may nest (the page's options, the Edge's answers)."""


class SerializationError(AlloyError):
    """``JSON.stringify`` would throw on this value (alloy.js's own text)."""


class Omitted:
    """A JS value ``JSON.stringify`` leaves out (a symbol): kept so validators can name it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __deepcopy__(self, memo: dict[int, Any]) -> Omitted:
        return self


class _Null:
    """JavaScript's ``null`` given as a command's options (``undefined`` is ``None``: no options)."""

    def __repr__(self) -> str:
        return "null"


NULL = _Null()


class Unserializable(Omitted):
    """A JS value ``JSON.stringify`` throws on (a cycle, a BigInt): fails when written, as in alloy.js."""

    __slots__ = ()


def deep_assign(target: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """alloy's ``deepAssign``: objects merge key by key, anything else replaces."""
    stack = [(target, source)]
    while stack:
        into, values = stack.pop()
        for key, value in values.items():
            if key in ("__proto__", "constructor", "prototype"):
                continue
            current = into.get(key)
            if isinstance(current, dict) and isinstance(value, dict):
                stack.append((current, value))
            else:
                into[key] = value
    return target


def copy_keeping_callables(value: Any) -> Any:
    """A deep copy of objects and arrays; anything else (a callback, a string) is kept as it is."""
    if isinstance(value, Mapping):
        return {key: copy_keeping_callables(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [copy_keeping_callables(item) for item in value]
    return value


def assign_concat_arrays(*values: Any) -> dict[str, Any]:
    """alloy's ``assignConcatArrayValues``: arrays concatenate, the rest overwrites."""
    result: dict[str, Any] = {}
    for value in values:
        if not isinstance(value, dict):
            continue
        for key, item in value.items():
            if isinstance(item, list):
                if isinstance(result.get(key), list):
                    result[key] = [*result[key], *item]
                else:
                    result[key] = list(item)
            else:
                result[key] = item
    return result


def js_number(value: float | int) -> str:
    """A number as JavaScript writes it (``Number.prototype.toString``); NaN and ±Infinity: ``null``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if -(2**53) <= value <= 2**53:
            return str(value)
        value = float(value)
    if not math.isfinite(value):
        return "null"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)  # value = 0.digits × 10^point
    stripped = digits.lstrip("0")
    n = point - (len(digits) - len(stripped))
    digits = stripped.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    rest = "." + digits[1:] if k > 1 else ""
    return f"{sign}{digits[0]}{rest}e{'+' if e >= 0 else '-'}{abs(e)}"


_SURROGATES = re.compile("[\ud800-\udfff]")


def _lone(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _string(text: str) -> str:
    quoted = json.encoder.encode_basestring(text)  # type: ignore[attr-defined,unused-ignore]
    if _SURROGATES.search(quoted):
        # A str from JS holds a surrogate only when it was alone there: JSON.stringify escapes it.
        quoted = _SURROGATES.sub(_lone, quoted.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass"))
    return str(quoted)


def to_json(value: Any, *, indent: int | None = None) -> str:
    """``JSON.stringify(value, null, indent)`` of plain data: compact, non-ASCII kept as is.

    Functions and :class:`Omitted` values are left out of objects and written ``null``
    in arrays; numbers are written as JavaScript writes them; lone surrogates are
    escaped. Iterative: any depth.
    """
    parts: list[str] = []
    newline = "\n" if indent else ""
    colon = ": " if indent else ":"
    # The stack holds what is left to write: values, and literal text.
    stack: list[tuple[Any, int, bool]] = [(value, 0, False)]
    while stack:
        item, depth, literal = stack.pop()
        if literal:
            parts.append(item)
            continue
        if isinstance(item, Unserializable):
            raise SerializationError(item.text)
        if item is None or isinstance(item, Omitted) or callable(item):
            parts.append("null")
        elif item is True:
            parts.append("true")
        elif item is False:
            parts.append("false")
        elif isinstance(item, str):
            parts.append(_string(item))
        elif isinstance(item, (int, float)):
            parts.append(js_number(item))
        elif isinstance(item, (dict, list, tuple)):
            if isinstance(item, dict):
                opening, closing = "{", "}"
                members = [
                    (_string(str(key)) + colon, child) for key, child in item.items()
                    if isinstance(child, Unserializable) or not (callable(child) or isinstance(child, Omitted))
                ]
            else:
                opening, closing = "[", "]"
                members = [("", child) for child in item]
            if not members:
                parts.append(opening + closing)
                continue
            pad = newline + " " * (indent or 0) * (depth + 1)
            parts.append(opening)
            stack.append((newline + " " * (indent or 0) * depth + closing, depth, True))
            for index in range(len(members) - 1, -1, -1):
                label, child = members[index]
                stack.append((child, depth + 1, False))
                stack.append(((pad if index == 0 else "," + pad) + label, depth, True))
        else:
            parts.append(_string(str(item)))
    return "".join(parts)


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deep a JSON text nests (strings skipped), without parsing it."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def parse_json(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """``JSON.parse``, refusing (``ValueError``) a text nested deeper than ``max_depth``.

    Python's parser recurses: a deep enough text would exhaust the stack, which
    under Pyodide ends the runtime instead of raising.
    """
    if text.count("[") + text.count("{") > max_depth and json_depth(text) > max_depth:
        raise ValueError(f"nested deeper than {max_depth} levels")
    return json.loads(text, parse_constant=_not_json)


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # JSON.parse refuses NaN and Infinity


FUNCTION_KEY = "\u0000alloy-py:function"
SYMBOL_KEY = "\u0000alloy-py:symbol"
UNSERIALIZABLE_KEY = "\u0000alloy-py:unserializable"
"""The marker objects of the loader's ``readOptions`` (web/alloy-py.js): ``{key: value}``."""


def read_marked(text: str, function: Callable[[int], Any]) -> Any:
    """The JSON text ``readOptions`` wrote, with its markers as Python values.

    ``function(index)``: the callable for the ``index``-th function it kept.
    """

    def hook(record: dict[str, Any]) -> Any:
        if len(record) == 1:
            if FUNCTION_KEY in record:
                return function(int(record[FUNCTION_KEY]))
            if SYMBOL_KEY in record:
                return Omitted(str(record[SYMBOL_KEY]))
            if UNSERIALIZABLE_KEY in record:
                return Unserializable(str(record[UNSERIALIZABLE_KEY]))
        return record

    return json.loads(text, object_hook=hook)
