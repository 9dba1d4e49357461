"""Named queries on stacks and their templates."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select, update
from sqlalchemy.orm import Session

from common.db.base import utcnow
from common.db.models import RawTemplate, Resource, Stack, StackTag, SyncPoint

SORT_KEYS = {
    "stack_name": Stack.name,
    "stack_status": Stack.status,
    "creation_time": Stack.created_at,
    "updated_time": Stack.updated_at,
    "name": Stack.name,
    "status": Stack.status,
    "created_at": Stack.created_at,
    "updated_at": Stack.updated_at,
}


def get(session: Session, stack_id: str, show_deleted: bool = False) -> Stack | None:
    stack = session.get(Stack, stack_id)
    if stack is None or (stack.deleted_at is not None and not show_deleted):
        return None
    return stack


def get_by_name(session: Session, tenant: str, name: str) -> Stack | None:
    query = select(Stack).where(
        Stack.tenant == tenant,
        Stack.name == name,
        Stack.deleted_at.is_(None),
        Stack.owner_id.is_(None),
    )
    return session.scalars(query).first()


@dataclasses.dataclass(frozen=True)
class TagFilter:
    """Stack list filtering by tags, as the API's tags, tags_any, not_tags, not_tags_any."""

    tags: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    not_tags: tuple[str, ...] = ()
    not_tags_any: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # hidden_stack_tags, unless show_hidden

    def apply(self, query: Any) -> Any:
        def tagged(tag: str) -> Any:
            return exists().where(StackTag.stack_id == Stack.id, StackTag.tag == tag)

        for tag in self.tags:
            query = query.where(tagged(tag))
        if self.tags_any:
            query = query.where(or_(*(tagged(t) for t in self.tags_any)))
        if self.not_tags:
            query = query.where(not_(and_(*(tagged(t) for t in self.not_tags))))
        for tag in (*self.not_tags_any, *self.hidden):
            query = query.where(not_(tagged(tag)))
        return query


def _filtered(
    tenant: str | None,
    show_deleted: bool,
    show_nested: bool,
    filters: dict[str, Any] | None,
    tag_filter: TagFilter | None = None,
) -> Any:
    query = select(Stack)
    if tenant is not None:
        query = query.where(Stack.tenant == tenant)
    if not show_deleted:
        query = query.where(Stack.deleted_at.is_(None))
    if not show_nested:
        query = query.where(Stack.owner_id.is_(None))
    for key, value in (filters or {}).items():
        column = {
            "name": Stack.name,
            "stack_name": Stack.name,
            "status": Stack.status,
            "action": Stack.action,
            "id": Stack.id,
            "tenant": Stack.tenant,
            "username": Stack.username,
            "owner_id": Stack.owner_id,
        }.get(key)
        if column is None:
            continue
        values = value if isinstance(value, list) else [value]
        query = query.where(column.in_(values))
    if tag_filter is not None:
        query = tag_filter.apply(query)
    return query


def list_stacks(
    session: Session,
    tenant: str | None,
    limit: int | None = None,
    marker: str | None = None,
    sort_keys: list[str] | None = None,
    sort_dir: str | None = None,
    filters: dict[str, Any] | None = None,
    show_deleted: bool = False,
    show_nested: bool = False,
    tag_filter: TagFilter | None = None,
) -> list[Stack]:
    query = _filtered(tenant, show_deleted, show_nested, filters, tag_filter)
    columns = [SORT_KEYS[k] for k in (sort_keys or []) if k in SORT_KEYS] or [Stack.created_at]
    descending = (sort_dir or "desc").lower() == "desc"
    order = [c.desc() if descending else c.asc() for c in columns]
    order.append(Stack.id.desc() if descending else Stack.id.asc())
    if marker:
        anchor = session.get(Stack, marker)
        if anchor is not None:
            first = columns[0]
            value = getattr(anchor, first.key)
            query = query.where(first < value if descending else first > value)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_stacks(
    session: Session,
    tenant: str | None,
    filters: dict[str, Any] | None = None,
    show_deleted: bool = False,
    show_nested: bool = False,
    tag_filter: TagFilter | None = None,
) -> int:
    query = _filtered(tenant, show_deleted, show_nested, filters, tag_filter)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def count_active(session: Session, tenant: str) -> int:
    return count_stacks(session, tenant)


def tags(session: Session, stack_id: str) -> list[str]:
    rows = session.scalars(
        select(StackTag.tag).where(StackTag.stack_id == stack_id).order_by(StackTag.id)
    )
    return list(rows)


def tags_of(session: Session, stack_ids: list[str]) -> dict[str, list[str]]:
    """The tags of many stacks in one query."""
    out: dict[str, list[str]] = {sid: [] for sid in stack_ids}
    if stack_ids:
        rows = session.execute(
            select(StackTag.stack_id, StackTag.tag)
            .where(StackTag.stack_id.in_(stack_ids))
            .order_by(StackTag.id)
        )
        for stack_id, tag in rows:
            out[stack_id].append(tag)
    return out


def set_status(
    session: Session,
    stack_id: str,
    traversal_id: str | None,
    action: str,
    status: str,
    reason: str,
    only_if_in_progress: bool = False,
) -> bool:
    """Move the stack to a new state if ``traversal_id`` still owns it; True if it moved."""
    query = update(Stack).where(Stack.id == stack_id)
    if traversal_id is not None:
        query = query.where(Stack.current_traversal == traversal_id)
    if only_if_in_progress:
        query = query.where(Stack.status == "IN_PROGRESS")
    values: dict[str, Any] = {"action": action, "status": status, "status_reason": reason}
    result = session.execute(query.values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_deleted(session: Session, stack_id: str) -> None:
    """Soft-delete the stack and drop its resources and traversal state."""
    session.execute(
        update(Stack)
        .where(Stack.id == stack_id)
        .values(deleted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.query(SyncPoint).filter(SyncPoint.stack_id == stack_id).delete(
        synchronize_session=False
    )
    session.query(Resource).filter(Resource.stack_id == stack_id).delete(synchronize_session=False)


def raw_template(session: Session, template_id: int) -> RawTemplate:
    tmpl = session.get(RawTemplate, template_id)
    assert tmpl is not None, f"raw_template {template_id} is missing"
    return tmpl


def drop_removed_resources(session: Session, stack_id: str, kept: set[str]) -> None:
    """After an update: remove resources the new template dropped, and links to them."""
    rows = list(session.scalars(select(Resource).where(Resource.stack_id == stack_id)))
    gone = {r.id for r in rows if r.name not in kept}
    for row in rows:
        if row.id in gone:
            session.delete(row)
        else:
            row.requires = [i for i in row.requires or [] if i not in gone]
            row.needed_by = [i for i in row.needed_by or [] if i not in gone]
