"""kill -9 of an engine in the middle of a create, an update and a delete loses nothing.

Steps are acknowledged to the broker only after their result is committed, so the
broker hands what a dead engine held to the surviving one; steps are idempotent, so
re-running a half-done one neither duplicates a physical resource nor loses one.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Deployment, HeatHTTP, own_deployment, query, wait_until

pytestmark = pytest.mark.functional

SIZE = 300
CRASH_TIMEOUT = 180.0


def template(value: str) -> dict:
    resources = {
        f"r{i}": {
            "type": "OS::Heat::TestResource",
            "properties": {
                "value": value,
                "action_wait_secs": {"create": 0.2, "update": 0.2, "delete": 0.2},
            },
        }
        for i in range(SIZE)
    }
    return {"heat_template_version": "2016-10-14", "resources": resources}


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Deployment]:
    with own_deployment(tmp_path, engines=2, DEFAULT={"periodic_interval": 2}) as deployment:
        yield deployment


def kill_one_engine_when(deployment: Deployment, database: str, sql: str, at_least: int) -> None:
    """SIGKILL the first live engine once ``sql`` counts ``at_least`` rows."""
    wait_until(
        lambda: query(database, sql)[0][0] >= at_least,
        CRASH_TIMEOUT,
        f"{at_least} rows for: {sql}",
        deployment.logs,
    )
    engine = next(p for p in deployment.by_binary("heat-engine") if p.running())
    os.kill(engine.pid, signal.SIGKILL)
    engine.popen.wait()
    engine.stopped = True


def physical_ids(database: str, stack_id: str) -> list[str]:
    rows = query(database, "SELECT nova_instance FROM resource WHERE stack_id = %s", stack_id)
    return [r[0] for r in rows]


def test_create_update_delete_survive_an_engine_killed_midway(cluster: Deployment):
    api = HeatHTTP(cluster.api_url, "crashtest")
    db = cluster.database
    assert db is not None
    url = api.create_stack("crash", template("one"))
    stack_id = url.rsplit("/", 1)[1]
    kill_one_engine_when(
        cluster,
        db,
        f"SELECT COUNT(*) FROM resource WHERE stack_id = '{stack_id}' "
        "AND action = 'CREATE' AND status = 'COMPLETE'",
        SIZE // 3,
    )
    api.wait_for_status(url, "CREATE_COMPLETE", timeout=CRASH_TIMEOUT)
    resources = api.get(url + "/resources").json()["resources"]
    assert len(resources) == SIZE
    assert {r["resource_status"] for r in resources} == {"CREATE_COMPLETE"}
    ids = physical_ids(db, stack_id)
    assert len(set(ids)) == SIZE and None not in ids  # none lost, none made twice

    cluster.start("heat-engine")
    cluster.wait_engines(2)
    assert api.put(url, json={"template": template("two")}).status_code == 202
    kill_one_engine_when(
        cluster,
        db,
        f"SELECT COUNT(*) FROM event WHERE stack_id = '{stack_id}' "
        "AND resource_action = 'UPDATE' AND resource_status = 'COMPLETE'",
        SIZE // 3,
    )
    api.wait_for_status(url, "UPDATE_COMPLETE", timeout=CRASH_TIMEOUT)
    outputs = api.get(url + "/resources/r7").json()["resource"]["attributes"]
    assert outputs == {"output": "two"}
    assert sorted(physical_ids(db, stack_id)) == sorted(ids)  # updated in place

    cluster.start("heat-engine")
    cluster.wait_engines(2)
    assert api.delete(url).status_code == 204
    kill_one_engine_when(
        cluster,
        db,
        f"SELECT COUNT(*) FROM event WHERE stack_id = '{stack_id}' "
        "AND resource_action = 'DELETE' AND resource_status = 'COMPLETE'",
        SIZE // 3,
    )
    api.wait_for_status(url, "DELETE_COMPLETE", timeout=CRASH_TIMEOUT)
    assert physical_ids(db, stack_id) == []
