"""Template parameters: schemas, user values, type conversion, constraints, groups, immutability.

Messages follow upstream Heat word for word: a bad definition is an ``InvalidSchemaError``,
a bad value a ``StackValidationFailed`` reading "Parameter 'x' is invalid: ...".

Booleans are shown as "true"/"false" (stack show, validate); upstream shows Python's
"True"/"False", which no template language spells that way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from common import exception
from heat_engine.template import constraints as constr

HIDDEN_VALUE = "******"

STRING, NUMBER, LIST, JSON, BOOLEAN = (
    constr.STRING,
    constr.NUMBER,
    constr.LIST,
    constr.JSON,
    constr.BOOLEAN,
)
TYPES = (STRING, NUMBER, JSON, LIST, BOOLEAN)

# Upstream knows only these five CFN types; List<Number>, AWS::EC2::KeyPair::KeyName and the
# other AWS-specific types are refused with "Invalid type (...)", and so they are here.
CFN_TYPES = {
    "String": STRING,
    "Number": NUMBER,
    "Json": JSON,
    "CommaDelimitedList": LIST,
    "Boolean": BOOLEAN,
}
CFN_TYPE_NAMES = {hot: cfn for cfn, hot in CFN_TYPES.items()}

HOT_KEYS = ("type", "description", "default", "schema", "constraints", "hidden", "label")
HOT_KEYS_IMMUTABLE = (*HOT_KEYS, "immutable")
CFN_KEYS = (
    "Type",
    "Default",
    "NoEcho",
    "AllowedValues",
    "AllowedPattern",
    "MaxLength",
    "MinLength",
    "MaxValue",
    "MinValue",
    "Description",
    "ConstraintDescription",
    "Label",
)
MODULO_FROM = "2017-02-24"
TAGS_FROM = "2018-03-02"

PSEUDO_PARAMETERS = ("OS::stack_name", "OS::stack_id", "OS::project_id")
CFN_PSEUDO_PARAMETERS = ("AWS::StackName", "AWS::StackId", "AWS::Region")
# Upstream builds the pseudo parameters of a template without a stack to check parameter
# groups, which leaves these two (and not OS::stack_name) groupable.
GROUPABLE_PSEUDO_PARAMETERS = ("OS::stack_id", "OS::project_id")


def to_boolean(value: Any) -> bool:
    """True or False from a boolean or one of upstream's spellings (yes/no, on/off, 1/0 ...)."""
    return constr.bool_from_string(value)


def to_number(value: Any) -> int | float:
    """An int when the text is one, else a float; ValueError with Python's words otherwise."""
    if isinstance(value, bool):
        return int(value)
    try:
        return constr.str_to_num(value)
    except TypeError as ex:
        raise ValueError(str(ex)) from ex


def _flag(value: Any) -> bool:
    """A schema flag (hidden, immutable): upstream takes any true-ish value."""
    if isinstance(value, str):
        try:
            return to_boolean(value)
        except ValueError:
            return bool(value)
    return bool(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _parse_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_text(item) for item in value]
    if isinstance(value, str):
        # Items lose the spaces around them ("a, b" is "a" and "b"), as this project's
        # template tests expect; upstream keeps them ("a" and " b").
        return [item.strip() for item in value.split(",")] if value else []
    raise ValueError(
        f"Value must be a comma-delimited list string: "
        f"'{type(value).__name__}' object has no attribute 'split'"
    )


def _parse_json(value: Any) -> Any:
    try:
        if isinstance(value, str):
            return json.loads(value) if value else value
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as ex:
        raise ValueError(f"Value must be valid JSON: {ex}") from ex


