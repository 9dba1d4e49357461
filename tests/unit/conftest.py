"""An embedded Heat for unit tests: the real engine on SQLite and the in-memory broker.

The in-memory broker is shared by the whole process, so there is one engine per
test module, stopped when the module ends (no engine outlives its module to answer
another module's calls); tests keep apart by using their own tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import falcon.testing
import pytest
from oslo_config import cfg

from common import config
from common.db import migration
from common.db import session as db_session
from common.rpc import transport
from common.rpc.client import EngineClient, RPCClient
from heat_api.app import create_app
from heat_engine.runtime import EngineRuntime


def make_conf(config_files: tuple[str, ...] = (), **overrides: object) -> cfg.ConfigOpts:
    """A fresh ConfigOpts with every heat option, reading only ``config_files``."""
    conf = cfg.ConfigOpts()
    config.register_opts(conf)
    conf([], project="heat", default_config_files=list(config_files))
    for key, value in overrides.items():
        group, _, name = key.rpartition("__")
        conf.set_override(name, value, group=group or None)
    return conf


@pytest.fixture(scope="module")
def embedded_conf(tmp_path_factory: pytest.TempPathFactory) -> cfg.ConfigOpts:
    db = Path(tmp_path_factory.mktemp("heat")) / "heat.sqlite"
    return make_conf(
        transport_url="memory://",
        database__connection=f"sqlite:///{db}",
        paste_deploy__flavor="noauth",
        rpc_response_timeout=10,
    )


@pytest.fixture(scope="module")
def engine_client(embedded_conf: cfg.ConfigOpts) -> Iterator[EngineClient]:
    migration.upgrade(embedded_conf.database.connection)
    engine = EngineRuntime(embedded_conf, db_session.from_config(embedded_conf))
    engine.start()
    assert engine.wait_ready(), "the embedded engine did not start"
    rpc = RPCClient(lambda: transport.connect(embedded_conf), 10)
    yield EngineClient(rpc)
    rpc.close()
    engine.stop()


@pytest.fixture(scope="module")
def api(embedded_conf: cfg.ConfigOpts, engine_client: EngineClient) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(embedded_conf, engine_client))


@pytest.fixture
def tenant() -> str:
    """A tenant of the test's own, so tests never see each other's stacks."""
    return f"t{uuid.uuid4().hex[:12]}"
