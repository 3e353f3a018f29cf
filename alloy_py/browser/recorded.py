"""A click the loader recorded before Python ran, read as the live DOM would be.

``alloy-py.js`` records, for a click, the nodes from the clicked one up to the
document (``path``) with what alloy's click collection reads of them, and the
subtrees of the ones that may be the link (``A``, ``AREA``, ``BUTTON``,
``INPUT`` or an ``onclick`` element). :class:`RecordedDom` answers the
:class:`~alloy_py.browser.ClickDom` questions from that record, so the
ActivityCollector handles it exactly as a live click, even on a later page.

One node of the record::

    {"n": nodeName, "v": nodeValue, "t": innerText,
     "f": {"href", "protocol", "onclick", "type", "src", "download", "id"},
     "a": {"alt", "title", "value", "src", "aria-label", "name"},
     "c": [child nodes]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import LinkFacts, PageFacts

__all__ = ["RecordedDom", "RecordedNode"]


class RecordedNode:
    __slots__ = ("record", "parent", "children")

    def __init__(self, record: Mapping[str, Any], parent: RecordedNode | None) -> None:
        self.record = record
        self.parent = parent
        children = record.get("c")
        self.children = (
            [RecordedNode(c, self) for c in children if isinstance(c, Mapping)] if isinstance(children, list) else []
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class RecordedDom:
    """The page at the moment of a recorded click."""

    def __init__(self, click: Mapping[str, Any], page: PageFacts) -> None:
        path = [node for node in click.get("path") or [] if isinstance(node, Mapping)]
        parent: RecordedNode | None = None
        chain: list[RecordedNode] = []
        for record in reversed(path):  # from the document down to the clicked node
            node = RecordedNode(record, parent)
            chain.append(node)
            parent = node
        self.target: RecordedNode | None = chain[-1] if chain else None
        self._overlay = bool(click.get("overlay"))
        self._page = page

    def page(self) -> PageFacts:
        return self._page

    def element_by_id(self, element_id: str) -> Any:
        # The only id click collection asks for: the Activity Map overlay's.
        return True if element_id == "cppXYctnr" and self._overlay else None

    def parent(self, node: RecordedNode) -> RecordedNode | None:
        return node.parent

    def node_name(self, node: RecordedNode) -> str:
        return _text(node.record.get("n"))

    def child_nodes(self, node: RecordedNode) -> list[RecordedNode]:
        return node.children

    def node_value(self, node: RecordedNode) -> str | None:
        value = node.record.get("v")
        return value if isinstance(value, str) else None

    def inner_text(self, node: RecordedNode) -> str:
        return _text(node.record.get("t"))

    def get_attribute(self, node: RecordedNode, name: str) -> str | None:
        attributes = node.record.get("a")
        value = attributes.get(name) if isinstance(attributes, Mapping) else None
        return value if isinstance(value, str) else None

    def link_facts(self, node: RecordedNode) -> LinkFacts:
        facts = node.record.get("f")
        facts = facts if isinstance(facts, Mapping) else {}
        href = facts.get("href")
        return LinkFacts(
            href=href if isinstance(href, str) and href else None,
            protocol=_text(facts.get("protocol")),
            has_onclick=bool(facts.get("onclick")),
            type=_text(facts.get("type")),
            src=_text(facts.get("src")),
            download=bool(facts.get("download")),
            id=_text(facts.get("id")),
        )
