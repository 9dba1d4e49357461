"""A stack as the engine reads it: its row, template, parameters and resources, and a resolver."""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from common import exception
from common.db import models
from common.db import resources as resource_db
from common.db import stacks as stack_db
from heat_engine.resources import registry
from heat_engine.resources.base import Resource
from heat_engine.template import functions as fn
from heat_engine.template.definitions import ResourceDefinition
from heat_engine.template.environment import Environment, ResourceRegistry
from heat_engine.template.parameters import Parameters
from heat_engine.template.template import Template

STACK_RESOURCE_TYPE = "OS::Heat::Stack"


@functools.lru_cache(maxsize=256)
def _template_from_json(text: str, files_text: str) -> Template:
    return Template(json.loads(text), json.loads(files_text) or None)


def load_template(data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> Template:
    """A parsed template; identical templates (and files) are parsed once per process."""
    return _template_from_json(
        json.dumps(data, sort_keys=True), json.dumps(files or {}, sort_keys=True)
    )


Stored = tuple[Template, dict[str, Any]]
_STORED: OrderedDict[tuple[str, int], Stored] = OrderedDict()
_STORED_LOCK = threading.Lock()
STORED_CACHE_SIZE = 128


def stored_template(session: Session, template_id: int) -> Stored:
    """A stored template (with its files) and its environment, parsed once per process.

    raw_template rows never change (an update stores a new one), so they are cached by
    database and id; a step then costs the same whatever the template's size.
    """
    key = (str(session.get_bind().engine.url), template_id)
    with _STORED_LOCK:
        if key in _STORED:
            _STORED.move_to_end(key)
            return _STORED[key]
    raw = stack_db.raw_template(session, template_id)
    entry = (load_template(raw.template or {}, raw.files), raw.environment or {})
    with _STORED_LOCK:
        _STORED[key] = entry
        while len(_STORED) > STORED_CACHE_SIZE:
            _STORED.popitem(last=False)
    return entry


_VIEWS: OrderedDict[Any, Any] = OrderedDict()


def _remember(key: Any, value: Any) -> None:
    with _STORED_LOCK:
        _VIEWS[key] = value
        while len(_VIEWS) > STORED_CACHE_SIZE:
            _VIEWS.popitem(last=False)


def _parameters(
    session: Session, row: models.Stack, template: Template, environment: Mapping[str, Any]
) -> Parameters:
    """A stack's validated parameters, computed once per process for a stored template
    (raw_template rows never change) and the stack's identity."""
    key = (str(session.get_bind().engine.url), row.raw_template_id, row.name, row.id, row.tenant)
    with _STORED_LOCK:
        if key in _VIEWS:
            _VIEWS.move_to_end(key)
            return _VIEWS[key]  # type: ignore[no-any-return]
    parameters = template.parameters(
        environment_parameters(environment, template), row.name, row.id, row.tenant
    )
    _remember(key, parameters)
    return parameters


def environment_parameters(
    environment_data: Mapping[str, Any] | None, template: Template
) -> dict[str, Any]:
    """User parameter values from a stored environment, as the template declares them."""
    stored = Environment.from_stored(environment_data or {})
    return stored.user_parameters(template.parameter_schemas)


@dataclass(frozen=True)
class PluginRuntime:
    """What the engine lends a plugin: child stacks, the stack's files, its own type."""

    nested: Any
    files: Mapping[str, Any]
    type_name: str
    stack_id: str

    def identity(self) -> Any:
        """Keystone, acting for the stack's owner through its deferred-auth credentials
        (a trust-scoped session, or the stored password): a ``deferred_auth.Identity``."""
        from heat_engine import deferred_auth  # it reads stacks: imported on first use

        return deferred_auth.installed().for_stack(self.stack_id)

    def stack_users(self) -> Any:
        """The stack domain's users for this stack (``stack_users.StackUsers``)."""
        from heat_engine import stack_users

        return stack_users.StackUsers.for_stack(self.stack_id)


@dataclass
class LoadedStack:
    """Everything needed to resolve a stack's properties and outputs."""

    row: models.Stack
    template: Template
    environment: dict[str, Any]
    parameters: Parameters
    resources: dict[str, models.Resource]
    resource_data: dict[int, dict[str, str]]
    templates: dict[int, Stored]
    nested: Any = None  # NestedStacks, set by the step runner for template resources
    facade: dict[str, Any] | None = None  # the parent resource's data, for a nested stack
    fetch: Callable[[LoadedStack, str], models.Resource | None] | None = None
    next_links: list[Any] | None = None  # for a step: links of the nodes it leads to

    @classmethod
    def load(
        cls,
        session: Session,
        row: models.Stack,
        with_resources: bool = True,
        resource_ids: set[int] | None = None,
    ) -> LoadedStack:
        """The stack with all its resources, or only ``resource_ids`` (a step needs just
        its own row and its neighbours', so its cost does not grow with the stack)."""
        template, environment = stored_template(session, row.raw_template_id)
        parameters = _parameters(session, row, template, environment)
        if not with_resources:
            rows: dict[str, models.Resource] = {}
        elif resource_ids is None:
            rows = {r.name: r for r in resource_db.of_stack(session, row.id)}
        else:
            rows = {r.name: r for r in resource_db.by_ids(session, row.id, resource_ids)}
        data = resource_db.data_of(session, [r.id for r in rows.values()])
        older = {r.current_template_id for r in rows.values()} - {row.raw_template_id, None}
        templates = {tid: stored_template(session, tid) for tid in older if tid is not None}
        return cls(
            row,
            template,
            environment,
            parameters,
            rows,
            data,
            templates,
            facade=_parent_facade(session, row),
        )

    @classmethod
    def load_for_step(
        cls,
        session: Session,
        row: models.Stack,
        resource: models.Resource,
        fetch: Callable[[LoadedStack, str], models.Resource | None],
    ) -> LoadedStack:
        """The stack as one resource step sees it: that resource only, and ``fetch`` for
        any other the step turns out to need (most steps need none)."""
        template, environment = stored_template(session, row.raw_template_id)
        data = resource_db.data_of(session, [resource.id]) if resource.action != "INIT" else {}
        older = {resource.current_template_id} - {row.raw_template_id, None}
        return cls(
            row,
            template,
            environment,
            _parameters(session, row, template, environment),
            {resource.name: resource},
            data,
            {tid: stored_template(session, tid) for tid in older if tid is not None},
            facade=_parent_facade(session, row),
            fetch=fetch,
        )

    def resource_row(self, name: str) -> models.Resource | None:
        """A stored resource by name, fetched on first use for a step's stack."""
        row = self.resources.get(name)
        if row is None and self.fetch is not None:
            row = self.fetch(self, name)
        return row

    @functools.cached_property
    def definitions(self) -> Mapping[str, ResourceDefinition]:
        """The resources the stack has under its parameters (conditions applied)."""
        key = ("definitions", id(self.template), id(self.parameters))
        with _STORED_LOCK:
            cached = _VIEWS.get(key)
        if cached is not None and cached[0] is self.template and cached[1] is self.parameters:
            return cached[2]  # type: ignore[no-any-return]
        definitions = self.template.active_resources(self.parameters)
        _remember(key, (self.template, self.parameters, definitions))
        return definitions

    def resolved_type(self, name: str) -> str:
        """A resource's type in the current template, after the resource_registry."""
        return _resolve(self.environment, self.definitions[name].type, name)

    def hooks(self, name: str) -> set[str]:
        """The hooks (breakpoints) the environment sets on a resource."""
        return _registry_of(self.environment).hooks_for(name)

    def type_of(self, row: models.Resource) -> str:
        """A stored resource's type, from the template (and environment) it was last
        brought to."""
        template, env = self.templates.get(
            row.current_template_id or -1, (self.template, self.environment)
        )
        definition = template.resources.get(row.name) or self.template.resources.get(row.name)
        if definition is None:
            return "OS::Heat::None"
        return _resolve(env, definition.type, row.name)

    def plugin(self, name: str, type_name: str | None = None) -> Resource:
        """The plugin of a stored resource, built from its stored properties and data."""
        row = self.resource_row(name)
        if row is None:
            raise KeyError(name)
        type_name = type_name or self.type_of(row)
        cls = registry.get_class(type_name)
        return self.bind(
            cls(
                name=name,
                resource_uuid=row.uuid,
                stack_name=self.row.name,
                stack_id=self.row.id,
                properties=row.properties_data or {},
                data=self.resource_data.get(row.id, {}),
                resource_id=row.nova_instance,
            ),
            type_name,
        )

    def bind(self, plugin: Resource, type_name: str) -> Resource:
        """Lend ``plugin`` what the engine lends plugins (see PluginRuntime)."""
        plugin.runtime = PluginRuntime(self.nested, self.template.files, type_name, self.row.id)
        return plugin

    def resolver(self) -> StackResolver:
        return StackResolver(self)


@functools.lru_cache(maxsize=1024)
def _registry(environment_json: str) -> ResourceRegistry:
    return Environment.from_stored(json.loads(environment_json)).registry


def _registry_of(environment_data: Mapping[str, Any]) -> ResourceRegistry:
    section = {"resource_registry": environment_data.get("resource_registry") or {}}
    return _registry(json.dumps(section, sort_keys=True))


def _resolve(environment_data: Mapping[str, Any], type_name: str, name: str) -> str:
    return _registry_of(environment_data).resolve_type(type_name, name, registry.is_known)


class StackResolver:
    """Answers functions' questions from the stored state of the stack's resources."""

    def __init__(self, stack: LoadedStack) -> None:
        self._stack = stack
        self._conditions: Any = None  # the stack's Conditions, on first use
        self._active: Any = None  # the resources its conditions enable, on first use

    def param(self, name: str) -> Any:
        return self._stack.parameters.get(name)

    def has_resource(self, name: str) -> bool:
        return name in self._stack.template.resources

    def _is_active(self, name: str) -> bool:
        if self._active is None:
            self._active = self._stack.template.active_resources(self._stack.parameters)
        return name in self._active

    def _created(self, name: str) -> Resource | None:
        row = self._stack.resource_row(name)
        if (
            row is None
            or row.action in ("INIT", "DELETE")
            or (row.action == "CREATE" and row.status != "COMPLETE")
        ):
            return None
        return self._stack.plugin(name)

    def resource_ref(self, name: str) -> Any:
        if not self._is_active(name):
            raise exception.InvalidTemplateReference(resource=name, key="unknown")
        plugin = self._created(name)
        if plugin is None:
            return None if self._stack.resource_row(name) is None else name
        return plugin.get_reference_id()

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any:
        if not self._is_active(name):
            raise exception.InvalidTemplateReference(resource=name, key="unknown")
        plugin = self._created(name)
        if plugin is None:
            return None
        return fn.dig(plugin.get_attribute(attr), path) if path else plugin.get_attribute(attr)

    def resource_attributes(self, name: str) -> dict[str, Any] | None:
        """Every attribute of a resource (``get_attr: [name]``); None until it exists."""
        if not self._is_active(name):
            raise exception.InvalidTemplateReference(resource=name, key="unknown")
        plugin = self._created(name)
        return None if plugin is None else plugin.attributes()

    def condition(self, name: str) -> bool:
        if self._conditions is None:
            self._conditions = self._stack.template.conditions(self._stack.parameters)
        return self._conditions.is_enabled(name)

    def resource_facade(self, kind: str) -> Any:
        """The parent resource's metadata, deletion_policy or update_policy."""
        if self._stack.facade is not None:
            return self._stack.facade.get(kind)
        raise exception.StackValidationFailed(
            f"resource_facade ({kind}) is only valid in a nested stack: "
            f"stack {self._stack.row.name} has no parent resource"
        )


def _parent_facade(session: Session, row: models.Stack) -> dict[str, Any] | None:
    """What resource_facade shows a nested stack of its parent resource."""
    if row.owner_id is None or row.parent_resource_name is None:
        return None
    parent = stack_db.get(session, row.owner_id, show_deleted=True)
    if parent is None:
        return None
    template, _ = stored_template(session, parent.raw_template_id)
    definition = template.resources.get(row.parent_resource_name)
    resource = resource_db.by_name(session, parent.id, row.parent_resource_name)
    return {
        "metadata": (resource.rsrc_metadata if resource is not None else None) or {},
        "deletion_policy": definition.deletion_policy if definition else "Delete",
        "update_policy": (definition.update_policy if definition else None) or {},
    }


def resolve_outputs(stack: LoadedStack) -> list[dict[str, Any]]:
    """Every output with its value, or its error where resolving it failed."""
    resolver = stack.resolver()
    out = []
    for name, output in stack.template.active_outputs(stack.parameters).items():
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
