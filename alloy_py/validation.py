"""alloy's option validators, ported so that every message reads the same.

Port of ``core/src/utils/validation/*``. A validator is called with
``(value, path, services)`` and returns the value to use (defaults filled in,
renamed keys moved) or raises :class:`ValidationError`. Absent keys are
:data:`MISSING` (JavaScript's ``undefined``); ``None`` is ``null``. Both count
as "no value" for ``required``, ``default`` and the null-safe checks, as in
alloy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ._jsonutil import Omitted, copy_keeping_callables, js_number, to_json
from .errors import ValidationError

__all__ = [
    "IDENTITY_MAP",
    "MISSING",
    "ValidationServices",
    "Validator",
    "any_of",
    "anything",
    "array_of",
    "boolean",
    "callback",
    "enum_of",
    "js_stringify",
    "literal",
    "number",
    "map_of_values",
    "object_of",
    "string",
]


class _Missing:
    """JavaScript's ``undefined``: the key is absent."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


@dataclass
class ValidationServices:
    """What alloy passes as ``this``: the logger, and the memory of ``unique()``."""

    warn: Callable[[str], None] = lambda message: None
    unique_values: dict[int, list[Any]] = field(default_factory=dict)


ValidateFn = Callable[[Any, str, ValidationServices], Any]


def js_stringify(value: Any) -> str:
    """``JSON.stringify`` as alloy's messages use it (``undefined`` for absent/functions/symbols)."""
    if value is MISSING or callable(value) or isinstance(value, Omitted):
        return "undefined"
    return to_json(value)


def _is_nil(value: Any) -> bool:
    return value is None or value is MISSING


def _fail(value: Any, path: str, expected: str) -> ValidationError:
    return ValidationError(f"'{path or 'undefined'}': Expected {expected}, but got {js_stringify(value)}.")


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost") or re.fullmatch(r"127(\.\d{1,3}){3}", host) is not None


