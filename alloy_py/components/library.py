"""Small components: Consent's config, EventMerge, LibraryInfo.

Ports of ``components/Consent/configValidators.js``, ``components/EventMerge``
and ``components/LibraryInfo``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .. import __version__
from ..cookies import namespaced_cookie_name
from ..consent import parse_consent_cookie
from ..validation import Validator, enum_of, object_of
from . import Command, Component, ComponentContext

__all__ = ["Consent", "EventMerge", "LibraryInfo"]


class Consent(Component):
    namespace = "Consent"
    config_schema: ClassVar[Validator | None] = object_of(
        {"defaultConsent": enum_of("in", "out", "pending").default("in")}
    )

    def __init__(self, context: ComponentContext) -> None:
        super().__init__(context)
        stored = self.context.cookies.get(namespaced_cookie_name(context.config["orgId"], "consent"))
        context.consent.initialize(context.config["defaultConsent"], parse_consent_cookie(stored).get("general"))


class EventMerge(Component):
    namespace = "EventMerge"

    def commands(self) -> Mapping[str, Command]:
        return {"createEventMergeId": Command(run=lambda options: {"eventMergeId": self.context.browser.uuid4()})}


class LibraryInfo(Component):
    namespace = "LibraryInfo"

    def commands(self) -> Mapping[str, Command]:
        return {"getLibraryInfo": Command(run=self._library_info)}

    def _library_info(self, options: Any) -> dict[str, Any]:
        registry = self.context.registry()
        configs = {
            key: (f"function {getattr(value, '__name__', 'callback')}() {{ [python code] }}" if callable(value) else value)
            for key, value in self.context.config.items()
        }
        return {
            "libraryInfo": {
                "version": __version__,
                "configs": configs,
                "commands": sorted([*registry.command_names(), "configure", "setDebug"]),
                "components": registry.component_names(),
            }
        }
