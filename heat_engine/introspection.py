"""What the engine says about templates and resource types without making a stack.

Template versions and their functions, the resource types and their schemas, a template
generated from a type, and the validation of a template with the parameter form it implies
(``POST /validate``). Answers follow upstream Heat's shapes; where this module differs:

* A hidden parameter's value is never returned in clear text: validation shows its
  ``Default``, its ``Value`` and its entries in the environment as ``******`` (upstream
  returns all three as given).
* Validation checks property values that do not depend on functions (and required
  properties) as stack create would; upstream only looks for unknown property names.
  Values that come from functions are left to create, as upstream leaves them all.
* ``ignore_errors`` with an unknown code is a 400; upstream answers 200 with a stringified
  error object. The only code upstream knows (99001, a cloud service missing for a
  type) never arises here.
* A generated template gives an ``Any`` property a ``json`` parameter (upstream fails with
  a 500) and leaves out constraints a parameter cannot express (upstream writes ``{}``).
"""

from __future__ import annotations

import inspect
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from oslo_config import cfg

from common import exception
from heat_engine.graph import Graph
from heat_engine.resources import registry
from heat_engine.resources import schema as s
from heat_engine.resources.base import Resource
from heat_engine.template import environment, parameters, versions
from heat_engine.template import functions as fn
from heat_engine.template.template import Template
from heat_engine.validation import check_deletion_policies

HOT, CFN = "hot", "cfn"
IGNORABLE_ERROR_CODES = ("99001",)
NO_DESCRIPTION = "No description"
NO_TYPE_DESCRIPTION = "No description available"
GENERATED_HOT_VERSION = "2016-10-14"
GENERATED_CFN_VERSION = "2012-12-12"
# what validate shows of the environment (no encrypted_param_names, as upstream)
ENVIRONMENT_SHOWN = ("resource_registry", "parameters", "parameter_defaults", "event_sinks")

# The API describes each function with upstream's words (the first line of its docstring).
FUNCTION_DESCRIPTIONS = {
    "and": "A function that acts as an AND operator on conditions.",
    "contains": "A function for checking whether specific value is in sequence.",
    "digest": "A function for performing digest operations.",
    "equals": "A function for comparing whether two values are equal.",
    "filter": "A function for filtering out values from lists.",
    "get_attr": "A function for resolving resource attributes.",
    "get_file": "A function for including a file inline.",
    "get_param": "A function for resolving parameter references.",
    "get_resource": "A function for resolving resource references.",
    "if": "A function to return corresponding value based on condition evaluation.",
    "list_concat": "A function for extending lists.",
    "list_concat_unique": "A function for extending lists with unique items.",
    "list_join": "A function for joining one or more lists of strings.",
    "make_url": "A function for performing substitutions on maps.",
    "map_merge": "A function for merging maps.",
    "map_replace": "A function for performing substitutions on maps.",
    "not": "A function that acts as a NOT operator on a condition.",
    "or": "A function that acts as an OR operator on conditions.",
    "repeat": "A function for iterating over a list of items or a dict of keys.",
    "resource_facade": "A function for retrieving data in a parent provider template.",
    "str_replace": "A function for performing string substitutions.",
    "str_replace_strict": "A function for performing string substitutions.",
    "str_replace_vstrict": "A function for performing string substitutions.",
    "str_split": "A function for splitting delimited strings into a list.",
    "yaql": "A function for executing a yaql expression.",
    "Fn::And": "A function that acts as an AND operator on conditions.",
    "Fn::Base64": "A placeholder function for converting to base64.",
    "Fn::Equals": "A function for comparing whether two values are equal.",
    "Fn::FindInMap": "A function for resolving keys in the template mappings.",
    "Fn::GetAZs": "A function for retrieving the availability zones.",
    "Fn::GetAtt": "A function for resolving resource attributes.",
    "Fn::If": "A function to return corresponding value based on condition evaluation.",
    "Fn::Join": "A function for joining strings.",
    "Fn::MemberListToMap": "A function to convert lists with enumerated keys and values to "
    "mapping.",
    "Fn::Not": "A function that acts as a NOT operator on a condition.",
    "Fn::Or": "A function that acts as an OR operator on conditions.",
    "Fn::Replace": "A function for performing string substitutions.",
    "Fn::ResourceFacade": "A function for retrieving data in a parent provider template.",
    "Fn::Select": "A function for selecting an item from a list or map.",
    "Fn::Split": "A function for splitting strings.",
    "Ref": "A function for resolving parameters or resource references.",
}
# HOT versions before a date had a simpler function under the same name.
EARLIER_HOT_DESCRIPTIONS = {
    "list_join": ("2015-10-15", "A function for joining strings."),
    "repeat": ("2016-10-14", "A function for iterating over a list of items."),
}
CONDITION_DESCRIPTIONS = {"Ref": "A function for resolving parameter references."}


