"""Times as alloy writes them (``Date.prototype.toISOString``, ``toISOStringLocal``).

Below the components: the context, the rules engine, media and advertising all stamp events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["iso_local", "iso_utc"]


def iso_utc(epoch_ms: int) -> str:
    """``Date.prototype.toISOString``."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def iso_local(epoch_ms: int, offset_minutes: int) -> str:
    """alloy's ``toISOStringLocal``: local wall time with the ``±hh:mm`` offset."""
    local = datetime.fromtimestamp(epoch_ms / 1000, UTC) - timedelta(minutes=offset_minutes)
    sign = "-" if offset_minutes > 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}{sign}{hours:02d}:{minutes:02d}"
