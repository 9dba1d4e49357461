"""The native API against a real Keystone: tokens (default flavor) and passwords (standalone).

Each flavor gets a deployment of its own (one engine, heat-api with two workers) on a
fresh database and vhost, configured as the seed configures Heat against Keystone; the
session's Keystone comes from keystone.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from harness import Deployment, HeatHTTP, assert_heat_error, own_deployment
from heatclient import client as heat_client
from keystone import Account, Keystone

pytestmark = pytest.mark.functional

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"nothing": {"type": "OS::Heat::None"}},
    "outputs": {"who": {"value": {"get_resource": "nothing"}}},
}
KEYSTONEMIDDLEWARE_401 = {
    "error": {
        "code": 401,
        "title": "Unauthorized",
        "message": "The request you have made requires authentication.",
    }
}


@pytest.fixture(scope="module")
def heat(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[Deployment]:
    """heat-api with ``[paste_deploy] flavor = default``: keystonemiddleware's auth_token."""
    with own_deployment(
        tmp_path_factory.mktemp("heat-tokens"),
        engines=1,
        paste_deploy={"flavor": "default"},
        **keystone.authtoken_conf(),
    ) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def standalone(
    tmp_path_factory: pytest.TempPathFactory, keystone: Keystone
) -> Iterator[Deployment]:
    """heat-api with ``[paste_deploy] flavor = standalone``: X-Auth-User/X-Auth-Key."""
    with own_deployment(
        tmp_path_factory.mktemp("heat-standalone"),
        engines=1,
        paste_deploy={"flavor": "standalone"},
        **keystone.authtoken_conf(),
    ) as deployment:
        yield deployment


def as_user(heat: Deployment, keystone: Keystone, account: Account) -> HeatHTTP:
    """The API as ``account`` with a fresh token, at its own project's URL."""
    client = HeatHTTP(heat.api_url, account.project_id)
    client.session.headers.pop("X-Auth-User")
    client.session.headers.pop("X-Auth-Project")
    client.session.headers["X-Auth-Token"] = keystone.token(account)
    return client


def new_stack(client: HeatHTTP) -> tuple[str, str]:
    """Create a stack and wait for it; returns its name and id."""
    name = f"s{uuid.uuid4().hex[:10]}"
    url = client.create_stack(name, TEMPLATE)
    stack = client.wait_for_status(url, "CREATE_COMPLETE")
    return name, stack["id"]


# --- default flavor: tokens ------------------------------------------------------


def test_heatclient_with_a_keystone_session_creates_and_shows_a_stack(
    heat: Deployment, keystone: Keystone
) -> None:
    demo = keystone.demo
    hc = heat_client.Client(
        "1",
        session=keystone.session(demo),
        endpoint_override=f"{heat.api_url}/v1/{demo.project_id}",
    )
    name = f"s{uuid.uuid4().hex[:10]}"
    created = hc.stacks.create(stack_name=name, template=TEMPLATE)
    stack_id = created["stack"]["id"]
    client = as_user(heat, keystone, demo)
    client.wait_for_status(f"/stacks/{name}/{stack_id}", "CREATE_COMPLETE")
    shown = hc.stacks.get(stack_id)
    # the request context carried the token's user and project to the engine
    assert shown.stack_owner == demo.username
    assert shown.stack_name == name
    assert name in [s.stack_name for s in hc.stacks.list()]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Auth-Token": "not-a-token"}, {"X-Auth-Token": "gAAAAABtampered"}],
    ids=["missing", "garbage", "malformed-fernet"],
)
def test_request_without_a_valid_token_is_401_as_keystonemiddleware_answers(
    heat: Deployment, keystone: Keystone, headers: dict[str, str]
) -> None:
    resp = requests.get(
        f"{heat.api_url}/v1/{keystone.demo.project_id}/stacks", headers=headers, timeout=30
    )
    assert resp.status_code == 401
    assert resp.json() == KEYSTONEMIDDLEWARE_401
    assert resp.headers["WWW-Authenticate"] == f'Keystone uri="{keystone.url}"'


def test_version_document_needs_no_token(heat: Deployment) -> None:
    resp = requests.get(heat.api_url + "/", timeout=30)
    assert resp.status_code == 300
    assert resp.json()["versions"][0]["id"] == "v1.0"


