"""The heat-all command: SQLite, the in-memory broker and no-auth on loopback, in one process.

Every part is the same code the separate services run; only the wiring differs.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path

from oslo_config import cfg

from common import config
from common.db import migration
from common.db import session as db_session
from common.wsgi_server import serve_in_thread
from heat_api.app import create_app as create_api
from heat_api.app import wrap_auth
from heat_api.wsgi import engine_client
from heat_api_cfn.app import create_app as create_cfn
from heat_engine.runtime import EngineRuntime

LOG = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


def apply_defaults(conf: cfg.ConfigOpts) -> str:
    """The embedded defaults, where heat.conf says nothing; returns the database URL."""
    conf.set_default("transport_url", "memory://")
    conf.set_default("flavor", "noauth", group="paste_deploy")
    conf.set_default("bind_host", LOOPBACK, group="heat_api")
    conf.set_default("bind_host", LOOPBACK, group="heat_api_cfn")
    if not conf.database.connection:
        state = Path(os.path.expanduser(conf.heat_all.state_path))
        state.mkdir(parents=True, exist_ok=True)
        conf.set_default("connection", f"sqlite:///{state / 'heat.sqlite'}", group="database")
    return conf.database.connection


def main(argv: list[str] | None = None) -> None:
    conf = config.parse_args(argv, prog="heat-all")
    config.setup_logging(conf)
    url = apply_defaults(conf)
    migration.upgrade(url)
    factory = db_session.from_config(conf)
    engine = EngineRuntime(conf, factory)
    engine.start()
    if not engine.wait_ready():
        sys.exit("heat-all: the engine did not become ready")
    client = engine_client(conf)
    api = serve_in_thread(
        wrap_auth(create_api(conf, client), conf),
        conf.heat_api.bind_host,
        conf.heat_api.bind_port,
        "heat-api",
    )
    cfn = serve_in_thread(
        create_cfn(conf, client),
        conf.heat_api_cfn.bind_host,
        conf.heat_api_cfn.bind_port,
        "heat-api-cfn",
    )
    print(
        f"heat-api     listening on http://{conf.heat_api.bind_host}:{conf.heat_api.bind_port}"
        "/v1/<tenant_id>",
        flush=True,
    )
    print(
        f"heat-api-cfn listening on http://{conf.heat_api_cfn.bind_host}:"
        f"{conf.heat_api_cfn.bind_port}/v1",
        flush=True,
    )
    print(f"database     {url}", flush=True)
    print(f"messaging    {conf.transport_url}; auth: {conf.paste_deploy.flavor}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    api.shutdown()
    cfn.shutdown()
    engine.stop()


if __name__ == "__main__":
    main()
