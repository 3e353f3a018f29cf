"""ActivityCollector: link clicks, collected as alloy.js collects them.

Port of ``browser/src/components/ActivityCollector/*``: a capture-phase click
listener finds the clickable element (a link, an ``onclick`` element, a submit
button), names it and its region, decides the link type (download, exit,
other), and sends ``web.webinteraction.linkClicks`` with Activity Map data as
an event that may unload the page (a beacon, once an identity exists). The
event is started within the click, so it leaves before a navigation.
With ``clickCollection.eventGroupingEnabled``, a click on an internal link of
the page's own domain is not sent: it is kept (with the page name) and merged
into the next event that has a page name, as alloy groups them.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from ..browser import Browser, ClickDom, Node
from ..browser.recorded import RecordedDom
from ..cookies import storage_key
from ..event import Event
from ..lifecycle import RequestHandlers, start_now
from ..log import Logger
from ..startup import CallFacts
from ..types import Options
from ..validation import Validator, boolean, callback, object_of, string
from . import Component, ComponentServices

__all__ = ["DEFAULT_DOWNLOAD_QUALIFIER", "ActivityCollector", "LinkDetails"]

DEFAULT_DOWNLOAD_QUALIFIER = r"\.(exe|zip|wav|mp3|mov|mpg|avi|wmv|pdf|doc|docx|xls|xlsx|ppt|pptx)$"
_UNSUPPORTED_TEXT_NODES = re.compile(r"^(SCRIPT|STYLE|LINK|CANVAS|NOSCRIPT|#COMMENT)$", re.IGNORECASE)
_SECTIONS = re.compile(r"^(HEADER|MAIN|FOOTER|NAV)$", re.IGNORECASE)
_LINK_ENABLED = {"download": "downloadLinkEnabled", "exit": "externalLinkEnabled", "other": "internalLinkEnabled"}


def _squeeze(text: str | None) -> str:
    """alloy's ``truncateWhiteSpace``."""
    return re.sub(r"\s+", " ", text).strip() if text else ""


def _trim_query(url: str) -> str:
    for mark in ("?", "#"):
        url = url.split(mark, 1)[0]
    return url


