"""alloy's own service worker (alloyServiceWorker.js, 2.33.1, unchanged) works with alloy-py.

The page registers alloy's worker and alloy-py subscribes (headless Chromium has no push
service: ``PushManager.prototype.subscribe`` is stubbed). Then, inside that worker, alloy's
own tracking code (``createMakeSendServiceWorkerTrackingData`` with its ``readFromIndexedDb``)
builds the call a dismissed notification sends: from the record alloy-py wrote.
"""

from __future__ import annotations

import json
from typing import Any

from alloy_py_dev.repo import ALLOY_REFERENCE_DIST
from alloy_py_dev.samples import BASE_CODE, DATASTREAM_ID, ECID, IDENTITY_ANSWER, IDENTITY_COOKIE, ORG_ID
from alloy_py_dev.samples import IDENTITY_COOKIE_VALUE as ECID_COOKIE_VALUE

from tests.support.edge_mock import EdgeMock

PUSH = {"vapidPublicKey": "BAECAwQ", "appId": "web-app", "trackingDatasetId": "6655aa0011bb"}
SCRIPT = """
PushManager.prototype.subscribe = function () {
  return Promise.resolve({endpoint: 'https://push.example/send/1',
                          getKey: function (name) { return new Uint8Array(name === 'auth' ? 16 : 65).buffer; }});
};
window.pushed = navigator.serviceWorker.register('/push-sw.js')
  .then(function () { return navigator.serviceWorker.ready; })
  .then(function () { return alloy('sendPushSubscription'); });
"""
# Run in the worker: alloy's tracking call for a dismissed notification, with fetch recorded.
TRACK = """async () => {
  const sent = [];
  const send = createMakeSendServiceWorkerTrackingData({readFromIndexedDb, uuidv4: v4, logger,
    fetch: async (url, init) => { sent.push({url, body: JSON.parse(init.body)}); return {ok: true}; }});
  const journey = {messageExecution: {messageExecutionID: 'm1'}};
  const ok = await send({xdm: {_experience: {customerJourneyManagement: journey}}, actionLabel: 'Dismiss'});
  return {ok, sent};
}"""


def test_alloys_service_worker_reads_what_alloy_py_wrote(browser: Any, base_url: str, add_page: Any) -> None:
    context = browser.new_context(service_workers="allow")
    try:
        context.grant_permissions(["notifications"])
        context.add_cookies([{"name": IDENTITY_COOKIE, "value": ECID_COOKIE_VALUE, "url": base_url}])
        edge = EdgeMock(context, base_url)
        edge.set_default(IDENTITY_ANSWER)
        add_page("/push-sw.js", (ALLOY_REFERENCE_DIST / "alloyServiceWorker.js").read_text())
        config = {"datastreamId": DATASTREAM_ID, "orgId": ORG_ID, "pushNotifications": PUSH}
        url = add_page("/push/page.html", f'<!doctype html><html><head><meta charset="utf-8">'
                       f"<script>{BASE_CODE}</script><script>alloy('configure', {json.dumps(config)});{SCRIPT}"
                       '</script><script src="/alloy-py.js" async></script></head><body></body></html>')
        page = context.new_page()
        page.goto(url)
        assert page.evaluate("() => window.pushed") == {}
        assert len(edge.requests) == 1
        [worker] = context.service_workers
        tracked = worker.evaluate(TRACK)
    finally:
        context.close()

    assert tracked["ok"] is True
    [call] = tracked["sent"]
    assert call["url"].startswith(f"https://edge.adobedc.net/ee/v1/interact?configId={DATASTREAM_ID}&requestId=")
    [event] = call["body"]["events"]
    assert event["meta"] == {"collect": {"datasetId": PUSH["trackingDatasetId"]}}
    xdm = event["xdm"]
    assert xdm["identityMap"] == {"ECID": [{"id": ECID}]}
    assert xdm["eventType"] == "pushTracking.customAction"
    assert xdm["pushNotificationTracking"]["pushProvider"] == "chrome"
    assert xdm["pushNotificationTracking"]["customAction"] == {"actionID": "Dismiss"}
