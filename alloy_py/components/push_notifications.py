"""Push Notifications: ``sendPushSubscription``, and what alloy's service worker reads.

Port of ``alloy/src/components/PushNotifications/`` (``index.js``,
``helpers/getPushSubscriptionDetails.js``, ``helpers/saveToIndexedDb.js``,
``request/*``). The service worker itself stays alloy's own
``alloyServiceWorker.js`` (a service worker cannot run Pyodide): it shows the
pushed notifications and sends their tracking calls with the settings this
component keeps where it reads them, the IndexedDB record ``alloyConfig`` of the
store ``config`` in the database ``alloyPushNotifications`` (``datastreamId``,
``edgeDomain``, ``edgeBasePath``, ``datasetId``, ``browser``, then ``ecid``),
written as alloy writes it.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from .._jsonutil import to_json
from ..cookies import decode_kndctr_ecid, namespaced_cookie_name, sanitize_org_id, storage_key
from ..edge.response import EdgeResponse
from ..errors import AlloyError, PageApiError, PushError
from ..types import JsonObject, Options
from ..user_agent import browser_name
from ..validation import Validator, object_of, string
from . import Command, Component, ComponentServices

__all__ = ["PushNotifications", "base64_to_bytes"]

DB_NAME = "alloyPushNotifications"  # alloy's helpers/constants.js: what alloyServiceWorker.js opens
STORE_NAME = "config"
INDEX_KEY = "alloyConfig"
SUBSCRIPTION_DETAILS = "subscriptionDetails"
_ATOB_FAILURE = "Failed to execute 'atob' on 'Window': The string to be decoded is not correctly encoded."
_BASE64 = re.compile(r"[A-Za-z0-9+/]*")
_ASCII_WHITESPACE = re.compile(r"[\t\n\f\r ]")


def base64_to_bytes(text: str) -> bytes:
    """alloy's ``base64ToBytes``: URL-safe or not, padding optional, decoded by ``atob``'s rules."""
    data = (text + "=" * ((4 - len(text) % 4) % 4)).replace("-", "+").replace("_", "/")
    data = _ASCII_WHITESPACE.sub("", data)
    if len(data) % 4 == 0:
        data = data[:-2] if data.endswith("==") else data[:-1] if data.endswith("=") else data
    if len(data) % 4 == 1 or not _BASE64.fullmatch(data):
        raise PushError(_ATOB_FAILURE)
    return base64.b64decode(data + "=" * (-len(data) % 4))


def _url_safe_base64(raw: bytes) -> str:
    """alloy's ``bytesToBase64(bytes, {urlSafe: true})``: no padding."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _sorted_keys(value: Any) -> Any:
    """alloy's ``sortObjectKeysRecursively``: the same subscription always serializes the same."""
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    return value


