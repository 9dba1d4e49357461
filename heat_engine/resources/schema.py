"""Property and attribute schemas that resource plugins declare, their validation, and their
rendering for the API (``GET /resource_types/{type}`` and the templates generated from a type).

Rendering follows upstream's key order and omissions: a description, default, nested schema
or constraint list that is not set is left out; ``required``, ``update_allowed`` and
``immutable`` are always there. A property whose support status is HIDDEN is still accepted
in templates, but the API does not show it; a deprecated property may name a ``Translation``
that moves its value to the property that replaced it before anything else looks at it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from common import exception
from heat_engine.template.parameters import to_boolean

STRING, INTEGER, NUMBER, BOOLEAN, LIST, MAP, ANY = (
    "String",
    "Integer",
    "Number",
    "Boolean",
    "List",
    "Map",
    "Any",
)
SUPPORT_STATUSES = (UNKNOWN, SUPPORTED, DEPRECATED, UNSUPPORTED, HIDDEN) = (
    "UNKNOWN",
    "SUPPORTED",
    "DEPRECATED",
    "UNSUPPORTED",
    "HIDDEN",
)
ANY_INDEX = "*"  # the key under which a list's item schema is shown


@dataclass(frozen=True)
class SupportStatus:
    """Where a resource type, property or attribute stands, since which Heat version."""

    status: str = SUPPORTED
    version: str | None = None
    message: str | None = None
    previous: SupportStatus | None = None

    @property
    def is_hidden(self) -> bool:
        return self.status == HIDDEN

    def to_api(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "version": self.version,
            "previous_status": self.previous.to_api() if self.previous else None,
        }


def support_status_of(declared: SupportStatus | str | None) -> SupportStatus:
    """A declared support status as a ``SupportStatus``; a bare status name is accepted."""
    if isinstance(declared, SupportStatus):
        return declared
    return SupportStatus(declared if declared in SUPPORT_STATUSES else SUPPORTED)


class Constraint:
    """A check on a value; shown in the API as ``{<name>: <value>}`` after its description."""

    name: ClassVar[str] = ""
    description: str | None

    def check(self, value: Any) -> None:
        raise NotImplementedError

    def fail(self, message: str) -> None:
        raise ValueError(self.description or message)

    def argument(self) -> Any:
        raise NotImplementedError

    def to_api(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"description": self.description} if self.description else {}
        shown[self.name] = self.argument()
        return shown


@dataclass(frozen=True)
class Range(Constraint):
    name: ClassVar[str] = "range"
    min: float | None = None
    max: float | None = None
    description: str | None = None

    def check(self, value: Any) -> None:
        if (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        ):
            self.fail(f"{value} is out of range ({_bounds(self.min, self.max)}).")

    def argument(self) -> dict[str, Any]:
        return _min_max(self.min, self.max)


@dataclass(frozen=True)
class Length(Constraint):
    name: ClassVar[str] = "length"
    min: int | None = None
    max: int | None = None
    description: str | None = None

    def check(self, value: Any) -> None:
        size = len(value)
        if (self.min is not None and size < self.min) or (self.max is not None and size > self.max):
            self.fail(f"length ({size}) is out of range ({_bounds(self.min, self.max)}).")

    def argument(self) -> dict[str, Any]:
        return _min_max(self.min, self.max)


@dataclass(frozen=True)
class AllowedValues(Constraint):
    name: ClassVar[str] = "allowed_values"
    values: tuple[Any, ...]
    description: str | None = None

    def check(self, value: Any) -> None:
        if value not in self.values:
            self.fail(f'"{value}" is not an allowed value {list(self.values)}')

    def argument(self) -> list[Any]:
        return list(self.values)


@dataclass(frozen=True)
class AllowedPattern(Constraint):
    name: ClassVar[str] = "allowed_pattern"
    pattern: str
    description: str | None = None

    def check(self, value: Any) -> None:
        if not re.fullmatch(self.pattern, str(value)):
            self.fail(f'"{value}" does not match pattern "{self.pattern}"')

    def argument(self) -> str:
        return self.pattern


@dataclass(frozen=True)
class CustomConstraint(Constraint):
    """A check named after a cloud lookup (an image, a flavor...).

    No such lookups are registered in this service, so the value passes; the name is
    still shown, as upstream shows it.
    """

    name: ClassVar[str] = "custom_constraint"
    constraint: str
    description: str | None = None

    def check(self, value: Any) -> None:
        return None

    def argument(self) -> str:
        return self.constraint


def _min_max(lo: Any, hi: Any) -> dict[str, Any]:
    bounds = {"min": lo} if lo is not None else {}
    if hi is not None:
        bounds["max"] = hi
    return bounds


def _bounds(lo: Any, hi: Any) -> str:
    if lo is not None and hi is not None:
        return f"min: {lo}, max: {hi}"
    return f"min: {lo}" if lo is not None else f"max: {hi}"


@dataclass(frozen=True)
class Translation:
    """Where a deprecated property's value goes: ``convert``-ed into ``target``.

    With ``extend`` the converted list is added to the target's list (upstream's ADD rule);
    otherwise it takes the target's place, and giving both properties is a conflict
    (upstream's REPLACE rule).
    """

    target: str
    convert: Callable[[Any], Any] = lambda value: value
    extend: bool = False


@dataclass(frozen=True)
class Schema:
    """One property: its type, default, constraints and how an update treats it."""

    type: str
    description: str = ""
    default: Any = None
    required: bool = False
    constraints: tuple[Constraint, ...] = ()
    update_allowed: bool = False
    immutable: bool = False
    schema: Mapping[str, Schema] | Schema | None = None
    support_status: SupportStatus = field(default_factory=SupportStatus)
    translation: Translation | None = None

    def convert(self, value: Any) -> Any:
        """The value in this schema's type, or ValueError."""
        if self.type == ANY or value is None:
            return value
        if self.type == STRING:
            if isinstance(value, dict | list):
                raise ValueError(f"Value must be a string; got {value!r}")
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)
        if self.type == INTEGER:
            if isinstance(value, bool):
                raise ValueError(f"{value!r} is not an integer.")
            try:
                number = float(value) if not isinstance(value, int) else value
            except (TypeError, ValueError):
                raise ValueError(f'"{value}" is not an integer.') from None
            if number != int(number):
                raise ValueError(f'"{value}" is not an integer.')
            return int(number)
        if self.type == NUMBER:
            if isinstance(value, bool):
                raise ValueError(f'"{value}" is not a valid number')
            if isinstance(value, int | float):
                return value
            try:
                return int(str(value))
            except ValueError:
                try:
                    return float(str(value))
                except ValueError:
                    raise ValueError(f"Value '{value}' is invalid") from None
        if self.type == BOOLEAN:
            return to_boolean(value)
        if self.type == LIST:
            if isinstance(value, str) or not isinstance(value, list):
                raise ValueError(f'"{value}" is not a list')
            if isinstance(self.schema, Schema):
                return [self.schema.validate(v, f"{i}") for i, v in enumerate(value)]
            if isinstance(self.schema, Mapping):
                return [validate_properties(self.schema, v, str(i)) for i, v in enumerate(value)]
            return list(value)
        if self.type == MAP:
            if not isinstance(value, Mapping):
                raise ValueError(f'"{value}" is not a map')
            if isinstance(self.schema, Mapping):
                return validate_properties(self.schema, value, "")
            return dict(value)
        raise ValueError(f"Unknown property type {self.type}")

    def validate(self, value: Any, path: str) -> Any:
        try:
            converted = self.convert(value)
            if converted is not None:
                for constraint in self.constraints:
                    constraint.check(converted)
        except exception.StackValidationFailed as ex:
            raise exception.StackValidationFailed(f"{path}.{ex.message}") from ex
        except ValueError as ex:
            raise exception.StackValidationFailed(f"{path}: {ex}") from ex
        return converted

    def to_api(self) -> dict[str, Any]:
        """The property as ``GET /resource_types/{type}`` shows it, in upstream's key order."""
        shown: dict[str, Any] = {"type": self.type.lower()}
        if self.description:
            shown["description"] = self.description
        if self.default is not None:
            shown["default"] = self.default
        nested = self._nested_to_api()
        if nested is not None:
            shown["schema"] = nested
        shown["required"] = self.required
        if self.constraints:
            shown["constraints"] = [c.to_api() for c in self.constraints]
        shown["update_allowed"] = self.update_allowed
        shown["immutable"] = self.immutable
        return shown

    def _nested_to_api(self) -> dict[str, Any] | None:
        if isinstance(self.schema, Schema):
            return {ANY_INDEX: self.schema.to_api()}
        if isinstance(self.schema, Mapping):
            members = {name: s.to_api() for name, s in self.schema.items()}
            if self.type == LIST:  # a list of maps, each map with these members
                return {ANY_INDEX: {**Schema(MAP).to_api(), "schema": members}}
            return members
        return None


