"""Wait conditions signalled from "instances" with curl, against a real Keystone.

heat-api checks tokens (auth_token) and heat-api-cfn EC2 signatures (ec2token), both
with the Keystone fixture; handles make their users in its ``heat`` stack domain. A
WaitConditionHandle's URL is pre-signed with its user's EC2 keypair and heat-api-cfn
has Keystone verify it; an OS::Heat::WaitConditionHandle's curl_cli carries its user's
token for the native API. The URLs point at this deployment's ports through
``heat_waitcondition_server_url`` and ``[clients_heat] url``, as an operator sets them.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import shlex
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import boto3
import botocore.config
import pytest
import requests
from harness import (
    Deployment,
    HeatHTTP,
    free_port,
    fresh_database,
    fresh_vhost,
    render_conf,
    running,
    standard_conf,
    wait_until,
)
from keystone import Account, Keystone

from heat_engine.resources import signal_url

pytestmark = pytest.mark.functional

TIMEOUT = 60.0
CURL_TIMEOUT = 30
SIGNAL = {"Status": "SUCCESS", "Reason": "ok", "UniqueId": "1", "Data": "hello"}
AWS_TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
        "wait": {
            "Type": "AWS::CloudFormation::WaitCondition",
            "Properties": {"Handle": {"Ref": "handle"}, "Timeout": 300},
        },
    },
    "Outputs": {
        "url": {"Value": {"Ref": "handle"}},
        "data": {"Value": {"Fn::GetAtt": ["wait", "Data"]}},
    },
}


@contextlib.contextmanager
def deployment_at_known_ports(
    workdir: Path, keystone: Keystone, engines: int = 1
) -> Iterator[Deployment]:
    """A deployment whose ports are chosen first, so heat.conf can name them."""
    with fresh_database() as database, fresh_vhost() as vhost:
        api_port, cfn_port = free_port(), free_port()
        sections = standard_conf(database, vhost, api_port, cfn_port)
        overrides: dict[str, dict[str, Any]] = {
            "DEFAULT": {
                **keystone.stack_domain_conf(),
                "heat_waitcondition_server_url": f"http://127.0.0.1:{cfn_port}/v1/waitcondition",
            },
            "clients_heat": {"url": f"http://127.0.0.1:{api_port}/v1/%(tenant_id)s"},
            "paste_deploy": {"flavor": "default"},
            "ec2authtoken": {
                "auth_type": "password",
                "auth_url": keystone.url,
                "username": keystone.heat.username,
                "password": keystone.heat.password,
                "project_name": keystone.heat.project_name,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
                "endpoint_override": keystone.url.removesuffix("/v3"),
            },
            **keystone.authtoken_conf(),
            **keystone.trustee_conf(),
        }
        for section, options in overrides.items():
            sections.setdefault(section, {}).update(options)
        conf = workdir / "heat.conf"
        conf.write_text(render_conf(sections))
        deployment = Deployment(workdir, conf, api_port, cfn_port, database, vhost)
        with running(deployment, engines):
            yield deployment


@pytest.fixture(scope="module")
def heat(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[Deployment]:
    with deployment_at_known_ports(tmp_path_factory.mktemp("heat-wait"), keystone) as deployment:
        yield deployment


def client_of(heat: Deployment, keystone: Keystone, account: Account) -> tuple[HeatHTTP, str]:
    """The native API as ``account`` with a token of its own; the client and the token."""
    token = keystone.token(account)
    client = HeatHTTP(heat.api_url, account.project_id)
    client.session.headers.pop("X-Auth-User")
    client.session.headers.pop("X-Auth-Project")
    client.session.headers["X-Auth-Token"] = token
    return client, token


def admin_get(keystone: Keystone, path: str, **params: Any) -> requests.Response:
    return requests.get(
        keystone.url + path,
        headers={"X-Auth-Token": keystone.token(keystone.admin)},
        params=params,
        timeout=30,
    )


def curl(*args: str) -> tuple[int, str]:
    """Run curl as an instance would; the HTTP status and the body."""
    done = subprocess.run(
        ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", *args],
        capture_output=True,
        text=True,
        timeout=CURL_TIMEOUT,
        check=True,
    )
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


def put_signal(url: str, signal: dict[str, Any] = SIGNAL) -> tuple[int, str]:
    return curl(
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        json.dumps(signal),
        url,
    )


def waiting_stack(client: HeatHTTP, template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Create a stack and wait until its wait condition waits; its URL and outputs."""
    url = client.create_stack(f"w{uuid.uuid4().hex[:10]}", template)

    def waiting() -> bool:
        resp = client.get(f"{url}/resources/wait")
        return resp.status_code == 200 and (
            resp.json()["resource"]["resource_status"] == "CREATE_IN_PROGRESS"
        )

    wait_until(waiting, TIMEOUT, "the wait condition to wait")
    return url, outputs(client, url)


