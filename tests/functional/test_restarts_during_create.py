"""A broker or database restart in the middle of a create: the create still ends.

Each test runs a deployment of its own (two heat-engines, heat-api, heat-api-cfn)
that reaches RabbitMQ and MariaDB through cuttable TCP links (``tcp_link.py``), so
the shared servers, which other tests are using, keep running. While a create of
about 180 resources (chains and fans of TestResource and RandomString) is in
progress, one of the two goes away for several seconds and comes back, in one of
two ways:

* the link is cut: every connection drops and new ones are reset;
* the server itself drops every connection of this deployment (``rabbitmqctl
  close_all_connections`` on its vhost, ``KILL`` of its database's connections)
  while the link turns new connections away.

During the outage the API answers 503 with Heat's error body, promptly; after it,
200. The create then ends CREATE_COMPLETE within a bounded time, with every
resource created once and none left in progress.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest
import requests
from harness import (
    DB_PORT,
    DB_USER,
    RABBIT_PASSWORD,
    RABBIT_PORT,
    RABBIT_USER,
    Deployment,
    HeatHTTP,
    assert_heat_error,
    connect,
    free_port,
    fresh_database,
    fresh_vhost,
    query,
    rabbitmqctl,
    render_conf,
    running,
    standard_conf,
    wait_until,
)
from tcp_link import TcpLink, tcp_link

pytestmark = pytest.mark.functional

RPC_RESPONSE_TIMEOUT = 10  # standard_conf's rpc_response_timeout
NEVER_HANGS = RPC_RESPONSE_TIMEOUT + 20
OUTAGE_SECONDS = 8.0
PROGRESS_TIMEOUT = 60.0  # for the create to get going before the outage
RECOVERY_TIMEOUT = 60.0  # for the API to answer 200 again
FINISH_TIMEOUT = 60.0  # for the create to end once the outage is over
PROBES = 4  # new connections per check, to reach both heat-api workers
NO_SUCH_THREAD = 1094  # MariaDB's error for KILL of a connection that is gone

FAN = 40  # TestResources on the root RandomString
SECRETS = 20  # RandomStrings on the root
CHAINS, CHAIN_LENGTH = 4, 30  # TestResources, each on the one before
SIZE = 1 + FAN + SECRETS + CHAINS * CHAIN_LENGTH + 1
OUTAGE_AFTER = 50  # resources complete when the outage begins


def template() -> dict[str, Any]:
    """A root, two fans on it, long chains on it, and a join on everything."""

    def test_resource(value: Any, wait: float) -> dict[str, Any]:
        return {
            "type": "OS::Heat::TestResource",
            "properties": {"value": value, "action_wait_secs": {"create": wait, "delete": 0}},
        }

    root_value = {"get_attr": ["root", "value"]}
    resources: dict[str, Any] = {
        "root": {"type": "OS::Heat::RandomString", "properties": {"length": 16}}
    }
    for i in range(FAN):
        resources[f"fan{i}"] = test_resource(root_value, 0.5)
    for i in range(SECRETS):
        resources[f"secret{i}"] = {
            "type": "OS::Heat::RandomString",
            "properties": {"length": 8},
            "depends_on": ["root"],
        }
    for c in range(CHAINS):
        for j in range(CHAIN_LENGTH):
            before = f"chain{c}_{j - 1}" if j else "root"
            value = {"get_attr": [before, "output" if j else "value"]}
            resources[f"chain{c}_{j}"] = test_resource(value, 0.3)
    ends = [f"chain{c}_{CHAIN_LENGTH - 1}" for c in range(CHAINS)]
    resources["join"] = {
        "type": "OS::Heat::TestResource",
        "properties": {"value": {"get_attr": [ends[0], "output"]}},
        "depends_on": [*ends, *(f"fan{i}" for i in range(FAN))],
    }
    assert len(resources) == SIZE
    return {
        "heat_template_version": "2018-08-31",
        "resources": resources,
        "outputs": {"joined": {"value": {"get_attr": ["join", "output"]}}},
    }


# --- the deployment behind its links ------------------------------------------


@dataclasses.dataclass(frozen=True)
class Site:
    """A deployment and the links it reaches RabbitMQ and MariaDB through."""

    deployment: Deployment
    database: str
    vhost: str
    broker_link: TcpLink
    database_link: TcpLink


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with (
        fresh_database() as database,
        fresh_vhost() as vhost,
        tcp_link(RABBIT_PORT) as broker_link,
        tcp_link(DB_PORT) as database_link,
    ):
        api_port, cfn_port = free_port(), free_port()
        sections = standard_conf(database, vhost, api_port, cfn_port)
        sections["DEFAULT"]["transport_url"] = (
            f"rabbit://{RABBIT_USER}:{RABBIT_PASSWORD}@127.0.0.1:{broker_link.port}/{vhost}"
        )
        sections["database"]["connection"] = (
            f"mysql+pymysql://{DB_USER}@127.0.0.1:{database_link.port}/{database}"
        )
        conf = tmp_path / "heat.conf"
        conf.write_text(render_conf(sections))
        deployment = Deployment(tmp_path, conf, api_port, cfn_port, database, vhost)
        with running(deployment, engines=2):
            yield Site(deployment, database, vhost, broker_link, database_link)


# --- outages ---------------------------------------------------------------------


def cut_broker_link(site: Site) -> None:
    site.broker_link.cut()


def close_broker_connections(site: Site) -> None:
    """RabbitMQ closes every connection of the deployment's vhost (and no other)."""
    site.broker_link.refuse()
    rabbitmqctl("close_all_connections", "--vhost", site.vhost, "restart of the test's broker")


