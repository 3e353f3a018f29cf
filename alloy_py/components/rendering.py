"""Rendering decisions into the page: alloy's DOM actions, selectors and prehiding.

Port of ``Personalization/dom-actions/*``, ``handlers/createProcessDomAction.js``,
``handlers/createProcessHtmlContent.js``, ``handlers/createDecorateProposition.js``,
``handlers/createRenderStatusHandler.js``, ``flicker/index.js`` and
``utils/dom/{awaitSelector,selectNodesWithEq}.js``. The DOM is reached only
through the browser seam; which nodes change, and how, is decided here.

A container that is already in the page is changed at once, before the
command resolves, as alloy.js does; one that is not is awaited for up to
five seconds in the background.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .._futures import spawn
from ..browser import Browser, HtmlPosition, Node
from ..errors import AlloyError
from ..log import Logger
from ..prehiding import PREHIDING_ID, redirecting, set_redirecting, show_containers
from ..schemas import DEFAULT_CONTENT_ITEM, DOM_ACTION, HTML_CONTENT_ITEM
from .interactions import CLICK_LABEL, INTERACT_ID, InteractionTracker, notification, tracks_interactions

__all__ = ["PREHIDING_ID", "ItemPlan", "Renderer", "css_escape", "redirecting", "set_redirecting",
           "show_containers"]

AWAIT_SELECTOR_MS = 5000
HEAD_TAGS = "SCRIPT,LINK,STYLE"
_EQ = re.compile(r":eq\((\d+)\)")
_IDENTIFIER = re.compile(r"(#|\.)(-?\w+)")

Decorate = Callable[[Node], None]


class SelectorNotFound(AlloyError):
    """No container matched within :data:`AWAIT_SELECTOR_MS` (logged as the action's failure)."""


def css_escape(identifier: str) -> str:
    """``CSS.escape`` (CSSOM spec) for the identifiers alloy escapes."""
    out = []
    for index, char in enumerate(identifier):
        code = ord(char)
        if code == 0:
            out.append("\ufffd")
        elif 0x1 <= code <= 0x1F or code == 0x7F or (
            (index == 0 or (index == 1 and identifier[0] == "-")) and 0x30 <= code <= 0x39
        ):
            out.append(f"\\{code:x} ")
        elif index == 0 and char == "-" and len(identifier) == 1:
            out.append("\\-")
        elif code >= 0x80 or char in "-_" or char.isalnum():
            out.append(char)
        else:
            out.append("\\" + char)
    return "".join(out)


@dataclass(frozen=True, kw_only=True)
class ItemPlan:
    """What processing one item decided (alloy's ``{render, setRenderAttempted, includeInNotification}``)."""

    # Changes the page now if it can; returns what still has to wait for the page.
    render: Callable[[], Awaitable[None] | None] | None = None
    render_attempted: bool = False
    in_notification: bool = False
    # A redirect: the only item rendered; everything else is returned unrendered.
    only_render_this: bool = False


_NOT_RENDERED = ItemPlan()  # an item this SDK does not render: returned to the caller
_DEFAULT_CONTENT = ItemPlan(render_attempted=True, in_notification=True)  # nothing to change, still displayed
_CLICK_METRIC = ItemPlan(render_attempted=True)  # recorded by click collection, never displayed


class Renderer:
    def __init__(self, browser: Browser, logger: Logger, interactions: InteractionTracker) -> None:
        self._browser = browser
        self._logger = logger
        self.interactions = interactions
        self._prehiding_styles: dict[str, Node] = {}

    @property
    def has_document(self) -> bool:
        """Whether there is a page to render into (not under :mod:`alloy_py.browser.cpython`)."""
        return self._browser.has_document

    # Containers (the customer's prehidingStyle)
    def hide_containers(self, prehiding_style: str | None, *, hidden_by_loader: bool = False) -> None:
        """``hidden_by_loader``: the loader inserted the style for this call before Python ran, where
        alloy.js would insert it now (so the hiding is reported now)."""
        if not prehiding_style:
            return
        if hidden_by_loader or self._browser.element_by_id(PREHIDING_ID) is None:
            self._logger.on_content_hiding("hide-containers", "Prehiding style applied to hide containers.")
        if self._browser.element_by_id(PREHIDING_ID) is None:
            self._browser.add_style(prehiding_style, PREHIDING_ID)

    def show_containers(self) -> None:
        if self._browser.element_by_id(PREHIDING_ID) is not None:
            self._logger.on_content_hiding("show-containers", "Prehiding style removed to show containers.")
            show_containers(self._browser)

    # Selectors
    def select(self, selector: str) -> list[Node]:
        """``selectNodesWithEq``: CSS plus ``:eq(n)`` steps, identifiers escaped."""
        selector = _IDENTIFIER.sub(lambda m: m.group(1) + css_escape(m.group(2)), selector.strip())
        if ":eq(" not in selector:
            return self._query(selector, None)
        pieces = [piece for piece in _EQ.split(selector) if piece]
        parts: list[tuple[str, int | None]] = []
        index = 0
        while index < len(pieces):
            nxt = pieces[index + 1] if index + 1 < len(pieces) else None
            parts.append((pieces[index], int(nxt) if nxt is not None and nxt.isdigit() else None))
            index += 2
        context: Node | None = None
        for position, (part, eq) in enumerate(parts):
            nodes = self._query(part, context)
            if not nodes or (eq is not None and eq > len(nodes) - 1):
                return []
            chosen = nodes[0] if eq is None else nodes[eq]
            if position == len(parts) - 1:
                return nodes if eq is None else [chosen]
            context = chosen
        return []

    def _query(self, selector: str, within: Node | None) -> list[Node]:
        """``selectNodes``: a leading ``>`` is relative to ``within``; ``:shadow`` steps into shadow roots."""
        if ":shadow" not in selector:
            if selector.lstrip().startswith(">"):
                selector = ":scope " + selector
            return self._browser.query_all(selector, within)
        parent, in_shadow = within, False
        for part in (piece.strip() for piece in selector.split(":shadow")):
            root = self._browser.shadow_root(parent) if parent is not None else None
            if part == "" and root is not None:
                parent, in_shadow = root, True
                continue
            if part.startswith(">"):
                # Inside a shadow root ``:scope`` does not work everywhere (WebKit bug 233380).
                part = (":host " if in_shadow else ":scope ") + part
            nodes = self._browser.query_all(part, parent)
            root = self._browser.shadow_root(nodes[0]) if nodes else None
            if root is None:
                return nodes
            parent, in_shadow = root, True
        return []

    async def await_selector(self, selector: str) -> list[Node]:
        deadline = self._browser.now_ms() + AWAIT_SELECTOR_MS
        while True:
            nodes = self.select(selector)
            if nodes:
                return nodes
            remaining = deadline - self._browser.now_ms()
            if remaining <= 0:
                raise SelectorNotFound(f"Could not find: {selector}")
            await self._browser.next_mutation(remaining)

    # Items
    def preprocess(self, data: Any) -> Any:
        """remapCustomCodeOffers and remapHeadOffers."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if data.get("type") == "customCode":
            if data.get("selector") == "BODY > *:eq(0)":
                data["selector"] = "BODY"
            return data
        content, selector = data.get("content"), data.get("selector")
        if isinstance(content, str) and content.strip() and isinstance(selector, str):
            containers = self.select(selector)
            if containers and self._browser.tag_name(containers[0]) == "HEAD":
                data["type"] = "appendHtml"
                data["content"] = self._head_content(content)
        return data

    def _head_content(self, content: str) -> str:
        """alloy keeps only the SCRIPT, LINK and STYLE elements of content aimed at <head>, parsed by
        the browser (linear, where a pattern over the text is quadratic on unclosed tags)."""
        document = self._browser.parse_html_document(content)
        return "".join(self._browser.outer_html(node) for node in self._browser.query_all(HEAD_TAGS, document))

    def plan(self, item: dict[str, Any], proposition: dict[str, Any], scope_type: str) -> ItemPlan:
        schema = item.get("schema")
        if schema == DEFAULT_CONTENT_ITEM:
            return _DEFAULT_CONTENT
        if schema not in (DOM_ACTION, HTML_CONTENT_ITEM):
            return _NOT_RENDERED
        data = self.preprocess(item.get("data"))
        action_type = (data or {}).get("type")
        selector = (data or {}).get("selector")
        if schema == HTML_CONTENT_ITEM and not (selector and action_type):
            return _NOT_RENDERED
        if not action_type:
            self._logger.warn("Invalid DOM action data: missing type.", data)
            return _NOT_RENDERED
        if action_type == "click":
            if not selector:
                self._logger.warn("Invalid DOM action data: missing selector.", data)
                return _NOT_RENDERED
            tracking_label = (item.get("characteristics") or {}).get("trackingLabel")
            self.interactions.store_click(selector, notification(proposition), tracking_label, scope_type)
            return _CLICK_METRIC
        action = _ACTIONS.get(action_type)
        if action is None:
            warning = "Invalid DOM action data: unknown type." if schema == DOM_ACTION else "Invalid HTML content data"
            self._logger.warn(warning, data)
            return _NOT_RENDERED
        decorate = self._decorator(proposition, item, scope_type)
        item_id = str(item.get("id"))

        view_item = item_id if scope_type == "view" else None

        def render() -> Awaitable[None] | None:
            containers = self.select(data.get("selector") or "")
            if containers:  # in the page already: change it now, as alloy.js does
                self._apply(action, containers, data.get("content"), decorate, view_item)
                return None
            return spawn(self._render_when_present(action, data, decorate, view_item))

        return ItemPlan(render=render, render_attempted=True, in_notification=True)

    async def _render_when_present(
        self, action: _Action, data: dict[str, Any], decorate: Decorate, view_item: str | None
    ) -> None:
        prehiding = data.get("prehidingSelector")
        hidden = self._hide(prehiding)
        try:
            containers = await self.await_selector(data.get("selector") or "")
        finally:
            if hidden:
                self._show(prehiding)
        self._apply(action, containers, data.get("content"), decorate, view_item)

    def _apply(
        self, action: _Action, containers: list[Node], content: Any, decorate: Decorate, view_item: str | None
    ) -> None:
        for container in containers:
            if (
                not action.always_render
                and view_item is not None
                and view_item in _rendered_ids(self._browser, container)
            ):
                continue
            try:
                pending = action.run(self._browser, container, content, decorate)
            except Exception as error:  # alloy.js does not await a container's render: the item still counts
                self._browser.report_unhandled(error)
                continue
            if view_item is not None:
                _mark_rendered(self._browser, container, view_item)
            if pending is not None:
                spawn(self._log_failures(pending))

    async def _log_failures(self, pending: Awaitable[None]) -> None:
        try:
            await pending
        except Exception as error:
            self._logger.warn(str(error))

    def hide_elements(self, selector: str) -> None:
        """alloy's ``hideElements``: ``{selector} { visibility: hidden }``, once per selector."""
        self._hide(selector)

    def show_elements(self, selector: str) -> None:
        """alloy's ``showElements``: remove that style, whoever asked for it."""
        self._show(selector)

    def _hide(self, selector: Any) -> bool:
        if not selector or selector in self._prehiding_styles:
            return False
        self._prehiding_styles[selector] = self._browser.add_style(f"{selector} {{ visibility: hidden }}")
        return True

    def _show(self, selector: Any) -> None:
        node = self._prehiding_styles.pop(selector, None)
        if node is not None:
            self._browser.remove(node)

    def _decorator(self, proposition: dict[str, Any], item: dict[str, Any], scope_type: str) -> Decorate:
        """alloy's ``createDecorateProposition``: mark what was rendered so that clicks on it are reported."""
        interactions = self.interactions
        provider = (proposition.get("scopeDetails") or {}).get("decisionProvider")
        if not tracks_interactions(interactions.auto_collect, provider):
            return _no_decoration
        label = (item.get("characteristics") or {}).get("trackingLabel")
        browser = self._browser
        meta = notification(proposition)

        def decorate(node: Node) -> None:
            if not browser.tag_name(node):
                return
            interact_id = interactions.interact_id(browser.get_attribute(node, INTERACT_ID))
            interactions.store_interaction(proposition.get("id"), item.get("id"), scope_type, meta, interact_id)
            browser.set_attribute(node, INTERACT_ID, str(interact_id))
            if label and not browser.get_attribute(node, CLICK_LABEL):
                browser.set_attribute(node, CLICK_LABEL, str(label))

        return decorate


def _no_decoration(node: Node) -> None:
    return None


def _rendered_ids(browser: Browser, container: Node) -> list[str]:
    return (browser.get_attribute(container, "data-adobe-proposition-ids") or "").split(",")


def _mark_rendered(browser: Browser, container: Node, item_id: str) -> None:
    ids = _rendered_ids(browser, container)
    if item_id not in ids:
        ids.append(item_id)
    browser.set_attribute(container, "data-adobe-proposition-ids", ",".join(sorted(ids)))


# The actions. Each returns what is still loading (remote scripts), or None.
Run = Callable[[Browser, Node, Any, Decorate], Awaitable[None] | None]


@dataclass(frozen=True)
class _Action:
    run: Run
    always_render: bool = False


def _insert(position: HtmlPosition, decorate_container: bool = False) -> Run:
    def run(browser: Browser, container: Node, html: Any, decorate: Decorate) -> Awaitable[None] | None:
        nodes, scripts = browser.insert_html(container, position, str(html if html is not None else ""))
        if decorate_container:
            decorate(container)
        else:
            for node in nodes:
                decorate(node)
        return browser.load_scripts(scripts) if scripts else None

    return run


def _set_text(browser: Browser, container: Node, text: Any, decorate: Decorate) -> None:
    decorate(container)
    browser.set_text(container, "" if text is None else str(text))


def _set_attributes(browser: Browser, container: Node, attributes: Any, decorate: Decorate) -> None:
    for name, value in (attributes or {}).items():
        browser.set_attribute(container, name, str(value))
    decorate(container)


def _styles(px_keys: tuple[str, ...]) -> Run:
    def run(browser: Browser, container: Node, styles: Any, decorate: Decorate) -> None:
        styles = dict(styles or {})
        priority = styles.pop("priority", None)
        for name, value in styles.items():
            text = str(value)
            if name in px_keys and not text.endswith("px"):
                text += "px"
            browser.append_style(container, f";{name}:{text} !{priority};" if priority else f";{name}:{text};")
        decorate(container)

    return run


def _swap_image(browser: Browser, container: Node, url: Any, decorate: Decorate) -> None:
    if browser.tag_name(container) != "IMG":
        return
    browser.preload_image(str(url))
    decorate(container)
    browser.remove_attribute(container, "src")
    browser.set_attribute(container, "src", str(url))


def _rearrange(browser: Browser, container: Node, positions: Any, decorate: Decorate) -> None:
    children = browser.children(container)
    start, end = (positions or {}).get("from"), (positions or {}).get("to")
    if not (
        isinstance(start, int) and isinstance(end, int) and 0 <= start < len(children) and 0 <= end < len(children)
    ):
        return
    browser.move(children[start], children[end], after=start < end)
    decorate(children[end])
    decorate(children[start])


def _remove(browser: Browser, container: Node, content: Any, decorate: Decorate) -> None:
    browser.remove(container)


def _replace(browser: Browser, container: Node, html: Any, decorate: Decorate) -> Awaitable[None] | None:
    pending = _insert("before")(browser, container, html, decorate)
    browser.remove(container)
    return pending


def _collect_interactions(browser: Browser, container: Node, content: Any, decorate: Decorate) -> None:
    decorate(container)


_ACTIONS: dict[str, _Action] = {
    "setHtml": _Action(_insert("replace-children", decorate_container=True), True),
    "customCode": _Action(_insert("prepend"), True),
    "setText": _Action(_set_text, True),
    "setAttribute": _Action(_set_attributes, True),
    "setImageSource": _Action(_swap_image, True),
    "setStyle": _Action(_styles(()), True),
    "move": _Action(_styles(("left", "top")), True),
    "resize": _Action(_styles(("width", "height")), True),
    "rearrange": _Action(_rearrange),
    "remove": _Action(_remove, True),
    "insertAfter": _Action(_insert("after")),
    "insertBefore": _Action(_insert("before")),
    "replaceHtml": _Action(_replace, True),
    "prependHtml": _Action(_insert("prepend")),
    "appendHtml": _Action(_insert("append", decorate_container=True)),
    "collectInteractions": _Action(_collect_interactions, True),
}
