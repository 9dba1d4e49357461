"""Sync points: which inputs of a graph node have arrived in a traversal, updated atomically."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from common.db.models import SyncPoint


def create(
    session: Session,
    stack_id: str,
    traversal_id: str,
    entity_ids: list[str],
    is_update: bool,
    expected: list[str] | None = None,
    act: str | None = None,
) -> None:
    """Sync points for ``entity_ids``; ``expected`` (kept as extra_data) lists the inputs
    a node waits for when that is not derivable from resource rows (the stack's own)."""
    session.add_all(
        SyncPoint(
            entity_id=e,
            traversal_id=traversal_id,
            is_update=is_update,
            stack_id=stack_id,
            input_data=[],
            extra_data={"expected": expected, "act": act} if expected is not None else None,
            atomic_key=0,
        )
        for e in entity_ids
    )


def expected(session: Session, entity_id: str, traversal_id: str, is_update: bool) -> list[str]:
    """The inputs a sync point was created to wait for (see ``create``)."""
    extra = session.scalar(
        select(SyncPoint.extra_data).where(
            SyncPoint.entity_id == entity_id,
            SyncPoint.traversal_id == traversal_id,
            SyncPoint.is_update == is_update,
        )
    )
    return list((extra or {}).get("expected") or [])


def traversal_act(session: Session, stack_id: str, traversal_id: str) -> str | None:
    """What the steps of a traversal do (CREATE, UPDATE or DELETE), from the stack's
    own sync point."""
    extras = session.scalars(
        select(SyncPoint.extra_data).where(
            SyncPoint.entity_id == stack_id, SyncPoint.traversal_id == traversal_id
        )
    )
    for extra in extras:
        if extra and extra.get("act"):
            return str(extra["act"])
    return None


def arrive(
    session: Session, entity_id: str, traversal_id: str, is_update: bool, sender: str
) -> list[str] | None:
    """Within the caller's transaction, record ``sender`` as arrived at ``entity_id``.

    Returns the inputs now present, or None if the sync point is gone (a superseded
    traversal). The row is locked (MySQL) or the transaction already holds the write
    lock (SQLite, after the caller's first write), so no concurrent sender can be lost.
    """
    key = (
        SyncPoint.entity_id == entity_id,
        SyncPoint.traversal_id == traversal_id,
        SyncPoint.is_update == is_update,
    )
    row = session.execute(
        select(SyncPoint.input_data, SyncPoint.atomic_key).where(*key).with_for_update()
    ).first()
    if row is None:
        return None
    inputs = list(row.input_data or [])
    if sender in inputs:
        return inputs
    inputs.append(sender)
    result = session.execute(
        update(SyncPoint)
        .where(*key, SyncPoint.atomic_key == row.atomic_key)
        .values(input_data=inputs, atomic_key=row.atomic_key + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError(f"sync point {entity_id} changed under its lock")
    return inputs


def node_extra(session: Session, entity_id: str, traversal_id: str) -> dict[str, Any] | None:
    """A node's extra data in a traversal (hooks paused and cleared), locked for update;
    None when the traversal has no such node."""
    row = session.execute(
        select(SyncPoint.extra_data, SyncPoint.is_update)
        .where(SyncPoint.entity_id == entity_id, SyncPoint.traversal_id == traversal_id)
        .with_for_update()
    ).first()
    return None if row is None else dict(row.extra_data or {})


def set_node_extra(
    session: Session, entity_id: str, traversal_id: str, extra: dict[str, Any]
) -> None:
    session.execute(
        update(SyncPoint)
        .where(SyncPoint.entity_id == entity_id, SyncPoint.traversal_id == traversal_id)
        .values(extra_data=extra)
        .execution_options(synchronize_session=False)
    )