@dataclass(frozen=True)
class ListedVersion:
    """A template version as the API names it, and what it accepts."""

    key: str
    date: str
    accepts: versions.TemplateVersion

    @property
    def name(self) -> str:
        return f"{self.key}.{self.date}"

    @property
    def kind(self) -> str:
        return HOT if self.key == versions.HOT_KEY else CFN

    @property
    def aliases(self) -> list[str]:
        return [f"{self.key}.{self.accepts.alias}"] if self.accepts.alias else []


def template_versions() -> list[ListedVersion]:
    """Every version, sorted by name as upstream sorts them (CFN, then HOT by date)."""
    found = [ListedVersion(versions.HOT_KEY, d, v) for d, v in versions.HOT_VERSIONS.items()]
    found += [
        ListedVersion(key, d, v)
        for key, dates in versions.CFN_VERSIONS.items()
        for d, v in dates.items()
    ]
    return sorted(found, key=lambda v: v.name)


def list_template_versions() -> list[dict[str, Any]]:
    return [{"version": v.name, "type": v.kind, "aliases": v.aliases} for v in template_versions()]


def list_template_functions(template_version: str, with_condition: bool) -> list[dict[str, str]]:
    """The functions of a version (named by date or alias); condition functions come last."""
    version = next(
        (v for v in template_versions() if template_version in (v.name, *v.aliases)), None
    )
    if version is None:
        raise exception.NotFound(message=f"Template with version {template_version} not found")
    listed = {n: (f, False) for n, f in version.accepts.functions.items() if _is_function(f)}
    if with_condition:  # a name in both tables takes its meaning in conditions
        conditions = version.accepts.condition_functions.items()
        listed.update({n: (f, True) for n, f in conditions if _is_function(f)})
    return [
        {"functions": name, "description": _describe_function(name, version, is_condition)}
        for name, (_, is_condition) in listed.items()
    ]


def _is_function(value: type[fn.Function]) -> bool:
    """False for the tables' markers of names that are not functions there."""
    return not issubclass(value, fn.Removed | fn.NotInContext)


def _describe_function(name: str, version: ListedVersion, is_condition: bool) -> str:
    if is_condition and name in CONDITION_DESCRIPTIONS:
        return CONDITION_DESCRIPTIONS[name]
    until, earlier = EARLIER_HOT_DESCRIPTIONS.get(name, ("", ""))
    if version.kind == HOT and version.date < until:
        return earlier
    return FUNCTION_DESCRIPTIONS.get(name, "")


# Resource types ------------------------------------------------------------------


def describe_type(cls: type[Resource]) -> str:
    """A type's user-facing description: its plugin's docstring, as upstream gives it."""
    return inspect.cleandoc(cls.__doc__) if cls.__doc__ is not None else NO_TYPE_DESCRIPTION


def list_resource_types(
    support_status: str | None = None,
    type_name: str | None = None,
    heat_version: str | None = None,
    with_description: bool = False,
) -> list[Any]:
    """Type names (or names with descriptions) matching every filter given; never hidden ones.

    ``type_name`` is a regular expression matched at the start of the name; one that does
    not compile matches nothing, as upstream has it.
    """
    if support_status is not None and support_status not in s.SUPPORT_STATUSES:
        raise exception.Invalid(
            reason="Data supplied was not valid: Invalid support status and should be one "
            f"of {s.SUPPORT_STATUSES}"
        )
    try:
        pattern = re.compile(type_name) if type_name is not None else None
    except re.error:
        return []
    found: list[Any] = []
    for name, cls in sorted(registry.RESOURCE_TYPES.items()):
        status = s.support_status_of(cls.support_status)
        if (
            status.is_hidden
            or (pattern is not None and not pattern.match(name))
            or (heat_version is not None and status.version != heat_version)
            or (support_status is not None and status.status != support_status)
        ):
            continue
        found.append(
            {"resource_type": name, "description": describe_type(cls)} if with_description else name
        )
    return found


def _plugin(type_name: str) -> type[Resource]:
    cls = registry.RESOURCE_TYPES.get(type_name)
    if cls is None:
        raise exception.EntityNotFound(entity="Resource Type", name=type_name)
    if s.support_status_of(cls.support_status).is_hidden:
        raise exception.NotSupported(feature=type_name)
    return cls


def _shown_properties(cls: type[Resource]) -> dict[str, s.Schema]:
    return {k: p for k, p in cls.properties_schema.items() if not p.support_status.is_hidden}


def _shown_attributes(cls: type[Resource]) -> dict[str, s.Attribute]:
    own = {k: a for k, a in cls.attributes_schema.items() if not a.support_status.is_hidden}
    return {**own, **s.BASE_ATTRIBUTES}


