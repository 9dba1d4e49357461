"""Every template in examples/ creates and gives the outputs upstream Heat 27 gives.

The expected outputs were read from upstream Heat 27.0.1 running the same templates
(the random password is checked by its shape, since it is random).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

UPSTREAM_OUTPUTS: dict[str, dict[str, Any]] = {
    "cfn_mappings.template": {"Label": "{stack}-dev-1", "Tier": "development"},
    "conditional_resources.yaml": {"prod_value": None, "size": "small"},
    "digest_and_split.yaml": {
        "second_segment": "app",
        "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    },
    "endpoint_url.yaml": {"url": "https://api.example.com:8443/v1/status?verbose=true"},
    "list_tools.yaml": {"combined": ["a", "c", "d"], "has_d": True},
    "merged_maps.yaml": {"settings": {"availability_zone": "b", "size": "large", "tier": "web"}},
    "ordered_chain.yaml": {"pipeline": "fetched -> fetched+built -> deployed"},
    "rendered_config.yaml": {
        "config": "[web]\nlisten = 0.0.0.0:8080\nupstreams = 10.0.0.1 10.0.0.2\n"
    },
    "repeated_rules.yaml": {
        "rules": {
            "rules": [
                {"rule": "tcp-80"},
                {"rule": "udp-80"},
                {"rule": "tcp-443"},
                {"rule": "udp-443"},
            ]
        }
    },
    "stub_with_none.yaml": {"message": "ready after placeholder"},
    "yaql_summary.yaml": {"total": 16},
}
UPSTREAM_RESOURCES = {"conditional_resources.yaml": ["always"]}


def create_and_wait(api: Any, tenant: str, name: str, template: str) -> tuple[str, dict]:
    result = api.simulate_post(
        f"/v1/{tenant}/stacks", json={"stack_name": name, "template": template}
    )
    assert result.status_code == 201, result.text
    url = result.headers["location"].split("http://falconframework.org", 1)[-1]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        stack = api.simulate_get(url).json["stack"]
        if not stack["stack_status"].endswith("IN_PROGRESS"):
            return url, stack
        time.sleep(0.02)
    raise AssertionError(f"{name} still in progress")


def test_every_example_is_covered():
    assert {p.name for p in EXAMPLES.iterdir()} == {*UPSTREAM_OUTPUTS, "random_password.yaml"}


@pytest.mark.parametrize("example", sorted(UPSTREAM_OUTPUTS))
def test_example_gives_upstreams_outputs(api, tenant, example):
    name = "ex-" + example.split(".")[0].replace("_", "-")
    url, stack = create_and_wait(api, tenant, name, (EXAMPLES / example).read_text())
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    outputs = {o["output_key"]: o.get("output_value") for o in stack["outputs"]}
    expected = {
        k: v.replace("{stack}", name) if isinstance(v, str) else v
        for k, v in UPSTREAM_OUTPUTS[example].items()
    }
    assert outputs == expected
    if example in UPSTREAM_RESOURCES:
        names = sorted(
            r["resource_name"] for r in api.simulate_get(url + "/resources").json["resources"]
        )
        assert names == UPSTREAM_RESOURCES[example]


def test_random_password_has_the_requested_shape(api, tenant):
    _, stack = create_and_wait(
        api, tenant, "ex-password", (EXAMPLES / "random_password.yaml").read_text()
    )
    outputs = {o["output_key"]: o["output_value"] for o in stack["outputs"]}
    password = outputs["password"]
    assert re.fullmatch(r"[A-Z0-9]{16}", password)
    assert len(re.findall(r"[A-Z]", password)) >= 2 and len(re.findall(r"\d", password)) >= 2
    assert outputs["reference"] == password