def test_revoked_token_is_refused(heat: Deployment, keystone: Keystone) -> None:
    client = as_user(heat, keystone, keystone.demo)
    assert client.get("/stacks").status_code == 200
    keystone.revoke(client.session.headers["X-Auth-Token"])
    resp = client.get("/stacks")
    assert resp.status_code == 401
    assert resp.json() == KEYSTONEMIDDLEWARE_401


def test_tenant_in_the_url_must_be_the_tokens_project(heat: Deployment, keystone: Keystone) -> None:
    client = as_user(heat, keystone, keystone.demo)
    resp = client.get(f"{heat.api_url}/v1/{keystone.other.project_id}/stacks")
    body = assert_heat_error(resp, 403, "HTTPForbidden")
    assert body["error"]["message"] == "Access was denied to this resource."


def test_another_projects_stack_is_not_found_by_name_or_id(
    heat: Deployment, keystone: Keystone
) -> None:
    name, stack_id = new_stack(as_user(heat, keystone, keystone.demo))
    other = as_user(heat, keystone, keystone.other)
    for path in (f"/stacks/{name}", f"/stacks/{stack_id}", f"/stacks/{name}/{stack_id}"):
        resp = other.get(path)
        assert_heat_error(resp, 404, "EntityNotFound")
    assert name not in other.stack_names()


def test_global_tenant_listing_is_for_admins_only(heat: Deployment, keystone: Keystone) -> None:
    name, _ = new_stack(as_user(heat, keystone, keystone.demo))
    denied = as_user(heat, keystone, keystone.demo).get("/stacks?global_tenant=true")
    body = assert_heat_error(denied, 403, "Forbidden")
    assert body["error"]["message"] == "You are not authorized to use stacks:global_index."
    admin = as_user(heat, keystone, keystone.admin)
    listed = admin.get("/stacks?global_tenant=true")
    assert listed.status_code == 200, listed.text
    mine = [s for s in listed.json()["stacks"] if s["stack_name"] == name]
    assert mine and mine[0]["project"] == keystone.demo.project_id
    assert name not in admin.stack_names()  # without global_tenant: the admin's own project


# --- standalone flavor: user name and password -----------------------------------


def password_headers(account: Account, **extra: str) -> dict[str, Any]:
    return {"X-Auth-User": account.username, "X-Auth-Key": account.password, **extra}


def test_standalone_flavor_authenticates_user_and_password_with_keystone(
    standalone: Deployment, keystone: Keystone
) -> None:
    demo = keystone.demo
    client = HeatHTTP(standalone.api_url, demo.project_id)
    client.session.headers.update(password_headers(demo, **{"X-Auth-Url": keystone.url}))
    name, stack_id = new_stack(client)
    shown = client.get(f"/stacks/{name}/{stack_id}").json()["stack"]
    assert shown["stack_owner"] == demo.username


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Auth-User": "demo", "X-Auth-Key": "wrong"},
        {"X-Auth-User": "nobody", "X-Auth-Key": "x"},
        {},
    ],
    ids=["wrong-password", "unknown-user", "no-credentials"],
)
def test_standalone_flavor_refuses_bad_credentials_with_401(
    standalone: Deployment, keystone: Keystone, headers: dict[str, str]
) -> None:
    resp = requests.get(
        f"{standalone.api_url}/v1/{keystone.demo.project_id}/stacks", headers=headers, timeout=30
    )
    body = assert_heat_error(resp, 401, "HTTPUnauthorized")
    assert body["error"]["message"] == "Authentication required"
    assert resp.headers["WWW-Authenticate"].startswith("Keystone uri=")


def test_standalone_flavor_scopes_to_the_project_in_the_url(
    standalone: Deployment, keystone: Keystone
) -> None:
    """demo has no role on the other project, so Keystone refuses that scope."""
    resp = requests.get(
        f"{standalone.api_url}/v1/{keystone.other.project_id}/stacks",
        headers=password_headers(keystone.demo),
        timeout=30,
    )
    assert_heat_error(resp, 401, "HTTPUnauthorized")


def test_standalone_flavor_ignores_identity_headers_sent_by_the_client(
    standalone: Deployment, keystone: Keystone
) -> None:
    resp = requests.get(
        f"{standalone.api_url}/v1/{keystone.demo.project_id}/services",
        headers=password_headers(keystone.demo, **{"X-Roles": "admin"}),
        timeout=30,
    )
    body = assert_heat_error(resp, 403, "Forbidden")
    assert body["error"]["message"] == "You are not authorized to use service:index."
