"""OS::Keystone::* resources against a real Keystone: created, updated and deleted there.

The stack's owner is Keystone's admin; the engine acts through the stack's trust.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from harness import Deployment, HeatHTTP, own_deployment
from keystone import Keystone

pytestmark = pytest.mark.functional


@pytest.fixture(scope="module")
def heat(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[Deployment]:
    with own_deployment(
        tmp_path_factory.mktemp("heat-keystone-resources"),
        engines=1,
        paste_deploy={"flavor": "default"},
        **keystone.authtoken_conf(),
    ) as deployment:
        yield deployment


def template(tag: str, description: str) -> dict[str, Any]:
    """Every OS::Keystone type, named after ``tag``; ``description`` goes where it can."""
    return {
        "heat_template_version": "2018-08-31",
        "resources": {
            "project": {
                "type": "OS::Keystone::Project",
                "properties": {"name": f"p-{tag}", "description": description, "tags": ["t1"]},
            },
            "role": {"type": "OS::Keystone::Role", "properties": {"name": f"r-{tag}"}},
            "group": {
                "type": "OS::Keystone::Group",
                "properties": {
                    "name": f"g-{tag}",
                    "description": description,
                    "roles": [{"role": {"get_resource": "role"}, "domain": "default"}],
                },
            },
            "user": {
                "type": "OS::Keystone::User",
                "properties": {
                    "name": f"u-{tag}",
                    "description": description,
                    "password": "s3cret-pass",
                    "default_project": {"get_resource": "project"},
                    "groups": [{"get_resource": "group"}],
                    "roles": [
                        {"role": {"get_resource": "role"}, "project": {"get_resource": "project"}}
                    ],
                },
            },
            "member": {
                "type": "OS::Keystone::UserRoleAssignment",
                "properties": {
                    "user": {"get_resource": "user"},
                    "roles": [{"role": "member", "project": {"get_resource": "project"}}],
                },
            },
            "group_member": {
                "type": "OS::Keystone::GroupRoleAssignment",
                "properties": {
                    "group": {"get_resource": "group"},
                    "roles": [{"role": "member", "project": {"get_resource": "project"}}],
                },
            },
            "domain": {
                "type": "OS::Keystone::Domain",
                "properties": {"name": f"d-{tag}", "description": description},
            },
            "region": {
                "type": "OS::Keystone::Region",
                "properties": {"id": f"reg-{tag}", "description": description},
            },
            "service": {
                "type": "OS::Keystone::Service",
                "properties": {
                    "name": f"svc-{tag}",
                    "type": f"x-{tag}",
                    "description": description,
                },
            },
            "endpoint": {
                "type": "OS::Keystone::Endpoint",
                "properties": {
                    "service": {"get_resource": "service"},
                    "region": {"get_resource": "region"},
                    "interface": "public",
                    "url": f"http://{tag}.example.com:1234",
                },
            },
        },
        "outputs": {
            "project_domain": {"value": {"get_attr": ["project", "domain_id"]}},
            "user_project": {"value": {"get_attr": ["user", "default_project_id"]}},
        },
    }


class Identity:
    """Keystone's v3 API as admin, for checking what the stack did."""

    def __init__(self, keystone: Keystone) -> None:
        self.url = keystone.url
        self.headers = {"X-Auth-Token": keystone.token(keystone.admin)}

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.url + path, headers=self.headers, params=params, timeout=30)

    def one(self, collection: str, key: str, **params: Any) -> dict[str, Any] | None:
        found = self.get(f"/{collection}", **params).json()[collection]
        assert len(found) <= 1, found
        return found[0] if found else None

    def assignments(self, **params: Any) -> set[tuple[str, str]]:
        found = self.get("/role_assignments", **params).json()["role_assignments"]
        return {
            (a["role"]["id"], (a["scope"].get("project") or a["scope"].get("domain"))["id"])
            for a in found
        }


def physical_ids(client: HeatHTTP, url: str) -> dict[str, str]:
    resp = client.get(f"{url}/resources")
    assert resp.status_code == 200, resp.text
    return {r["resource_name"]: r["physical_resource_id"] for r in resp.json()["resources"]}


