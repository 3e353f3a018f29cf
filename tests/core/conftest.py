"""Core tests: the whole SDK under CPython, with the in-memory browser.

Edge answers here are the project's own, modelled on the Edge's documented
shapes (handles, state:store, identity:result, personalization:decisions).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from alloy_py_dev.samples import ECID, IDENTITY_COOKIE_VALUE

from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.components import Component
from alloy_py.instance import Instance, PageInstances

ORG_ID = "5BFE274A5F6980A50A495C08@AdobeOrg"
DATASTREAM_ID = "8a2f2e3c-0f4b-4c53-9a1a-6f1d2b7c9e10"
IDENTITY_COOKIE = "kndctr_5BFE274A5F6980A50A495C08_AdobeOrg_identity"
CLUSTER_COOKIE = "kndctr_5BFE274A5F6980A50A495C08_AdobeOrg_cluster"


@pytest.fixture(autouse=True)
def _outside_playwright_loop() -> Iterator[None]:
    """Run this test as if no event loop were running on the main thread.

    pytest-asyncio gives every ``async def test_…`` here a fresh loop of its own
    and closes it afterwards. Playwright's sync API (tests/browser, tests/emulator,
    tests/parity), which stays started for the whole session, marks *its* loop as
    the running one on the main thread between its calls (``wait_for_future`` in
    ``playwright/_impl/_greenlets.py``), and ``asyncio.Runner.run()`` refuses to
    start under a running loop. So a core test that runs after a browser test
    puts Playwright's mark aside, and puts it back before Playwright runs again
    (this fixture is set up before pytest-asyncio's runner and torn down after it).
    """
    playwright_loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(playwright_loop)


async def settle(limit: int = 10_000) -> None:
    """Return once the event loop is idle: no callback ready, no timer due.

    Every other task has then finished or waits on something that has not
    happened (a future, a later timer), however many awaits it took to get
    there. Fails after ``limit`` rounds instead of spinning forever.
    """
    loop = asyncio.get_running_loop()
    for _ in range(limit):
        await asyncio.sleep(0)
        # BaseEventLoop's queues (asyncio has no public "is idle"): _ready holds
        # the callbacks of the next round, _scheduled the timers, soonest first.
        ready = loop._ready  # type: ignore[attr-defined]
        scheduled = loop._scheduled  # type: ignore[attr-defined]
        if not ready and not (scheduled and scheduled[0].when() <= loop.time()):
            return
    raise AssertionError(f"the event loop was still busy after {limit} rounds")


def edge_body(*handles: dict[str, Any], **extra: Any) -> str:
    return json.dumps({"requestId": "test", "handle": list(handles), **extra})


IDENTITY_HANDLES = (
    {
        "type": "state:store",
        "payload": [
            {"key": IDENTITY_COOKIE, "value": IDENTITY_COOKIE_VALUE, "maxAge": 34128000, "attrs": {"SameSite": "None"}},
            {"key": CLUSTER_COOKIE, "value": "or2", "maxAge": 1800},
        ],
    },
    {"type": "identity:result", "payload": [{"id": ECID, "namespace": {"code": "ECID"}}]},
)


def identity_edge(*handles: dict[str, Any]) -> Callable[[HttpRequest], HttpResponse]:
    """An Edge that establishes identity and adds ``handles`` to every answer."""

    def answer(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, edge_body(*IDENTITY_HANDLES, *handles), {"x-adobe-edge": "OR2;9"})

    return answer


@pytest.fixture
def memory() -> MemoryBrowser:
    return MemoryBrowser(url="https://www.shop.example.com/products/shoes?color=red", referrer="https://search.example.org/")


def make_alloy(
    memory: MemoryBrowser, name: str = "alloy", components: Sequence[type[Component]] | None = None
) -> Instance:
    """A new page's instance ``name``; ``components``: instead of alloy's (``DEFAULT_COMPONENTS``)."""
    page = PageInstances(memory)
    return page.instance(name) if components is None else page.instance(name, components)


def body(sent: Any) -> dict[str, Any]:
    return json.loads(sent.body)


async def configured(memory: MemoryBrowser, **options: Any) -> Instance:
    alloy = make_alloy(memory)
    await alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, **options})
    return alloy
