"""DataCollector: the ``sendEvent`` and ``applyResponse`` commands.

Port of ``core/src/components/DataCollector/*``, ``utils/validateIdentityMap.js`` and
``core/edgeNetwork/injectApplyResponse.js``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._jsonutil import deep_assign
from ..schemas import PAGE_WIDE_SCOPE
from ..startup import current_call
from ..validation import IDENTITY_MAP, anything, array_of, boolean, enum_of, map_of_values, object_of, string
from . import Command, Component

__all__ = ["DataCollector"]

SEND_EVENT_OPTIONS = (
    object_of(
        {
            "type": string(),
            "xdm": object_of({"eventType": string(), "identityMap": IDENTITY_MAP}),
            "data": object_of({}),
            "documentUnloading": boolean(),
            "renderDecisions": boolean(),
            "decisionScopes": array_of(string()).unique_items(),
            "personalization": object_of(
                {
                    "decisionScopes": array_of(string()).unique_items(),
                    "surfaces": array_of(string()).unique_items(),
                    "sendDisplayEvent": boolean().default(True),
                    "includeRenderedPropositions": boolean().default(False),
                    "defaultPersonalizationEnabled": boolean(),
                    "decisionContext": object_of({}),
                }
            ).default({"sendDisplayEvent": True}),
            "datasetId": string(),
            "mergeId": string(),
            "edgeConfigOverrides": object_of({}),
            "advertising": object_of(
                {"handleAdvertisingData": enum_of("disabled", "wait", "auto").default("disabled")}
            ),
        }
    )
    .required()
    .no_unknown_fields()
)


APPLY_RESPONSE_OPTIONS = object_of(
    {
        "renderDecisions": boolean(),
        "responseHeaders": map_of_values(string().required()),
        "responseBody": object_of(
            {"handle": array_of(object_of({"type": string().required(), "payload": anything().required()})).required()}
        ).required(),
        "personalization": object_of(
            {"sendDisplayEvent": boolean().default(True), "decisionContext": object_of({})}
        ).default({"sendDisplayEvent": True}),
    }
).no_unknown_fields()


class DataCollector(Component):
    namespace = "DataCollector"

    def commands(self) -> Mapping[str, Command]:
        return {
            "sendEvent": Command(
                run=self._send_event, validate=SEND_EVENT_OPTIONS, documentation_uri="https://adobe.ly/3GQ3Q7t"
            ),
            "applyResponse": Command(run=self._apply_response, validate=APPLY_RESPONSE_OPTIONS, documentation_uri=""),
        }

    async def _apply_response(self, options: dict[str, Any]) -> dict[str, Any]:
        """A response the page's server got from the Edge (hybrid personalization), applied here."""
        events = self.services.events
        event = events.create_event()
        event.call = current_call.get()
        event_options = {
            "renderDecisions": bool(options.get("renderDecisions", False)),
            "decisionContext": options.get("decisionContext") or {},
            "decisionScopes": [PAGE_WIDE_SCOPE],
            "personalization": options.get("personalization"),
        }
        headers = options.get("responseHeaders") or {}
        body = options.get("responseBody") or {"handle": []}
        return await events.apply_response(event, event_options, headers, body)

    async def _send_event(self, options: dict[str, Any]) -> dict[str, Any]:
        options = dict(options)
        xdm = options.pop("xdm", None)
        data = options.pop("data", None)
        unloading = options.pop("documentUnloading", None)
        event_type = options.pop("type", None)
        merge_id = options.pop("mergeId", None)
        dataset_id = options.pop("datasetId", None)
        overrides = options.pop("edgeConfigOverrides", None)
        events = self.services.events
        event = events.create_event()
        event.call = current_call.get()
        if unloading:
            event.document_may_unload = True
        event.user_xdm = xdm
        event.user_data = data
        if event_type:
            event.merge_xdm({"eventType": event_type})
        if merge_id:
            event.merge_xdm({"eventMergeId": merge_id})
        if overrides:
            options["edgeConfigOverrides"] = overrides
        if dataset_id:
            self.logger.warn(
                "The 'datasetId' option has been deprecated. Please use "
                "'edgeConfigOverrides.com_adobe_experience_platform.datasets.event.datasetId' instead."
            )
            options["edgeConfigOverrides"] = deep_assign(
                dict(overrides or {}),
                {"com_adobe_experience_platform": {"datasets": {"event": {"datasetId": dataset_id}}}},
            )
        return await events.send_event(event, options)
