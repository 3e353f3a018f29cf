"""alloy-py: the Adobe Experience Platform Web SDK (alloy.js) in pure Python.

Runs in the page under Pyodide: the ``alloy-py.js`` script tag serves sites
that use alloy's base code, and Python programs (PyScript, Pyodide) call the
same commands directly::

    from alloy_py import alloy
    await alloy("configure", {"datastreamId": "…", "orgId": "…@AdobeOrg"})
    result = await alloy("sendEvent", {"xdm": {"eventType": "web.webpagedetails.pageViews"}})

Under CPython there is no page: pass a browser to :func:`create_instance`,
:class:`alloy_py.browser.cpython.CPythonBrowser` (the real Edge, one visitor)
or :class:`alloy_py.browser.memory.MemoryBrowser` (tests)::

    instance = create_instance("alloy", browser=CPythonBrowser(page_url="https://www.example.com/"))
    await instance.execute("configure", {...})
"""

from __future__ import annotations

import typing

from . import errors
from ._version import __version__ as __version__
from .browser import Browser
from .errors import AlloyError as AlloyError
from .errors import CommandError as CommandError
from .errors import ComponentError as ComponentError
from .errors import ConfigurationError as ConfigurationError
from .errors import DeclinedConsentError as DeclinedConsentError
from .errors import EdgeResponseError as EdgeResponseError
from .errors import ImageError as ImageError
from .errors import NetworkError as NetworkError
from .errors import NoPageError as NoPageError
from .errors import PageApiError as PageApiError
from .errors import PayloadTooLargeError as PayloadTooLargeError
from .errors import PushError as PushError
from .errors import ValidationError as ValidationError
from .instance import Instance as Instance
from .instance import PageInstances
from .types import CommandResult, Json

# The error classes, as errors.py lists them (not its helpers).
__all__ = sorted(
    ["Instance", "__version__", "alloy", "create_instance", *(n for n in errors.__all__ if n.endswith("Error"))]
)


_NO_PAGE = (
    "alloy-py has no browser page here (it is not running under Pyodide or PyScript). Give it a browser: "
    "alloy_py.create_instance(name, browser=CPythonBrowser(page_url=...)) from alloy_py.browser.cpython "
    "sends events to the Edge from CPython, and MemoryBrowser from alloy_py.browser.memory is for tests."
)


def create_instance(name: str = "alloy", browser: Browser | None = None) -> Instance:
    """The instance called ``name`` on the page of ``browser`` (the real page under Pyodide)."""
    if browser is None:
        try:
            from .browser.pyodide import page_browser
        except ModuleNotFoundError as missing:
            if missing.name not in ("js", "pyodide", "pyodide.ffi"):
                raise
            raise NoPageError(_NO_PAGE) from None
        browser = page_browser()
    return PageInstances.of(browser).instance(name)


async def _default_instance(command: str, options: Json = None) -> CommandResult:
    """The default instance, as ``window.alloy``: ``await alloy("sendEvent", {...})``.

    The commands (options and results are typed in :mod:`alloy_py.commands`):

    - ``configure``: ``datastreamId``, ``orgId`` and alloy's other options; resolves ``{}``.
    - ``sendEvent``: ``xdm``, ``data``, ``renderDecisions``, ``personalization``…;
      resolves ``{propositions, decisions}``.
    - ``applyPropositions``: ``propositions``, ``metadata``, ``viewName``; resolves ``{propositions}``.
    - ``applyResponse``: ``responseBody``, ``responseHeaders``, ``renderDecisions``;
      resolves ``{propositions, decisions}``.
    - ``getIdentity``: ``namespaces``; resolves ``{identity: {ECID}, edge: {regionId}}``.
    - ``appendIdentityToUrl``: ``url``; resolves ``{url}``.
    - ``setConsent``: ``consent``, ``identityMap``; resolves ``{}``.
    - ``setDebug``: ``enabled``; ``getLibraryInfo``; ``createEventMergeId``.

    Failures raise :class:`AlloyError` (or a subclass) with alloy's message. Only under
    Pyodide or PyScript; elsewhere it raises :class:`NoPageError`.
    """
    return await create_instance("alloy").execute(command, options)


if typing.TYPE_CHECKING:
    from .commands import AlloyCommands

    alloy: AlloyCommands
else:
    alloy = _default_instance
    alloy.__name__ = alloy.__qualname__ = "alloy"
