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
from ..lifecycle import start_now
from .pyodide import page_browser

__all__ = ["execute", "from_js"]


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


def execute(name: str, command: str, options: Any = None) -> Any:
    """``window[name](command, options)``: returns a JS Promise."""
    python_options = from_js(options)  # read at call time, as alloy.js does

    def executor(resolve: Any, reject: Any) -> None:
        async def run() -> None:
            try:
                result = await create_instance(name, page_browser()).execute(str(command), python_options)
            except AlloyError as error:
                reject(_js_error(error))
            except BaseException as error:  # a bug of ours: still a readable rejection
                reject(_js_error(AlloyError(f"[{name}] alloy-py failed: {type(error).__name__}: {error}")))
            else:
                resolve(_to_js(result))

        start_now(run())

    return js.Promise.new(executor)
