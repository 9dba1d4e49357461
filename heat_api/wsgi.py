"""heat-api's WSGI entry: reads heat.conf, connects to the broker, builds the app."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from oslo_config import cfg

from common import config
from common.rpc import transport
from common.rpc.client import EngineClient, RPCClient
from heat_api.app import create_app, wrap_auth


def engine_client(conf: cfg.ConfigOpts) -> EngineClient:
    return EngineClient(RPCClient(lambda: transport.connect(conf), conf.rpc_response_timeout))


def build(conf: cfg.ConfigOpts) -> Callable[..., Any]:
    """The full WSGI callable for ``conf`` (call after the fork in each worker)."""
    return wrap_auth(create_app(conf, engine_client(conf)), conf)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """For any WSGI server: configured from HEAT_CONFIG_FILE or /etc/heat/heat.conf."""
    global _app
    if _app is None:
        files = [os.environ["HEAT_CONFIG_FILE"]] if "HEAT_CONFIG_FILE" in os.environ else None
        conf = config.parse_args([], prog="heat-api", default_config_files=files)
        config.setup_logging(conf)
        _app = build(conf)
    return _app(environ, start_response)


_app: Callable[..., Any] | None = None
