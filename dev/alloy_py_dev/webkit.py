"""WebKit (Safari's engine) for tests and measurements: WebKitGTK's MiniBrowser through WebKitWebDriver.

Debian's ``webkit2gtk-driver`` (``make webkit``) gives ``/usr/bin/WebKitWebDriver``;
MiniBrowser has no headless mode, so :func:`webkit` runs it on its own Xvfb
display unless one is set. Selenium (the test extra) speaks WebDriver to it::

    with webkit() as driver:
        driver.get(url)
        wait_for(driver, "return window.done")

:func:`missing` says why WebKit cannot run here (for ``pytest.skip``), or None.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import time
import warnings
from collections.abc import Iterator
from typing import Any

__all__ = ["DRIVER", "display", "minibrowser", "missing", "wait_for", "webkit"]

DRIVER = "/usr/bin/WebKitWebDriver"


def minibrowser() -> str | None:
    found = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.*/MiniBrowser"))
    return found[-1] if found else None


def missing() -> str | None:
    if not os.access(DRIVER, os.X_OK):
        return f"{DRIVER} is missing (Debian webkit2gtk-driver: make webkit)"
    if minibrowser() is None:
        return "WebKitGTK's MiniBrowser is missing (Debian libwebkit2gtk-4.1-0)"
    if not os.environ.get("DISPLAY") and not shutil.which("Xvfb"):
        return "no DISPLAY and no Xvfb (Debian xvfb) for MiniBrowser"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@contextlib.contextmanager
def display() -> Iterator[str]:
    """$DISPLAY, or a fresh Xvfb display for as long as the block runs (one for many sessions)."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # Xvfb writes it once it accepts clients
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit code {xvfb.poll()})")
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


@contextlib.contextmanager
def webkit(*, script_timeout: float = 60, on: str | None = None, page_load: str = "normal") -> Iterator[Any]:
    """A Selenium WebDriver for a fresh MiniBrowser (no state kept between sessions).

    ``on``: an X display already running (:func:`display`), else one of its own;
    ``page_load``: WebDriver's page load strategy (``"eager"``: ``get`` returns at DOMContentLoaded).
    """
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service
    from selenium.webdriver.webkitgtk.webdriver import WebDriver

    reason = missing()
    if reason:
        raise RuntimeError(reason)
    options = Options()  # browserName MiniBrowser; webkitgtk:browserOptions from these two
    options.binary_location = minibrowser() or ""
    options.add_argument("--automation")
    options.page_load_strategy = page_load
    with contextlib.nullcontext(on) if on else display() as screen:
        service = Service(executable_path=DRIVER, env={**os.environ, "DISPLAY": screen})
        with warnings.catch_warnings():  # selenium 4.51's own webkitgtk driver trips its deprecation
            warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
            driver = WebDriver(options=options, service=service)
        try:
            driver.set_script_timeout(script_timeout)
            yield driver
        finally:
            driver.quit()


def wait_for(driver: Any, script: str, timeout: float = 60, poll: float = 0.05) -> Any:
    """Run ``script`` (a function body with ``return``) until its value is truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{script!r} still falsy after {timeout} s")
        time.sleep(poll)