def resource_schema(type_name: str, with_description: bool = False) -> dict[str, Any]:
    cls = _plugin(type_name)
    shown = {
        "resource_type": type_name,
        "properties": {k: p.to_api() for k, p in _shown_properties(cls).items()},
        "attributes": {k: a.to_api() for k, a in _shown_attributes(cls).items()},
        "support_status": s.support_status_of(cls.support_status).to_api(),
    }
    if with_description:
        shown["description"] = describe_type(cls)
    return shown


# A template generated from a type -------------------------------------------------

PARAMETER_TYPES = {  # property type -> (HOT, CFN) parameter type
    s.INTEGER: ("number", "Number"),
    s.STRING: ("string", "String"),
    s.NUMBER: ("number", "Number"),
    s.BOOLEAN: ("boolean", "Boolean"),
    s.MAP: ("json", "Json"),
    s.LIST: ("comma_delimited_list", "CommaDelimitedList"),
    s.ANY: ("json", "Json"),
}
HOT_PARAMETER_CONSTRAINTS = (s.Length, s.Range, s.AllowedValues, s.AllowedPattern)
CFN_BOUNDS = {s.Length: ("MinLength", "MaxLength"), s.Range: ("MinValue", "MaxValue")}
CFN_BOOLEANS = ["True", "true", "False", "false"]


def generate_template(type_name: str, template_type: str = CFN) -> dict[str, Any]:
    """A provider template that mirrors the type: a parameter per property, an output per
    attribute (and ``OS::stack_id``), one resource named after the plugin class."""
    cls = _plugin(type_name)
    name = cls.__name__
    props = _shown_properties(cls)
    attrs = _shown_attributes(cls)
    description = f"Initial template of {name}"
    if template_type == HOT:
        outputs = {
            k: {"value": {"get_attr": [name, k]}, "description": a.description or None}
            for k, a in attrs.items()
        }
        return {
            "heat_template_version": GENERATED_HOT_VERSION,
            "description": description,
            "parameters": {k: _hot_parameter(p) for k, p in props.items()},
            "outputs": {**outputs, "OS::stack_id": {"value": {"get_resource": name}}},
            "resources": {
                name: {"type": type_name, "properties": {k: {"get_param": k} for k in props}}
            },
        }
    cfn_outputs = {
        k: {"Value": {"Fn::GetAtt": [name, k]}, "Description": a.description or None}
        for k, a in attrs.items()
    }
    return {
        "HeatTemplateFormatVersion": GENERATED_CFN_VERSION,
        "Description": description,
        "Parameters": {k: _cfn_parameter(p) for k, p in props.items()},
        "Resources": {
            name: {
                "Type": type_name,
                "Properties": {k: _cfn_property(k, p) for k, p in props.items()},
            }
        },
        "Outputs": {**cfn_outputs, "OS::stack_id": {"Value": {"Ref": name}}},
    }


def _hot_parameter(prop: s.Schema) -> dict[str, Any]:
    shown: dict[str, Any] = {"type": PARAMETER_TYPES[prop.type][0]}
    if prop.description:
        shown["description"] = prop.description
    if prop.default is not None:
        shown["default"] = prop.default
    constraints = [
        {c.name: c.argument()} for c in prop.constraints if isinstance(c, HOT_PARAMETER_CONSTRAINTS)
    ]
    if constraints:
        shown["constraints"] = constraints
    return shown


def _cfn_parameter(prop: s.Schema) -> dict[str, Any]:
    shown: dict[str, Any] = {"Type": PARAMETER_TYPES[prop.type][1]}
    if prop.description:
        shown["Description"] = prop.description
    if prop.default is not None:
        shown["Default"] = prop.default
    for c in prop.constraints:
        if isinstance(c, s.Length | s.Range):
            low, high = CFN_BOUNDS[type(c)]
            shown.update({k: v for k, v in ((low, c.min), (high, c.max)) if v is not None})
        elif isinstance(c, s.AllowedValues):
            shown["AllowedValues"] = list(c.values)
        elif isinstance(c, s.AllowedPattern):
            shown["AllowedPattern"] = c.pattern
    if prop.type == s.BOOLEAN:
        shown["AllowedValues"] = CFN_BOOLEANS
    return shown


def _cfn_property(name: str, prop: s.Schema) -> dict[str, Any]:
    if prop.type == s.LIST:
        return {"Fn::Split": [",", {"Ref": name}]}
    return {"Ref": name}


# Validation ----------------------------------------------------------------------


