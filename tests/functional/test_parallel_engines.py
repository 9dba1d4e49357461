"""Independent resources are worked on by both engines at once.

Which engine works on a resource is observable in MariaDB: ``resource.engine_id``
holds the engine's id while the resource is IN_PROGRESS (it is cleared when the
resource completes). Sampling the stack's resource rows while the stack is
being created collects the engines that took part; every TestResource waits
0.3 s, so each is in progress long enough to be seen.
"""

from __future__ import annotations

import time

import pytest
from harness import (
    STATUS_TIMEOUT,
    Deployment,
    HeatHTTP,
    connect,
    query,
)

pytestmark = pytest.mark.functional

RESOURCES = 20
WAIT_SECS = 0.3


def independent_resources(count: int) -> dict:
    return {
        "heat_template_version": "2018-08-31",
        "resources": {
            f"r{i:02d}": {
                "type": "OS::Heat::TestResource",
                "properties": {"value": f"v{i}", "wait_secs": WAIT_SECS},
            }
            for i in range(count)
        },
    }


def engines_seen_until_created(database: str, stack_id: str) -> set[str]:
    """Sample the engines holding the stack's resources until the stack's create ends."""
    seen: set[str] = set()
    conn = connect(database)
    deadline = time.monotonic() + STATUS_TIMEOUT
    try:
        with conn.cursor() as cur:
            while time.monotonic() < deadline:
                cur.execute(
                    "SELECT engine_id FROM resource WHERE stack_id = %s AND engine_id IS NOT NULL",
                    (stack_id,),
                )
                seen.update(row[0] for row in cur.fetchall())
                cur.execute("SELECT action, status FROM stack WHERE id = %s", (stack_id,))
                row = cur.fetchone()
                if row is not None and row != ("CREATE", "IN_PROGRESS"):
                    return seen
                time.sleep(0.01)
    finally:
        conn.close()
    pytest.fail(f"stack {stack_id} was still being created after {STATUS_TIMEOUT} s")


def test_independent_resources_are_created_by_both_engines(
    api: HeatHTTP, heat_services: Deployment, heat_database: str, stack_name: str
) -> None:
    services = api.get("/services").json()["services"]
    engine_ids = {s["engine_id"] for s in services if s["status"] == "up"}
    assert len(engine_ids) == 2, services

    stack_url = api.create_stack(stack_name, independent_resources(RESOURCES))
    stack_id = stack_url.rsplit("/", 1)[1]
    seen = engines_seen_until_created(heat_database, stack_id)
    api.wait_for_status(stack_url, "CREATE_COMPLETE")

    assert seen == engine_ids
    resources = api.get(stack_url + "/resources").json()["resources"]
    assert len(resources) == RESOURCES
    assert {r["resource_status"] for r in resources} == {"CREATE_COMPLETE"}
    # Every resource was created once: one IN_PROGRESS and one COMPLETE event each.
    [(count,)] = query(
        heat_database,
        "SELECT COUNT(*) FROM event WHERE stack_id = %s AND resource_type = %s",
        stack_id,
        "OS::Heat::TestResource",
    )
    assert count == 2 * RESOURCES
    assert query(
        heat_database,
        "SELECT COUNT(*) FROM resource WHERE stack_id = %s AND engine_id IS NOT NULL",
        stack_id,
    ) == [(0,)]

    assert api.delete(stack_url).status_code == 204
    api.wait_for_status(stack_url, "DELETE_COMPLETE")
    assert stack_name not in api.stack_names()
