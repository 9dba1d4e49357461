"""The native stack API through falcon's client, against the real engine on memory://."""

from __future__ import annotations

import json
import time
from typing import Any

import falcon.testing
import pytest

TEMPLATE = """heat_template_version: 2018-08-31
description: unit walk
parameters:
  length: {type: number, default: 12}
  secret: {type: string, default: abc, hidden: true}
resources:
  rand:
    type: OS::Heat::RandomString
    properties: {length: {get_param: length}}
  test:
    type: OS::Heat::TestResource
    properties: {value: {get_attr: [rand, value]}}
  val:
    type: OS::Heat::Value
    properties: {value: {get_resource: test}}
  none:
    type: OS::Heat::None
    depends_on: [val]
outputs:
  out_rand: {value: {get_attr: [rand, value]}, description: the random}
  out_val: {value: {get_attr: [val, value]}}
"""
DEADLINE = 20


def create(
    api: falcon.testing.TestClient,
    tenant: str,
    name: str = "walk",
    template: Any = TEMPLATE,
    **extra: Any,
) -> falcon.testing.Result:
    body = {"stack_name": name, "template": template, **extra}
    return api.simulate_post(f"/v1/{tenant}/stacks", json=body)


def wait(api: falcon.testing.TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        stack = api.simulate_get(url).json["stack"]
        if not stack["stack_status"].endswith("IN_PROGRESS"):
            return stack
        time.sleep(0.02)
    raise AssertionError(f"{url} still in progress after {DEADLINE} s")


def path_of(result: falcon.testing.Result) -> str:
    return result.headers["location"].split("http://falconframework.org", 1)[-1]


@pytest.fixture
def walk(api: falcon.testing.TestClient, tenant: str) -> str:
    result = create(api, tenant, parameters={"length": 9})
    assert result.status_code == 201, result.text
    url = path_of(result)
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    return url


def test_create_returns_id_links_and_location(api, tenant):
    result = create(api, tenant)
    assert result.status_code == 201
    stack = result.json["stack"]
    assert set(stack) == {"id", "links"}
    assert stack["links"][0]["rel"] == "self"
    assert result.headers["location"] == stack["links"][0]["href"]
    assert result.headers["location"].endswith(f"/v1/{tenant}/stacks/walk/{stack['id']}")


def test_show_gives_heat_shape_with_resolved_outputs(api, walk, tenant):
    stack = api.simulate_get(walk).json["stack"]
    assert list(stack)[:3] == ["stack_name", "id", "links"]
    assert stack["stack_status"] == "CREATE_COMPLETE"
    assert stack["stack_status_reason"] == "Stack CREATE completed successfully"
    assert stack["parameters"]["length"] == "9"
    assert stack["parameters"]["secret"] == "******"
    assert stack["parameters"]["OS::project_id"] == tenant
    assert stack["description"] == stack["template_description"] == "unit walk"
    assert stack["updated_time"] is None and stack["deletion_time"] is None
    assert stack["disable_rollback"] is True and stack["timeout_mins"] is None
    outputs = {o["output_key"]: o for o in stack["outputs"]}
    assert len(outputs["out_rand"]["output_value"]) == 9
    assert outputs["out_val"]["description"] == "No description given"
    assert outputs["out_val"]["output_value"].startswith("walk-test-")


def test_show_without_outputs_when_not_resolved(api, walk):
    stack = api.simulate_get(walk, params={"resolve_outputs": "false"}).json["stack"]
    assert "outputs" not in stack


def test_list_shows_summary_and_count(api, walk, tenant):
    body = api.simulate_get(f"/v1/{tenant}/stacks", params={"with_count": "true"}).json
    assert body["count"] == 1
    (item,) = body["stacks"]
    assert item["stack_name"] == "walk" and item["description"] == ""
    assert item["project"] == tenant and item["tags"] is None
    assert "parameters" not in item


@pytest.mark.parametrize("suffix", ["", "/resources", "/events", "/template"])
def test_lookup_by_name_redirects_to_canonical_url(api, walk, tenant, suffix):
    result = api.simulate_get(f"/v1/{tenant}/stacks/walk{suffix}")
    assert result.status_code == 302
    assert result.headers["location"].endswith(walk + suffix)


def test_lookup_by_id_redirects(api, walk, tenant):
    stack_id = walk.rsplit("/", 1)[1]
    result = api.simulate_get(f"/v1/{tenant}/stacks/{stack_id}")
    assert result.status_code == 302
    assert result.headers["location"].endswith(walk)


def test_resources_list_and_show(api, walk):
    resources = {
        r["resource_name"]: r for r in api.simulate_get(walk + "/resources").json["resources"]
    }
    assert set(resources) == {"rand", "test", "val", "none"}
    assert all(r["resource_status"] == "CREATE_COMPLETE" for r in resources.values())
    assert resources["rand"]["required_by"] == ["test"]
    assert resources["none"]["required_by"] == []
    assert [link["rel"] for link in resources["rand"]["links"]] == ["self", "stack"]
    shown = api.simulate_get(walk + "/resources/rand").json["resource"]
    assert len(shown["attributes"]["value"]) == 9
    assert shown["physical_resource_id"].startswith("walk-rand-")


def test_events_newest_first_and_event_show(api, walk):
    events = api.simulate_get(walk + "/events").json["events"]
    assert events[0]["resource_name"] == "walk"
    assert events[0]["resource_status"] == "CREATE_COMPLETE"
    assert events[-1]["resource_status_reason"] == "Stack CREATE started"
    assert len(events) == 2 + 2 * 4
    assert "resource_type" not in events[0]
    rand = api.simulate_get(walk + "/resources/rand/events").json["events"]
    assert [e["resource_status"] for e in rand] == ["CREATE_COMPLETE", "CREATE_IN_PROGRESS"]
    shown = api.simulate_get(f"{walk}/resources/rand/events/{rand[1]['id']}").json["event"]
    assert shown["resource_type"] == "OS::Heat::RandomString"
    assert shown["resource_properties"]["length"] == 9


def test_outputs_template_environment_files(api, walk):
    assert api.simulate_get(walk + "/outputs").json == {
        "outputs": [
            {"output_key": "out_rand", "description": "the random"},
            {"output_key": "out_val", "description": "No description given"},
        ]
    }
    output = api.simulate_get(walk + "/outputs/out_rand").json["output"]
    assert len(output["output_value"]) == 9
    template = api.simulate_get(walk + "/template").json
    assert template["resources"]["none"]["depends_on"] == ["val"]
    env = api.simulate_get(walk + "/environment").json
    assert env["parameters"] == {"length": 9}
    assert env["resource_registry"] == {"resources": {}}
    assert api.simulate_get(walk + "/files").json == {}


def test_unknown_output_is_404(api, walk):
    result = api.simulate_get(walk + "/outputs/nosuch")
    assert result.status_code == 404
    assert result.json["error"]["message"] == "Specified output key nosuch not found."


def test_patch_updates_parameters_and_replaces_random_string(api, walk):
    before = api.simulate_get(walk + "/outputs/out_rand").json["output"]["output_value"]
    result = api.simulate_patch(walk, json={"parameters": {"length": 5}})
    assert result.status_code == 202
    stack = wait(api, walk)
    assert stack["stack_status"] == "UPDATE_COMPLETE"
    assert stack["updated_time"] is not None
    after = api.simulate_get(walk + "/outputs/out_rand").json["output"]["output_value"]
    assert len(after) == 5 and after != before
    reasons = [
        e["resource_status_reason"]
        for e in api.simulate_get(walk + "/resources/rand/events").json["events"]
    ]
    assert "The Resource rand requires replacement." in reasons


def test_put_removes_resources_dropped_from_template(api, walk):
    smaller = TEMPLATE.replace("  none:\n    type: OS::Heat::None\n    depends_on: [val]\n", "")
    assert api.simulate_put(walk, json={"template": smaller}).status_code == 202
    assert wait(api, walk)["stack_status"] == "UPDATE_COMPLETE"
    names = {r["resource_name"] for r in api.simulate_get(walk + "/resources").json["resources"]}
    assert names == {"rand", "test", "val"}
    assert api.simulate_get(walk + "/environment").json["parameters"] == {}


def test_delete_then_gone_by_name_but_shown_by_id(api, walk, tenant):
    assert api.simulate_delete(walk).status_code == 204
    stack = wait(api, walk)
    assert stack["stack_status"] == "DELETE_COMPLETE"
    assert stack["deletion_time"] is not None
    assert api.simulate_get(f"/v1/{tenant}/stacks/walk").status_code == 404
    assert api.simulate_get(f"/v1/{tenant}/stacks").json == {"stacks": []}
    assert api.simulate_get(walk + "/resources").json == {"resources": []}
    assert api.simulate_delete(walk).status_code == 404


def test_failed_resource_fails_the_stack_with_its_reason(api, tenant):
    template = {
        "heat_template_version": "2015-04-30",
        "resources": {"bad": {"type": "OS::Heat::TestResource", "properties": {"fail": True}}},
    }
    url = path_of(create(api, tenant, "failer", template))
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_FAILED"
    assert stack["stack_status_reason"] == (
        "Resource CREATE failed: ValueError: resources.bad: Test Resource failed bad"
    )
    (bad,) = api.simulate_get(url + "/resources").json["resources"]
    assert bad["resource_status"] == "CREATE_FAILED"
    assert api.simulate_delete(url).status_code == 204
    assert wait(api, url)["stack_status"] == "DELETE_COMPLETE"


def test_independent_resources_are_created_in_parallel(api, tenant):
    resources = {
        f"r{i}": {"type": "OS::Heat::TestResource", "properties": {"wait_secs": 0.5}}
        for i in range(8)
    }
    url = path_of(
        create(api, tenant, "wide", {"heat_template_version": "2016-10-14", "resources": resources})
    )
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    events = api.simulate_get(url + "/events", params={"sort_dir": "asc"}).json["events"]
    statuses = [e["resource_status"] for e in events if e["resource_name"] != "wide"]
    # every resource started before any finished: they ran side by side
    assert statuses[:8] == ["CREATE_IN_PROGRESS"] * 8


BAD_TEMPLATES = [
    ("not yaml", "foo: [", "HTTPBadRequest", "Template not in valid format"),
    ("yaml list", "- a\n- b\n", "HTTPBadRequest", "not a JSON object or YAML mapping"),
    ("json list", [1, 2], "HTTPBadRequest", "not a JSON object or YAML mapping"),
    ("no version", {"resources": {}}, "InvalidTemplateVersion", "Template version was not"),
    (
        "bad version",
        {"heat_template_version": "2012-01-01"},
        "InvalidTemplateVersion",
        "2012-01-01",
    ),
    (
        "bad section",
        {"heat_template_version": "2013-05-23", "foo": {}},
        "InvalidTemplateSection",
        "foo",
    ),
    (
        "unknown type",
        {"heat_template_version": "2013-05-23", "resources": {"r": {"type": "OS::No::Such"}}},
        "StackValidationFailed",
        "The Resource Type (OS::No::Such) could not be found.",
    ),
    (
        "missing resource",
        {
            "heat_template_version": "2013-05-23",
            "resources": {
                "v": {"type": "OS::Heat::Value", "properties": {"value": {"get_resource": "x"}}}
            },
        },
        "InvalidTemplateReference",
        'The specified reference "x" (in v.Properties.value)',
    ),
    (
        "missing param",
        {
            "heat_template_version": "2013-05-23",
            "resources": {
                "v": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "p"}}}
            },
        },
        "StackValidationFailed",
        "resources.v.properties.value: : The Parameter (p) was not",
    ),
    (
        "cycle",
        {
            "heat_template_version": "2013-05-23",
            "resources": {
                "a": {"type": "OS::Heat::None", "depends_on": ["b"]},
                "b": {"type": "OS::Heat::None", "depends_on": ["a"]},
            },
        },
        "CircularDependencyException",
        "Circular Dependency Found",
    ),
    (
        "bad property",
        {
            "heat_template_version": "2013-05-23",
            "resources": {"r": {"type": "OS::Heat::RandomString", "properties": {"length": "abc"}}},
        },
        "StackValidationFailed",
        "resources.r.properties.length",
    ),
    (
        "unknown property",
        {
            "heat_template_version": "2013-05-23",
            "resources": {"r": {"type": "OS::Heat::RandomString", "properties": {"size": 3}}},
        },
        "StackValidationFailed",
        "Unknown Property size",
    ),
]


