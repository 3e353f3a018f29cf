"""Browser-test fixtures: static server over web/dist, Debian Chromium, mock Edge.

Fixtures (besides pytest-playwright's ``browser``/``context``/``page``):

``static_server`` (session)
    :class:`alloy_py_dev.server.DevServer` over ``web/dist`` on
    127.0.0.1 (random port), with ``node_modules/@adobe/alloy/dist`` mounted at
    ``/vendor/alloy/`` (reference alloy.js for parity tests, when installed).
``base_url`` (session)
    Its origin, e.g. ``http://127.0.0.1:40123``, so ``page.goto("/x.html")`` works.
``add_page`` (function)
    ``add_page(path, html, *, headers=None, content_type=None) -> absolute URL``;
    the page is served from the same origin as web/dist and removed after the test.
``dist_manifest`` (session)
    ``web/dist/manifest.json`` as a dict (``wheel``, ``version``, ``pyodide``...).
``wheel_url`` (session)
    Absolute URL of the alloy_py wheel in web/dist.
``edge`` (function)
    :class:`tests.support.edge_mock.EdgeMock`: intercepts ``https://edge.adobedc.net/**`` and
    ``https://adobedc.demdex.net/**`` in the test's ``context``, records every
    request and answers it (see the class docstring; answers are
    :class:`tests.support.edge_mock.MockAnswer`).

Chromium: ``/usr/bin/chromium`` (Debian), overridable with ``ALLOY_PY_CHROMIUM``.
Every test in tests/browser gets the ``browser`` marker.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST, CHROMIUM, CHROMIUM_ARGS, DIST, ROOT
from alloy_py_dev.server import DevServer

from tests.support.edge_mock import EdgeMock

# --------------------------------------------------------------------------
# marker
# --------------------------------------------------------------------------
_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests/browser tests ``browser``; they run in collection order, among the others."""
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------
# web/dist + static server
# --------------------------------------------------------------------------
def _check_dist() -> dict:
    """Fail loudly (and say what to run) if web/dist is missing or stale."""
    hint = "run `make web` (builds web/dist from the repo)"
    manifest_path = DIST / "manifest.json"
    if not manifest_path.is_file():
        pytest.fail(f"{DIST} is not built: {hint}", pytrace=False)
    manifest = json.loads(manifest_path.read_text())
    wheel = DIST / manifest["wheel"]
    needed = [wheel, DIST / "pyodide" / "pyodide.mjs", DIST / "pyodide" / "pyodide.asm.wasm"]
    if (ROOT / "web" / "alloy-py.js").is_file():
        needed.append(DIST / "alloy-py.js")
    missing = [str(p.relative_to(ROOT)) for p in needed if not p.is_file()]
    if missing:
        pytest.fail(f"missing from web/dist: {', '.join(missing)}: {hint}", pytrace=False)
    built = manifest_path.stat().st_mtime
    sources = [ROOT / "pyproject.toml", ROOT / "web" / "alloy-py.js"]
    sources += list((ROOT / "alloy_py").rglob("*.py"))
    if (ROOT / "web" / "demo").is_dir():
        sources += [p for p in (ROOT / "web" / "demo").rglob("*") if p.is_file()]
    stale = [p for p in sources if p.is_file() and p.stat().st_mtime > built]
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale[:3])
        pytest.fail(f"web/dist is older than {names}: {hint}", pytrace=False)
    return manifest


@pytest.fixture(scope="session")
def dist_manifest() -> dict:
    return _check_dist()


@pytest.fixture(scope="session")
def static_server(dist_manifest: dict) -> Iterator[DevServer]:
    mounts = {}
    if ALLOY_REFERENCE_DIST.is_dir():
        mounts["/vendor/alloy/"] = ALLOY_REFERENCE_DIST
    with DevServer(DIST, mounts=mounts) as server:
        yield server


@pytest.fixture(scope="session")
def base_url(static_server: DevServer) -> str:
    return static_server.url


@pytest.fixture(scope="session")
def wheel_url(static_server: DevServer, dist_manifest: dict) -> str:
    return static_server.url_for(dist_manifest["wheel"])


@pytest.fixture
def add_page(static_server: DevServer) -> Iterator[Callable[..., str]]:
    """``add_page(path, html, *, headers=None, content_type=None, status=200) -> url``."""
    added: list[str] = []

    def _add(path: str, body: str | bytes, **kwargs: Any) -> str:
        url = static_server.add_page(path, body, **kwargs)
        added.append(path)
        return url

    yield _add
    for path in added:
        static_server.remove_page(path)


# --------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: run `make setup` (apt-get install chromium) "
            "or set ALLOY_PY_CHROMIUM",
            pytrace=False,
        )
    args = list(browser_type_launch_args.get("args", []))
    args += [a for a in CHROMIUM_ARGS if a not in args]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # Service workers would hide requests from context.route (playwright#1090).
    return {**browser_context_args, "service_workers": "block"}


# --------------------------------------------------------------------------
# mock Edge
# --------------------------------------------------------------------------
@pytest.fixture
def edge(context: Any, base_url: str) -> Iterator[EdgeMock]:
    """Mock Adobe Edge for this test's browser context (see :class:`EdgeMock`)."""
    mock = EdgeMock(context, base_url)
    yield mock
    if mock.errors:
        raise mock.errors[0]