class PushNotifications(Component):
    namespace = "Push Notifications"
    config_schema: ClassVar[Validator | None] = object_of(
        {
            "pushNotifications": object_of(
                {
                    "vapidPublicKey": string().required(),
                    "appId": string().required(),
                    "trackingDatasetId": string().required(),
                }
            ).no_unknown_fields(),
        }
    )

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        config = services.config
        settings = config.get("pushNotifications") or {}
        self._vapid_public_key: str = settings.get("vapidPublicKey") or ""
        self._app_id: str = settings.get("appId") or ""
        self._dataset_id: str = settings.get("trackingDatasetId") or ""
        self._configured = bool(config["orgId"] and self._vapid_public_key and self._app_id and self._dataset_id)
        self._storage_key = storage_key(f"{sanitize_org_id(config['orgId'])}.pushNotifications.{SUBSCRIPTION_DETAILS}")
        self._identity_cookie = namespaced_cookie_name(config["orgId"], "identity")
        # alloy's identity manager: acquired once configure finds the ECID in the identity
        # cookie, or once any Edge answer came back (its Identity component's onResponse).
        self._identity_acquired = asyncio.Event()
        if self._ecid_from_cookie() is not None:
            self._identity_acquired.set()

    def _ecid_from_cookie(self) -> str | None:
        value = self.services.cookies.get(self._identity_cookie)
        if not value:
            return None
        ecid = decode_kndctr_ecid(value)
        if ecid is None:
            self.logger.warn(f"Unable to decode ECID from {self._identity_cookie} cookie")
        return ecid

    # Lifecycle
    async def on_components_registered(self) -> None:
        if not self._configured:
            return
        config = self.services.config
        await self._save(
            {
                "datastreamId": config["datastreamId"],
                "edgeDomain": config["edgeDomain"],
                "edgeBasePath": config["edgeBasePath"],
                "datasetId": self._dataset_id,
                "browser": browser_name(self.services.browser.page().user_agent),
            }
        )

    def on_response(self, response: EdgeResponse) -> None:
        self._identity_acquired.set()

    async def _save(self, data: JsonObject) -> None:
        """alloy's ``saveToIndexedDB``: merged over the record the service worker reads; a failure is logged."""
        browser = self.services.browser
        try:
            existing = await browser.indexed_db_get(DB_NAME, STORE_NAME, INDEX_KEY)
            record = {**(existing or {}), **data, "id": INDEX_KEY, "timestamp": browser.now_ms()}
            await browser.indexed_db_put(DB_NAME, STORE_NAME, record)
        except AlloyError as error:
            self.logger.error("Failed to save config to IndexedDB", {"error": error.message})
            return
        self.logger.info("Successfully saved web SDK config to IndexedDB", record)

    # Commands
    def commands(self) -> Mapping[str, Command]:
        return {"sendPushSubscription": Command(run=self._send_push_subscription, validate=object_of({})
                                                .no_unknown_fields())}

    async def _send_push_subscription(self, options: Options) -> None:
        if not self._configured:
            raise PushError("Push notifications module is not configured.")
        await self._identity_acquired.wait()
        ecid = self._ecid_from_cookie()
        details = await self._subscription_details()
        serialized = to_json(_sorted_keys(details))
        cache_value = f"{'null' if ecid is None else ecid}{serialized}"
        browser = self.services.browser
        if browser.storage_get("local", self._storage_key) == cache_value:
            self.logger.info("Subscription details have not changed. Not sending to the server.")
            return
        browser.storage_set("local", self._storage_key, cache_value)

        events = self.services.events
        event = events.create_event()
        event.user_data = {
            "pushNotificationDetails": [
                {
                    "appID": self._app_id,
                    "token": serialized,
                    "platform": "web",
                    "denylisted": False,
                    "identity": {"namespace": {"code": "ECID"}, "id": ecid},
                }
            ]
        }
        event.finalize(None)
        edge_client = self.services.edge_client
        # As alloy's: outside the event manager, so no onBeforeEvent hooks, no onBeforeEventSend
        # and no configured edgeConfigOverrides; sent with fetch, never as a beacon.
        request = edge_client.new_request("interact", configured_overrides=False)
        request.payload.add_event(event)
        await self.services.consent.await_consent()
        await edge_client.send(request)
        await self._save({"ecid": ecid})

    async def _subscription_details(self) -> JsonObject:
        """alloy's ``getPushSubscriptionDetails``: its checks in its order, then ``subscribe``. A refused
        subscribe (most often another VAPID key's subscription) is retried once the existing
        subscription is gone; without one, or when it cannot be removed, the refusal stands."""
        browser = self.services.browser
        support = browser.push_support()
        if support == "no-service-worker":
            raise PushError("Service workers are not supported in this browser.")
        if support == "no-push-manager":
            raise PushError("Push notifications are not supported in this browser.")
        if support != "granted":
            raise PushError("The user has not given permission to send push notifications.")
        if not await browser.service_worker_registered():
            raise PushError("No service worker registration was found.")
        if not self._vapid_public_key:
            raise PushError("No VAPID public key was provided.")
        key = base64_to_bytes(self._vapid_public_key)
        try:
            subscription = await browser.push_subscribe(key)
        except PageApiError:
            if not await browser.push_unsubscribe():
                raise
            return await self._subscription_details()
        return {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": _url_safe_base64(subscription.p256dh), "auth": _url_safe_base64(subscription.auth)},
        }