@pytest.mark.parametrize(
    ("case", "template", "error_type", "message"), BAD_TEMPLATES, ids=[c[0] for c in BAD_TEMPLATES]
)
def test_bad_template_is_400_and_writes_nothing(api, tenant, case, template, error_type, message):
    result = create(api, tenant, "bad", template)
    assert result.status_code == 400, result.text
    body = result.json
    assert body["code"] == 400 and body["title"] == "Bad Request"
    assert body["error"]["type"] == error_type
    assert message in body["error"]["message"]
    assert body["error"]["traceback"] is None
    assert api.simulate_get(f"/v1/{tenant}/stacks").json == {"stacks": []}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"template": TEMPLATE}, "No stack name specified"),
        ({"stack_name": "x"}, "No template specified"),
        ({"stack_name": "1bad", "template": TEMPLATE}, "Invalid stack name 1bad"),
        (
            {"stack_name": "x", "template": TEMPLATE, "parameters": {"nope": 1}},
            "The Parameter (nope) was not defined in template.",
        ),
        (
            {"stack_name": "x", "template": TEMPLATE, "parameters": {"length": "abc"}},
            "Parameter 'length' is invalid",
        ),
    ],
)
def test_bad_request_body_is_400(api, tenant, body, message):
    result = api.simulate_post(f"/v1/{tenant}/stacks", json=body)
    assert result.status_code == 400
    assert message in result.json["error"]["message"]


