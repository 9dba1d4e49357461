"""The SQLAlchemy engine and session factory built from ``[database]``."""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path

import sqlalchemy as sa
from oslo_config import cfg
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

LOG = logging.getLogger(__name__)


def normalize_url(connection: str) -> URL:
    """Map Heat's connection strings onto drivers we ship: ``mysql://`` is PyMySQL."""
    url = make_url(connection)
    if url.drivername == "mysql":
        warnings.warn(
            "[database] connection uses 'mysql://'; it is served by PyMySQL. "
            "Write 'mysql+pymysql://' to silence this warning.",
            DeprecationWarning,
            stacklevel=2,
        )
        url = url.set(drivername="mysql+pymysql")
    if url.drivername.startswith("mysql") and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


def create_db_engine(connection: str, conf: cfg.ConfigOpts | None = None) -> Engine:
    """An engine that pings connections before use, so a database restart is survived."""
    url = normalize_url(connection)
    kwargs: dict = {"pool_pre_ping": True, "future": True}
    db = conf.database if conf is not None else None
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_recycle"] = db.connection_recycle_time if db else 3600
        kwargs["pool_size"] = db.max_pool_size if db else 5
        kwargs["max_overflow"] = db.max_overflow if db else 50
        kwargs["isolation_level"] = "READ COMMITTED"
    # oslo.db's scale: 50 and up logs statements, 100 adds result rows.
    if db is not None and db.connection_debug >= 50:
        kwargs["echo"] = "debug" if db.connection_debug >= 100 else True
    engine = sa.create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        _tune_sqlite(engine)
    return engine


def wait_for_database(engine: Engine, max_retries: int = 10, retry_interval: float = 10) -> None:
    """Block until the database answers, retrying as ``[database] max_retries`` says."""
    attempt = 0
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return
        except exc.OperationalError as ex:
            attempt += 1
            if max_retries >= 0 and attempt > max_retries:
                raise
            LOG.warning(
                "Database not reachable (%s); retry %d in %ss", ex.orig, attempt, retry_interval
            )
            time.sleep(retry_interval)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def from_config(conf: cfg.ConfigOpts) -> sessionmaker[Session]:
    """Engine and session factory from ``[database] connection``."""
    if not conf.database.connection:
        raise RuntimeError("[database] connection is not set in heat.conf")
    engine = create_db_engine(conf.database.connection, conf)
    wait_for_database(engine, conf.database.max_retries, conf.database.retry_interval)
    return make_session_factory(engine)
