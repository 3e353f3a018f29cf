"""What the Edge answered: handles by type, and the region it came from.

Port of ``core/injectCreateResponse.js``, ``edgeNetwork/injectExtractEdgeInfo.js``
and ``edgeNetwork/injectProcessWarningsAndErrors.js``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._jsonutil import to_json
from ..errors import EdgeResponseError

__all__ = ["EdgeResponse", "check_status", "parse_body"]

_PREFIX = "The server responded with a"


@dataclass
class EdgeResponse:
    content: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def payloads(self, handle_type: str) -> list[Any]:
        """All payloads of the handles of ``handle_type``, flattened (``eventIndex`` ignored)."""
        result: list[Any] = []
        for fragment in self.content.get("handle") or []:
            if isinstance(fragment, dict) and fragment.get("type") == handle_type:
                payload = fragment.get("payload")
                result.extend(payload if isinstance(payload, list) else [payload])
        return result

    def edge_info(self, warn: Callable[[str], None]) -> dict[str, int]:
        header = self.headers.get("x-adobe-edge")
        if not header:
            return {}
        parts = header.split(";")
        if len(parts) >= 2 and parts[1]:
            digits = parts[1].strip()
            sign = "-" if digits.startswith("-") else ""
            digits = digits.lstrip("+-")
            number = ""
            for char in digits:
                if not char.isdigit():
                    break
                number += char
            if number:
                return {"regionId": int(sign + number)}
        warn(f'Invalid adobe edge: "{header}"')
        return {}


def parse_body(body: str) -> Any:
    """``JSON.parse`` or ``None``: a non-JSON body is judged by :func:`check_status`."""
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def check_status(status: int, body: str, parsed: Any, log: Callable[..., None]) -> None:
    """Raise alloy's error for a failed status or a body without ``handle``; log the rest."""
    if (
        status < 200
        or status >= 300
        or (not parsed and status != 204)
        or (parsed and not isinstance(parsed.get("handle") if isinstance(parsed, dict) else None, list))
    ):
        shown = to_json(parsed, indent=2) if parsed else body
        suffix = f"response body:\n{shown}" if shown else "no response body."
        raise EdgeResponseError(f"{_PREFIX} status code {status} and {suffix}", status, body)
    if isinstance(parsed, dict):
        for warning in parsed.get("warnings") or []:
            log("warn", f"{_PREFIX} warning:", warning)
        for error in parsed.get("errors") or []:
            log("error", f"{_PREFIX} non-fatal error:", error)
