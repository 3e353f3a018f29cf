"""An alloy instance: the ``alloy(command, options)`` dispatcher.

Port of ``core/injectExecuteCommand.js``, ``core/injectHandleError.js``,
``core/createComponentRegistry.js`` and ``core/index.js`` (assembly). Every
command is a coroutine; the browser bridge turns it into a JS Promise.
"""

from __future__ import annotations

import asyncio
import copy
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from ._futures import spawn
from ._jsonutil import NULL, copy_keeping_callables
from .browser import Browser
from .components import Command, Component, ComponentServices
from .components.activity_collector import ActivityCollector
from .components.advertising import Advertising
from .components.brand_concierge import BrandConcierge
from .components.consent import Consent
from .components.context import Context
from .components.data_collector import DataCollector
from .components.event_merge import EventMerge
from .components.identity import Identity
from .components.library_info import LibraryInfo
from .components.media import MediaAnalyticsBridge, StreamingMedia
from .components.personalization import Personalization
from .components.push_notifications import PushNotifications
from .components.response_results import Audiences
from .components.rules_engine import RulesEngine
from .config import build_config
from .consent import ConsentState
from .cookies import CookieJar
from .edge.client import EdgeClient, EdgeSettings
from .errors import AlloyError, CommandError, ComponentError, ValidationError, format_message
from .event_manager import EventManager
from .lifecycle import Lifecycle, call_maybe_async, check_hooks
from .log import DebugSwitch, Logger
from .pixels import ReferrerHideableImage
from .startup import CallFacts, current_call
from .types import CommandResult, Json

if TYPE_CHECKING:
    from .commands import AlloyCommands
from .validation import ValidationServices, boolean, object_of

__all__ = ["DEFAULT_COMPONENTS", "ComponentRegistry", "Instance", "PageInstances"]

# alloy 2.33.1's registration order, less what is not ported yet.
DEFAULT_COMPONENTS: tuple[type[Component], ...] = (
    Context,
    ActivityCollector,
    Advertising,
    Audiences,
    BrandConcierge,
    Consent,
    EventMerge,
    MediaAnalyticsBridge,
    Personalization,
    PushNotifications,
    RulesEngine,
    StreamingMedia,
    DataCollector,
    Identity,
    LibraryInfo,
)

# alloy.js would throw reading `enabled` of null; required() names the problem instead.
_SET_DEBUG_OPTIONS = object_of({"enabled": boolean().required()}).no_unknown_fields().required()
_COMMAND_DOCUMENTATION = "https://adobe.ly/3sHgQHb"


class PageInstances:
    """The instances of one page (one browser), and what they share: ``unique()``'s memory, the pixels' iframe."""

    # Keyed by the browser object itself; an entry lives as long as its browser.
    _of_browser: ClassVar[weakref.WeakKeyDictionary[Browser, PageInstances]] = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, browser: Browser) -> PageInstances:
        """The instances of ``browser``'s page."""
        page = cls._of_browser.get(browser)
        if page is None:
            page = cls._of_browser[browser] = cls(browser)
        return page

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.unique_values: dict[int, list[Any]] = {}
        self.instances: dict[str, Instance] = {}
        self.images = ReferrerHideableImage(browser)

    def instance(self, name: str = "alloy", components: Sequence[type[Component]] = DEFAULT_COMPONENTS) -> Instance:
        if name not in self.instances:
            self.instances[name] = Instance(name, self, components)
        return self.instances[name]


class ComponentRegistry:
    """The components of one configured instance and the commands they bring."""

    def __init__(self, components: Sequence[Component]) -> None:
        self.components = list(components)
        self.commands: dict[str, tuple[Component, str, Command]] = {}
        for component in self.components:
            for name, command in component.commands().items():
                if name in self.commands:
                    raise AlloyError(
                        f"[ComponentRegistry] Could not register {component.namespace} "
                        f"because it has existing command(s): {name}"
                    )
                self.commands[name] = (component, name, command)
        for component in self.components:
            component.registered(self)

    def command_names(self) -> list[str]:
        return list(self.commands)

    def component_names(self) -> list[str]:
        return [component.namespace for component in self.components]


