"""What ``alloy-py.js`` calls: run a command and settle a JS Promise with its outcome.

Converts options from JS (functions stay callable, ``undefined`` keys are
dropped as ``JSON.stringify`` would) and results back to plain JS objects.
A Python exception never crosses as a ``PythonError``: every failure becomes
a rejected Promise with alloy's message.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Callable
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import JsProxy, create_proxy, jsnull, to_js  # type: ignore[import-not-found]

from .. import create_instance, startup
from .._jsonutil import FUNCTION_KEY, MAX_DEPTH, NULL, SYMBOL_KEY, UNSERIALIZABLE_KEY, js_number, read_marked
from ..errors import AlloyError, format_message
from ..instance import Instance, PageInstances
from ..lifecycle import start_now
from ..startup import CallFacts, collect_recorded_click, recorded_page, replay_stored, run_recorded
from .pyodide import page_browser

__all__ = ["click", "execute", "from_js", "leaving", "live_functions", "start", "to_page"]


class JsFunction:
    """A JS callback (``onBeforeEventSend``…): dict arguments it edits come back edited."""

    def __init__(self, function: JsProxy) -> None:
        self._function = function
        self.__name__ = str(getattr(function, "name", "") or "callback")

    @property
    def js_source(self) -> str:
        """``String(fn)``: its source, as ``getLibraryInfo`` shows functions."""
        return str(self._function)

    def __deepcopy__(self, memo: dict[int, Any]) -> JsFunction:
        return self  # a function is shared, never copied (and a JsProxy cannot be)

    def __call__(self, *args: Any) -> Any:
        js_args = [_to_js(arg) for arg in args]
        result = self._function(*js_args)
        for arg, js_arg in zip(args, js_args, strict=True):
            if isinstance(arg, dict):
                arg.clear()
                arg.update(from_js(js_arg))
        return from_js(result)


# The loader's ``readOptions`` (web/alloy-py.js) does the reading: JSON.stringify
# itself (toJSON, Date, boxed primitives, undefined, NaN, cycles and BigInt
# exactly as alloy.js's own requests see them), its replacer keeping functions
# (callbacks) and symbols (for validators to name) as marker objects; when
# reading throws, an iterative walk finds where.
class UnreadableOptions(AlloyError):
    """The page's options could not be read as JSON.stringify reads them."""


def from_js(value: Any, what: str = "options") -> Any:
    """A JS value as plain Python data, read as ``JSON.stringify`` reads it.

    Functions stay callable (:class:`JsFunction`), symbols become
    :class:`~alloy_py._jsonutil.Omitted`; raises :class:`UnreadableOptions`
    (naming the path) for what JSON.stringify cannot read.
    """
    if value is None or value is jsnull:
        return None
    if not isinstance(value, JsProxy):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    if value.typeof == "function":
        return JsFunction(value)
    result = _reader()(value, FUNCTION_KEY, SYMBOL_KEY, UNSERIALIZABLE_KEY, MAX_DEPTH)
    if not result.ok:
        raise UnreadableOptions(_unreadable_message(what, result))
    functions = result.functions
    return read_marked(str(result.text), lambda index: JsFunction(functions[index]))


def _unreadable_message(what: str, result: Any) -> str:
    reason = str(result.reason)
    path = str(result.path or "")
    where = f" at '{path.lstrip('.')}'" if path else ""
    if reason == "large":  # (where it stopped says nothing useful)
        return f"The {what} hold more values than alloy-py reads (20000); pass plain data, not a page object."
    if reason == "deep":
        return f"The {what} are nested deeper than {MAX_DEPTH} levels{where}; alloy-py cannot read them."
    thrown = str(getattr(result, "message", "") or "")
    return f"The {what} could not be read{where}: {thrown or 'reading the value threw'}"


_read: Any = None


def _reader() -> Any:
    return _read if _read is not None else _plain_reader


