"""What the Edge answered: handles by type, and the region it came from.

Port of ``core/injectCreateResponse.js``, ``edgeNetwork/injectExtractEdgeInfo.js``
and ``edgeNetwork/injectProcessWarningsAndErrors.js``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._jsonutil import MAX_DEPTH, parse_json, to_json
from ..errors import EdgeResponseError

__all__ = [
    "MAX_BODY_CHARS", "MAX_SHOWN_CHARS", "EdgeResponse", "TooDeep", "check_status", "js_string", "parse_body",
    "too_deep_error",
]

_PREFIX = "The server responded with a"
MAX_BODY_CHARS = 8 * 1024 * 1024
"""The largest answer read (the Edge's are a few KB): a larger one rejects its command."""
MAX_SHOWN_CHARS = 10_000
"""How much of a failed answer's body an error message quotes."""


class TooDeep(ValueError):
    """An answer nested deeper than :data:`MAX_DEPTH` or larger than :data:`MAX_BODY_CHARS`."""


def js_string(value: Any) -> str:
    """``String(value)`` of a JSON value, as alloy.js turns handle fields into text."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return to_json(value) if not isinstance(value, float) or math.isfinite(value) else "NaN"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    return "[object Object]"


@dataclass
class EdgeResponse:
    content: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def payloads(self, handle_type: str) -> list[Any]:
        """All payloads of the handles of ``handle_type``, flattened (``eventIndex`` ignored)."""
        result: list[Any] = []
        handles = self.content.get("handle")
        for fragment in handles if isinstance(handles, list) else []:
            if isinstance(fragment, dict) and fragment.get("type") == handle_type:
                payload = fragment.get("payload")
                result.extend(payload if isinstance(payload, list) else [payload])
        return result

    def edge_info(self, warn: Callable[[str], None]) -> dict[str, int]:
        header = self.headers.get("x-adobe-edge")
        if not header or not isinstance(header, str):
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
    """``JSON.parse`` or ``None``: a non-JSON body is judged by :func:`check_status`.

    Raises :class:`TooDeep` for an answer too large or too deeply nested to read
    safely (Python's parser recurses; under Pyodide a stack overflow ends the runtime).
    """
    if not body:
        return None
    if len(body) > MAX_BODY_CHARS:
        raise TooDeep(f"a body of {len(body)} characters, over alloy-py's limit of {MAX_BODY_CHARS}")
    try:
        return parse_json(body)
    except TooDeep:
        raise
    except RecursionError:
        raise TooDeep(f"a body nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:
        if "nested deeper" in str(error):
            raise TooDeep(f"a body {error}") from None
        return None


def too_deep_error(status: int, body: str, reason: TooDeep) -> EdgeResponseError:
    return EdgeResponseError(
        f"{_PREFIX} status code {status} and {reason}, which alloy-py does not read.", status, body
    )


def check_status(status: int, body: str, parsed: Any, log: Callable[..., None]) -> None:
    """Raise alloy's error for a failed status or a body without ``handle``; log the rest."""
    if (
        status < 200
        or status >= 300
        or (not parsed and status != 204)
        or (parsed and not isinstance(parsed.get("handle") if isinstance(parsed, dict) else None, list))
    ):
        shown = to_json(parsed, indent=2) if parsed else body
        if len(shown) > MAX_SHOWN_CHARS:
            shown = shown[:MAX_SHOWN_CHARS] + f"… ({len(shown) - MAX_SHOWN_CHARS} more characters)"
        suffix = f"response body:\n{shown}" if shown else "no response body."
        raise EdgeResponseError(f"{_PREFIX} status code {status} and {suffix}", status, body)
    if isinstance(parsed, dict):
        warnings, errors = parsed.get("warnings"), parsed.get("errors")
        for warning in warnings if isinstance(warnings, list) else []:
            log("warn", f"{_PREFIX} warning:", warning)
        for error in errors if isinstance(errors, list) else []:
            log("error", f"{_PREFIX} non-fatal error:", error)