@dataclass(frozen=True)
class Attribute:
    """One attribute a resource exposes to get_attr."""

    description: str = ""
    type: str | None = None
    support_status: SupportStatus = field(default_factory=SupportStatus)

    def to_api(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"description": self.description} if self.description else {}
        if self.type:
            shown["type"] = self.type.lower()
        return shown


class AnyAttributes(Mapping[str, Attribute]):
    """The attributes of a stand-in type: any name is one (its value None), none is listed."""

    def __getitem__(self, key: str) -> Attribute:
        return Attribute()

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


# Every resource has these besides its own (``show`` is answered by Resource.show()).
BASE_ATTRIBUTES: Mapping[str, Attribute] = {
    "show": Attribute("Detailed information about resource.", MAP),
}


def translate(schema: Mapping[str, Schema], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with each deprecated property's value moved where its Translation says."""
    moved = dict(values)
    for key, prop in schema.items():
        rule = prop.translation
        if rule is None or moved.get(key) is None:
            continue
        value = rule.convert(moved.pop(key))
        current = moved.get(rule.target)
        if current is None:
            moved[rule.target] = value
        elif rule.extend and isinstance(current, list):
            moved[rule.target] = [*current, *value]
        else:
            raise exception.ResourcePropertyConflict(props=f"{key}, {rule.target}")
    return moved


def validate_properties(
    schema: Mapping[str, Schema], values: Any, path: str, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Resolved property values checked against ``schema``, defaults filled in.

    Errors read like upstream's: ``Property error: resources.r.properties.length: ...``
    (``path`` is the prefix up to ``properties``). Keys in ``skip`` are not known
    yet (they wait on other resources) and are left unchecked. Deprecated properties
    are translated first, so the rest sees only their replacements.
    """
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise exception.StackValidationFailed(f"{path}: Properties must be a map")
    for key in values:
        if key not in schema:
            raise exception.StackValidationFailed(f"{path}: Unknown Property {key}")
    values = translate(schema, values)
    out: dict[str, Any] = {}
    for key, prop in schema.items():
        if key in skip:
            continue
        where = f"{path}.{key}" if path else key
        if key in values and values[key] is not None:
            out[key] = prop.validate(values[key], where)
        elif prop.required:
            raise exception.StackValidationFailed(f"{where}: Property {key} not assigned")
        elif prop.translation is None:
            out[key] = copy.deepcopy(prop.default)
    return out
