"""Alembic environment: Heat's models against the database the caller names.

The database comes, in this order, from an open connection the caller put in
``config.attributes["connection"]`` (what ``common.db.migration`` does), a URL in
``config.attributes["connection_url"]`` or the ``sqlalchemy.url`` option, or
``[database] connection`` of heat.conf (``-x config_file=PATH`` names the file
when alembic is run by hand). No URL is written down here.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from common import config as heat_config
from common.db import models  # noqa: F401  (importing it puts every table on the metadata)
from common.db.base import Base
from common.db.session import create_db_engine, normalize_url

TARGET_METADATA = Base.metadata


def _connection_url() -> str:
    """The URL of the database to migrate when the caller gave no connection."""
    config = context.config
    url = config.attributes.get("connection_url") or config.get_main_option("sqlalchemy.url")
    if url:
        return str(url)
    conf = heat_config.CONF
    config_file = context.get_x_argument(as_dictionary=True).get("config_file")
    if config_file:
        heat_config.parse_args(["--config-file", config_file], prog="alembic")
    elif not conf.database.connection:
        heat_config.parse_args([], prog="alembic")
    if not conf.database.connection:
        raise RuntimeError(
            "No database to migrate: set [database] connection in heat.conf "
            "(alembic -x config_file=PATH) or pass a connection URL"
        )
    return str(conf.database.connection)


def _context_options(dialect_name: str) -> dict[str, Any]:
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
    return {
        "target_metadata": TARGET_METADATA,
        "render_as_batch": dialect_name == "sqlite",
        "compare_type": True,
    }


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, **_context_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the SQL of the migrations instead of running it (``alembic upgrade --sql``)."""
    url = normalize_url(_connection_url())
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_context_options(url.get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection, or on one opened here."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_db_engine(_connection_url())
    try:
        with engine.connect() as own_connection:
            _migrate(own_connection)
    finally:
        engine.dispose()


if context.config.config_file_name and context.config.attributes.get("configure_logger", True):
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
