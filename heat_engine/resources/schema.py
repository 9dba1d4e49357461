"""Property and attribute schemas that resource plugins declare, and property validation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Range:
    min: float | None = None
    max: float | None = None

    def check(self, value: Any) -> None:
        if (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        ):
            raise ValueError(f"{value} is out of range ({_bounds(self.min, self.max)}).")


@dataclass(frozen=True)
class Length:
    min: int | None = None
    max: int | None = None

    def check(self, value: Any) -> None:
        size = len(value)
        if (self.min is not None and size < self.min) or (self.max is not None and size > self.max):
            raise ValueError(f"length ({size}) is out of range ({_bounds(self.min, self.max)}).")


@dataclass(frozen=True)
class AllowedValues:
    values: tuple[Any, ...]

    def check(self, value: Any) -> None:
        if value not in self.values:
            raise ValueError(f'"{value}" is not an allowed value {list(self.values)}')


@dataclass(frozen=True)
class AllowedPattern:
    pattern: str

    def check(self, value: Any) -> None:
        if not re.fullmatch(self.pattern, str(value)):
            raise ValueError(f'"{value}" does not match pattern "{self.pattern}"')


def _bounds(lo: Any, hi: Any) -> str:
    if lo is not None and hi is not None:
        return f"min: {lo}, max: {hi}"
    return f"min: {lo}" if lo is not None else f"max: {hi}"


@dataclass(frozen=True)
class Schema:
    """One property: its type, default, constraints and how an update treats it."""

    type: str
    description: str = ""
    default: Any = None
    required: bool = False
    constraints: tuple[Any, ...] = ()
    update_allowed: bool = False
    immutable: bool = False
    schema: Mapping[str, Schema] | Schema | None = None

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


@dataclass(frozen=True)
class Attribute:
    """One attribute a resource exposes to get_attr."""

    description: str = ""
    type: str | None = None


def validate_properties(
    schema: Mapping[str, Schema], values: Any, path: str, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Resolved property values checked against ``schema``, defaults filled in.

    Errors read like upstream's: ``Property error: resources.r.properties.length: ...``
    (``path`` is the prefix up to ``properties``). Keys in ``skip`` are not known
    yet (they wait on other resources) and are left unchecked.
    """
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise exception.StackValidationFailed(f"{path}: Properties must be a map")
    out: dict[str, Any] = {}
    for key in values:
        if key not in schema:
            raise exception.StackValidationFailed(f"{path}: Unknown Property {key}")
    for key, prop in schema.items():
        if key in skip:
            continue
        where = f"{path}.{key}" if path else key
        if key in values and values[key] is not None:
            out[key] = prop.validate(values[key], where)
        elif prop.required:
            raise exception.StackValidationFailed(f"{where}: Property {key} not assigned")
        else:
            out[key] = prop.default
    return out