class ActivityCollector(Component):
    namespace = "ActivityCollector"
    config_schema: ClassVar[Validator | None] = object_of(
        {
            "clickCollectionEnabled": boolean().default(True),
            "clickCollection": object_of(
                {
                    "internalLinkEnabled": boolean().default(True),
                    "externalLinkEnabled": boolean().default(True),
                    "downloadLinkEnabled": boolean().default(True),
                    "sessionStorageEnabled": boolean().default(False),
                    "eventGroupingEnabled": boolean().default(False),
                    "filterClickProperties": callback(),
                }
            ).default(
                {
                    "internalLinkEnabled": True,
                    "externalLinkEnabled": True,
                    "downloadLinkEnabled": True,
                    "sessionStorageEnabled": False,
                    "eventGroupingEnabled": False,
                }
            ),
            "downloadLinkQualifier": string().regexp().default(DEFAULT_DOWNLOAD_QUALIFIER),
            "onBeforeLinkClickSend": callback().deprecated(
                'The field "onBeforeLinkClickSend" has been deprecated. '
                'Use "clickCollection.filterClickDetails" instead.'
            ),
        }
    )

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        config = services.config
        if config["clickCollectionEnabled"] is False:
            if config.get("onBeforeLinkClickSend"):
                self.logger.warn(
                    "The 'onBeforeLinkClickSend' configuration was provided but will be ignored because "
                    "clickCollectionEnabled is false."
                )
            if config.get("downloadLinkQualifier") not in (None, DEFAULT_DOWNLOAD_QUALIFIER):
                self.logger.warn(
                    "The 'downloadLinkQualifier' configuration was provided but will be ignored because "
                    "clickCollectionEnabled is false."
                )
        self._links = LinkDetails(services, self.logger)

    @classmethod
    def instance_configured_params(cls, services: ComponentServices) -> dict[str, object]:
        """alloy's ``buildOnInstanceConfiguredExtraParams``: ``getLinkDetails(element)`` for monitors,
        the link details a click on ``element`` would send (with the core logger, as alloy's)."""
        links = LinkDetails(services, services.logger)

        def getLinkDetails(element: Node | None) -> dict[str, Any]:  # noqa: N802 (alloy's name, shown to the page)
            return links.details(services.browser, element)

        return {"getLinkDetails": getLinkDetails}

    # Lifecycle
    def on_components_registered(self) -> None:
        self.services.browser.on_click(self._clicked)

    def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        page = _page_details(event.get_content())
        if page is None or "name" not in page:
            return
        if self.services.config["clickCollection"].get("eventGroupingEnabled"):
            self._recall_click(event)
        self._links.save({"pageName": page["name"], "pageIDType": 1})

    def _recall_click(self, event: Event) -> None:
        """A grouped click's details, merged into this page view (``recallAndInjectClickedElementProperties``)."""
        if self.services.browser.element_by_id("cppXYctnr") is not None:
            return  # the Activity Map overlay is open
        stored = self._links.load() or {}
        valid_link = _is_valid_link(stored)
        valid_activity_map = _is_valid_activity_map_data(stored)
        if not (valid_link or valid_activity_map):
            return
        if valid_link:
            xdm = _xdm(stored)
            del xdm["eventType"]  # the page view keeps its own
            event.merge_xdm(xdm)
        if valid_activity_map:
            event.merge_data(_data(stored))
        # Only the page name is forgotten later: more clicks (downloads) on this page still need it.
        self._links.save({key: stored[key] for key in ("pageName", "pageIDType") if key in stored})

    def _clicked(self, element: Node) -> None:
        # Started within the click, so that it leaves before a navigation.
        start_now(self._collect(self.services.browser, element, None))

    async def collect_recorded(self, click: Mapping[str, Any], call: CallFacts) -> None:
        """A click the loader recorded before Python ran: its page, time and nodes as they were."""
        dom = RecordedDom(click, call.page or self.services.browser.page())
        if dom.target is not None:
            await self._collect(dom, dom.target, call)

    async def _collect(self, dom: ClickDom, element: Node, call: CallFacts | None) -> None:
        """alloy's click handler: every component's ``onClick`` adds to one event, sent unless empty."""
        event = self.services.events.create_event()
        event.call = call
        event.document_may_unload = True  # an exit link (or a personalization metric) must go out as a beacon
        try:
            await self.services.edge_client.lifecycle.click(event, dom, element)
            if not event.is_empty():
                await self.services.events.send_event(event, {})
        except Exception as error:  # nobody awaits a click
            self.logger.error("An error occurred while executing the click collection.", str(error))

    def on_click(self, event: Event, dom: ClickDom, element: Node) -> None:
        config = self.services.config
        if not config["clickCollectionEnabled"]:
            return
        props = self._links.properties(dom, element)
        if dom.element_by_id("cppXYctnr") is not None:
            return  # the Activity Map overlay is open
        valid_link = _is_valid_link(props)
        link_type = props.get("linkType")
        if valid_link and link_type and not config["clickCollection"].get(_LINK_ENABLED[link_type], True):
            self.logger.info(
                f"Cancelling link click event due to clickCollection.{link_type}LinkEnabled = false."
            )
        elif (
            valid_link
            and link_type == "other"
            and config["clickCollection"].get("eventGroupingEnabled")
            # not with the deprecated onBeforeLinkClickSend alone: it may edit xdm and data, which are not kept
            and (not config.get("onBeforeLinkClickSend") or config["clickCollection"].get("filterClickDetails"))
            and not _different_domains(dom.page().href, props["linkUrl"])
        ):
            self._links.save({key: props[key] for key in _LINK_DETAILS if key in props})  # sent with the next page view
        elif valid_link:
            event.merge_xdm(props.get("filteredXdm") or _xdm(props))
            event.merge_data(props.get("filteredData") or _data(props))
            self._links.save({"pageName": props.get("pageName"), "pageIDType": props.get("pageIDType")})
        elif _is_valid_activity_map_data(props):
            self._links.save(
                {k: props.get(k) for k in ("pageName", "linkName", "linkRegion", "linkType", "linkUrl", "pageIDType")}
            )


