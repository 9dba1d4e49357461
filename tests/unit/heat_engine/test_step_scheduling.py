"""How resource steps share an engine's workers: a template resource's step does not hold
a worker while its nested stack runs, and a node with several inputs runs once.

This module runs its own embedded engine with two workers, so that anything holding a
worker while it waits for other steps would stall the stacks below.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from oslo_config import cfg

from ..conftest import make_conf  # type: ignore[import-not-found]
from ..heat_api.test_stacks import create, path_of, wait  # type: ignore[import-not-found]

WORKERS = 2

CHILD = """heat_template_version: 2016-10-14
parameters:
  n: {type: string}
resources:
  slow:
    type: OS::Heat::TestResource
    properties: {value: {get_param: n}, wait_secs: 0.2}
outputs:
  n: {value: {get_attr: [slow, output]}}
"""


@pytest.fixture(scope="module")
def embedded_conf(tmp_path_factory: pytest.TempPathFactory) -> cfg.ConfigOpts:
    db = Path(tmp_path_factory.mktemp("heat")) / "heat.sqlite"
    return make_conf(
        transport_url="memory://",
        database__connection=f"sqlite:///{db}",
        paste_deploy__flavor="noauth",
        rpc_response_timeout=10,
        executor_thread_pool_size=WORKERS,
    )


def events_of(api, url: str) -> list[tuple[str, str]]:
    listed = api.simulate_get(url + "/events", params={"sort_dir": "asc"}).json["events"]
    return [(e["resource_name"], e["resource_status"]) for e in listed]


def test_more_nested_stacks_than_workers_all_complete(api, tenant):
    count = WORKERS * 3
    parent = {
        "heat_template_version": "2016-10-14",
        "resources": {
            f"c{i}": {"type": "child.yaml", "properties": {"n": str(i)}} for i in range(count)
        },
        "outputs": {"all": {"value": [{"get_attr": [f"c{i}", "n"]} for i in range(count)]}},
    }
    result = create(api, tenant, "parent", parent, files={"child.yaml": CHILD})
    assert result.status_code == 201, result.text
    url = path_of(result)
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert stack["outputs"][0]["output_value"] == [str(i) for i in range(count)]
    assert api.simulate_delete(url).status_code == 204
    assert wait(api, url)["stack_status"] == "DELETE_COMPLETE"
    left = api.simulate_get(f"/v1/{tenant}/stacks", params={"show_nested": "true"}).json
    assert left["stacks"] == []


def test_a_node_with_many_inputs_runs_once_after_all_of_them(api, tenant):
    first = {f"a{i}": {"type": "OS::Heat::RandomString"} for i in range(6)}
    joined = {
        "type": "OS::Heat::Value",
        "properties": {"value": {"list_join": ["", [{"get_attr": [n, "value"]} for n in first]]}},
    }
    template = {
        "heat_template_version": "2016-10-14",
        "resources": {
            **first,
            "join": joined,
            "after1": {"type": "OS::Heat::None", "depends_on": ["join"]},
            "after2": {"type": "OS::Heat::None", "depends_on": ["join"]},
            "last": {"type": "OS::Heat::None", "depends_on": ["after1", "after2"]},
        },
        "outputs": {"joined": {"value": {"get_attr": ["join", "value"]}}},
    }
    url = path_of(create(api, tenant, "diamond", template))
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert len(stack["outputs"][0]["output_value"]) == 6 * 32
    events = events_of(api, url)
    for name in [*first, "join", "after1", "after2", "last"]:
        mine = [e[1] for e in events if e[0] == name]
        assert mine == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"], (name, mine)
    order = [e[0] for e in events if e[1] == "CREATE_COMPLETE"]
    assert all(order.index(n) < order.index("join") for n in first)
    assert order.index("join") < min(order.index("after1"), order.index("after2"))
    assert order.index("last") > max(order.index("after1"), order.index("after2"))