def outputs(client: HeatHTTP, url: str) -> dict[str, Any]:
    resp = client.get(f"{url}/outputs", allow_redirects=True)
    assert resp.status_code == 200, resp.text
    keys = [o["output_key"] for o in resp.json()["outputs"]]
    return {
        key: client.get(f"{url}/outputs/{key}").json()["output"].get("output_value") for key in keys
    }


def stack_user_of(keystone: Keystone, access: str) -> dict[str, Any]:
    """The EC2 credential with access key ``access``, as Keystone keeps it."""
    found = admin_get(keystone, "/credentials", type="ec2").json()["credentials"]
    (credential,) = [c for c in found if json.loads(c["blob"])["access"] == access]
    return dict(credential)


def resigned(url: str, secret: str, **params: str) -> str:
    """``url`` signed again with ``secret`` after changing its parameters to ``params``."""
    parts = urlsplit(url)
    query = {k: v for k, v in parse_qsl(parts.query) if k != "Signature"}
    query.update(params)
    query = {k: v for k, v in query.items() if v}
    path = quote(unquote(parts.path), safe=signal_url.PATH_SAFE)
    query["Signature"] = signal_url.sign_v2(secret, "PUT", parts.netloc, path, query)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


# --- AWS::CloudFormation::WaitConditionHandle ------------------------------------------


def test_handle_url_signalled_with_curl_completes_the_wait_condition(
    heat: Deployment, keystone: Keystone
) -> None:
    client, _ = client_of(heat, keystone, keystone.demo)
    url, out = waiting_stack(client, AWS_TEMPLATE)
    handle_url = out["url"]
    parts = urlsplit(handle_url)
    assert f"{parts.scheme}://{parts.netloc}" == heat.cfn_url
    assert parts.path.startswith("/v1/waitcondition/arn%3Aopenstack%3Aheat%3A%3A")
    params = dict(parse_qsl(parts.query))
    assert params.keys() == {
        "AWSAccessKeyId",
        "Expires",
        "SignatureMethod",
        "SignatureVersion",
        "Signature",
    }
    credential = stack_user_of(keystone, params["AWSAccessKeyId"])
    user = admin_get(keystone, f"/users/{credential['user_id']}").json()["user"]
    assert user["domain_id"] == keystone.stack_domain_id  # a stack domain user, not demo

    status, body = put_signal(handle_url)
    assert status == 200, body
    assert json.loads(body) == {
        "resource": "handle",
        "metadata": {"1": {"Status": "SUCCESS", "Reason": "ok", "Data": "hello"}},
    }
    client.wait_for_status(url, "CREATE_COMPLETE", TIMEOUT)
    assert json.loads(outputs(client, url)["data"]) == {"1": "hello"}
    metadata = client.get(f"{url}/resources/handle/metadata").json()["metadata"]
    assert metadata == {"1": {"Status": "SUCCESS", "Reason": "ok", "Data": "hello"}}

    assert client.delete(url).status_code == 204
    client.wait_for_status(url, "DELETE_COMPLETE", TIMEOUT)
    assert admin_get(keystone, f"/users/{credential['user_id']}").status_code == 404
    assert admin_get(keystone, f"/credentials/{credential['id']}").status_code == 404


