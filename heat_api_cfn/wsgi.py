"""The WSGI entry of heat-api-cfn: ``heat_api_cfn.wsgi:application`` for any WSGI server.

``application`` is built on first access, not on import, so that ``main`` can import
``build_app`` without reading heat.conf. heat.conf is the file named by the
``HEAT_CONFIG_FILE`` environment variable, else /etc/heat/heat.conf.
"""

from __future__ import annotations

import os

import falcon
from oslo_config import cfg

from common import config
from common.rpc import transport
from common.rpc.client import EngineClient, RPCClient
from heat_api_cfn.app import create_app

CONFIG_FILE_ENV = "HEAT_CONFIG_FILE"
DEFAULT_CONFIG_FILE = "/etc/heat/heat.conf"
PROG = "heat-api-cfn"


def build_app(conf: cfg.ConfigOpts) -> falcon.App:
    """The app with its own RPC client; call it once per process (after any fork)."""
    rpc = RPCClient(lambda: transport.connect(conf), conf.rpc_response_timeout)
    return create_app(conf, EngineClient(rpc))


def load_config() -> cfg.ConfigOpts:
    """heat.conf from ``HEAT_CONFIG_FILE`` or the default path, with logging set up."""
    path = os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE)
    conf = config.parse_args(["--config-file", path], prog=PROG, default_config_files=[])
    config.setup_logging(conf)
    return conf


def __getattr__(name: str) -> falcon.App:
    if name == "application":
        app = build_app(load_config())
        globals()["application"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
