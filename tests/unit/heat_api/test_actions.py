"""Stack actions through the native API: suspend, resume, check and cancel."""

from __future__ import annotations

import json
import time

import pytest

from .test_stacks import create, path_of, wait  # type: ignore[import-not-found]

SLOW = {
    "heat_template_version": "2016-10-14",
    "resources": {
        "first": {"type": "OS::Heat::TestResource", "properties": {"value": "a"}},
        "second": {
            "type": "OS::Heat::TestResource",
            "depends_on": ["first"],
            "properties": {"value": "b", "action_wait_secs": {"update": 2}},
        },
    },
}


def act(api, url: str, action: str, expect: int = 200):
    result = api.simulate_post(url + "/actions", json={action: None})
    assert result.status_code == expect, result.text
    return result


def statuses(api, url: str) -> dict[str, str]:
    return {
        r["resource_name"]: r["resource_status"]
        for r in api.simulate_get(url + "/resources").json["resources"]
    }


@pytest.fixture
def stack(api, tenant) -> str:
    url = path_of(create(api, tenant, "acts", SLOW))
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    return url


def test_suspend_then_resume(api, stack):
    act(api, stack, "suspend")
    assert wait(api, stack)["stack_status"] == "SUSPEND_COMPLETE"
    assert set(statuses(api, stack).values()) == {"SUSPEND_COMPLETE"}
    order = [
        e["resource_name"]
        for e in api.simulate_get(
            stack + "/events", params={"sort_dir": "asc", "resource_action": "SUSPEND"}
        ).json["events"]
        if e["resource_name"] != "acts"
    ]
    assert order.index("second") < order.index("first")  # dependents first
    act(api, stack, "resume")
    assert wait(api, stack)["stack_status"] == "RESUME_COMPLETE"
    assert set(statuses(api, stack).values()) == {"RESUME_COMPLETE"}


def test_check(api, stack):
    act(api, stack, "check")
    stack_data = wait(api, stack)
    assert (stack_data["stack_status"], stack_data["stack_status_reason"]) == (
        "CHECK_COMPLETE",
        "Stack CHECK completed successfully",
    )


def test_cancel_update_rolls_back(api, stack):
    changed = {**SLOW, "resources": {**SLOW["resources"]}}
    changed["resources"]["second"] = {
        **SLOW["resources"]["second"],
        "properties": {"value": "c", "action_wait_secs": {"update": 2}},
    }
    assert api.simulate_put(stack, json={"template": changed}).status_code == 202
    act(api, stack, "cancel_update")
    final = wait(api, stack)
    assert final["stack_status"] == "ROLLBACK_COMPLETE"


def test_cancel_when_nothing_runs_is_refused(api, stack):
    result = act(api, stack, "cancel_update", expect=400)
    assert result.json["error"]["type"] == "NotSupported"
    assert "CREATE_COMPLETE" in result.json["error"]["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "No action specified"),
        ({"suspend": None, "resume": None}, "Multiple actions specified"),
        ({"explode": None}, "Invalid action explode specified"),
    ],
)
def test_bad_action_bodies(api, stack, body, message):
    result = api.simulate_post(stack + "/actions", json=body)
    assert result.status_code == 400
    assert result.json["error"]["message"] == message


def test_an_update_supersedes_one_in_progress(api, stack):
    slow = {**SLOW, "resources": {**SLOW["resources"]}}
    slow["resources"]["second"] = {
        **SLOW["resources"]["second"],
        "properties": {"value": "slow", "action_wait_secs": {"update": 1}},
    }
    assert api.simulate_put(stack, json={"template": slow}).status_code == 202
    final = {**SLOW, "resources": {**SLOW["resources"]}}
    final["resources"]["second"] = {
        "type": "OS::Heat::TestResource",
        "depends_on": ["first"],
        "properties": {"value": "final"},
    }
    assert api.simulate_put(stack, json={"template": final}).status_code == 202
    assert wait(api, stack)["stack_status"] == "UPDATE_COMPLETE"
    second = api.simulate_get(stack + "/resources/second").json["resource"]
    assert second["attributes"]["output"] == "final"
    assert second["resource_status"] == "UPDATE_COMPLETE"


