"""The engine-neutral page checks: every test runs in each installed engine.

Fixtures:

``engine`` (parametrized: chromium, firefox, webkit)
    The engine's name; the test is skipped, with the reason, where the engine
    cannot run (its binary or driver missing: :func:`alloy_py_dev.engines.missing`).
``run``
    ``run(steps, timeout=120) -> PageRun`` in that engine (:mod:`alloy_py_dev.engines`):
    Chromium in a new context of pytest-playwright's ``browser`` (Debian's Chromium),
    Firefox in a new context of the session's ``firefox_driver.mjs``, WebKit in a
    fresh MiniBrowser (the page's console as ``CONSOLE_JS`` recorded it).
``site`` (session) / ``fresh_site``
    The project's Edge emulator (:class:`alloy_py_dev.emulator.EdgeEmulator`) serving
    ``web/dist`` too: pages configure ``edgeDomain: location.origin``, so what they
    send is recorded by the server (``site.requests``, ``site.served``), in any engine,
    with no browser routing. ``fresh_site``: the same, its record cleared for this test.
``add_page``
    ``add_page(path, html, **kwargs) -> url`` on ``fresh_site``, removed after the test.

Every test here gets the ``engines`` marker (``make engines``; ``-m engines``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alloy_py_dev.emulator import EdgeEmulator
from alloy_py_dev.engines import (
    CONSOLE_JS,
    CONSOLE_PATH,
    ENGINES,
    RUNNERS,
    PageRun,
    Step,
    missing,
    run_chromium,
)
from alloy_py_dev.repo import DIST, launch_options

from tests.browser.conftest import _check_dist

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.engines)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's ``browser``: Debian's Chromium, as tests/browser launch it."""
    options = launch_options()
    args = list(browser_type_launch_args.get("args", []))
    args += [a for a in options["args"] if a not in args]
    return {**browser_type_launch_args, "executable_path": options["executable_path"], "args": args}


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    reason = missing(name)
    if reason:
        pytest.skip(f"{name}: {reason}")
    return name


@pytest.fixture
def run(engine: str, request: pytest.FixtureRequest) -> Callable[..., PageRun]:
    if engine == "chromium":
        browser = request.getfixturevalue("browser")  # only where Chromium runs

        def in_chromium(steps: list[Step], timeout: float = 120) -> PageRun:
            return run_chromium(steps, timeout, browser=browser)
        return in_chromium
    runner = RUNNERS[engine]

    def in_engine(steps: list[Step], timeout: float = 120) -> PageRun:
        return runner(steps, timeout)
    return in_engine


@pytest.fixture(scope="session")
def dist_manifest() -> dict[str, Any]:
    """``web/dist/manifest.json``; fails, saying to run ``make web``, when web/dist is missing or stale."""
    manifest: dict[str, Any] = _check_dist()
    return manifest


@pytest.fixture(scope="session")
def site(dist_manifest: dict[str, Any]) -> Iterator[EdgeEmulator]:
    with EdgeEmulator(static_dir=DIST) as server:
        # Every engine asks for one: a 404 would be a console error in some.
        server.add_page("/favicon.ico", b"", content_type="image/x-icon")
        server.add_page(CONSOLE_PATH, CONSOLE_JS, content_type="text/javascript")
        yield server


@pytest.fixture
def fresh_site(site: EdgeEmulator) -> EdgeEmulator:
    site.clear()
    site.clear_served()
    return site


@pytest.fixture
def add_page(fresh_site: EdgeEmulator) -> Iterator[Callable[..., str]]:
    """``add_page(path, body, *, headers=None, content_type=None, status=200) -> url``, removed after the test."""
    added: list[str] = []

    def _add(path: str, body: str | bytes, **kwargs: Any) -> str:
        added.append(path)
        return fresh_site.add_page(path, body, **kwargs)

    yield _add
    for path in added:
        fresh_site.remove_page(path)


@pytest.fixture(scope="session", autouse=True)
def _close_drivers() -> Iterator[None]:
    yield
    from alloy_py_dev import engines

    engines.FIREFOX_DRIVER_PROCESS.close()
    engines.WEBKIT_DISPLAY.close()
