"""alloy-py: the Adobe Experience Platform Web SDK (alloy.js) in pure Python.

Runs in the page under Pyodide: the ``alloy-py.js`` script tag serves sites
that use alloy's base code, and Python programs (PyScript, Pyodide) call the
same commands directly::

    from alloy_py import alloy
    await alloy("configure", {"datastreamId": "…", "orgId": "…@AdobeOrg"})
    result = await alloy("sendEvent", {"xdm": {"eventType": "web.webpagedetails.pageViews"}})

Under CPython, pass a browser of your own (for example
:class:`alloy_py.browser.memory.MemoryBrowser`) to :func:`create_instance`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import Any

from .browser import Browser
from .errors import (
    AlloyError,
    CommandError,
    ComponentError,
    ConfigurationError,
    DeclinedConsentError,
    EdgeResponseError,
    NetworkError,
    PayloadTooLargeError,
    ValidationError,
)
from .instance import Instance, PageInstances

__all__ = [
    "AlloyError",
    "CommandError",
    "ComponentError",
    "ConfigurationError",
    "DeclinedConsentError",
    "EdgeResponseError",
    "Instance",
    "NetworkError",
    "PayloadTooLargeError",
    "ValidationError",
    "__version__",
    "alloy",
    "create_instance",
]

def create_instance(name: str = "alloy", browser: Browser | None = None) -> Instance:
    """The instance called ``name`` on the page of ``browser`` (the real page under Pyodide)."""
    if browser is None:
        from .browser.pyodide import page_browser

        browser = page_browser()
    return PageInstances.of(browser).instance(name)


async def alloy(command: str, options: Any = None) -> dict[str, Any]:
    """The default instance, as ``window.alloy``: ``await alloy("sendEvent", {...})``."""
    return await create_instance("alloy").execute(command, options)