def _plain_reader(value: Any, *_: Any) -> Any:
    """Without the loader's ``readOptions`` (a bare Pyodide calling the bridge): plain
    ``JSON.stringify``, so callbacks are left out."""
    try:
        text = js.JSON.stringify(value)
    except Exception as error:
        return _Read(ok=False, reason="throws", path="", message=format_message(error))
    return _Read(ok=True, text="null" if text is None else str(text), functions=[])


class _Read:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def _to_js(value: Any) -> Any:
    return to_js(value, dict_converter=js.Object.fromEntries, default_converter=_convert_other)


def to_page(value: Any) -> Any:
    """Python data as plain JS objects for the page (monitors' payloads): Python callables become
    JS functions, an instance becomes alloy's instance function, errors become ``Error`` objects."""
    return _to_js(value)


def _convert_other(value: Any, convert: Any, cache: Any) -> Any:
    if isinstance(value, JsFunction):
        return value._function
    if isinstance(value, Instance):
        return _page_functions().function(_instance_function(value.name), raw=True)
    if isinstance(value, AlloyError):
        return _js_error(value)
    if isinstance(value, BaseException):
        return js.Error.new(_plain(value))
    if isinstance(value, asyncio.Future):
        return _promise(value)
    if callable(value):
        return _page_functions().function(value)
    return None


def _promise(future: asyncio.Future[Any]) -> Any:
    """A JS Promise settled as ``future`` is (what a page function returns for work still under way)."""

    def executor(resolve: Any, reject: Any) -> None:
        def settled(done: asyncio.Future[Any]) -> None:
            try:
                resolve(_to_js(done.result()))
            except AlloyError as error:
                reject(_js_error(error))
            except BaseException as error:
                reject(_js_error(AlloyError(_plain(error))))

        future.add_done_callback(settled)

    return js.Promise.new(executor)


class PageFunctions:
    """Python callables handed to the page as JS functions: two proxies for the page's life (the
    dispatcher and the registry's callback), none per function.

    Each JS function is ``Function.prototype.call.bind(dispatch, null, id)`` (no PyProxy, no
    ``eval``); a ``FinalizationRegistry`` forgets the Python side once the page has let go of it.
    Arguments come in as :func:`from_js` reads them (DOM nodes stay nodes), results go back as plain
    JS objects. A failure returns ``undefined`` and is written to the console: Pyodide can only
    throw a ``PythonError``, whose message is a Python traceback.
    """

    def __init__(self) -> None:
        self._functions: dict[int, tuple[Callable[..., Any], bool]] = {}
        self._ids = itertools.count()
        self._dispatch = create_proxy(self._call)  # both live as long as the page
        self._registry = js.FinalizationRegistry.new(create_proxy(self._functions_pop))

    def __len__(self) -> int:
        return len(self._functions)

    def function(self, python: Callable[..., Any], *, raw: bool = False) -> Any:
        """A JS function calling ``python``; ``raw``: with the JS arguments as they are."""
        key = next(self._ids)
        self._functions[key] = (python, raw)
        function = js.Function.prototype.call.bind(self._dispatch, jsnull, key)
        self._registry.register(function, key)
        return function

    def _functions_pop(self, key: int) -> None:
        self._functions.pop(key, None)

    def _call(self, key: int, *args: Any) -> Any:
        python, raw = self._functions.get(key, (None, False))
        if python is None:
            return None
        name = getattr(python, "__name__", "function")
        try:
            return _to_js(python(*(args if raw else [_from_page(arg) for arg in args])))
        except Exception as error:
            js.console.error(f"alloy-py: {name} failed: {_plain(error)}")
            return None


def _from_page(value: Any) -> Any:
    if isinstance(value, JsProxy) and js.Node.prototype.isPrototypeOf(value):
        return value
    return from_js(value, "arguments")


def _instance_function(name: str) -> Callable[[Any], None]:
    """alloy's ``createInstanceFunction``: called with a queue entry ``[resolve, reject, [command, options]]``."""

    def instance(call: Any) -> None:
        args = call[2] if call is not None and call.length > 2 and call[2] is not None else []
        command = args[0] if len(args) > 0 else None
        options = args[1] if len(args) > 1 else None
        execute(name, command, options).then(call[0], call[1])

    return instance


