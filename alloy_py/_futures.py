"""Small helpers over asyncio futures: the one way to start background work, and outcomes
that several waiters share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

__all__ = ["after", "constant", "copy_outcome", "resolved", "silence", "spawn"]

T = TypeVar("T")

# Work started and not yet ended: asyncio keeps only weak references to tasks, and one that
# nothing references may be collected mid-flight (its failure never reported).
_running: set[asyncio.Future[Any]] = set()


def spawn(work: Coroutine[Any, Any, T] | Awaitable[T], *, eager: bool = False) -> asyncio.Future[T]:
    """Start ``work`` and keep it referenced until it ends; every task alloy_py starts goes here.

    ``eager``: run it now, in the caller's task, up to its first real wait (Python 3.12's eager
    tasks; before that, queued): :func:`alloy_py.lifecycle.start_now` says why.
    """
    future: asyncio.Future[T]
    if eager and asyncio.iscoroutine(work):
        try:
            future = asyncio.Task(work, loop=asyncio.get_event_loop(), eager_start=True)  # type: ignore[call-arg,unused-ignore]
        except TypeError:
            future = asyncio.ensure_future(work)
    else:
        future = asyncio.ensure_future(work)
    if not future.done():
        _running.add(future)
        future.add_done_callback(_running.discard)
    return future


def resolved(value: T) -> asyncio.Future[T]:
    """A future that has ``value`` already."""
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def constant(value: T) -> Callable[[], T]:
    """``value`` for :func:`after`, bound now (a loop's variable would be read too late)."""
    return lambda: value


def after(futures: Sequence[asyncio.Future[Any]], value: Callable[[], T]) -> asyncio.Future[T]:
    """``value()`` once ``futures`` have settled; settled at once if they already are,
    so that a display notification can leave before the command resolves."""
    if all(future.done() for future in futures):
        return resolved(value())

    async def wait() -> T:
        for future in futures:
            await future
        return value()

    return spawn(wait())


def silence(future: asyncio.Future[Any]) -> None:
    """Mark a rejection as seen: nobody may be waiting when it rejects."""
    if not future.cancelled():
        future.exception()


def copy_outcome(source: asyncio.Future[None], target: asyncio.Future[None]) -> None:
    """Settle ``target`` as ``source`` settled (unless it already is)."""
    if target.done():
        return
    error = source.exception()
    if error is None:
        target.set_result(None)
    else:
        target.set_exception(error)
