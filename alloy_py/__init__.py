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

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from . import errors
from .browser import Browser
from .commands import AlloyCommands
from .errors import AlloyError as AlloyError
from .errors import CommandError as CommandError
from .errors import ComponentError as ComponentError
from .errors import ConfigurationError as ConfigurationError
from .errors import DeclinedConsentError as DeclinedConsentError
from .errors import EdgeResponseError as EdgeResponseError
from .errors import ImageError as ImageError
from .errors import NetworkError as NetworkError
from .errors import PayloadTooLargeError as PayloadTooLargeError
from .errors import ValidationError as ValidationError
from .instance import Instance as Instance
from .instance import PageInstances
from .types import CommandResult, Json

# The error classes, as errors.py lists them (not its helpers).
__all__ = sorted(
    ["Instance", "__version__", "alloy", "create_instance", *(n for n in errors.__all__ if n.endswith("Error"))]
)


def create_instance(name: str = "alloy", browser: Browser | None = None) -> Instance:
    """The instance called ``name`` on the page of ``browser`` (the real page under Pyodide)."""
    if browser is None:
        from .browser.pyodide import page_browser

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

    Failures raise :class:`AlloyError` (or a subclass) with alloy's message.
    """
    return await create_instance("alloy").execute(command, options)


if TYPE_CHECKING:
    alloy: AlloyCommands
else:
    alloy = _default_instance
    alloy.__name__ = alloy.__qualname__ = "alloy"
