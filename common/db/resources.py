"""Named queries on resources and their private data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select, update
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
    **values: Any,
) -> bool:
    """Move a resource to a new state; with ``current`` = (stack id, traversal id), only
    while that traversal still owns the stack. True if the row changed."""
    query = update(Resource).where(Resource.id == resource_id)
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
