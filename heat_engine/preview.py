"""Stack preview: a stack as it would be created, validated like a create, storing nothing.

As upstream, the stack and its resources have no id yet (their identities read "None"),
resources are INIT COMPLETE with every property resolved (what other resources would
give is None; a reference is the resource's name), and a template resource shows as the
list of its child stack's resources.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oslo_config import cfg

from common import exception, template_format
from heat_engine.formats import isotime
from heat_engine.resources import registry
from heat_engine.resources.template_resource import TemplateResource
from heat_engine.stack import environment_parameters
from heat_engine.template import functions as fn
from heat_engine.template.definitions import ResourceDefinition
from heat_engine.template.environment import Environment
from heat_engine.template.parameters import Parameters
from heat_engine.validation import CheckedStack, resource_types, validate_stack

PREVIEW_STACK_ID = "None"  # what upstream's identifier makes of a stack not stored yet
SHOW_ATTRIBUTE = "show"


@dataclass(frozen=True)
class PreviewRequest:
    """Who previews and with which create arguments."""

    tenant: str
    username: str | None
    timeout_mins: int | None
    disable_rollback: bool
    tags: list[str]


@dataclass(frozen=True)
class _Level:
    """One stack of the preview: the root, or the child of a template resource."""

    name: str
    checked: CheckedStack
    parameters: Parameters
    files: Mapping[str, Any]
    depth: int
    parent_resource: str | None = None
    facade: Mapping[str, Any] | None = None


class PreviewResolver:
    """Answers functions as a stack with no resource created yet would."""

    def __init__(self, level: _Level, active: Mapping[str, ResourceDefinition]) -> None:
        self._level = level
        self._active = active
        self._conditions = level.checked.template.conditions(level.parameters)

    def param(self, name: str) -> Any:
        return self._level.parameters.get(name)

    def has_resource(self, name: str) -> bool:
        return name in self._level.checked.template.resources

    def _check_active(self, name: str) -> None:
        if name not in self._active:
            raise exception.InvalidTemplateReference(resource=name, key="unknown")

    def resource_ref(self, name: str) -> Any:
        self._check_active(name)
        return name  # no physical id yet: upstream's reference is the name

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any:
        self._check_active(name)
        return None

    def resource_attributes(self, name: str) -> dict[str, Any] | None:
        self._check_active(name)
        return None

    def condition(self, name: str) -> bool:
        return self._conditions.is_enabled(name)

    def resource_facade(self, kind: str) -> Any:
        if self._level.facade is not None:
            return self._level.facade.get(kind)
        raise exception.StackValidationFailed(
            f"resource_facade ({kind}) is only valid in a nested stack: "
            f"stack {self._level.name} has no parent resource"
        )


class StackPreview:
    """Builds the preview of one stack request (see the module docstring)."""

    def __init__(self, conf: cfg.ConfigOpts, request: PreviewRequest) -> None:
        self._conf = conf
        self._request = request

    def preview(
        self,
        stack_name: str,
        template: Mapping[str, Any],
        params: Mapping[str, Any] | None,
        files: Mapping[str, Any] | None,
        environment_files: list[str] | None = None,
    ) -> dict[str, Any]:
        """The stack fields (no status: nothing happened yet), outputs and resources."""
        checked = validate_stack(
            self._conf,
            template,
            params,
            stack_name,
            self._request.tenant,
            stack_id=PREVIEW_STACK_ID,
            files=files,
            environment_files=environment_files,
        )
        level = self._level(stack_name, checked, files or {}, 0)
        active = checked.template.active_resources(level.parameters)
        resolver = PreviewResolver(level, active)
        description = checked.template.description
        description = description if description is not None else "No description"
        identity = self._identity(stack_name)
        return {
            "id": PREVIEW_STACK_ID,
            "stack_name": stack_name,
            "stack_identity": identity,
            "creation_time": isotime(datetime.datetime.now(datetime.UTC)),
            "updated_time": None,
            "deletion_time": None,
            "notification_topics": [],
            "parameters": level.parameters.display(),
            "description": description,
            "template_description": description,
            "capabilities": [],
            "disable_rollback": self._request.disable_rollback,
            "timeout_mins": self._request.timeout_mins,
            "stack_owner": self._request.username,
            "parent": None,
            "stack_user_project_id": None,
            "tags": list(self._request.tags),
            "outputs": _outputs(level, resolver),
            "resources": self._resources(level, active, resolver),
        }

    def _level(
        self,
        name: str,
        checked: CheckedStack,
        files: Mapping[str, Any],
        depth: int,
        parent_resource: str | None = None,
        facade: Mapping[str, Any] | None = None,
    ) -> _Level:
        parameters = checked.template.parameters(
            environment_parameters(checked.environment, checked.template),
            name,
            PREVIEW_STACK_ID,
            self._request.tenant,
        )
        return _Level(name, checked, parameters, files, depth, parent_resource, facade)

    def _identity(self, stack_name: str, path: str = "") -> dict[str, str]:
        return {
            "tenant": self._request.tenant,
            "stack_name": stack_name,
            "stack_id": PREVIEW_STACK_ID,
            "path": path,
        }

    def _resources(
        self,
        level: _Level,
        active: Mapping[str, ResourceDefinition],
        resolver: PreviewResolver,
    ) -> list[Any]:
        env = Environment.from_stored(level.checked.environment)
        types = resource_types(env, active)
        out: list[Any] = []
        for name, definition in active.items():
            if registry.get_class(types[name]) is TemplateResource:
                out.append(self._nested(level, name, definition, types[name], resolver))
            else:
                out.append(self._resource(level, name, definition, types[name], resolver))
        return out

    def _resource(
        self,
        level: _Level,
        name: str,
        definition: ResourceDefinition,
        type_name: str,
        resolver: PreviewResolver,
    ) -> dict[str, Any]:
        cls = registry.get_class(type_name)
        data: dict[str, Any] = {
            "updated_time": None,
            "creation_time": None,
            "resource_name": name,
            "physical_resource_id": "",
            "resource_action": "INIT",
            "resource_status": "COMPLETE",
            "resource_status_reason": "",
            "resource_type": type_name,
            "resource_identity": self._identity(level.name, f"/resources/{name}"),
            "stack_identity": self._identity(level.name),
            "stack_name": level.name,
            "required_by": sorted(level.checked.required_by.get(name, ())),
        }
        if level.parent_resource is not None:
            data["parent_resource"] = level.parent_resource
        data["description"] = definition.description or ""
        data["metadata"] = fn.resolve(definition.metadata, resolver) or {}
        data["attributes"] = {a: None for a in cls.attributes_schema if a != SHOW_ATTRIBUTE}
        data["properties"] = _properties(cls, name, definition, resolver)
        return data

    def _nested(
        self,
        level: _Level,
        name: str,
        definition: ResourceDefinition,
        type_name: str,
        resolver: PreviewResolver,
    ) -> list[Any]:
        """The child stack's resources, as its template resource would create it."""
        depth = level.depth + 1
        limit = self._conf.max_nested_stack_depth
        if depth > limit:
            raise exception.StackValidationFailed(f"Recursion depth exceeds {limit}.")
        text = level.files.get(type_name)
        if text is None:
            raise exception.StackValidationFailed(
                f'Could not fetch remote template "{type_name}": it is not in the '
                "files sent with the stack",
                path=("resources", name),
            )
        child_template = template_format.parse_template(text, self._conf.max_template_size)
        values = fn.resolve(definition.properties, resolver) or {}
        child_name = f"{level.name}-{name}"
        checked = validate_stack(
            self._conf,
            child_template,
            {"parameters": values},
            child_name,
            self._request.tenant,
            stack_id=PREVIEW_STACK_ID,
            files=level.files,
            nested=True,
        )
        facade = {
            "metadata": _data_or_empty(fn.resolve(definition.metadata, resolver)),
            "deletion_policy": fn.resolve(definition.deletion_policy, resolver) or "Delete",
            "update_policy": _data_or_empty(fn.resolve(definition.update_policy, resolver)),
        }
        child = self._level(child_name, checked, level.files, depth, name, facade)
        active = checked.template.active_resources(child.parameters)
        return self._resources(child, active, PreviewResolver(child, active))


