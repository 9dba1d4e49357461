"""A traversal's own record: when it began, what its steps do, and the hooks its nodes
paused at. (Which nodes are done is read from resource rows: see resources.is_done.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from common.db.models import SyncPoint


def create(session: Session, stack_id: str, traversal_id: str, is_update: bool, act: str) -> None:
    """The stack's sync point for a new traversal whose steps do ``act``."""
    session.add(
        SyncPoint(
            entity_id=stack_id,
            traversal_id=traversal_id,
            is_update=is_update,
            stack_id=stack_id,
            input_data=[],
            extra_data={"act": act, "nodes": {}},
            atomic_key=0,
        )
    )


def traversal_act(session: Session, stack_id: str, traversal_id: str) -> str | None:
    """What the steps of a traversal do (CREATE, UPDATE, DELETE, ...)."""
    extras = session.scalars(
        select(SyncPoint.extra_data).where(
            SyncPoint.entity_id == stack_id, SyncPoint.traversal_id == traversal_id
        )
    )
    for extra in extras:
        if extra and extra.get("act"):
            return str(extra["act"])
    return None


def _key(stack_id: str, traversal_id: str) -> tuple[Any, ...]:
    return (SyncPoint.entity_id == stack_id, SyncPoint.traversal_id == traversal_id)


def node_extra(
    session: Session, stack_id: str, node_id: int, traversal_id: str
) -> dict[str, Any] | None:
    """A node's extra data in a traversal (hooks paused and cleared), with the
    traversal's row locked for update; None when the traversal is gone."""
    extra = session.execute(
        select(SyncPoint.extra_data).where(*_key(stack_id, traversal_id)).with_for_update()
    ).first()
    if extra is None:
        return None
    return dict(((extra[0] or {}).get("nodes") or {}).get(str(node_id)) or {})


def set_node_extra(
    session: Session, stack_id: str, node_id: int, traversal_id: str, data: dict[str, Any]
) -> None:
    """Store a node's extra data (call ``node_extra`` first, in the same transaction)."""
    extra = session.scalar(select(SyncPoint.extra_data).where(*_key(stack_id, traversal_id)))
    extra = dict(extra or {})
    extra["nodes"] = {**(extra.get("nodes") or {}), str(node_id): data}
    session.execute(
        update(SyncPoint)
        .where(*_key(stack_id, traversal_id))
        .values(extra_data=extra)
        .execution_options(synchronize_session=False)
    )