def test_body_that_is_not_json_is_400(api, tenant):
    result = api.simulate_post(
        f"/v1/{tenant}/stacks", body="{nope", headers={"Content-Type": "application/json"}
    )
    assert result.status_code == 400
    assert result.json["error"]["type"] == "HTTPBadRequest"


def test_too_large_template_is_rejected(api, tenant, embedded_conf):
    big = "heat_template_version: 2013-05-23\ndescription: " + "x" * (
        embedded_conf.max_template_size + 1
    )
    result = create(api, tenant, "big", big)
    assert result.status_code == 400
    assert "exceeds maximum allowed size" in result.json["error"]["message"]


def test_taken_name_is_409(api, walk, tenant):
    result = create(api, tenant)
    assert result.status_code == 409
    assert result.json["error"] == {
        "type": "StackExists",
        "traceback": None,
        "message": "The Stack (walk) already exists.",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/stacks/nosuch",
        "/stacks/nosuch/resources",
        "/stacks/nosuch/00000000-0000-0000-0000-000000000000",
    ],
)
def test_unknown_stack_is_404(api, tenant, path):
    result = api.simulate_get(f"/v1/{tenant}{path}")
    assert result.status_code == 404
    assert result.json["error"]["type"] == "EntityNotFound"
    assert result.json["error"]["message"] == "The Stack (nosuch) could not be found."