_LINK_DETAILS = ("pageName", "linkName", "linkRegion", "linkType", "linkUrl", "pageIDType")
# The page names kept when sessionStorage is not enabled: one store per page, as alloy's module-level one.
_TRANSIENT: weakref.WeakKeyDictionary[Browser, dict[str, str]] = weakref.WeakKeyDictionary()


def _transient(browser: Browser) -> dict[str, str]:
    return _TRANSIENT.setdefault(browser, {})


class LinkDetails:
    """alloy's ``getClickedElementProperties`` and its click activity storage."""

    def __init__(self, services: ComponentServices, logger: Logger) -> None:
        self.services = services
        self.logger = logger
        self._key = storage_key(f"{services.config['orgId']}clickData")

    # Where the last page name is kept (alloy's click activity storage).
    def save(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, separators=(",", ":"))
        if self.services.config["clickCollection"].get("sessionStorageEnabled"):
            self.services.browser.storage_set("session", self._key, text)
        else:
            _transient(self.services.browser)[self._key] = text

    def load(self) -> dict[str, Any] | None:
        if self.services.config["clickCollection"].get("sessionStorageEnabled"):
            text = self.services.browser.storage_get("session", self._key)
        else:
            text = _transient(self.services.browser).get(self._key)
        return json.loads(text) if text else None

    def details(self, dom: ClickDom, element: Node | None) -> dict[str, Any]:
        """The ``properties`` alloy's getLinkDetails returns (only those that have a value)."""
        props = self.properties(dom, element)
        return {key: props[key] for key in _LINK_DETAILS if key in props}

    def properties(self, dom: ClickDom, element: Node | None) -> dict[str, Any]:
        clickable = self._clickable(dom, element)
        if clickable is None:
            return {}
        href = dom.page().href
        facts = dom.link_facts(clickable)
        link_url = urljoin(href, facts.href or "") or href
        props: dict[str, Any] = {
            "linkUrl": link_url,
            "linkType": self._link_type(link_url, facts.download, href),
            "linkRegion": self._region(dom, clickable),
            "linkName": self._name(dom, clickable),
            "pageIDType": 0,
            "pageName": href,
        }
        stored = self.load()
        if stored and stored.get("pageName"):
            props["pageName"], props["pageIDType"] = stored["pageName"], 1
        property_filter = self.services.config["clickCollection"].get("filterClickDetails")
        options_filter = self.services.config.get("onBeforeLinkClickSend")
        if callable(property_filter):
            if property_filter(props) is False:
                self.logger.info("Clicked element properties were rejected by filter function.")
                return {}
        elif callable(options_filter):
            options = {"xdm": _xdm(props), "data": _data(props), "clickedElement": element}
            if options_filter(options) is False:
                self.logger.info("Clicked element properties were rejected by filter function.")
                return {}
            props["filteredXdm"], props["filteredData"] = options.get("xdm"), options.get("data")
        return props

    def _clickable(self, browser: ClickDom, element: Node | None) -> Node | None:
        node = element
        while node is not None:
            name = browser.node_name(node)
            if name == "BODY":
                return None
            facts = browser.link_facts(node) if not name.startswith("#") else None
            if facts is not None and (
                (facts.href and name in ("A", "AREA")
                 and (not facts.has_onclick or "javascript" not in facts.protocol.lower()))
                or facts.has_onclick
                or (name == "INPUT" and (facts.type == "submit" or (facts.type == "image" and facts.src)))
                or (name == "BUTTON" and facts.type == "submit")
            ):
                return node
            node = browser.parent(node)
        return None

    def _link_type(self, url: str, download_attribute: bool, page_href: str) -> str:
        if not url:
            return "other"
        qualifier = self.services.config.get("downloadLinkQualifier")
        if download_attribute or (qualifier and re.search(qualifier, _trim_query(url).lower())):
            return "download"
        hostname = (urlsplit(page_href).hostname or "").lower()
        if hostname and hostname not in _trim_query(url).lower():
            return "exit"
        return "other"

    def _region(self, browser: ClickDom, node: Node) -> str:
        parent = browser.parent(node)
        while parent is not None:
            name = browser.node_name(parent)
            region = ""
            if not name.startswith("#"):
                region = _squeeze(browser.link_facts(parent).id) or (name if _SECTIONS.match(name) else "")
            if region:
                return region
            parent = browser.parent(parent)
        return "BODY"

    def _name(self, browser: ClickDom, node: Node) -> str:
        """alloy's ``getLinkName``: the text, else alt, title, value, img src, aria-label, name."""
        text = _squeeze(browser.inner_text(node))
        supported, unsupported = self._supported_nodes(browser, node)
        if not text or unsupported:
            texts: list[str] = []
            found: dict[str, str] = {}
            for item in supported:
                name = browser.node_name(item)
                if not name.startswith("#"):
                    for key, attribute, only in (("alt", "alt", None), ("title", "title", None),
                                                 ("inputValue", "value", "INPUT"), ("imgSrc", "src", "IMG"),
                                                 ("ariaLabel", "aria-label", None), ("name", "name", None)):
                        if not found.get(key) and (only is None or only == name):
                            found[key] = _squeeze(browser.get_attribute(item, attribute))
                value = browser.node_value(item)
                if value:
                    texts.append(value)
            text = _squeeze("".join(texts))
            if not text:
                for key in ("alt", "title", "inputValue", "imgSrc", "ariaLabel", "name"):
                    if found.get(key):
                        return found[key]
        return text

    def _supported_nodes(self, browser: ClickDom, node: Node) -> tuple[list[Node], bool]:
        if _UNSUPPORTED_TEXT_NODES.match(browser.node_name(node)):
            return [], True
        nodes, unsupported = [node], False
        for child in browser.child_nodes(node):
            more, child_unsupported = self._supported_nodes(browser, child)
            nodes += more
            unsupported = unsupported or child_unsupported
        return nodes, unsupported


