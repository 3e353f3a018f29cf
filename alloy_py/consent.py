"""The visitor's general consent: in, out or pending.

Port of ``core/consent/createConsentStateMachine.js`` and ``createConsent.js``.
Commands that collect data wait here while consent is pending.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from .errors import DeclinedConsentError
from .log import Logger

__all__ = ["ConsentState", "parse_consent_cookie"]

State = Literal["in", "out", "pending"]


def parse_consent_cookie(value: str | None) -> dict[str, str]:
    """``general=in;other=out`` → ``{"general": "in", …}``."""
    result: dict[str, str] = {}
    for part in (value or "").split(";"):
        key, _, purpose_value = part.partition("=")
        if key:
            result[key] = purpose_value
    return result


class ConsentState:
    def __init__(self, logger: Logger) -> None:
        self._logger = logger
        self.state: State = "in"
        self.was_set = False
        self._waiters: list[asyncio.Future[None]] = []

    def initialize(self, default: State, stored: str | None) -> None:
        if stored in ("in", "out", "pending"):
            self._set(stored, "initial")  # type: ignore[arg-type]
        else:
            self._set(default, "default")

    def _set(self, state: State, source: str) -> None:
        if state == "out" and source == "default":
            self._logger.warn("User consent preferences not found. Default consent of out will be used.")
        elif state == "pending" and source == "default":
            self._logger.warn("Default consent of pending will be used. Some commands may be delayed.")
        self.state = state
        self.was_set = source != "default"
        if state == "in":
            self._release(None)
        elif state == "out":
            self._release(DeclinedConsentError("The user declined consent."))

    def _release(self, error: BaseException | None) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)

    async def await_consent(self) -> None:
        if self.state == "in":
            return
        if self.state == "out":
            message = "The user declined consent." if self.was_set else "No consent preferences have been set."
            raise DeclinedConsentError(message)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        await waiter
