"""Small helpers over asyncio futures, for outcomes that several waiters share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["after", "constant", "copy_outcome", "resolved", "silence"]

T = TypeVar("T")


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

    return asyncio.ensure_future(wait())


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
