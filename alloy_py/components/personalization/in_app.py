"""In-app messages: an iframe over the page, and what the visitor does in it.

Port of ``Personalization/handlers/createProcessInAppMessage.js``,
``in-app-message-actions/{initInAppMessageActionsModules,utils}.js`` and
``in-app-message-actions/actions/displayIframeContent.js`` (alloy 2.33.1).

The message's HTML is parsed (``DOMParser``), its first ``<script>`` given the
page's nonce, and shown from a blob URL in ``#alloy-content-iframe`` inside
``#alloy-messaging-container``, over ``#alloy-overlay-container`` when the
message takes over the page. The item's ``webParameters`` place and style the
three; without them (or when they lack the two containers) they are built from
its ``mobileParameters``. A click in the iframe on an ``adbinapp://ACTION?…``
link reports a ``decisioning.propositionInteract`` (with ``ACTION`` among its
``propositionEventType``\\ s and the link as ``propositionAction``); ``dismiss``
takes the message away and a ``link=`` parameter is opened. Rendering reports
the proposition's display like any other item.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote

from ...browser import Browser, Node
from ...edge.response import js_string
from ...log import Logger
from ...pixels import js_truthy
from ...types import JsonObject
from ..interactions import notification
from ..rendering import ItemPlan

__all__ = ["IFRAME_ID", "MESSAGING_CONTAINER_ID", "OVERLAY_CONTAINER_ID", "InAppPlanner", "Interact"]

MESSAGING_CONTAINER_ID = "alloy-messaging-container"
OVERLAY_CONTAINER_ID = "alloy-overlay-container"
IFRAME_ID = "alloy-content-iframe"
_TEXT_HTML = "text/html"
_APPLICATION_JSON = "application/json"
_DEFAULT_CONTENT = "defaultContent"  # the only type alloy's modules render
_EXPECTED = ("content", "contentType")
_EXPECTED_CONTENT = ("mobileParameters", "webParameters", "html")
_REQUIRED_PARAMS = ("enabled", "parentElement", "insertionMethod")
# alloy's PropositionEventType values: an ``adbinapp://`` action named so is also reported as that type.
_PROPOSITION_EVENT_TYPES = ("display", "interact", "trigger", "dismiss", "suppressDisplay")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

Interact = Callable[[JsonObject, JsonObject, list[str], Any], None]
"""Sends one interaction: ``(the proposition's meta, propositionAction, propositionEventTypes, identityMap)``."""


class InAppPlanner:
    def __init__(self, browser: Browser, logger: Logger, interact: Interact) -> None:
        self._browser = browser
        self._logger = logger
        self._interact = interact

    def plan(self, item: JsonObject, proposition: JsonObject, identity_map: Any) -> ItemPlan:
        data = item.get("data")
        if not js_truthy(data):
            self._logger.warn("Invalid in-app message data: undefined.", data)
            return ItemPlan()
        fields = data if isinstance(data, dict) else {}
        if fields.get("type", _DEFAULT_CONTENT) != _DEFAULT_CONTENT:
            self._logger.warn("Invalid in-app message data: unknown type.", data)
            return ItemPlan()
        for name in _EXPECTED:
            if name not in fields:
                self._logger.warn(f"Invalid in-app message data: missing property '{name}'.", data)
                return ItemPlan()
        if fields["contentType"] == _APPLICATION_JSON:
            content = fields["content"]
            for name in _EXPECTED_CONTENT:
                if not (isinstance(content, dict) and name in content):
                    self._logger.warn(f"Invalid in-app message data.content: missing property '{name}'.", data)
                    return ItemPlan()
        meta = notification(proposition)

        def render() -> None:
            self._display(fields, meta, identity_map)

        return ItemPlan(render=render, render_attempted=True, in_notification=True)

    # alloy's displayHTMLContentInIframe
    def _display(self, settings: JsonObject, meta: JsonObject, identity_map: Any) -> None:
        self._dismiss()
        if settings.get("contentType") != _TEXT_HTML:
            return
        browser = self._browser
        container = browser.create_element("div", {"id": MESSAGING_CONTAINER_ID})
        iframe = self._iframe(js_string(settings.get("content")), meta, identity_map)
        overlay = browser.create_element("div", {"id": OVERLAY_CONTAINER_ID})
        web_parameters = settings.get("webParameters")
        if not _valid_web_parameters(web_parameters):
            web_parameters = _generate_web_parameters(settings.get("mobileParameters"))
        if web_parameters is None:
            return
        for element_id, element in ((OVERLAY_CONTAINER_ID, overlay), (MESSAGING_CONTAINER_ID, container),
                                     (IFRAME_ID, iframe)):
            self._place(element, element_id, web_parameters)

    def _iframe(self, html: str, meta: JsonObject, identity_map: Any) -> Node:
        browser = self._browser
        document = browser.parse_html_document(html)
        scripts = browser.query_all("script", document)
        if scripts:
            nonce = browser.page_nonce()
            browser.set_attribute(scripts[0], "nonce", "null" if nonce is None else nonce)  # String(null), as alloy
        url = browser.object_url(browser.outer_html(document), _TEXT_HTML)
        iframe = browser.create_element("iframe", {"src": url, "id": IFRAME_ID})
        browser.on_frame_click(iframe, lambda target: self._clicked(target, meta, identity_map))
        return iframe

    def _place(self, element: Node, element_id: str, web_parameters: JsonObject) -> None:
        """alloy's ``renderMessage`` for one element: style it, insert it where its params say."""
        if element_id not in web_parameters or web_parameters[element_id] is None:
            state = "undefined" if element_id not in web_parameters else "null"
            raise TypeError(f"Cannot destructure property 'style' of 'webParameters[id]' as it is {state}.")
        entry = web_parameters[element_id]
        entry = entry if isinstance(entry, dict) else {}
        style = entry.get("style", {})
        for name, value in (style if isinstance(style, dict) else {}).items():
            self._browser.set_style_property(element, name, "" if value is None else js_string(value))
        params = entry.get("params", {})
        params = params if isinstance(params, dict) else {}
        selector = js_string(params.get("parentElement", "body"))
        method = js_string(params.get("insertionMethod", "appendChild"))
        parents = self._browser.query_all(selector)  # asked even when not enabled, as alloy.js does
        if js_truthy(params.get("enabled", True)) and parents:
            self._browser.insert_node(parents[0], method, element)

    def _dismiss(self) -> None:
        for element_id in (MESSAGING_CONTAINER_ID, OVERLAY_CONTAINER_ID):
            node = self._browser.element_by_id(element_id)
            if node is not None:
                self._browser.remove(node)

    # alloy's createIframeClickHandler
    def _clicked(self, target: Node, meta: JsonObject, identity_map: Any) -> None:
        browser = self._browser
        anchor: Node | None = target
        while anchor is not None and browser.tag_name(anchor) != "A":
            anchor = browser.parent(anchor)
        if anchor is None:
            return
        action, proposition_action = _parse_anchor(browser, anchor)
        types = ["interact"]
        if action in _PROPOSITION_EVENT_TYPES and action not in types:
            types.append(action)
        self._interact(meta, proposition_action, types, identity_map)
        if action == "dismiss":
            self._dismiss()
        link = proposition_action.get("link")
        if isinstance(link, str) and link:
            try:
                browser.assign_location(link)
            except ValueError as error:
                self._logger.warn(str(error))


def _parse_anchor(browser: Browser, anchor: Node) -> tuple[str | None, JsonObject]:
    """alloy's ``parseAnchor``: the ``adbinapp://`` action and the ``propositionAction`` it reports
    (``{}`` for any other link)."""
    href = browser.link_facts(anchor).href
    if not href or not href.startswith("adbinapp://"):
        return None, {}
    parts = href.split("?")
    query = _parse_query(parts[1]) if len(parts) > 1 else {}
    interaction = query.get("interaction") or ""
    link = query.get("link") or ""
    return parts[0].split("://")[1], {
        "label": browser.inner_text(anchor),
        "id": interaction,
        "uuid": browser.get_attribute(anchor, "data-uuid") or "",
        "link": _decode_uri_component(js_string(link)),
    }


def _parse_query(query: str) -> dict[str, str | list[str]]:
    """``@adobe/reactor-query-string``'s ``parse`` (``URLSearchParams``): repeated keys give lists."""
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(re.sub(r"^[?#&]", "", query.strip()), keep_blank_values=True):
        if key:
            values.setdefault(key, []).append(value)
    return {key: found[0] if len(found) == 1 else found for key, found in values.items()}


def _decode_uri_component(text: str) -> str:
    """alloy's ``decodeUriComponentSafely``: ``decodeURIComponent``, or ``""`` where it would throw."""
    if _BAD_ESCAPE.search(text):
        return ""
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return ""


def _valid_web_parameters(web_parameters: Any) -> bool:
    """alloy's ``isValidWebParameters``: both containers named. Its ``objectOf`` checks never fail (they
    build validators), but reading ``params`` of an entry throws as in alloy.js."""
    if not js_truthy(web_parameters) or not isinstance(web_parameters, dict):
        return False
    if MESSAGING_CONTAINER_ID not in web_parameters or OVERLAY_CONTAINER_ID not in web_parameters:
        return False
    for entry in web_parameters.values():
        if entry is None:
            raise TypeError("Cannot read properties of null (reading 'params')")
        params = entry.get("params") if isinstance(entry, dict) else None
        if params is None:
            state = "null" if isinstance(entry, dict) and "params" in entry else "undefined"
            raise TypeError(f"Cannot read properties of {state} (reading '{_REQUIRED_PARAMS[0]}')")
    return True


def _generate_web_parameters(mobile_parameters: Any) -> JsonObject | None:
    if not js_truthy(mobile_parameters):
        return None
    mobile = mobile_parameters if isinstance(mobile_parameters, dict) else {}
    return {
        IFRAME_ID: {
            "style": {"border": "none", "width": "100%", "height": "100%"},
            "params": {
                "enabled": True, "parentElement": f"#{MESSAGING_CONTAINER_ID}", "insertionMethod": "appendChild"
            },
        },
        MESSAGING_CONTAINER_ID: {
            "style": _container_style(mobile),
            "params": {"enabled": True, "parentElement": "body", "insertionMethod": "appendChild"},
        },
        OVERLAY_CONTAINER_ID: {
            "style": _overlay_style(mobile),
            "params": {"enabled": mobile.get("uiTakeover", False) is True, "parentElement": "body",
                       "insertionMethod": "appendChild"},
        },
    }


def _suffixed(value: Any, unit: str, otherwise: str) -> str:
    """``value ? `${value}${unit}` : otherwise``."""
    return f"{js_string(value)}{unit}" if js_truthy(value) else otherwise


def _container_style(mobile: JsonObject) -> JsonObject:
    """alloy's ``buildStyleFromMobileParameters`` (the key order is the order the styles are set in)."""
    horizontal, vertical = mobile.get("horizontalAlign"), mobile.get("verticalAlign")
    style: JsonObject = {
        "width": _suffixed(mobile.get("width"), "%", "100%"),
        "backgroundColor": mobile.get("backdropColor") if js_truthy(mobile.get("backdropColor"))
        else "rgba(0, 0, 0, 0.5)",
        "borderRadius": _suffixed(mobile.get("cornerRadius"), "px", "0px"),
        "border": "none",
        "position": "fixed" if js_truthy(mobile.get("uiTakeover", False)) else "relative",
        "overflow": "hidden",
    }
    if horizontal == "left":
        style["left"] = _suffixed(mobile.get("horizontalInset"), "%", "0")
    elif horizontal == "right":
        style["right"] = _suffixed(mobile.get("horizontalInset"), "%", "0")
    elif horizontal == "center":
        style["left"] = "50%"
        style["transform"] = "translateX(-50%)"
    if vertical == "top":
        style["top"] = _suffixed(mobile.get("verticalInset"), "%", "0")
    elif vertical == "bottom":
        style["position"] = "fixed"
        style["bottom"] = _suffixed(mobile.get("verticalInset"), "%", "0")
    elif vertical == "center":
        style["top"] = "50%"
        style["transform"] = f"{style['transform']} translateY(-50%)" if horizontal == "center" else "translateY(-50%)"
        style["display"] = "flex"
        style["alignItems"] = "center"
        style["justifyContent"] = "center"
    style["height"] = _suffixed(mobile.get("height"), "vh", "100%")
    return style


def _overlay_style(mobile: JsonObject) -> JsonObject:
    """alloy's ``mobileOverlay``."""
    opacity, color = mobile.get("backdropOpacity"), mobile.get("backdropColor")
    return {
        "position": "fixed",
        "top": "0",
        "left": "0",
        "width": "100%",
        "height": "100%",
        "background": "transparent",
        "opacity": opacity if js_truthy(opacity) else 0.5,
        "backgroundColor": color if js_truthy(color) else "#FFFFFF",
    }
