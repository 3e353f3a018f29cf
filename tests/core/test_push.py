"""Push Notifications: sendPushSubscription and what alloy's service worker reads (in-memory browser)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from alloy_py_dev.samples import ECID, IDENTITY_COOKIE_VALUE

from alloy_py.browser import PushSubscription
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.components.push_notifications import base64_to_bytes
from alloy_py.errors import AlloyError, ConfigurationError

from .conftest import DATASTREAM_ID, IDENTITY_COOKIE, ORG_ID, body, configured, identity_edge, settle

VAPID_KEY_BYTES = bytes([4, *range(1, 65)])
VAPID_KEY = base64.urlsafe_b64encode(VAPID_KEY_BYTES).decode().rstrip("=")  # as sites paste it: URL-safe, no padding
PUSH = {"vapidPublicKey": VAPID_KEY, "appId": "web-app", "trackingDatasetId": "6655aa"}
STORAGE_KEY = f"com.adobe.alloy.{ORG_ID.replace('@', '_')}.pushNotifications.subscriptionDetails"
FAILED = "[alloy] [Push Notifications] An error occurred while executing the sendPushSubscription command.\nCaused by: "


def page(**push: Any) -> MemoryBrowser:
    """A visitor with an ECID, who granted notifications, on a page that registered a service worker."""
    memory = MemoryBrowser(url="https://www.shop.example.com/")
    memory.set_cookie(f"{IDENTITY_COOKIE}={IDENTITY_COOKIE_VALUE}")
    memory.edge = identity_edge()
    memory.push_support_answer = "granted"
    memory.service_worker = True
    for name, value in push.items():
        setattr(memory, name, value)
    return memory


def idb_record(memory: MemoryBrowser) -> dict[str, Any]:
    return memory.indexed_db["alloyPushNotifications"]["config"]["alloyConfig"]


def url_safe(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_configure_keeps_what_the_service_worker_reads() -> None:
    memory = page()
    await configured(memory, pushNotifications=PUSH)

    record = idb_record(memory)
    # alloy's saveToIndexedDb, in its key order: what alloyServiceWorker.js reads to send tracking calls.
    assert list(record) == ["datastreamId", "edgeDomain", "edgeBasePath", "datasetId", "browser", "id", "timestamp"]
    assert record == {"datastreamId": DATASTREAM_ID, "edgeDomain": "edge.adobedc.net", "edgeBasePath": "ee",
                      "datasetId": "6655aa", "browser": "Chrome", "id": "alloyConfig", "timestamp": memory.now}
    assert memory.sent == []


async def test_send_push_subscription_sends_the_subscription_once() -> None:
    memory = page()
    alloy = await configured(memory, pushNotifications=PUSH, edgeConfigOverrides={"com_adobe_target": {"x": 1}},
                             debugEnabled=True)

    assert await alloy("sendPushSubscription") == {}
    assert memory.push_subscribe_keys == [VAPID_KEY_BYTES]
    subscription = memory.push_subscription
    assert subscription is not None
    token = json.dumps({"endpoint": subscription.endpoint,
                        "keys": {"auth": url_safe(subscription.auth), "p256dh": url_safe(subscription.p256dh)}},
                       separators=(",", ":"))
    [sent] = memory.sent
    assert sent.url.startswith(f"https://edge.adobedc.net/ee/v1/interact?configId={DATASTREAM_ID}&requestId=")
    sent_body = body(sent)
    assert sent_body["events"] == [{"data": {"pushNotificationDetails": [{
        "appID": "web-app", "token": token, "platform": "web", "denylisted": False,
        "identity": {"namespace": {"code": "ECID"}, "id": ECID}}]}}]
    assert "configOverrides" not in sent_body.get("meta", {})  # alloy's push request has none
    assert sent_body["query"] == {"identity": {"fetch": ["ECID", "CORE"]}}
    assert memory.storage["local"][STORAGE_KEY] == ECID + token
    assert idb_record(memory)["ecid"] == ECID
    assert list(idb_record(memory))[-1] == "ecid"

    memory.now += 1000
    assert await alloy("sendPushSubscription") == {}  # unchanged: not sent again
    assert len(memory.sent) == 1
    assert ("info", ("[alloy] [Push Notifications]",
                     "Subscription details have not changed. Not sending to the server.")) in memory.logs


async def test_a_new_subscription_is_sent_again() -> None:
    memory = page()
    alloy = await configured(memory, pushNotifications=PUSH)
    await alloy("sendPushSubscription")
    memory.push_subscription = PushSubscription("https://push.example/renewed", b"\x04" * 65, b"\x01" * 16)
    await alloy("sendPushSubscription")
    assert len(memory.sent) == 2
    token = json.loads(body(memory.sent[1])["events"][0]["data"]["pushNotificationDetails"][0]["token"])
    assert token["endpoint"] == "https://push.example/renewed"


async def test_another_vapid_key_replaces_the_old_subscription() -> None:
    old_key = bytes([4] * 65)
    memory = page(push_subscription=PushSubscription("https://push.example/old", b"\x04" * 65, b"\x02" * 16),
                  push_subscription_key=old_key)
    alloy = await configured(memory, pushNotifications=PUSH)
    await alloy("sendPushSubscription")
    # subscribe refused (another key's subscription), unsubscribed, subscribed again with ours
    assert memory.push_subscribe_keys == [VAPID_KEY_BYTES, VAPID_KEY_BYTES]
    assert memory.push_subscription is not None and memory.push_subscription.endpoint != "https://push.example/old"
    assert len(memory.sent) == 1


async def test_a_refused_subscribe_rejects_with_the_browsers_words() -> None:
    memory = page(push_refusal="Registration failed - permission denied")
    alloy = await configured(memory, pushNotifications=PUSH)
    with pytest.raises(AlloyError) as caught:
        await alloy("sendPushSubscription")
    assert caught.value.message == FAILED + "Registration failed - permission denied"
    assert memory.sent == [] and STORAGE_KEY not in memory.storage["local"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"push_support_answer": "no-service-worker"}, "Service workers are not supported in this browser."),
        ({"push_support_answer": "no-push-manager"}, "Push notifications are not supported in this browser."),
        ({"push_support_answer": "default"}, "The user has not given permission to send push notifications."),
        ({"push_support_answer": "denied"}, "The user has not given permission to send push notifications."),
        ({"service_worker": False}, "No service worker registration was found."),
    ],
)
async def test_what_the_browser_lacks(setup: dict[str, Any], message: str) -> None:
    memory = page(**setup)
    alloy = await configured(memory, pushNotifications=PUSH)
    with pytest.raises(AlloyError) as caught:
        await alloy("sendPushSubscription")
    assert caught.value.message == FAILED + message
    assert memory.push_subscribe_keys == [] and memory.sent == []


async def test_not_configured() -> None:
    memory = page()
    alloy = await configured(memory)
    with pytest.raises(AlloyError) as caught:
        await alloy("sendPushSubscription")
    assert caught.value.message == FAILED + "Push notifications module is not configured."
    assert memory.indexed_db == {}


async def test_an_empty_app_id_is_not_configured() -> None:
    memory = page()
    alloy = await configured(memory, pushNotifications={**PUSH, "appId": ""})
    with pytest.raises(AlloyError, match="Push notifications module is not configured."):
        await alloy("sendPushSubscription")


async def test_waits_for_an_identity() -> None:
    memory = page()
    memory.cookies.clear()
    alloy = await configured(memory, pushNotifications=PUSH)
    pushing = asyncio.ensure_future(alloy("sendPushSubscription"))
    await settle()
    assert not pushing.done() and memory.sent == []  # as alloy: until an Edge answer brings the identity
    await alloy("sendEvent", {"xdm": {"eventType": "page"}})
    await pushing
    assert len(memory.sent) == 2
    assert body(memory.sent[1])["events"][0]["data"]["pushNotificationDetails"][0]["identity"]["id"] == ECID


async def test_options_are_refused() -> None:
    alloy = await configured(page(), pushNotifications=PUSH)
    with pytest.raises(AlloyError, match="'foo': Unknown field."):
        await alloy("sendPushSubscription", {"foo": 1})


async def test_indexed_db_failure_is_only_logged() -> None:
    memory = page(indexed_db_refusal="The user denied permission to access the database.")
    alloy = await configured(memory, pushNotifications=PUSH, debugEnabled=True)
    assert await alloy("sendPushSubscription") == {}
    assert len(memory.sent) == 1
    assert any("Failed to save config to IndexedDB" in str(args) for _, args in memory.logs)


@pytest.mark.parametrize(
    ("push", "problem"),
    [
        ({}, "'pushNotifications.vapidPublicKey' is a required option"),
        ({**PUSH, "extra": 1}, "'pushNotifications.extra': Unknown field."),
        ({**PUSH, "appId": 5}, "'pushNotifications.appId': Expected a string, but got 5."),
        ("yes", "'pushNotifications': Expected an object, but got \"yes\"."),
    ],
)
async def test_invalid_configuration(push: Any, problem: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        await configured(page(), pushNotifications=push)
    assert problem in caught.value.message


async def test_library_info_shows_the_push_configuration() -> None:
    alloy = await configured(page(), pushNotifications=PUSH)
    info = (await alloy("getLibraryInfo"))["libraryInfo"]
    assert info["configs"]["pushNotifications"] == PUSH
    assert "sendPushSubscription" in info["commands"]
    assert "Push Notifications" in info["components"]


@pytest.mark.parametrize(
    ("text", "raw"),
    [("BA", b"\x04"), ("BA==", b"\x04"), ("-_-_", b"\xfb\xff\xbf"), ("+/+/", b"\xfb\xff\xbf"), ("", b"")],
)
def test_base64_to_bytes_as_alloy(text: str, raw: bytes) -> None:
    assert base64_to_bytes(text) == raw


@pytest.mark.parametrize("text", ["A", "not base64!", "AB=C"])
def test_base64_to_bytes_refuses_as_atob(text: str) -> None:
    with pytest.raises(AlloyError, match="The string to be decoded is not correctly encoded."):
        base64_to_bytes(text)
