"""Advertising: Adobe Advertising conversions and the ad ids on events.

Port of alloy's ``components/Advertising/*`` (2.33.1). Once configured with
``advertising.advertiserSettings`` (or on a page reached from a search ad):

- click-through: a page whose URL has ``s_kwcid``/``ef_id`` sends an
  ``advertising.enrichment_ct`` event with them, and remembers the click;
- view-through: otherwise, the visitor's ad ids (surfer id and hashed IP from
  Advertising Cloud's iframe; ID5 and RampID with ``dspEnabled``) are sent as
  ``advertising.enrichment`` events, each id at most every 30 minutes;
- ``sendEvent`` with ``advertising.handleAdvertisingData`` ``"auto"`` or
  ``"wait"`` carries the ids known (or, with ``"wait"``, fetched within 2 s)
  in ``xdm._experience.adcloud.stitchId`` and ``query.advertising``.

These conversion events go straight to the Edge: no other component's
``onBeforeEvent``, no ``onBeforeEventSend``, no configured ``edgeConfigOverrides``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, ClassVar

from ..._futures import spawn
from ...dates import iso_utc
from ...edge.request import EdgeRequest
from ...event import Event
from ...lifecycle import RequestHandlers, start_now
from ...types import JsonObject, Options
from ...user_agent import browser_name
from ...validation import Validator, array_of, boolean, object_of, string
from .. import Component, ComponentServices
from .identities import Identities
from .storage import (
    AD_CONVERSION_CLICK_EVENT_TYPE,
    AD_CONVERSION_VIEW_EVENT_TYPE,
    DISPLAY_CLICK,
    DISPLAY_CLICK_EXPIRES,
    HASHED_IP,
    ID5_ID,
    LAST_CLICK,
    LAST_CONVERSION_TIME,
    LAST_CONVERSION_TIME_EXPIRES,
    RAMP_ID,
    SURFER_ID,
    AdvertisingCookie,
    active_advertisers,
    click_params,
)

__all__ = ["Advertising"]

_CONFIG = object_of(
    {
        "advertising": object_of(
            {
                "id5PartnerId": string(),
                "rampIdJSPath": string(),
                "dspEnabled": boolean(),
                "advertiserSettings": array_of(
                    object_of(
                        {"advertiserId": string().required(), "enabled": boolean().required()}
                    ).no_unknown_fields()
                ),
            }
        ).no_unknown_fields()
    }
)
_STITCH_ORDER = (SURFER_ID, HASHED_IP, ID5_ID, RAMP_ID, "adfId")  # Advertising Cloud reads it by position


class Advertising(Component):
    namespace = "Advertising"
    config_schema: ClassVar[Validator | None] = _CONFIG

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        self._settings: dict[str, Any] = services.config.get("advertising") or {}
        self._cookie = AdvertisingCookie(services.config["orgId"], services.cookies, services.browser, self.logger)
        self._ids = Identities(services.browser, self._cookie, self.logger)

    # Conversions, once the components are registered (fire and forget: configure does not wait).
    def on_components_registered(self) -> None:
        start_now(self._send_ad_conversion())

    async def _send_ad_conversion(self) -> None:
        try:
            await self.services.consent.await_consent()
            skwcid, efid = click_params(self.services.browser.page().href)
            if skwcid or efid:
                await self._click_through(skwcid, efid)
            elif self._settings.get("advertiserSettings") and active_advertisers(self._settings["advertiserSettings"]):
                spawn(self._view_through_logged())
        except Exception as error:
            self.logger.error("Error in sendAdConversion:", error)

    async def _click_through(self, skwcid: str | None, efid: str | None) -> None:
        browser = self.services.browser
        self.logger.info("Processing ad conversion", {"skwcid": skwcid, "efid": efid})
        event = self.services.events.create_event()
        if skwcid is not None and efid is not None and skwcid.startswith("AL!"):
            self._cookie.set(LAST_CLICK, {"click_time": browser.now_ms(), "skwcid": skwcid, "efid": efid})
        details: JsonObject = {}
        if skwcid is not None:
            details["trackingCode"] = skwcid
        if efid is not None:
            details["trackingIdentities"] = efid
        event.user_xdm = {
            "_experience": {"adcloud": {"conversionDetails": details}},
            "eventType": AD_CONVERSION_CLICK_EVENT_TYPE,
            "timestamp": iso_utc(browser.now_ms()),
        }
        self._cookie.set(LAST_CONVERSION_TIME)
        self._cookie.set(LAST_CONVERSION_TIME_EXPIRES, browser.now_ms() + 91 * 86_400_000)
        try:
            await self._track(event)
        except Exception as error:
            self.logger.error("Ad conversion submission failed", error)
            raise

    async def _track(self, event: Event) -> None:
        """alloy's ``trackAdConversion``: the event alone in a request, straight to the Edge."""
        edge_client = self.services.edge_client
        request: EdgeRequest = edge_client.new_request("interact", configured_overrides=False)
        request.payload.add_event(event)
        event.finalize(None)
        await self.services.consent.await_consent()
        try:
            await edge_client.send(request)
        except Exception as error:
            self.logger.error("Failed to send ad conversion event", error)
            raise

    async def _view_through_logged(self) -> None:
        try:
            await self._view_through()
        except Exception as error:
            self.logger.error("Error in view through:", error)

    async def _view_through(self) -> None:
        settings, cookie, ids = self._settings, self._cookie, self._ids
        hashed_ip = spawn(_or_none(ids.hashed_ip()))  # alloy asks for it even when unused
        lookups: dict[str, Awaitable[Any]] = {}
        if not cookie.throttled(SURFER_ID):
            lookups[SURFER_ID] = ids.surfer_id(True)
        if settings.get("id5PartnerId") and settings.get("dspEnabled") and not cookie.throttled(ID5_ID):
            lookups[ID5_ID] = ids.id5_id(settings["id5PartnerId"])
        if settings.get("rampIdJSPath") and settings.get("dspEnabled") and not cookie.throttled(RAMP_ID):
            lookups[RAMP_ID] = ids.ramp_id(settings["rampIdJSPath"], True)
        if not lookups:
            return
        resolved: dict[str, Any] = {}
        converted: set[str] = set()

        async def convert() -> None:
            if not any(id_type not in converted for id_type in resolved):
                return
            hashed = await hashed_ip
            ids_for_event = {**resolved, HASHED_IP: hashed} if hashed else dict(resolved)
            id_types = list(resolved)
            try:
                event = self._with_id_query(ids_for_event, self.services.events.create_event(), view=True)
                event.user_xdm = {
                    "eventType": AD_CONVERSION_VIEW_EVENT_TYPE,
                    "timestamp": iso_utc(self.services.browser.now_ms()),
                }
                await self._track(event)
                converted.update(id_types)
                cookie.mark_converted(id_types)
            except Exception as error:
                self.logger.error("Ad conversion submission failed", error)

        async def when_found(id_type: str, lookup: Awaitable[Any]) -> None:
            value = await _or_none(lookup)
            if value:
                resolved[id_type] = value
                await convert()

        await asyncio.gather(*(when_found(id_type, lookup) for id_type, lookup in lookups.items()))

    def _with_id_query(self, ids: dict[str, Any], event: Event, *, view: bool = False) -> Event:
        """alloy's ``appendAdvertisingIdQueryToEvent``: the ids and last clicks in ``query.advertising``."""
        cookie, now = self._cookie, self.services.browser.now_ms()
        search_click = cookie.get(LAST_CLICK)
        display_click = None
        display_expires = cookie.get(DISPLAY_CLICK_EXPIRES)
        if isinstance(display_expires, (int, float)) and display_expires > now:
            display_click = cookie.get(DISPLAY_CLICK)
        advertising: JsonObject = {}
        if isinstance(search_click, dict) and search_click.get("click_time"):
            advertising["lastSearchClick"] = search_click["click_time"]
        if display_click:
            advertising["lastDisplayClick"] = display_click
        stitch_ids: JsonObject = {}
        for id_type, key in ((SURFER_ID, "surferId"), (ID5_ID, "id5"), (RAMP_ID, "rampIdEnv"), (HASHED_IP, "hashedIp")):
            if ids.get(id_type):
                stitch_ids[key] = ids[id_type]
        advertising["stitchIds"] = stitch_ids
        advertising["advIds"] = active_advertisers(self._settings.get("advertiserSettings"))
        if view:
            advertising["eventType"] = AD_CONVERSION_VIEW_EVENT_TYPE
        event.merge_query({"advertising": advertising})
        return event

    # The ids on the page's own events.
    async def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        if self.services.consent.state != "in":
            return
        handling = options.get("advertising")
        mode = handling.get("handleAdvertisingData") if isinstance(handling, dict) else None
        mode = mode.lower() if isinstance(mode, str) else None
        skwcid, efid = click_params(self.services.browser.page().href)
        cookie, ids, settings = self._cookie, self._ids, self._settings
        if (
            mode not in ("auto", "wait")
            or (skwcid and efid)
            or not active_advertisers(settings.get("advertiserSettings"))
            or all(cookie.throttled(id_type) for id_type in (SURFER_ID, ID5_ID, RAMP_ID))
        ):
            return
        try:
            wait = mode == "wait"
            chrome = browser_name(self.services.browser.page().user_agent) == "Chrome"
            ramp_id = _nothing() if chrome else ids.ramp_id(settings.get("rampIdJSPath"), wait, wait)
            partner = settings.get("id5PartnerId")
            id5_id = ids.id5_id(partner, wait, wait) if partner else _nothing()
            results: tuple[Any, ...] = await asyncio.gather(
                ids.surfer_id(wait), ids.hashed_ip(), id5_id, ramp_id, return_exceptions=True
            )
            surfer, hashed, id5, ramp = results
            available: dict[str, Any] = {}
            for_identity: dict[str, Any] = {}
            if _found(surfer):
                for_identity[SURFER_ID] = surfer
                if not cookie.throttled(SURFER_ID):
                    available[SURFER_ID] = surfer
            if _found(hashed):
                for_identity[HASHED_IP] = hashed
                if not cookie.throttled(SURFER_ID):
                    available[HASHED_IP] = hashed
            if _found(id5) and not cookie.throttled(ID5_ID):
                available[ID5_ID] = id5
            if _found(ramp) and not cookie.throttled(RAMP_ID):
                available[RAMP_ID] = ramp
            if for_identity:
                stitch_id = "|".join(_js_text(for_identity.get(key)) for key in _STITCH_ORDER)
                event.merge_xdm({"_experience": {"adcloud": {"stitchId": stitch_id}}})
            if not available and any(cookie.throttled(t) for t in (SURFER_ID, ID5_ID, RAMP_ID)):
                return
            self._with_id_query(available, event)
        except Exception as error:
            self.logger.error("Error in onBeforeSendEvent hook:", error)


async def _or_none(lookup: Awaitable[Any]) -> Any:
    try:
        return await lookup
    except Exception:
        return None


async def _nothing() -> None:
    return None


def _found(result: Any) -> bool:
    return bool(result) and not isinstance(result, BaseException)


def _js_text(value: Any) -> str:
    return "" if value is None else str(value)