class Instance:
    """``window.alloy``: call it with a command name and options."""

    def __init__(
        self, name: str, page: PageInstances, components: Sequence[type[Component]] = DEFAULT_COMPONENTS
    ) -> None:
        self.name = name
        self._page = page
        self.browser = page.browser
        self._component_types = tuple(components)
        self._debug = DebugSwitch(self.browser, name)
        self.logger = Logger(self.browser, self._debug, name)
        self._configured: asyncio.Future[ComponentRegistry] | None = None
        self._lifecycle: Lifecycle | None = None
        for component_type in self._component_types:
            check_hooks(component_type)
        self.logger.on_instance_created(self)

    if TYPE_CHECKING:  # each command with its options and result (alloy_py.commands)
        __call__: AlloyCommands
    else:

        async def __call__(self, command, options=None):
            """``instance(command, options)``: as :meth:`execute`, typed command by command."""
            return await self.execute(command, options)

    async def execute(self, command: str, options: Json = None, *, call: CallFacts | None = None) -> CommandResult:
        """Run one command; resolves to an object or raises an :class:`AlloyError`.

        ``call``: when and where the loader saw the call, if it came before Python ran.
        """
        # Commands never change the caller's objects.
        options = {} if options is None else None if options is NULL else copy_keeping_callables(options)
        current_call.set(call)  # this task's own: a nested call never inherits it
        try:
            try:
                executor = self._executor(command, options)
            except Exception:
                # alloy rejects through promise callbacks: a call made right after this one
                # (configure, after a call that came too early) is notified first.
                await asyncio.sleep(0)
                raise
            self.logger.on_before_command(command, options)
            result = await executor()
        except Exception as error:
            if not _declined(error):
                prefixed = _prefixed(error, f"[{self.name}]")
                self.logger.on_command_rejected(command, options, prefixed)
                raise prefixed from None
            self.logger.warn(f"The {command} command could not fully complete. {format_message(error)}")
            result = {}
        result = result if isinstance(result, dict) else {}
        self.logger.on_command_resolved(command, options, result)
        return result

    def _executor(self, command: str, options: Json) -> Callable[[], Awaitable[object]]:
        if command == "configure":
            if self._configured is not None:
                raise CommandError("The library has already been configured and may only be configured once.")

            async def configure() -> None:  # (run after onBeforeCommand, as alloy's executor)
                self._configured = self._configure(options)
                await self._configured

            return configure
        if self._configured is None:
            raise CommandError(
                "The library must be configured first. Please do so by executing the configure command."
            )
        if command == "setDebug":
            validated = _validate("setDebug", _SET_DEBUG_OPTIONS, options, _COMMAND_DOCUMENTATION)
            self._debug.set(validated["enabled"], from_config=False)
            return _nothing
        configured = self._configured

        async def run() -> object:
            try:
                registry = await asyncio.shield(configured)
            except Exception:
                self.logger.warn(
                    f"An error during configuration is preventing the {command} command from executing."
                )
                # alloy reports the configure error once; later commands never settle.
                return await asyncio.get_running_loop().create_future()
            entry = registry.commands.get(command)
            if entry is None:
                names = ", ".join(["configure", "setDebug", *registry.command_names()])
                raise CommandError(f"The {command} command does not exist. List of available commands: {names}.")
            component, name, spec = entry
            validated = options
            if spec.validate is not None:
                validated = _validate(name, spec.validate, options, spec.documentation_uri)
            try:
                return await call_maybe_async(spec.run, validated)
            except Exception as error:
                raise ComponentError(
                    f"[{component.namespace}] An error occurred while executing the {name} command."
                ) from error

        return run

    @property
    def configuring(self) -> bool:
        """``configure`` was accepted (it may still be starting, or have failed to start)."""
        return self._configured is not None

    async def collect_recorded_click(self, click: Mapping[str, Any], call: CallFacts) -> None:
        """A click the loader recorded before Python ran, collected as if alloy had been listening."""
        if self._configured is None:
            return  # alloy listens only once configured
        try:
            registry = await asyncio.shield(self._configured)
        except Exception:
            return
        for component in registry.components:
            if isinstance(component, ActivityCollector):
                await component.collect_recorded(click, call)

    def _configure(self, options: Json) -> asyncio.Future[ComponentRegistry]:
        """Validate and build synchronously (a failure here allows configure again), then start."""
        try:
            registry = self._build(options)
        except Exception:
            self._configured = None
            raise
        return spawn(self._start(registry))

    def _build(self, options: Json) -> ComponentRegistry:
        browser = self.browser
        validation = ValidationServices(warn=self.logger.warn, unique_values=self._page.unique_values)
        schemas = [c.config_schema for c in self._component_types if c.config_schema is not None]
        config = build_config(options, schemas, validation)
        self._debug.set(bool(config["debugEnabled"]), from_config=True)
        cookies = CookieJar(browser)
        hostname = urlsplit(browser.page().href).hostname or ""
        apex_domain = cookies.apex_domain(hostname)
        consent = ConsentState(self.logger.child("Consent"))
        settings = EdgeSettings(
            datastream_id=config["datastreamId"],
            org_id=config["orgId"],
            edge_domain=config["edgeDomain"],
            edge_base_path=config["edgeBasePath"],
            target_migration_enabled=bool(config.get("targetMigrationEnabled")),
            config_overrides=config.get("edgeConfigOverrides"),
        )
        edge_client = EdgeClient(settings, browser, cookies, apex_domain, self.logger)
        events = EventManager(config, browser, consent, edge_client, self.logger)
        services = ComponentServices(
            instance_name=self.name,
            config=config,
            browser=browser,
            cookies=cookies,
            apex_domain=apex_domain,
            consent=consent,
            edge_client=edge_client,
            events=events,
            logger=self.logger,
            images=self._page.images,
        )
        extra: dict[str, object] = {}
        for component_type in self._component_types:
            extra.update(component_type.instance_configured_params(services))
        self.logger.on_instance_configured(config, extra)
        components = [component_type(services) for component_type in self._component_types]
        registry = ComponentRegistry(components)
        self._lifecycle = Lifecycle(registry.components)
        edge_client.connect(self._lifecycle)
        return registry

    async def _start(self, registry: ComponentRegistry) -> ComponentRegistry:
        assert self._lifecycle is not None
        await self._lifecycle.components_registered()
        return registry


async def _nothing() -> None:
    return None


def _validate(command: str, validator: Callable[[Any], Any], options: Any, uri: str) -> Any:
    try:
        return validator(options)
    except ValidationError as error:
        raise ValidationError(
            f"Invalid {command} command options:\n\t - Error: {error.message} For command documentation see: {uri}"
        ) from None


def _declined(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, AlloyError) and error.code == "declinedConsent":
            return True
        error = error.__cause__
    return False


def _prefixed(error: BaseException, prefix: str) -> AlloyError:
    message = f"{prefix} {format_message(error)}"
    if isinstance(error, AlloyError):
        prefixed = copy.copy(error)
        prefixed.message = message
        prefixed.args = (message,)
        prefixed.__cause__ = None
        return prefixed
    return AlloyError(message)