def test_another_tenants_stack_is_not_found(api, walk, tenant):
    stack_id = walk.rsplit("/", 1)[1]
    other = "someoneelse"
    result = api.simulate_get(
        f"/v1/{other}/stacks/walk/{stack_id}",
        headers={"X-Auth-Project": other, "X-Roles": "member"},
    )
    assert result.status_code == 404


def test_url_tenant_must_match_the_callers_project(api, tenant):
    result = api.simulate_get(
        f"/v1/{tenant}/stacks", headers={"X-Auth-Project": "other", "X-Roles": "member"}
    )
    assert result.status_code == 403
    assert result.json["error"]["message"] == "Access was denied to this resource."


def test_version_document_and_build_info(api, tenant):
    versions = api.simulate_get("/")
    assert versions.status_code == 300
    assert versions.json["versions"][0]["id"] == "v1.0"
    assert api.simulate_get(f"/v1/{tenant}/build_info").json == {
        "api": {"revision": "unknown"},
        "engine": {"revision": "unknown"},
    }


def test_services_lists_the_engine_for_admins_only(api, tenant):
    services = api.simulate_get(f"/v1/{tenant}/services").json["services"]
    assert services and services[0]["binary"] == "heat-engine"
    assert services[0]["status"] == "up"
    denied = api.simulate_get(f"/v1/{tenant}/services", headers={"X-Roles": "member"})
    assert denied.status_code == 403


