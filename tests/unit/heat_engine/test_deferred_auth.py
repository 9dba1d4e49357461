"""Deferred auth through the API without Keystone (noauth): what is refused up front.

A stack whose resources act on Keystone later needs a trust (or, in password mode, the
user's password); without one it is refused before anything is stored. Stacks that need
neither are untouched. The real Keystone cases are in tests/functional/test_deferred_auth.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import falcon.testing
import pytest
from oslo_config import cfg

ROLE = {
    "heat_template_version": "2018-08-31",
    "resources": {"role": {"type": "OS::Keystone::Role", "properties": {"name": "x"}}},
}
NESTED = {
    "heat_template_version": "2018-08-31",
    "resources": {"inner": {"type": "role.yaml"}},
}
NOTHING = {
    "heat_template_version": "2018-08-31",
    "resources": {"nothing": {"type": "OS::Heat::None"}},
}


@pytest.fixture
def password_mode(embedded_conf: cfg.ConfigOpts) -> Iterator[None]:
    embedded_conf.set_override("deferred_auth_method", "password")
    yield
    embedded_conf.clear_override("deferred_auth_method")


def post(
    api: falcon.testing.TestClient, tenant: str, name: str, **body: object
) -> falcon.testing.Result:
    return api.simulate_post(
        f"/v1/{tenant}/stacks",
        json={"stack_name": name, **body},
        headers={"X-Auth-User": "demo"},
    )


def names(api: falcon.testing.TestClient, tenant: str) -> list[str]:
    return [s["stack_name"] for s in api.simulate_get(f"/v1/{tenant}/stacks").json["stacks"]]


@pytest.mark.parametrize(
    "body",
    [
        {"template": ROLE},
        {
            "template": NESTED,
            "files": {"role.yaml": json.dumps(ROLE)},
        },
    ],
    ids=["direct", "in-a-provider-template"],
)
def test_stack_needing_a_trust_without_a_token_is_refused_and_not_stored(
    api: falcon.testing.TestClient, tenant: str, body: dict[str, object]
) -> None:
    result = post(api, tenant, "needs", **body)
    assert result.status_code == 403, result.text
    error = result.json["error"]
    assert error["type"] == "DeferredAuthFailed"
    assert "needs a Keystone trust" in error["message"]
    assert "no Keystone token" in error["message"]
    assert names(api, tenant) == []


def test_stack_needing_no_trust_is_created_without_a_token(
    api: falcon.testing.TestClient, tenant: str
) -> None:
    assert post(api, tenant, "plain", template=NOTHING).status_code == 201


@pytest.mark.usefixtures("password_mode")
def test_password_mode_without_the_password_is_refused_as_upstream(
    api: falcon.testing.TestClient, tenant: str
) -> None:
    result = post(api, tenant, "needs", template=ROLE)
    assert result.status_code == 400, result.text
    assert result.json["error"]["type"] == "MissingCredentialError"
    assert result.json["error"]["message"] == "Missing required credential: X-Auth-Key"
    assert names(api, tenant) == []
    assert post(api, tenant, "plain", template=NOTHING).status_code == 201
