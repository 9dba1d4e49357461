"""POST /stacks/preview: the stack as it would be created, validated as a create, stored never."""

from __future__ import annotations

import falcon.testing
import pytest

TEMPLATE = """heat_template_version: 2018-08-31
description: preview me
parameters:
  length: {type: number, default: 12}
resources:
  rand:
    type: OS::Heat::RandomString
    properties: {length: {get_param: length}}
  test:
    type: OS::Heat::TestResource
    metadata: {role: {get_param: length}}
    properties: {value: {get_attr: [rand, value]}}
  val:
    type: OS::Heat::Value
    properties: {value: {get_resource: test}}
outputs:
  out_rand: {value: {get_attr: [rand, value]}, description: the random}
  out_len: {value: {get_param: length}}
"""
CHILD = """heat_template_version: 2018-08-31
parameters:
  greeting: {type: string}
resources:
  inner:
    type: OS::Heat::TestResource
    properties: {value: {get_param: greeting}}
  meta:
    type: OS::Heat::Value
    properties: {value: {resource_facade: metadata}}
"""
PARENT = """heat_template_version: 2018-08-31
resources:
  first:
    type: OS::Heat::None
  child:
    type: child.yaml
    metadata: {colour: blue}
    properties: {greeting: hello}
"""


def preview(api: falcon.testing.TestClient, tenant: str, **body: object) -> falcon.testing.Result:
    return api.simulate_post(f"/v1/{tenant}/stacks/preview", json=body)


def by_name(resources: list) -> dict:
    return {r["resource_name"]: r for r in resources if isinstance(r, dict)}


def test_preview_shows_stack_fields_without_status_and_stores_nothing(api, tenant):
    result = preview(
        api,
        tenant,
        stack_name="pv",
        template=TEMPLATE,
        parameters={"length": 7},
        tags="a,b",
        timeout_mins=5,
        disable_rollback=False,
    )
    assert result.status_code == 200, result.text
    stack = result.json["stack"]
    assert stack["stack_name"] == "pv"
    assert stack["id"] == "None"
    assert stack["links"][0]["href"].endswith(f"/v1/{tenant}/stacks/pv/None")
    assert "stack_status" not in stack and "stack_status_reason" not in stack
    assert stack["description"] == stack["template_description"] == "preview me"
    assert stack["parameters"] == {
        "OS::stack_id": "None",
        "OS::project_id": tenant,
        "OS::stack_name": "pv",
        "length": "7",
    }
    assert stack["tags"] == ["a", "b"]
    assert stack["timeout_mins"] == 5 and stack["disable_rollback"] is False
    assert stack["creation_time"] and stack["updated_time"] is None
    outputs = {o["output_key"]: o for o in stack["outputs"]}
    assert outputs["out_rand"] == {
        "output_key": "out_rand",
        "description": "the random",
        "output_value": None,
    }
    assert outputs["out_len"]["output_value"] == 7
    listed = api.simulate_get(f"/v1/{tenant}/stacks", params={"show_deleted": "true"})
    assert listed.json["stacks"] == []
    assert api.simulate_get(f"/v1/{tenant}/stacks/pv").status_code == 404


def test_preview_resources_are_init_complete_with_properties_and_identities(api, tenant):
    stack = preview(api, tenant, stack_name="pv", template=TEMPLATE).json["stack"]
    resources = by_name(stack["resources"])
    assert list(resources) == ["rand", "test", "val"]
    test = resources["test"]
    assert test["resource_action"] == "INIT"
    assert test["resource_status"] == "COMPLETE"
    assert test["resource_status_reason"] == ""
    assert test["physical_resource_id"] == ""
    assert test["resource_type"] == "OS::Heat::TestResource"
    assert test["required_by"] == ["val"]
    assert test["metadata"] == {"role": 12}
    assert test["attributes"] == {"output": None}
    assert test["properties"]["value"] is None  # get_attr of a resource not created yet
    assert test["properties"]["wait_secs"] == 0 and test["properties"]["fail"] is False
    assert test["properties"]["update_replace_value"] is None
    assert test["resource_identity"] == {
        "tenant": tenant,
        "stack_name": "pv",
        "stack_id": "None",
        "path": "/resources/test",
    }
    assert test["stack_identity"]["stack_id"] == "None"
    assert test["stack_name"] == "pv"
    assert "parent_resource" not in test
    assert resources["val"]["properties"]["value"] == "test"  # get_resource: the name
    assert resources["rand"]["properties"]["length"] == 12


def test_template_resource_is_previewed_as_a_nested_list(api, tenant):
    result = preview(api, tenant, stack_name="pp", template=PARENT, files={"child.yaml": CHILD})
    assert result.status_code == 200, result.text
    first, nested = result.json["stack"]["resources"]
    assert first["resource_name"] == "first"
    assert isinstance(nested, list)
    inner = by_name(nested)
    assert set(inner) == {"inner", "meta"}
    assert inner["inner"]["properties"]["value"] == "hello"
    assert inner["inner"]["parent_resource"] == "child"
    assert inner["inner"]["stack_name"] == "pp-child"
    assert inner["meta"]["properties"]["value"] == {"colour": "blue"}


def test_recursive_template_resource_fails_with_the_depth_limit(api, tenant):
    loop = "heat_template_version: 2018-08-31\nresources:\n  again: {type: loop.yaml}\n"
    result = preview(api, tenant, stack_name="pl", template=loop, files={"loop.yaml": loop})
    assert result.status_code == 400, result.text
    assert "Recursion depth exceeds" in result.json["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "error_type", "message"),
    [
        ({"template": TEMPLATE}, 400, None, "No stack name specified"),
        ({"stack_name": "pv"}, 400, None, "No template specified"),
        ({"stack_name": "1bad", "template": TEMPLATE}, 400, "StackValidationFailed", "1bad"),
        (
            {"stack_name": "pv", "template": TEMPLATE, "parameters": {"length": "x"}},
            400,
            "StackValidationFailed",
            "length",
        ),
        (
            {
                "stack_name": "pv",
                "template": "heat_template_version: 2018-08-31\n"
                "resources: {r: {type: OS::Heat::TestResource, properties: {nope: 1}}}\n",
            },
            400,
            "StackValidationFailed",
            "resources.r.properties",
        ),
        (
            {
                "stack_name": "pv",
                "template": "heat_template_version: 2018-08-31\n"
                "resources: {r: {type: OS::No::Such}}\n",
            },
            400,
            "StackValidationFailed",
            "OS::No::Such",
        ),
    ],
)
def test_bad_preview_is_400_naming_the_field(api, tenant, body, status, error_type, message):
    result = preview(api, tenant, **body)
    assert result.status_code == status, result.text
    if error_type:
        assert result.json["error"]["type"] == error_type
    assert message in result.json["error"]["message"] or message in result.json["explanation"]


def test_preview_of_a_taken_name_is_409(api, tenant):
    created = api.simulate_post(
        f"/v1/{tenant}/stacks",
        json={"stack_name": "taken", "template": "heat_template_version: 2016-10-14"},
    )
    assert created.status_code == 201
    result = preview(api, tenant, stack_name="taken", template=TEMPLATE)
    assert result.status_code == 409
    assert result.json["error"]["type"] == "StackExists"


def test_other_methods_on_preview_treat_it_as_a_stack_name(api, tenant):
    assert api.simulate_get(f"/v1/{tenant}/stacks/preview").status_code == 404
