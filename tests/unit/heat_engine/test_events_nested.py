"""Stack events with nested_depth: nested stacks' events listed, sorted and paged with the
stack's own, each linking its own stack and the stack asked about."""

from __future__ import annotations

import time
from typing import Any

import falcon.testing
import pytest

LEAF = """heat_template_version: 2018-08-31
resources:
  leaf:
    type: OS::Heat::None
"""
MIDDLE = """heat_template_version: 2018-08-31
resources:
  mid:
    type: OS::Heat::None
  deeper:
    type: leaf.yaml
"""
TOP = """heat_template_version: 2018-08-31
resources:
  top:
    type: OS::Heat::None
  child:
    type: middle.yaml
"""
DEADLINE = 20


def wait(api: falcon.testing.TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        stack = api.simulate_get(url).json["stack"]
        if not stack["stack_status"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.02)
    raise AssertionError(f"{url} still in progress after {DEADLINE} s")


@pytest.fixture
def nested(api: falcon.testing.TestClient, tenant: str) -> str:
    body = {
        "stack_name": "top",
        "template": TOP,
        "files": {"middle.yaml": MIDDLE, "leaf.yaml": LEAF},
    }
    result = api.simulate_post(f"/v1/{tenant}/stacks", json=body)
    assert result.status_code == 201, result.text
    url = result.headers["location"].split("http://falconframework.org", 1)[-1]
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    return url


def events(api: falcon.testing.TestClient, url: str, **query: Any) -> list[dict[str, Any]]:
    result = api.simulate_get(url + "/events", params=query)
    assert result.status_code == 200, result.text
    return result.json["events"]


def stack_of(event: dict[str, Any]) -> str:
    """The stack name in the event's stack link."""
    href = next(link["href"] for link in event["links"] if link["rel"] == "stack")
    return href.rsplit("/", 2)[-2]


def test_without_nested_depth_only_the_stacks_own_events(api, nested):
    names = {e["resource_name"] for e in events(api, nested)}
    assert names == {"top", "child"}
    assert all("root_stack" not in {k["rel"] for k in e["links"]} for e in events(api, nested))


@pytest.mark.parametrize(
    ("depth", "resources", "nested_stacks"),
    [
        ("0", {"top", "child"}, 0),
        ("1", {"top", "child", "mid", "deeper"}, 1),
        ("2", {"top", "child", "mid", "deeper", "leaf"}, 2),
        ("5", {"top", "child", "mid", "deeper", "leaf"}, 2),
    ],
)
def test_nested_depth_includes_nested_stacks_down_to_that_depth(
    api, nested, depth, resources, nested_stacks
):
    names = {e["resource_name"] for e in events(api, nested, nested_depth=depth)}
    # a nested stack's own events carry its generated name, as a stack's events do
    stack_events = {n for n in names if n.startswith("top-child-")}
    assert names - stack_events == resources
    assert len(stack_events) == nested_stacks


def test_nested_events_link_their_own_stack_and_the_root_stack(api, nested):
    listed = events(api, nested, nested_depth="2")
    leaf = next(e for e in listed if e["resource_name"] == "leaf")
    rels = {link["rel"]: link["href"] for link in leaf["links"]}
    assert set(rels) == {"self", "resource", "stack", "root_stack"}
    assert rels["root_stack"].endswith(nested)
    assert stack_of(leaf).startswith("top-child-") and stack_of(leaf) != "top"
    assert rels["self"].startswith(rels["stack"] + "/resources/leaf/events/")
    own = next(e for e in listed if e["resource_name"] == "top")
    assert {link["rel"]: link["href"] for link in own["links"]}["root_stack"].endswith(nested)


def test_nested_events_are_sorted_newest_first_across_stacks(api, nested):
    listed = events(api, nested, nested_depth="2")
    times = [e["event_time"] for e in listed]
    assert times == sorted(times, reverse=True)
    assert listed[0]["resource_name"] == "top"
    assert listed[0]["resource_status"] == "CREATE_COMPLETE"
    assert listed[-1]["resource_status_reason"] == "Stack CREATE started"
    oldest_first = events(api, nested, nested_depth="2", sort_dir="asc")
    assert [e["id"] for e in oldest_first] == [e["id"] for e in reversed(listed)]


def test_limit_and_marker_page_through_all_stacks_events(api, nested):
    everything = [e["id"] for e in events(api, nested, nested_depth="2")]
    paged: list[str] = []
    marker = None
    while True:
        query = {"nested_depth": "2", "limit": "3", **({"marker": marker} if marker else {})}
        page = [e["id"] for e in events(api, nested, **query)]
        paged.extend(page)
        if len(page) < 3:
            break
        marker = page[-1]
    assert paged == everything


def test_filters_apply_to_nested_events(api, nested):
    listed = events(api, nested, nested_depth="2", resource_name="leaf")
    assert [e["resource_status"] for e in listed] == ["CREATE_COMPLETE", "CREATE_IN_PROGRESS"]


def test_resource_events_with_nested_depth_and_none_found_is_404(api, nested):
    result = api.simulate_get(nested + "/resources/nothing/events", params={"nested_depth": "1"})
    assert result.status_code == 404
    assert result.json["error"]["message"] == "No events found for resource nothing"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"nested_depth": "x"}, "nested_depth"),
        ({"sort_dir": "up"}, "Unknown sort direction"),
    ],
)
def test_bad_event_query_is_400(api, nested, query, message):
    result = api.simulate_get(nested + "/events", params=query)
    assert result.status_code == 400, result.text
    assert message in result.json["error"]["message"]
