"""What alloy reads from the user agent (``injectGetBrowser.js``).

Below the components: identity, push notifications, the rules engine and advertising all ask.
"""

from __future__ import annotations

import re

__all__ = ["browser_name", "browser_supports_third_party_cookies"]

_BROWSERS = [
    ("Edge", re.compile(r"Edge/([0-9._]+)")),
    ("EdgeChromium", re.compile(r"Edg/([0-9.]+)")),
    ("Chrome", re.compile(r"(?!Chrom.*OPR)Chrom(?:e|ium)/([0-9.]+)(:?\s|$)")),
    ("Firefox", re.compile(r"Firefox/([0-9.]+)(?:\s|$)")),
    ("IE", re.compile(r"Trident/7\.0.*rv:([0-9.]+).*\).*Gecko$")),
    ("Safari", re.compile(r"Version/([0-9._]+).*Safari")),
]
_THIRD_PARTY_COOKIE_BROWSERS = {"Chrome", "Edge", "EdgeChromium", "IE", "Unknown"}


def browser_name(user_agent: str) -> str:
    """alloy's ``getBrowser()`` (``injectGetBrowser.js``): ``Chrome``, ``Firefox``, ``Safari``… or ``Unknown``."""
    return next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "Unknown")


def browser_supports_third_party_cookies(user_agent: str) -> bool:
    """alloy's best guess from the user agent."""
    return browser_name(user_agent) in _THIRD_PARTY_COOKIE_BROWSERS
