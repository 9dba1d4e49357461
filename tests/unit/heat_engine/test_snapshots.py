"""Snapshots through the native API: take, show, list, delete, restore; deletion policies."""

from __future__ import annotations

import time
from typing import Any

import falcon.testing
import pytest

DEADLINE = 20

TEMPLATE: dict[str, Any] = {
    "heat_template_version": "2018-08-31",
    "parameters": {"salt": {"type": "string", "default": "one"}},
    "resources": {
        "secret": {
            "type": "OS::Heat::RandomString",
            "properties": {"length": 12, "salt": {"get_param": "salt"}},
        },
        "holder": {"type": "OS::Heat::TestResource", "properties": {"value": "kept"}},
        "extra": {"type": "OS::Heat::None"},
    },
    "outputs": {
        "secret": {"value": {"get_attr": ["secret", "value"]}},
        "held": {"value": {"get_attr": ["holder", "output"]}},
    },
}


def wait(api: falcon.testing.TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        stack = api.simulate_get(url).json["stack"]
        if not stack["stack_status"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.02)
    raise AssertionError(f"{url} still in progress after {DEADLINE} s")


def create(api: falcon.testing.TestClient, tenant: str, name: str, template: Any) -> str:
    result = api.simulate_post(
        f"/v1/{tenant}/stacks", json={"stack_name": name, "template": template}
    )
    assert result.status_code == 201, result.text
    url = result.headers["location"].split("http://falconframework.org", 1)[-1]
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    return url


def outputs(api: falcon.testing.TestClient, url: str) -> dict[str, Any]:
    stack = api.simulate_get(url).json["stack"]
    return {o["output_key"]: o["output_value"] for o in stack["outputs"]}


def take(api: falcon.testing.TestClient, url: str, name: str | None = "snap") -> dict[str, Any]:
    result = api.simulate_post(url + "/snapshots", json={"name": name} if name else None)
    assert result.status_code == 200, result.text
    assert wait(api, url)["stack_status"] == "SNAPSHOT_COMPLETE"
    return result.json


def error(result: falcon.testing.Result) -> tuple[int, str, str]:
    return result.status_code, result.json["error"]["type"], result.json["error"]["message"]


@pytest.fixture
def stack(api, tenant) -> str:
    return create(api, tenant, "snappy", TEMPLATE)


def test_snapshot_is_answered_in_progress_then_completes_with_the_stack_data(api, stack):
    started = take(api, stack)
    assert set(started) == {
        "id",
        "name",
        "action",
        "status",
        "status_reason",
        "data",
        "creation_time",
    }
    assert (started["name"], started["action"], started["status"]) == (
        "snap",
        "CREATE",
        "IN_PROGRESS",
    )
    assert (started["data"]["action"], started["data"]["status"]) == ("CREATE", "COMPLETE")
    shown = api.simulate_get(f"{stack}/snapshots/{started['id']}").json["snapshot"]
    assert (shown["status"], shown["status_reason"]) == (
        "COMPLETE",
        "Stack SNAPSHOT completed successfully",
    )
    data = shown["data"]
    assert (data["action"], data["status"], data["name"]) == ("SNAPSHOT", "COMPLETE", "snappy")
    assert data["template"] == TEMPLATE
    assert set(data["resources"]) == {"secret", "holder", "extra"}
    secret = data["resources"]["secret"]
    assert secret["type"] == "OS::Heat::RandomString"
    assert secret["resource_data"]["value"] == outputs(api, stack)["secret"]
    assert (secret["action"], secret["status"]) == ("SNAPSHOT", "COMPLETE")


def test_snapshot_records_stack_and_resource_events(api, stack):
    take(api, stack)
    events = api.simulate_get(
        stack + "/events", params={"resource_action": "SNAPSHOT", "sort_dir": "asc"}
    ).json["events"]
    pairs = [(e["resource_name"], e["resource_status"]) for e in events]
    assert pairs[0] == ("snappy", "SNAPSHOT_IN_PROGRESS")
    assert pairs[-1] == ("snappy", "SNAPSHOT_COMPLETE")
    assert ("holder", "SNAPSHOT_COMPLETE") in pairs
    resources = api.simulate_get(stack + "/resources").json["resources"]
    assert {r["resource_status"] for r in resources} == {"SNAPSHOT_COMPLETE"}


def test_list_and_delete_snapshots(api, stack):
    first, second = take(api, stack, "a"), take(api, stack, None)
    listed = api.simulate_get(stack + "/snapshots").json["snapshots"]
    assert [s["id"] for s in listed] == [first["id"], second["id"]]
    assert listed[1]["name"] is None
    assert api.simulate_delete(f"{stack}/snapshots/{first['id']}").status_code == 204
    gone = api.simulate_get(f"{stack}/snapshots/{first['id']}")
    assert error(gone) == (404, "NotFound", f"Snapshot with id {first['id']} not found")
    assert [s["id"] for s in api.simulate_get(stack + "/snapshots").json["snapshots"]] == [
        second["id"]
    ]


def test_restore_brings_back_template_values_and_private_data(api, stack):
    before = outputs(api, stack)
    snapshot = take(api, stack)
    changed = {
        **TEMPLATE,
        "resources": {
            "secret": TEMPLATE["resources"]["secret"],
            "holder": {"type": "OS::Heat::TestResource", "properties": {"value": "changed"}},
        },
    }
    result = api.simulate_put(stack, json={"template": changed, "parameters": {"salt": "two"}})
    assert result.status_code == 202, result.text
    assert wait(api, stack)["stack_status"] == "UPDATE_COMPLETE"
    after_update = outputs(api, stack)
    assert after_update["held"] == "changed"
    assert after_update["secret"] != before["secret"]  # a new salt replaced it

    result = api.simulate_post(f"{stack}/snapshots/{snapshot['id']}/restore")
    assert result.status_code == 202, result.text
    restored = wait(api, stack)
    assert (restored["stack_status"], restored["stack_status_reason"]) == (
        "RESTORE_COMPLETE",
        "Stack RESTORE completed successfully",
    )
    assert outputs(api, stack) == before
    names = {r["resource_name"] for r in api.simulate_get(stack + "/resources").json["resources"]}
    assert names == {"secret", "holder", "extra"}
    template = api.simulate_get(stack + "/template").json
    assert template == TEMPLATE


def test_restoring_another_stacks_snapshot_is_refused(api, tenant, stack):
    other = create(api, tenant, "other", TEMPLATE)
    snapshot = take(api, other)
    result = api.simulate_post(f"{stack}/snapshots/{snapshot['id']}/restore")
    assert error(result) == (
        404,
        "SnapshotNotFound",
        f"The Snapshot ({snapshot['id']}) for Stack (snappy) could not be found.",
    )
    assert error(api.simulate_get(f"{stack}/snapshots/{snapshot['id']}"))[1] == "SnapshotNotFound"


def test_snapshot_of_a_stack_in_progress_is_refused(api, tenant):
    slow = {
        "heat_template_version": "2018-08-31",
        "resources": {"wait": {"type": "OS::Heat::TestResource", "properties": {"wait_secs": 2}}},
    }
    result = api.simulate_post(f"/v1/{tenant}/stacks", json={"stack_name": "s", "template": slow})
    url = result.headers["location"].split("http://falconframework.org", 1)[-1]
    refused = api.simulate_post(url + "/snapshots", json={})
    assert error(refused) == (
        409,
        "ActionInProgress",
        "Stack s already has an action (CREATE) in progress.",
    )
    wait(api, url)


def test_snapshot_limit_per_stack(api, embedded_conf, stack):
    member = {"X-Roles": "member"}  # noauth callers are admins unless they say otherwise
    embedded_conf.set_override("max_snapshots_per_stack", 1)
    try:
        take(api, stack)
        refused = api.simulate_post(stack + "/snapshots", json={"name": "two"}, headers=member)
        admitted = api.simulate_post(stack + "/snapshots", json={"name": "admin's"})
    finally:
        embedded_conf.clear_override("max_snapshots_per_stack")
    assert admitted.status_code == 200  # admins are not held to the limit
    wait(api, stack)
    assert error(refused) == (
        400,
        "RequestLimitExceeded",
        "Request limit exceeded: You have reached the maximum snapshots per stack, 1. "
        "Please delete some snapshots.",
    )


def test_snapshot_of_a_stack_without_resources_completes_at_once(api, tenant):
    url = create(api, tenant, "empty", {"heat_template_version": "2018-08-31"})
    snapshot = take(api, url)
    shown = api.simulate_get(f"{url}/snapshots/{snapshot['id']}").json["snapshot"]
    assert (shown["status"], shown["data"]["resources"]) == ("COMPLETE", {})


def test_snapshot_paths_under_the_stack_name_redirect(api, tenant, stack):
    snapshot = take(api, stack)
    by_name = f"/v1/{tenant}/stacks/snappy"
    listed = api.simulate_get(by_name + "/snapshots")
    assert listed.status_code == 302
    assert listed.headers["location"].endswith(f"{stack}/snapshots")
    shown = api.simulate_get(f"{by_name}/snapshots/{snapshot['id']}")
    assert shown.status_code == 302
    assert shown.headers["location"].endswith(f"{stack}/snapshots/{snapshot['id']}")


def test_bad_snapshot_name_is_a_400(api, stack):
    result = api.simulate_post(stack + "/snapshots", json={"name": ["x"]})
    assert result.status_code == 400
    assert "name" in result.json["error"]["message"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            {
                "heat_template_version": "2018-08-31",
                "resources": {"r": {"type": "OS::Heat::None", "deletion_policy": "Snapshot"}},
            },
            'resources.r.deletion_policy: "Snapshot" deletion policy not supported',
        ),
        (
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {"r": {"Type": "OS::Heat::None", "DeletionPolicy": "Snapshot"}},
            },
            'Resources.r.DeletionPolicy: "Snapshot" deletion policy not supported',
        ),
    ],
)
def test_snapshot_deletion_policy_is_refused_for_types_that_cannot_snapshot(
    api, tenant, template, message
):
    result = api.simulate_post(
        f"/v1/{tenant}/stacks", json={"stack_name": "policy", "template": template}
    )
    assert error(result) == (400, "StackValidationFailed", message)
    validated = api.simulate_post(f"/v1/{tenant}/validate", json={"template": template})
    assert (validated.status_code, validated.json["error"]["message"]) == (400, message)


@pytest.mark.parametrize("policy", ["Retain", "Delete"])
def test_retain_and_delete_policies_still_delete_the_stack(api, tenant, policy):
    template = {
        "heat_template_version": "2018-08-31",
        "resources": {"r": {"type": "OS::Heat::TestResource", "deletion_policy": policy}},
    }
    url = create(api, tenant, f"p{policy}", template)
    take(api, url)
    assert api.simulate_delete(url).status_code == 204
    deleted = wait(api, url)
    assert deleted["stack_status"] == "DELETE_COMPLETE"
