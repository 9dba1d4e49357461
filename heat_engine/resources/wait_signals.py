"""The stored signals of wait condition handles, as wait conditions read them.

A handle's signals live in its resource metadata (``{unique id: {status, reason, data}}``,
as upstream keeps them, so ``openstack stack resource metadata`` shows them); the engine
writes them when a signal arrives (``EngineService.resource_signal``). A wait condition
reads them here, as it waits or resolves its data attribute, through the engine's
database like ``stack_users.StackUsers.for_stack``: a plugin never gets the engine's
session or another resource's object, only these few facts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from common.db import models

# resource data a handle keeps, so a wait condition can tell it is one
HANDLE_TYPE_KEY = "wait_handle_type"


@dataclasses.dataclass(frozen=True)
class StackFacts:
    """What a plugin may know of its stack."""

    id: str
    name: str
    tenant: str
    stack_user_project_id: str | None


@dataclasses.dataclass(frozen=True)
class HandleRecord:
    """A wait condition handle as stored: its name, type, properties and signals."""

    name: str
    type_name: str | None
    properties: Mapping[str, Any]
    signals: Mapping[str, Any]


def _factory() -> sessionmaker[Session]:
    from heat_engine import deferred_auth  # installed by the engine; imports resources

    return deferred_auth.installed().factory


def stack_facts(stack_id: str) -> StackFacts:
    with _factory()() as session:
        stack = session.get(models.Stack, stack_id)
        if stack is None:
            return StackFacts(stack_id, "", "", None)
        return StackFacts(stack.id, stack.name, stack.tenant, stack.stack_user_project_id)


def record_stack_user_project(stack_id: str, project_id: str) -> None:
    """Remember the stack's user project: tokens scoped to it may signal the stack."""
    with _factory().begin() as session:
        session.execute(
            update(models.Stack)
            .where(models.Stack.id == stack_id)
            .values(stack_user_project_id=project_id)
        )


def find_handle(stack_id: str, reference: str) -> HandleRecord | None:
    """The resource of stack ``stack_id`` named ``reference`` or whose physical id it is."""
    with _factory()() as session:
        row = session.scalars(
            select(models.Resource)
            .where(
                models.Resource.stack_id == stack_id,
                or_(models.Resource.name == reference, models.Resource.nova_instance == reference),
            )
            .order_by(models.Resource.name != reference)
        ).first()
        if row is None:
            return None
        kind = session.scalar(
            select(models.ResourceData.value).where(
                models.ResourceData.resource_id == row.id,
                models.ResourceData.key == HANDLE_TYPE_KEY,
            )
        )
        return HandleRecord(
            row.name, kind, dict(row.properties_data or {}), dict(row.rsrc_metadata or {})
        )


def write_signals(stack_id: str, handle_name: str, signals: Mapping[str, Any]) -> None:
    """Replace a handle's signals (a wait condition being deleted clears them, as
    upstream's does; NO_SIGNAL handles signal themselves)."""
    with _factory().begin() as session:
        session.execute(
            update(models.Resource)
            .where(models.Resource.stack_id == stack_id, models.Resource.name == handle_name)
            .values(rsrc_metadata=dict(signals))
        )
