"""The test harness itself: settle() waits for the loop to go idle, and no longer."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import settle


async def test_settle_waits_for_chains_of_any_length() -> None:
    done: list[int] = []

    async def chain(n: int) -> None:
        for _ in range(n):
            await asyncio.sleep(0)
        done.append(n)

    tasks = [asyncio.ensure_future(chain(n)) for n in (0, 7, 300)]
    await settle()
    assert sorted(done) == [0, 7, 300]
    assert all(task.done() for task in tasks)


async def test_settle_returns_while_a_task_waits_on_what_never_happens() -> None:
    waiting = asyncio.ensure_future(asyncio.get_running_loop().create_future())
    slow = asyncio.ensure_future(asyncio.sleep(3600))
    await settle()
    assert not waiting.done() and not slow.done()
    waiting.cancel()
    slow.cancel()


async def test_settle_gives_up_on_a_loop_that_never_goes_idle() -> None:
    async def spin() -> None:
        while True:
            await asyncio.sleep(0)

    spinner = asyncio.ensure_future(spin())
    with pytest.raises(AssertionError, match="still busy after 50 rounds"):
        await settle(limit=50)
    spinner.cancel()
