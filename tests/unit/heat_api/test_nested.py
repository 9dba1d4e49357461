"""Provider templates: a resource whose type is a template runs as a nested stack."""

from __future__ import annotations

from .test_stacks import create, path_of, wait  # type: ignore[import-not-found]

CHILD = """heat_template_version: 2016-10-14
parameters:
  greeting: {type: string, default: hello}
resources:
  value:
    type: OS::Heat::Value
    properties: {value: {str_replace: {template: "$G world", params: {$G: {get_param: greeting}}}}}
outputs:
  message: {value: {get_attr: [value, value]}}
"""

PARENT = {
    "heat_template_version": "2016-10-14",
    "parameters": {"greeting": {"type": "string", "default": "hi"}},
    "resources": {
        "child": {"type": "My::Greeter", "properties": {"greeting": {"get_param": "greeting"}}},
        "direct": {"type": "child.yaml"},
    },
    "outputs": {
        "message": {"value": {"get_attr": ["child", "message"]}},
        "direct": {"value": {"get_attr": ["direct", "message"]}},
    },
}
ENV = {"resource_registry": {"My::Greeter": "child.yaml"}}


def outputs(stack: dict) -> dict:
    return {o["output_key"]: o["output_value"] for o in stack["outputs"]}


def test_provider_templates_create_update_and_delete_nested_stacks(api, tenant):
    url = path_of(
        create(api, tenant, "parent", PARENT, files={"child.yaml": CHILD}, environment=ENV)
    )
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert outputs(stack) == {"message": "hi world", "direct": "hello world"}
    listed = api.simulate_get(f"/v1/{tenant}/stacks").json["stacks"]
    assert [s["stack_name"] for s in listed] == ["parent"]  # nested stacks stay out of lists
    nested = api.simulate_get(f"/v1/{tenant}/stacks", params={"show_nested": "true"}).json
    assert len(nested["stacks"]) == 3
    child_id = api.simulate_get(url + "/resources/child").json["resource"]["physical_resource_id"]
    assert any(s["id"] == child_id and s["parent"] for s in nested["stacks"])

    assert api.simulate_patch(url, json={"parameters": {"greeting": "hey"}}).status_code == 202
    stack = wait(api, url)
    assert stack["stack_status"] == "UPDATE_COMPLETE", stack["stack_status_reason"]
    assert outputs(stack)["message"] == "hey world"

    assert api.simulate_delete(url).status_code == 204
    assert wait(api, url)["stack_status"] == "DELETE_COMPLETE"
    left = api.simulate_get(f"/v1/{tenant}/stacks", params={"show_nested": "true"}).json
    assert left["stacks"] == []


def test_a_failing_nested_stack_fails_its_parent(api, tenant):
    broken = (
        "heat_template_version: 2016-10-14\nresources:\n  bad:\n"
        "    type: OS::Heat::TestResource\n    properties: {fail: true}\n"
    )
    url = path_of(
        create(
            api,
            tenant,
            "failing",
            {"heat_template_version": "2016-10-14", "resources": {"n": {"type": "broken.yaml"}}},
            files={"broken.yaml": broken},
        )
    )
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_FAILED"
    assert "Test Resource failed bad" in stack["stack_status_reason"]


def test_nesting_deeper_than_the_limit_fails(api, tenant, embedded_conf):
    loop = "heat_template_version: 2016-10-14\nresources:\n  again: {type: loop.yaml}\n"
    url = path_of(
        create(
            api,
            tenant,
            "deep",
            {"heat_template_version": "2016-10-14", "resources": {"n": {"type": "loop.yaml"}}},
            files={"loop.yaml": loop},
        )
    )
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_FAILED"
    assert (
        f"Recursion depth exceeds {embedded_conf.max_nested_stack_depth}"
        in stack["stack_status_reason"]
    )


def test_resource_facade_shows_the_parent_resources_data(api, tenant):
    child = (
        "heat_template_version: 2016-10-14\nresources:\n  v:\n    type: OS::Heat::Value\n"
        "    properties:\n      value: {resource_facade: metadata}\n"
        "outputs:\n  meta: {value: {get_attr: [v, value]}}\n"
        "  policy: {value: {resource_facade: deletion_policy}}\n"
    )
    parent = {
        "heat_template_version": "2016-10-14",
        "resources": {
            "n": {"type": "facade.yaml", "metadata": {"role": "db"}, "deletion_policy": "Retain"}
        },
        "outputs": {
            "meta": {"value": {"get_attr": ["n", "meta"]}},
            "policy": {"value": {"get_attr": ["n", "policy"]}},
        },
    }
    url = path_of(create(api, tenant, "facade", parent, files={"facade.yaml": child}))
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert outputs(stack) == {"meta": {"role": "db"}, "policy": "Retain"}