_functions: PageFunctions | None = None


def _page_functions() -> PageFunctions:
    global _functions
    if _functions is None:
        _functions = PageFunctions()
    return _functions


def live_functions() -> int:
    """How many Python callables the page still holds as functions (tests check nothing leaks)."""
    return 0 if _functions is None else len(_functions)


def _js_error(error: AlloyError) -> Any:
    js_error = js.Error.new(error.message)
    if error.code:
        js_error.code = error.code
    return js_error


def start(page_id: str, reader: Any = None, names: Any = None) -> None:
    """The loader's id for this page load (its own durable-queue records are never
    replayed here), its ``readOptions`` function, and the names of alloy's base code
    (``window.__alloyNS``): their instances are created now, as alloy.js creates them on load."""
    global _page_id, _read
    _page_id = str(page_id)
    if reader is not None:
        _read = reader
    for name in [] if names is None else list(names):
        if isinstance(name, str):
            create_instance(name, page_browser())


def execute(name: str, command: Any = None, options: Any = None, facts: Any = None) -> Any:
    """``window[name](command, options)``: returns a JS Promise, never raises.

    ``facts``: the loader's record of a call made before Python ran (see :mod:`alloy_py.startup`).
    Each call is read and run on its own: one that cannot be read rejects alone.
    """
    name = str(name)
    try:
        command_name = _command_name(command)
        python_options = NULL if options is jsnull else from_js(options, f"{command_name} options")
    except AlloyError as error:
        return _rejected(AlloyError(f"[{name}] {error.message}"))
    except BaseException as error:  # a bug of ours: still a readable rejection, without Python's names
        return _rejected(AlloyError(f"[{name}] {_plain(error)}"))
    try:
        call = _call_facts(facts)
    except BaseException:
        call = None  # the loader's record is ours: without it the call runs as if made now
    instance = create_instance(name, page_browser())

    def executor(resolve: Any, reject: Any) -> None:
        async def run() -> None:
            try:
                if call is None:
                    result = await instance.execute(command_name, python_options)
                else:
                    result = await run_recorded(instance, command_name, python_options, call)
                converted = _to_js(result)
            except AlloyError as error:
                reject(_js_error(error))
            except BaseException as error:  # a bug of ours: still a readable rejection
                reject(_js_error(AlloyError(f"[{name}] {_plain(error)}")))
            else:
                resolve(converted)

        start_now(run())
        if command_name == "configure" and instance.configuring and isinstance(python_options, dict):
            try:
                replay_stored(instance, python_options, _page_id)
            except Exception as error:  # an earlier page's leftovers never fail this page's configure
                instance.logger.warn("Could not replay the commands queued on an earlier page.", _plain(error))

    return js.Promise.new(executor)


def _command_name(command: Any) -> str:
    """The command as alloy.js writes it into its messages (`${commandName}`)."""
    if command is None:
        return "undefined"
    if command is jsnull:
        return "null"
    if isinstance(command, bool):
        return "true" if command else "false"
    if isinstance(command, (int, float)):
        return (
            js_number(command)
            if math.isfinite(command)
            else ("NaN" if command != command else ("Infinity" if command > 0 else "-Infinity"))
        )
    if isinstance(command, str):
        return command
    try:
        return str(js.String(command))
    except Exception:
        return "[object Object]"  # a symbol, or an object whose toString throws


def _plain(error: BaseException) -> str:
    """A short text for an unexpected error: no traceback, no Python class names."""
    return format_message(error)


def _rejected(error: AlloyError) -> Any:
    def executor(resolve: Any, reject: Any) -> None:
        reject(_js_error(error))

    return js.Promise.new(executor)


def click(recorded: Any) -> None:
    """A click the loader recorded before Python ran, for every instance already called."""
    try:  # never throws into the loader, which delivers the next recorded call right after
        record = from_js(recorded)
        call = _call_facts(recorded.facts)
    except Exception:
        return
    if call is None or not isinstance(record, dict):
        return
    for instance in list(PageInstances.of(page_browser()).instances.values()):
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
