"""A parsed template (HOT or CFN): sections, parameter schemas, resources and outputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from common import exception
from heat_engine.template import functions as fn
from heat_engine.template import parameters as params
from heat_engine.template import versions

HOT_SECTIONS = (
    "heat_template_version",
    "description",
    "parameter_groups",
    "parameters",
    "resources",
    "outputs",
)
HOT_CONDITIONS_FROM = "2016-10-14"
HOT_RESOURCE_KEYS = (
    "type",
    "properties",
    "metadata",
    "depends_on",
    "update_policy",
    "deletion_policy",
    "description",
)
CFN_SECTIONS = (
    "AWSTemplateFormatVersion",
    "HeatTemplateFormatVersion",
    "Description",
    "Mappings",
    "Parameters",
    "Resources",
    "Outputs",
    "Conditions",
)
CFN_RESOURCE_KEYS = (
    "Type",
    "Properties",
    "Metadata",
    "DependsOn",
    "UpdatePolicy",
    "DeletionPolicy",
    "Description",
    "Condition",
)
DELETION_POLICIES = ("Delete", "Retain", "Snapshot")


@dataclass(frozen=True)
class ResourceDefinition:
    """One resource as the template defines it; properties may hold functions."""

    name: str
    type: str
    properties: Any = field(default_factory=dict)
    metadata: Any = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    deletion_policy: str = "Delete"
    update_policy: Any = None
    description: str = ""

    def dependencies(self, resource_names: set[str]) -> set[str]:
        """Resources this one requires: explicit depends_on plus every reference."""
        refs = fn.dependencies(self.properties) | fn.dependencies(self.metadata)
        return (refs & resource_names) | set(self.depends_on)


@dataclass(frozen=True)
class OutputDefinition:
    name: str
    value: Any
    description: str | None


class Template:
    """A template's sections, read once; ``data`` is what the user sent."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)
        if versions.HOT_KEY in data:
            self.kind = "hot"
            raw = data[versions.HOT_KEY]
            date = versions.hot_date(raw)
            if date is None:
                raise exception.InvalidTemplateVersion(
                    explanation=f'"{versions.HOT_KEY}: {raw}". "{versions.HOT_KEY}" '
                    f"should be one of: {versions.valid_versions_text()}"
                )
            self.version = (versions.HOT_KEY, date)
            self.functions = versions.HOT_VERSIONS[date][1]
        else:
            self.kind = "cfn"
            key = next((k for k in versions.CFN_KEYS if k in data), None)
            if key is None:
                raise exception.InvalidTemplateVersion(
                    explanation="Template version was not provided"
                )
            raw = str(data[key])
            table = versions.CFN_VERSIONS[key].get(raw)
            if table is None:
                valid = ", ".join(versions.CFN_VERSIONS[key])
                raise exception.InvalidTemplateVersion(
                    explanation=f'"{key}: {raw}". "{key}" should be one of: {valid}'
                )
            self.version = (key, raw)
            self.functions = table
        self._check_sections()
        self.parameter_schemas = self._parameter_schemas()
        self.resources = self._resources()
        self.outputs = self._outputs()

    @property
    def is_hot(self) -> bool:
        return self.kind == "hot"

    def _key(self, hot: str, cfn: str) -> str:
        return hot if self.is_hot else cfn

    def _check_sections(self) -> None:
        allowed: tuple[str, ...] = CFN_SECTIONS
        if self.is_hot:
            allowed = HOT_SECTIONS
            if self.version[1] >= HOT_CONDITIONS_FROM:
                allowed = (*allowed, "conditions")
        for section in self.data:
            if section not in allowed:
                raise exception.InvalidTemplateSection(section=section)

    @property
    def description(self) -> str | None:
        return self.data.get(self._key("description", "Description"))

    def _section(self, hot: str, cfn: str) -> Mapping[str, Any]:
        key = self._key(hot, cfn)
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise exception.StackValidationFailed(
                f'The "{key}" section must be a mapping, not {type(value).__name__}.'
            )
        return value

    def _parameter_schemas(self) -> dict[str, params.ParameterSchema]:
        section = self._section("parameters", "Parameters")
        return {
            name: params.parse_schema(name, raw, cfn=not self.is_hot)
            for name, raw in section.items()
        }

    def _resources(self) -> dict[str, ResourceDefinition]:
        section = self._section("resources", "Resources")
        keys = HOT_RESOURCE_KEYS if self.is_hot else CFN_RESOURCE_KEYS
        if self.is_hot and self.version[1] >= HOT_CONDITIONS_FROM:
            keys = (*keys, "condition")
        if self.is_hot and self.version[1] >= "2016-04-08":
            keys = (*keys, "external_id")
        res_key = self._key("resources", "Resources")
        out: dict[str, ResourceDefinition] = {}
        for name, raw in section.items():
            where = f"{res_key}.{name}"
            if not isinstance(raw, Mapping):
                raise exception.StackValidationFailed(
                    f"Resource {name} is not a valid resource definition ({where})."
                )
            for key in raw:
                if key not in keys:
                    raise exception.StackValidationFailed(
                        f'"{key}" is not a valid keyword inside a resource definition',
                        path=where,
                    )
            rtype = raw.get(self._key("type", "Type"))
            if not isinstance(rtype, str) or not rtype:
                raise exception.StackValidationFailed(
                    f'Resource {name} is missing "{self._key("type", "Type")}"', path=where
                )
            depends = raw.get(self._key("depends_on", "DependsOn")) or []
            if isinstance(depends, str):
                depends = [depends]
            if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
                raise exception.StackValidationFailed(
                    "Resource depends_on must be a list or a string", path=where
                )
            for dep in depends:
                if dep not in section:
                    raise exception.InvalidTemplateReference(resource=dep, key=name)
            policy = raw.get(self._key("deletion_policy", "DeletionPolicy"), "Delete")
            if policy not in DELETION_POLICIES:
                raise exception.StackValidationFailed(
                    f'Invalid deletion policy "{policy}"', path=where
                )
            props_key = self._key("properties", "Properties")
            props = raw.get(props_key) or {}
            if not isinstance(props, Mapping):
                raise exception.StackValidationFailed(
                    f'"{props_key}" must be a mapping', path=where
                )
            out[name] = ResourceDefinition(
                name=name,
                type=rtype,
                properties=fn.parse(props, self.functions, (name, props_key.capitalize())),
                metadata=fn.parse(
                    raw.get(self._key("metadata", "Metadata")) or {},
                    self.functions,
                    (name, "Metadata"),
                ),
                depends_on=tuple(depends),
                deletion_policy=policy,
                update_policy=raw.get(self._key("update_policy", "UpdatePolicy")),
                description=raw.get(self._key("description", "Description")) or "",
            )
        return out

    def _outputs(self) -> dict[str, OutputDefinition]:
        section = self._section("outputs", "Outputs")
        out: dict[str, OutputDefinition] = {}
        value_key = self._key("value", "Value")
        for name, raw in section.items():
            if not isinstance(raw, Mapping) or value_key not in raw:
                raise exception.StackValidationFailed(
                    f"Each output definition must contain a {value_key} key.",
                    path=f"{self._key('outputs', 'Outputs')}.{name}",
                )
            out[name] = OutputDefinition(
                name=name,
                value=fn.parse(raw[value_key], self.functions, ("outputs", name, value_key)),
                description=raw.get(self._key("description", "Description")),
            )
        return out

    def pseudo_parameters(self, stack_name: str, stack_id: str, tenant: str) -> dict[str, Any]:
        if self.is_hot:
            return {
                "OS::stack_id": stack_id,
                "OS::project_id": tenant,
                "OS::stack_name": stack_name,
            }
        return {
            "AWS::StackId": f"arn:openstack:heat::{tenant}:stacks/{stack_name}/{stack_id}",
            "AWS::StackName": stack_name,
            "AWS::Region": "ap-southeast-1",
        }

    def parameters(
        self,
        user_values: Mapping[str, Any],
        stack_name: str,
        stack_id: str,
        tenant: str,
        validate_values: bool = True,
    ) -> params.Parameters:
        return params.Parameters(
            self.parameter_schemas,
            user_values,
            self.pseudo_parameters(stack_name, stack_id, tenant),
            validate_values,
        )

    def validate_references(self, param_names: set[str]) -> None:
        """Every function's arguments and references point at things that exist."""
        for definition in self.resources.values():
            for f in fn.iter_functions(definition.properties):
                try:
                    f.validate(self.resources, param_names)
                except exception.UserParameterMissing as ex:
                    raise exception.StackValidationFailed(
                        f"Property error: : resources.{definition.name}.properties."
                        f"{'.'.join(str(p) for p in f.path[2:]) or ''}: : {ex}"
                    ) from ex
            for f in fn.iter_functions(definition.metadata):
                f.validate(self.resources, param_names)
        for output in self.outputs.values():
            for f in fn.iter_functions(output.value):
                f.validate(self.resources, param_names)