def cut_database_link(site: Site) -> None:
    site.database_link.cut()


def kill_database_connections(site: Site) -> None:
    """MariaDB kills every connection to the deployment's database (and no other)."""
    site.database_link.refuse()
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT ID FROM information_schema.PROCESSLIST "
                "WHERE DB = %s AND ID <> CONNECTION_ID()",
                (site.database,),
            )
            for (thread_id,) in cur.fetchall():
                try:
                    cur.execute(f"KILL CONNECTION {int(thread_id)}")
                except pymysql.MySQLError as ex:
                    if ex.args[0] != NO_SUCH_THREAD:  # else it ended by itself meanwhile
                        raise
    finally:
        conn.close()


def restore_broker(site: Site) -> None:
    site.broker_link.restore()


def restore_database(site: Site) -> None:
    site.database_link.restore()


@dataclasses.dataclass(frozen=True)
class Outage:
    begin: Callable[[Site], None]
    end: Callable[[Site], None]
    # What heat-api's 503 names while it lasts.
    message: str


OUTAGES = [
    pytest.param(Outage(cut_broker_link, restore_broker, "messaging"), id="broker_link_cut"),
    pytest.param(
        Outage(close_broker_connections, restore_broker, "messaging"),
        id="broker_closes_connections",
    ),
    pytest.param(
        Outage(cut_database_link, restore_database, "database"),
        id="database_link_cut",
    ),
    pytest.param(
        Outage(kill_database_connections, restore_database, "database"),
        id="database_kills_connections",
    ),
]


# --- checks ----------------------------------------------------------------------


def fresh_get(api: HeatHTTP, path: str) -> requests.Response:
    """A GET on a new TCP connection, so consecutive probes may reach different workers."""
    return requests.get(
        api.url(path),
        headers={**api.session.headers, "Connection": "close"},
        timeout=NEVER_HANGS,  # raises ReadTimeout if the API hangs
        allow_redirects=False,
    )


def all_probes_answer_200(api: HeatHTTP, path: str) -> bool:
    return all(fresh_get(api, path).status_code == 200 for _ in range(PROBES))


def count_complete(database: str, stack_id: str) -> int:
    return query(
        database,
        "SELECT COUNT(*) FROM resource WHERE stack_id = %s "
        "AND action = 'CREATE' AND status = 'COMPLETE'",
        stack_id,
    )[0][0]


def stack_state(database: str, stack_id: str) -> tuple[str, str, str]:
    return query(
        database, "SELECT action, status, status_reason FROM stack WHERE id = %s", stack_id
    )[0]


