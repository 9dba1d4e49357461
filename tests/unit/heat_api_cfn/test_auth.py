"""Authentication flavors and the cloudformation:<Action> rules, through the falcon app.

Requests refused here never reach the engine, so the app gets an engine that fails the
test if it is asked anything. The real Keystone round trip is in
tests/functional/test_cfn_auth.py.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlencode

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import falcon.testing
import pytest
from oslo_config import cfg

from common import config
from heat_api_cfn import app as cfn_app
from heat_api_cfn import ec2token

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
TEMPLATE = "heat_template_version: 2018-08-31\nresources: {}\n"


class UnaskedEngine:
    """An engine the requests of these tests must never reach."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the engine was asked {name}")


@pytest.fixture
def conf() -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    config.register_opts(conf)
    conf([], project="heat", default_config_files=[])
    return conf


def app_client(conf: cfg.ConfigOpts) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(cfn_app.create_app(conf, UnaskedEngine()))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def error_of(result: falcon.testing.Result) -> tuple[int, str, str]:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(result.content)
    ns = {"c": root.tag.partition("}")[0].lstrip("{")}
    return (
        result.status_code,
        root.findtext("c:Error/c:Code", namespaces=ns) or "",
        root.findtext("c:Error/c:Message", namespaces=ns) or "",
    )


def signed_post(client: falcon.testing.TestClient, params: dict[str, str]) -> Any:
    """POST /v1 signed by botocore's SigV4 signer, as boto3 sends it."""
    request = botocore.awsrequest.AWSRequest(
        method="POST",
        url="http://127.0.0.1:8000/v1",
        data=urlencode(params),
        headers=dict(FORM),
    )
    creds = botocore.credentials.Credentials("0123abcd", "secret")
    botocore.auth.SigV4Auth(creds, "cloudformation", "RegionOne").add_auth(request)
    prepared = request.prepare()
    return client.simulate_post("/v1", body=prepared.body, headers=dict(prepared.headers.items()))


@pytest.mark.parametrize("flavor", [None, "default", "standalone"])
def test_keystone_flavors_ask_for_a_signature(conf: cfg.ConfigOpts, flavor: str | None) -> None:
    conf.set_override("flavor", flavor, group="paste_deploy")

    result = app_client(conf).simulate_post("/v1", body="Action=ListStacks", headers=FORM)

    assert error_of(result) == (
        400,
        "IncompleteSignature",
        "The request signature does not conform to AWS standards",
    )


def test_unknown_flavor_stops_the_service(conf: cfg.ConfigOpts) -> None:
    conf.set_override("flavor", "custombackend", group="paste_deploy")

    with pytest.raises(ValueError, match="unknown flavor 'custombackend'"):
        cfn_app.create_app(conf, UnaskedEngine())


def test_unreachable_keystone_is_service_unavailable(conf: cfg.ConfigOpts) -> None:
    conf.set_override("flavor", "default", group="paste_deploy")
    conf.set_override("endpoint_override", f"http://127.0.0.1:{closed_port()}", "ec2authtoken")
    conf.set_override("timeout", 5, "ec2authtoken")

    result = signed_post(app_client(conf), {"Action": "ListStacks"})

    assert error_of(result) == (
        503,
        "ServiceUnavailable",
        "Service temporarily unavailable:The identity service could not be reached",
    )


def test_multi_cloud_without_clouds_says_so(conf: cfg.ConfigOpts) -> None:
    conf.set_override("flavor", "default", group="paste_deploy")
    conf.set_override("multi_cloud", True, "ec2authtoken")

    result = signed_post(app_client(conf), {"Action": "ListStacks"})

    status, code, message = error_of(result)
    assert (status, code) == (503, "ServiceUnavailable")
    assert "[ec2authtoken] names no Keystone" in message


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("http://ks:5000/v3", "http://ks:5000"),
        ("http://ks:5000/v3/", "http://ks:5000"),
        ("http://ks:5000/v2.0", "http://ks:5000"),
        ("http://ks:5000/v3/ec2tokens", "http://ks:5000"),
        ("http://ks/identity", "http://ks/identity"),
    ],
)
def test_keystone_urls_are_not_doubled_into_v3_v3(url: str, root: str) -> None:
    assert ec2token.keystone_root(url) == root


def test_legacy_allowed_auth_uris_each_become_a_keystone(conf: cfg.ConfigOpts) -> None:
    conf.set_override("multi_cloud", True, "ec2authtoken")
    conf.set_override("allowed_auth_uris", ["http://a:5000/v3", "http://b:5000"], "ec2authtoken")

    targets = ec2token.keystone_targets(conf)

    assert [t.ec2tokens_url() for t in targets] == [
        "http://a:5000/v3/ec2tokens",
        "http://b:5000/v3/ec2tokens",
    ]


def test_single_cloud_uses_the_deprecated_auth_uri_when_nothing_else_names_keystone(
    conf: cfg.ConfigOpts,
) -> None:
    conf.set_override("auth_uri", "http://ks:5000/v3", "ec2authtoken")

    (target,) = ec2token.keystone_targets(conf)

    assert target.ec2tokens_url() == "http://ks:5000/v3/ec2tokens"


# --- policy (noauth: X-Roles says who the caller is) -----------------------------


def noauth_post(conf: cfg.ConfigOpts, roles: str, **params: str) -> falcon.testing.Result:
    conf.set_override("flavor", "noauth", group="paste_deploy")
    headers = {**FORM, "X-Auth-User": "u", "X-Auth-Project": "p", "X-Roles": roles}
    return app_client(conf).simulate_post("/v1", body=urlencode(params), headers=headers)


@pytest.mark.parametrize(
    "action",
    [
        "CreateStack",
        "UpdateStack",
        "DeleteStack",
        "ListStacks",
        "DescribeStacks",
        "DescribeStackEvents",
        "DescribeStackResources",
        "ListStackResources",
        "GetTemplate",
        "ValidateTemplate",
        "EstimateTemplateCost",
        "CancelUpdateStack",
    ],
)
def test_stack_user_is_denied_what_upstream_denies(conf: cfg.ConfigOpts, action: str) -> None:
    result = noauth_post(conf, "heat_stack_user", Action=action, StackName="s")

    assert error_of(result) == (
        403,
        "AccessDenied",
        f"User is not authorized to perform action:Action {action} not allowed for user",
    )


def test_reader_may_read_but_not_create(conf: cfg.ConfigOpts) -> None:
    estimate = noauth_post(conf, "reader", Action="EstimateTemplateCost", TemplateBody=TEMPLATE)
    create = noauth_post(conf, "reader", Action="CreateStack", StackName="s", TemplateBody=TEMPLATE)

    assert estimate.status_code == 200
    assert error_of(create)[:2] == (403, "AccessDenied")


def test_unknown_action_is_invalid_before_any_policy(conf: cfg.ConfigOpts) -> None:
    result = noauth_post(conf, "heat_stack_user", Action="NoSuchAction")

    assert error_of(result)[:2] == (400, "InvalidAction")