def _data_or_empty(value: Any) -> Any:
    """A facade field's value, empty rather than None."""
    return value if value is not None else {}


def _properties(
    cls: type[Any], name: str, definition: ResourceDefinition, resolver: PreviewResolver
) -> dict[str, Any]:
    """Every property of the type: checked values with defaults, None where unset; values
    that wait on other resources are shown as resolved without them."""
    raw = definition.properties or {}
    pending = frozenset(k for k, v in raw.items() if fn.dependencies(v))
    resolved = fn.resolve(raw, resolver) or {}
    checked = cls.validate_properties(
        {k: v for k, v in resolved.items() if k not in pending}, name, skip=pending
    )
    shown = {key: None for key in cls.properties_schema}
    shown.update(checked)
    shown.update({k: resolved.get(k) for k in pending})
    return shown


def _outputs(level: _Level, resolver: PreviewResolver) -> list[dict[str, Any]]:
    """Each output resolved as it would be before any resource exists."""
    out = []
    for name, output in level.checked.template.active_outputs(level.parameters).items():
        entry: dict[str, Any] = {
            "output_key": name,
            "description": output.description or "No description given",
        }
        try:
            entry["output_value"] = fn.resolve(output.value, resolver)
        except exception.HeatException as ex:
            entry["output_error"] = str(ex)
            entry["output_value"] = None
        out.append(entry)
    return out
