"""The visitor's general consent: in, out or pending.

Port of ``core/consent/createConsentStateMachine.js`` and ``createConsent.js``.
Commands that collect data wait here while consent is pending; a declined
consent makes them resolve ``{}`` (see :class:`DeclinedConsentError`).
"""

from __future__ import annotations

import asyncio
from typing import Literal

from .errors import AlloyError, DeclinedConsentError
from .log import Logger

__all__ = ["ConsentPending", "ConsentState", "parse_consent_cookie"]

State = Literal["in", "out", "pending"]
Source = Literal["default", "initial", "new"]


def parse_consent_cookie(value: str | None) -> dict[str, str]:
    """``general=in;other=out`` → ``{"general": "in", …}``."""
    result: dict[str, str] = {}
    for part in (value or "").split(";"):
        key, _, purpose_value = part.partition("=")
        if key:
            result[key] = purpose_value
    return result


class ConsentPending(AlloyError):
    """``check()`` while a consent answer is awaited (alloy's ``withConsent`` rejection)."""


class ConsentState:
    def __init__(self, logger: Logger) -> None:
        self._logger = logger
        self.state: State = "in"
        self.was_set = False
        self._waiters: list[asyncio.Future[None]] = []

    def initialize(self, default: State, stored: str | None) -> None:
        if stored:
            self.set(stored, "initial")
        else:
            self.set(default, "default")

    def set(self, value: str, source: Source = "new") -> None:
        """Apply a purpose value (``in``/``out``/``pending``) from ``source``."""
        if value == "in":
            if source == "initial":
                self._logger.info("Loaded user consent preferences. The user previously consented.")
            elif source == "new" and not (self.state == "in" and self.was_set):
                self._logger.info("User consented.")
            self.state, self.was_set = "in", source != "default"
            if source != "default":
                self._release(None)
        elif value == "out":
            if source == "default":
                self._logger.warn("User consent preferences not found. Default consent of out will be used.")
            elif source == "initial":
                self._logger.warn("Loaded user consent preferences. The user previously declined consent.")
            elif not (self.state == "out" and self.was_set):
                self._logger.warn("User declined consent.")
            self.state, self.was_set = "out", source != "default"
            if source != "default":
                self._release(DeclinedConsentError("The user declined consent."))
        elif value == "pending":
            if source == "default":
                self._logger.info(
                    "User consent preferences not found. Default consent of pending will be used. "
                    "Some commands may be delayed."
                )
            self.suspend()
        else:
            self._logger.warn(f"Unknown consent value: {value}")

    def suspend(self) -> None:
        """Hold commands until the outcome of a ``setConsent`` is known."""
        self.state, self.was_set = "pending", False

    def _release(self, error: BaseException | None) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)

    def check(self) -> None:
        """``withConsent``: fail at once, instead of waiting, unless consent is in."""
        if self.state == "pending":
            raise ConsentPending("Consent is pending.")
        if self.state == "out":
            message = "The user declined consent." if self.was_set else "No consent preferences have been set."
            raise DeclinedConsentError(message)

    async def await_consent(self) -> None:
        if self.state == "in":
            return
        if self.state == "out":
            message = "The user declined consent." if self.was_set else "No consent preferences have been set."
            raise DeclinedConsentError(message)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        await waiter
