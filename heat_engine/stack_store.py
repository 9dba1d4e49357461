"""Storing a validated stack: its template, its row, its tags and its resources' rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from common import crypto
from common.db import models
from common.db.base import utcnow
from common.db.stacks import ENCRYPTED_PARAM_NAMES
from heat_engine.traversal import plan
from heat_engine.validation import CheckedStack


def store_new_stack(
    session: Session,
    checked: CheckedStack,
    template: dict[str, Any],
    files: dict[str, Any] | None,
    name: str,
    tenant: str,
    username: str | None,
    timeout: int | None = None,
    disable_rollback: bool = True,
    tags: list[str] | None = None,
    owner: models.Stack | None = None,
    parent_resource_name: str | None = None,
    user_creds_id: int | None = None,
    encrypt_key: str | None = None,
) -> models.Stack:
    """The stack's rows, INIT_COMPLETE, each resource linked to what it requires; a nested
    stack (``owner``) is one level deeper than its parent and shares its root (and its
    root's deferred-auth credentials, ``user_creds_id``). With ``encrypt_key`` hidden
    parameters are stored encrypted."""
    raw = models.RawTemplate(
        template=template, files=files or {}, environment=stored_environment(checked, encrypt_key)
    )
    session.add(raw)
    session.flush()
    stack = models.Stack(
        id=checked.stack_id,
        name=name,
        raw_template_id=raw.id,
        username=username,
        tenant=tenant,
        timeout=timeout,
        disable_rollback=disable_rollback,
        owner_id=owner.id if owner is not None else None,
        parent_resource_name=parent_resource_name,
        user_creds_id=user_creds_id,
        nested_depth=owner.nested_depth + 1 if owner is not None else 0,
        action="INIT",
        status="COMPLETE",
        status_reason="",
    )
    session.add(stack)
    session.flush()
    for tag in tags or []:
        session.add(models.StackTag(stack_id=stack.id, tag=tag))
    root = _root_id(session, owner) if owner is not None else stack.id
    rows = {
        resource: models.Resource(
            name=resource, stack_id=stack.id, root_stack_id=root, current_template_id=raw.id
        )
        for resource in checked.order
    }
    session.add_all(rows.values())
    session.flush()
    for resource, row in rows.items():
        row.requires = sorted(rows[r].id for r in checked.requires[resource])
        row.needed_by = sorted(rows[r].id for r in checked.required_by[resource])
    return stack


def store_new_version(
    session: Session,
    stack: models.Stack,
    checked: CheckedStack,
    template: dict[str, Any],
    files: dict[str, Any] | None,
    encrypt_key: str | None = None,
) -> None:
    """An update's new template becomes the stack's (the old one stays as previous), and
    the resource rows are linked for the new graph."""
    raw = models.RawTemplate(
        template=template, files=files or {}, environment=stored_environment(checked, encrypt_key)
    )
    session.add(raw)
    session.flush()
    stack.prev_raw_template_id, stack.raw_template_id = stack.raw_template_id, raw.id
    stack.updated_at = utcnow()
    plan.relink(session, stack, checked.order, checked.requires, checked.required_by)


def stored_environment(checked: CheckedStack, encrypt_key: str | None) -> dict[str, Any]:
    """The environment as stored: with ``encrypt_key`` (encrypt_parameters_and_properties)
    the values of hidden parameters are encrypted and named in ``encrypted_param_names``,
    as upstream stores them."""
    environment = checked.environment
    if encrypt_key is None:
        return environment
    schemas = checked.template.parameter_schemas
    parameters = dict(environment.get("parameters") or {})
    hidden = sorted(k for k in parameters if k in schemas and schemas[k].hidden)
    for name in hidden:
        parameters[name] = crypto.encrypt_parameter(parameters[name], encrypt_key)
    return {**environment, "parameters": parameters, ENCRYPTED_PARAM_NAMES: hidden}


def _root_id(session: Session, stack: models.Stack) -> str:
    while stack.owner_id is not None:
        parent = session.get(models.Stack, stack.owner_id)
        if parent is None:
            break
        stack = parent
    return stack.id
