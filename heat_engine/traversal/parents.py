"""Waking a template resource's step when its nested stack settles.

A template resource's step does not hold a worker while its child stack runs: it parks
(see steps.StepRunner._perform). When the child completes or fails, the transaction
that says so also finds the parent's parked step, which is sent after the commit. A
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
    row = resource_db.by_name(session, parent.id, child.parent_resource_name)
    if row is None or row.status != "IN_PROGRESS" or row.traversal_id != parent.current_traversal:
        return []
    act = sync_points.traversal_act(session, parent.id, parent.current_traversal)
    return [Step(parent.id, row.id, parent.current_traversal, act or parent.action)]
