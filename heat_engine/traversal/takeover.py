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
from common.db import services as service_db
from common.db.base import utcnow
from heat_engine.stack import STACK_RESOURCE_TYPE, environment_parameters, stored_template
from heat_engine.traversal import plan
from heat_engine.traversal.messages import DELETE, UPDATE, Step, StepSender, is_forward

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


def _is_done(row: models.Resource, stack: models.Stack, action: str, kept: set[str]) -> bool:
    if action == DELETE or (action == UPDATE and row.name not in kept):
        return row.action == DELETE and row.status == "COMPLETE"
    if action == UPDATE:
        return row.status == "COMPLETE" and row.current_template_id == stack.raw_template_id
    return row.action == action and row.status == "COMPLETE"


def _ready_but_idle(
    session: Session, stack: models.Stack, live_engines: set[str], kept: set[str]
) -> list[Step]:
    """Steps whose inputs all arrived but that nobody alive is running."""
    action = sync_points.traversal_act(session, stack.id, stack.current_traversal or "")
    action = action or stack.action
    forward = is_forward(action)
    rows = list(
        session.scalars(select(models.Resource).where(models.Resource.stack_id == stack.id))
    )
    arrived = {
        sp.entity_id: set(sp.input_data or [])
        for sp in session.scalars(
            select(models.SyncPoint).where(
                models.SyncPoint.stack_id == stack.id,
                models.SyncPoint.traversal_id == stack.current_traversal,
            )
        )
    }
    steps = []
    done = {row.id for row in rows if _is_done(row, stack, action, kept)}
    if len(done) == len(rows):
        # only the stack's own completion was lost: replay a last node to finish it
        last = [r for r in rows if not ((r.needed_by if forward else r.requires) or [])]
        return [Step(stack.id, r.id, stack.current_traversal or "", action) for r in last[:1]]
    for row in rows:
        if row.id in done or row.status == "FAILED":
            continue
        if row.engine_id and row.engine_id in live_engines:
            continue
        needed = {str(i) for i in ((row.requires if forward else row.needed_by) or [])}
        if needed <= arrived.get(str(row.id), set()):
            steps.append(Step(stack.id, row.id, stack.current_traversal or "", action))
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
    return [] if stack.disable_rollback else plan.begin_rollback(session, stack)


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
            resent.extend(_ready_but_idle(session, stack, live, _kept(session, stack)))
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


def _kept(session: Session, stack: models.Stack) -> set[str]:
    """Names the stack has under its current template (removed ones are deleted in an
    update)."""
    template, environment_data = stored_template(session, stack.raw_template_id)
    parameters = template.parameters(
        environment_parameters(environment_data, template), stack.name, stack.id, stack.tenant
    )
    return set(template.active_resources(parameters))
