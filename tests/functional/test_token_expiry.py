"""An expired Keystone token is refused like a revoked one (401, keystonemiddleware's body).

A Keystone of this module's own issues tokens that live a few seconds; heat-api checks
them with keystonemiddleware (``[paste_deploy] flavor = default``), caching nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from harness import Deployment, HeatHTTP, own_deployment
from keystone import Keystone, running_keystone

pytestmark = pytest.mark.functional

LIFETIME = 8  # seconds a token lives in this module's Keystone


@pytest.fixture(scope="module")
def short_keystone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keystone]:
    with running_keystone(
        tmp_path_factory.mktemp("keystone-short"),
        "http://127.0.0.1:8004/v1/%(tenant_id)s",
        "http://127.0.0.1:8000/v1",
        token_expiration=LIFETIME,
    ) as keystone:
        yield keystone


@pytest.fixture(scope="module")
def heat(
    tmp_path_factory: pytest.TempPathFactory, short_keystone: Keystone
) -> Iterator[Deployment]:
    with own_deployment(
        tmp_path_factory.mktemp("heat-expiry"),
        engines=1,
        paste_deploy={"flavor": "default"},
        **short_keystone.authtoken_conf(),
    ) as deployment:
        yield deployment


def test_a_token_is_accepted_until_it_expires_then_refused(
    heat: Deployment, short_keystone: Keystone
) -> None:
    account = short_keystone.demo
    client = HeatHTTP(heat.api_url, account.project_id)
    client.session.headers.pop("X-Auth-User")
    client.session.headers.pop("X-Auth-Project")
    issued = time.monotonic()
    client.session.headers["X-Auth-Token"] = short_keystone.token(account)
    assert client.get("/stacks").status_code == 200
    time.sleep(max(0.0, issued + LIFETIME + 2 - time.monotonic()))
    resp = client.get("/stacks")
    assert resp.status_code == 401
    assert resp.json()["error"]["message"] == ("The request you have made requires authentication.")
    # a new token of the same user works again: only the old one expired
    client.session.headers["X-Auth-Token"] = short_keystone.token(account)
    assert client.get("/stacks").status_code == 200
