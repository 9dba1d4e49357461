"""GET /stacks query parameters as upstream reads them: filters, sorting, paging, visibility."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import falcon.testing
import pytest

EMPTY = {"heat_template_version": "2016-10-14"}
FAILING = {
    "heat_template_version": "2016-10-14",
    "resources": {"bad": {"type": "OS::Heat::TestResource", "properties": {"fail": True}}},
}
CHILD = "heat_template_version: 2016-10-14\nresources:\n  inner: {type: OS::Heat::None}\n"
DEADLINE = 20


def create(api: falcon.testing.TestClient, tenant: str, name: str, **body: Any) -> str:
    body.setdefault("template", EMPTY)
    result = api.simulate_post(f"/v1/{tenant}/stacks", json={"stack_name": name, **body})
    assert result.status_code == 201, result.text
    url = result.headers["location"].split("http://falconframework.org", 1)[-1]
    deadline = time.monotonic() + DEADLINE
    while "IN_PROGRESS" in api.simulate_get(url).json["stack"]["stack_status"]:
        assert time.monotonic() < deadline, f"{url} still in progress"
        time.sleep(0.02)
    return url


def listing(api: falcon.testing.TestClient, tenant: str, **query: Any) -> falcon.testing.Result:
    return api.simulate_get(f"/v1/{tenant}/stacks", params=query)


def names(api: falcon.testing.TestClient, tenant: str, **query: Any) -> list[str]:
    result = listing(api, tenant, **query)
    assert result.status_code == 200, result.text
    return [s["stack_name"] for s in result.json["stacks"]]


@pytest.fixture
def three(api: falcon.testing.TestClient, tenant: str) -> list[str]:
    """Stacks b, a (failed) and c, created in that order."""
    create(api, tenant, "b", timeout_mins=7)
    create(api, tenant, "a", template=FAILING)
    create(api, tenant, "c", disable_rollback=False)
    return ["b", "a", "c"]


def test_default_order_is_newest_first(api, tenant, three):
    assert names(api, tenant) == ["c", "a", "b"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sort_keys": "stack_name"}, ["a", "b", "c"]),  # a sort key alone sorts ascending
        ({"sort_keys": "stack_name", "sort_dir": "desc"}, ["c", "b", "a"]),
        ({"sort_keys": "creation_time"}, ["b", "a", "c"]),
        ({"sort_dir": "asc"}, ["b", "a", "c"]),
        ({"sort_keys": "stack_status", "sort_dir": "desc"}, ["a"]),  # FAILED after COMPLETE
        ({"sort_keys": "no_such_key", "sort_dir": "asc"}, ["b", "a", "c"]),  # ignored
    ],
)
def test_sort_keys_and_direction(api, tenant, three, query, expected):
    assert names(api, tenant, **query)[: len(expected)] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stack_status": "CREATE_FAILED"}, ["a"]),
        ({"status": "COMPLETE"}, ["c", "b"]),
        ({"status": "CREATE_COMPLETE"}, ["c", "b"]),
        ({"stack_action": "CREATE", "status": "FAILED"}, ["a"]),
        ({"stack_name": "b"}, ["b"]),
        ({"name": ["a", "c"]}, ["c", "a"]),  # a repeated filter takes any of its values
        ({"timeout_mins": "7"}, ["b"]),
        ({"disable_rollback": "false"}, ["c"]),
        ({"stack_owner": "nobody"}, []),
        ({"unknown_filter": "x"}, ["c", "a", "b"]),
    ],
)
def test_filters_by_stack_fields(api, tenant, three, query, expected):
    assert names(api, tenant, **query) == expected


def test_limit_and_marker_page_with_a_next_link(api, tenant, three):
    first = listing(api, tenant, limit="2", sort_keys="stack_name").json
    assert [s["stack_name"] for s in first["stacks"]] == ["a", "b"]
    (link,) = first["links"]
    assert link["rel"] == "next"
    query = parse_qs(urlsplit(link["href"]).query)
    assert query["marker"] == [first["stacks"][-1]["id"]]
    assert query["limit"] == ["2"] and query["sort_keys"] == ["stack_name"]
    second = api.simulate_get(urlsplit(link["href"]).path, params=query).json
    assert [s["stack_name"] for s in second["stacks"]] == ["c"]
    assert "links" not in second


def test_limit_zero_lists_nothing(api, tenant, three):
    assert names(api, tenant, limit="0") == []


def test_with_count_counts_every_match_not_just_the_page(api, tenant, three):
    body = listing(api, tenant, limit="1", with_count="true", status="COMPLETE").json
    assert len(body["stacks"]) == 1 and body["count"] == 2


def test_show_deleted_lists_deleted_stacks(api, tenant):
    url = create(api, tenant, "gone")
    assert api.simulate_delete(url).status_code == 204
    deadline = time.monotonic() + DEADLINE
    while "gone" in names(api, tenant):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    shown = listing(api, tenant, show_deleted="true").json["stacks"]
    assert [(s["stack_name"], s["stack_status"]) for s in shown] == [("gone", "DELETE_COMPLETE")]
    assert shown[0]["deletion_time"]


def test_show_nested_lists_nested_stacks_with_their_parent(api, tenant):
    template = "heat_template_version: 2016-10-14\nresources:\n  kid: {type: child.yaml}\n"
    url = create(api, tenant, "top", template=template, files={"child.yaml": CHILD})
    assert names(api, tenant) == ["top"]
    nested = listing(api, tenant, show_nested="true").json["stacks"]
    (kid,) = [s for s in nested if s["stack_name"] != "top"]
    assert kid["stack_name"].startswith("top-kid-")
    assert kid["parent"] == url.rsplit("/", 1)[1]


def test_project_is_shown_to_admins_only(api, tenant, three):
    admin = listing(api, tenant).json["stacks"][0]
    assert admin["project"] == tenant
    member = api.simulate_get(f"/v1/{tenant}/stacks", headers={"X-Roles": "member"})
    assert "project" not in member.json["stacks"][0]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"sort_dir": "sideways"}, "Unknown sort direction, must be 'desc' or 'asc'"),
        ({"tags": "x" * 81}, f'Invalid tag, "{"x" * 81}" is longer than 80 characters'),
        ({"limit": "many"}, "Only integer is acceptable by 'limit'."),
        ({"show_deleted": "maybe"}, 'Unrecognized value "maybe" for "show_deleted"'),
        ({"with_count": "maybe"}, 'Unrecognized value "maybe" for "with_count"'),
    ],
)
def test_bad_list_query_is_400_naming_the_parameter(api, tenant, query, message):
    result = listing(api, tenant, **query)
    assert result.status_code == 400, result.text
    assert message in result.json["error"]["message"]


LIST_KEYS = [
    "id",
    "links",
    "project",
    "stack_name",
    "description",
    "stack_status",
    "stack_status_reason",
    "creation_time",
    "updated_time",
    "deletion_time",
    "stack_owner",
    "parent",
    "stack_user_project_id",
    "tags",
]


@pytest.mark.parametrize(
    ("roles", "keys"),
    [
        ("admin", LIST_KEYS),
        ("member", [k for k in LIST_KEYS if k != "project"]),
    ],
)
def test_entries_have_upstreams_keys_in_order(api, tenant, roles, keys):
    url = create(api, tenant, "shape")
    result = api.simulate_get(f"/v1/{tenant}/stacks", headers={"X-Roles": roles})
    (entry,) = result.json["stacks"]
    assert list(entry) == keys
    assert entry["links"] == [{"href": f"http://falconframework.org{url}", "rel": "self"}]
    assert url.endswith(f"/v1/{tenant}/stacks/shape/{entry['id']}")


def test_entries_agree_with_the_stack_show(api, tenant):
    url = create(api, tenant, "same", template=FAILING)
    (entry,) = listing(api, tenant).json["stacks"]
    shown = api.simulate_get(url).json["stack"]
    for key in LIST_KEYS[3:-1]:  # the show's description is the template's; tags: below
        if key != "description":
            assert entry[key] == shown[key], key
    assert entry["stack_status"] == "CREATE_FAILED" and entry["stack_status_reason"]
    assert entry["description"] == ""
    assert entry["updated_time"] is None and entry["deletion_time"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["creation_time"])


def test_tags_are_listed_as_given_and_null_without_any(api, tenant):
    create(api, tenant, "plain")
    create(api, tenant, "tagged", tags="zeta,alpha,mid")
    tags = {s["stack_name"]: s["tags"] for s in listing(api, tenant).json["stacks"]}
    assert tags == {"tagged": ["zeta", "alpha", "mid"], "plain": None}
    page = listing(api, tenant, limit="1", sort_keys="stack_name").json["stacks"]
    assert [(s["stack_name"], s["tags"]) for s in page] == [("plain", None)]


def test_an_update_sets_the_updated_time(api, tenant):
    url = create(api, tenant, "changed")
    result = api.simulate_patch(url, json={"parameters": {}})
    assert result.status_code == 202, result.text
    deadline = time.monotonic() + DEADLINE
    while (entry := listing(api, tenant).json["stacks"][0])["stack_status"] != "UPDATE_COMPLETE":
        assert time.monotonic() < deadline, entry["stack_status"]
        time.sleep(0.02)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["updated_time"])
    assert entry["updated_time"] >= entry["creation_time"]
