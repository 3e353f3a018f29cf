"""What a component is: its services, its commands and the lifecycle hooks it may override.

Below the components and the lifecycle that drives them (:mod:`alloy_py.lifecycle` calls the
hooks a component overrides), so neither imports the components package; ``alloy_py.components``
re-exports these names for the components themselves.
"""


from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .validation import Validator

if TYPE_CHECKING:
    from .browser import Browser, ClickDom
    from .consent import ConsentState
    from .cookies import CookieJar
    from .edge.client import EdgeClient
    from .edge.request import EdgeRequest
    from .edge.response import EdgeResponse
    from .event import Event
    from .event_manager import EventManager
    from .instance import ComponentRegistry
    from .lifecycle import Decision, RequestHandlers
    from .log import Logger
    from .pixels import ReferrerHideableImage
    from .types import CommandResult, Config, Node, Options, ResponseResult

__all__ = ["Command", "Component", "ComponentServices"]


@dataclass(frozen=True)
class Command:
    run: Callable[[Options], Awaitable[CommandResult | None] | CommandResult | None]
    validate: Callable[[Any], Any] | None = None
    documentation_uri: str = "https://adobe.ly/3sHgQHb"


@dataclass(frozen=True)
class ComponentServices:
    """What a component may use; nothing else reaches it."""

    instance_name: str
    config: Config
    browser: Browser
    cookies: CookieJar
    apex_domain: str
    consent: ConsentState
    edge_client: EdgeClient
    events: EventManager
    logger: Logger
    images: ReferrerHideableImage  # the page's pixels (ID syncs, URL destinations), shared by its instances


class Component:
    """Override the hooks the component takes part in; the others are never called."""

    namespace: ClassVar[str]
    config_schema: ClassVar[Validator | None] = None

    def __init__(self, services: ComponentServices) -> None:
        self.services = services
        self.logger = services.logger.child(self.namespace)

    @classmethod
    def instance_configured_params(cls, services: ComponentServices) -> dict[str, object]:
        """alloy's ``buildOnInstanceConfiguredExtraParams``: what ``onInstanceConfigured`` monitors get
        besides the config (built before any component exists)."""
        return {}

    def commands(self) -> Mapping[str, Command]:
        return {}

    def registered(self, registry: ComponentRegistry) -> None:
        """Called once every component is registered (LibraryInfo lists them)."""

    # Lifecycle hooks (alloy's onComponentsRegistered, onBeforeEvent…): no-ops here.
    def on_components_registered(self) -> Awaitable[None] | None:
        return None

    def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> Awaitable[None] | None:
        return None

    def on_before_request(self, request: EdgeRequest, handlers: RequestHandlers) -> Awaitable[None] | None:
        return None

    def on_response(self, response: EdgeResponse) -> Awaitable[ResponseResult] | ResponseResult:
        return None

    def on_request_failure(self, error: BaseException) -> Awaitable[None] | None:
        return None

    def on_click(self, event: Event, dom: ClickDom, element: Node) -> Awaitable[None] | None:
        """A click in the page: what it adds to the click's event (``dom`` reads the clicked page)."""
        return None

    def on_decision(self, decision: Decision) -> Awaitable[None] | None:
        """Propositions a ruleset qualified (alloy's ``onDecision``, called by RulesEngine)."""
        return None