class Validator:
    """A chainable validator; every chain step returns a new validator."""

    def __init__(
        self, fn: ValidateFn, schema: Mapping[str, Validator] | None = None, type_name: str = "a value"
    ) -> None:
        self._fn = fn
        self.schema = schema
        self.type_name = type_name  # what minimum() names: "a number", "an integer"

    def __call__(self, value: Any, path: str = "", services: ValidationServices | None = None) -> Any:
        return self._fn(value, path, services or ValidationServices())

    def _then(self, step: ValidateFn, *, null_safe: bool = True) -> Validator:
        first = self._fn

        def chained(value: Any, path: str, services: ValidationServices) -> Any:
            value = first(value, path, services)
            if null_safe and _is_nil(value):
                return value
            return step(value, path, services)

        return Validator(chained, self.schema, self.type_name)

    # Available after any type.
    def default(self, default_value: Any) -> Validator:
        def step(value: Any, path: str, services: ValidationServices) -> Any:
            return copy_keeping_callables(default_value) if _is_nil(value) else value

        return self._then(step, null_safe=False)

    def required(self) -> Validator:
        def step(value: Any, path: str, services: ValidationServices) -> Any:
            if _is_nil(value):
                raise ValidationError(f"'{path or 'undefined'}' is a required option")
            return value

        return self._then(step, null_safe=False)

    def deprecated(self, message: str = "This field has been deprecated") -> Validator:
        def step(value: Any, path: str, services: ValidationServices) -> Any:
            if value is not MISSING:
                services.warn(f"'{path}': {message}" if path else message)
            return value

        return self._then(step, null_safe=False)

    # Strings.
    def domain(self, *, allow_origin: bool = False) -> Validator:
        """alloy's domain check; ``allow_origin`` also takes ``https://host[:port]``, and
        ``http://`` only for a loopback host (the local emulator): data never leaves in clear text."""
        pattern = re.compile(r"[a-z0-9.-]+", re.IGNORECASE)  # fullmatch: JS's $ takes no trailing "\n"
        origin = re.compile(r"(https?)://([a-z0-9.-]+)(:\d{1,5})?/?", re.IGNORECASE)

        def is_valid(value: Any) -> bool:
            if not isinstance(value, str):
                return False
            if pattern.fullmatch(value):
                return True
            found = origin.fullmatch(value) if allow_origin else None
            return found is not None and (found[1].lower() == "https" or _is_loopback(found[2]))

        return self._check(is_valid, "a valid domain")

    def non_empty(self) -> Validator:
        def step(value: Any, path: str, services: ValidationServices) -> Any:
            if _is_object(value):
                if not value:
                    raise _fail(value, path, "a non-empty object")
            elif len(value) == 0:
                kind = "a non-empty array" if isinstance(value, list) else "a non-empty string"
                raise _fail(value, path, kind)
            return value

        return self._then(step)

    def regexp(self) -> Validator:
        def is_regexp(value: Any) -> bool:
            try:
                re.compile(value)
            except (re.error, TypeError):
                return False
            return True

        return self._check(is_regexp, "a regular expression")

    def unique(self) -> Validator:
        key = id(self)

        def step(value: Any, path: str, services: ValidationServices) -> Any:
            seen = services.unique_values.setdefault(key, [])
            if value in seen:
                raise _fail(value, path, "a unique value across instances")
            seen.append(value)
            return value

        return self._then(step)

    # Arrays.
    def unique_items(self) -> Validator:
        def is_unique(values: list[Any]) -> bool:
            seen: list[Any] = []
            for item in values:
                if item in seen:
                    return False
                seen.append(item)
            return True

        return self._check(is_unique, "array values to be unique")

    # Objects.
    def no_unknown_fields(self) -> Validator:
        schema = self.schema or {}

        def step(value: Any, path: str, services: ValidationServices) -> Any:
            unknown = [f"'{_join(path, key)}': Unknown field." for key in value if key not in schema]
            if unknown:
                raise ValidationError("\n".join(unknown))
            return value

        return self._then(step)

    def concat(self, other: Validator) -> Validator:
        merged = Validator(self._then(other._fn)._fn, {**(self.schema or {}), **(other.schema or {})})
        return merged

    def renamed(self, old_field: str, old_validator: Validator, new_field: str) -> Validator:
        """Accept ``old_field`` as a deprecated spelling of ``new_field``."""
        base = self._fn

        def rename(value: Any, path: str, services: ValidationServices) -> Any:
            if not _is_object(value):
                raise _fail(value, path, "an object")
            old_value = value.get(old_field, MISSING)
            new_value = value.get(new_field, MISSING)
            others = {k: v for k, v in value.items() if k not in (old_field, new_field)}
            validated_old = old_validator(old_value, path, services)
            if validated_old is not MISSING:
                message = f"The field '{old_field}' is deprecated. Use '{new_field}' instead."
                if path:
                    message = f"'{path}': {message}"
                if new_value is not MISSING and new_value != validated_old:
                    raise ValidationError(message)
                services.warn(message)
            chosen = new_value if new_value else validated_old
            result = {new_field: chosen} if chosen is not MISSING else {}
            result.update(others)
            return result

        def run(value: Any, path: str, services: ValidationServices) -> Any:
            # alloy joins these errors with String(error), hence the "Error: " prefixes.
            errors: list[str] = []
            for step in (rename, base):
                if step is rename and _is_nil(value):
                    continue
                try:
                    value = step(value, path, services)
                except ValidationError as error:
                    errors.append(f"Error: {error.message}")
            if errors:
                raise ValidationError("\n".join(errors))
            return value

        return Validator(run, self.schema)

    # Available after number().
    def integer(self) -> Validator:
        checked = self._check(_is_integer, "an integer")
        checked.type_name = "an integer"
        return checked

    def minimum(self, minimum: float) -> Validator:
        return self._check(lambda v: v >= minimum, f"{self.type_name} greater than or equal to {js_number(minimum)}")

    def maximum(self, maximum: float) -> Validator:
        # alloy has it only after number(): "a number" whatever came before.
        return self._check(lambda v: v <= maximum, f"a number less than or equal to {js_number(maximum)}")

    # Available after string().
    def matches(self, pattern: str) -> Validator:
        """``pattern`` is a JS regexp's source (its message shows ``/source/``); it must read the same in Python."""
        compiled = re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)  # JS's $: no "\n"
        return self._check(lambda v: compiled.search(v) is not None, f"does not match the /{pattern}/")

    def _check(self, predicate: Callable[[Any], bool], expected: str) -> Validator:
        def step(value: Any, path: str, services: ValidationServices) -> Any:
            if not predicate(value):
                raise _fail(value, path, expected)
            return value

        return self._then(step)


