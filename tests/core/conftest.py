"""Core tests: the whole SDK under CPython, with the in-memory browser.

Edge answers here are the project's own, modelled on the Edge's documented
shapes (handles, state:store, identity:result, personalization:decisions).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from alloy_py.browser import HttpRequest, HttpResponse
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.instance import Instance, PageInstances

ORG_ID = "5BFE274A5F6980A50A495C08@AdobeOrg"
DATASTREAM_ID = "8a2f2e3c-0f4b-4c53-9a1a-6f1d2b7c9e10"
IDENTITY_COOKIE = "kndctr_5BFE274A5F6980A50A495C08_AdobeOrg_identity"
CLUSTER_COOKIE = "kndctr_5BFE274A5F6980A50A495C08_AdobeOrg_cluster"
# A kndctr identity cookie as the Edge writes it: protobuf field 1 = the ECID.
ECID = "12345678901234567890123456789012345678"
IDENTITY_COOKIE_VALUE = "CiYxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA=="


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run on a thread of its own: Playwright's sync API may own this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


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


def make_alloy(memory: MemoryBrowser, name: str = "alloy") -> Instance:
    return PageInstances(memory).instance(name)


def body(sent: Any) -> dict[str, Any]:
    return json.loads(sent.body)


async def configured(memory: MemoryBrowser, **options: Any) -> Instance:
    alloy = make_alloy(memory)
    await alloy("configure", {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, **options})
    return alloy
