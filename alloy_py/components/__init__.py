"""alloy's components, in alloy's registration order.

A component is a class with a ``namespace``, optional ``config_schema`` (an
``object_of`` validator merged into ``configure``'s), a ``commands()`` map and
any lifecycle hook methods (see :mod:`alloy_py.lifecycle`). The order below
decides hook order, the key order of what they merge into requests, and the
order of the "List of available commands".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..validation import Validator

if TYPE_CHECKING:
    from ..browser import Browser
    from ..consent import ConsentState
    from ..cookies import CookieJar
    from ..edge.client import EdgeClient
    from ..event_manager import EventManager
    from ..lifecycle import Lifecycle
    from ..log import Logger

__all__ = ["Command", "Component", "ComponentContext"]


@dataclass(frozen=True)
class Command:
    run: Callable[[dict[str, Any]], Awaitable[Any] | Any]
    validate: Callable[[Any], Any] | None = None
    documentation_uri: str = "https://adobe.ly/3sHgQHb"


@dataclass(frozen=True)
class ComponentContext:
    """What a component may use; nothing else reaches it."""

    instance_name: str
    config: Mapping[str, Any]
    browser: Browser
    cookies: CookieJar
    apex_domain: str
    consent: ConsentState
    lifecycle: Lifecycle
    edge: EdgeClient
    events: EventManager
    logger: Logger
    registry: Callable[[], Any]


class Component:
    namespace: ClassVar[str]
    config_schema: ClassVar[Validator | None] = None

    def __init__(self, context: ComponentContext) -> None:
        self.context = context
        self.logger = context.logger.child(self.namespace)

    def commands(self) -> Mapping[str, Command]:
        return {}
