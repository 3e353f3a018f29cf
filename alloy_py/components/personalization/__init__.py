"""Personalization: decisions from the Edge, rendered into the page, reported back.

=====================  ===============================================================
module                 what it holds
=====================  ===============================================================
``component``          the component: its hooks, fetching decisions, view changes
``details``            what one ``sendEvent`` asks for, read once from its options
``surfaces``           ``web://`` surface names: the page's, and normalising the asked ones
``propositions``       a proposition's shape and scope type; rendering them or handing them back
``view_cache``         SPA views' propositions, kept for later view changes
``notifications``      display notifications (sent, or held for ``includeRenderedPropositions``)
=====================  ===============================================================

The DOM work itself is in :mod:`alloy_py.components.rendering`.
"""

from __future__ import annotations

from .component import Personalization
from .surfaces import page_surface

__all__ = ["Personalization", "page_surface"]