def _type_check(predicate: Callable[[Any], bool], expected: str) -> Validator:
    def check(value: Any, path: str, services: ValidationServices) -> Any:
        if _is_nil(value):
            return value
        if not predicate(value):
            raise _fail(value, path, expected)
        return value

    return Validator(check)


def anything() -> Validator:
    return Validator(lambda value, path, services: value)


def string() -> Validator:
    return _type_check(lambda v: isinstance(v, str), "a string")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _is_integer(value: Any) -> bool:
    """alloy's ``isInteger``: ``parseInt(value, 10) === value`` (so not from 1e21 on, written with an exponent)."""
    return _is_number(value) and float(value).is_integer() and abs(value) < 1e21


def number() -> Validator:
    checked = _type_check(_is_number, "a number")
    checked.type_name = "a number"
    return checked


def boolean() -> Validator:
    return _type_check(lambda v: isinstance(v, bool), "true or false")


def callback() -> Validator:
    return _type_check(callable, "a function")


def literal(expected: Any) -> Validator:
    text = "true" if expected is True else "false" if expected is False else str(expected)
    return _type_check(lambda v: v == expected and type(v) is type(expected), text)


def any_of(validators: Iterable[Validator], message: str) -> Validator:
    options = list(validators)

    def check(value: Any, path: str, services: ValidationServices) -> Any:
        for option in options:
            try:
                return option(value, path, services)
            except ValidationError:
                continue
        raise _fail(value, path, message)

    return Validator(check)


def enum_of(*values: Any) -> Validator:
    return any_of([literal(v) for v in values], f"one of these values: {js_stringify(list(values))}")


def array_of(element: Validator) -> Validator:
    def check(value: Any, path: str, services: ValidationServices) -> Any:
        if _is_nil(value):
            return value
        if not isinstance(value, list):
            raise _fail(value, path, "an array")
        errors: list[str] = []
        result = []
        for index, item in enumerate(value):
            try:
                result.append(element(item, f"{path}[{index}]", services))
            except ValidationError as error:
                errors.append(error.message)
                result.append(None)
        if errors:
            raise ValidationError("\n".join(errors))
        return result

    return Validator(check)


def _validate_members(
    members: Iterable[tuple[str, Any, Validator]], path: str, services: ValidationServices
) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    result: dict[str, Any] = {}
    for key, item, validator in members:
        try:
            validated = validator(item, _join(path, key), services)
        except ValidationError as error:
            errors.append(error.message)
            continue
        if validated is not MISSING:
            result[key] = validated
    return result, errors


def object_of(schema: Mapping[str, Validator]) -> Validator:
    def check(value: Any, path: str, services: ValidationServices) -> Any:
        if _is_nil(value):
            return value
        if not _is_object(value):
            raise _fail(value, path, "an object")
        members = ((key, value.get(key, MISSING), validator) for key, validator in schema.items())
        result, errors = _validate_members(members, path, services)
        for key, item in value.items():
            if key not in result:
                result[key] = item
        if errors:
            raise ValidationError("\n".join(errors))
        return result

    return Validator(check, dict(schema))


def map_of_values(element: Validator) -> Validator:
    def check(value: Any, path: str, services: ValidationServices) -> Any:
        if _is_nil(value):
            return value
        if not _is_object(value):
            raise _fail(value, path, "an object")
        result, errors = _validate_members(((k, v, element) for k, v in value.items()), path, services)
        if errors:
            raise ValidationError("\n".join(errors))
        return result

    return Validator(check)


# An identityMap, as sendEvent's xdm and setConsent take it (alloy's validateIdentityMap).
IDENTITY_MAP = map_of_values(
    array_of(
        object_of(
            {
                "authenticatedState": enum_of("ambiguous", "authenticated", "loggedOut"),
                "id": string(),
                "namespace": object_of({"code": string()}).no_unknown_fields(),
                "primary": boolean(),
                "xid": string(),
            }
        ).no_unknown_fields()
    ).required()
)