def test_keystone_resources_are_created_updated_and_deleted_in_keystone(
    heat: Deployment, keystone: Keystone
) -> None:
    admin = keystone.admin
    client = HeatHTTP(heat.api_url, admin.project_id)
    client.session.headers.pop("X-Auth-User")
    client.session.headers.pop("X-Auth-Project")
    client.session.headers["X-Auth-Token"] = keystone.token(admin)
    tag = uuid.uuid4().hex[:8]
    url = client.create_stack(f"ks{tag}", template(tag, "first"))
    stack = client.wait_for_status(url, "CREATE_COMPLETE")
    ids = physical_ids(client, url)
    ks = Identity(keystone)

    project = ks.one("projects", "project", name=f"p-{tag}")
    assert project is not None and project["id"] == ids["project"]
    assert (project["description"], project["tags"]) == ("first", ["t1"])
    user = ks.one("users", "user", name=f"u-{tag}")
    assert user is not None and user["default_project_id"] == project["id"]
    role = ks.one("roles", "role", name=f"r-{tag}")
    assert role is not None
    group = ks.one("groups", "group", name=f"g-{tag}")
    assert group is not None and group["description"] == "first"
    member = ks.one("roles", "role", name="member")
    assert member is not None
    assert ks.assignments(**{"user.id": user["id"]}) == {
        (role["id"], project["id"]),
        (member["id"], project["id"]),
    }
    assert ks.assignments(**{"group.id": group["id"]}) == {
        (role["id"], "default"),
        (member["id"], project["id"]),
    }
    in_group = ks.get(f"/groups/{group['id']}/users").json()["users"]
    assert [u["id"] for u in in_group] == [user["id"]]
    assert ks.get(f"/domains/{ids['domain']}").json()["domain"]["name"] == f"d-{tag}"
    assert ks.get(f"/regions/reg-{tag}").status_code == 200
    endpoint = ks.get(f"/endpoints/{ids['endpoint']}").json()["endpoint"]
    assert (endpoint["service_id"], endpoint["region_id"]) == (ids["service"], f"reg-{tag}")
    outputs = {o["output_key"]: o["output_value"] for o in stack["outputs"]}
    assert outputs == {"project_domain": "default", "user_project": project["id"]}

    resp = client.patch(url, json={"template": template(tag, "second")})
    assert resp.status_code == 202, resp.text
    client.wait_for_status(url, "UPDATE_COMPLETE")
    assert physical_ids(client, url) == ids  # updated in place
    assert ks.get(f"/projects/{project['id']}").json()["project"]["description"] == "second"
    assert ks.get(f"/users/{user['id']}").json()["user"]["description"] == "second"
    assert ks.get(f"/groups/{group['id']}").json()["group"]["description"] == "second"
    assert ks.get(f"/services/{ids['service']}").json()["service"]["description"] == "second"
    assert ks.get(f"/regions/reg-{tag}").json()["region"]["description"] == "second"

    assert client.delete(url).status_code == 204
    client.wait_for_status(url, "DELETE_COMPLETE")
    for path in (
        f"/projects/{project['id']}",
        f"/users/{user['id']}",
        f"/roles/{role['id']}",
        f"/groups/{group['id']}",
        f"/domains/{ids['domain']}",
        f"/regions/reg-{tag}",
        f"/services/{ids['service']}",
        f"/endpoints/{ids['endpoint']}",
    ):
        assert ks.get(path).status_code == 404, path


def test_role_assignment_naming_both_project_and_domain_is_refused(
    heat: Deployment, keystone: Keystone
) -> None:
    admin = keystone.admin
    client = HeatHTTP(heat.api_url, admin.project_id)
    client.session.headers.pop("X-Auth-User")
    client.session.headers.pop("X-Auth-Project")
    client.session.headers["X-Auth-Token"] = keystone.token(admin)
    bad = {
        "heat_template_version": "2018-08-31",
        "resources": {
            "grant": {
                "type": "OS::Keystone::UserRoleAssignment",
                "properties": {
                    "user": "admin",
                    "roles": [{"role": "member", "project": "admin", "domain": "default"}],
                },
            }
        },
    }
    resp = client.post(
        "/stacks", json={"stack_name": f"bad{uuid.uuid4().hex[:6]}", "template": bad}
    )
    assert resp.status_code == 400, resp.text
    message = resp.json()["error"]["message"]
    assert "resources.grant.properties.roles[0]" in message
    assert "project, domain" in message
