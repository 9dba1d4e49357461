"""Stack actions through the native API: suspend, resume, check and cancel."""

from __future__ import annotations

import pytest

from .test_stacks import create, path_of, wait  # type: ignore[import-not-found]

SLOW = {
    "heat_template_version": "2016-10-14",
    "resources": {
        "first": {"type": "OS::Heat::TestResource", "properties": {"value": "a"}},
        "second": {"type": "OS::Heat::TestResource", "depends_on": ["first"],
                   "properties": {"value": "b", "action_wait_secs": {"update": 30}}},
    },
}


def act(api, url: str, action: str, expect: int = 200):
    result = api.simulate_post(url + "/actions", json={action: None})
    assert result.status_code == expect, result.text
    return result


def statuses(api, url: str) -> dict[str, str]:
    return {r["resource_name"]: r["resource_status"]
            for r in api.simulate_get(url + "/resources").json["resources"]}


@pytest.fixture
def stack(api, tenant) -> str:
    url = path_of(create(api, tenant, "acts", SLOW))
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    return url


def test_suspend_then_resume(api, stack):
    act(api, stack, "suspend")
    assert wait(api, stack)["stack_status"] == "SUSPEND_COMPLETE"
    assert set(statuses(api, stack).values()) == {"SUSPEND_COMPLETE"}
    order = [e["resource_name"] for e in api.simulate_get(
        stack + "/events", params={"sort_dir": "asc", "resource_action": "SUSPEND"}
    ).json["events"] if e["resource_name"] != "acts"]
    assert order.index("second") < order.index("first")  # dependents first
    act(api, stack, "resume")
    assert wait(api, stack)["stack_status"] == "RESUME_COMPLETE"
    assert set(statuses(api, stack).values()) == {"RESUME_COMPLETE"}


def test_check(api, stack):
    act(api, stack, "check")
    stack_data = wait(api, stack)
    assert (stack_data["stack_status"], stack_data["stack_status_reason"]) == (
        "CHECK_COMPLETE", "Stack CHECK completed successfully")


def test_cancel_update_rolls_back(api, stack):
    changed = {**SLOW, "resources": {**SLOW["resources"]}}
    changed["resources"]["second"] = {**SLOW["resources"]["second"],
                                      "properties": {"value": "c",
                                                     "action_wait_secs": {"update": 30}}}
    assert api.simulate_put(stack, json={"template": changed}).status_code == 202
    act(api, stack, "cancel_update")
    final = wait(api, stack)
    assert final["stack_status"] == "ROLLBACK_COMPLETE"


def test_cancel_when_nothing_runs_is_refused(api, stack):
    result = act(api, stack, "cancel_update", expect=400)
    assert result.json["error"]["type"] == "NotSupported"
    assert "CREATE_COMPLETE" in result.json["error"]["message"]


@pytest.mark.parametrize(("body", "message"), [
    ({}, "No action specified"),
    ({"suspend": None, "resume": None}, "Multiple actions specified"),
    ({"explode": None}, "Invalid action explode specified"),
])
def test_bad_action_bodies(api, stack, body, message):
    result = api.simulate_post(stack + "/actions", json=body)
    assert result.status_code == 400
    assert result.json["error"]["message"] == message


def test_an_update_supersedes_one_in_progress(api, stack):
    slow = {**SLOW, "resources": {**SLOW["resources"]}}
    slow["resources"]["second"] = {**SLOW["resources"]["second"],
                                   "properties": {"value": "slow",
                                                  "action_wait_secs": {"update": 1}}}
    assert api.simulate_put(stack, json={"template": slow}).status_code == 202
    final = {**SLOW, "resources": {**SLOW["resources"]}}
    final["resources"]["second"] = {"type": "OS::Heat::TestResource",
                                    "depends_on": ["first"], "properties": {"value": "final"}}
    assert api.simulate_put(stack, json={"template": final}).status_code == 202
    assert wait(api, stack)["stack_status"] == "UPDATE_COMPLETE"
    second = api.simulate_get(stack + "/resources/second").json["resource"]
    assert second["attributes"]["output"] == "final"
    assert second["resource_status"] == "UPDATE_COMPLETE"
