"""Deferred authentication against a real Keystone: trusts, stored passwords, stack users.

A stack whose resources act on Keystone later (OS::Keystone::*) gets a trust from its
owner to Heat's service user at create, kept encrypted in ``user_creds`` and deleted with
the stack; other stacks get none, so a token that cannot create trusts (one from EC2 or
application credentials) still creates them. With ``deferred_auth_method = password``
the owner's password is kept instead, encrypted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import sqlalchemy
from harness import (
    Deployment,
    HeatHTTP,
    assert_heat_error,
    database_url,
    own_deployment,
    wait_until,
)
from keystone import Account, Keystone
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from oslo_config import cfg

from common import config, crypto
from heat_engine.stack_users import StackUsers

pytestmark = pytest.mark.functional

DEFAULT_KEY = "notgood but just long enough i t"
NOTHING = {
    "heat_template_version": "2018-08-31",
    "resources": {"nothing": {"type": "OS::Heat::None"}},
}


def role_template(name: str) -> dict[str, Any]:
    return {
        "heat_template_version": "2018-08-31",
        "resources": {"role": {"type": "OS::Keystone::Role", "properties": {"name": name}}},
    }


@pytest.fixture(scope="module")
def heat(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[Deployment]:
    """Tokens (auth_token) and trusts, the trustee in [trustee] as upstream sets it."""
    with own_deployment(
        tmp_path_factory.mktemp("heat-trusts"),
        engines=1,
        paste_deploy={"flavor": "default"},
        **keystone.authtoken_conf(),
        **keystone.trustee_conf(),
    ) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def password_heat(
    tmp_path_factory: pytest.TempPathFactory, keystone: Keystone
) -> Iterator[Deployment]:
    """The standalone flavor (X-Auth-User/X-Auth-Key) with deferred_auth_method = password."""
    with own_deployment(
        tmp_path_factory.mktemp("heat-password"),
        engines=1,
        paste_deploy={"flavor": "standalone"},
        DEFAULT={"deferred_auth_method": "password"},
        **keystone.authtoken_conf(),
    ) as deployment:
        yield deployment


def with_token(heat: Deployment, project_id: str, token: str) -> HeatHTTP:
    client = HeatHTTP(heat.api_url, project_id)
    client.session.headers.pop("X-Auth-User")
    client.session.headers.pop("X-Auth-Project")
    client.session.headers["X-Auth-Token"] = token
    return client


def admin_call(keystone: Keystone, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(
        method,
        keystone.url + path,
        headers={"X-Auth-Token": keystone.token(keystone.admin)},
        timeout=30,
        **kwargs,
    )


def trusts_of(keystone: Keystone, account: Account) -> list[dict[str, Any]]:
    resp = admin_call(
        keystone, "GET", "/OS-TRUST/trusts", params={"trustor_user_id": account.user_id}
    )
    assert resp.status_code == 200, resp.text
    return list(resp.json()["trusts"])


def roles_named(keystone: Keystone, name: str) -> list[dict[str, Any]]:
    resp = admin_call(keystone, "GET", "/roles", params={"name": name})
    assert resp.status_code == 200, resp.text
    return list(resp.json()["roles"])


def stored(heat: Deployment, stack_id: str) -> dict[str, Any] | None:
    """The stack's user_creds row as stored (encrypted), or None."""
    engine = sqlalchemy.create_engine(database_url(heat.database or ""))
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sqlalchemy.text(
                    "SELECT uc.* FROM stack s JOIN user_creds uc ON uc.id = s.user_creds_id "
                    "WHERE s.id = :id"
                ),
                {"id": stack_id},
            ).first()
            return dict(row._mapping) if row is not None else None
    finally:
        engine.dispose()


def create(client: HeatHTTP, template: dict[str, Any]) -> tuple[str, str]:
    name = f"s{uuid.uuid4().hex[:10]}"
    url = client.create_stack(name, template)
    return url, client.wait_for_status(url, "CREATE_COMPLETE")["id"]


# --- trusts -------------------------------------------------------------------------