def _page_details(content: dict[str, Any]) -> dict[str, Any] | None:
    """``xdm.web.webPageDetails`` of an event's content, when it is an object."""
    xdm = content.get("xdm")
    web = xdm.get("web") if isinstance(xdm, dict) else None
    page = web.get("webPageDetails") if isinstance(web, dict) else None
    return page if isinstance(page, dict) else None


def _is_valid_link(props: dict[str, Any]) -> bool:
    return all(props.get(key) for key in ("linkUrl", "linkType", "linkName", "linkRegion"))


def _is_valid_activity_map_data(props: dict[str, Any]) -> bool:
    return bool(props.get("pageName") and props.get("linkName") and props.get("linkRegion")) and "pageIDType" in props


def _different_domains(page_href: str, link_url: str) -> bool:
    """alloy's ``isDifferentDomains(location.hostname, linkUrl)``: a URL without a scheme is read as a host."""
    page = urlsplit(page_href)
    if not re.match(r"^https?://", link_url, re.IGNORECASE):
        link_url = f"{page.scheme}://{link_url}"
    return (page.hostname or "") != (urlsplit(link_url).hostname or "")


def _xdm(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "eventType": "web.webinteraction.linkClicks",
        "web": {
            "webInteraction": {
                "name": props.get("linkName"),
                "region": props.get("linkRegion"),
                "type": props.get("linkType"),
                "URL": props.get("linkUrl"),
                "linkClicks": {"value": 1},
            }
        },
    }


def _data(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "__adobe": {
            "analytics": {
                "contextData": {
                    "a": {
                        "activitymap": {
                            "page": props.get("pageName"),
                            "link": props.get("linkName"),
                            "region": props.get("linkRegion"),
                            "pageIDType": props.get("pageIDType"),
                        }
                    }
                }
            }
        }
    }


