"""The page's prehiding, shared by the personalization component and the loader's recorded calls.

One page, one ``prehidingStyle`` element (alloy's, the loader's or Adobe's prehiding snippet's),
and a redirect offer that keeps it until the page is gone, as in alloy.js. Here, below the
components, so that :mod:`alloy_py.startup` can show the page again without importing them.
"""

from __future__ import annotations

import weakref

from .browser import Browser

__all__ = ["PREHIDING_ID", "redirecting", "set_redirecting", "show_containers"]

PREHIDING_ID = "alloy-prehiding"

# The pages leaving for a redirect offer: their prehiding style stays until they are gone, as in alloy.js.
_REDIRECTING: weakref.WeakSet[Browser] = weakref.WeakSet()


def redirecting(browser: Browser) -> bool:
    """A redirect offer is taking this page away (its display notification or the navigation is under way)."""
    return browser in _REDIRECTING


def set_redirecting(browser: Browser, underway: bool) -> None:
    if underway:
        _REDIRECTING.add(browser)
    else:
        _REDIRECTING.discard(browser)


def show_containers(browser: Browser) -> None:
    """Remove the ``prehidingStyle`` (alloy's, the loader's or Adobe's prehiding snippet's)."""
    node = browser.element_by_id(PREHIDING_ID)
    if node is not None:
        browser.remove(node)
