"""Stack snapshots: take one (a SNAPSHOT traversal), show, list and delete them, and
restore one (an update of the stack to the snapshot's template, as action RESTORE).

A snapshot keeps the stack's data in upstream's abandon shape; its resources' parts
are stored one row each and shown as ``data.resources``.
"""

from __future__ import annotations

from typing import Any

from oslo_config import cfg
from sqlalchemy.orm import Session

from common import exception
from common.context import RequestContext
from common.db import models
from common.db import resources as resource_db
from common.db import snapshots as snapshot_db
from heat_engine import formats
from heat_engine.abandon import stack_data
from heat_engine.traversal import plan, snapshot_records
from heat_engine.traversal.messages import UPDATE, Step
from heat_engine.validation import CheckedStack, validate_stack

SNAPSHOT, RESTORE = snapshot_records.SNAPSHOT, snapshot_records.RESTORE
TAKE, IN_PROGRESS, COMPLETE = snapshot_records.TAKE, "IN_PROGRESS", "COMPLETE"


def format_snapshot(row: models.Snapshot, parts: dict[str, Any] | None) -> dict[str, Any]:
    """A snapshot as the API shows it; ``parts`` (its resources) fill ``data.resources``."""
    data = dict(row.data) if isinstance(row.data, dict) else row.data
    if parts and isinstance(data, dict):
        data["resources"] = parts
    return {
        "id": row.id,
        "name": row.name,
        "action": row.action,
        "status": row.status,
        "status_reason": row.status_reason,
        "data": data,
        "creation_time": formats.isotime(row.created_at),
    }


def take(
    session: Session, conf: cfg.ConfigOpts, ctx: RequestContext, stack: models.Stack, name: Any
) -> tuple[dict[str, Any], list[Step]]:
    """Start a snapshot of ``stack``: the snapshot (IN_PROGRESS) and the steps to send once
    committed. The SNAPSHOT traversal's id is the snapshot's id."""
    if stack.status == IN_PROGRESS:
        raise exception.ActionInProgress(stack_name=stack.name, action=stack.action)
    limit = conf.max_snapshots_per_stack
    count = snapshot_db.count_of_stack(session, ctx.tenant_id, stack.id)
    if not ctx.is_admin and 0 <= limit <= count:
        reason = (
            f"You have reached the maximum snapshots per stack, {limit}. "
            "Please delete some snapshots."
        )
        # formatted here: a ``message`` keyword would replace the class's whole text
        raise exception.RequestLimitExceeded(
            exception.RequestLimitExceeded.msg_fmt % {"message": reason}
        )
    if name is not None and not isinstance(name, str):
        raise exception.Invalid(reason="The snapshot name must be a string.")
    data = stack_data(session, stack, with_resources=False)
    steps = plan.begin(session, stack, SNAPSHOT)
    row = snapshot_db.add(
        session, stack.current_traversal or "", stack.id, ctx.tenant_id, name, data, TAKE
    )
    shown = format_snapshot(row, None)
    if not steps and not resource_db.of_stack(session, stack.id):
        # a stack without resources completed its walk at once
        snapshot_records.complete(session, stack.id, row.id, plan.COMPLETED % SNAPSHOT)
    return shown, steps


def show(
    session: Session, ctx: RequestContext, stack: models.Stack, snapshot_id: str
) -> dict[str, Any]:
    row = snapshot_db.get_of_stack(session, ctx.tenant_id, snapshot_id, stack.id, stack.name)
    return format_snapshot(row, snapshot_db.resource_parts(session, [row.id])[row.id])


def list_of_stack(
    session: Session, ctx: RequestContext, stack: models.Stack
) -> list[dict[str, Any]]:
    rows = snapshot_db.of_stack(session, ctx.tenant_id, stack.id)
    parts = snapshot_db.resource_parts(session, [r.id for r in rows])
    return [format_snapshot(r, parts[r.id]) for r in rows]


def delete(session: Session, ctx: RequestContext, stack: models.Stack, snapshot_id: str) -> None:
    """Remove a snapshot. Nothing of ours keeps data outside the database for a snapshot,
    so there is no backend to clean up and the rows go at once."""
    row = snapshot_db.get_of_stack(session, ctx.tenant_id, snapshot_id, stack.id, stack.name)
    if row.action in (None, TAKE) and row.status == IN_PROGRESS:
        raise exception.NotSupported(feature="Deleting in-progress snapshot")
    snapshot_db.remove(session, row.id)


def checked_restore(
    session: Session,
    conf: cfg.ConfigOpts,
    ctx: RequestContext,
    stack: models.Stack,
    snapshot_id: str,
) -> tuple[CheckedStack, dict[str, Any], dict[str, Any]]:
    """The validated stack a restore brings ``stack`` to, with the snapshot's template and
    files; the snapshot must be the stack's own and COMPLETE."""
    row = snapshot_db.get_of_stack(session, ctx.tenant_id, snapshot_id, stack.id, stack.name)
    if row.status != COMPLETE:
        raise exception.NotSupported(feature="Restoring incomplete snapshot")
    data = row.data if isinstance(row.data, dict) else {}
    template, files = data.get("template") or {}, data.get("files") or {}
    checked = validate_stack(
        conf,
        template,
        data.get("environment") or {},
        stack.name,
        stack.tenant,
        stack_id=stack.id,
        files=files,
    )
    return checked, template, files


def begin_restore(session: Session, stack: models.Stack, snapshot_id: str) -> list[Step]:
    """Start the RESTORE traversal (update steps) on a stack already brought to the
    snapshot's template; it remembers its snapshot for the resources it re-creates."""
    steps = plan.begin(session, stack, RESTORE, act=UPDATE)
    if steps:
        snapshot_db.mark_restoring(session, stack.id, stack.current_traversal or "", snapshot_id)
    return steps
