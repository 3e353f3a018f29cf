"""``configure``: validating the options and filling in alloy's defaults.

Port of ``core/buildAndValidateConfig.js`` and ``core/config/createCoreConfigs.js``.
Each component contributes its own ``config_schema``: every alloy 2.33.1
component is ported, so every option is validated as alloy validates it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import ConfigurationError, ValidationError
from .validation import (
    MISSING,
    ValidationServices,
    Validator,
    boolean,
    callback,
    object_of,
    string,
)

__all__ = ["CONFIG_DOCUMENTATION", "build_config"]

CONFIG_DOCUMENTATION = "https://adobe.ly/3sHh553"

class _Noop:
    """alloy's default ``onBeforeEventSend`` (its ``noop``): keeps every event."""

    __name__ = "noop"
    js_source = "() => {}"  # how alloy's getLibraryInfo shows it

    def __call__(self, content: Any) -> None:
        return None

    def __deepcopy__(self, memo: dict[int, Any]) -> _Noop:
        return self


_noop = _Noop()


CORE_OPTIONS = object_of(
    {
        "debugEnabled": boolean().default(False),
        "datastreamId": string().unique().required(),
        # alloy-py extension: an explicit http(s)://host:port origin, for local emulators.
        "edgeDomain": string().domain(allow_origin=True).default("edge.adobedc.net"),
        "edgeBasePath": string().non_empty().default("ee"),
        "orgId": string().unique().required(),
        "onBeforeEventSend": callback().default(_noop),
        "edgeConfigOverrides": object_of({}),
    }
).renamed("edgeConfigId", string().unique(), "datastreamId")

def build_config(
    options: Any, component_schemas: Iterable[Validator], services: ValidationServices
) -> dict[str, Any]:
    """Validate ``options`` against every schema; raise alloy's "Resolve these…" error."""
    combined = CORE_OPTIONS
    for schema in component_schemas:
        combined = combined.concat(schema)
    validator = combined.no_unknown_fields().required()
    try:
        config = validator(MISSING if options is None else options, "", services)
    except ValidationError as error:
        problems = error.message.replace("\n", "\n\t - ")
        raise ConfigurationError(
            f"Resolve these configuration problems:\n\t - {problems}\n"
            f"For configuration documentation see: {CONFIG_DOCUMENTATION}"
        ) from None
    return dict(config)