def test_error_body_is_json_for_unknown_routes(api):
    result = api.simulate_get("/v1/t/nothing/here")
    assert result.status_code == 404
    assert json.loads(result.text)["error"]["type"] == "HTTPNotFound"


def test_deeper_paths_under_a_stack_name_redirect_too(api, walk, tenant):
    result = api.simulate_get(f"/v1/{tenant}/stacks/walk/outputs/out_rand")
    assert result.status_code == 302
    assert result.headers["location"].endswith(walk + "/outputs/out_rand")


def test_failed_create_rolls_back_when_rollback_is_enabled(api, tenant):
    template = {
        "heat_template_version": "2015-04-30",
        "resources": {
            "good": {"type": "OS::Heat::RandomString"},
            "bad": {
                "type": "OS::Heat::TestResource",
                "depends_on": ["good"],
                "properties": {"fail": True},
            },
        },
    }
    url = path_of(create(api, tenant, "rb", template, disable_rollback=False))
    stack = wait(api, url)
    assert stack["stack_status"] == "ROLLBACK_COMPLETE"
    assert stack["stack_status_reason"] == "Stack ROLLBACK completed successfully"
    assert api.simulate_get(url + "/resources").json == {"resources": []}
    stack_events = [
        e["resource_status"]
        for e in api.simulate_get(
            url + "/events", params={"sort_dir": "asc", "resource_name": "rb"}
        ).json["events"]
    ]
    assert stack_events == [
        "CREATE_IN_PROGRESS",
        "CREATE_FAILED",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_COMPLETE",
    ]


def test_failed_update_rolls_back_to_the_previous_template(api, tenant):
    template = {
        "heat_template_version": "2015-04-30",
        "parameters": {"v": {"type": "string"}},
        "resources": {
            "t": {"type": "OS::Heat::TestResource", "properties": {"value": {"get_param": "v"}}}
        },
        "outputs": {"v": {"value": {"get_attr": ["t", "output"]}}},
    }
    url = path_of(
        create(api, tenant, "urb", template, parameters={"v": "one"}, disable_rollback=False)
    )
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    broken = json.loads(json.dumps(template))
    broken["resources"]["extra"] = {"type": "OS::Heat::TestResource", "properties": {"fail": True}}
    assert (
        api.simulate_put(
            url, json={"template": broken, "parameters": {"v": "two"}, "disable_rollback": False}
        ).status_code
        == 202
    )
    stack = wait(api, url)
    assert stack["stack_status"] == "ROLLBACK_COMPLETE"
    assert stack["outputs"][0]["output_value"] == "one"
    names = {r["resource_name"] for r in api.simulate_get(url + "/resources").json["resources"]}
    assert names == {"t"}
    assert "extra" not in api.simulate_get(url + "/template").json["resources"]


