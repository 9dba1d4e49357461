"""Policy with real Keystone tokens: upstream's default rules and a policy.yaml override.

The deployment runs the default flavor with ``[oslo_policy] policy_file`` naming a file in
its scratch directory that overrides one rule (``build_info:build_info``); every other
rule is upstream's default.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import falcon.inspect
import pytest
from harness import Deployment, HeatHTTP, assert_heat_error, own_deployment
from keystone import Account, Keystone
from oslo_config import cfg

from common import config, policies
from common.rpc import transport
from common.rpc.client import EngineClient, RPCClient
from heat_api.app import create_app
from heat_api.policy import ROUTE_RULES

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"nothing": {"type": "OS::Heat::None"}},
}
POLICY_OVERRIDE = '"build_info:build_info": "role:admin"\n'


@pytest.fixture(scope="module")
def heat(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[Deployment]:
    workdir = tmp_path_factory.mktemp("heat-policy")
    policy_file = workdir / "policy.yaml"
    policy_file.write_text(POLICY_OVERRIDE)
    with own_deployment(
        workdir,
        engines=1,
        paste_deploy={"flavor": "default"},
        oslo_policy={"policy_file": str(policy_file)},
        **keystone.authtoken_conf(),
    ) as deployment:
        yield deployment


def as_user(heat: Deployment, keystone: Keystone, account: Account) -> HeatHTTP:
    client = HeatHTTP(heat.api_url, account.project_id)
    client.session.headers.pop("X-Auth-User")
    client.session.headers.pop("X-Auth-Project")
    client.session.headers["X-Auth-Token"] = keystone.token(account)
    return client


@pytest.fixture(scope="module")
def demo_stack(heat: Deployment, keystone: Keystone) -> str:
    """A stack in the demo project, made by its owner; its path ``/stacks/{name}/{id}``."""
    client = as_user(heat, keystone, keystone.demo)
    url = client.create_stack(f"s{uuid.uuid4().hex[:10]}", TEMPLATE)
    stack = client.wait_for_status(url, "CREATE_COMPLETE")
    return f"/stacks/{stack['stack_name']}/{stack['id']}"


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("GET", "/stacks", "stacks:index"),
        ("POST", "/stacks", "stacks:create"),
        ("GET", "{stack}", "stacks:show"),
        ("GET", "{stack}/template", "stacks:template"),
        ("GET", "{stack}/resources", "resource:index"),
        ("GET", "{stack}/events", "events:index"),
        ("GET", "{stack}/outputs", "stacks:list_outputs"),
        ("PUT", "{stack}", "stacks:update"),
        ("DELETE", "{stack}", "stacks:delete"),
        ("POST", "{stack}/actions", "actions:suspend"),
        ("POST", "/validate", "stacks:validate_template"),
        ("GET", "/resource_types", "stacks:list_resource_types"),
        ("GET", "/template_versions", "stacks:list_template_versions"),
    ],
)
def test_stack_user_is_denied_the_stack_api(
    heat: Deployment, keystone: Keystone, demo_stack: str, method: str, path: str, rule: str
) -> None:
    client = as_user(heat, keystone, keystone.stack_user)
    body = {"suspend": None} if rule == "actions:suspend" else {"template": TEMPLATE}
    resp = client.request(method, path.format(stack=demo_stack), json=body)
    error = assert_heat_error(resp, 403, "Forbidden")
    assert error["error"]["message"] == f"You are not authorized to use {rule}."


def test_stack_user_may_look_a_stack_up_and_read_resource_metadata(
    heat: Deployment, keystone: Keystone, demo_stack: str
) -> None:
    """stacks:lookup and resource:metadata admit heat_stack_user, as upstream."""
    client = as_user(heat, keystone, keystone.stack_user)
    name = demo_stack.split("/")[2]
    looked_up = client.get(f"/stacks/{name}")
    assert looked_up.status_code == 302, looked_up.text
    assert looked_up.headers["Location"].endswith(demo_stack)
    metadata = client.get(f"{demo_stack}/resources/nothing/metadata")
    assert metadata.status_code == 200, metadata.text


def test_stack_owner_may_do_what_the_stack_user_may_not(
    heat: Deployment, keystone: Keystone, demo_stack: str
) -> None:
    client = as_user(heat, keystone, keystone.demo)
    for path in ("/stacks", demo_stack, f"{demo_stack}/resources", f"{demo_stack}/events"):
        resp = client.get(path)
        assert resp.status_code == 200, f"{path}: {resp.text}"


def test_service_list_is_for_admins_only(heat: Deployment, keystone: Keystone) -> None:
    denied = as_user(heat, keystone, keystone.demo).get("/services")
    error = assert_heat_error(denied, 403, "Forbidden")
    assert error["error"]["message"] == "You are not authorized to use service:index."
    listed = as_user(heat, keystone, keystone.admin).get("/services")
    assert listed.status_code == 200, listed.text
    assert any(s["binary"] == "heat-engine" for s in listed.json()["services"])


def test_policy_file_overrides_a_default_rule(heat: Deployment, keystone: Keystone) -> None:
    """build_info is for readers by default; the policy.yaml makes it admin-only."""
    denied = as_user(heat, keystone, keystone.demo).get("/build_info")
    error = assert_heat_error(denied, 403, "Forbidden")
    assert error["error"]["message"] == "You are not authorized to use build_info:build_info."
    assert as_user(heat, keystone, keystone.admin).get("/build_info").status_code == 200


def test_sample_generator_writes_every_default_rule(tmp_path: Path) -> None:
    sample = tmp_path / "policy.yaml.sample"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "oslopolicy-sample-generator"),
            "--config-file",
            str(ROOT / "etc" / "heat-policy-generator.conf"),
            "--output-file",
            str(sample),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = sample.read_text()
    for line in (
        '#"stacks:create": "role:member and project_id:%(project_id)s"',
        '#"service:index": "role:admin and project_id:%(project_id)s"',
        '#"deny_stack_user": "not role:heat_stack_user"',
        '#"stacks:lookup": "(role:reader and project_id:%(project_id)s) or '
        '(role:heat_stack_user and project_id:%(project_id)s)"',
    ):
        assert line in text


def test_every_route_has_a_policy_rule() -> None:
    """A route added without a rule would be admin-only: list it in ROUTE_RULES."""
    conf = cfg.ConfigOpts()
    config.register_opts(conf)
    conf([], project="heat", default_config_files=[])
    conf.set_override("transport_url", "memory://")
    app = create_app(conf, EngineClient(RPCClient(lambda: transport.connect(conf), 1)))
    unlisted = [
        (route.path, method.method)
        for route in falcon.inspect.inspect_routes(app)
        for method in route.methods
        if not method.internal and route.path != "/"
        if (route.path, method.method) not in ROUTE_RULES
    ]
    assert unlisted == []
    registered = {rule.name for rule in policies.list_rules()}
    assert set(ROUTE_RULES.values()) <= registered
