"""Consent: ``setConsent`` and the consent cookie the Edge writes.

Port of ``core/src/components/Consent/*``. The client does not interpret
consent standards; it sends them, then reads the outcome from the
``kndctr_<org>_consent`` cookie the Edge sets. A consent object that did not
change since it was last sent (same hash per standard and version) is not
sent again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

from .._jsonutil import to_json
from ..consent import parse_consent_cookie
from ..cookies import namespaced_cookie_name, sanitize_org_id, storage_key
from ..edge.response import EdgeResponse
from ..startup import purge_org
from ..types import JsonObject
from ..validation import IDENTITY_MAP, Validator, anything, array_of, enum_of, object_of
from . import Command, Component, ComponentServices

__all__ = ["Consent", "consent_hash"]

SET_CONSENT_OPTIONS = (
    object_of(
        {
            "consent": array_of(anything()).required().non_empty(),
            "identityMap": IDENTITY_MAP,
            "edgeConfigOverrides": object_of({}),
        }
    )
    .no_unknown_fields()
    .required()
)


def consent_hash(consent: dict[str, Any]) -> str:
    """FNV-1a 32 (hex) of the key-sorted JSON, without ``standard``/``version``."""
    rest = {k: v for k, v in consent.items() if k not in ("standard", "version")}
    value = 0x811C9DC5
    for byte in to_json(_sorted(rest)).encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


class Consent(Component):
    namespace = "Consent"
    config_schema: ClassVar[Validator | None] = object_of(
        {"defaultConsent": enum_of("in", "out", "pending").default("in")}
    )

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        org_id = services.config["orgId"]
        self._consent_cookie = namespaced_cookie_name(org_id, "consent")
        self._hash_prefix = storage_key(f"{sanitize_org_id(org_id)}.consentHashes.")
        self._queue = asyncio.Lock()
        self._queued = 0
        stored = self._stored()
        identity_exists = services.cookies.get(namespaced_cookie_name(org_id, "identity")) is not None
        if not identity_exists or "general" not in stored:
            self._clear_hashes()
        if not identity_exists:
            # Consent belongs to an identity: without one, the old answer is void.
            services.cookies.remove(self._consent_cookie)
            stored = {}
        services.consent.initialize(services.config["defaultConsent"], stored.get("general"))

    def _stored(self) -> dict[str, str]:
        return parse_consent_cookie(self.services.cookies.get(self._consent_cookie))

    def _clear_hashes(self) -> None:
        browser = self.services.browser
        for key in browser.storage_keys("local"):
            if key.startswith(self._hash_prefix):
                browser.storage_remove("local", key)

    def _read_cookie_if_idle(self) -> None:
        # Only with no setConsent in flight, so an older answer cannot win a race.
        if self._queued == 0:
            general = self._stored().get("general")
            if general is not None:
                self.services.consent.set(general)
            if general == "out":  # what any page stored for this org is not to be sent
                purge_org(self.services.browser, self.services.config["orgId"])

    # Lifecycle: after any request, the consent cookie the Edge may have written.
    def on_response(self, response: EdgeResponse) -> None:
        self._read_cookie_if_idle()

    def on_request_failure(self, error: BaseException) -> None:
        self._read_cookie_if_idle()

    def commands(self) -> Mapping[str, Command]:
        return {"setConsent": Command(run=self._set_consent, validate=SET_CONSENT_OPTIONS)}

    async def _set_consent(self, options: dict[str, Any]) -> None:
        consents: list[Any] = options["consent"]
        self.services.consent.suspend()
        keys_and_hashes = [
            (f"{self._hash_prefix}{c.get('standard')}.{c.get('version')}", consent_hash(c))
            for c in consents
            if isinstance(c, dict)
        ]
        browser = self.services.browser
        self._queued += 1
        try:
            async with self._queue:
                if (
                    any(browser.storage_get("local", key) != value for key, value in keys_and_hashes)
                    or not keys_and_hashes
                ):
                    await self._send(consents, options.get("identityMap"), options.get("edgeConfigOverrides"))
                for key, value in keys_and_hashes:
                    browser.storage_set("local", key, value)
        finally:
            self._queued -= 1
            self._read_cookie_if_idle()

    async def _send(self, consents: list[Any], identity_map: Any, overrides: JsonObject | None) -> None:
        edge_client = self.services.edge_client
        request = edge_client.new_request("privacy/set-consent", overrides, identity_map_at_top=True)
        payload = request.payload
        payload.content["consent"] = consents
        if isinstance(identity_map, dict):
            for namespace, identities in identity_map.items():
                for identity in identities:
                    payload.add_identity(namespace, identity)
        await edge_client.send(request)
