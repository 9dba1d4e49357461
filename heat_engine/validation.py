"""Everything checked before a stack is stored: template, parameters, types, properties, graph.

Nothing is written until all of it passes, so bad input leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oslo_config import cfg

from common import exception
from heat_engine.graph import Graph
from heat_engine.resources import registry
from heat_engine.stack import environment_parameters
from heat_engine.template import functions as fn
from heat_engine.template.template import Template

ENVIRONMENT_SECTIONS = (
    "parameters",
    "parameter_defaults",
    "resource_registry",
    "event_sinks",
    "encrypted_param_names",
    "parameter_merge_strategies",
)


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
    """An environment with every section present, as upstream stores and shows it."""
    env = dict(env or {})
    for section in env:
        if section not in ENVIRONMENT_SECTIONS:
            raise exception.Invalid(reason=f'environment has wrong section "{section}"')
    registry_section = dict(env.get("resource_registry") or {})
    registry_section.setdefault("resources", {})
    return {
        "resource_registry": registry_section,
        "parameters": dict(env.get("parameters") or {}),
        "parameter_defaults": dict(env.get("parameter_defaults") or {}),
        "event_sinks": list(env.get("event_sinks") or []),
        "encrypted_param_names": list(env.get("encrypted_param_names") or []),
        **(
            {"parameter_merge_strategies": env["parameter_merge_strategies"]}
            if "parameter_merge_strategies" in env
            else {}
        ),
    }


def merge_environments(old: Mapping[str, Any], new: Mapping[str, Any] | None) -> dict[str, Any]:
    """PATCH semantics: the stored environment with the request's values laid over it."""
    merged = normalize_environment(old)
    for section, value in normalize_environment(new).items():
        if isinstance(value, dict):
            merged[section] = {**merged.get(section, {}), **value}
        elif value:
            merged[section] = value
    return merged


class _ValidationResolver:
    """Resolves parameters for real and stands in None for anything resources would give."""

    def __init__(self, parameters: Any) -> None:
        self._parameters = parameters

    def param(self, name: str) -> Any:
        return self._parameters.get(name)

    def has_resource(self, name: str) -> bool:
        return False

    def resource_ref(self, name: str) -> Any:
        return None

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any:
        return None


def _validate_properties(template: Template, resolver: _ValidationResolver) -> None:
    """Check each resource's properties, except those waiting on other resources."""
    for name, definition in template.resources.items():
        cls = registry.get_class(definition.type)
        props = definition.properties
        pending = frozenset(k for k, v in props.items() if fn.dependencies(v))
        static = {k: fn.resolve(v, resolver) for k, v in props.items() if k not in pending}
        cls.validate_properties(static, name, skip=pending)


def validate_stack(
    conf: cfg.ConfigOpts,
    template_data: Mapping[str, Any],
    environment: Mapping[str, Any] | None,
    stack_name: str,
    tenant: str,
    stack_id: str | None = None,
) -> CheckedStack:
    """Validate a whole stack definition; raise the error upstream would, naming the place."""
    template = Template(template_data)
    env = normalize_environment(environment)
    stack_id = stack_id or str(uuid.uuid4())
    parameters = template.parameters(
        environment_parameters(env, template), stack_name, stack_id, tenant
    )
    limit = conf.max_resources_per_stack
    if limit >= 0 and len(template.resources) > limit:
        raise exception.RequestLimitExceeded(
            message=f"You have reached the maximum resources per stack, {limit}. "
            "Please reduce the number of resources."
        )
    for name, definition in template.resources.items():
        try:
            registry.get_class(definition.type)
        except exception.StackValidationFailed as ex:
            raise exception.StackValidationFailed(ex.message, path=("resources", name)) from ex
    template.validate_references(set(parameters.values) | set(template.parameter_schemas))
    names = set(template.resources)
    requires = {n: d.dependencies(names) for n, d in template.resources.items()}
    graph = Graph(requires)
    order = graph.topological_order()
    _validate_properties(template, _ValidationResolver(parameters))
    required_by = {n: graph.required_by(n) for n in names}
    return CheckedStack(stack_id, template, env, order, requires, required_by)