@dataclass(frozen=True)
class ParameterSchema:
    """One parameter as the template declares it; ``type`` is the HOT type name."""

    name: str
    type: str
    default: Any = None
    has_default: bool = False
    description: str = ""
    label: str | None = None
    hidden: bool = False
    immutable: bool = False
    constraints: tuple[constr.Constraint, ...] = field(default_factory=tuple)
    tags: tuple[Any, ...] = ()
    cfn: bool = False

    @property
    def type_name(self) -> str:
        """The type as the template spells it (``number`` in HOT, ``Number`` in CFN)."""
        return CFN_TYPE_NAMES[self.type] if self.cfn else self.type

    def convert(self, value: Any) -> Any:
        """The typed value, or ValueError in upstream's words saying why it is not one."""
        if self.type == NUMBER:
            return to_number(value)
        if self.type == BOOLEAN:
            return to_boolean(value)
        if self.type == LIST:
            return _parse_list(value)
        if self.type == JSON:
            return _parse_json(value)
        return _text(value)

    def check_constraints(self, value: Any, typed: Any, skip_custom: bool = False) -> None:
        """Raise ValueError for the first constraint ``value`` breaks.

        As upstream, lists and JSON are checked parsed; strings, numbers and booleans as
        the user wrote them, so a message quotes the value the user sent.
        """
        shown = typed if self.type in (LIST, JSON, STRING) else value
        for constraint in self.constraints:
            if skip_custom and isinstance(constraint, constr.CustomConstraint):
                continue
            constraint.check(shown, self.type)

    def validate(self, value: Any) -> Any:
        """The typed value, or StackValidationFailed naming the parameter."""
        try:
            typed = self.convert(value)
            self.check_constraints(value, typed)
        except ValueError as ex:
            raise exception.StackValidationFailed(
                f"Parameter '{self.name}' is invalid: {ex}"
            ) from ex
        return typed

    def text(self, typed: Any) -> str:
        """A typed value as stack show renders it (hidden values masked)."""
        if self.hidden:
            return HIDDEN_VALUE
        if self.type == LIST:
            return ",".join(typed)
        if self.type == JSON:
            return json.dumps(typed)
        return _text(typed)

    def describe(self, user_value: Any = None) -> dict[str, Any]:
        """The parameter as the validate API shows it (upstream's CFN-style keys)."""
        shown: dict[str, Any] = {
            "Type": CFN_TYPE_NAMES[self.type],
            "Description": self.description,
            "NoEcho": "true" if self.hidden else "false",
            "Label": self.label or self.name,
        }
        if self.has_default:
            shown["Default"] = self.default
        if user_value:
            shown["Value"] = HIDDEN_VALUE if self.hidden else user_value
        if self.tags:
            shown["Tags"] = list(self.tags)
        descriptions = []
        for constraint in self.constraints:
            shown.update(constraint.describe())
            if constraint.description:
                descriptions.append(constraint.description)
        if descriptions:
            shown["ConstraintDescription"] = " ".join(descriptions)
        return shown


def parse_schema(
    name: str, raw: Any, cfn: bool = False, version: str | None = None
) -> ParameterSchema:
    """A parameter schema from its template definition, checked as upstream checks it.

    ``version`` is the HOT date (``2017-02-24``): modulo constraints exist from 2017-02-24,
    ``tags`` from 2018-03-02; None means the newest. It is ignored for CFN.
    """
    keys = CFN_KEYS if cfn else _hot_keys(version)
    if not isinstance(raw, Mapping):
        raise exception.InvalidSchemaError(
            message=f"Invalid parameter ({name}), expected a mapping"
        )
    for key in raw:
        if key not in keys:
            raise exception.InvalidSchemaError(
                message=f"Invalid key '{key}' for parameter ({name})"
            )
    type_key = "Type" if cfn else "type"
    if type_key not in raw:
        raise exception.InvalidSchemaError(message=f"Missing parameter type for parameter: {name}")
    tags = raw.get("tags", [])
    if not isinstance(tags, list):
        raise exception.InvalidSchemaError(
            message=f"Tags property should be a list for parameter: {name}"
        )
    # As upstream, constraints are read before the type is checked.
    constraints = constr.from_cfn(raw) if cfn else _hot_constraints(name, raw, version)
    declared = raw[type_key]
    ptype = CFN_TYPES.get(declared) if cfn else declared
    if ptype not in TYPES:
        raise exception.InvalidSchemaError(message=f"Invalid type ({declared})")
    schema = _cfn_schema(name, ptype, raw) if cfn else _hot_schema(name, ptype, raw)
    schema = replace(schema, constraints=constraints, tags=tuple(tags))
    _check_schema(schema)
    return schema


def _hot_keys(version: str | None) -> tuple[str, ...]:
    if version is None or version >= TAGS_FROM:
        return (*HOT_KEYS_IMMUTABLE, "tags")
    return HOT_KEYS_IMMUTABLE


def _hot_constraints(
    name: str, raw: Mapping[str, Any], version: str | None
) -> tuple[constr.Constraint, ...]:
    raw_constraints = raw.get("constraints")
    if raw_constraints is None:
        return ()
    if not isinstance(raw_constraints, list):
        raise exception.InvalidSchemaError(
            message=f"Invalid parameter constraints for parameter {name}, expected a list"
        )
    with_modulo = version is None or version >= MODULO_FROM
    return tuple(constr.from_hot(c, with_modulo) for c in raw_constraints)


def _hot_schema(name: str, ptype: str, raw: Mapping[str, Any]) -> ParameterSchema:
    default = raw.get("default")
    return ParameterSchema(
        name=name,
        type=ptype,
        default=default,
        has_default=default is not None,
        description=raw.get("description") or "",
        label=raw.get("label"),
        hidden=_flag(raw.get("hidden", False)),
        immutable=_flag(raw.get("immutable", False)),
    )