def test_stack_whose_resources_need_no_deferred_auth_gets_no_trust(
    heat: Deployment, keystone: Keystone
) -> None:
    before = trusts_of(keystone, keystone.demo)
    client = with_token(heat, keystone.demo.project_id, keystone.token(keystone.demo))
    _, stack_id = create(client, NOTHING)
    assert trusts_of(keystone, keystone.demo) == before
    assert stored(heat, stack_id) is None


def test_trust_is_created_with_the_stack_and_deleted_with_it(
    heat: Deployment, keystone: Keystone
) -> None:
    admin = keystone.admin
    client = with_token(heat, admin.project_id, keystone.token(admin))
    before = {t["id"] for t in trusts_of(keystone, admin)}
    role = f"r{uuid.uuid4().hex[:8]}"
    url, stack_id = create(client, role_template(role))

    new = [t for t in trusts_of(keystone, admin) if t["id"] not in before]
    assert len(new) == 1, new
    trust = new[0]
    assert trust["trustee_user_id"] == keystone.heat.user_id
    assert trust["project_id"] == admin.project_id
    assert trust["impersonation"] is True
    row = stored(heat, stack_id)
    assert row is not None and row["decrypt_method"] == crypto.FERNET_METHOD
    assert trust["id"] not in row["trust_id"]  # encrypted at rest
    assert crypto.decrypt(row["decrypt_method"], row["trust_id"], DEFAULT_KEY) == trust["id"]
    assert row["trustor_user_id"] == admin.user_id
    assert len(roles_named(keystone, role)) == 1

    assert client.delete(url).status_code == 204
    client.wait_for_status(url, "DELETE_COMPLETE")
    assert roles_named(keystone, role) == []
    wait_until(
        lambda: all(t["id"] != trust["id"] for t in trusts_of(keystone, admin)),
        30,
        "the stack's trust to be deleted",
    )


def test_trust_scoped_token_works_after_the_users_token_is_revoked(
    heat: Deployment, keystone: Keystone
) -> None:
    admin = keystone.admin
    token = keystone.token(admin)
    client = with_token(heat, admin.project_id, token)
    role = f"r{uuid.uuid4().hex[:8]}"
    url, stack_id = create(client, role_template(role))

    keystone.revoke(token)
    refused = requests.get(
        f"{keystone.url}/auth/tokens",
        headers={"X-Auth-Token": keystone.token(admin), "X-Subject-Token": token},
        timeout=30,
    )
    assert refused.status_code == 404  # the user's own token is dead

    row = stored(heat, stack_id)
    assert row is not None
    trust_id = crypto.decrypt(row["decrypt_method"], row["trust_id"], DEFAULT_KEY)
    heat_user = keystone.heat
    trust_auth = v3.Password(
        auth_url=keystone.url,
        username=heat_user.username,
        password=heat_user.password,
        user_domain_id="default",
        trust_id=trust_id,
    )
    session = ks_session.Session(auth=trust_auth)
    access = trust_auth.get_access(session)
    assert access.trust_scoped
    assert access.user_id == admin.user_id  # impersonation: acting as the stack's owner

    # the engine's deferred work uses that trust too: an update renames the role
    client.session.headers["X-Auth-Token"] = keystone.token(admin)
    renamed = f"{role}-new"
    resp = client.patch(url, json={"template": role_template(renamed)})
    assert resp.status_code == 202, resp.text
    client.wait_for_status(url, "UPDATE_COMPLETE")
    assert len(roles_named(keystone, renamed)) == 1
    assert client.delete(url).status_code == 204
    client.wait_for_status(url, "DELETE_COMPLETE")


def application_credential_token(keystone: Keystone, account: Account) -> str:
    """A token from an application credential: Keystone refuses such tokens for trusts,
    as it refuses tokens from EC2 credentials (the CloudFormation API's)."""
    secret = uuid.uuid4().hex
    resp = requests.post(
        f"{keystone.url}/users/{account.user_id}/application_credentials",
        headers={"X-Auth-Token": keystone.token(account)},
        json={"application_credential": {"name": f"a{uuid.uuid4().hex[:8]}", "secret": secret}},
        timeout=30,
    )
    assert resp.status_code == 201, resp.text
    auth = v3.ApplicationCredential(
        auth_url=keystone.url,
        application_credential_id=resp.json()["application_credential"]["id"],
        application_credential_secret=secret,
    )
    return str(ks_session.Session(auth=auth).get_token())