def probe_during_outage(api: HeatHTTP, stack_url: str, message: str) -> None:
    """Ask the API until the outage has lasted OUTAGE_SECONDS: each answer is a 503."""
    end = time.monotonic() + OUTAGE_SECONDS
    probes = 0
    while probes < 2 or time.monotonic() < end:
        path = "/stacks" if probes % 2 == 0 else stack_url
        error = assert_heat_error(fresh_get(api, path), 503)
        assert message in error["error"]["message"].lower(), error
        probes += 1


def unfinished(database: str, stack_id: str) -> list[tuple[Any, ...]]:
    """Name, state and engine of the stack's resources that are not CREATE_COMPLETE."""
    return query(
        database,
        "SELECT name, action, status, engine_id FROM resource WHERE stack_id = %s "
        "AND NOT (action = 'CREATE' AND status = 'COMPLETE') ORDER BY id",
        stack_id,
    )


def wait_for_the_end(api: HeatHTTP, site: Site, stack_url: str) -> dict[str, Any]:
    """The stack once its create is no longer in progress."""
    last: dict[str, Any] = {}
    stack_id = stack_url.rsplit("/", 1)[1]

    def diagnostics() -> str:
        return (
            f"stack: {last.get('stack_status')} {last.get('stack_status_reason')}\n"
            f"unfinished resources: {unfinished(site.database, stack_id)}\n"
            + site.deployment.logs()
        )

    def ended() -> dict[str, Any] | None:
        resp = api.get(stack_url)
        assert resp.status_code == 200, resp.text
        last.update(resp.json()["stack"])
        return None if last["stack_status"] == "CREATE_IN_PROGRESS" else dict(last)

    return wait_until(ended, FINISH_TIMEOUT, f"{stack_url} to end its create", diagnostics)


def assert_each_resource_created_once(api: HeatHTTP, site: Site, stack_id: str, url: str) -> None:
    resources = api.get(url + "/resources").json()["resources"]
    assert len(resources) == SIZE
    statuses = {r["resource_status"] for r in resources}
    assert statuses == {"CREATE_COMPLETE"}, statuses
    rows = query(site.database, "SELECT nova_instance FROM resource WHERE stack_id = %s", stack_id)
    ids = [r[0] for r in rows]
    assert len(ids) == SIZE and None not in ids
    assert len(set(ids)) == SIZE, "a physical resource was made twice"
    completions = query(
        site.database,
        "SELECT resource_name, COUNT(*) FROM event WHERE stack_id = %s "
        "AND resource_action = 'CREATE' AND resource_status = 'COMPLETE' "
        "AND resource_name <> %s GROUP BY resource_name",
        stack_id,
        api.get(url).json()["stack"]["stack_name"],
    )
    assert len(completions) == SIZE
    twice = sorted(name for name, count in completions if count != 1)
    assert not twice, f"created more than once: {twice}"


# --- the tests -------------------------------------------------------------------


@pytest.mark.parametrize("outage", OUTAGES)
def test_create_in_progress_completes_after_a_restart(
    site: Site, tenant: str, stack_name: str, outage: Outage
) -> None:
    deployment = site.deployment
    pids = [p.pid for p in deployment.processes]
    api = HeatHTTP(deployment.api_url, tenant)
    url = api.create_stack(stack_name, template(), disable_rollback=True)
    stack_id = url.rsplit("/", 1)[1]
    wait_until(
        lambda: count_complete(site.database, stack_id) >= OUTAGE_AFTER,
        PROGRESS_TIMEOUT,
        f"{OUTAGE_AFTER} resources CREATE_COMPLETE",
        deployment.logs,
    )

    outage.begin(site)
    try:
        assert stack_state(site.database, stack_id)[:2] == ("CREATE", "IN_PROGRESS")
        probe_during_outage(api, url, outage.message)
    finally:
        outage.end(site)

    wait_until(
        lambda: all_probes_answer_200(api, "/stacks"),
        RECOVERY_TIMEOUT,
        "heat-api to answer 200 after the outage",
        deployment.logs,
    )
    stack = wait_for_the_end(api, site, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert stack["outputs"][0]["output_value"]
    assert_each_resource_created_once(api, site, stack_id, url)
    assert [p.pid for p in deployment.processes if p.running()] == pids, "a process restarted"

    assert api.delete(url).status_code == 204
    api.wait_for_status(url, "DELETE_COMPLETE", timeout=FINISH_TIMEOUT)
