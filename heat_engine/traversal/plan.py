"""Start a traversal: persist its sync points, then send the steps that are ready at once."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from common import exception
from common.db import events as event_db
from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import stacks as stack_db
from heat_engine.stack import STACK_RESOURCE_TYPE
from heat_engine.traversal.messages import DELETE, Step, StepSender

STARTED = "Stack %s started"
COMPLETED = "Stack %s completed successfully"


def new_traversal_id() -> str:
    return str(uuid.uuid4())


def ready_steps(session: Session, stack_id: str, traversal_id: str, action: str) -> list[Step]:
    """Create the sync points of a traversal and return the steps with no inputs to wait for.

    Create walks from resources that require nothing; delete walks from resources
    nothing requires. The stack's own sync point waits for the walk's last nodes.
    """
    rows = resource_db.of_stack(session, stack_id)
    forward = action != DELETE
    inputs = {r.id: (r.requires if forward else r.needed_by) or [] for r in rows}
    sync_points.create(session, stack_id, traversal_id, [str(r.id) for r in rows], forward)
    targets = {r.id: (r.needed_by if forward else r.requires) or [] for r in rows}
    last = [str(r.id) for r in rows if not targets[r.id]]
    sync_points.create(session, stack_id, traversal_id, [stack_id], forward, expected=last)
    return [Step(stack_id, r.id, traversal_id, action) for r in rows if not inputs[r.id]]


def finish_if_empty(
    session: Session, stack_id: str, traversal_id: str, action: str, name: str
) -> bool:
    """Complete a traversal over a stack with no resources; True if it did."""
    if resource_db.of_stack(session, stack_id):
        return False
    if stack_db.set_status(
        session,
        stack_id,
        traversal_id,
        action,
        "COMPLETE",
        COMPLETED % action,
        only_if_in_progress=True,
    ):
        event_db.add(
            session,
            stack_id,
            name,
            action,
            "COMPLETE",
            COMPLETED % action,
            stack_id,
            STACK_RESOURCE_TYPE,
        )
        if action == DELETE:
            stack_db.mark_deleted(session, stack_id)
    return True


def begin(session: Session, stack: models.Stack, action: str) -> list[Step]:
    """Put ``stack`` under a new ``action`` traversal; the steps to send once committed.

    Callers commit the session before sending, so a step never sees state that
    might still roll back. A stack with no resources completes at once.
    """
    traversal_id = new_traversal_id()
    stack.current_traversal = traversal_id
    stack.action, stack.status, stack.status_reason = action, "IN_PROGRESS", STARTED % action
    event_db.add(
        session,
        stack.id,
        stack.name,
        action,
        "IN_PROGRESS",
        STARTED % action,
        stack.id,
        STACK_RESOURCE_TYPE,
    )
    session.flush()
    if finish_if_empty(session, stack.id, traversal_id, action, stack.name):
        return []
    return ready_steps(session, stack.id, traversal_id, action)


def start(factory: sessionmaker[Session], sender: StepSender, stack_id: str, action: str) -> None:
    """Begin ``action`` on a stored stack and send its first steps."""
    with factory.begin() as session:
        stack = stack_db.get(session, stack_id)
        if stack is None:
            raise exception.EntityNotFound(entity="Stack", name=stack_id)
        steps = begin(session, stack, action)
    for step in steps:
        sender.send(step)
