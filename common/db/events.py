"""Named queries on events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from common.db import pagination
from common.db.models import Event, Stack

# the keys upstream sorts events by (others are ignored, as upstream ignores them)
SORT_KEYS = {
    "event_time": Event.created_at,
    "resource_type": Event.resource_type,
}
FILTER_COLUMNS = (
    "resource_name",
    "resource_status",
    "resource_action",
    "resource_type",
    "physical_resource_id",
    "uuid",
)


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


def add_all(session: Session, events: list[dict[str, Any]]) -> None:
    """Insert several events in one statement, in order (keys as ``add`` takes them)."""
    if not events:
        return
    session.execute(
        insert(Event),
        [
            {
                "stack_id": e["stack_id"],
                "resource_name": e["name"],
                "resource_action": e["action"],
                "resource_status": e["status"],
                "resource_status_reason": e["reason"],
                "physical_resource_id": e.get("physical_id"),
                "resource_type": e["resource_type"],
                "resource_properties": e.get("properties"),
            }
            for e in events
        ],
    )


def list_events(
    session: Session,
    stack_ids: str | Sequence[str],
    filters: dict[str, Any] | None = None,
    limit: int | None = None,
    marker: str | None = None,
    sort_keys: list[str] | None = None,
    sort_dir: str | None = None,
) -> list[Event]:
    """Events of one stack, or of several sorted and paged together (nested_depth)."""
    ids = [stack_ids] if isinstance(stack_ids, str) else list(stack_ids)
    query = select(Event).where(Event.stack_id.in_(ids))
    for key, value in (filters or {}).items():
        if key in FILTER_COLUMNS:
            values = value if isinstance(value, list) else [value]
            query = query.where(getattr(Event, key).in_(values))
    columns = [SORT_KEYS[k] for k in (sort_keys or []) if k in SORT_KEYS]
    descending = pagination.is_descending(sort_dir, bool(columns))
    columns = [*(columns or [Event.created_at]), Event.id]
    anchor = None
    if marker:
        anchor = session.scalars(select(Event).where(Event.uuid == marker)).first()
    values = [getattr(anchor, c.key) for c in columns] if anchor is not None else None
    return list(session.scalars(pagination.page(query, columns, descending, values, limit)))


def stack_ids_within(session: Session, stack_id: str, depth: int) -> list[str]:
    """The stack and its nested stacks down to ``depth`` levels below it, deleted ones
    left out (their events are not listed, as upstream)."""
    found = [stack_id]
    level = [stack_id]
    for _ in range(depth):
        level = list(
            session.scalars(
                select(Stack.id).where(Stack.owner_id.in_(level), Stack.deleted_at.is_(None))
            )
        )
        if not level:
            break
        found.extend(level)
    return found


def by_uuid(session: Session, stack_id: str, event_uuid: str) -> Event | None:
    return session.scalars(
        select(Event).where(Event.stack_id == stack_id, Event.uuid == event_uuid)
    ).first()
