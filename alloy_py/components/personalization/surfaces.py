"""Surfaces: the ``web://host/path#fragment`` names decisions are asked for.

Port of ``Personalization/utils/surfaceUtils.js``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

__all__ = ["normalize_surfaces", "page_surface"]

# Compiled on first use: the wide Unicode ranges cost ~40 ms at import under Pyodide.
_SURFACE = r"^(\w+)://([^/#]+)(/[^#]*)?(#.*)?$"
_AUTHORITY = r"^(?:.*@)?(?:[a-z\d\u00a1-\uffff.-]+|\[[a-f\d:]+\])(?::\d+)?$"
_PATH = r"^/(?:[/\w\u00a1-\uffff\-.~]|%[a-fA-F\d]{2})*$"
_FRAGMENT = r"^#(?:[/\w\u00a1-\uffff\-.~]|%[a-fA-F\d]{2})+$"


def _normalize_path(path: str) -> str:
    return path.rstrip("/") or "/"


def page_surface(href: str) -> str:
    """``web://host/path`` of the page, without a trailing slash."""
    parts = urlsplit(href)
    return f"web://{parts.netloc.lower()}{_normalize_path(parts.path or '/')}"


def normalize_surfaces(surfaces: Iterable[object], href: str, warn: Callable[[str], None]) -> list[str]:
    """The valid surfaces, normalised; each invalid one is warned about and left out.

    ``"#hero"`` on ``https://Shop.example/cart/`` gives ``web://shop.example/cart#hero``;
    ``"webapp://App.example/"`` gives ``webapp://app.example/``; ``"ftp://x/"`` is unsupported.
    """
    result = []
    for surface in surfaces:
        if not isinstance(surface, str) or not surface:
            warn(f"Invalid surface: {surface}")
            continue
        expanded = page_surface(href) + surface if surface.startswith("#") else surface
        match = re.match(_SURFACE, expanded)
        if not match:
            warn(f"Invalid surface: {surface}")
            continue
        surface_type = match.group(1).lower()
        authority = (match.group(2) or "").lower()
        path = _normalize_path(match.group(3)) if match.group(3) else "/"
        fragment = match.group(4)
        if surface_type not in ("web", "webapp"):
            warn(f"Unsupported surface type {surface_type} in surface: {surface}")
        elif not authority or not re.match(_AUTHORITY, authority):
            warn(f"Invalid authority {authority} in surface: {surface}")
        elif path and not re.match(_PATH, path):
            warn(f"Invalid path {path} in surface: {surface}")
        elif fragment and not re.match(_FRAGMENT, fragment):
            warn(f"Invalid fragment {fragment} in surface: {surface}")
        else:
            result.append(f"{surface_type}://{authority}{path}{fragment or ''}")
    return result
