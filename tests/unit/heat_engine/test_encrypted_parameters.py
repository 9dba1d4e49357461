"""encrypt_parameters_and_properties: hidden parameters are encrypted at rest, as upstream."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import falcon.testing
import pytest
import sqlalchemy
from oslo_config import cfg

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "parameters": {
        "secret": {"type": "string", "hidden": True},
        "plain": {"type": "string"},
    },
    "resources": {
        "v": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "secret"}}}
    },
    "outputs": {"out": {"value": {"get_attr": ["v", "value"]}}},
}


@pytest.fixture
def encrypting(embedded_conf: cfg.ConfigOpts) -> Iterator[None]:
    embedded_conf.set_override("encrypt_parameters_and_properties", True)
    yield
    embedded_conf.clear_override("encrypt_parameters_and_properties")


def stored_environment(conf: cfg.ConfigOpts, stack_id: str) -> dict[str, Any]:
    engine = sqlalchemy.create_engine(conf.database.connection)
    try:
        with engine.connect() as conn:
            text = conn.execute(
                sqlalchemy.text(
                    "SELECT rt.environment FROM stack s JOIN raw_template rt "
                    "ON rt.id = s.raw_template_id WHERE s.id = :id"
                ),
                {"id": stack_id},
            ).scalar_one()
    finally:
        engine.dispose()
    return dict(json.loads(text))


def wait(api: falcon.testing.TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        stack = api.simulate_get(url).json["stack"]
        if not stack["stack_status"].endswith("IN_PROGRESS"):
            return dict(stack)
        time.sleep(0.02)
    raise AssertionError(f"{url} still in progress")


@pytest.mark.usefixtures("encrypting")
def test_hidden_parameters_are_stored_encrypted_and_read_decrypted(
    api: falcon.testing.TestClient, tenant: str, embedded_conf: cfg.ConfigOpts
) -> None:
    body = {
        "stack_name": "enc",
        "template": TEMPLATE,
        "parameters": {"secret": "hunter2", "plain": "visible"},
    }
    created = api.simulate_post(f"/v1/{tenant}/stacks", json=body)
    assert created.status_code == 201, created.text
    url = created.headers["location"].split("http://falconframework.org", 1)[-1]
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack
    assert stack["outputs"][0]["output_value"] == "hunter2"  # the engine reads it decrypted

    stored = stored_environment(embedded_conf, stack["id"])
    assert stored["encrypted_param_names"] == ["secret"]
    assert stored["parameters"]["plain"] == "visible"
    method, ciphertext = stored["parameters"]["secret"]
    assert method == "cryptography_decrypt_v1" and "hunter2" not in ciphertext

    patched = api.simulate_patch(url, json={"parameters": {"plain": "changed"}})
    assert patched.status_code == 202, patched.text
    stack = wait(api, url)
    assert stack["stack_status"] == "UPDATE_COMPLETE", stack
    assert stack["outputs"][0]["output_value"] == "hunter2"  # PATCH kept the stored value