def test_list_filters_by_tags(api, tenant):
    empty = {"heat_template_version": "2016-10-14"}
    for name, tags in (("ab", "a,b"), ("a", "a"), ("c", "c"), ("none", None)):
        extra = {"tags": tags} if tags else {}
        assert create(api, tenant, name, empty, **extra).status_code == 201

    def names(**query):
        stacks = api.simulate_get(f"/v1/{tenant}/stacks", params=query).json["stacks"]
        return sorted(s["stack_name"] for s in stacks)

    assert names(tags="a,b") == ["ab"]
    assert names(tags_any="b,c") == ["ab", "c"]
    assert names(not_tags="a,b") == ["a", "c", "none"]
    assert names(not_tags_any="a") == ["c", "none"]
    assert (
        api.simulate_get(f"/v1/{tenant}/stacks", params={"tags": "a", "with_count": "true"}).json[
            "count"
        ]
        == 2
    )
    shown = api.simulate_get(f"/v1/{tenant}/stacks", params={"tags": "c"}).json["stacks"][0]
    assert shown["tags"] == ["c"]


def test_global_tenant_listing_is_for_admins(api, tenant):
    assert create(api, tenant, "mine", {"heat_template_version": "2016-10-14"}).status_code == 201
    listed = api.simulate_get(f"/v1/{tenant}/stacks", params={"global_tenant": "true"})
    assert "mine" in {s["stack_name"] for s in listed.json["stacks"]}
    denied = api.simulate_get(
        f"/v1/{tenant}/stacks", params={"global_tenant": "true"}, headers={"X-Roles": "member"}
    )
    assert denied.status_code == 403


def test_environment_files_are_merged_in_order_on_create_and_update(api, tenant):
    template = {
        "heat_template_version": "2016-10-14",
        "parameters": {"v": {"type": "string"}},
        "resources": {
            "r": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "v"}}}
        },
        "outputs": {"v": {"value": {"get_attr": ["r", "value"]}}},
    }
    files = {"one.yaml": "parameters: {v: one}", "two.yaml": "parameters: {v: two}"}
    url = path_of(
        create(
            api,
            tenant,
            "envfiles",
            template,
            files=files,
            environment_files=["two.yaml", "one.yaml"],
        )
    )
    assert wait(api, url)["outputs"][0]["output_value"] == "one"
    result = api.simulate_put(
        url,
        json={"template": template, "files": files, "environment_files": ["one.yaml", "two.yaml"]},
    )
    assert result.status_code == 202
    assert wait(api, url)["outputs"][0]["output_value"] == "two"


@pytest.fixture
def template_server(tmp_path):
    """A local HTTP server for template_url (the only kind of URL this machine can reach)."""
    import functools
    import http.server
    import threading

    (tmp_path / "walk.yaml").write_text(TEMPLATE)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_template_url_is_fetched(api, tenant, template_server):
    result = api.simulate_post(
        f"/v1/{tenant}/stacks",
        json={"stack_name": "byurl", "template_url": f"{template_server}/walk.yaml"},
    )
    assert result.status_code == 201, result.text
    assert wait(api, path_of(result))["stack_status"] == "CREATE_COMPLETE"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.invalid/t.yaml", "Invalid URL scheme ftp"),
        ("{server}/missing.yaml", "Failed to retrieve template"),
    ],
)
def test_bad_template_url_is_400(api, tenant, template_server, url, message):
    result = api.simulate_post(
        f"/v1/{tenant}/stacks",
        json={"stack_name": "badurl", "template_url": url.format(server=template_server)},
    )
    assert result.status_code == 400
    assert message in result.json["error"]["message"]