def tamper(url: str, where: str) -> str:
    """``url`` with one character changed in its Signature, path or Expires."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    if where == "signature":
        signature = params["Signature"]
        params["Signature"] = ("A" if signature[0] != "A" else "B") + signature[1:]
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(params)}"
    if where == "path":
        return f"{parts.scheme}://{parts.netloc}{parts.path[:-1]}X?{parts.query}"
    expires = params["Expires"]  # ...:SSZ: change a digit of the seconds
    params["Expires"] = expires[:-2] + ("1" if expires[-2] != "1" else "2") + expires[-1:]
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(params)}"


@pytest.mark.parametrize("where", ["signature", "path", "expires"])
def test_tampered_url_is_refused_with_403(heat: Deployment, keystone: Keystone, where: str) -> None:
    client, _ = client_of(heat, keystone, keystone.demo)
    url, out = waiting_stack(client, AWS_TEMPLATE)
    status, body = put_signal(tamper(out["url"], where))
    assert status == 403, body
    assert "<ErrorResponse" in body and "<Type>Sender</Type>" in body
    assert client.get(f"{url}/resources/handle/metadata").json()["metadata"] == {}
    assert put_signal(out["url"])[0] == 200  # the real one still works
    client.wait_for_status(url, "CREATE_COMPLETE", TIMEOUT)
    assert client.delete(url).status_code == 204


@pytest.mark.parametrize(
    "params",
    [
        # past its Expires (the form this service signs)
        {"Expires": "2020-01-01T00:00:00Z"},
        # upstream's form: a Timestamp, which Keystone refuses after [credential] auth_ttl
        {"Expires": "", "Timestamp": "2020-01-01T00:00:00Z"},
    ],
)
def test_expired_url_is_refused_with_403(
    heat: Deployment, keystone: Keystone, params: dict[str, str]
) -> None:
    client, _ = client_of(heat, keystone, keystone.demo)
    url, out = waiting_stack(client, AWS_TEMPLATE)
    access = dict(parse_qsl(urlsplit(out["url"]).query))["AWSAccessKeyId"]
    secret = json.loads(stack_user_of(keystone, access)["blob"])["secret"]
    status, body = put_signal(resigned(out["url"], secret, **params))
    assert status == 403, body
    assert "<Code>AccessDenied</Code>" in body and "expired" in body
    assert client.get(f"{url}/resources/handle/metadata").json()["metadata"] == {}
    assert client.delete(url).status_code == 204


def test_boto3_creates_a_stack_with_a_handle_no_trust_needed(
    heat: Deployment, keystone: Keystone
) -> None:
    """Through the CloudFormation API with EC2 keys (which cannot make trusts)."""
    demo = keystone.demo
    credential = (
        keystone.session(demo)
        .post(
            f"{keystone.url}/users/{demo.user_id}/credentials/OS-EC2",
            json={"tenant_id": demo.project_id},
        )
        .json()["credential"]
    )
    cfn = boto3.client(
        "cloudformation",
        endpoint_url=f"{heat.cfn_url}/v1",
        region_name="RegionOne",
        aws_access_key_id=credential["access"],
        aws_secret_access_key=credential["secret"],
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )
    name = f"cfn{uuid.uuid4().hex[:8]}"
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(AWS_TEMPLATE))

    def handle_url() -> str | None:
        (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
        found = [o["OutputValue"] for o in stack.get("Outputs", []) if o["OutputKey"] == "url"]
        return found[0] if found and found[0].startswith("http") else None

    status, body = put_signal(wait_until(handle_url, TIMEOUT, "the handle's URL"))
    assert status == 200, body

    def settled() -> dict[str, Any] | None:
        (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
        return None if stack["StackStatus"].endswith("IN_PROGRESS") else stack

    stack = wait_until(settled, TIMEOUT, f"{name} to settle")
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    outputs_by_key = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert json.loads(outputs_by_key["data"]) == {"1": "hello"}
    cfn.delete_stack(StackName=name)


# --- OS::Heat::WaitConditionHandle (TOKEN_SIGNAL) -----------------------------------------


def test_token_handle_signalled_with_its_curl_cli(heat: Deployment, keystone: Keystone) -> None:
    client, _ = client_of(heat, keystone, keystone.demo)
    template = {
        "heat_template_version": "2018-08-31",
        "resources": {
            "handle": {"type": "OS::Heat::WaitConditionHandle"},
            "wait": {
                "type": "OS::Heat::WaitCondition",
                "properties": {"handle": {"get_resource": "handle"}, "timeout": 300},
            },
        },
        "outputs": {
            "curl_cli": {"value": {"get_attr": ["handle", "curl_cli"]}},
            "endpoint": {"value": {"get_attr": ["handle", "endpoint"]}},
            "data": {"value": {"get_attr": ["wait", "data"]}},
        },
    }
    url, out = waiting_stack(client, template)
    endpoint = urlsplit(out["endpoint"])
    assert f"{endpoint.scheme}://{endpoint.netloc}" == heat.api_url
    project = endpoint.path.split("/")[2]
    assert project != keystone.demo.project_id  # the stack's user project
    assert out["curl_cli"].startswith("curl -i -X POST -H 'X-Auth-Token: ")

    argv = shlex.split(out["curl_cli"])[1:]
    status, body = curl(*argv, "--data-binary", '{"status": "SUCCESS", "data": "tok"}')
    assert status == 200, body
    client.wait_for_status(url, "CREATE_COMPLETE", TIMEOUT)
    assert json.loads(outputs(client, url)["data"]) == {"1": "tok"}
    assert client.delete(url).status_code == 204
    client.wait_for_status(url, "DELETE_COMPLETE", TIMEOUT)


# --- deferred work after the user's token is revoked ----------------------------------------


def test_signal_after_the_users_token_is_revoked_goes_on_with_the_trust(
    heat: Deployment, keystone: Keystone
) -> None:
    """The signal arrives later, as from an instance; what it lets run (a Keystone role)
    is created with the stack's trust, the owner's own token being dead by then."""
    client, token = client_of(heat, keystone, keystone.admin)
    role = f"r{uuid.uuid4().hex[:8]}"
    template = json.loads(json.dumps(AWS_TEMPLATE))
    template["Resources"]["role"] = {
        "Type": "OS::Keystone::Role",
        "Properties": {"name": role},
        "DependsOn": "wait",
    }
    url, out = waiting_stack(client, template)
    keystone.revoke(token)
    assert client.get(url).status_code == 401  # the owner's token is refused now

    status, body = put_signal(out["url"])
    assert status == 200, body
    client.session.headers["X-Auth-Token"] = keystone.token(keystone.admin)
    client.wait_for_status(url, "CREATE_COMPLETE", TIMEOUT)
    assert [r["name"] for r in admin_get(keystone, "/roles", name=role).json()["roles"]] == [role]
    assert client.delete(url).status_code == 204
    client.wait_for_status(url, "DELETE_COMPLETE", TIMEOUT)
    assert admin_get(keystone, "/roles", name=role).json()["roles"] == []


def test_expiry_is_a_day_ahead(heat: Deployment, keystone: Keystone) -> None:
    client, _ = client_of(heat, keystone, keystone.demo)
    url, out = waiting_stack(client, AWS_TEMPLATE)
    expires = datetime.datetime.fromisoformat(
        dict(parse_qsl(urlsplit(out["url"]).query))["Expires"]
    )
    left = expires - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(hours=23) < left <= datetime.timedelta(days=1)
    assert client.delete(url).status_code == 204
