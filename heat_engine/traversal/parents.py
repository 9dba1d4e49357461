"""Waking parked steps: a template resource's when its nested stack settles, a wait
condition's when its handle is signalled.

Such a step does not hold a worker while it waits: it parks (see
steps.StepRunner._perform). The transaction that records what it waits for (the child
stack's end, a signal) also finds the parked step, which is sent after the commit. A
lost wake-up is resent by the sweep like any stalled step.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import stacks as stack_db
from heat_engine.traversal.messages import Step


def wake_parent(session: Session, stack_id: str) -> list[Step]:
    """The parked step of the resource whose nested stack ``stack_id`` is, if any."""
    child = session.execute(
        select(models.Stack.owner_id, models.Stack.parent_resource_name).where(
            models.Stack.id == stack_id
        )
    ).first()
    if child is None or child.owner_id is None or child.parent_resource_name is None:
        return []
    parent = stack_db.get(session, child.owner_id)
    if parent is None or parent.status != "IN_PROGRESS" or not parent.current_traversal:
        return []
    return _parked_step(session, parent, child.parent_resource_name)


def wake_resource(session: Session, stack_id: str, resource_name: str) -> list[Step]:
    """The parked step of resource ``resource_name`` of stack ``stack_id``, if it has one."""
    stack = stack_db.get(session, stack_id)
    if stack is None or stack.status != "IN_PROGRESS" or not stack.current_traversal:
        return []
    return _parked_step(session, stack, resource_name, only_parked=True)


def _parked_step(
    session: Session, stack: models.Stack, resource_name: str, only_parked: bool = False
) -> list[Step]:
    row = resource_db.by_name(session, stack.id, resource_name)
    if row is None or row.status != "IN_PROGRESS" or row.traversal_id != stack.current_traversal:
        return []
    if only_parked and row.engine_id:  # its step runs: it looks again once it has parked
        return []
    act = sync_points.traversal_act(session, stack.id, stack.current_traversal)
    return [Step(stack.id, row.id, stack.current_traversal, act or stack.action)]
