"""One JS → Python reading with JSON.stringify's semantics (issue 10), checked against Node.

Hypothesis builds nested JS values (Dates, toJSON, boxed primitives, NaN,
±Infinity, -0, undefined, functions, symbols, lone surrogates, big and tiny
numbers) as JS source. Node runs, for each, ``JSON.stringify(value)`` and the
loader's own ``readOptions`` (cut from web/alloy-py.js); Python reads what
``readOptions`` wrote as the bridge does (:func:`read_marked`) and writes it
back with :func:`to_json`: the text must be ``JSON.stringify``'s, byte for byte.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alloy_py._jsonutil import (
    FUNCTION_KEY,
    MAX_DEPTH,
    SYMBOL_KEY,
    UNSERIALIZABLE_KEY,
    SerializationError,
    js_number,
    read_marked,
    to_json,
)

ROOT = Path(__file__).resolve().parents[2]
NODE = "/usr/bin/node"
LOADER = (ROOT / "web" / "alloy-py.js").read_text()
READ_OPTIONS = LOADER[LOADER.index("  // BEGIN readOptions"):LOADER.index("  // END readOptions")]

pytestmark = pytest.mark.skipif(not Path(NODE).exists(), reason="node is not installed")


def _node(values_js: list[str]) -> list[dict[str, Any]]:
    """For each JS expression: JSON.stringify's text (or its error) and readOptions' result."""
    script = READ_OPTIONS + f"""
    var keys = {json.dumps([FUNCTION_KEY, SYMBOL_KEY, UNSERIALIZABLE_KEY])};
    var out = [{", ".join(f"(function () {{ var v = {v}; var r = {{}};"
                          f" try {{ r.js = JSON.stringify(v); r.js2 = JSON.stringify(v, null, 2); }}"
                          f" catch (e) {{ r.jsError = e.message; }}"
                          f" var o = readOptions(v, keys[0], keys[1], keys[2], {MAX_DEPTH});"
                          f" r.ok = o.ok; r.text = o.text; r.reason = o.reason; r.path = o.path; return r; }})()"
                          for v in values_js)}];
    process.stdout.write(JSON.stringify(out));
    """
    done = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def _ours(result: dict[str, Any]) -> str | None:
    value = read_marked(result["text"], lambda index: (lambda: None))
    return to_json(value) if value is not None or result["text"] == "null" else None


# ------------------------------------------------------------------ JS values as source
def _number_js(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return "-0" if x == 0 and math.copysign(1, x) < 0 else repr(x)


def _string_js(text: str) -> str:
    return "'" + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else c for c in text) + "'"


_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=8) | st.sampled_from(
    ["\ud800", "a\udfffb", "\ud83d\ude00", "\u2028", "\x00\x1f\"\\"]
)
_leaves = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(_number_js),
    st.integers(min_value=-(2**60), max_value=2**60).map(str),
    st.sampled_from(["9007199254740993", "1e21", "1e-7", "123456789012345680000", "5e-324", "1.7976931348623157e308"]),
    _text.map(_string_js),
    st.sampled_from([
        "true", "false", "null", "undefined", "function () {}", "Symbol('s')", "new Date(0)", "new Date(NaN)",
        "new Number(5)", "new Number(NaN)", "new Boolean(false)", "new String('b')", "/re/g", "new Map([[1, 2]])",
        "{toJSON: function (k) { return 'key:' + k; }}", "{toJSON: function () { return undefined; }}",
        "Object.create(null)", "[,1]",
    ]),
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    arrays = st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
    objects = st.lists(st.tuples(_text, children), max_size=4).map(
        lambda pairs: "{" + ", ".join(f"{_string_js(k)}: {v}" for k, v in pairs) + "}"
    )
    return arrays | objects


values = st.recursive(_leaves, _extend, max_leaves=20)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(values, min_size=20, max_size=40))
def test_read_then_written_is_json_stringify(batch: list[str]) -> None:
    for source, result in zip(batch, _node(batch), strict=True):
        assert result["ok"], (source, result)
        if result.get("js") is None:  # JSON.stringify(undefined | function | symbol) writes nothing
            assert result["text"] == "null" or _ours(result) in (None, "null"), source
            continue
        assert _ours(result) == result["js"], source
        assert to_json(read_marked(result["text"], lambda index: (lambda: None)), indent=2) == result["js2"], source


def test_what_json_stringify_cannot_write() -> None:
    cases = {
        "cycle": "(function () { var o = {a: [1]}; o.a.push(o); return {x: o}; })()",
        "bigint": "{n: [1, 10n]}",
        "getter": "Object.defineProperty({}, 'g', {enumerable: true, get: function () { throw new Error('no'); }})",
        "proxy": "{p: new Proxy({}, {ownKeys: function () { throw new Error('keys'); }})}",
        "deep": "(function () { var o = 1; for (var i = 0; i < 300; i++) o = [o]; return {d: o}; })()",
        "deep-ok": f"(function () {{ var o = 1; for (var i = 0; i < {MAX_DEPTH - 1}; i++) o = [o]; return o; }})()",
    }
    results = dict(zip(cases, _node(list(cases.values())), strict=True))
    for name in ("cycle", "bigint"):  # read, and refused only when written, with JSON.stringify's words
        assert results[name]["ok"]
        with pytest.raises(SerializationError) as refused:
            _ours(results[name])
        assert refused.value.message == results[name]["jsError"]
    assert results["getter"] == {**results["getter"], "ok": False, "reason": "throws", "path": ".g"}
    assert results["proxy"] == {**results["proxy"], "ok": False, "reason": "throws", "path": ".p"}
    assert results["deep"]["ok"] is False and results["deep"]["reason"] == "deep"
    assert results["deep"]["path"].startswith(".d[0][0]")
    assert _ours(results["deep-ok"]) == results["deep-ok"]["js"]


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(min_value=-(2**70), max_value=2**70))
@settings(max_examples=300, deadline=None)
def test_numbers_as_javascript_writes_them(number: float) -> None:
    text = js_number(number)
    assert json.loads(text) == pytest.approx(float(number), rel=1e-15) or float(number) == 0
    assert not text.endswith(".0") and "e+0" not in text and "e-0" not in text


def test_number_formats_checked_in_node() -> None:
    numbers = [0.0, -0.0, 1.0, 2.0**53, 2.0**53 + 2, 1e21, 1e20, 123456789012345680000.0, 1e-7, 1e-6,
               1.5e300, 5e-324, 1.7976931348623157e308, 0.1, -3.5, 2**64, -(2**70), 1234.5678, 100.0]
    expected = json.loads(subprocess.run(
        [NODE, "-e", f"process.stdout.write(JSON.stringify({json.dumps(numbers)}.map(x => JSON.stringify(x))))"],
        capture_output=True, text=True, check=True).stdout)
    assert [js_number(n) for n in numbers] == expected
