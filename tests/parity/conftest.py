"""Parity fixtures: the browser tests' static server and Chromium launch settings."""
from tests.browser.conftest import (  # noqa: F401 - fixtures re-exported for tests/parity
    browser_context_args,
    browser_type_launch_args,
    dist_manifest,
    static_server,
)
