"""Purge soft-deleted stacks and every row only they used, a batch of stacks per transaction.

A stack is purged once its ``deleted_at`` is older than the age given. With it
go its resources and their data, events, sync points, tags, locks and
snapshots; then the resource properties data, raw templates, template files and
user credentials that nothing else refers to any more. Services marked deleted
before the same cutoff are dropped too, as upstream's ``purge_deleted`` does.

Each batch is one short transaction that re-selects the oldest expired stacks,
so an interrupted purge simply resumes on the next run.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from common.db.base import utcnow
from common.db.models import (
    Event,
    RawTemplate,
    RawTemplateFiles,
    Resource,
    ResourceData,
    ResourcePropertiesData,
    ResourceSnapshot,
    Service,
    Snapshot,
    Stack,
    StackLock,
    StackTag,
    SyncPoint,
    UserCreds,
)

LOG = logging.getLogger(__name__)

GRANULARITY_SECONDS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
DEFAULT_AGE = 90
DEFAULT_GRANULARITY = "days"
DEFAULT_BATCH_SIZE = 20
# Most ids bound into one IN (...): keeps a big stack under SQLite's parameter limit.
MAX_IDS_PER_STATEMENT = 500


@dataclass(frozen=True)
class PurgeSummary:
    """What one purge removed."""

    stacks: int
    services: int


def deletion_cutoff(age: int, granularity: str, now: datetime.datetime) -> datetime.datetime:
    """The instant before which a deletion is old enough to purge."""
    if granularity not in GRANULARITY_SECONDS:
        raise ValueError(
            f"granularity must be one of {', '.join(GRANULARITY_SECONDS)}, not {granularity!r}"
        )
    if age < 0:
        raise ValueError(f"age must be zero or more, not {age}")
    return now - datetime.timedelta(seconds=age * GRANULARITY_SECONDS[granularity])


def purge_deleted(
    session_factory: sessionmaker[Session],
    age: int = DEFAULT_AGE,
    granularity: str = DEFAULT_GRANULARITY,
    project_id: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime.datetime | None = None,
) -> PurgeSummary:
    """Purge stacks (of ``project_id`` only, if given) deleted more than ``age`` ago."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be one or more, not {batch_size}")
    cutoff = deletion_cutoff(age, granularity, utcnow() if now is None else now)

    with session_factory.begin() as session:
        services = _purge_services(session, cutoff)
    stacks = 0
    while True:
        with session_factory.begin() as session:
            batch = _expired_stacks(session, cutoff, project_id, batch_size)
            if not batch:
                break
            LOG.info("Purging stacks %s", ", ".join(row.id for row in batch))
            _purge_stacks(session, batch)
        stacks += len(batch)
    LOG.info("Purged %d deleted stacks and %d deleted services", stacks, services)
    return PurgeSummary(stacks=stacks, services=services)


def _purge_services(session: Session, cutoff: datetime.datetime) -> int:
    result = session.execute(
        sa.delete(Service)
        .where(Service.deleted_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _expired_stacks(
    session: Session, cutoff: datetime.datetime, project_id: str | None, limit: int
) -> Sequence[sa.Row[Any]]:
    query = sa.select(
        Stack.id, Stack.raw_template_id, Stack.prev_raw_template_id, Stack.user_creds_id
    ).where(Stack.deleted_at < cutoff)
    if project_id:
        query = query.where(Stack.tenant == project_id)
    return session.execute(query.order_by(Stack.deleted_at, Stack.id).limit(limit)).all()


def _purge_stacks(session: Session, batch: Sequence[sa.Row[Any]]) -> None:
    stack_ids = [row.id for row in batch]
    # Shared rows are collected before their referrers go, deleted after if orphaned.
    prop_data_ids = _collect(
        session,
        [
            sa.select(Resource.rsrc_prop_data_id).where(Resource.stack_id.in_(stack_ids)),
            sa.select(Resource.attr_data_id).where(Resource.stack_id.in_(stack_ids)),
            sa.select(Event.rsrc_prop_data_id).where(Event.stack_id.in_(stack_ids)),
        ],
    )
    template_ids = {row.raw_template_id for row in batch}
    template_ids |= {row.prev_raw_template_id for row in batch if row.prev_raw_template_id}
    template_ids |= _collect(
        session,
        [sa.select(Resource.current_template_id).where(Resource.stack_id.in_(stack_ids))],
    )
    files_ids = _collect(
        session,
        [
            sa.select(RawTemplate.files_id).where(RawTemplate.id.in_(chunk))
            for chunk in _chunks(template_ids)
        ],
    )
    creds_ids = {row.user_creds_id for row in batch if row.user_creds_id}

    stack_resources = sa.select(Resource.id).where(Resource.stack_id.in_(stack_ids))
    stack_snapshots = sa.select(Snapshot.id).where(Snapshot.stack_id.in_(stack_ids))
    _delete(session, ResourceData, ResourceData.resource_id.in_(stack_resources))
    _delete(session, ResourceSnapshot, ResourceSnapshot.snapshot_id.in_(stack_snapshots))
    for model, column in (
        (Snapshot, Snapshot.stack_id),
        (Event, Event.stack_id),
        (SyncPoint, SyncPoint.stack_id),
        (StackTag, StackTag.stack_id),
        (StackLock, StackLock.stack_id),
        (Resource, Resource.stack_id),
        (Stack, Stack.id),
    ):
        _delete(session, model, column.in_(stack_ids))

    _delete_unreferenced(
        session,
        ResourcePropertiesData,
        prop_data_ids,
        [Resource.rsrc_prop_data_id, Resource.attr_data_id, Event.rsrc_prop_data_id],
    )
    _delete_unreferenced(
        session,
        RawTemplate,
        template_ids,
        [Stack.raw_template_id, Stack.prev_raw_template_id, Resource.current_template_id],
    )
    _delete_unreferenced(session, RawTemplateFiles, files_ids, [RawTemplate.files_id])
    _delete_unreferenced(session, UserCreds, creds_ids, [Stack.user_creds_id])


def _collect(session: Session, queries: Iterable[sa.Select[Any]]) -> set[int]:
    """The non-null ids the single-column ``queries`` return, together."""
    ids: set[int] = set()
    for query in queries:
        ids.update(value for value in session.scalars(query.distinct()) if value is not None)
    return ids


def _delete(session: Session, model: type[Any], condition: sa.ColumnElement[bool]) -> None:
    session.execute(sa.delete(model).where(condition).execution_options(synchronize_session=False))


def _delete_unreferenced(
    session: Session,
    model: type[Any],
    ids: set[int],
    referrers: Sequence[InstrumentedAttribute[Any]],
) -> None:
    """Delete the rows of ``model`` among ``ids`` that no ``referrers`` column names."""
    for chunk in _chunks(ids):
        condition = model.id.in_(chunk)
        for column in referrers:
            condition = condition & ~sa.exists().where(column == model.id)
        _delete(session, model, condition)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), MAX_IDS_PER_STATEMENT):
        yield ordered[start : start + MAX_IDS_PER_STATEMENT]
