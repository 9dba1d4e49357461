"""Named queries on stacks and their templates."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, and_, cast, exists, func, not_, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from common import config, crypto
from common.db import pagination, user_creds
from common.db.base import utcnow
from common.db.models import RawTemplate, Resource, Stack, StackTag, SyncPoint

ENCRYPTED_PARAM_NAMES = "encrypted_param_names"

# the keys upstream sorts stack lists by (others are ignored, as upstream ignores them)
SORT_KEYS = {
    "stack_name": Stack.name,
    "stack_status": Stack.status,
    "creation_time": Stack.created_at,
    "updated_time": Stack.updated_at,
}
# list filters by the API's names (upstream's stack fields and its older names) -> column
FILTER_COLUMNS = {
    "id": "id",
    "name": "name",
    "stack_name": "name",
    "status": "status",
    "stack_status": "status",
    "action": "action",
    "stack_action": "action",
    "stack_status_reason": "status_reason",
    "tenant": "tenant",
    "username": "username",
    "stack_owner": "username",
    "owner_id": "owner_id",
    "parent": "owner_id",
    "disable_rollback": "disable_rollback",
    "timeout_mins": "timeout",
    "stack_user_project_id": "stack_user_project_id",
}
STATUSES = ("COMPLETE", "FAILED", "IN_PROGRESS")


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
    columns: Sequence[Any] = (Stack,),
) -> Any:
    query = select(*columns)
    if tenant is not None:
        query = query.where(Stack.tenant == tenant)
    if not show_deleted:
        query = query.where(Stack.deleted_at.is_(None))
    if not show_nested:
        query = query.where(Stack.owner_id.is_(None))
    for column, values in _filter_values(filters).items():
        query = query.where(getattr(Stack, column).in_(values))
    if tag_filter is not None:
        query = tag_filter.apply(query)
    return query


def _filter_values(filters: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Each filtered column with the values it may take, as upstream translates filters:
    a status may carry its action (``CREATE_FAILED``), booleans and numbers are read from
    their text."""
    wanted: dict[str, list[Any]] = {}
    for key, value in (filters or {}).items():
        column = FILTER_COLUMNS.get(key)
        if column is None:
            continue
        values = value if isinstance(value, list) else [value]
        if column == "status":
            actions = [a for a in (_action_of(str(v)) for v in values) if a]
            if actions:
                wanted.setdefault("action", []).extend(actions)
            values = [_status_of(str(v)) for v in values]
        elif column == "disable_rollback":
            values = [str(v).strip().lower() in ("true", "1", "t", "yes", "on") for v in values]
        elif column == "timeout":
            values = [int(v) for v in values if str(v).strip().lstrip("-").isdigit()]
        wanted.setdefault(column, []).extend(values)
    return wanted


def _status_of(value: str) -> str:
    return next((s for s in STATUSES if value.endswith(s)), value)


def _action_of(value: str) -> str | None:
    status = _status_of(value)
    return value[: -len(status) - 1] if value != status and value.endswith("_" + status) else None


def _paged(
    session: Session,
    query: Any,
    limit: int | None,
    marker: str | None,
    sort_keys: list[str] | None,
    sort_dir: str | None,
) -> Any:
    """``query`` sorted and paged as upstream: newest first unless sort keys say otherwise,
    starting after the ``marker`` stack (any stack, deleted or not, as upstream)."""
    columns = [SORT_KEYS[k] for k in (sort_keys or []) if k in SORT_KEYS]
    descending = pagination.is_descending(sort_dir, bool(columns))
    columns = [*(columns or [Stack.created_at]), Stack.id]
    values = None
    if marker:
        values = session.execute(select(*columns).where(Stack.id == marker)).first()
    return pagination.page(query, columns, descending, values, limit)


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
    """Stacks, whole, filtered and paged as ``list_summaries``."""
    query = _filtered(tenant, show_deleted, show_nested, filters, tag_filter)
    return list(session.scalars(_paged(session, query, limit, marker, sort_keys, sort_dir)))


def _as_text(column: Any) -> Any:
    return cast(column, String).label(column.key)


