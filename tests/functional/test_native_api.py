"""A user's walk through the native API: create, inspect, update and delete one stack.

Once with plain HTTP (every status code, header and body field a user relies
on), once with python-heatclient's Python API.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from harness import (
    STATUS_TIMEOUT,
    WALK_TEMPLATE,
    Deployment,
    HeatHTTP,
    assert_heat_error,
    wait_until,
    walk_template_as_json,
)
from heatclient import client as heat_client
from heatclient import exc as heat_exc

pytestmark = pytest.mark.functional

REQUIRED_BY = {"rand": ["test"], "test": ["val"], "val": ["none"], "none": []}
RESOURCE_TYPES = {
    "rand": "OS::Heat::RandomString",
    "test": "OS::Heat::TestResource",
    "val": "OS::Heat::Value",
    "none": "OS::Heat::None",
}


def self_link(links: list[dict[str, str]]) -> str:
    hrefs = [link["href"] for link in links if link["rel"] == "self"]
    assert len(hrefs) == 1, links
    return hrefs[0]


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def created(api: HeatHTTP, stack_name: str) -> dict[str, Any]:
    """The walk stack, created and CREATE_COMPLETE; the create response is kept for checks."""
    resp = api.post("/stacks", json={"stack_name": stack_name, "template": WALK_TEMPLATE})
    assert resp.status_code == 201, resp.text
    stack_url = resp.headers["Location"]
    api.wait_for_status(stack_url, "CREATE_COMPLETE")
    return {"url": stack_url, "response": resp}


def test_create_answers_201_with_location_and_stack_id_and_self_link(
    api: HeatHTTP, stack_name: str, created: dict[str, Any]
) -> None:
    resp = created["response"]
    body = resp.json()
    assert set(body) == {"stack"}
    assert set(body["stack"]) >= {"id", "links"}
    stack_id = body["stack"]["id"]
    assert path_of(created["url"]) == f"/v1/{api.tenant}/stacks/{stack_name}/{stack_id}"
    assert self_link(body["stack"]["links"]) == created["url"]


def test_show_reports_parameters_as_strings_with_pseudo_parameters_and_hidden_secret(
    api: HeatHTTP, stack_name: str, created: dict[str, Any]
) -> None:
    resp = api.get(created["url"])
    assert resp.status_code == 200, resp.text
    stack = resp.json()["stack"]
    stack_id = created["response"].json()["stack"]["id"]
    assert stack["stack_name"] == stack_name
    assert stack["id"] == stack_id
    assert self_link(stack["links"]) == created["url"]
    assert stack["stack_status"] == "CREATE_COMPLETE"
    assert stack["description"] == "functional walk"
    assert stack["parameters"] == {
        "OS::stack_id": stack_id,
        "OS::project_id": api.tenant,
        "OS::stack_name": stack_name,
        "length": "12",
        "secret": "******",
    }
    outputs = {o["output_key"]: o for o in stack["outputs"]}
    assert set(outputs) == {"out_rand", "out_val"}
    for output in stack["outputs"]:
        assert set(output) >= {"output_key", "description", "output_value"}, output
    assert outputs["out_rand"]["description"] == "the random"
    assert isinstance(outputs["out_rand"]["output_value"], str)
    assert len(outputs["out_rand"]["output_value"]) == 12
    # get_resource of the TestResource is its physical id, passed on by the Value.
    resources = api.get(created["url"] + "/resources").json()["resources"]
    test_id = next(r["physical_resource_id"] for r in resources if r["resource_name"] == "test")
    assert outputs["out_val"]["output_value"] == test_id


def test_list_shows_the_stack_with_links_status_and_count(
    api: HeatHTTP, stack_name: str, created: dict[str, Any]
) -> None:
    resp = api.get("/stacks", params={"with_count": "true"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["count"] == 1
    [stack] = body["stacks"]
    assert stack["stack_name"] == stack_name
    assert stack["stack_status"] == "CREATE_COMPLETE"
    assert self_link(stack["links"]) == created["url"]
    assert "count" not in api.get("/stacks").json()


@pytest.mark.parametrize("suffix", ["", "/resources", "/events", "/template"])
def test_lookup_by_name_redirects_to_the_canonical_stack_url(
    api: HeatHTTP, stack_name: str, created: dict[str, Any], suffix: str
) -> None:
    resp = api.get(f"/stacks/{stack_name}{suffix}")
    assert resp.status_code == 302, resp.text
    stack_id = created["response"].json()["stack"]["id"]
    assert path_of(resp.headers["Location"]).endswith(f"/stacks/{stack_name}/{stack_id}{suffix}")
    assert resp.headers["Location"] == created["url"] + suffix


def test_resources_list_shows_every_resource_complete_with_required_by(
    api: HeatHTTP, created: dict[str, Any]
) -> None:
    resp = api.get(created["url"] + "/resources")
    assert resp.status_code == 200, resp.text
    resources = {r["resource_name"]: r for r in resp.json()["resources"]}
    assert set(resources) == set(REQUIRED_BY)
    for name, resource in resources.items():
        assert resource["resource_status"] == "CREATE_COMPLETE", resource
        assert resource["resource_type"] == RESOURCE_TYPES[name]
        assert resource["logical_resource_id"] == name
        assert sorted(resource["required_by"]) == REQUIRED_BY[name]
        assert self_link(resource["links"]) == f"{created['url']}/resources/{name}"


def test_resource_show_includes_attributes(api: HeatHTTP, created: dict[str, Any]) -> None:
    resp = api.get(created["url"] + "/resources/rand")
    assert resp.status_code == 200, resp.text
    resource = resp.json()["resource"]
    assert resource["resource_name"] == "rand"
    assert resource["resource_status"] == "CREATE_COMPLETE"
    assert resource["required_by"] == ["test"]
    output = api.get(created["url"] + "/outputs/out_rand").json()["output"]
    assert resource["attributes"]["value"] == output["output_value"]


def test_events_list_newest_first_including_stack_events(
    api: HeatHTTP, stack_name: str, created: dict[str, Any]
) -> None:
    resp = api.get(created["url"] + "/events")
    assert resp.status_code == 200, resp.text
    events = resp.json()["events"]
    seen = {(e["resource_name"], e["resource_status"]) for e in events}
    for name in REQUIRED_BY:
        assert (name, "CREATE_IN_PROGRESS") in seen
        assert (name, "CREATE_COMPLETE") in seen
    assert (stack_name, "CREATE_IN_PROGRESS") in seen
    assert (stack_name, "CREATE_COMPLETE") in seen
    # Newest first: the stack's completion is the first event listed, its start the last.
    assert (events[0]["resource_name"], events[0]["resource_status"]) == (
        stack_name,
        "CREATE_COMPLETE",
    )
    assert (events[-1]["resource_name"], events[-1]["resource_status"]) == (
        stack_name,
        "CREATE_IN_PROGRESS",
    )
    times = [e["event_time"] for e in events]
    assert times == sorted(times, reverse=True)


def test_event_show_has_resource_type_and_properties(
    api: HeatHTTP, created: dict[str, Any]
) -> None:
    events = api.get(created["url"] + "/events").json()["events"]
    event = next(
        e
        for e in events
        if e["resource_name"] == "test" and e["resource_status"] == "CREATE_COMPLETE"
    )
    url = self_link(event["links"])
    assert path_of(url) == path_of(f"{created['url']}/resources/test/events/{event['id']}")
    resp = api.get(url)
    assert resp.status_code == 200, resp.text
    shown = resp.json()["event"]
    assert shown["id"] == event["id"]
    assert shown["resource_type"] == "OS::Heat::TestResource"
    rand = api.get(created["url"] + "/outputs/out_rand").json()["output"]["output_value"]
    assert shown["resource_properties"].get("value") == rand, shown


def test_outputs_list_and_show_resolve_the_random_string(
    api: HeatHTTP, created: dict[str, Any]
) -> None:
    resp = api.get(created["url"] + "/outputs")
    assert resp.status_code == 200, resp.text
    listed = {o["output_key"]: o for o in resp.json()["outputs"]}
    assert set(listed) == {"out_rand", "out_val"}
    assert listed["out_rand"]["description"] == "the random"
    resp = api.get(created["url"] + "/outputs/out_rand")
    assert resp.status_code == 200, resp.text
    output = resp.json()["output"]
    assert output["output_key"] == "out_rand"
    assert output["description"] == "the random"
    assert len(output["output_value"]) == 12


def test_template_environment_and_files_are_returned_as_sent(
    api: HeatHTTP, created: dict[str, Any]
) -> None:
    resp = api.get(created["url"] + "/template")
    assert resp.status_code == 200, resp.text
    assert resp.json() == walk_template_as_json()
    resp = api.get(created["url"] + "/environment")
    assert resp.status_code == 200, resp.text
    environment = resp.json()
    assert set(environment) >= {"parameters", "parameter_defaults", "resource_registry"}
    assert environment["parameters"] == {}
    resp = api.get(created["url"] + "/files")
    assert resp.status_code == 200, resp.text
    assert resp.json() == {}


def test_build_info_reports_api_and_engine_revisions(api: HeatHTTP) -> None:
    resp = api.get("/build_info")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert isinstance(body["api"]["revision"], str)
    assert isinstance(body["engine"]["revision"], str)


def test_services_list_shows_both_engines_up(api: HeatHTTP) -> None:
    resp = api.get("/services")
    assert resp.status_code == 200, resp.text
    engines = [s for s in resp.json()["services"] if s["binary"] == "heat-engine"]
    assert len(engines) == 2, engines
    assert {s["status"] for s in engines} == {"up"}
    assert len({s["engine_id"] for s in engines}) == 2


def test_patch_with_new_parameters_updates_and_changes_the_output(
    api: HeatHTTP, created: dict[str, Any]
) -> None:
    before = api.get(created["url"] + "/outputs/out_rand").json()["output"]["output_value"]
    resp = api.patch(created["url"], json={"parameters": {"length": 20}})
    assert resp.status_code == 202, resp.text
    stack = api.wait_for_status(created["url"], "UPDATE_COMPLETE")
    assert stack["parameters"]["length"] == "20"
    assert stack["parameters"]["secret"] == "******"
    after = api.get(created["url"] + "/outputs/out_rand").json()["output"]["output_value"]
    assert len(after) == 20
    assert after != before
    environment = api.get(created["url"] + "/environment").json()
    assert environment["parameters"] == {"length": 20}


def test_delete_answers_204_then_delete_complete_by_id_and_404_by_name(
    api: HeatHTTP, stack_name: str, created: dict[str, Any]
) -> None:
    resp = api.delete(created["url"])
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    api.wait_for_status(created["url"], "DELETE_COMPLETE")
    wait_until(
        lambda: api.get(f"/stacks/{stack_name}").status_code == 404,
        STATUS_TIMEOUT,
        f"GET /stacks/{stack_name} to answer 404 after the delete",
    )
    assert_heat_error(api.get(f"/stacks/{stack_name}"), 404, "EntityNotFound")
    assert stack_name not in api.stack_names()


# --- python-heatclient ------------------------------------------------------


def heatclient_for(deployment: Deployment, tenant: str) -> Any:
    """heatclient as a script uses it with a token and a fixed endpoint.

    heatclient then sends only ``X-Auth-Token``; under ``noauth`` the API takes
    the project from the tenant in the URL.
    """
    return heat_client.Client(
        "1", endpoint=f"{deployment.api_url}/v1/{tenant}", token="x", timeout=30
    )


def wait_heatclient(hc: Any, stack_id: str, status: str) -> Any:
    def reached() -> Any:
        stack = hc.stacks.get(stack_id)
        assert not stack.stack_status.endswith("_FAILED"), stack.stack_status_reason
        return stack if stack.stack_status == status else None

    return wait_until(reached, STATUS_TIMEOUT, f"stack {stack_id} to reach {status}")


def test_heatclient_walk_creates_inspects_and_deletes_a_stack(
    heat_services: Deployment, tenant: str, stack_name: str
) -> None:
    hc = heatclient_for(heat_services, tenant)
    created = hc.stacks.create(stack_name=stack_name, template=walk_template_as_json())
    stack_id = created["stack"]["id"]

    stack = wait_heatclient(hc, stack_id, "CREATE_COMPLETE")
    assert stack.stack_name == stack_name
    assert stack.parameters["length"] == "12"
    assert hc.stacks.get(stack_name).id == stack_id

    assert [s.stack_name for s in hc.stacks.list()] == [stack_name]

    resources = {r.resource_name: r for r in hc.resources.list(stack_id)}
    assert set(resources) == set(REQUIRED_BY)
    assert {r.resource_status for r in resources.values()} == {"CREATE_COMPLETE"}

    events = hc.events.list(stack_id)
    assert {e.resource_name for e in events} >= {*REQUIRED_BY, stack_name}

    output = hc.stacks.output_show(stack_id, "out_rand")["output"]
    assert len(output["output_value"]) == 12

    assert hc.stacks.template(stack_id) == walk_template_as_json()

    hc.stacks.delete(stack_id)
    wait_heatclient(hc, stack_id, "DELETE_COMPLETE")

    def name_gone() -> bool:
        try:
            hc.stacks.get(stack_name)
        except heat_exc.HTTPNotFound:
            return True
        return False

    wait_until(name_gone, STATUS_TIMEOUT, f"stack {stack_name} to be gone by name")


def test_heatclient_reports_a_missing_stack_as_not_found(
    heat_services: Deployment, tenant: str
) -> None:
    hc = heatclient_for(heat_services, tenant)
    with pytest.raises(heat_exc.HTTPNotFound) as info:
        hc.stacks.get(f"missing-{time.monotonic_ns()}")
    assert "could not be found" in str(info.value)