def _cfn_schema(name: str, ptype: str, raw: Mapping[str, Any]) -> ParameterSchema:
    default = raw.get("Default")
    return ParameterSchema(
        name=name,
        type=ptype,
        default=default,
        has_default=default is not None,
        description=raw.get("Description") or "",
        label=raw.get("Label"),
        hidden=str(raw.get("NoEcho", "false")).lower() == "true",
        cfn=True,
    )


def _check_schema(schema: ParameterSchema) -> None:
    """Constraints fit the type and the default meets them (custom ones aside), as upstream."""
    prefix = f"Parameter '{schema.name}' is invalid: "
    for constraint in schema.constraints:
        if schema.type not in constraint.valid_types:
            raise exception.InvalidSchemaError(
                message=f"{prefix}{type(constraint).__name__} constraint invalid for "
                f"{schema.type_name}"
            )
    if not schema.has_default:
        return
    if schema.type == LIST and not isinstance(schema.default, list | str):
        raise exception.InvalidSchemaError(
            message=f"{prefix}Default must be a comma-delimited list string: "
            f"'{type(schema.default).__name__}' object has no attribute 'split'"
        )
    if not any(not isinstance(c, constr.CustomConstraint) for c in schema.constraints):
        return
    try:
        typed = schema.convert(schema.default)
        schema.check_constraints(schema.default, typed, skip_custom=True)
    except ValueError as ex:
        raise exception.InvalidSchemaError(
            message=f"{prefix}Invalid default {schema.default} ({ex})"
        ) from ex


class Parameters:
    """The stack's parameter values: user values over defaults, typed and checked.

    ``values`` holds the pseudo parameters and every parameter that has a value; a user
    value of None counts as not given, as upstream.
    """

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
            raw = user_values.get(name)
            if raw is None and schema.has_default:
                raw = schema.default
            if raw is None:
                if validate_values:
                    raise exception.UserParameterMissing(key=name)
                continue
            self.values[name] = schema.validate(raw) if validate_values else _lenient(schema, raw)

    def __contains__(self, name: object) -> bool:
        return name in self.values or name in self.schemas

    def get(self, name: str) -> Any:
        if name not in self.values:
            raise exception.UserParameterMissing(key=name)
        return self.values[name]

    def display(self) -> dict[str, str]:
        """Values as stack show renders them: all text, hidden ones masked."""
        shown: dict[str, str] = {}
        for name, value in self.values.items():
            schema = self.schemas.get(name)
            shown[name] = schema.text(value) if schema is not None else _text(value)
        return shown


def _lenient(schema: ParameterSchema, raw: Any) -> Any:
    try:
        return schema.convert(raw)
    except ValueError:
        return raw


def check_immutable(old_params: Parameters, new_params: Parameters) -> None:
    """Refuse an update that changes a parameter the new template marks immutable.

    Only parameters in both templates count. Values are compared typed, so "5" and 5 for a
    number are the same value (upstream compares the raw new value and refuses that).
    """
    changed = [
        name
        for name, schema in new_params.schemas.items()
        if schema.immutable
        and name in old_params.schemas
        and old_params.values.get(name) != new_params.values.get(name)
    ]
    if changed:
        raise exception.ImmutableParameterModified(keys=", ".join(changed))


def validate_parameter_groups(groups_raw: Any, schemas: Mapping[str, ParameterSchema]) -> None:
    """Check a HOT ``parameter_groups`` section as upstream does, with its messages.

    Each group needs a ``parameters`` list; each name must be a template parameter and may
    appear in one group only. Other keys (label, description, ...) are free.
    """
    if not groups_raw:
        return
    if not isinstance(groups_raw, list):
        _group_error(["parameter_groups"], "The parameter_groups should be a list.")
    known = set(schemas) | set(GROUPABLE_PSEUDO_PARAMETERS)
    grouped: list[Any] = []
    for group in groups_raw:
        if not isinstance(group, Mapping):
            _group_error(["parameter_groups"], "Each parameter group should be a mapping.")
        where = ["parameter_groups", group.get("label", "")]
        members = group.get("parameters")
        if members is None:
            _group_error(where, "The parameters must be provided for each parameter group.")
        if not isinstance(members, list):
            _group_error(where, "The parameters of parameter group should be a list.")
        for member in members:
            if member in grouped:
                _group_error(
                    where, f"The {member} parameter must be assigned to one parameter group only."
                )
            grouped.append(member)
            if not isinstance(member, str) or member not in known:
                _group_error(
                    where, f"The grouped parameter {member} does not reference a valid parameter."
                )


def _group_error(path: list[Any], message: str) -> None:
    where = ""
    for item in path:
        text = str(item)
        if isinstance(item, int) or text.isdigit():
            where += f"[{text}]"
        elif where:
            where += f".{text}"
        else:
            where = text
    raise exception.StackValidationFailed(f"Parameter Groups error: {where}: {message}")