def test_token_that_cannot_create_trusts_refuses_only_stacks_that_need_one(
    heat: Deployment, keystone: Keystone
) -> None:
    admin = keystone.admin
    client = with_token(heat, admin.project_id, application_credential_token(keystone, admin))
    before = trusts_of(keystone, admin)
    name = f"s{uuid.uuid4().hex[:10]}"
    resp = client.post("/stacks", json={"stack_name": name, "template": role_template(name)})
    body = assert_heat_error(resp, 403, "DeferredAuthFailed")
    assert "role" in body["error"]["message"]
    assert "Keystone refused" in body["error"]["message"]
    assert name not in client.stack_names()  # nothing half-created
    assert trusts_of(keystone, admin) == before

    create(client, NOTHING)  # a stack that needs no trust is created as usual


# --- password ------------------------------------------------------------------------


def test_password_mode_keeps_the_password_encrypted_and_works_with_it(
    password_heat: Deployment, keystone: Keystone
) -> None:
    admin = keystone.admin
    client = HeatHTTP(password_heat.api_url, admin.project_id, user=admin.username)
    client.session.headers.pop("X-Auth-Project")
    client.session.headers["X-Auth-Key"] = admin.password
    role = f"r{uuid.uuid4().hex[:8]}"
    url, stack_id = create(client, role_template(role))
    assert len(roles_named(keystone, role)) == 1

    row = stored(password_heat, stack_id)
    assert row is not None
    assert row["trust_id"] is None and row["username"] == admin.username
    assert admin.password not in row["password"]  # not clear text in the database
    assert crypto.decrypt(row["decrypt_method"], row["password"], DEFAULT_KEY) == admin.password

    assert client.delete(url).status_code == 204
    client.wait_for_status(url, "DELETE_COMPLETE")
    assert roles_named(keystone, role) == []
    wait_until(lambda: stored(password_heat, stack_id) is None, 30, "user_creds to go")


# --- stack domain users -----------------------------------------------------------------


def stack_users_conf(keystone: Keystone) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    config.register_opts(conf)
    conf([], project="heat", default_config_files=[])
    for name, value in keystone.stack_domain_conf().items():
        conf.set_override(name, value)
    conf.set_override("auth_uri", keystone.url.removesuffix("/v3"), group="clients_keystone")
    return conf


def test_stack_domain_user_and_keypair_are_made_in_the_heat_domain_and_removed(
    keystone: Keystone,
) -> None:
    stack_id = str(uuid.uuid4())
    users = StackUsers(stack_users_conf(keystone), keystone.demo.project_id, stack_id)
    user_id = users.create_user(f"u-{stack_id}")
    keypair = users.create_keypair(user_id)

    user = admin_call(keystone, "GET", f"/users/{user_id}").json()["user"]
    assert user["domain_id"] == keystone.stack_domain_id
    project_id = user["default_project_id"]
    project = admin_call(keystone, "GET", f"/projects/{project_id}").json()["project"]
    assert project["name"] == f"{keystone.demo.project_id}-{stack_id}"[:64]  # as upstream
    assignments = admin_call(
        keystone, "GET", "/role_assignments", params={"user.id": user_id, "include_names": 1}
    ).json()["role_assignments"]
    assert [a["role"]["name"] for a in assignments] == ["heat_stack_user"]
    credential = admin_call(keystone, "GET", f"/credentials/{keypair.id}").json()["credential"]
    assert credential["type"] == "ec2" and keypair.access in credential["blob"]

    users.delete_keypair(keypair.id)
    users.delete_user(user_id)
    assert admin_call(keystone, "GET", f"/credentials/{keypair.id}").status_code == 404
    assert admin_call(keystone, "GET", f"/users/{user_id}").status_code == 404
    assert admin_call(keystone, "GET", f"/projects/{project_id}").status_code == 404
