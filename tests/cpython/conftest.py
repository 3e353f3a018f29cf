"""CPython programs' tests: ``CPythonBrowser`` against the Edge emulator over real HTTP."""

from tests.core.conftest import _outside_playwright_loop as _outside_playwright_loop
