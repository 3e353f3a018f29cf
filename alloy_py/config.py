"""``configure``: validating the options and filling in alloy's defaults.

Port of ``core/buildAndValidateConfig.js`` and ``core/config/createCoreConfigs.js``.
Each component contributes its own ``config_schema``; the options of
components alloy-py has not ported yet are accepted (so configurations pasted
from alloy's docs still work) and listed in :data:`NOT_YET_PORTED_OPTIONS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import ConfigurationError, ValidationError
from .validation import (
    MISSING,
    ValidationServices,
    Validator,
    anything,
    boolean,
    callback,
    number,
    object_of,
    string,
)

__all__ = ["CONFIG_DOCUMENTATION", "NOT_YET_PORTED_OPTIONS", "build_config"]

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

# Options of alloy components that are not ported yet: accepted, not acted on.
NOT_YET_PORTED_OPTIONS = object_of(
    {
        # BrandConcierge's options, validated and defaulted as alloy does (getLibraryInfo shows them).
        "conversation": object_of(
            {
                "stickyConversationSession": boolean().default(False),
                "streamTimeout": number().integer().minimum(10000).default(10000),
                "collectSources": boolean().default(False),
            }
        ).default({"stickyConversationSession": False, "streamTimeout": 10000, "collectSources": False}),
        "pushNotifications": anything(),
        "personalizationStorageEnabled": boolean().default(False),
        "streamingMedia": anything(),
    }
)


def build_config(
    options: Any, component_schemas: Iterable[Validator], services: ValidationServices
) -> dict[str, Any]:
    """Validate ``options`` against every schema; raise alloy's "Resolve these…" error."""
    combined = CORE_OPTIONS
    for schema in (NOT_YET_PORTED_OPTIONS, *component_schemas):
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
