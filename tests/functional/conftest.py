"""Fixtures: the session's real Heat against a fresh MariaDB database and RabbitMQ vhost.

The session's deployment is two ``heat-engine`` processes, ``heat-api`` (two
workers) and ``heat-api-cfn``, each started from the console scripts with
``--config-file`` as an operator would; tests drive them over HTTP. Tests that
need processes of their own (a broker outage, another heat.conf) build a
``harness.Deployment`` with ``harness.fresh_database`` and ``harness.fresh_vhost``.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from configparser import ConfigParser
from pathlib import Path
from typing import Any

import pytest

# The suite runs with --import-mode=importlib, which leaves sys.path alone; the
# test modules import their helpers from harness.py beside this file.
sys.path.insert(0, str(Path(__file__).parent))

from harness import (
    WATCHED,
    Deployment,
    HeatHTTP,
    free_port,
    fresh_database,
    fresh_vhost,
    render_conf,
    running,
    standard_conf,
)
from keystone import keystone  # noqa: F401  (the session's Keystone, for the identity tests)

# --- fixtures --------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing test's report shows the tail of the logs of every heat process running."""
    report = yield
    if report.failed:
        for thing in WATCHED:
            report.sections.append(("heat logs", thing.logs()))
    return report


@pytest.fixture(scope="session")
def heat_database() -> Iterator[str]:
    with fresh_database() as name:
        yield name


@pytest.fixture(scope="session")
def heat_vhost() -> Iterator[str]:
    with fresh_vhost() as name:
        yield name


@pytest.fixture(scope="session")
def heat_conf(
    tmp_path_factory: pytest.TempPathFactory, heat_database: str, heat_vhost: str
) -> Path:
    """heat.conf in a scratch directory, which also holds the services' logs."""
    workdir = tmp_path_factory.mktemp("heat")
    conf = workdir / "heat.conf"
    conf.write_text(render_conf(standard_conf(heat_database, heat_vhost, free_port(), free_port())))
    return conf


@pytest.fixture(scope="session")
def heat_services(heat_conf: Path, heat_database: str, heat_vhost: str) -> Iterator[Deployment]:
    """The session's deployment: two heat-engines, heat-api and heat-api-cfn."""
    parser = ConfigParser()
    parser.read(heat_conf)
    deployment = Deployment(
        heat_conf.parent,
        heat_conf,
        int(parser["heat_api"]["bind_port"]),
        int(parser["heat_api_cfn"]["bind_port"]),
        heat_database,
        heat_vhost,
    )
    with running(deployment, engines=2):
        yield deployment


@pytest.fixture
def tenant() -> str:
    """A tenant of the test's own, so tests never see each other's stacks."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def api(heat_services: Deployment, tenant: str) -> Iterator[HeatHTTP]:
    client = HeatHTTP(heat_services.api_url, tenant)
    yield client
    client.session.close()


@pytest.fixture
def stack_name() -> str:
    return f"s{uuid.uuid4().hex[:10]}"
