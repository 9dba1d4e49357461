"""Bad requests get Heat's error document naming what is wrong, and write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from harness import HeatHTTP, assert_heat_error

pytestmark = pytest.mark.functional

MAX_TEMPLATE_SIZE = 524288  # heat.conf's default max_template_size


def hot(resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"heat_template_version": "2018-08-31", "resources": resources, **sections}


NONE = hot({"a": {"type": "OS::Heat::None"}})
TOO_LARGE = "heat_template_version: 2018-08-31\ndescription: " + "x" * (MAX_TEMPLATE_SIZE + 1)

# id, request body, error type (None: any), substrings the message must contain
BAD_CREATES = [
    pytest.param(
        {"template": "foo: ["},
        None,
        ["line 1"],
        id="template-not-yaml",
    ),
    pytest.param(
        {"template": [{"heat_template_version": "2018-08-31"}]},
        None,
        ["template"],
        id="template-json-list",
    ),
    pytest.param(
        {"template": "- heat_template_version: 2018-08-31\n- resources: {}\n"},
        None,
        ["JSON object or YAML mapping"],
        id="template-yaml-list",
    ),
    pytest.param(
        {"template": TOO_LARGE},
        "RequestLimitExceeded",
        ["exceeds maximum allowed size", str(MAX_TEMPLATE_SIZE)],
        id="template-too-large",
    ),
    pytest.param(
        {"template": hot({"broken_thing": {"type": "OS::Nope::Nope"}})},
        "StackValidationFailed",
        ["OS::Nope::Nope", "broken_thing"],
        id="unknown-resource-type",
    ),
    pytest.param(
        {
            "template": hot(
                {
                    "v": {
                        "type": "OS::Heat::Value",
                        "properties": {"value": {"get_resource": "ghost"}},
                    }
                }
            )
        },
        "InvalidTemplateReference",
        ["ghost", "v"],
        id="get-resource-of-missing-resource",
    ),
    pytest.param(
        {
            "template": hot(
                {"v": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "ghost"}}}}
            )
        },
        "StackValidationFailed",
        ["ghost", "resources.v.properties.value"],
        id="get-param-of-missing-parameter",
    ),
    pytest.param(
        {
            "template": hot(
                {
                    "first": {"type": "OS::Heat::None", "depends_on": ["second"]},
                    "second": {"type": "OS::Heat::None", "depends_on": ["first"]},
                }
            )
        },
        "CircularDependencyException",
        ["Circular Dependency", "first", "second"],
        id="depends-on-cycle",
    ),
    pytest.param(
        {"stack_name": None, "template": NONE},
        "HTTPBadRequest",
        ["No stack name specified"],
        id="missing-stack-name",
    ),
    pytest.param(
        {"template": None},
        "HTTPBadRequest",
        ["No template specified"],
        id="missing-template",
    ),
    pytest.param(
        {"stack_name": "1bad", "template": NONE},
        "StackValidationFailed",
        ["1bad", "must start with alpha"],
        id="invalid-stack-name",
    ),
]


def assert_nothing_written(api: HeatHTTP) -> None:
    for params in ({}, {"show_deleted": "true"}):
        resp = api.get("/stacks", params=params)
        assert resp.status_code == 200, resp.text
        assert resp.json()["stacks"] == [], params


@pytest.mark.parametrize(("overrides", "error_type", "message_parts"), BAD_CREATES)
def test_bad_create_answers_400_naming_the_problem_and_writes_no_stack(
    api: HeatHTTP,
    stack_name: str,
    overrides: dict[str, Any],
    error_type: str | None,
    message_parts: list[str],
) -> None:
    body = {"stack_name": stack_name, **overrides}
    body = {k: v for k, v in body.items() if v is not None}
    resp = api.post("/stacks", json=body)
    error = assert_heat_error(resp, 400, error_type)
    message = error["error"]["message"]
    for part in message_parts:
        assert part in message, f"{part!r} not in {message!r}"
    assert error["title"] == "Bad Request"
    assert_nothing_written(api)


def test_create_with_a_taken_name_answers_409_stack_exists(api: HeatHTTP, stack_name: str) -> None:
    first = api.create_stack(stack_name, NONE)
    resp = api.post("/stacks", json={"stack_name": stack_name, "template": NONE})
    error = assert_heat_error(resp, 409, "StackExists")
    assert stack_name in error["error"]["message"]
    assert api.stack_names() == [stack_name]
    api.wait_for_status(first, "CREATE_COMPLETE")
    assert api.delete(first).status_code == 204
    api.wait_for_status(first, "DELETE_COMPLETE")


UNKNOWN_ID = "7b2f8e4c-3b0d-4a43-9a8e-0c5b1f9d2e61"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/stacks/nosuch", id="get-by-name"),
        pytest.param("GET", f"/stacks/nosuch/{UNKNOWN_ID}", id="get-by-name-and-id"),
        pytest.param("GET", f"/stacks/nosuch/{UNKNOWN_ID}/resources", id="resources"),
        pytest.param("GET", f"/stacks/nosuch/{UNKNOWN_ID}/outputs", id="outputs"),
        pytest.param("DELETE", f"/stacks/nosuch/{UNKNOWN_ID}", id="delete-by-name-and-id"),
        pytest.param("DELETE", "/stacks/nosuch", id="delete-by-name"),
    ],
)
def test_unknown_stack_answers_404_entity_not_found(api: HeatHTTP, method: str, path: str) -> None:
    error = assert_heat_error(api.request(method, path), 404, "EntityNotFound")
    assert "nosuch" in error["error"]["message"]
    assert error["title"] == "Not Found"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"{not json", id="broken-json"),
        pytest.param(b"stack_name: yaml-is-not-json\n", id="yaml"),
        pytest.param(b"", id="empty"),
        pytest.param(b"[]", id="json-list"),
        pytest.param(b'"stack"', id="json-string"),
    ],
)
def test_body_that_is_not_a_json_object_answers_400(api: HeatHTTP, raw: bytes) -> None:
    resp = api.post("/stacks", data=raw, headers={"Content-Type": "application/json"})
    assert_heat_error(resp, 400)
    assert_nothing_written(api)
