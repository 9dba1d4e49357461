"""Start a traversal: persist its sync points, then send the steps that are ready at once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

from common import exception
from common.db import events as event_db
from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import stacks as stack_db
from heat_engine.graph import Graph
from heat_engine.stack import STACK_RESOURCE_TYPE, environment_parameters, stored_template
from heat_engine.traversal.messages import (
    CREATE,
    DELETE,
    ROLLBACK,
    UPDATE,
    Step,
    StepSender,
    is_forward,
)

STARTED = "Stack %s started"
COMPLETED = "Stack %s completed successfully"


def new_traversal_id() -> str:
    return str(uuid.uuid4())


def ready_steps(session: Session, stack_id: str, traversal_id: str, act: str) -> list[Step]:
    """Record the traversal and return the steps with no inputs to wait for.

    Create and update walk from resources that require nothing; delete walks from
    resources nothing requires. A node is done when its resource is COMPLETE with this
    traversal's id; the stack's own sync point remembers what the steps do (``act``)
    and when the walk began, for sweeps.
    """
    rows = resource_db.of_stack(session, stack_id)
    forward = is_forward(act)
    sync_points.create(session, stack_id, traversal_id, forward, act)
    inputs = {r.id: (r.requires if forward else r.needed_by) or [] for r in rows}
    return [Step(stack_id, r.id, traversal_id, act) for r in rows if not inputs[r.id]]


def finish_if_empty(session: Session, stack: models.Stack, traversal_id: str, act: str) -> bool:
    """Complete a traversal over a stack with no resources; True if it did."""
    if resource_db.of_stack(session, stack.id):
        return False
    label = stack.action
    if stack_db.set_status(
        session,
        stack.id,
        traversal_id,
        label,
        "COMPLETE",
        COMPLETED % label,
        only_if_in_progress=True,
    ):
        event_db.add(
            session,
            stack.id,
            stack.name,
            label,
            "COMPLETE",
            COMPLETED % label,
            stack.id,
            STACK_RESOURCE_TYPE,
        )
        if label == DELETE:
            stack_db.mark_deleted(session, stack.id)
    return True


def begin(session: Session, stack: models.Stack, action: str, act: str | None = None) -> list[Step]:
    """Put ``stack`` under a new ``action`` traversal whose steps ``act`` (default: the
    same); returns the steps to send once committed.

    Callers commit the session before sending, so a step never sees state that
    might still roll back. A stack with no resources completes at once.
    """
    act = act or action
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
    if finish_if_empty(session, stack, traversal_id, act):
        return []
    return ready_steps(session, stack.id, traversal_id, act)


def relink(
    session: Session,
    stack: models.Stack,
    order: list[str],
    requires: Mapping[str, set[str]],
    required_by: Mapping[str, set[str]],
) -> None:
    """Resource rows for a new graph. A resource the graph no longer has waits for its
    former dependents (which stop referring to it first), then is deleted."""
    rows = {r.name: r for r in resource_db.of_stack(session, stack.id)}
    for name in order:
        if name not in rows:
            rows[name] = models.Resource(name=name, stack_id=stack.id, root_stack_id=stack.id)
            session.add(rows[name])
    session.flush()
    former_dependents = {r.id: list(r.needed_by or []) for r in rows.values()}
    for name in order:
        rows[name].requires = sorted(rows[r].id for r in requires[name])
        rows[name].needed_by = sorted(rows[r].id for r in required_by[name])
    kept_ids = {rows[n].id for n in order}
    for name, row in rows.items():
        if name in requires:
            continue
        waits_for = [d for d in former_dependents[row.id] if d in kept_ids]
        row.requires, row.needed_by = waits_for, []
        for dependent in rows.values():
            if dependent.id in waits_for:
                dependent.needed_by = sorted({*dependent.needed_by, row.id})


def begin_rollback(session: Session, stack: models.Stack) -> list[Step]:
    """Undo a failed create (delete everything) or update (back to the previous template)."""
    if stack.action == CREATE:
        return begin(session, stack, ROLLBACK, act=DELETE)
    if stack.action != UPDATE or stack.prev_raw_template_id is None:
        return []
    stack.raw_template_id, stack.prev_raw_template_id = (
        stack.prev_raw_template_id,
        stack.raw_template_id,
    )
    template, environment_data = stored_template(session, stack.raw_template_id)
    parameters = template.parameters(
        environment_parameters(environment_data, template), stack.name, stack.id, stack.tenant
    )
    requires = template.dependencies(parameters)
    names = set(requires)
    graph = Graph(requires)
    relink(
        session,
        stack,
        graph.topological_order(),
        requires,
        {n: graph.required_by(n) for n in names},
    )
    return begin(session, stack, ROLLBACK, act=UPDATE)


def cancel(session: Session, stack: models.Stack) -> None:
    """Stop the current traversal where it is: its remaining steps find it retired."""
    reason = f"Stack {stack.action} cancelled"
    stack.current_traversal = new_traversal_id()
    stack.status, stack.status_reason = "FAILED", reason
    event_db.add(
        session, stack.id, stack.name, stack.action, "FAILED", reason, stack.id, STACK_RESOURCE_TYPE
    )


def start(factory: sessionmaker[Session], sender: StepSender, stack_id: str, action: str) -> None:
    """Begin ``action`` on a stored stack and send its first steps."""
    with factory.begin() as session:
        stack = stack_db.get(session, stack_id)
        if stack is None:
            raise exception.EntityNotFound(entity="Stack", name=stack_id)
        steps = begin(session, stack, action)
    for step in steps:
        sender.send(step)
