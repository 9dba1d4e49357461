"""The CloudFormation API with EC2 credentials verified by a real Keystone, as CFN users drive it.

heat-api-cfn runs with ``[paste_deploy] flavor = default`` and ``[ec2authtoken]`` set as
for upstream Heat 27 (the heat service user's password credentials and Keystone's URL).
Each user gets EC2 credentials from Keystone (``POST /v3/users/{id}/credentials/OS-EC2``,
what ``openstack ec2 credentials create`` does); boto3 and the AWS CLI sign with them
(signature version 4), and one test signs version 2 by hand.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
import botocore.config
import botocore.exceptions
import pytest
import requests
from harness import Deployment, own_deployment
from keystone import Account, Keystone

pytestmark = pytest.mark.functional

REGION = "RegionOne"
STATUS_TIMEOUT = 60.0
TEMPLATE = """\
heat_template_version: 2018-08-31
description: cfn over ec2 credentials
parameters:
  length: {type: number, default: 8}
resources:
  secret:
    type: OS::Heat::RandomString
    properties: {length: {get_param: length}}
  holder:
    type: OS::Heat::Value
    properties: {value: {get_attr: [secret, value]}}
outputs:
  secret: {value: {get_attr: [secret, value]}, description: the random string}
"""
AWS_CLI = Path(sys.executable).parent / "aws"


@dataclasses.dataclass(frozen=True)
class EC2Keys:
    """An EC2 credential of one user on one project."""

    access: str
    secret: str


def ec2_keys(keystone: Keystone, account: Account, creator: Account | None = None) -> EC2Keys:
    """New EC2 credentials for ``account``, as `openstack ec2 credentials create` makes them.

    ``creator`` (default: the account itself) is who asks Keystone; a user holding only
    heat_stack_user may not create its own, so an admin does it, as Heat does for stack users.
    """
    resp = keystone.session(creator or account).post(
        f"{keystone.url}/users/{account.user_id}/credentials/OS-EC2",
        json={"tenant_id": account.project_id},
    )
    credential = resp.json()["credential"]
    return EC2Keys(credential["access"], credential["secret"])


def cfn_client(heat: Deployment, keys: EC2Keys) -> Any:
    """boto3's CloudFormation client at ``http://127.0.0.1:<port>/v1``, no retries."""
    return boto3.client(
        "cloudformation",
        endpoint_url=f"{heat.cfn_url}/v1",
        region_name=REGION,
        aws_access_key_id=keys.access,
        aws_secret_access_key=keys.secret,
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def heat(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[Deployment]:
    """heat-api-cfn with the default flavor: EC2 signatures checked by Keystone."""
    with own_deployment(
        tmp_path_factory.mktemp("heat-cfn-ec2"),
        engines=1,
        paste_deploy={"flavor": "default"},
        ec2authtoken={
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
    ) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def demo_keys(keystone: Keystone) -> EC2Keys:
    return ec2_keys(keystone, keystone.demo)


@pytest.fixture
def demo(heat: Deployment, demo_keys: EC2Keys) -> Any:
    return cfn_client(heat, demo_keys)


def wait_for(client: Any, stack: str, status: str) -> dict[str, Any]:
    """The stack once it left IN_PROGRESS; fails unless it is then in ``status``."""
    deadline = time.monotonic() + STATUS_TIMEOUT
    while True:
        (found,) = client.describe_stacks(StackName=stack)["Stacks"]
        if not found["StackStatus"].endswith("IN_PROGRESS"):
            break
        assert time.monotonic() < deadline, f"{stack} still {found['StackStatus']}"
        time.sleep(0.2)
    assert found["StackStatus"] == status, found.get("StackStatusReason")
    return found


def new_name() -> str:
    return f"cfn{uuid.uuid4().hex[:10]}"


def create(client: Any, length: int = 8) -> tuple[str, str]:
    """Create a stack of TEMPLATE through boto3 and wait for it; its name and ARN."""
    name = new_name()
    arn = client.create_stack(
        StackName=name,
        TemplateBody=TEMPLATE,
        Parameters=[{"ParameterKey": "length", "ParameterValue": str(length)}],
    )["StackId"]
    wait_for(client, arn, "CREATE_COMPLETE")
    return name, arn


def error_of(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    """The HTTP status, AWS code and message botocore parsed from a refused call."""
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


# --- boto3 (signature version 4) ---------------------------------------------------


def test_boto3_drives_a_whole_stack_life_cycle(
    heat: Deployment, keystone: Keystone, demo: Any
) -> None:
    name, arn = create(demo, length=9)

    (stack,) = demo.describe_stacks(StackName=name)["Stacks"]
    assert stack["StackId"] == arn
    assert arn.startswith(f"arn:openstack:heat::{keystone.demo.project_id}:stacks/{name}/")
    assert len(stack["Outputs"][0]["OutputValue"]) == 9
    assert {"ParameterKey": "length", "ParameterValue": "9"} in stack["Parameters"]
    assert "TimeoutInMinutes" not in stack
    summaries = demo.list_stacks()["StackSummaries"]
    assert [s["StackStatus"] for s in summaries if s["StackName"] == name] == ["CREATE_COMPLETE"]
    resources = demo.describe_stack_resources(StackName=name)["StackResources"]
    assert sorted((r["LogicalResourceId"], r["ResourceType"]) for r in resources) == [
        ("holder", "OS::Heat::Value"),
        ("secret", "OS::Heat::RandomString"),
    ]
    events = demo.describe_stack_events(StackName=name)["StackEvents"]
    assert {e["LogicalResourceId"] for e in events} >= {"secret", "holder"}
    # botocore decodes a JSON TemplateBody into a mapping
    assert demo.get_template(StackName=name)["TemplateBody"]["resources"].keys() == {
        "secret",
        "holder",
    }
    validated = demo.validate_template(TemplateBody=TEMPLATE)
    assert validated["Parameters"][0]["ParameterKey"] == "length"
    assert demo.estimate_template_cost(TemplateBody=TEMPLATE)["Url"] == (
        "http://en.wikipedia.org/wiki/Gratis"
    )

    demo.update_stack(
        StackName=arn,
        UsePreviousTemplate=True,
        Parameters=[{"ParameterKey": "length", "ParameterValue": "4"}],
    )
    updated = wait_for(demo, arn, "UPDATE_COMPLETE")
    assert len(updated["Outputs"][0]["OutputValue"]) == 4

    # the engine got the EC2 token's user: the native API shows who owns the stack
    shown = requests.get(
        f"{heat.api_url}/v1/{keystone.demo.project_id}/stacks/{name}",
        headers={"X-Auth-Token": keystone.token(keystone.demo)},
        timeout=30,
    )
    assert shown.json()["stack"]["stack_owner"] == keystone.demo.username

    demo.delete_stack(StackName=arn)
    wait_for(demo, arn, "DELETE_COMPLETE")
    assert name not in [s["StackName"] for s in demo.list_stacks()["StackSummaries"]]


def test_a_wrong_secret_is_signature_does_not_match(heat: Deployment, demo_keys: EC2Keys) -> None:
    client = cfn_client(heat, EC2Keys(demo_keys.access, demo_keys.secret + "x"))

    assert error_of(client.list_stacks) == (
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided",
    )


def test_an_unknown_access_key_is_invalid_client_token_id(heat: Deployment) -> None:
    client = cfn_client(heat, EC2Keys(uuid.uuid4().hex, "secret"))

    status, code, _ = error_of(client.describe_stacks)
    assert (status, code) == (403, "InvalidClientTokenId")


def test_another_projects_stack_is_invisible(
    heat: Deployment, keystone: Keystone, demo: Any
) -> None:
    name, arn = create(demo)
    other = cfn_client(heat, ec2_keys(keystone, keystone.other))

    assert name not in [s["StackName"] for s in other.list_stacks()["StackSummaries"]]
    for stack in (name, arn):
        status, code, message = error_of(other.describe_stacks, StackName=stack)
        assert status in (400, 403, 404), message
        assert code in ("InvalidParameterValue", "AccessDenied")
    status, code, _ = error_of(other.delete_stack, StackName=arn)
    assert status in (400, 403)
    wait_for(demo, arn, "CREATE_COMPLETE")


def test_stack_user_is_denied_stack_creation(heat: Deployment, keystone: Keystone) -> None:
    client = cfn_client(heat, ec2_keys(keystone, keystone.stack_user, creator=keystone.admin))

    assert error_of(client.create_stack, StackName=new_name(), TemplateBody=TEMPLATE) == (
        403,
        "AccessDenied",
        "User is not authorized to perform action:Action CreateStack not allowed for user",
    )
    status, code, _ = error_of(client.list_stacks)
    assert (status, code) == (403, "AccessDenied")


# --- the AWS CLI ---------------------------------------------------------------------


def aws(heat: Deployment, keys: EC2Keys, home: Path, *args: str) -> Any:
    """Run ``aws cloudformation <args>`` with ``keys``; its JSON answer."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": keys.access,
        "AWS_SECRET_ACCESS_KEY": keys.secret,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_MAX_ATTEMPTS": "1",
    }
    result = subprocess.run(
        [str(AWS_CLI), "cloudformation", *args, "--endpoint-url", f"{heat.cfn_url}/v1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_aws_cli_creates_and_describes_a_stack(
    heat: Deployment, demo_keys: EC2Keys, demo: Any, tmp_path: Path
) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text(TEMPLATE)
    name = new_name()

    created = aws(
        heat,
        demo_keys,
        tmp_path,
        "create-stack",
        "--stack-name",
        name,
        "--template-body",
        f"file://{template}",
        "--parameters",
        "ParameterKey=length,ParameterValue=5",
    )
    wait_for(demo, created["StackId"], "CREATE_COMPLETE")
    described = aws(heat, demo_keys, tmp_path, "describe-stacks", "--stack-name", name)

    (stack,) = described["Stacks"]
    assert stack["StackId"] == created["StackId"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert len(stack["Outputs"][0]["OutputValue"]) == 5


# --- signature version 2, by hand ----------------------------------------------------


def sigv2_query(url: str, keys: EC2Keys, params: dict[str, str], when: datetime.datetime) -> str:
    """``params`` with a version 2 signature (HmacSHA256) for GET ``url``, as a query string."""
    parts = urlsplit(url)
    signed = {
        **params,
        "AWSAccessKeyId": keys.access,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    query = "&".join(
        f"{quote(k, safe='')}={quote(v, safe='-_~')}" for k, v in sorted(signed.items())
    )
    to_sign = f"GET\n{parts.netloc}\n{parts.path}\n{query}"
    digest = hmac.new(keys.secret.encode(), to_sign.encode(), hashlib.sha256).digest()
    return f"{query}&Signature={quote(base64.b64encode(digest).decode(), safe='')}"


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def test_hand_signed_v2_request_works(heat: Deployment, demo_keys: EC2Keys, demo: Any) -> None:
    name, _ = create(demo)
    url = f"{heat.cfn_url}/v1/"
    query = sigv2_query(url, demo_keys, {"Action": "DescribeStacks", "StackName": name}, now())

    resp = requests.get(f"{url}?{query}", timeout=30)

    assert resp.status_code == 200, resp.text
    assert f"<StackName>{name}</StackName>" in resp.text
    assert "<StackStatus>CREATE_COMPLETE</StackStatus>" in resp.text


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (
            lambda q: q.replace("Action=DescribeStacks", "Action=DeleteStack"),
            "SignatureDoesNotMatch",
        ),
        (lambda q: q.replace("StackName=", "StackName=x"), "SignatureDoesNotMatch"),
    ],
    ids=["action", "stack-name"],
)
def test_tampered_v2_request_is_refused(
    heat: Deployment, demo_keys: EC2Keys, demo: Any, tamper: Any, code: str
) -> None:
    name, arn = create(demo)
    url = f"{heat.cfn_url}/v1/"
    query = sigv2_query(url, demo_keys, {"Action": "DescribeStacks", "StackName": name}, now())

    resp = requests.get(f"{url}?{tamper(query)}", timeout=30)

    assert resp.status_code == 403
    assert f"<Code>{code}</Code>" in resp.text
    wait_for(demo, arn, "CREATE_COMPLETE")  # a tampered DeleteStack did nothing


def test_v2_request_signed_long_ago_is_expired(heat: Deployment, demo_keys: EC2Keys) -> None:
    url = f"{heat.cfn_url}/v1/"
    long_ago = now() - datetime.timedelta(hours=1)
    query = sigv2_query(url, demo_keys, {"Action": "ListStacks"}, long_ago)

    resp = requests.get(f"{url}?{query}", timeout=30)

    assert resp.status_code == 400
    assert "<Code>RequestExpired</Code>" in resp.text
    assert "more than 15 minutes from now" in resp.text


def test_request_without_signature_is_incomplete(heat: Deployment) -> None:
    resp = requests.post(f"{heat.cfn_url}/v1", data={"Action": "ListStacks"}, timeout=30)

    assert resp.status_code == 400
    assert "<Code>IncompleteSignature</Code>" in resp.text


# --- an older heat.conf: only [ec2authtoken] auth_uri --------------------------------


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory, keystone: Keystone) -> Iterator[Deployment]:
    """heat-api-cfn configured as for Heat 26: ``auth_uri`` and no auth options there."""
    with own_deployment(
        tmp_path_factory.mktemp("heat-cfn-legacy"),
        engines=1,
        paste_deploy={"flavor": "default"},
        ec2authtoken={"auth_uri": f"{keystone.url}/ec2tokens"},
        **keystone.authtoken_conf(),
    ) as deployment:
        yield deployment


def test_older_ec2authtoken_section_works_with_the_service_credentials(
    legacy: Deployment, keystone: Keystone, demo_keys: EC2Keys
) -> None:
    client = cfn_client(legacy, demo_keys)
    name, arn = create(client)

    assert arn.startswith(f"arn:openstack:heat::{keystone.demo.project_id}:stacks/{name}/")
    assert error_of(cfn_client(legacy, EC2Keys(demo_keys.access, "wrong")).list_stacks)[1] == (
        "SignatureDoesNotMatch"
    )
