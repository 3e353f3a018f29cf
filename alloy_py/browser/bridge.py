"""What ``alloy-py.js`` calls: run a command and settle a JS Promise with its outcome.

Converts options from JS (functions stay callable, ``undefined`` keys are
dropped as ``JSON.stringify`` would) and results back to plain JS objects.
A Python exception never crosses as a ``PythonError``: every failure becomes
a rejected Promise with alloy's message.
"""

from __future__ import annotations

from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsProxy, jsnull, to_js  # type: ignore[import-not-found]

from .. import create_instance
from ..errors import AlloyError
from ..instance import Page
from ..lifecycle import start_now
from .. import startup
from ..startup import CallFacts, collect_recorded_click, recorded_page, replay_stored, run_recorded
from .pyodide import page_browser

__all__ = ["click", "execute", "from_js", "leaving", "start"]


class JsFunction:
    """A JS callback (``onBeforeEventSend``…): dict arguments it edits come back edited."""

    def __init__(self, function: JsProxy) -> None:
        self._function = function
        self.__name__ = str(getattr(function, "name", "") or "callback")

    def __deepcopy__(self, memo: dict[int, Any]) -> JsFunction:
        return self  # a function is shared, never copied (and a JsProxy cannot be)

    def __call__(self, *args: Any) -> Any:
        js_args = [_to_js(arg) for arg in args]
        result = self._function(*js_args)
        for arg, js_arg in zip(args, js_args):
            if isinstance(arg, dict):
                arg.clear()
                arg.update(from_js(js_arg))
        return from_js(result)


def from_js(value: Any) -> Any:
    """A JS value as plain Python data."""
    if value is jsnull:
        return None
    if not isinstance(value, JsProxy):
        return value
    if value.typeof == "function":
        return JsFunction(value)
    if js.Array.isArray(value):
        return [from_js(item) for item in value]
    if value.typeof == "object":
        result: dict[str, Any] = {}
        for key in js.Object.keys(value):
            item = js.Reflect.get(value, key)
            if item is None:  # undefined
                continue
            result[str(key)] = from_js(item)
        return result
    return str(value)


def _to_js(value: Any) -> Any:
    return to_js(value, dict_converter=js.Object.fromEntries, default_converter=_convert_other)


def _convert_other(value: Any, convert: Any, cache: Any) -> Any:
    if isinstance(value, JsFunction):
        return value._function
    return None


def _js_error(error: AlloyError) -> Any:
    js_error = js.Error.new(error.message)
    if error.code:
        js_error.code = error.code
    return js_error


def start(page_id: str) -> None:
    """The loader's id for this page load: its own durable-queue records are never replayed here."""
    global _page_id
    _page_id = str(page_id)


def execute(name: str, command: str, options: Any = None, facts: Any = None) -> Any:
    """``window[name](command, options)``: returns a JS Promise.

    ``facts``: the loader's record of a call made before Python ran (see :mod:`alloy_py.startup`).
    """
    python_options = from_js(options)  # read at call time, as alloy.js does
    call = _call_facts(facts)
    instance = create_instance(name, page_browser())

    def executor(resolve: Any, reject: Any) -> None:
        async def run() -> None:
            try:
                if call is None:
                    result = await instance.execute(str(command), python_options)
                else:
                    result = await run_recorded(instance, str(command), python_options, call)
            except AlloyError as error:
                reject(_js_error(error))
            except BaseException as error:  # a bug of ours: still a readable rejection
                reject(_js_error(AlloyError(f"[{name}] alloy-py failed: {type(error).__name__}: {error}")))
            else:
                resolve(_to_js(result))

        start_now(run())
        if command == "configure" and instance.configuring and isinstance(python_options, dict):
            replay_stored(instance, python_options, _page_id)

    return js.Promise.new(executor)


def click(recorded: Any) -> None:
    """A click the loader recorded before Python ran, for every instance already called."""
    record = from_js(recorded)
    call = _call_facts(recorded.facts)
    if call is None or not isinstance(record, dict):
        return
    for instance in list(Page.of(page_browser()).instances.values()):
        start_now(collect_recorded_click(instance, record, call))


def leaving() -> Any:
    """``pagehide`` after Python started: the recorded calls not yet sent, for the loader to keep."""
    return to_js(startup.leaving())


def _call_facts(facts: Any) -> CallFacts | None:
    record = from_js(facts)
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        return None
    time_ms = record.get("time")
    return CallFacts(
        id=record["id"],
        time_ms=int(time_ms) if isinstance(time_ms, (int, float)) else page_browser().now_ms(),
        page=recorded_page(record.get("page"), page_browser().page()),
        stored_in=record.get("storedIn") if isinstance(record.get("storedIn"), str) else None,
        hid_containers=bool(record.get("hid")),
    )


_page_id = ""
