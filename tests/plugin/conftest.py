"""Tests of the pytest plugin (``alloy_py_dev.pytest_plugin``) against real pages.

The plugin's fixtures are imported here rather than loaded with ``pytest_plugins``
(only allowed in a top-level conftest) or ``-p``: so ``pytest tests`` and
``pytest tests/plugin`` both have them, whether or not the ``alloy_py`` entry
point is installed (a conftest's fixtures override the plugin's, the same functions).
``test_pytester.py`` checks the plugin loads by itself in a fresh pytest run.

``site`` (session) serves web/dist with alloy.js at ``/vendor/alloy/`` on its own
origin: the pages talk to the Edge domains, never to the emulator's address.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from alloy_py_dev.pytest_plugin import edge, edge_domains, edge_page  # noqa: F401 - the plugin's fixtures
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST, DIST
from alloy_py_dev.server import DevServer

from tests.browser.conftest import (  # noqa: F401 - fixtures re-exported
    browser_context_args,
    browser_type_launch_args,
    dist_manifest,
)


def pytest_configure(config: pytest.Config) -> None:
    # test_pytester.py: pytester is a plugin of pytest's own, off by default.
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture(scope="session")
def site(dist_manifest: dict) -> Iterator[DevServer]:  # noqa: F811 - requests the fixture imported above
    mounts = {"/vendor/alloy/": ALLOY_REFERENCE_DIST} if ALLOY_REFERENCE_DIST.is_dir() else {}
    with DevServer(DIST, mounts=mounts) as server:
        yield server


@pytest.fixture(scope="session")
def base_url() -> None:
    """Pages here are absolute URLs (the site's); no base URL."""
    return None
