"""A stack's data in upstream's abandon shape; abandoning a stack; seeding an adopted one.

The same data serves export (the stack stays), abandon (the stack's rows go, its
physical resources stay), adopt (a new stack takes the resources over) and snapshots.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from common import exception, template_format
from common.db import events as event_db
from common.db import models
from common.db import resources as resource_db
from common.db import snapshots as snapshot_db
from common.db import stacks as stack_db
from heat_engine.resources import registry
from heat_engine.resources.template_resource import TemplateResource
from heat_engine.stack import STACK_RESOURCE_TYPE, LoadedStack

ADOPT = "ADOPT"
DELETE = "DELETE"
ABANDONED = "Stack DELETE completed successfully"
RETAINED = "state changed"
# sections of the stored environment that upstream's user environment shows
USER_ENV_SECTIONS = ("resource_registry", "parameters", "parameter_defaults", "event_sinks")
# a nested stack is abandoned with its parent; this bounds the walk down
MAX_NESTING = 64


def stack_data(session: Session, row: models.Stack, with_resources: bool = True) -> dict[str, Any]:
    """The stack as upstream's prepare_abandon describes it; ``with_resources`` False
    leaves ``resources`` empty, as a snapshot stores it before its resources are in."""
    loaded = LoadedStack.load(session, row, with_resources=with_resources)
    raw = stack_db.raw_template(session, row.raw_template_id)
    environment = {k: loaded.environment.get(k) for k in USER_ENV_SECTIONS}
    return {
        "name": row.name,
        "id": row.id,
        "action": row.action,
        "environment": environment,
        "files": raw.files or {},
        "status": row.status,
        "template": raw.template or {},
        "resources": {
            name: resource_data(session, loaded, res) for name, res in loaded.resources.items()
        },
        "project_id": row.tenant,
        "stack_user_project_id": row.stack_user_project_id,
        "tags": stack_db.tags(session, row.id),
    }


def resource_data(session: Session, loaded: LoadedStack, row: models.Resource) -> dict[str, Any]:
    """One resource's entry: a template resource stands for its whole child stack."""
    definition = loaded.template.resources.get(row.name)
    if row.nova_instance and _is_nested(loaded, row):
        child = stack_db.get(session, row.nova_instance)
        if child is not None:
            return stack_data(session, child)
    return {
        "name": row.name,
        "resource_id": row.nova_instance,
        "type": definition.type if definition is not None else loaded.type_of(row),
        "action": row.action,
        "status": row.status,
        "metadata": row.rsrc_metadata or {},
        "resource_data": loaded.resource_data.get(row.id, {}),
    }


def _is_nested(loaded: LoadedStack, row: models.Resource) -> bool:
    try:
        return issubclass(registry.get_class(loaded.type_of(row)), TemplateResource)
    except exception.HeatException:
        return False


def abandon(session: Session, row: models.Stack) -> None:
    """Forget the stack and its nested stacks, leaving every physical resource in place.

    The stack is soft-deleted as a delete would leave it (DELETE_COMPLETE); a new
    traversal id retires any steps still in flight.
    """
    for stack in _with_descendants(session, row):
        stack.current_traversal = str(uuid.uuid4())
        stack.action, stack.status, stack.status_reason = DELETE, "COMPLETE", ABANDONED
        _add_event(session, stack, stack.name, "IN_PROGRESS", "Stack DELETE started", stack.id)
        loaded = LoadedStack.load(session, stack)
        for res in loaded.resources.values():
            if res.action == "INIT":
                continue
            for status in ("IN_PROGRESS", "COMPLETE"):
                physical, type_name = res.nova_instance, loaded.type_of(res)
                _add_event(session, stack, res.name, status, RETAINED, physical, type_name)
        _add_event(session, stack, stack.name, "COMPLETE", ABANDONED, stack.id)
        snapshot_db.remove_all_of_stack(session, stack.id)
        session.flush()
        stack_db.mark_deleted(session, stack.id)


def _add_event(
    session: Session,
    stack: models.Stack,
    name: str,
    status: str,
    reason: str,
    physical_id: str | None,
    type_name: str = STACK_RESOURCE_TYPE,
) -> None:
    event_db.add(session, stack.id, name, DELETE, status, reason, physical_id, type_name)


def _with_descendants(session: Session, row: models.Stack) -> list[models.Stack]:
    found, frontier = [row], [row.id]
    for _ in range(MAX_NESTING):
        if not frontier:
            break
        children = list(
            session.scalars(
                select(models.Stack).where(
                    models.Stack.owner_id.in_(frontier), models.Stack.deleted_at.is_(None)
                )
            )
        )
        found.extend(children)
        frontier = [c.id for c in children]
    return found


# Adopt ---------------------------------------------------------------------------
def parse_adopt_data(raw: Any) -> dict[str, Any]:
    """Adopt data as heatclient sends it (a JSON or YAML string) or as an object."""
    data = raw
    if isinstance(raw, str):
        try:
            data = template_format.load_yaml_or_json(raw)
        except yaml.YAMLError as ex:
            raise exception.Invalid(reason=f"Invalid adopt data: {ex}") from None
    if not isinstance(data, dict):
        raise exception.Invalid(reason="Invalid adopt data: adopt_stack_data must be a mapping")
    resources = data.get("resources")
    if resources is not None and not isinstance(resources, dict):
        raise exception.Invalid(reason="Invalid adopt data: resources must be a mapping")
    return data


def adopt_request(
    is_enabled: bool, raw: Any, environment: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The adopt data of a create request and the environment to create with (the adopted
    stack's parameters under the request's); NotSupported unless adopt is enabled."""
    if not is_enabled:
        raise exception.NotSupported(feature="Stack Adopt")
    data = parse_adopt_data(raw)
    return data, adopt_parameters(data, environment)


def adopt_parameters(adopt_data: dict[str, Any], environment: dict[str, Any]) -> dict[str, Any]:
    """The request's environment with the adopted stack's parameters under its own."""
    adopted = (adopt_data.get("environment") or {}).get("parameters") or {}
    if not isinstance(adopted, dict):
        raise exception.Invalid(reason="Invalid adopt data: environment.parameters")
    merged = dict(environment or {})
    merged["parameters"] = {**adopted, **(merged.get("parameters") or {})}
    return merged


def seed_adopted(session: Session, stack: models.Stack, adopt_data: dict[str, Any]) -> None:
    """Give each resource of a new stack the physical id, metadata and private data its
    adopt entry names, for the ADOPT traversal to take over. Entries for resources the
    template lacks are ignored, as upstream ignores them; a resource without an entry
    (or without a ``resource_id``) fails when its step runs."""
    entries = adopt_data.get("resources") or {}
    for row in resource_db.of_stack(session, stack.id):
        entry = entries.get(row.name)
        if not isinstance(entry, dict):
            continue
        row.nova_instance = _text_or_none(entry.get("resource_id"))
        metadata = entry.get("metadata")
        row.rsrc_metadata = metadata if isinstance(metadata, dict) else {}
        data = entry.get("resource_data")
        if isinstance(data, dict) and data:
            values = {str(k): _as_text(v) for k, v in data.items()}
            resource_db.set_data(session, row.id, values, set())


def _text_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
