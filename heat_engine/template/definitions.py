"""Resource and output definitions: reading them from a template's sections, HOT or CFN."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from common import exception
from heat_engine.template import functions as fn
from heat_engine.template.versions import TemplateVersion


@dataclass(frozen=True)
class Spelling:
    """How a template language spells the keys of its sections."""

    resources: str
    type: str
    properties: str
    metadata: str
    depends_on: str
    deletion_policy: str
    update_policy: str
    description: str
    external_id: str
    condition: str
    outputs: str
    value: str
    conditions: str
    parameters: str
    condition_type: str  # how an error names the types a resource's condition may have


HOT = Spelling(
    "resources",
    "type",
    "properties",
    "metadata",
    "depends_on",
    "deletion_policy",
    "update_policy",
    "description",
    "external_id",
    "condition",
    "outputs",
    "value",
    "conditions",
    "parameters",
    "string_or_boolean",
)
CFN = Spelling(
    "Resources",
    "Type",
    "Properties",
    "Metadata",
    "DependsOn",
    "DeletionPolicy",
    "UpdatePolicy",
    "Description",
    "ExternalId",
    "Condition",
    "Outputs",
    "Value",
    "Conditions",
    "Parameters",
    "string or boolean",
)
# Keys HOT added in 2016-10-14; upstream words their use in older versions differently.
_LATER_HOT_KEYS = ("external_id", "condition")
_REFERENCE_SECTIONS = {"properties": "Properties", "metadata": "Metadata"}
# the fields an ``if`` may decide, with what a field becomes when its ``if`` leaves it out
_SPECIALIZED_FIELDS: tuple[tuple[str, Any], ...] = (
    ("properties", {}),
    ("metadata", {}),
    ("update_policy", None),
    ("external_id", None),
)


def reference_key(path: fn.Path) -> str:
    """Where a reference sits, as InvalidTemplateReference names it: ``r.Properties.a[0]``."""
    name, section, rest = path[1], str(path[2]), path[3:]
    section = _REFERENCE_SECTIONS.get(section.lower(), section)
    return fn.format_path((name, section, *rest))


@dataclass(frozen=True)
class ResourceDefinition:
    """One resource as the template defines it; its fields may hold functions."""

    name: str
    type: str
    properties: Any = field(default_factory=dict)
    metadata: Any = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    deletion_policy: Any = "Delete"  # a function until the stack's parameters decide it
    update_policy: Any = None
    description: str = ""
    external_id: Any = None
    condition: Any = None  # None, a boolean, a condition's name or a condition function
    spelling: Spelling = field(default=HOT, compare=False, repr=False)

    def references(self, resolver: fn.Resolver | None = None) -> Iterator[fn.Reference]:
        """The resources named in properties and metadata, each with where it is named."""
        yield from fn.find_references(self.properties, resolver)
        yield from fn.find_references(self.metadata, resolver)

    def dependencies(
        self, resource_names: set[str] | frozenset[str], resolver: fn.Resolver | None = None
    ) -> set[str]:
        """Resources of ``resource_names`` this one requires: depends_on plus every reference.

        Without a ``resolver`` every ``if`` branch counts and computed names do not.
        """
        refs = {ref.name for ref in self.references(resolver)}
        return (refs | set(self.depends_on)) & set(resource_names)

    def _root(self, key: str) -> fn.Path:
        return (self.spelling.resources, self.name, key)

    def validate(self, context: fn.ValidationContext) -> None:
        """Every function in the definition is valid; an error names its place."""
        s = self.spelling
        fn.validate(self.properties, context, self._root(s.properties))
        fn.validate(self.metadata, context, self._root(s.metadata))
        fn.validate(self.deletion_policy, context, self._root(s.deletion_policy))
        fn.validate(self.update_policy, context, self._root(s.update_policy))
        fn.validate(self.external_id, context, self._root(s.external_id))

    def specialize(self, resolver: fn.Resolver, policies: Mapping[str, str]) -> ResourceDefinition:
        """This definition with its ``if``s decided and its deletion policy resolved."""
        changes: dict[str, Any] = {}
        for name, empty in _SPECIALIZED_FIELDS:
            value = getattr(self, name)
            specialized = fn.specialize(value, resolver)
            if specialized is not value:
                changes[name] = empty if specialized is fn.OMITTED else specialized
        if isinstance(self.deletion_policy, fn.Function):
            policy = fn.resolve(self.deletion_policy, resolver)
            if policy not in policies:
                raise exception.StackValidationFailed(f'Invalid deletion policy "{policy}"')
            changes["deletion_policy"] = policies[policy]
        return dataclasses.replace(self, **changes) if changes else self


@dataclass(frozen=True)
class OutputDefinition:
    """One output as the template defines it; ``value`` may hold functions."""

    name: str
    value: Any
    description: str | None
    condition: Any = None


def _typed(name: str, key: str, value: Any, types: Any, typename: str) -> Any:
    if not isinstance(value, types):
        raise exception.StackValidationFailed(f"Resource {name} {key} type must be {typename}")
    return value


class SectionReader:
    """Reads the resources and outputs sections of one template."""

    def __init__(self, version: TemplateVersion, spelling: Spelling, scope: fn.Scope) -> None:
        self.version = version
        self.spelling = spelling
        self.scope = scope
        self.is_hot = spelling is HOT

    def resources(self, section: Any) -> dict[str, ResourceDefinition]:
        if not isinstance(section, Mapping):
            raise exception.StackValidationFailed(
                f"'{type(section).__name__}' object has no attribute 'items'"
            )
        return {name: self.resource(name, raw, section) for name, raw in section.items()}

    def _check_keys(self, name: str, raw: Mapping[str, Any]) -> None:
        where = f"{self.spelling.resources}.{name}"
        allowed = self.version.resource_keys
        for key in raw:
            if key in allowed:
                continue
            if key in _LATER_HOT_KEYS:
                later = ", ".join(k for k in raw if k not in allowed)
                raise exception.StackValidationFailed(
                    f"Invalid keyword(s) inside a resource definition: {later}", path=where
                )
            raise exception.StackValidationFailed(
                f'"{key}" is not a valid keyword inside a resource definition', path=where
            )

    def resource(self, name: str, raw: Any, section: Mapping[str, Any]) -> ResourceDefinition:
        s = self.spelling
        where = f"{s.resources}.{name}"
        if raw and not isinstance(raw, Mapping):
            message = (
                f'"{s.resources}" must contain a map of resource maps. '
                if self.is_hot
                else "Resources must contain Resource. "
            )
            raise exception.StackValidationFailed(
                f"{message}Found a [{type(raw)}] instead", path=where
            )
        raw = raw or {}
        if self.is_hot:
            self._check_keys(name, raw)
        if not raw.get(s.type):
            key = "resource must contain a type" if self.is_hot else "Resource must contain a Type"
            raise exception.StackValidationFailed(f"Each {key} key.", path=where)
        rtype = _typed(name, s.type, raw[s.type], str, "string")
        parse = self.parse_field(name, raw)
        properties = _typed(
            name, s.properties, parse(s.properties, {}), Mapping | fn.Function, "object"
        )
        metadata = _typed(name, s.metadata, parse(s.metadata, {}), Mapping | fn.Function, "object")
        update_policy = parse(s.update_policy, None)
        if update_policy is not None:
            _typed(name, s.update_policy, update_policy, Mapping | fn.Function, "object")
        description = raw.get(s.description, "")
        _typed(name, s.description, description, str, "string")
        return ResourceDefinition(
            name=name,
            type=rtype,
            properties=properties,
            metadata=metadata,
            depends_on=self.depends_on(name, raw, section),
            deletion_policy=self.deletion_policy(name, raw, parse),
            update_policy=update_policy,
            description=description,
            external_id=self.external_id(name, raw, parse),
            condition=self.resource_condition(name, raw),
            spelling=s,
        )

    def parse_field(self, name: str, raw: Mapping[str, Any]) -> Any:
        def parse(key: str, default: Any) -> Any:
            if key not in raw or raw[key] is None:
                return default
            return fn.parse(raw[key], self.scope, (self.spelling.resources, name, key))

        return parse

    def depends_on(
        self, name: str, raw: Mapping[str, Any], section: Mapping[str, Any]
    ) -> tuple[str, ...]:
        key = self.spelling.depends_on
        depends = raw.get(key)
        if depends is None:
            return ()
        if isinstance(depends, str):
            depends = [depends]
        _typed(name, key, depends, list, "list or string")
        if not all(isinstance(d, str) for d in depends):
            raise exception.StackValidationFailed(
                f"Resource {name} {key} must be a list of strings"
            )
        for dep in depends:
            if dep not in section:
                raise exception.InvalidTemplateReference(resource=dep, key=name)
        return tuple(depends)

    def deletion_policy(self, name: str, raw: Mapping[str, Any], parse: Any) -> Any:
        key = self.spelling.deletion_policy
        policy = parse(key, None)
        if policy is None:
            return "Delete"
        _typed(name, key, policy, str | fn.Function, "string")
        if isinstance(policy, fn.Function):
            return policy
        if policy not in self.version.deletion_policies:
            raise exception.StackValidationFailed(f'Invalid deletion policy "{policy}"')
        return self.version.deletion_policies[policy]

    def external_id(self, name: str, raw: Mapping[str, Any], parse: Any) -> Any:
        if not self.is_hot or not self.version.has_conditions:
            return None
        value = parse(self.spelling.external_id, None)
        if value is not None:
            _typed(name, self.spelling.external_id, value, str | fn.Function, "string")
        return value

    def resource_condition(self, name: str, raw: Mapping[str, Any]) -> Any:
        key = self.spelling.condition
        if not self.version.has_conditions or raw.get(key) is None:
            return None
        value = fn.parse(
            raw[key], self.scope.for_conditions(), (self.spelling.resources, name, key)
        )
        return _typed(name, key, value, str | bool | fn.Function, self.spelling.condition_type)

    def outputs(self, section: Any) -> dict[str, OutputDefinition]:
        s = self.spelling
        if not isinstance(section, Mapping):
            raise exception.StackValidationFailed(
                f"'{type(section).__name__}' object has no attribute 'items'"
            )
        out: dict[str, OutputDefinition] = {}
        for name, raw in section.items():
            where = f"{s.outputs}.{name}"
            if not isinstance(raw, Mapping):
                raise fn.template_error(
                    where,
                    f"Output definitions must be a map. Found a {type(raw).__name__} instead",
                    "Output validation error",
                )
            if s.value not in raw:
                raise fn.template_error(
                    where,
                    f"Each output definition must contain a {s.value} key.",
                    "Output validation error",
                )
            condition = None
            if self.version.has_conditions and raw.get(s.condition) is not None:
                condition = fn.parse(
                    raw[s.condition], self.scope.for_conditions(), (s.outputs, name, s.condition)
                )
            out[name] = OutputDefinition(
                name=name,
                value=fn.parse(raw[s.value], self.scope, (s.outputs, name, s.value)),
                description=raw.get(s.description),
                condition=condition,
            )
        return out
