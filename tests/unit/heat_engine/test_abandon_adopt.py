"""Export, abandon and adopt through the native API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import falcon.testing
import pytest

DEADLINE = 20

TEMPLATE: dict[str, Any] = {
    "heat_template_version": "2018-08-31",
    "parameters": {"length": {"type": "number", "default": 8}},
    "resources": {
        "secret": {
            "type": "OS::Heat::RandomString",
            "properties": {"length": {"get_param": "length"}},
        },
        "holder": {
            "type": "OS::Heat::TestResource",
            "properties": {"value": {"get_attr": ["secret", "value"]}},
        },
    },
    "outputs": {"secret": {"value": {"get_attr": ["secret", "value"]}}},
}


def wait(api: falcon.testing.TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        stack = api.simulate_get(url).json["stack"]
        if not stack["stack_status"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.02)
    raise AssertionError(f"{url} still in progress after {DEADLINE} s")


def url_of(result: falcon.testing.Result) -> str:
    assert result.status_code == 201, result.text
    return result.headers["location"].split("http://falconframework.org", 1)[-1]


def create(api: falcon.testing.TestClient, tenant: str, name: str, **body: Any) -> str:
    result = api.simulate_post(f"/v1/{tenant}/stacks", json={"stack_name": name, **body})
    url = url_of(result)
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    return url


def resources(api: falcon.testing.TestClient, url: str) -> dict[str, dict[str, Any]]:
    return {r["resource_name"]: r for r in api.simulate_get(url + "/resources").json["resources"]}


def error(result: falcon.testing.Result) -> tuple[int, str, str]:
    return result.status_code, result.json["error"]["type"], result.json["error"]["message"]


@pytest.fixture
def enabled(embedded_conf) -> Iterator[None]:
    embedded_conf.set_override("enable_stack_abandon", True)
    embedded_conf.set_override("enable_stack_adopt", True)
    yield
    embedded_conf.clear_override("enable_stack_abandon")
    embedded_conf.clear_override("enable_stack_adopt")


@pytest.fixture
def stack(api, tenant) -> str:
    return create(api, tenant, "old", template=TEMPLATE, parameters={"length": 10})


def test_abandon_and_export_are_refused_unless_enabled(api, stack):
    message = "Stack Abandon is not supported."
    assert error(api.simulate_delete(stack + "/abandon")) == (400, "NotSupported", message)
    assert error(api.simulate_get(stack + "/export")) == (400, "NotSupported", message)
    assert wait(api, stack)["stack_status"] == "CREATE_COMPLETE"


@pytest.mark.usefixtures("enabled")
def test_export_gives_the_stack_data_and_keeps_the_stack(api, tenant, stack):
    data = api.simulate_get(stack + "/export").json
    assert set(data) == {
        "name",
        "id",
        "action",
        "environment",
        "files",
        "status",
        "template",
        "resources",
        "project_id",
        "stack_user_project_id",
        "tags",
    }
    assert (data["name"], data["action"], data["status"]) == ("old", "CREATE", "COMPLETE")
    assert (data["project_id"], data["template"]) == (tenant, TEMPLATE)
    assert data["environment"]["parameters"] == {"length": 10}
    secret = data["resources"]["secret"]
    assert set(secret) == {
        "name",
        "resource_id",
        "type",
        "action",
        "status",
        "metadata",
        "resource_data",
    }
    assert secret["resource_id"] == resources(api, stack)["secret"]["physical_resource_id"]
    assert len(secret["resource_data"]["value"]) == 10
    assert wait(api, stack)["stack_status"] == "CREATE_COMPLETE"


@pytest.mark.usefixtures("enabled")
def test_abandon_returns_the_data_and_forgets_the_stack(api, tenant, stack):
    result = api.simulate_delete(stack + "/abandon")
    assert result.status_code == 200, result.text
    assert set(result.json["resources"]) == {"secret", "holder"}
    gone = api.simulate_get(f"/v1/{tenant}/stacks/old")
    assert error(gone) == (404, "EntityNotFound", "The Stack (old) could not be found.")
    assert wait(api, stack)["stack_status"] == "DELETE_COMPLETE"
    assert api.simulate_get(f"/v1/{tenant}/stacks").json["stacks"] == []


def test_adopt_is_refused_unless_enabled(api, tenant):
    adopt_data = {"template": TEMPLATE, "resources": {}}
    result = api.simulate_post(
        f"/v1/{tenant}/stacks",
        json={"stack_name": "new", "adopt_stack_data": json.dumps(adopt_data)},
    )
    assert error(result) == (400, "NotSupported", "Stack Adopt is not supported.")


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize("as_text", [True, False])
def test_adopt_takes_over_the_abandoned_resources(api, tenant, stack, as_text):
    before = resources(api, stack)
    secret = api.simulate_get(stack + "/outputs/secret").json["output"]["output_value"]
    data = api.simulate_delete(stack + "/abandon").json
    body = {"stack_name": "new", "adopt_stack_data": json.dumps(data) if as_text else data}
    url = url_of(api.simulate_post(f"/v1/{tenant}/stacks", json=body))
    adopted = wait(api, url)
    assert (adopted["stack_status"], adopted["stack_status_reason"]) == (
        "ADOPT_COMPLETE",
        "Stack ADOPT completed successfully",
    )
    after = resources(api, url)
    assert {n: r["resource_status"] for n, r in after.items()} == {
        "secret": "ADOPT_COMPLETE",
        "holder": "ADOPT_COMPLETE",
    }
    assert {n: r["physical_resource_id"] for n, r in after.items()} == {
        n: r["physical_resource_id"] for n, r in before.items()
    }
    assert api.simulate_get(url + "/outputs/secret").json["output"]["output_value"] == secret
    assert adopted["parameters"]["length"] == "10"  # from the adopted stack's environment


@pytest.mark.usefixtures("enabled")
def test_adopt_fails_for_a_resource_the_data_lacks_and_ignores_unknown_ones(api, tenant):
    data = {
        "template": TEMPLATE,
        "resources": {
            "secret": {"resource_id": "s-1", "resource_data": {"value": "abc"}},
            "stranger": {"resource_id": "x-1"},
        },
    }
    body = {"stack_name": "partial", "adopt_stack_data": json.dumps(data)}
    url = url_of(api.simulate_post(f"/v1/{tenant}/stacks", json=body))
    failed = wait(api, url)
    reason = "Exception: resources.holder: Resource ID was not provided."
    assert (failed["stack_status"], failed["stack_status_reason"]) == (
        "ADOPT_FAILED",
        f"Resource ADOPT failed: {reason}",
    )
    state = resources(api, url)
    assert set(state) == {"secret", "holder"}
    assert state["secret"]["resource_status"] == "ADOPT_COMPLETE"
    assert (state["holder"]["resource_status"], state["holder"]["resource_status_reason"]) == (
        "ADOPT_FAILED",
        reason,
    )


@pytest.mark.usefixtures("enabled")
@pytest.mark.parametrize(
    ("adopt_data", "fragment"),
    [
        ("{not json: [", "Invalid adopt data"),
        (json.dumps({"resources": {}}), "Invalid adopt data: 'template'"),
        (json.dumps(["a list"]), "Invalid adopt data"),
    ],
)
def test_unusable_adopt_data_is_a_400(api, tenant, adopt_data, fragment):
    result = api.simulate_post(
        f"/v1/{tenant}/stacks", json={"stack_name": "bad", "adopt_stack_data": adopt_data}
    )
    assert result.status_code == 400, result.text
    assert fragment in result.json["error"]["message"]
