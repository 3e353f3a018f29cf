"""Emulator fixtures; browser tests reuse tests/browser's Chromium settings.

``test_browser_*.py`` here drive headless Chromium (pytest-playwright's sync
API); they are marked ``browser``.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def emulator(dist_manifest: dict) -> Iterator[EdgeEmulator]:  # noqa: F811 - requests the fixture imported above
    """An emulator serving web/dist (and alloy.js at /vendor/alloy/) on 127.0.0.1:0."""
    mounts = {"/vendor/alloy/": ALLOY_REFERENCE_DIST} if ALLOY_REFERENCE_DIST.is_dir() else {}
    with EdgeEmulator(static_dir=DIST, mounts=mounts) as server:
        yield server


@pytest.fixture(scope="session")
def base_url() -> None:
    """Pages here are absolute URLs (the emulator's); no base URL."""
    return None
