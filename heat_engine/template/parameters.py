"""Template parameters: schemas, user values, type conversion and constraints."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from common import exception

HIDDEN_VALUE = "******"

TYPES = ("string", "number", "json", "comma_delimited_list", "boolean")
CFN_TYPES = {
    "String": "string",
    "Number": "number",
    "Json": "json",
    "CommaDelimitedList": "comma_delimited_list",
    "List<Number>": "comma_delimited_list",
    "Boolean": "boolean",
}
PSEUDO_PARAMETERS = ("OS::stack_name", "OS::stack_id", "OS::project_id")
CFN_PSEUDO_PARAMETERS = ("AWS::StackName", "AWS::StackId", "AWS::Region")

_TRUE = ("1", "t", "true", "on", "y", "yes")
_FALSE = ("0", "f", "false", "off", "n", "no")


def to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f'Unrecognized value "{value}", acceptable values are: true, false.')


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError(f'"{value}" is not a valid number')
    if isinstance(value, int | float):
        return value
    try:
        return int(str(value))
    except ValueError:
        try:
            return float(str(value))
        except ValueError as ex:
            raise ValueError(f"Value '{value}' is invalid") from ex


@dataclass(frozen=True)
class ParameterSchema:
    """One parameter as the template declares it."""

    name: str
    type: str
    default: Any = None
    has_default: bool = False
    description: str = ""
    label: str | None = None
    hidden: bool = False
    immutable: bool = False
    constraints: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def convert(self, value: Any) -> Any:
        """The typed value, or ValueError saying why it is not one."""
        if self.type == "number":
            return to_number(value)
        if self.type == "boolean":
            return to_boolean(value)
        if self.type == "json":
            if isinstance(value, str):
                try:
                    value = json.loads(value) if value else {}
                except ValueError as ex:
                    raise ValueError(f"Value must be valid JSON: {ex}") from ex
            if not isinstance(value, dict | list):
                raise ValueError(f"Value must be valid JSON: {value!r}")
            return value
        if self.type == "comma_delimited_list":
            if isinstance(value, list):
                return [str(v) if not isinstance(v, str) else v for v in value]
            text = "" if value is None else str(value)
            return [p.strip() for p in text.split(",")] if text else []
        if isinstance(value, dict | list):
            raise ValueError(f"Value must be a string; got {value!r}")
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    def check_constraints(self, value: Any) -> None:
        for constraint in self.constraints:
            check_constraint(constraint, value, self.type)

    def validate(self, value: Any) -> Any:
        try:
            typed = self.convert(value)
            self.check_constraints(typed)
        except ValueError as ex:
            raise exception.StackValidationFailed(
                f"Parameter '{self.name}' is invalid: {ex}"
            ) from ex
        return typed


def check_constraint(constraint: Mapping[str, Any], value: Any, ptype: str) -> None:
    description = constraint.get("description")

    def fail(default_message: str) -> None:
        raise ValueError(description or default_message)

    if "length" in constraint:
        bounds = constraint["length"]
        size = len(value)
        lo, hi = bounds.get("min"), bounds.get("max")
        if (lo is not None and size < lo) or (hi is not None and size > hi):
            fail(_range_message("length", lo, hi))
    if "range" in constraint:
        bounds = constraint["range"]
        lo, hi = bounds.get("min"), bounds.get("max")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            fail(f"{value} is out of range ({_bounds(lo, hi)}).")
    if "allowed_values" in constraint:
        allowed = constraint["allowed_values"]
        candidates = value if ptype == "comma_delimited_list" else [value]
        for item in candidates:
            if item not in allowed and str(item) not in [str(a) for a in allowed]:
                fail(f'"{item}" is not an allowed value {allowed}')
    if "allowed_pattern" in constraint:
        pattern = constraint["allowed_pattern"]
        if not re.fullmatch(pattern, str(value)):
            fail(f'"{value}" does not match pattern "{pattern}"')


def _bounds(lo: Any, hi: Any) -> str:
    if lo is not None and hi is not None:
        return f"min: {lo}, max: {hi}"
    return f"min: {lo}" if lo is not None else f"max: {hi}"


def _range_message(what: str, lo: Any, hi: Any) -> str:
    return f"{what} must be in range ({_bounds(lo, hi)})."


def parse_schema(name: str, raw: Any, cfn: bool = False) -> ParameterSchema:
    """A parameter schema from its template definition; errors name the parameter."""
    where = f"Parameters.{name}" if cfn else f"parameters.{name}"
    if not isinstance(raw, Mapping):
        raise exception.InvalidSchemaError(
            message=f"Invalid parameter {name}: the definition must be a map ({where})"
        )
    type_key = "Type" if cfn else "type"
    if type_key not in raw:
        raise exception.InvalidSchemaError(message=f"Missing parameter type for parameter: {name}")
    ptype = raw[type_key]
    ptype = CFN_TYPES.get(ptype, ptype) if cfn else ptype
    if ptype not in TYPES:
        raise exception.InvalidSchemaError(message=f"Invalid type ({raw[type_key]})")
    if cfn:
        constraints = _cfn_constraints(raw)
        schema = ParameterSchema(
            name=name,
            type=ptype,
            default=raw.get("Default"),
            has_default="Default" in raw,
            description=raw.get("Description", ""),
            hidden=to_boolean(raw.get("NoEcho", False)),
            constraints=constraints,
        )
    else:
        raw_constraints = raw.get("constraints", [])
        if not isinstance(raw_constraints, list):
            raise exception.InvalidSchemaError(
                message=f"Invalid parameter constraints for parameter {name}, expected a list"
            )
        schema = ParameterSchema(
            name=name,
            type=ptype,
            default=raw.get("default"),
            has_default="default" in raw,
            description=raw.get("description", ""),
            label=raw.get("label"),
            hidden=to_boolean(raw.get("hidden", False)),
            immutable=to_boolean(raw.get("immutable", False)),
            constraints=tuple(raw_constraints),
        )
    if schema.has_default and schema.default is not None:
        try:
            schema.check_constraints(schema.convert(schema.default))
        except ValueError as ex:
            raise exception.InvalidSchemaError(
                message=f"Invalid default {schema.default} ({ex})"
            ) from ex
    return schema


def _cfn_constraints(raw: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    out: list[dict[str, Any]] = []
    if "AllowedValues" in raw:
        out.append({"allowed_values": raw["AllowedValues"]})
    if "AllowedPattern" in raw:
        out.append({"allowed_pattern": raw["AllowedPattern"]})
    if "MinLength" in raw or "MaxLength" in raw:
        out.append({"length": _minmax(raw.get("MinLength"), raw.get("MaxLength"))})
    if "MinValue" in raw or "MaxValue" in raw:
        out.append({"range": _minmax(raw.get("MinValue"), raw.get("MaxValue"))})
    if out and "ConstraintDescription" in raw:
        out[-1]["description"] = raw["ConstraintDescription"]
    return tuple(out)


def _minmax(lo: Any, hi: Any) -> dict[str, Any]:
    bounds = {}
    if lo is not None:
        bounds["min"] = to_number(lo)
    if hi is not None:
        bounds["max"] = to_number(hi)
    return bounds


class Parameters:
    """The stack's parameter values: user values over defaults, typed and checked."""

    def __init__(
        self,
        schemas: Mapping[str, ParameterSchema],
        user_values: Mapping[str, Any],
        pseudo: Mapping[str, Any],
        validate_values: bool = True,
    ) -> None:
        self.schemas = dict(schemas)
        for key in user_values:
            if key not in self.schemas:
                raise exception.UnknownUserParameter(key=key)
        self.values: dict[str, Any] = dict(pseudo)
        for name, schema in self.schemas.items():
            if name in user_values:
                raw = user_values[name]
            elif schema.has_default:
                raw = schema.default
            else:
                if validate_values:
                    raise exception.UserParameterMissing(key=name)
                continue
            self.values[name] = schema.validate(raw) if validate_values else raw

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.schemas

    def get(self, name: str) -> Any:
        if name not in self.values:
            raise exception.UserParameterMissing(key=name)
        return self.values[name]

    def display(self) -> dict[str, str]:
        """Values as the API shows them: strings, hidden ones masked."""
        shown: dict[str, str] = {}
        for name, value in self.values.items():
            schema = self.schemas.get(name)
            if schema is not None and schema.hidden:
                shown[name] = HIDDEN_VALUE
            elif isinstance(value, str):
                shown[name] = value
            elif isinstance(value, bool):
                shown[name] = "true" if value else "false"
            elif isinstance(value, list) and schema is not None and schema.type != "json":
                shown[name] = ",".join(value)
            elif isinstance(value, dict | list):
                shown[name] = json.dumps(value)
            else:
                shown[name] = str(value)
        return shown
