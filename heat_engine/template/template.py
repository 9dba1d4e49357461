"""A parsed template (HOT or CFN): version, sections, definitions, conditions and validation.

A ``Template`` is read once per content and never changes; what depends on a stack's
parameters (conditions, the resources they enable, ``if`` choices) is computed per
parameter set and remembered.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from common import exception
from heat_engine.graph import Graph
from heat_engine.template import functions as fn
from heat_engine.template import parameters as params
from heat_engine.template import versions
from heat_engine.template.conditions import Conditions, validate_definitions
from heat_engine.template.definitions import (
    CFN,
    HOT,
    OutputDefinition,
    ResourceDefinition,
    SectionReader,
    reference_key,
)
from heat_engine.template.functions.cfn import ParamRef
from heat_engine.template.functions.conditions import If
from heat_engine.template.functions.references import GetParam
from heat_engine.template.groups import validate_parameter_groups

__all__ = ["OutputDefinition", "ResourceDefinition", "Template"]

SPECIALIZED_CACHE_SIZE = 64  # parameter sets remembered per template

# the type of a resource -> its attribute names, or None where they are not known
AttributeNames = Callable[[str], Collection[str] | None]


class _Active(NamedTuple):
    resources: Mapping[str, ResourceDefinition]
    outputs: Mapping[str, OutputDefinition]


def _decidable_fields(definition: ResourceDefinition) -> list[Any]:
    d = definition
    return [d.properties, d.metadata, d.update_policy, d.external_id]


def _version_of(data: Mapping[str, Any]) -> tuple[str, str]:
    present = [k for k in data if k in versions.VERSION_KEYS and isinstance(data[k], str)]
    if len(present) > 1:
        raise exception.InvalidTemplateVersion(
            explanation=f"Ambiguous versions ({', '.join(present)})"
        )
    if not present:
        raise exception.InvalidTemplateVersion(explanation="Template version was not provided")
    return present[0], data[present[0]]


def _invalid_version(key: str, value: str) -> exception.InvalidTemplateVersion:
    valid = versions.valid_versions_text(key)
    verb = "should be one of" if "," in valid else "should be"
    return exception.InvalidTemplateVersion(
        explanation=f'"{key}: {value}". "{key}" {verb}: {valid}'
    )


class Template:
    """A template's sections, read once; ``data`` is what the user sent, ``files`` the files
    sent with it (for ``get_file``)."""

    def __init__(self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> None:
        self.data = dict(data)
        self.files: Mapping[str, Any] = MappingProxyType(dict(files or {}))
        key, value = _version_of(self.data)
        if key == versions.HOT_KEY:
            date = versions.hot_date(value)
            if date is None:
                raise _invalid_version(key, value)
            self.kind, self.version, self.spec = "hot", (key, date), versions.HOT_VERSIONS[date]
        else:
            spec = versions.CFN_VERSIONS[key].get(value)
            if spec is None:
                raise _invalid_version(key, value)
            self.kind, self.version, self.spec = "cfn", (key, value), spec
        self.functions = self.spec.functions
        self.spelling = HOT if self.is_hot else CFN
        for section in self.data:
            if section not in self.spec.sections:
                raise exception.InvalidTemplateSection(section=section)
        self.parameter_schemas = self._parameter_schemas()
        mappings = {} if self.is_hot else self._section("", "Mappings")
        self.mappings: Mapping[str, Any] = MappingProxyType(dict(mappings))
        self._read_definitions()
        self._cache: OrderedDict[str, _Active] = OrderedDict()
        self._lock = threading.Lock()

    def _read_definitions(self) -> None:
        s = self.spelling
        resources = self.data.get(s.resources) or {}
        conditions = self.data.get(s.conditions) or {} if self.spec.has_conditions else {}
        if not isinstance(conditions, Mapping):
            raise fn.template_error(
                "",
                f"Condition definitions must be a map. Found a {type(conditions).__name__} instead",
                "Conditions validation error",
            )
        scope = fn.Scope(
            self.spec.functions,
            self.spec.condition_functions,
            self.files,
            self.mappings,
            frozenset(resources) if isinstance(resources, Mapping) else frozenset(),
            frozenset(conditions),
        )
        self.condition_definitions: Mapping[str, Any] = MappingProxyType(
            {
                name: fn.parse(raw, scope.for_conditions(), (s.conditions, name))
                for name, raw in conditions.items()
            }
        )
        reader = SectionReader(self.spec, s, scope)
        self.resources: Mapping[str, ResourceDefinition] = MappingProxyType(
            reader.resources(resources)
        )
        self.outputs: Mapping[str, OutputDefinition] = MappingProxyType(
            reader.outputs(self.data.get(s.outputs) or {})
        )
        self._is_conditional = any(
            d.condition is not None
            or isinstance(d.deletion_policy, fn.Function)
            or any(isinstance(f, If) for f in fn.walk(_decidable_fields(d)))
            for d in self.resources.values()
        ) or any(
            o.condition is not None or any(isinstance(f, If) for f in fn.walk(o.value))
            for o in self.outputs.values()
        )

    @property
    def is_hot(self) -> bool:
        return self.kind == "hot"

    @property
    def description(self) -> str | None:
        return self.data.get("description" if self.is_hot else "Description")

    def _section(self, hot: str, cfn: str) -> Mapping[str, Any]:
        key = hot if self.is_hot else cfn
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

    # Parameters --------------------------------------------------------------
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

    # What a stack's parameters decide -----------------------------------------
    def conditions(self, parameters: params.Parameters) -> Conditions:
        """Condition name -> truth for these parameters, each evaluated on first use."""
        return Conditions(self.condition_definitions, parameters)

    def active_resources(self, parameters: params.Parameters) -> Mapping[str, ResourceDefinition]:
        """The resources whose condition holds, each ``if`` decided (as upstream, a
        resource whose condition is false is not part of the stack)."""
        return self._active(parameters).resources

    def active_outputs(self, parameters: params.Parameters) -> Mapping[str, OutputDefinition]:
        """Every output, each ``if`` decided; one whose condition is false has the value
        None (upstream shows it with a null value and no error)."""
        return self._active(parameters).outputs

    def dependencies(self, parameters: params.Parameters) -> dict[str, set[str]]:
        """Active resource -> the active resources it requires."""
        active = self.active_resources(parameters)
        resolver = self.conditions(parameters).resolver
        names = set(active)
        return {n: d.dependencies(names, resolver) for n, d in active.items()}

    def _active(self, parameters: params.Parameters) -> _Active:
        if not self._is_conditional:
            return _Active(self.resources, self.outputs)
        key = json.dumps(getattr(parameters, "values", {}), sort_keys=True, default=str)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        active = self._decide(self.conditions(parameters))
        with self._lock:
            self._cache[key] = active
            while len(self._cache) > SPECIALIZED_CACHE_SIZE:
                self._cache.popitem(last=False)
        return active

    def _truth(self, conditions: Conditions, condition: Any, path: fn.Path) -> bool:
        try:
            return conditions.truth(condition)
        except exception.StackValidationFailed as ex:
            if fn.is_located(ex):
                raise
            raise fn.template_error(path, ex.message) from ex

    def _decide(self, conditions: Conditions) -> _Active:
        s, resolver = self.spelling, conditions.resolver
        resources: dict[str, ResourceDefinition] = {}
        for name, definition in self.resources.items():
            where = (s.resources, name, s.condition)
            if self._truth(conditions, definition.condition, where):
                resources[name] = definition.specialize(resolver, self.spec.deletion_policies)
        outputs: dict[str, OutputDefinition] = {}
        for name, output in self.outputs.items():
            where = (s.outputs, name, s.condition)
            if self._truth(conditions, output.condition, where):
                value = fn.specialize(output.value, resolver)
                value = None if value is fn.OMITTED else value
            else:
                value = None
            outputs[name] = OutputDefinition(name, value, output.description, output.condition)
        return _Active(MappingProxyType(resources), MappingProxyType(outputs))

    # Validation --------------------------------------------------------------
    def validate(
        self, parameters: params.Parameters, attribute_names: AttributeNames | None = None
    ) -> None:
        """What upstream checks in a template before it makes a stack, in its order: the
        conditions of resources, parameter groups, the conditions' definitions, names used
        twice, references and cycles, each active resource's functions, then the outputs'.

        Property values are not resolved here (upstream finds faults in them only when it
        resolves them for a create); ``attribute_names`` lets ``get_attr`` be checked.
        """
        conditions = self.conditions(parameters)
        active = self.active_resources(parameters)
        self._validate_parameter_groups()
        validate_definitions(
            self.condition_definitions, fn.ValidationContext(frozenset(self.resources))
        )
        duplicated = set(self.parameter_schemas) & set(active)
        if duplicated:
            raise exception.StackValidationFailed(f"Duplicate names {duplicated}")
        self._check_references(active, conditions.resolver)
        Graph(self.dependencies(parameters)).check_acyclic()
        context = fn.ValidationContext(
            frozenset(active),
            self._attributes_of(active, attribute_names),
            conditions.truth,
            conditions.resolver,
        )
        for name in active:
            self.resources[name].validate(context)
        for name, output in self.active_outputs(parameters).items():
            if output.value is not None:
                fn.validate(self.outputs[name].value, context, self._output_path(name))

    def validate_references(self, param_names: set[str]) -> None:
        """The checks of ``validate`` that need no parameter values: every resource counts
        and every ``if`` branch is checked."""
        self._validate_parameter_groups()
        context = fn.ValidationContext(frozenset(self.resources))
        validate_definitions(self.condition_definitions, context)
        self._check_references(self.resources, None)
        for definition in self.resources.values():
            definition.validate(context)
            self._check_parameters(definition, param_names)
        for name, output in self.outputs.items():
            fn.validate(output.value, context, self._output_path(name))

    def _validate_parameter_groups(self) -> None:
        if self.is_hot:
            names = set(self.parameter_schemas) | set(self.pseudo_parameters("", "", ""))
            validate_parameter_groups(self.data.get("parameter_groups"), names)

    def _output_path(self, name: str) -> fn.Path:
        return (self.spelling.outputs, name, self.spelling.value)

    @staticmethod
    def _attributes_of(
        active: Mapping[str, ResourceDefinition], attribute_names: AttributeNames | None
    ) -> Callable[[str], Collection[str] | None]:
        if attribute_names is None:
            return lambda name: None
        return lambda name: attribute_names(active[name].type) if name in active else None

    @staticmethod
    def _check_references(
        resources: Mapping[str, ResourceDefinition], resolver: fn.Resolver | None
    ) -> None:
        for definition in resources.values():
            for ref in definition.references(resolver):
                if ref.name not in resources:
                    raise exception.InvalidTemplateReference(
                        resource=ref.name, key=reference_key(ref.path)
                    )

    def _check_parameters(self, definition: ResourceDefinition, param_names: set[str]) -> None:
        """A parameter a property names must exist (upstream finds out resolving properties)."""
        for f in fn.walk(definition.properties):
            if isinstance(f, GetParam):
                name = f.static_name()
                error: exception.HeatException = exception.UserParameterMissing(key=name)
            elif isinstance(f, ParamRef) and isinstance(f.args, str):
                name = f.args
                error = exception.InvalidTemplateReference(resource=name, key="unknown")
            else:
                continue
            if name is not None and name not in param_names:
                where = fn.format_path(f.path[:4])
                raise exception.StackValidationFailed(f"Property error: : {where}: : {error}")
