"""Snapshots, restore, export, abandon and adopt over HTTP against real services (two
engines, heat-api, MariaDB, RabbitMQ)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import Deployment, HeatHTTP, assert_heat_error, own_deployment

pytestmark = pytest.mark.functional

TEMPLATE: dict[str, Any] = {
    "heat_template_version": "2018-08-31",
    "parameters": {"salt": {"type": "string", "default": "one"}},
    "resources": {
        "secret": {
            "type": "OS::Heat::RandomString",
            "properties": {"length": 16, "salt": {"get_param": "salt"}},
        },
        "holder": {
            "type": "OS::Heat::TestResource",
            "properties": {"value": {"get_attr": ["secret", "value"]}},
        },
        "last": {"type": "OS::Heat::None", "depends_on": ["holder"]},
    },
    "outputs": {
        "secret": {"value": {"get_attr": ["secret", "value"]}},
        "held": {"value": {"get_attr": ["holder", "output"]}},
    },
}


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def outputs(api: HeatHTTP, url: str) -> dict[str, Any]:
    stack = api.get(url).json()["stack"]
    return {o["output_key"]: o["output_value"] for o in stack["outputs"]}


def physical_ids(api: HeatHTTP, url: str) -> dict[str, str]:
    listed = api.get(url + "/resources").json()["resources"]
    return {r["resource_name"]: r["physical_resource_id"] for r in listed}


def snapshot(api: HeatHTTP, url: str) -> dict[str, Any]:
    resp = api.post(url + "/snapshots", json={"name": "functional"})
    assert resp.status_code == 200, resp.text
    api.wait_for_status(url, "SNAPSHOT_COMPLETE")
    shown = api.get(f"{url}/snapshots/{resp.json()['id']}")
    assert shown.status_code == 200, shown.text
    return shown.json()["snapshot"]


def test_snapshot_and_restore_after_an_update(api: HeatHTTP) -> None:
    url = api.create_stack(unique("snap"), TEMPLATE)
    api.wait_for_status(url, "CREATE_COMPLETE")
    before = outputs(api, url)
    taken = snapshot(api, url)
    assert (taken["status"], taken["status_reason"]) == (
        "COMPLETE",
        "Stack SNAPSHOT completed successfully",
    )
    assert taken["data"]["resources"]["secret"]["resource_data"]["value"] == before["secret"]

    resp = api.patch(url, json={"parameters": {"salt": "two"}})
    assert resp.status_code == 202, resp.text
    api.wait_for_status(url, "UPDATE_COMPLETE")
    assert outputs(api, url)["secret"] != before["secret"]

    resp = api.post(f"{url}/snapshots/{taken['id']}/restore")
    assert resp.status_code == 202, resp.text
    api.wait_for_status(url, "RESTORE_COMPLETE")
    assert outputs(api, url) == before

    listed = api.get(url + "/snapshots").json()["snapshots"]
    assert [s["id"] for s in listed] == [taken["id"]]
    assert api.delete(f"{url}/snapshots/{taken['id']}").status_code == 204
    assert_heat_error(api.get(f"{url}/snapshots/{taken['id']}"), 404, "NotFound")


def test_restoring_a_snapshot_of_another_stack_is_refused(api: HeatHTTP) -> None:
    first = api.create_stack(unique("one"), TEMPLATE)
    second = api.create_stack(unique("two"), TEMPLATE)
    api.wait_for_status(first, "CREATE_COMPLETE")
    api.wait_for_status(second, "CREATE_COMPLETE")
    taken = snapshot(api, first)
    assert_heat_error(
        api.post(f"{second}/snapshots/{taken['id']}/restore"), 404, "SnapshotNotFound"
    )


def test_abandon_and_adopt_are_refused_when_disabled(api: HeatHTTP) -> None:
    url = api.create_stack(unique("keep"), TEMPLATE)
    api.wait_for_status(url, "CREATE_COMPLETE")
    assert_heat_error(api.delete(url + "/abandon"), 400, "NotSupported")
    assert_heat_error(api.get(url + "/export"), 400, "NotSupported")
    adopt = {"template": TEMPLATE, "resources": {}}
    resp = api.post(
        "/stacks", json={"stack_name": unique("new"), "adopt_stack_data": json.dumps(adopt)}
    )
    assert_heat_error(resp, 400, "NotSupported")


@pytest.fixture(scope="module")
def adopting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """A deployment of the module's own with abandon and adopt enabled."""
    workdir: Path = tmp_path_factory.mktemp("adopt")
    enabled = {"DEFAULT": {"enable_stack_abandon": True, "enable_stack_adopt": True}}
    with own_deployment(workdir, engines=2, **enabled) as deployment:
        yield deployment


def test_export_abandon_then_adopt_keeps_the_physical_resources(
    adopting: Deployment, tenant: str
) -> None:
    api = HeatHTTP(adopting.api_url, tenant)
    url = api.create_stack(unique("old"), TEMPLATE)
    api.wait_for_status(url, "CREATE_COMPLETE")
    before, ids = outputs(api, url), physical_ids(api, url)
    exported = api.get(url + "/export")
    assert exported.status_code == 200, exported.text

    abandoned = api.delete(url + "/abandon")
    assert abandoned.status_code == 200, abandoned.text
    data = abandoned.json()
    assert data["resources"] == exported.json()["resources"]
    assert api.get(url).json()["stack"]["stack_status"] == "DELETE_COMPLETE"

    body = {"stack_name": unique("new"), "adopt_stack_data": json.dumps(data)}
    resp = api.post("/stacks", json=body)
    assert resp.status_code == 201, resp.text
    new = resp.headers["Location"]
    api.wait_for_status(new, "ADOPT_COMPLETE")
    assert physical_ids(api, new) == ids
    assert outputs(api, new) == before
    api.session.close()
