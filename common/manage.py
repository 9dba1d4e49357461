"""``heat-manage``: the operator's database commands, with upstream's command line.

    heat-manage [--config-file F] db_sync [VERSION]
    heat-manage [--config-file F] db_version
    heat-manage [--config-file F] service list
    heat-manage [--config-file F] service clean
    heat-manage [--config-file F] purge_deleted [-g GRANULARITY] [-p PROJECT_ID]
                                                [-b BATCH_SIZE] [AGE]

The commands are an oslo.config sub-command option, as upstream declares them,
so heat.conf and the command line are parsed together.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from oslo_config import cfg

from common import config as heat_config
from common.db import migration, purge, services
from common.db import session as db_session
from common.db.base import utcnow

LOG = logging.getLogger(__name__)

SERVICE_ROW_FORMAT = "{:<16} {:<16} {:<36} {:<10} {:<10} {:<10} {:<10}"
SERVICE_COLUMNS = ("Hostname", "Binary", "Engine_Id", "Host", "Topic", "Status", "Updated At")


def _connection_url(conf: cfg.ConfigOpts) -> str:
    if not conf.database.connection:
        raise RuntimeError("[database] connection is not set in heat.conf")
    return str(conf.database.connection)


def do_db_sync(conf: cfg.ConfigOpts) -> None:
    """Create the schema, or upgrade it to the version asked for (head by default)."""
    migration.upgrade(_connection_url(conf), conf.command.version or "head")


def do_db_version(conf: cfg.ConfigOpts) -> None:
    """Print the schema revision the database is at (None if never synced)."""
    print(migration.current_revision(_connection_url(conf)))


def do_service_list(conf: cfg.ConfigOpts) -> None:
    """Print one line per registered engine with its up/down status."""
    session_factory = db_session.from_config(conf)
    with session_factory() as session:
        rows = services.list_services(session)
    now = utcnow()
    print(SERVICE_ROW_FORMAT.format(*SERVICE_COLUMNS))
    for row in rows:
        status = "up" if services.is_service_up(row, now) else "down"
        fields = (row.hostname, row.binary, row.engine_id, row.host, row.topic, status)
        print(SERVICE_ROW_FORMAT.format(*fields, str(row.updated_at)))


def do_service_clean(conf: cfg.ConfigOpts) -> None:
    """Mark the engines that stopped reporting as deleted."""
    session_factory = db_session.from_config(conf)
    with session_factory.begin() as session:
        services.clean_dead(session)
    print("Dead engines are removed.")


def do_purge_deleted(conf: cfg.ConfigOpts) -> None:
    """Remove stacks soft-deleted more than AGE ago, with the rows only they used."""
    command = conf.command
    purge.purge_deleted(
        db_session.from_config(conf),
        age=command.age,
        granularity=command.granularity,
        project_id=command.project_id,
        batch_size=command.batch_size,
    )


def _add_service_parsers(subparsers: Any) -> None:
    parser = subparsers.add_parser("service", help="Inspect the registered heat-engines.")
    actions = parser.add_subparsers(dest="action", metavar="{list,clean}")
    actions.required = True
    actions.add_parser("list", help="List the engines and whether they are up.").set_defaults(
        func=do_service_list
    )
    actions.add_parser("clean", help="Remove the engines that are down.").set_defaults(
        func=do_service_clean
    )


def _add_purge_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "purge_deleted", help="Remove soft-deleted stacks and what only they used."
    )
    parser.set_defaults(func=do_purge_deleted)
    parser.add_argument(
        "age",
        nargs="?",
        type=int,
        default=purge.DEFAULT_AGE,
        help="Keep stacks deleted less than this long ago (default: %(default)s).",
    )
    parser.add_argument(
        "-g",
        "--granularity",
        default=purge.DEFAULT_GRANULARITY,
        choices=list(purge.GRANULARITY_SECONDS),
        help="Unit of AGE (default: %(default)s).",
    )
    parser.add_argument("-p", "--project-id", help="Purge only this project's stacks.")
    parser.add_argument(
        "-b",
        "--batch_size",
        type=int,
        default=purge.DEFAULT_BATCH_SIZE,
        help="Stacks purged per transaction (default: %(default)s); each may own many rows.",
    )


def add_command_parsers(subparsers: Any) -> None:
    """Declare every sub-command on the parser oslo.config builds."""
    parser = subparsers.add_parser("db_sync", help="Create or upgrade the database schema.")
    parser.set_defaults(func=do_db_sync)
    parser.add_argument("version", nargs="?", help="Target revision (default: the newest).")

    parser = subparsers.add_parser("db_version", help="Print the database schema revision.")
    parser.set_defaults(func=do_db_version)

    _add_service_parsers(subparsers)
    _add_purge_parser(subparsers)


COMMAND_OPT = cfg.SubCommandOpt(
    "command",
    title="Commands",
    help="The management command to run.",
    handler=add_command_parsers,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one heat-manage command; 0 on success, 1 with ``ERROR: ...`` on stderr if not."""
    conf = heat_config.CONF
    conf.register_cli_opt(COMMAND_OPT)
    try:
        heat_config.parse_args(argv, prog="heat-manage", conf=conf)
    except cfg.Error as ex:
        print(f"ERROR: {ex}", file=sys.stderr)
        return 1
    heat_config.setup_logging(conf)
    func: Callable[[cfg.ConfigOpts], None] = conf.command.func
    try:
        func(conf)
    except Exception as ex:
        LOG.debug("heat-manage %s failed", conf.command.name, exc_info=True)
        print(f"ERROR: {ex}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
