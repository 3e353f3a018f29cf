"""Plain-data helpers shared by the core: JavaScript's merge rules and JSON text."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["assign_concat_arrays", "deep_assign", "to_json"]


def deep_assign(target: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """alloy's ``deepAssign``: objects merge key by key, anything else replaces."""
    for key, value in source.items():
        if key in ("__proto__", "constructor", "prototype"):
            continue
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            deep_assign(current, value)
        else:
            target[key] = value
    return target


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


def to_json(value: Any, *, indent: int | None = None) -> str:
    """``JSON.stringify``: compact, non-ASCII kept as is, functions left out."""
    value = _without_functions(value)
    if indent is None:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(value, indent=indent, ensure_ascii=False)


def _without_functions(value: Any) -> Any:
    # JSON.stringify drops function-valued keys, and writes null for functions in arrays.
    if isinstance(value, dict):
        return {k: _without_functions(v) for k, v in value.items() if not callable(v)}
    if isinstance(value, list):
        return [None if callable(v) else _without_functions(v) for v in value]
    return value
