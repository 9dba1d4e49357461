"""Everything checked before a stack is stored: template, parameters, types, properties, graph.

Nothing is written until all of it passes, so bad input leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from oslo_config import cfg

from common import exception
from heat_engine.graph import Graph
from heat_engine.resources import registry
from heat_engine.resources.schema import AnyAttributes
from heat_engine.template import environment
from heat_engine.template import functions as fn
from heat_engine.template.functions.references import ResourceFacade
from heat_engine.template.template import Template

ENVIRONMENT_SECTIONS = environment.SECTIONS


@dataclass(frozen=True)
class CheckedStack:
    """A validated stack definition: what the engine needs to store and run it."""

    stack_id: str
    template: Template
    environment: dict[str, Any]
    order: list[str]
    requires: dict[str, set[str]]
    required_by: dict[str, set[str]]


def normalize_environment(env: Mapping[str, Any] | None) -> dict[str, Any]:
    """An environment checked and shaped as upstream stores and shows it."""
    return environment.Environment.from_request(env).to_dict()


def merge_environments(
    old: Mapping[str, Any],
    new: Mapping[str, Any] | None,
    environment_files: list[str] | None = None,
    files: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """PATCH semantics: the stored environment with the request's (and its environment
    files') laid over it."""
    merged = environment.merge(
        environment.Environment.from_stored(old),
        environment.Environment.from_request(new, environment_files, files),
    )
    return merged.to_dict()


class _ValidationResolver:
    """Resolves parameters (and, given the template, conditions) for real and stands in None
    for anything resources would give."""

    def __init__(
        self, parameters: Any, template: Template | None = None, nested: bool = False
    ) -> None:
        self._nested = nested  # a nested stack has a parent resource to show through facades
        self._parameters = parameters
        self._conditions = template.conditions(parameters) if template is not None else None

    def param(self, name: str) -> Any:
        return self._parameters.get(name)

    def has_resource(self, name: str) -> bool:
        return False

    def resource_ref(self, name: str) -> Any:
        return None

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any:
        return None

    def resource_attributes(self, name: str) -> dict[str, Any] | None:
        return None

    def condition(self, name: str) -> bool:
        # without the template every condition counts as true: the stack's steps decide
        return True if self._conditions is None else self._conditions.is_enabled(name)

    def resource_facade(self, kind: str) -> Any:
        if self._nested:
            return None
        raise exception.StackValidationFailed(
            f"resource_facade ({kind}) is only valid in a nested stack: "
            "this stack has no parent resource"
        )


def resource_types(env: environment.Environment, definitions: Mapping[str, Any]) -> dict[str, str]:
    """Each resource's type after the environment's resource_registry, checked to exist."""
    types = {}
    for name, definition in definitions.items():
        resolved = env.registry.resolve_type(definition.type, name, registry.is_known)
        try:
            registry.get_class(resolved)
        except exception.StackValidationFailed as ex:
            raise exception.StackValidationFailed(ex.message, path=("resources", name)) from ex
        types[name] = resolved
    return types


def check_deletion_policies(definitions: Mapping[str, Any], classes: Mapping[str, Any]) -> None:
    """``Snapshot`` needs a type that snapshots on delete; as upstream, the others refuse it
    (none of ours does)."""
    for name, definition in definitions.items():
        if definition.deletion_policy != "Snapshot":
            continue
        if not callable(getattr(classes[name], "handle_snapshot_delete", None)):
            spelling = definition.spelling
            raise exception.StackValidationFailed(
                '"Snapshot" deletion policy not supported',
                path=(spelling.resources, name, spelling.deletion_policy),
            )


def _attribute_names(env: environment.Environment) -> Callable[[str], Any]:
    """What get_attr may name on a type (None: anything, for stand-in types)."""

    def names(type_name: str) -> Any:
        cls = registry.RESOURCE_TYPES.get(
            env.registry.resolve_type(type_name, None, registry.is_known)
        )
        if cls is None or isinstance(cls.attributes_schema, AnyAttributes):
            return None
        return {*cls.attributes_schema, "show"}

    return names


def _uses_facade(snippet: Any) -> bool:
    """Whether a value shows the parent resource (known only inside its nested stack)."""
    return any(isinstance(f, ResourceFacade) for f in fn.walk(snippet))


def _validate_properties(
    definitions: Mapping[str, Any], types: Mapping[str, str], resolver: _ValidationResolver
) -> None:
    """Check each resource's properties, except those waiting on other resources."""
    for name, definition in definitions.items():
        cls = registry.get_class(types[name])
        props = definition.properties
        pending = frozenset(k for k, v in props.items() if fn.dependencies(v) or _uses_facade(v))
        static = {}
        for key, value in props.items():
            if key in pending:
                continue
            try:
                static[key] = fn.resolve(value, resolver)
            except exception.HeatException as ex:
                raise exception.StackValidationFailed(
                    f"Property error: : resources.{name}.properties.{key}: : {ex}"
                ) from ex
        cls.validate_properties(static, name, skip=pending)


def validate_stack(
    conf: cfg.ConfigOpts,
    template_data: Mapping[str, Any],
    environment_data: Mapping[str, Any] | None,
    stack_name: str,
    tenant: str,
    stack_id: str | None = None,
    files: Mapping[str, Any] | None = None,
    environment_files: list[str] | None = None,
    nested: bool = False,
) -> CheckedStack:
    """Validate a whole stack definition; raise the error upstream would, naming the place."""
    template = Template(template_data, files)
    env = environment.Environment.from_request(
        environment_data, environment_files, files, template.parameter_schemas
    )
    stack_id = stack_id or str(uuid.uuid4())
    parameters = template.parameters(
        env.user_parameters(template.parameter_schemas), stack_name, stack_id, tenant
    )
    active = template.active_resources(parameters)
    limit = conf.max_resources_per_stack
    if limit >= 0 and len(active) > limit:
        raise exception.RequestLimitExceeded(
            message=f"You have reached the maximum resources per stack, {limit}. "
            "Please reduce the number of resources."
        )
    types = resource_types(env, active)
    check_deletion_policies(active, {n: registry.get_class(t) for n, t in types.items()})
    template.validate(parameters, _attribute_names(env))
    requires = template.dependencies(parameters)
    graph = Graph(requires)
    order = graph.topological_order()
    _validate_properties(active, types, _ValidationResolver(parameters, template, nested))
    required_by = {n: graph.required_by(n) for n in requires}
    return CheckedStack(stack_id, template, env.to_dict(), order, requires, required_by)
