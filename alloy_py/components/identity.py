"""Identity: the ECID, one identity-less request at a time, ``getIdentity``.

Port of ``core/src/components/Identity/*``. Until the Edge has set the
identity cookie, only one request may go out without it, so that parallel
first requests do not mint several ECIDs for one visitor.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from .._futures import copy_outcome, silence
from ..cookies import decode_kndctr_ecid, encode_uri_component, namespaced_cookie_name
from ..edge.client import is_explicit_origin
from ..edge.request import EdgeRequest, RequestPayload
from ..edge.response import EdgeResponse, js_string
from ..errors import AlloyError, PageScriptError, ValidationError, format_message
from ..lifecycle import RequestHandlers
from ..pixels import fire_url_pixels
from ..types import JsonObject
from ..user_agent import browser_supports_third_party_cookies
from ..validation import Validator, array_of, boolean, enum_of, object_of, string
from . import Command, Component, ComponentServices

__all__ = ["Identity"]

ECID = "ECID"
CORE = "CORE"
ADOBE_MC = "adobe_mc"
ADOBE_MC_TTL_SECONDS = 300  # a link is good for five minutes
_APPEND_IDENTITY_OPTIONS = (
    object_of({"url": string().required().non_empty(), "edgeConfigOverrides": object_of({})})
    .required()
    .no_unknown_fields()
)
_URL_PARTS = re.compile(r"^([^?#]*)(\??[^#]*)(#?.*)$", re.DOTALL)
_GET_IDENTITY_OPTIONS = object_of(
    {
        "namespaces": array_of(enum_of(ECID, CORE)).non_empty().unique_items().default([ECID]),
        "edgeConfigOverrides": object_of({}),
    }
).no_unknown_fields().default({"namespaces": [ECID]})


class _NoIdentityCookie(AlloyError):
    """The request before this one brought no identity cookie: this one goes without."""


class Identity(Component):
    namespace = "Identity"
    config_schema: ClassVar[Validator | None] = object_of(
        {"thirdPartyCookiesEnabled": boolean().default(True), "idMigrationEnabled": boolean().default(True)}
    )

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        config = services.config
        self._org_id: str = config["orgId"]
        # An explicit origin (a local emulator) has no third-party ID service to go through.
        self._use_third_party = (
            bool(config["thirdPartyCookiesEnabled"])
            and not is_explicit_origin(config["edgeDomain"])
            and browser_supports_third_party_cookies(services.browser.page().user_agent)
        )
        self._identity_cookie = namespaced_cookie_name(self._org_id, "identity")
        self._pending_identity: asyncio.Future[None] | None = None
        self.namespaces: dict[str, str] | None = None
        self.edge_info: JsonObject = {}  # what the Edge said of itself (regionId…): getIdentity's "edge"

    def _identity_cookie_exists(self) -> bool:
        return self.services.cookies.get(self._identity_cookie) is not None

    def ecid_from_cookie(self) -> str | None:
        value = self.services.cookies.get(self._identity_cookie)
        return decode_kndctr_ecid(value) if value else None

    # Lifecycle
    async def on_before_request(self, request: EdgeRequest, handlers: RequestHandlers) -> None:
        fetch = [ECID, CORE] if self._use_third_party else [ECID]
        request.payload.merge_query({"identity": {"fetch": fetch}})
        self._add_query_string_identity(request.payload)
        await self._ensure_single_identity(request, handlers)

    def _add_query_string_identity(self, payload: RequestPayload) -> None:
        """An ECID handed over by ``appendIdentityToUrl`` on another site (``adobe_mc``)."""
        if payload.has_identity(ECID):
            return  # the caller's own ECID wins
        parts = urlsplit(self.services.browser.page().href)
        values = parse_qs(parts.query, keep_blank_values=True).get(ADOBE_MC)
        if values is None:
            fragment = parts.fragment
            values = parse_qs(fragment[fragment.index("?") + 1 :] if "?" in fragment else fragment[-1:],
                              keep_blank_values=True).get(ADOBE_MC)
        if values is None:
            return
        if len(values) > 1:
            self.logger.warn("Found multiple adobe_mc query string parameters, only using the last one.")
        value = _fully_decoded(values[-1])
        if value is None:
            self.logger.info("Detected invalid or expired adobe_mc query string parameter.")
            return
        properties = {}
        for pair in value.split("|"):
            key, _, item = pair.partition("=")
            properties[key] = re.sub(r"[^a-zA-Z0-9@.]", "", _decode_safely(item))
        try:
            timestamp = int(properties.get("TS", ""))
        except ValueError:
            timestamp = None
        ecid, org_id = properties.get("MCMID"), _decode_safely(properties.get("MCORGID", ""))
        now = self.services.browser.now_ms() / 1000
        if timestamp is not None and now <= timestamp + ADOBE_MC_TTL_SECONDS and org_id == self._org_id and ecid:
            self.logger.info(f"Found valid ECID identity {ecid} from the adobe_mc query string parameter.")
            payload.add_identity(ECID, {"id": ecid})
        else:
            self.logger.info("Detected invalid or expired adobe_mc query string parameter.")

    def legacy_ecid(self) -> str | None:
        """The ECID Visitor.js left in ``s_ecid`` or ``AMCV_<orgId>`` (alloy's getEcidFromLegacyCookies)."""
        cookies = self.services.cookies
        value = cookies.get("s_ecid") or cookies.get(f"AMCV_{self._org_id}")
        match = re.search(r"(^|\|)MCMID\|(\d+)($|\|)", value or "")
        return match.group(2) if match else None

    async def _ensure_single_identity(self, request: EdgeRequest, handlers: RequestHandlers) -> None:
        previous = self._pending_identity
        # alloy.js checks every queued request before any answer can land (one run of
        # microtasks); Pyodide resumes them in separate tasks, between which the first
        # answer's Set-Cookie may arrive. Queue behind an identity still on its way,
        # so that requests keep their order as in alloy.js.
        if self._identity_cookie_exists() and (previous is None or previous.done()):
            request.identity_established = True
            return
        if previous is None:
            self._pending_identity = self._await_identity_cookie(handlers)
            await self._let_go_without_identity(request)
            return
        self.logger.info("Delaying request while retrieving ECID from server.")
        # Requests queued behind this one go when the identity arrives; if the
        # earlier request brought none, this one goes alone and they wait on it.
        chained: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def chain(done: asyncio.Future[None]) -> None:
            if done.exception() is None:
                chained.set_result(None)
                return
            own = self._await_identity_cookie(handlers)
            own.add_done_callback(lambda f: copy_outcome(f, chained))

        previous.add_done_callback(chain)
        chained.add_done_callback(silence)
        self._pending_identity = chained
        try:
            await asyncio.shield(previous)
        except Exception:
            await self._let_go_without_identity(request)
            return
        self.logger.info("Resuming previously delayed request.")
        request.identity_established = True

    async def _let_go_without_identity(self, request: EdgeRequest) -> None:
        if self._use_third_party:
            request.use_third_party_domain = True
        # Migrate a Visitor.js visitor's ECID instead of minting a new one.
        if self.services.config["idMigrationEnabled"] and not request.payload.has_identity(ECID):
            ecid = self.legacy_ecid() or await self._ecid_from_visitor()
            if ecid:
                request.payload.add_identity(ECID, {"id": ecid})

    async def _ecid_from_visitor(self) -> str | None:
        """The ECID of a Visitor.js on the page (``injectGetEcidFromVisitor``), after its opt-in approves.

        Like alloy, waits as long as Visitor.js takes: it would call back with invalid values
        before the opt-in, and a second ECID must not be minted meanwhile.
        """
        browser = self.services.browser
        if not browser.has_visitor():
            return None
        try:
            if browser.has_legacy_opt_in():
                self.logger.info(
                    "Delaying request while waiting for legacy opt-in to let Visitor retrieve ECID from server."
                )
                if not await browser.legacy_opt_in_approved():
                    raise PageScriptError("Legacy opt-in was declined.")
                self.logger.info("Received legacy opt-in approval to let Visitor retrieve ECID from server.")
            self.logger.info("Delaying request while using Visitor to retrieve ECID from server.")
            ecid = await browser.visitor_ecid(self._org_id)
        except PageScriptError as error:
            # Declined or failing: the Edge mints the ECID (opt-in and alloy's consent are independent).
            self.logger.info(f"{error}, retrieving ECID from experience edge")
            return None
        self.logger.info("Resuming previously delayed request that was waiting for ECID from Visitor.")
        return ecid

    def _await_identity_cookie(self, handlers: RequestHandlers) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def settle(_: object = None) -> None:
            if future.done():
                return
            if self._identity_cookie_exists():
                future.set_result(None)
            else:
                future.set_exception(_NoIdentityCookie("Identity cookie not found."))

        def after_response(response: EdgeResponse) -> None:
            if not self._identity_cookie_exists():
                self.logger.warn(
                    "Identity cookie not found. This could be caused by any of the following issues:\n"
                    f"\t* The org ID {self._org_id} configured in Alloy doesn't match the org ID specified in the "
                    "edge configuration.\n"
                    "\t* Experience edge was not able to set the identity cookie due to domain or cookie "
                    "restrictions.\n"
                    "\t* The request was canceled by the browser and not fully processed."
                )
            settle()

        handlers.on_response.append(after_response)
        handlers.on_failure.append(settle)
        future.add_done_callback(silence)
        return future

    def on_response(self, response: EdgeResponse) -> None:
        # alloy's ``namespaces[namespace.code] = id``: a key is String(code), "undefined" without one.
        new_namespaces = {
            js_string(item["namespace"]["code"]) if "code" in item["namespace"] else "undefined": item["id"]
            for item in response.payloads("identity:result")
            if isinstance(item, dict) and isinstance(item.get("namespace"), dict) and "id" in item
        }
        if not (self.namespaces or {}).get(ECID) and isinstance(new_namespaces.get(ECID), str) and new_namespaces[ECID]:
            self._write_legacy_ecid(new_namespaces[ECID])
        if new_namespaces:
            self.namespaces = {**(self.namespaces or {}), **new_namespaces}
        self.edge_info = {**self.edge_info, **response.edge_info(self.logger.warn)}
        # ID syncs: fired, not waited for (handleResponseForIdSyncs).
        fire_url_pixels(self.services.images, response.payloads("identity:exchange"), self.logger, "ID sync")

    def _write_legacy_ecid(self, ecid: str) -> None:
        """Visitor.js pages on the same site read the ECID from ``AMCV_<orgId>``."""
        if not self.services.config["idMigrationEnabled"] or self.legacy_ecid() == ecid:
            return
        name = f"AMCV_{self._org_id}"
        secure = self.services.browser.page().href.startswith("https:")
        extra: dict[str, Any] = {"sameSite": "none", "secure": True} if secure else {}
        self.logger.info("Setting cookie", {"name": name, "value": f"MCMID|{ecid}",
                                            "domain": self.services.apex_domain, "expires": 390, **extra})
        self.services.cookies.set(
            name,
            f"MCMID|{ecid}",
            domain=self.services.apex_domain,
            expires_ms=self.services.browser.now_ms() + 390 * 86_400_000,
            same_site="none" if secure else None,
            secure=secure,
        )

    # Commands
    def commands(self) -> Mapping[str, Command]:
        return {
            "getIdentity": Command(run=self._get_identity, validate=self._validate_get_identity),
            "appendIdentityToUrl": Command(run=self._append_identity_to_url, validate=_APPEND_IDENTITY_OPTIONS),
        }

    def _validate_get_identity(self, options: Any) -> Any:
        validated = _GET_IDENTITY_OPTIONS(options)
        if not self.services.config["thirdPartyCookiesEnabled"] and CORE in validated["namespaces"]:
            raise ValidationError(
                f"namespaces: The {CORE} namespace cannot be requested when third-party cookies are disabled."
            )
        return validated

    async def _get_identity(self, options: dict[str, Any]) -> dict[str, Any]:
        requested: list[str] = options["namespaces"]
        await self.services.consent.await_consent()
        if not self.namespaces:
            ecid = self.ecid_from_cookie()
            if ecid and ECID in requested:
                self.namespaces = {ECID: ecid}
            if not (ecid and requested == [ECID]):
                await self._acquire(requested, options.get("edgeConfigOverrides"))
        namespaces = self.namespaces or {}
        return {"identity": {name: namespaces.get(name) for name in requested}, "edge": self.edge_info}

    async def _append_identity_to_url(self, options: dict[str, Any]) -> dict[str, Any]:
        """``adobe_mc`` added to a URL, so the next site keeps the visitor's ECID."""
        try:
            self.services.consent.check()
            if not self.namespaces:
                ecid = self.ecid_from_cookie()
                if ecid:
                    self.namespaces = {ECID: ecid}
                else:
                    await self._acquire(None, options.get("edgeConfigOverrides"))
            ecid = (self.namespaces or {}).get(ECID)
            return {"url": self._with_adobe_mc(str(options["url"]), "undefined" if ecid is None else ecid)}
        except Exception as error:  # alloy returns the options unchanged and only warns
            self.logger.warn(f"Unable to append identity to url. {format_message(error)}")
            return options

    def _with_adobe_mc(self, url: str, ecid: str) -> str:
        seconds = round(self.services.browser.now_ms() / 1000)
        value = encode_uri_component(f"TS={seconds}|MCMID={ecid}|MCORGID={encode_uri_component(self._org_id)}")
        match = _URL_PARTS.match(url)
        location, query, fragment = match.groups() if match else (url, "", "")
        separator = "?" if query == "" else "" if query == "?" else "&"
        return f"{location}{query}{separator}adobe_mc={value}{fragment}"

    async def _acquire(self, namespaces: list[str] | None, overrides: JsonObject | None) -> None:
        content = {"query": {"identity": {"fetch": list(namespaces)}}} if namespaces else {}
        edge_client = self.services.edge_client
        await edge_client.send(edge_client.new_request("identity/acquire", overrides, content))


def _decode_safely(text: str) -> str:
    """``decodeURIComponent``, or the text itself when it is not valid percent-encoding."""
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text



# A real adobe_mc is about 150 characters, encoded once or twice; a link can carry megabytes
# nested thousands of times. alloy.js decodes until nothing changes on every request, which can
# freeze the tab: here a longer or deeper value is invalid, and each value is decoded once.
ADOBE_MC_MAX_LENGTH = 2048
ADOBE_MC_MAX_DECODES = 8


@functools.lru_cache(maxsize=4)
def _fully_decoded(value: str) -> str | None:
    if len(value) > ADOBE_MC_MAX_LENGTH:
        return None
    for _ in range(ADOBE_MC_MAX_DECODES):
        decoded = _decode_safely(value)
        if decoded == value:
            return value
        value = decoded
    return None
