"""Named queries on stack snapshots and the per-resource parts they keep."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from common import exception
from common.db.models import ResourceSnapshot, Snapshot, SyncPoint

RESTORING = "restoring_snapshot"


def add(
    session: Session,
    snapshot_id: str,
    stack_id: str,
    tenant: str,
    name: str | None,
    data: dict[str, Any],
    action: str,
) -> Snapshot:
    """A snapshot being taken (IN_PROGRESS)."""
    row = Snapshot(
        id=snapshot_id,
        stack_id=stack_id,
        tenant=tenant,
        name=name,
        data=data,
        action=action,
        status="IN_PROGRESS",
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, tenant: str, snapshot_id: str) -> Snapshot:
    """A snapshot of ``tenant``; NotFound as upstream words it otherwise."""
    row = session.get(Snapshot, snapshot_id)
    if row is None or row.tenant != tenant:
        raise exception.NotFound(message=f"Snapshot with id {snapshot_id} not found")
    return row


def get_of_stack(
    session: Session, tenant: str, snapshot_id: str, stack_id: str, stack_name: str
) -> Snapshot:
    """A snapshot that must belong to the given stack."""
    row = get(session, tenant, snapshot_id)
    if row.stack_id != stack_id:
        raise exception.SnapshotNotFound(snapshot=snapshot_id, stack=stack_name)
    return row


def of_stack(session: Session, tenant: str, stack_id: str) -> list[Snapshot]:
    query = select(Snapshot).where(Snapshot.stack_id == stack_id, Snapshot.tenant == tenant)
    return list(session.scalars(query.order_by(Snapshot.created_at, Snapshot.id)))


def count_of_stack(session: Session, tenant: str, stack_id: str) -> int:
    query = select(func.count()).where(Snapshot.stack_id == stack_id, Snapshot.tenant == tenant)
    return session.scalar(query) or 0


def set_state(
    session: Session,
    snapshot_id: str,
    status: str,
    reason: str,
    data: dict[str, Any] | None = None,
    action: str | None = None,
) -> bool:
    """Move a snapshot to ``status`` (and store its data); True if the row exists."""
    values: dict[str, Any] = {"status": status, "status_reason": reason}
    if data is not None:
        values["data"] = data
    if action is not None:
        values["action"] = action
    result = session.execute(
        update(Snapshot)
        .where(Snapshot.id == snapshot_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def add_resource_parts(session: Session, snapshot_id: str, parts: dict[str, Any]) -> None:
    """Each resource's part of a snapshot, by resource name (replacing earlier ones)."""
    session.execute(delete(ResourceSnapshot).where(ResourceSnapshot.snapshot_id == snapshot_id))
    session.add_all(
        ResourceSnapshot(snapshot_id=snapshot_id, resource_name=name, data=data)
        for name, data in parts.items()
    )


def resource_parts(session: Session, snapshot_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The resources' parts of each snapshot: snapshot id -> resource name -> data."""
    out: dict[str, dict[str, Any]] = {sid: {} for sid in snapshot_ids}
    if snapshot_ids:
        query = (
            select(ResourceSnapshot)
            .where(ResourceSnapshot.snapshot_id.in_(snapshot_ids))
            .order_by(ResourceSnapshot.created_at)
        )
        for row in session.scalars(query):
            out[row.snapshot_id][row.resource_name or ""] = row.data
    return out


def remove(session: Session, snapshot_id: str) -> None:
    session.execute(delete(ResourceSnapshot).where(ResourceSnapshot.snapshot_id == snapshot_id))
    session.execute(delete(Snapshot).where(Snapshot.id == snapshot_id))


def remove_all_of_stack(session: Session, stack_id: str) -> None:
    """Every snapshot of a stack, whoever took it (the stack is going away)."""
    ids = list(session.scalars(select(Snapshot.id).where(Snapshot.stack_id == stack_id)))
    if ids:
        session.execute(delete(ResourceSnapshot).where(ResourceSnapshot.snapshot_id.in_(ids)))
        session.execute(delete(Snapshot).where(Snapshot.id.in_(ids)))


def mark_restoring(session: Session, stack_id: str, traversal_id: str, snapshot_id: str) -> None:
    """Remember, on the traversal's own (stack) sync point, which snapshot it restores."""
    key = (SyncPoint.entity_id == stack_id, SyncPoint.traversal_id == traversal_id)
    for row in session.scalars(select(SyncPoint).where(*key)):
        row.extra_data = {**(row.extra_data or {}), RESTORING: snapshot_id}


def restoring(session: Session, stack_id: str, traversal_id: str) -> str | None:
    """The snapshot a traversal restores (see ``mark_restoring``), if any."""
    extras = session.scalars(
        select(SyncPoint.extra_data).where(
            SyncPoint.entity_id == stack_id, SyncPoint.traversal_id == traversal_id
        )
    )
    for extra in extras:
        if extra and extra.get(RESTORING):
            return str(extra[RESTORING])
    return None
