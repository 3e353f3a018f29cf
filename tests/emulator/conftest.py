"""Emulator fixtures; browser tests reuse tests/browser's Chromium settings.

``test_browser_*.py`` here drive headless Chromium (pytest-playwright's sync
API). Once that has started, ``asyncio.run()`` in the main thread fails, so
those tests are marked ``browser`` and moved to the very end of the session,
after every other test (tests/browser's hook moves its own; this one runs
last and puts these after them).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from alloy_py_dev.emulator import EdgeEmulator
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST, DIST
from tests.browser.conftest import (  # noqa: F401 - fixtures re-exported
    browser_context_args,
    browser_type_launch_args,
    dist_manifest,
)

_HERE = Path(__file__).resolve().parent


def _is_browser_test(item: pytest.Item) -> bool:
    path = Path(item.path).resolve()
    return path.parent == _HERE and path.name.startswith("test_browser")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_items = [item for item in items if _is_browser_test(item)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if not _is_browser_test(item)] + browser_items


@pytest.fixture
def emulator(dist_manifest: dict) -> Iterator[EdgeEmulator]:
    """An emulator serving web/dist (and alloy.js at /vendor/alloy/) on 127.0.0.1:0."""
    mounts = {"/vendor/alloy/": ALLOY_REFERENCE_DIST} if ALLOY_REFERENCE_DIST.is_dir() else {}
    with EdgeEmulator(static_dir=DIST, mounts=mounts) as server:
        yield server


@pytest.fixture(scope="session")
def base_url() -> None:
    """Pages here are absolute URLs (the emulator's); no base URL."""
    return None
