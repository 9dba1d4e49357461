"""Named queries on resources and their private data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, exists, not_, or_, select, update
from sqlalchemy.orm import Session

from common.db.models import Resource, ResourceData, Stack


def of_stack(session: Session, stack_id: str) -> list[Resource]:
    return list(
        session.scalars(select(Resource).where(Resource.stack_id == stack_id).order_by(Resource.id))
    )


def by_ids(session: Session, stack_id: str, ids: set[int]) -> list[Resource]:
    if not ids:
        return []
    query = select(Resource).where(Resource.stack_id == stack_id, Resource.id.in_(ids))
    return list(session.scalars(query.order_by(Resource.id)))


def by_name(session: Session, stack_id: str, name: str) -> Resource | None:
    return session.scalars(
        select(Resource).where(Resource.stack_id == stack_id, Resource.name == name)
    ).first()


def data_of(session: Session, resource_ids: list[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {rid: {} for rid in resource_ids}
    if not resource_ids:
        return out
    rows = session.scalars(select(ResourceData).where(ResourceData.resource_id.in_(resource_ids)))
    for row in rows:
        out[row.resource_id][row.key] = row.value or ""
    return out


def set_data(session: Session, resource_id: int, data: dict[str, str], redacted: set[str]) -> None:
    if not data:
        return
    existing = {
        row.key: row
        for row in session.scalars(
            select(ResourceData).where(ResourceData.resource_id == resource_id)
        )
    }
    for key, value in data.items():
        row = existing.get(key)
        if row is None:
            session.add(
                ResourceData(resource_id=resource_id, key=key, value=value, redact=key in redacted)
            )
        elif row.value != value:
            row.value = value


def set_state(
    session: Session,
    resource_id: int,
    action: str,
    status: str,
    reason: str,
    current: tuple[str, str] | None = None,
    expect_key: int | None = None,
    **values: Any,
) -> bool:
    """Move a resource to a new state; with ``current`` = (stack id, traversal id), only
    while that traversal still owns the stack; with ``expect_key``, only if nobody moved
    it since it was read (its ``atomic_key``). True if the row changed."""
    query = update(Resource).where(Resource.id == resource_id)
    if expect_key is not None:
        query = query.where(Resource.atomic_key == expect_key)
    if current is not None:
        stack_id, traversal_id = current
        query = query.where(
            exists().where(Stack.id == stack_id, Stack.current_traversal == traversal_id)
        )
    result = session.execute(
        query.values(
            action=action,
            status=status,
            status_reason=reason,
            atomic_key=Resource.atomic_key + 1,
            **values,
        ).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_traversal(session: Session, resource_id: int, stack_id: str, traversal_id: str) -> bool:
    """Count a COMPLETE resource as done in ``traversal_id`` while it owns the stack."""
    result = session.execute(
        update(Resource)
        .where(
            Resource.id == resource_id,
            Resource.status == "COMPLETE",
            exists().where(Stack.id == stack_id, Stack.current_traversal == traversal_id),
        )
        .values(traversal_id=traversal_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def is_done(row: Resource, traversal_id: str) -> bool:
    """Whether a resource is done in a traversal: COMPLETE by one of its steps."""
    return row.traversal_id == traversal_id and row.status == "COMPLETE"


# The queries every resource step runs, built once (their SQL is compiled once too).
_LINKS = select(
    Resource.id, Resource.requires, Resource.needed_by, Resource.status, Resource.traversal_id
).where(Resource.id.in_(bindparam("ids", expanding=True)))
_DONE_AMONG = select(Resource.id).where(
    Resource.id.in_(bindparam("ids", expanding=True)),
    Resource.traversal_id == bindparam("traversal_id"),
    Resource.status == "COMPLETE",
)
# a resource of the stack not yet done in the traversal (the index on stack_id,
# traversal_id and status answers it without reading rows)
_PENDING = (
    select(Resource.id)
    .where(
        Resource.stack_id == bindparam("stack_id"),
        or_(
            Resource.traversal_id.is_(None),
            not_(
                and_(
                    Resource.traversal_id == bindparam("traversal_id"),
                    Resource.status == "COMPLETE",
                )
            ),
        ),
    )
    .limit(1)
)


def links(session: Session, ids: set[int]) -> list[Any]:
    """Id, graph links and progress of some resources, without the rest of the row."""
    if not ids:
        return []
    return list(session.execute(_LINKS, {"ids": sorted(ids)}))


def done_among(session: Session, ids: set[int], traversal_id: str) -> set[int]:
    """Which of ``ids`` are done in ``traversal_id``."""
    if not ids:
        return set()
    found = session.scalars(_DONE_AMONG, {"ids": sorted(ids), "traversal_id": traversal_id})
    return set(found)


def all_done(session: Session, stack_id: str, traversal_id: str) -> bool:
    """Whether every resource of a stack is done in ``traversal_id``."""
    pending = session.scalar(_PENDING, {"stack_id": stack_id, "traversal_id": traversal_id})
    return pending is None