def validate_template(
    conf: cfg.ConfigOpts,
    tenant: str,
    template_data: Mapping[str, Any] | None,
    params: Mapping[str, Any] | None,
    files: Mapping[str, Any] | None = None,
    environment_files: list[str] | None = None,
    files_container: str | None = None,
    ignorable_errors: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The template's description, parameter form and environment, or ``{"Error": why}``.

    As upstream: a fault in the template's content is an ``Error`` (the API's 400
    HTTPBadRequest); a bad version, parameter schema, reference, user parameter or a
    dependency cycle raises its own error. Parameters need no values, except those that
    conditions read.
    """
    if template_data is None:
        return {"Error": "No Template provided."}
    unknown_codes = sorted(set(ignorable_errors or ()) - set(IGNORABLE_ERROR_CODES))
    if unknown_codes:
        return {"Error": f"Invalid codes in ignore_errors : {unknown_codes}"}
    if files_container:
        raise exception.NotSupported(feature="Reading files from a container (files_container)")
    try:
        template = Template(template_data, files)
        env = environment.Environment.from_request(
            params, environment_files, files, template.parameter_schemas
        )
    except (
        exception.StackValidationFailed,
        exception.InvalidTemplateSection,
        exception.Invalid,
    ) as ex:
        return {"Error": as_validate_message(ex.message)}
    schemas = template.parameter_schemas
    values = template.parameters(
        env.user_parameters(schemas), "dummy", str(uuid.uuid4()), tenant, validate_values=False
    )
    try:
        _check_stack(conf, template, env, values)
    except exception.StackValidationFailed as ex:
        return {"Error": as_validate_message(ex.message)}
    return _parameter_form(template, env)


def as_validate_message(message: str) -> str:
    """A validation error as upstream's validate words it.

    The template package words errors as stack create reports them, where upstream's RPC
    layer has doubled each separator (``Property error: : resources.r: : ...``); validate
    returns the engine's own text (``Property error: resources.r: ...``).
    """
    return message.replace(": : ", ": ")


def _check_stack(
    conf: cfg.ConfigOpts,
    template: Template,
    env: environment.Environment,
    values: parameters.Parameters,
) -> None:
    """Upstream's checks and order: size, types, the template's own validation (groups,
    conditions, references, names, functions, outputs), cycles, then properties."""
    limit = conf.max_resources_per_stack
    if 0 <= limit < len(template.resources):
        raise exception.StackValidationFailed(
            exception.RequestLimitExceeded(
                message=f"You have reached the maximum resources per stack, {limit}. "
                "Please reduce the number of resources."
            ).message
        )
    classes = {
        name: registry.get_class(env.registry.resolve_type(d.type, name, _is_known_type))
        for name, d in template.resources.items()
    }
    check_deletion_policies(template.resources, classes)
    template.validate(values, _attribute_names)
    Graph(template.dependencies(values)).check_acyclic()
    for name, definition in template.active_resources(values).items():
        props = definition.properties
        if not isinstance(props, Mapping):
            continue  # the whole section comes from a function
        waiting = frozenset(k for k, v in props.items() if any(fn.iter_functions(v)))
        static = {k: None if k in waiting else v for k, v in props.items()}
        classes[name].validate_properties(static, name, skip=waiting)


def _is_known_type(type_name: str) -> bool:
    return type_name in registry.RESOURCE_TYPES


def _attribute_names(type_name: str) -> set[str] | None:
    """What get_attr may ask of a type; None where it cannot be told (any name will do)."""
    cls = registry.RESOURCE_TYPES.get(type_name)
    if cls is None or isinstance(cls.attributes_schema, s.AnyAttributes):
        return None
    return {*cls.attributes_schema, *s.BASE_ATTRIBUTES}


def _parameter_form(template: Template, env: environment.Environment) -> dict[str, Any]:
    """What validate answers: the description, each parameter, the groups, the environment."""
    schemas = template.parameter_schemas
    form: dict[str, Any] = {
        "Description": NO_DESCRIPTION if template.description is None else template.description,
        "Parameters": {n: _describe_parameter(p, env) for n, p in schemas.items()},
    }
    groups = template.data.get("parameter_groups") if template.is_hot else None
    if groups:
        form["ParameterGroups"] = groups
    shown = env.display(schemas)
    form["Environment"] = {k: shown[k] for k in ENVIRONMENT_SHOWN}
    return form


def _describe_parameter(
    schema: parameters.ParameterSchema, env: environment.Environment
) -> dict[str, Any]:
    """One parameter as validate shows it: a default from the environment's
    parameter_defaults wins over the template's, and a hidden one's values are masked."""
    shown = schema.describe(env.parameters.get(schema.name))
    if env.parameter_defaults.get(schema.name) is not None:
        shown["Default"] = env.parameter_defaults[schema.name]
    if schema.hidden:
        shown.update({k: parameters.HIDDEN_VALUE for k in ("Default", "Value") if k in shown})
    return shown