def test_mark_unhealthy_then_update_replaces_the_resource(api, stack):
    url = stack + "/resources/first"
    before = api.simulate_get(url).json["resource"]["physical_resource_id"]
    result = api.simulate_patch(
        url, json={"mark_unhealthy": True, "resource_status_reason": "gone"}
    )
    assert result.status_code == 200
    shown = api.simulate_get(url).json["resource"]
    assert (shown["resource_status"], shown["resource_status_reason"]) == ("CHECK_FAILED", "gone")
    assert api.simulate_patch(stack, json={}).status_code == 202
    assert wait(api, stack)["stack_status"] == "UPDATE_COMPLETE"
    after = api.simulate_get(url).json["resource"]
    assert after["resource_status"] == "CREATE_COMPLETE"
    assert after["physical_resource_id"] != before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Missing mandatory (mark_unhealthy) key"),
        ({"mark_unhealthy": True, "colour": "red"}, "Invalid keys in resource mark unhealthy"),
        ({"mark_unhealthy": "perhaps"}, 'Unrecognized value "perhaps"'),
    ],
)
def test_bad_mark_unhealthy_bodies(api, stack, body, message):
    result = api.simulate_patch(stack + "/resources/first", json=body)
    assert result.status_code == 400
    assert message in result.json["error"]["message"]


def test_a_resource_that_takes_no_signal_refuses_one(api, stack):
    result = api.simulate_post(stack + "/resources/first/signal", json={"data": 1})
    assert result.status_code == 400
    assert result.json["error"]["type"] == "ResourceActionNotSupported"


def test_update_preview_says_what_the_update_will_do_and_changes_nothing(api, tenant):
    template = {
        "heat_template_version": "2016-10-14",
        "resources": {
            "same": {"type": "OS::Heat::TestResource", "properties": {"value": "x"}},
            "inplace": {"type": "OS::Heat::TestResource", "properties": {"value": "x"}},
            "swap": {"type": "OS::Heat::RandomString", "properties": {"length": 8}},
            "gone": {"type": "OS::Heat::None"},
        },
    }
    url = path_of(create(api, tenant, "pv", template))
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    new = json.loads(json.dumps(template))
    new["resources"]["inplace"]["properties"]["value"] = "y"
    new["resources"]["swap"]["properties"]["length"] = 9
    del new["resources"]["gone"]
    new["resources"]["fresh"] = {"type": "OS::Heat::None"}
    result = api.simulate_put(url + "/preview", json={"template": new})
    assert result.status_code == 200, result.text
    changes = {
        k: sorted(r["resource_name"] for r in v) for k, v in result.json["resource_changes"].items()
    }
    assert changes == {
        "unchanged": ["same"],
        "updated": ["inplace"],
        "replaced": ["swap"],
        "added": ["fresh"],
        "deleted": ["gone"],
    }
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    assert api.simulate_put(url, json={"template": new}).status_code == 202
    assert wait(api, url)["stack_status"] == "UPDATE_COMPLETE"
    events = api.simulate_get(url + "/events").json["events"]
    replaced = [e for e in events if e["resource_status_reason"].endswith("requires replacement.")]
    assert [e["resource_name"] for e in replaced] == ["swap"]


def test_a_pre_create_hook_pauses_until_a_signal_clears_it(api, tenant):
    template = {
        "heat_template_version": "2016-10-14",
        "resources": {
            "held": {"type": "OS::Heat::TestResource", "properties": {"value": "x"}},
            "after": {"type": "OS::Heat::None", "depends_on": ["held"]},
        },
    }
    env = {"resource_registry": {"resources": {"held": {"hooks": "pre-create"}}}}
    url = path_of(create(api, tenant, "hooked", template, environment=env))
    reason = "CREATE paused until Hook pre-create is cleared"

    def held_reason() -> str:
        return api.simulate_get(url + "/resources/held").json["resource"]["resource_status_reason"]

    deadline = time.monotonic() + 10
    while held_reason() != reason:
        assert time.monotonic() < deadline, "the hook never paused the resource"
        time.sleep(0.05)
    assert api.simulate_get(url).json["stack"]["stack_status"] == "CREATE_IN_PROGRESS"
    wrong = api.simulate_post(url + "/resources/held/signal", json={"unset_hook": "pre-delete"})
    assert wrong.status_code == 400
    assert wrong.json["error"]["type"] == "InvalidBreakPointHook"
    cleared = api.simulate_post(url + "/resources/held/signal", json={"unset_hook": "pre-create"})
    assert cleared.status_code == 200
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    reasons = [
        e["resource_status_reason"]
        for e in api.simulate_get(url + "/resources/held/events", params={"sort_dir": "asc"}).json[
            "events"
        ]
    ]
    assert reasons[:2] == [reason, "Hook pre-create is cleared"]
