"""LibraryInfo: ``getLibraryInfo``.

Port of ``components/LibraryInfo``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._version import __version__
from ..types import CommandResult, Options
from . import Command, Component

if TYPE_CHECKING:
    from ..instance import ComponentRegistry

__all__ = ["LibraryInfo"]


class LibraryInfo(Component):
    namespace = "LibraryInfo"
    _registry: ComponentRegistry | None = None

    def registered(self, registry: ComponentRegistry) -> None:
        self._registry = registry

    def commands(self) -> Mapping[str, Command]:
        return {"getLibraryInfo": Command(run=self._library_info)}

    def _library_info(self, options: Options) -> CommandResult:
        registry = self._registry
        assert registry is not None
        config = self.services.config
        configs = {key: _function_text(value) if callable(value) else value for key, value in config.items()}
        return {
            "libraryInfo": {
                "version": __version__,
                "configs": configs,
                "commands": sorted([*registry.command_names(), "configure", "setDebug"]),
                "components": registry.component_names(),
            }
        }


def _function_text(function: object) -> str:
    """alloy's ``value.toString()``: a page's JS callback shows its source, a Python one a stand-in."""
    source = getattr(function, "js_source", None)
    if isinstance(source, str):
        return source
    return f"function {getattr(function, '__name__', 'callback')}() {{ [python code] }}"
