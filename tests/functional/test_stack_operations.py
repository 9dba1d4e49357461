"""Every stack operation over HTTP against the session's deployment (two engines, heat-api,
MariaDB, RabbitMQ): statuses, events in order, outputs and resource states.

Templates are small and waits short; the one slow case (a stack timeout, at least a
minute) starts when the module starts and is checked by the module's last test.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from harness import STATUS_TIMEOUT, Deployment, HeatHTTP, assert_heat_error, wait_until

pytestmark = pytest.mark.functional

HOT = "2018-08-31"
TIMEOUT_MINUTES = 1


def template(
    resources: dict[str, Any],
    outputs: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"heat_template_version": HOT, "resources": resources}
    if outputs:
        data["outputs"] = outputs
    if parameters:
        data["parameters"] = parameters
    return data


def holding(value: str = "v", depends_on: list[str] | None = None, **props: Any) -> dict[str, Any]:
    """An OS::Heat::TestResource holding ``value``."""
    resource: dict[str, Any] = {
        "type": "OS::Heat::TestResource",
        "properties": {"value": value, **props},
    }
    if depends_on:
        resource["depends_on"] = depends_on
    return resource


PAIR = template(
    {"first": holding("one"), "second": holding("two", ["first"])},
    {"first_out": {"value": {"get_attr": ["first", "output"]}, "description": "the first"}},
)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def created(
    api: HeatHTTP, data: dict[str, Any], status: str = "CREATE_COMPLETE", **body: Any
) -> str:
    """A new stack brought to ``status``; its URL."""
    url = api.create_stack(unique("ops"), data, **body)
    reach(api, url, status)
    return url


def reach(api: HeatHTTP, url: str, status: str, timeout: float = STATUS_TIMEOUT) -> dict[str, Any]:
    """The stack once it shows ``status`` (passing through other states on the way, as a
    rollback passes through a failure)."""
    last: dict[str, Any] = {}

    def reached() -> dict[str, Any] | None:
        resp = api.get(url)
        assert resp.status_code == 200, f"GET {url}: {resp.status_code} {resp.text}"
        last.update(resp.json()["stack"])
        return dict(last) if last["stack_status"] == status else None

    return wait_until(reached, timeout, f"{url} to reach {status}", lambda: f"last seen: {last}")


def events(api: HeatHTTP, url: str, **query: Any) -> list[dict[str, Any]]:
    """Events oldest first."""
    resp = api.get(url + "/events", params={"sort_dir": "asc", **query})
    assert resp.status_code == 200, resp.text
    return resp.json()["events"]


def transitions(api: HeatHTTP, url: str, name: str) -> list[str]:
    """The statuses one resource (or the stack, by its name) went through, in order."""
    return [e["resource_status"] for e in events(api, url, resource_name=name)]


def resource(api: HeatHTTP, url: str, name: str) -> dict[str, Any]:
    resp = api.get(f"{url}/resources/{name}")
    assert resp.status_code == 200, resp.text
    return resp.json()["resource"]


def resources(api: HeatHTTP, url: str) -> dict[str, str]:
    listed = api.get(url + "/resources").json()["resources"]
    return {r["resource_name"]: r["resource_status"] for r in listed}


def stack(api: HeatHTTP, url: str) -> dict[str, Any]:
    resp = api.get(url)
    assert resp.status_code == 200, resp.text
    return resp.json()["stack"]


def act(api: HeatHTTP, url: str, action: str) -> None:
    resp = api.post(url + "/actions", json={action: None})
    assert resp.status_code == 200, resp.text


def name_of(url: str) -> str:
    return url.rstrip("/").split("/")[-2]


def wait_for_resource_reason(api: HeatHTTP, url: str, name: str, reason: str) -> None:
    wait_until(
        lambda: resource(api, url, name)["resource_status_reason"] == reason,
        STATUS_TIMEOUT,
        f"{name} to report {reason!r}",
    )


# --- a stack that times out, started first, checked last ------------------------------


@pytest.fixture(scope="module", autouse=True)
def timing_out(heat_services: Deployment) -> Iterator[tuple[HeatHTTP, str]]:
    """A stack whose resource outlasts its timeout_mins (disable_rollback: it stays failed)."""
    client = HeatHTTP(heat_services.api_url, unique("tmo"))
    slow = template({"slow": holding("slow", wait_secs=TIMEOUT_MINUTES * 60 + 30)})
    url = client.create_stack(
        unique("timeout"), slow, timeout_mins=TIMEOUT_MINUTES, disable_rollback=True
    )
    yield client, url
    client.session.close()


# --- create -----------------------------------------------------------------------------


def test_create_runs_resources_in_dependency_order_and_resolves_outputs(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    order = [
        (e["resource_name"], e["resource_status"])
        for e in events(api, url)
        if e["resource_name"] in ("first", "second")
    ]
    assert order == [
        ("first", "CREATE_IN_PROGRESS"),
        ("first", "CREATE_COMPLETE"),
        ("second", "CREATE_IN_PROGRESS"),
        ("second", "CREATE_COMPLETE"),
    ]
    assert transitions(api, url, name_of(url)) == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    shown = stack(api, url)
    assert shown["stack_status_reason"] == "Stack CREATE completed successfully"
    assert shown["outputs"] == [
        {"output_key": "first_out", "description": "the first", "output_value": "one"}
    ]
    assert resources(api, url) == {"first": "CREATE_COMPLETE", "second": "CREATE_COMPLETE"}


def test_failed_create_rolls_back_when_rollback_is_enabled(api: HeatHTTP) -> None:
    data = template({"good": holding(), "bad": holding(depends_on=["good"], fail=True)})
    url = created(api, data, "ROLLBACK_COMPLETE", disable_rollback=False)
    assert transitions(api, url, name_of(url)) == [
        "CREATE_IN_PROGRESS",
        "CREATE_FAILED",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_COMPLETE",
    ]
    assert transitions(api, url, "bad") == [
        "CREATE_IN_PROGRESS",
        "CREATE_FAILED",
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
    ]
    assert transitions(api, url, "good")[-1] == "DELETE_COMPLETE"
    assert resources(api, url) == {}


def test_failed_create_with_rollback_disabled_stays_create_failed(api: HeatHTTP) -> None:
    data = template({"good": holding(), "bad": holding(fail=True)})
    url = created(api, data, "CREATE_FAILED", disable_rollback=True)
    shown = stack(api, url)
    assert shown["stack_status_reason"].startswith("Resource CREATE failed: ")
    assert "Test Resource failed bad" in shown["stack_status_reason"]
    wait_until(
        lambda: resources(api, url) == {"good": "CREATE_COMPLETE", "bad": "CREATE_FAILED"},
        STATUS_TIMEOUT,
        "the good resource to finish beside the failed one",
    )
    assert "Test Resource failed bad" in resource(api, url, "bad")["resource_status_reason"]


# --- update -----------------------------------------------------------------------------


def test_update_in_place_keeps_the_physical_resource(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    before = resource(api, url, "first")["physical_resource_id"]
    new = copy.deepcopy(PAIR)
    new["resources"]["first"]["properties"]["value"] = "uno"
    assert api.put(url, json={"template": new}).status_code == 202
    reach(api, url, "UPDATE_COMPLETE")
    first = resource(api, url, "first")
    assert first["physical_resource_id"] == before
    assert first["resource_status"] == "UPDATE_COMPLETE"
    assert first["attributes"]["output"] == "uno"
    assert transitions(api, url, "first")[-2:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert resource(api, url, "second")["resource_status"] == "CREATE_COMPLETE"  # untouched
    assert stack(api, url)["outputs"][0]["output_value"] == "uno"
    assert transitions(api, url, name_of(url))[-2:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]


def test_update_replace_makes_a_new_physical_resource(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    before = resource(api, url, "first")["physical_resource_id"]
    new = copy.deepcopy(PAIR)
    new["resources"]["first"]["properties"].update(value="new", update_replace=True)
    assert api.put(url, json={"template": new}).status_code == 202
    reach(api, url, "UPDATE_COMPLETE")
    first = resource(api, url, "first")
    assert first["physical_resource_id"] != before
    assert first["attributes"]["output"] == "new"
    reasons = [e["resource_status_reason"] for e in events(api, url, resource_name="first")]
    assert "The Resource first requires replacement." in reasons


def test_update_adds_and_removes_resources(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    new = template({"first": holding("one"), "third": holding("three")})
    assert api.put(url, json={"template": new}).status_code == 202
    reach(api, url, "UPDATE_COMPLETE")
    assert resources(api, url) == {"first": "CREATE_COMPLETE", "third": "CREATE_COMPLETE"}
    assert transitions(api, url, "second")[-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    assert transitions(api, url, "third") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    assert "second" not in api.get(url + "/template").json()["resources"]


def test_patch_existing_keeps_the_template_and_changes_parameters(api: HeatHTTP) -> None:
    data = template(
        {"held": {"type": "OS::Heat::TestResource", "properties": {"value": {"get_param": "p"}}}},
        parameters={"p": {"type": "string", "default": "before"}},
    )
    url = created(api, data)
    resp = api.patch(url, json={"parameters": {"p": "after"}})
    assert resp.status_code == 202, resp.text
    reach(api, url, "UPDATE_COMPLETE")
    assert stack(api, url)["parameters"]["p"] == "after"
    assert resource(api, url, "held")["attributes"]["output"] == "after"
    assert api.get(url + "/template").json() == data
    again = api.patch(url, json={})  # nothing new: the same values again
    assert again.status_code == 202, again.text
    reach(api, url, "UPDATE_COMPLETE")
    assert stack(api, url)["parameters"]["p"] == "after"


def test_failed_update_rolls_back_to_the_previous_definition(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    new = copy.deepcopy(PAIR)
    new["resources"]["first"]["properties"]["value"] = "changed"
    new["resources"]["second"]["properties"]["fail"] = True
    resp = api.put(url, json={"template": new, "disable_rollback": False})
    assert resp.status_code == 202, resp.text
    reach(api, url, "ROLLBACK_COMPLETE")
    assert transitions(api, url, name_of(url))[-4:] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_FAILED",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_COMPLETE",
    ]
    assert resource(api, url, "first")["attributes"]["output"] == "one"
    assert "fail" not in str(api.get(url + "/template").json()["resources"]["second"])


def test_cancel_update_rolls_the_update_back(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    new = copy.deepcopy(PAIR)
    new["resources"]["first"]["properties"].update(value="slow", action_wait_secs={"update": 5})
    assert api.put(url, json={"template": new}).status_code == 202
    reach(api, url, "UPDATE_IN_PROGRESS")
    act(api, url, "cancel_update")
    reach(api, url, "ROLLBACK_COMPLETE")
    assert resource(api, url, "first")["attributes"]["output"] == "one"
    assert "ROLLBACK_IN_PROGRESS" in transitions(api, url, name_of(url))


def test_a_second_update_supersedes_one_in_progress(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    slow = copy.deepcopy(PAIR)
    slow["resources"]["first"]["properties"].update(value="slow", action_wait_secs={"update": 3})
    assert api.put(url, json={"template": slow}).status_code == 202
    wait_for_resource_reason(api, url, "first", "state changed")
    final = copy.deepcopy(PAIR)
    final["resources"]["first"]["properties"]["value"] = "final"
    assert api.put(url, json={"template": final}).status_code == 202
    reach(api, url, "UPDATE_COMPLETE")
    assert resource(api, url, "first")["attributes"]["output"] == "final"
    assert stack(api, url)["outputs"][0]["output_value"] == "final"


def test_update_preview_reports_changes_and_changes_nothing(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    new = template(
        {
            "first": holding("changed"),
            "second": holding("two", ["first"], update_replace_value="x"),
            "added": {"type": "OS::Heat::None"},
        }
    )
    resp = api.put(url + "/preview", json={"template": new})
    assert resp.status_code == 200, resp.text
    changes = {
        k: [r["resource_name"] for r in v] for k, v in resp.json()["resource_changes"].items()
    }
    assert changes == {
        "unchanged": [],
        "updated": ["first"],
        "replaced": ["second"],
        "added": ["added"],
        "deleted": [],
    }
    assert stack(api, url)["stack_status"] == "CREATE_COMPLETE"
    assert resource(api, url, "first")["attributes"]["output"] == "one"


def test_create_preview_stores_nothing(api: HeatHTTP) -> None:
    name = unique("preview")
    resp = api.post("/stacks/preview", json={"stack_name": name, "template": PAIR})
    assert resp.status_code == 200, resp.text
    previewed = resp.json()["stack"]
    assert [r["resource_name"] for r in previewed["resources"]] == ["first", "second"]
    assert {r["resource_action"] for r in previewed["resources"]} == {"INIT"}
    assert name not in api.stack_names()


# --- delete -----------------------------------------------------------------------------


def test_delete_with_retain_policy_leaves_the_resource_alone(api: HeatHTTP) -> None:
    # deleting this resource would never finish: only Retain lets the stack go
    data = template(
        {
            "kept": {
                **holding("kept", action_wait_secs={"delete": -1}),
                "deletion_policy": "Retain",
            },
            "plain": holding("plain"),
        }
    )
    url = created(api, data)
    assert api.delete(url).status_code == 204
    reach(api, url, "DELETE_COMPLETE")
    assert transitions(api, url, "kept")[-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    assert transitions(api, url, "plain")[-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    assert transitions(api, url, name_of(url))[-1] == "DELETE_COMPLETE"


def test_delete_of_a_half_failed_stack_completes(api: HeatHTTP) -> None:
    data = template({"good": holding(), "bad": holding(fail=True)})
    url = created(api, data, "CREATE_FAILED", disable_rollback=True)
    wait_until(
        lambda: resources(api, url).get("good") == "CREATE_COMPLETE",
        STATUS_TIMEOUT,
        "the good resource",
    )
    assert api.delete(url).status_code == 204
    reach(api, url, "DELETE_COMPLETE")
    assert transitions(api, url, "good")[-1] == "DELETE_COMPLETE"
    assert transitions(api, url, "bad")[-1] == "DELETE_COMPLETE"
    assert name_of(url) not in api.stack_names()


# --- actions, hooks, signals, health ------------------------------------------------------


def test_suspend_resume_and_check(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    for action, status in (("suspend", "SUSPEND"), ("resume", "RESUME"), ("check", "CHECK")):
        act(api, url, action)
        shown = reach(api, url, f"{status}_COMPLETE")
        assert shown["stack_status_reason"] == f"Stack {status} completed successfully"
        assert set(resources(api, url).values()) == {f"{status}_COMPLETE"}
    suspended = [
        e["resource_name"]
        for e in events(api, url, resource_action="SUSPEND")
        if e["resource_status"] == "SUSPEND_IN_PROGRESS"
    ]
    assert suspended.index("second") < suspended.index("first")  # dependents first


def test_pre_create_hook_pauses_until_a_signal_clears_it(api: HeatHTTP) -> None:
    data = template({"held": holding("h"), "after": holding("a", ["held"])})
    env = {"resource_registry": {"resources": {"held": {"hooks": "pre-create"}}}}
    url = api.create_stack(unique("hook"), data, environment=env)
    paused = "CREATE paused until Hook pre-create is cleared"
    wait_for_resource_reason(api, url, "held", paused)
    assert stack(api, url)["stack_status"] == "CREATE_IN_PROGRESS"
    assert resources(api, url)["after"] == "INIT_COMPLETE"
    wrong = api.post(url + "/resources/held/signal", json={"unset_hook": "pre-update"})
    assert_heat_error(wrong, 400, "InvalidBreakPointHook")
    cleared = api.post(url + "/resources/held/signal", json={"unset_hook": "pre-create"})
    assert cleared.status_code == 200, cleared.text
    reach(api, url, "CREATE_COMPLETE")
    reasons = [e["resource_status_reason"] for e in events(api, url, resource_name="held")]
    assert reasons.index(paused) < reasons.index("Hook pre-create is cleared")


def test_signal_to_a_resource_without_signals_is_refused(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    refused = api.post(url + "/resources/first/signal", json={"data": "x"})
    assert_heat_error(refused, 400, "ResourceActionNotSupported")
    missing = api.post(url + "/resources/nothing/signal", json={"data": "x"})
    assert_heat_error(missing, 404, "ResourceNotFound")


def test_mark_unhealthy_then_update_replaces_the_resource(api: HeatHTTP) -> None:
    url = created(api, PAIR)
    before = resource(api, url, "first")["physical_resource_id"]
    resp = api.patch(
        url + "/resources/first", json={"mark_unhealthy": True, "resource_status_reason": "sick"}
    )
    assert resp.status_code == 200, resp.text
    first = resource(api, url, "first")
    assert (first["resource_status"], first["resource_status_reason"]) == ("CHECK_FAILED", "sick")
    assert api.patch(url, json={}).status_code == 202
    reach(api, url, "UPDATE_COMPLETE")
    after = resource(api, url, "first")
    assert after["physical_resource_id"] != before
    assert after["resource_status"] == "CREATE_COMPLETE"


# --- outputs and tags ------------------------------------------------------------------------


def test_outputs_list_and_show_including_one_whose_resource_failed(api: HeatHTTP) -> None:
    data = template(
        {"good": holding("fine"), "bad": holding("never", fail=True)},
        {
            "from_good": {"value": {"get_attr": ["good", "output"]}},
            "from_bad": {"value": {"get_attr": ["bad", "output"]}, "description": "broken"},
        },
    )
    url = created(api, data, "CREATE_FAILED", disable_rollback=True)
    wait_until(
        lambda: resources(api, url).get("good") == "CREATE_COMPLETE",
        STATUS_TIMEOUT,
        "the good resource",
    )
    listed = api.get(url + "/outputs").json()["outputs"]
    assert sorted(o["output_key"] for o in listed) == ["from_bad", "from_good"]
    good = api.get(url + "/outputs/from_good")
    assert good.status_code == 200 and good.json()["output"]["output_value"] == "fine"
    bad = api.get(url + "/outputs/from_bad")
    assert bad.status_code == 200, bad.text
    assert bad.json()["output"]["output_value"] is None
    assert bad.json()["output"]["description"] == "broken"
    assert_heat_error(api.get(url + "/outputs/nothing"), 404)


def test_tags_are_shown_listed_replaced_and_kept_by_patch(api: HeatHTTP) -> None:
    url = created(api, PAIR, tags="red,blue")
    name = name_of(url)
    assert stack(api, url)["tags"] == ["red", "blue"]
    assert name in [
        s["stack_name"] for s in api.get("/stacks", params={"tags": "red"}).json()["stacks"]
    ]
    assert api.patch(url, json={"tags": "green"}).status_code == 202
    reach(api, url, "UPDATE_COMPLETE")
    assert stack(api, url)["tags"] == ["green"]
    assert api.patch(url, json={}).status_code == 202  # PATCH keeps them
    reach(api, url, "UPDATE_COMPLETE")
    assert stack(api, url)["tags"] == ["green"]
    assert api.put(url, json={"template": PAIR}).status_code == 202  # PUT without tags clears
    reach(api, url, "UPDATE_COMPLETE")
    assert stack(api, url)["tags"] == []


# --- last: the stack started when the module started has timed out -------------------------


def test_timeout_mins_fails_a_create_that_runs_too_long(timing_out: tuple[HeatHTTP, str]) -> None:
    client, url = timing_out
    shown = reach(client, url, "CREATE_FAILED", timeout=TIMEOUT_MINUTES * 60 + 30)
    assert shown["stack_status_reason"] == "Timed out"
    assert transitions(client, url, name_of(url)) == ["CREATE_IN_PROGRESS", "CREATE_FAILED"]
