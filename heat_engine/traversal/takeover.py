"""Keep every IN_PROGRESS stack moving: time out overdue traversals, resume stalled ones.

Steps held by an engine that dies are redelivered by the broker, so most failures heal
by themselves. This is the safety net for the rest: a step lost with an in-memory
broker (heat-all restarted), a step whose publish failed after its state was committed,
or an engine that hangs. Each engine runs ``sweep`` periodically; resending a step is
harmless because steps are idempotent.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from common.db import events as event_db
from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import services as service_db
from common.db.base import utcnow
from heat_engine.stack import STACK_RESOURCE_TYPE
from heat_engine.traversal import parents, plan
from heat_engine.traversal.messages import Step, StepSender, is_forward

LOG = logging.getLogger(__name__)

TIMED_OUT = "Timed out"


def _traversal_started(session: Session, stack: models.Stack) -> datetime.datetime | None:
    """When the stack's current traversal began: its own sync point was made then."""
    return session.scalar(
        select(models.SyncPoint.created_at).where(
            models.SyncPoint.entity_id == stack.id,
            models.SyncPoint.traversal_id == stack.current_traversal,
        )
    )


def _ready_but_idle(session: Session, stack: models.Stack, live_engines: set[str]) -> list[Step]:
    """Steps whose inputs are all done but that nobody alive is running."""
    traversal = stack.current_traversal or ""
    action = sync_points.traversal_act(session, stack.id, traversal) or stack.action
    forward = is_forward(action)
    rows = list(
        session.scalars(select(models.Resource).where(models.Resource.stack_id == stack.id))
    )
    done = {row.id for row in rows if resource_db.is_done(row, traversal)}
    if len(done) == len(rows):
        # only the stack's own completion was lost: replay a last node to finish it
        last = [r for r in rows if not ((r.needed_by if forward else r.requires) or [])]
        return [Step(stack.id, r.id, traversal, action, replay=True) for r in last[:1]]
    steps = []
    for row in rows:
        if row.id in done or (row.status == "FAILED" and row.traversal_id == traversal):
            continue
        if row.engine_id and row.engine_id in live_engines:
            continue
        needed = set((row.requires if forward else row.needed_by) or [])
        if needed <= done:
            steps.append(Step(stack.id, row.id, traversal, action, replay=True))
    return steps


def time_out(session: Session, stack: models.Stack) -> list[Step]:
    """Fail an overdue traversal and retire it, so its remaining steps stop; roll back
    when the stack allows it (the rollback's first steps are returned)."""
    stack.status, stack.status_reason = "FAILED", TIMED_OUT
    stack.current_traversal = str(uuid.uuid4())
    event_db.add(
        session,
        stack.id,
        stack.name,
        stack.action,
        "FAILED",
        TIMED_OUT,
        stack.id,
        STACK_RESOURCE_TYPE,
    )
    if stack.disable_rollback:
        return parents.wake_parent(session, stack.id)
    return plan.begin_rollback(session, stack)


def sweep(
    factory: sessionmaker[Session],
    sender: StepSender,
    default_timeout: int,
    stall_seconds: float,
) -> list[Step]:
    """Time out overdue stacks and resend the idle ready steps of stalled ones."""
    now = utcnow()
    resent: list[Step] = []
    with factory.begin() as session:
        live = {
            s.engine_id
            for s in service_db.list_services(session)
            if service_db.is_service_up(s, now)
        }
        in_progress = list(
            session.scalars(
                select(models.Stack).where(
                    models.Stack.status == "IN_PROGRESS", models.Stack.deleted_at.is_(None)
                )
            )
        )
        for stack in in_progress:
            started = _traversal_started(session, stack)
            if started is None:
                continue
            limit = stack.timeout * 60 if stack.timeout else default_timeout
            if now - started > datetime.timedelta(seconds=limit):
                LOG.warning("Stack %s %s timed out after %s s", stack.name, stack.action, limit)
                resent.extend(time_out(session, stack))
                continue
            if _last_progress(session, stack, started) > now - datetime.timedelta(
                seconds=stall_seconds
            ):
                continue
            resent.extend(_ready_but_idle(session, stack, live))
    for step in resent:
        LOG.info("Resuming stalled step %s", step)
        sender.send(step)
    return resent


def _last_progress(
    session: Session, stack: models.Stack, started: datetime.datetime
) -> datetime.datetime:
    latest = session.scalar(
        select(func.max(models.Event.created_at)).where(models.Event.stack_id == stack.id)
    )
    return max(d for d in (latest, started) if d is not None)