# What a stack list shows of each stack, in this order. The driver reads every field in
# Python, which is most of a list's cost: the status comes joined (``CREATE_COMPLETE``),
# and times as the database's text (``YYYY-MM-DD HH:MM:SS[.ffffff]``, UTC), since reading
# 1,500 datetimes and formatting them again cost more than the rest of a 500-stack list.
SUMMARY_COLUMNS = (
    Stack.id,
    Stack.name,
    Stack.tenant,
    (Stack.action + "_" + Stack.status).label("stack_status"),
    Stack.status_reason,
    _as_text(Stack.created_at),
    _as_text(Stack.updated_at),
    _as_text(Stack.deleted_at),
    Stack.username,
    Stack.owner_id,
    Stack.stack_user_project_id,
)


@dataclasses.dataclass(frozen=True)
class SummaryPage:
    """One page of a stack list: plain rows of ``SUMMARY_COLUMNS`` and their stacks' tags."""

    rows: list[Row[Any]]
    tags: dict[str, list[str]]


def list_summaries(
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
) -> SummaryPage:
    """The stacks of a list (``tenant`` None: every project's), filtered, sorted and paged,
    in two queries whatever their number: the rows, then the tags of the same page (a
    join on the page costs less than naming hundreds of ids, or than a per-row flag)."""
    query = _filtered(tenant, show_deleted, show_nested, filters, tag_filter, SUMMARY_COLUMNS)
    page = _paged(session, query, limit, marker, sort_keys, sort_dir)
    rows = list(session.execute(page))
    tags: dict[str, list[str]] = {}
    if rows:
        ids = page.with_only_columns(Stack.id).subquery()
        found = session.execute(
            select(StackTag.stack_id, StackTag.tag)
            .join(ids, ids.c.id == StackTag.stack_id)
            .order_by(StackTag.id)
        )
        for stack_id, tag in found:
            tags.setdefault(stack_id, []).append(tag)
    return SummaryPage(rows, tags)


def count_stacks(
    session: Session,
    tenant: str | None,
    filters: dict[str, Any] | None = None,
    show_deleted: bool = False,
    show_nested: bool = False,
    tag_filter: TagFilter | None = None,
) -> int:
    columns = (func.count(Stack.id),)
    query = _filtered(tenant, show_deleted, show_nested, filters, tag_filter, columns)
    return session.scalar(query) or 0


def count_active(session: Session, tenant: str) -> int:
    return count_stacks(session, tenant)


def tags(session: Session, stack_id: str) -> list[str]:
    rows = session.scalars(
        select(StackTag.tag).where(StackTag.stack_id == stack_id).order_by(StackTag.id)
    )
    return list(rows)


def set_tags(session: Session, stack_id: str, new_tags: list[str]) -> None:
    """Replace the stack's tags."""
    session.query(StackTag).filter(StackTag.stack_id == stack_id).delete(synchronize_session=False)
    session.add_all(StackTag(stack_id=stack_id, tag=tag) for tag in new_tags)


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
    """Soft-delete the stack and drop its resources and traversal state; a root stack's
    deferred-auth credentials are released once this commits (see ``user_creds``)."""
    user_creds.release_after_commit(session, stack_id)
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
    """A stored template; parameters stored encrypted (``encrypted_param_names``) read
    decrypted, without the row becoming dirty (clear text is never written back)."""
    tmpl = session.get(RawTemplate, template_id)
    assert tmpl is not None, f"raw_template {template_id} is missing"
    environment = tmpl.environment or {}
    if environment.get(ENCRYPTED_PARAM_NAMES):
        set_committed_value(tmpl, "environment", decrypted_environment(environment))
    return tmpl


def decrypted_environment(environment: dict[str, Any]) -> dict[str, Any]:
    """``environment`` with its encrypted parameters decrypted with auth_encryption_key."""
    names = list(environment.get(ENCRYPTED_PARAM_NAMES) or [])
    key = str(config.CONF.auth_encryption_key)  # the process's heat.conf, as upstream
    parameters = {
        k: crypto.decrypt_parameter(v, key) if k in names else v
        for k, v in (environment.get("parameters") or {}).items()
    }
    return {**environment, "parameters": parameters}


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
