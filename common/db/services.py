"""Queries on the ``service`` table: engines register, beat, and are listed or cleaned.

An engine is up while its last heartbeat (or, before the first, its
registration) is at most twice its report interval old, as upstream judges it.
Removing a service only marks it deleted; ``heat-manage purge_deleted`` drops
the row later.
"""

from __future__ import annotations

import datetime
import socket

import sqlalchemy as sa
from oslo_config import cfg
from sqlalchemy.orm import Session

from common.db.base import utcnow
from common.db.models import Service

ENGINE_BINARY = "heat-engine"
ENGINE_TOPIC = "engine"
# A service silent for longer than this many report intervals is down.
MISSED_REPORTS_ALLOWED = 2


def register(
    session: Session,
    conf: cfg.ConfigOpts,
    engine_id: str,
    report_interval: int | None = None,
) -> str:
    """Record a starting engine and return its service id.

    ``report_interval`` defaults to ``[DEFAULT] periodic_interval``, the period of
    the engine's heartbeat.
    """
    service = Service(
        engine_id=engine_id,
        host=conf.host,
        hostname=socket.gethostname(),
        binary=ENGINE_BINARY,
        topic=ENGINE_TOPIC,
        report_interval=conf.periodic_interval if report_interval is None else report_interval,
    )
    session.add(service)
    session.flush()
    return service.id


def heartbeat(session: Session, service_id: str) -> bool:
    """Mark the service alive now; False if its row is gone and it must register again.

    A service that ``heat-manage service clean`` marked deleted while it was only
    slow comes back, as upstream's engines do.
    """
    result = session.execute(
        sa.update(Service)
        .where(Service.id == service_id)
        .values(updated_at=utcnow(), deleted_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def deregister(session: Session, service_id: str) -> None:
    """Mark the service deleted, as an engine does when it stops."""
    session.execute(
        sa.update(Service)
        .where(Service.id == service_id, Service.deleted_at.is_(None))
        .values(deleted_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def list_services(session: Session) -> list[Service]:
    """The services not marked deleted, in a stable order (host, binary, start)."""
    query = (
        sa.select(Service)
        .where(Service.deleted_at.is_(None))
        .order_by(Service.host, Service.binary, Service.created_at, Service.id)
    )
    return list(session.scalars(query))


def is_service_up(row: Service, now: datetime.datetime) -> bool:
    """Whether the service reported within twice its report interval before ``now``."""
    last_seen = row.updated_at or row.created_at
    silence = (now - last_seen).total_seconds()
    return silence <= MISSED_REPORTS_ALLOWED * row.report_interval


def clean_dead(session: Session, now: datetime.datetime | None = None) -> int:
    """Mark every service that is down as deleted; return how many were."""
    now = utcnow() if now is None else now
    dead_ids = [row.id for row in list_services(session) if not is_service_up(row, now)]
    if not dead_ids:
        return 0
    session.execute(
        sa.update(Service)
        .where(Service.id.in_(dead_ids), Service.deleted_at.is_(None))
        .values(deleted_at=now)
        .execution_options(synchronize_session=False)
    )
    return len(dead_ids)


def is_engine_alive(session: Session, engine_id: str) -> bool:
    """Whether the engine ``engine_id`` is registered and its heartbeat is recent."""
    now = utcnow()
    rows = session.scalars(
        sa.select(Service).where(Service.engine_id == engine_id, Service.deleted_at.is_(None))
    )
    return any(is_service_up(row, now) for row in rows)
