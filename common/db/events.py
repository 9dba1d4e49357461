"""Named queries on events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.db.models import Event

SORT_KEYS = {
    "event_time": Event.created_at,
    "created_at": Event.created_at,
    "resource_name": Event.resource_name,
    "resource_status": Event.resource_status,
    "resource_action": Event.resource_action,
    "resource_type": Event.resource_type,
}


def add(
    session: Session,
    stack_id: str,
    name: str,
    action: str,
    status: str,
    reason: str,
    physical_id: str | None,
    resource_type: str,
    properties: Any = None,
) -> Event:
    event = Event(
        stack_id=stack_id,
        resource_name=name,
        resource_action=action,
        resource_status=status,
        resource_status_reason=reason,
        physical_resource_id=physical_id,
        resource_type=resource_type,
        resource_properties=properties,
    )
    session.add(event)
    return event


def list_events(
    session: Session,
    stack_id: str,
    filters: dict[str, Any] | None = None,
    limit: int | None = None,
    marker: str | None = None,
    sort_keys: list[str] | None = None,
    sort_dir: str | None = None,
) -> list[Event]:
    query = select(Event).where(Event.stack_id == stack_id)
    for key, value in (filters or {}).items():
        column = getattr(Event, key, None)
        if column is None or key not in (
            "resource_name",
            "resource_status",
            "resource_action",
            "resource_type",
            "physical_resource_id",
            "uuid",
        ):
            continue
        values = value if isinstance(value, list) else [value]
        query = query.where(column.in_(values))
    descending = (sort_dir or "desc").lower() == "desc"
    columns = [SORT_KEYS[k] for k in (sort_keys or []) if k in SORT_KEYS]
    order = [c.desc() if descending else c.asc() for c in columns]
    order.append(Event.id.desc() if descending else Event.id.asc())
    if marker:
        anchor = session.scalars(select(Event).where(Event.uuid == marker)).first()
        if anchor is not None:
            query = query.where(Event.id < anchor.id if descending else Event.id > anchor.id)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def by_uuid(session: Session, stack_id: str, event_uuid: str) -> Event | None:
    return session.scalars(
        select(Event).where(Event.stack_id == stack_id, Event.uuid == event_uuid)
    ).first()
