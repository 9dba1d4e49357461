"""Sync points: which inputs of a graph node have arrived in a traversal, updated atomically."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from common.db.models import SyncPoint

MAX_ATTEMPTS = 100


def create(
    session: Session, stack_id: str, traversal_id: str, entity_ids: list[str], is_update: bool
) -> None:
    session.add_all(
        SyncPoint(
            entity_id=e,
            traversal_id=traversal_id,
            is_update=is_update,
            stack_id=stack_id,
            input_data=[],
            atomic_key=0,
        )
        for e in entity_ids
    )


def add_input(
    factory: sessionmaker[Session], entity_id: str, traversal_id: str, is_update: bool, sender: str
) -> list[str] | None:
    """Record ``sender`` as arrived at ``entity_id``; the inputs now present, or None if the
    sync point is gone (its traversal was superseded). Compare-and-swap on ``atomic_key``,
    so concurrent senders never lose each other's input.
    """
    key = (entity_id, traversal_id, is_update)
    for _ in range(MAX_ATTEMPTS):
        with factory.begin() as session:
            row = session.execute(
                select(SyncPoint.input_data, SyncPoint.atomic_key).where(
                    SyncPoint.entity_id == key[0],
                    SyncPoint.traversal_id == key[1],
                    SyncPoint.is_update == key[2],
                )
            ).first()
            if row is None:
                return None
            inputs = list(row.input_data or [])
            if sender in inputs:
                return inputs
            inputs.append(sender)
            result = session.execute(
                update(SyncPoint)
                .where(
                    SyncPoint.entity_id == key[0],
                    SyncPoint.traversal_id == key[1],
                    SyncPoint.is_update == key[2],
                    SyncPoint.atomic_key == row.atomic_key,
                )
                .values(input_data=inputs, atomic_key=row.atomic_key + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return inputs
    raise RuntimeError(f"sync point {key} kept changing under {MAX_ATTEMPTS} attempts")
