"""What SNAPSHOT and RESTORE traversals add to the steps: the snapshot's record when a
SNAPSHOT walk ends, and a restored resource's private data from its snapshot.

A SNAPSHOT traversal's id is the snapshot's id, as upstream keys it; a RESTORE
traversal remembers its snapshot on the stack's own sync point.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from common.db import models
from common.db import snapshots as snapshot_db
from heat_engine.abandon import stack_data
from heat_engine.stack import LoadedStack

SNAPSHOT, RESTORE = "SNAPSHOT", "RESTORE"
# a snapshot's own action while it is taken (upstream's Snapshot.CREATE)
TAKE = "CREATE"


def complete(session: Session, stack_id: str, traversal_id: str, reason: str) -> None:
    """In the transaction that completes a SNAPSHOT walk: store the stack's data and each
    resource's part, and mark the snapshot COMPLETE."""
    _record(session, stack_id, traversal_id, "COMPLETE", reason, with_parts=True)


def fail(session: Session, stack_id: str, traversal_id: str, reason: str) -> None:
    """In the transaction that fails a SNAPSHOT walk: mark the snapshot FAILED."""
    _record(session, stack_id, traversal_id, "FAILED", reason, with_parts=False)


def _record(
    session: Session,
    stack_id: str,
    snapshot_id: str,
    status: str,
    reason: str,
    with_parts: bool,
) -> None:
    stack = session.get(models.Stack, stack_id)
    if stack is None:
        return
    session.refresh(stack)  # its status was just set by a bulk update
    data = stack_data(session, stack, with_resources=with_parts)
    if with_parts:
        snapshot_db.add_resource_parts(session, snapshot_id, data["resources"])
    data["resources"] = {}
    data["status"] = status
    snapshot_db.set_state(session, snapshot_id, status, reason, data=data, action=TAKE)


def restored_data(
    factory: sessionmaker[Session], loaded: LoadedStack, row: models.Resource, type_name: str
) -> dict[str, str]:
    """The private data a resource (re)created by a RESTORE had in the snapshot, when the
    snapshot holds it for a resource of the same type; empty otherwise."""
    if loaded.row.action != RESTORE or not loaded.row.current_traversal:
        return {}
    with factory() as session:
        snapshot_id = snapshot_db.restoring(session, loaded.row.id, loaded.row.current_traversal)
        if snapshot_id is None:
            return {}
        part: Any = snapshot_db.resource_parts(session, [snapshot_id])[snapshot_id].get(row.name)
    if not isinstance(part, dict) or part.get("type") != type_name:
        return {}
    data = part.get("resource_data")
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
