"""The CFN query API through falcon's test client, answers read by botocore's own parser.

The engine is ``RecordingEngine``: the real engine is in progress elsewhere, so this
minimal stand-in answers the few EngineClient calls the actions make, in the engine's
record shapes (as upstream's capture shows them), and records what it was asked.
"""

from __future__ import annotations

import threading
import wsgiref.simple_server
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import boto3
import botocore.config
import botocore.exceptions
import botocore.parsers
import botocore.session
import falcon
import falcon.testing
import pytest
from oslo_config import cfg

from common import config, exception
from heat_api_cfn import app as cfn_app
from heat_api_cfn import xml

TENANT = "55479e92512d49bfaf83586513756f69"
SHAPE_ID = "74eb469d-a66b-4322-8a85-d05487f3d07b"
NOTIMEOUT_ID = "7eb29112-4d9b-4096-9bd2-784b4e203794"
SHAPE_ARN = f"arn:openstack:heat::{TENANT}:stacks/cfnshape/{SHAPE_ID}"
NOTIMEOUT_ARN = f"arn:openstack:heat::{TENANT}:stacks/cfnnotimeout/{NOTIMEOUT_ID}"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
SHAPE_TEMPLATE = """\
heat_template_version: 2018-08-31
description: shape test
parameters:
  length: {type: number, default: 12}
resources:
  rand:
    type: OS::Heat::RandomString
    properties: {length: {get_param: length}}
outputs:
  out_rand: {value: {get_attr: [rand, value]}, description: the random}
"""
SERVICE_MODEL = botocore.session.get_session().get_service_model("cloudformation")


def identity(name: str, stack_id: str) -> dict[str, str]:
    return {"stack_name": name, "stack_id": stack_id, "tenant": TENANT, "path": ""}


def stack_record(name: str, stack_id: str, timeout_mins: int | None) -> dict[str, Any]:
    """A stack as the engine's show_stack returns it over RPC."""
    return {
        "id": stack_id,
        "stack_name": name,
        "stack_identity": identity(name, stack_id),
        "description": "shape test",
        "template_description": "shape test",
        "stack_status": "CREATE_COMPLETE",
        "stack_status_reason": "Stack CREATE completed successfully",
        "creation_time": "2026-11-25T13:15:52Z",
        "updated_time": None,
        "deletion_time": None,
        "parameters": {"OS::stack_name": name, "length": "9", "secret": "******"},
        "outputs": [
            {"output_key": "out_rand", "output_value": "RNFPl8KC5", "description": "the random"},
            {"output_key": "out_map", "output_value": {"a": [1, 2]}, "description": "a map"},
        ],
        "timeout_mins": timeout_mins,
        "disable_rollback": True,
        "capabilities": [],
        "notification_topics": [],
        "tags": [],
        "stack_owner": "admin",
        "parent": None,
        "project": TENANT,
    }


def resource_record(name: str) -> dict[str, Any]:
    return {
        "resource_name": name,
        "physical_resource_id": f"cfnshape-{name}-c2eejmp7at7r",
        "resource_status": "CREATE_COMPLETE",
        "resource_status_reason": "state changed",
        "resource_type": "OS::Heat::RandomString",
        "stack_identity": identity("cfnshape", SHAPE_ID),
        "stack_name": "cfnshape",
        "creation_time": "2026-11-25T13:15:52Z",
        "updated_time": "2026-11-25T13:15:52Z",
        "description": "",
        "metadata": {"k": "v"},
    }


class RecordingEngine:
    """The EngineClient calls the CFN actions make, over two canned stacks; records each call."""

    def __init__(self) -> None:
        self.stacks = {
            "cfnshape": stack_record("cfnshape", SHAPE_ID, 60),
            "cfnnotimeout": stack_record("cfnnotimeout", NOTIMEOUT_ID, None),
        }
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []
        self.failure: BaseException | None = None

    def _record(self, method: str, ctx: Any, **args: Any) -> None:
        self.calls.append((method, ctx, args))
        if self.failure is not None:
            raise self.failure

    def _find(self, name_or_id: str) -> dict[str, Any]:
        for stack in self.stacks.values():
            if name_or_id in (stack["stack_name"], stack["id"]):
                return stack
        raise exception.EntityNotFound(entity="Stack", name=name_or_id)

    def identify_stack(self, ctx: Any, stack_name: str) -> dict[str, str]:
        self._record("identify_stack", ctx, stack_name=stack_name)
        return self._find(stack_name)["stack_identity"]

    def list_stacks(self, ctx: Any, **params: Any) -> list[dict[str, Any]]:
        self._record("list_stacks", ctx, **params)
        return list(self.stacks.values())

    def show_stack(self, ctx: Any, stack_identity: Any, resolve_outputs: bool = True) -> list:
        self._record("show_stack", ctx, stack_identity=stack_identity)
        if stack_identity is None:
            return list(self.stacks.values())
        return [self._find(stack_identity["stack_id"])]

    def create_stack(self, ctx, stack_name, template, params, files, args) -> dict[str, str]:
        self._record(
            "create_stack", ctx, stack_name=stack_name, template=template, params=params, args=args
        )
        if stack_name in self.stacks:
            raise exception.StackExists(stack_name=stack_name)
        return identity(stack_name, "0c4a4d1b-1111-4222-8333-444455556666")

    def delete_stack(self, ctx: Any, stack_identity: dict[str, str]) -> None:
        self._record("delete_stack", ctx, stack_identity=stack_identity)

    def get_template(self, ctx: Any, stack_identity: dict[str, str]) -> dict[str, Any]:
        self._record("get_template", ctx, stack_identity=stack_identity)
        return {"heat_template_version": "2018-08-31", "resources": {}}

    def list_stack_resources(self, ctx: Any, stack_identity: dict[str, str]) -> list:
        self._record("list_stack_resources", ctx, stack_identity=stack_identity)
        return [resource_record("rand"), resource_record("test")]

    def describe_stack_resources(self, ctx: Any, stack_identity: Any, resource_name: Any) -> list:
        self._record("describe_stack_resources", ctx, resource_name=resource_name)
        return [resource_record("rand")]

    def describe_stack_resource(self, ctx: Any, stack_identity: Any, resource_name: str) -> dict:
        self._record("describe_stack_resource", ctx, resource_name=resource_name)
        return resource_record(resource_name)

    def list_events(self, ctx: Any, stack_identity: Any) -> list[dict[str, Any]]:
        self._record("list_events", ctx, stack_identity=stack_identity)
        event_path = "/resources/rand/events/5e734e08-0ab1-4f33-8f5f-85d97a6c4e22"
        return [
            {
                "event_identity": {**identity("cfnshape", SHAPE_ID), "path": event_path},
                "stack_identity": identity("cfnshape", SHAPE_ID),
                "stack_name": "cfnshape",
                "event_time": "2026-11-25T13:15:52Z",
                "resource_name": "rand",
                "physical_resource_id": "cfnshape-rand-c2eejmp7at7r",
                "resource_action": "CREATE",
                "resource_status": "COMPLETE",
                "resource_status_reason": "state changed",
                "resource_type": "OS::Heat::RandomString",
            }
        ]


@pytest.fixture
def conf() -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    config.register_opts(conf)
    conf([], project="heat", default_config_files=[])
    conf.set_override("flavor", "noauth", group="paste_deploy")
    return conf


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
def client(conf: cfg.ConfigOpts, engine: RecordingEngine) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(cfn_app.create_app(conf, engine))


def post(client: falcon.testing.TestClient, path: str = "/v1/", **params: str):
    return client.simulate_post(path, body=urlencode(params), headers=FORM)


def parse(result: falcon.testing.Result, action: str) -> dict[str, Any]:
    """The answer as boto3 would see it, parsed by botocore's query parser."""
    shape = SERVICE_MODEL.operation_model(action).output_shape
    response = {
        "body": result.content,
        "headers": dict(result.headers),
        "status_code": result.status_code,
    }
    return botocore.parsers.create_parser("query").parse(response, shape)


def assert_no_python_literals(result: falcon.testing.Result) -> None:
    for text in ElementTree.fromstring(result.content).itertext():
        assert text not in ("None", "True", "False")


@pytest.mark.parametrize("path", ["/v1", "/v1/", "/"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_api_answers_on_every_endpoint_form(client, path, method):
    if method == "GET":
        result = client.simulate_get(path, query_string="Action=ListStacks&Version=2010-05-15")
    else:
        result = post(client, path, Action="ListStacks", Version="2010-05-15")

    assert result.status_code == 200
    assert result.headers["content-type"] == xml.CONTENT_TYPE
    assert len(parse(result, "ListStacks")["StackSummaries"]) == 2


def test_answers_carry_namespace_and_request_id(client):
    result = post(client, Action="ListStacks")

    root = ElementTree.fromstring(result.content)
    assert root.tag == f"{{{xml.NAMESPACE}}}ListStacksResponse"
    request_id = parse(result, "ListStacks")["ResponseMetadata"]["RequestId"]
    assert request_id.startswith("req-")
    assert result.headers["x-openstack-request-id"] == request_id


def test_list_stacks_gives_summaries_without_unset_times(client, engine):
    result = post(client, Action="ListStacks")

    summaries = parse(result, "ListStacks")["StackSummaries"]
    assert_no_python_literals(result)
    assert [s["StackId"] for s in summaries] == [SHAPE_ARN, NOTIMEOUT_ARN]
    assert summaries[0]["StackStatus"] == "CREATE_COMPLETE"
    assert summaries[0]["StackStatusReason"] == "Stack CREATE completed successfully"
    assert summaries[0]["CreationTime"].isoformat() == "2026-11-25T13:15:52+00:00"
    assert "LastUpdatedTime" not in summaries[0]
    assert "DeletionTime" not in summaries[0]
    assert engine.calls[0][1].tenant_id == "admin"


def test_list_stacks_with_no_stacks_is_an_empty_list(client, engine):
    engine.stacks.clear()

    result = post(client, Action="ListStacks")

    assert parse(result, "ListStacks")["StackSummaries"] == []


@pytest.mark.parametrize(
    ("stack_name", "timeout"),
    [("cfnshape", 60), ("cfnnotimeout", None), (SHAPE_ARN, 60), (SHAPE_ID, 60)],
)
def test_describe_stacks_reads_cleanly_with_and_without_timeout(client, stack_name, timeout):
    result = post(client, Action="DescribeStacks", StackName=stack_name)

    (stack,) = parse(result, "DescribeStacks")["Stacks"]
    assert_no_python_literals(result)
    assert stack.get("TimeoutInMinutes") == timeout
    assert stack["DisableRollback"] is True
    assert "LastUpdatedTime" not in stack
    assert stack["Description"] == "shape test"
    assert stack["Parameters"][1] == {"ParameterKey": "length", "ParameterValue": "9"}
    assert stack["Outputs"] == [
        {"OutputKey": "out_rand", "OutputValue": "RNFPl8KC5", "Description": "the random"},
        {"OutputKey": "out_map", "OutputValue": '{"a": [1, 2]}', "Description": "a map"},
    ]


def test_describe_stacks_by_arn_needs_no_lookup(client, engine):
    post(client, Action="DescribeStacks", StackName=SHAPE_ARN)

    assert [call[0] for call in engine.calls] == ["show_stack"]
    assert engine.calls[0][2]["stack_identity"] == identity("cfnshape", SHAPE_ID)


def test_describe_stacks_without_name_describes_all(client, engine):
    result = post(client, Action="DescribeStacks")

    assert len(parse(result, "DescribeStacks")["Stacks"]) == 2
    assert engine.calls[0][2]["stack_identity"] is None


def test_create_stack_parses_the_template_and_returns_the_arn(client, engine):
    result = post(
        client,
        Action="CreateStack",
        StackName="cfncreate",
        TemplateBody=SHAPE_TEMPLATE,
        TimeoutInMinutes="60",
        DisableRollback="false",
        **{
            "Parameters.member.1.ParameterKey": "length",
            "Parameters.member.1.ParameterValue": "9",
        },
    )

    stack_id = parse(result, "CreateStack")["StackId"]
    assert (
        stack_id
        == f"arn:openstack:heat::{TENANT}:stacks/cfncreate/0c4a4d1b-1111-4222-8333-444455556666"
    )
    method, _, args = engine.calls[0]
    assert method == "create_stack"
    assert args["template"]["heat_template_version"] == "2018-08-31"
    assert args["params"] == {"parameters": {"length": "9"}}
    assert args["args"] == {"timeout_mins": 60, "disable_rollback": False}


def test_create_stack_accepts_a_json_cfn_template_and_on_failure(client, engine):
    body = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}'

    result = post(
        client, Action="CreateStack", StackName="cfnjson", TemplateBody=body, OnFailure="DO_NOTHING"
    )

    assert result.status_code == 200
    assert engine.calls[0][2]["template"] == {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {},
    }
    assert engine.calls[0][2]["args"] == {"disable_rollback": True}


def test_delete_stack_deletes_the_identified_stack(client, engine):
    result = post(client, Action="DeleteStack", StackName="cfnnotimeout")

    assert result.status_code == 200
    assert parse(result, "DeleteStack")["ResponseMetadata"]["RequestId"].startswith("req-")
    assert engine.calls[-1][0] == "delete_stack"
    assert engine.calls[-1][2]["stack_identity"] == identity("cfnnotimeout", NOTIMEOUT_ID)


def test_resources_events_and_template_read_cleanly(client):
    resources = parse(
        post(client, Action="DescribeStackResources", StackName="cfnshape"),
        "DescribeStackResources",
    )["StackResources"]
    summaries = parse(
        post(client, Action="ListStackResources", StackName="cfnshape"), "ListStackResources"
    )["StackResourceSummaries"]
    detail = parse(
        post(client, Action="DescribeStackResource", StackName="cfnshape", LogicalResourceId="x"),
        "DescribeStackResource",
    )["StackResourceDetail"]
    events = parse(
        post(client, Action="DescribeStackEvents", StackName="cfnshape"), "DescribeStackEvents"
    )["StackEvents"]
    template = parse(post(client, Action="GetTemplate", StackName="cfnshape"), "GetTemplate")

    assert resources[0]["StackId"] == SHAPE_ARN
    assert resources[0]["ResourceStatus"] == "CREATE_COMPLETE"
    assert [s["LogicalResourceId"] for s in summaries] == ["rand", "test"]
    assert detail["Metadata"] == '{"k": "v"}'
    assert events[0]["EventId"] == "5e734e08-0ab1-4f33-8f5f-85d97a6c4e22"
    assert events[0]["ResourceStatus"] == "CREATE_COMPLETE"
    assert "ResourceProperties" not in events[0]
    assert template["TemplateBody"] == '{"heat_template_version": "2018-08-31", "resources": {}}'


ERROR_CASES = [
    (
        {"Action": "DescribeStacks", "StackName": "nosuch"},
        400,
        "InvalidParameterValue",
        "A bad or out-of-range value was supplied:The Stack (nosuch) could not be found.",
    ),
    (
        {"Action": "DeleteStack", "StackName": "nosuch"},
        400,
        "InvalidParameterValue",
        "A bad or out-of-range value was supplied:The Stack (nosuch) could not be found.",
    ),
    (
        {"Action": "CreateStack", "StackName": "cfnshape", "TemplateBody": SHAPE_TEMPLATE},
        400,
        "AlreadyExists",
        "Resource with the name requested already exists:The Stack (cfnshape) already exists.",
    ),
    (
        {"Action": "CreateStack", "StackName": "cfnbad", "TemplateBody": "foo: ["},
        400,
        "InvalidParameterValue",
        "A bad or out-of-range value was supplied:The Template must be a JSON or YAML document.",
    ),
    (
        {"Action": "CreateStack", "StackName": "cfnbad"},
        400,
        "MissingParameter",
        "A mandatory input parameter is missing:TemplateBody or TemplateUrl were not given.",
    ),
    (
        {"Action": "DeleteStack"},
        400,
        "MissingParameter",
        "A mandatory input parameter is missing:StackName",
    ),
    (
        {"Action": "NoSuchAction"},
        400,
        "InvalidAction",
        "The action or operation requested is invalid",
    ),
    (
        {
            "Action": "CreateStack",
            "StackName": "x",
            "TemplateBody": "{}",
            "DisableRollback": "1",
            "OnFailure": "DELETE",
        },
        400,
        "InvalidParameterCombination",
        "Incompatible parameters were used together:"
        "DisableRollback and OnFailure may not be used together",
    ),
]


@pytest.mark.parametrize(("params", "status", "code", "message"), ERROR_CASES)
def test_errors_are_aws_error_responses(client, params, status, code, message):
    result = post(client, **params)

    assert result.status_code == status
    assert result.status == f"{status} {code}"
    error = parse(result, params["Action"] if params["Action"] != "NoSuchAction" else "ListStacks")
    assert error["Error"] == {"Type": "Sender", "Code": code, "Message": message}
    assert error["ResponseMetadata"]["RequestId"].startswith("req-")


def test_template_above_max_template_size_is_refused(conf, engine):
    conf.set_override("max_template_size", 64)
    client = falcon.testing.TestClient(cfn_app.create_app(conf, engine))

    result = post(client, Action="CreateStack", StackName="big", TemplateBody=SHAPE_TEMPLATE)

    error = parse(result, "CreateStack")["Error"]
    assert error["Code"] == "RequestLimitExceeded"
    assert "exceeds maximum allowed size (64 bytes)" in error["Message"]
    assert engine.calls == []


@pytest.mark.parametrize(
    ("failure", "status", "code", "fault", "message"),
    [
        (
            exception.MessagingTimeout(reason="Timed out waiting for a reply"),
            503,
            "ServiceUnavailable",
            "Server",
            "Service temporarily unavailable:Timed out waiting for a reply",
        ),
        (
            exception.StackValidationFailed(
                "Bad thing\nTraceback (most recent call last):\n  File x"
            ),
            400,
            "InvalidParameterValue",
            "Sender",
            "A bad or out-of-range value was supplied:Bad thing",
        ),
        (
            RuntimeError("secret internals"),
            500,
            "InternalFailure",
            "Server",
            "The request processing has failed due to an internal error",
        ),
        (
            exception.RemoteError(exc_type="KeyError", value="'secret'"),
            500,
            "InternalFailure",
            "Server",
            "The request processing has failed due to an internal error",
        ),
    ],
)
def test_engine_failures_map_to_aws_codes_without_internals(
    client, engine, failure, status, code, fault, message
):
    engine.failure = failure

    result = post(client, Action="ListStacks")

    assert result.status_code == status
    assert parse(result, "ListStacks")["Error"] == {"Type": fault, "Code": code, "Message": message}


def test_noauth_context_comes_from_headers(client, engine):
    client.simulate_post(
        "/v1",
        body="Action=ListStacks",
        headers={**FORM, "X-Auth-User": "demo", "X-Auth-Project": "p1"},
    )

    ctx = engine.calls[0][1]
    assert (ctx.tenant_id, ctx.username, ctx.roles) == ("p1", "demo", ("admin", "member", "reader"))
    assert ctx.is_admin
    assert ctx.request_id.startswith("req-")


def test_noauth_refuses_anonymous_callers_off_loopback(client, engine):
    result = client.simulate_post(
        "/v1", body="Action=ListStacks", headers=FORM, remote_addr="192.0.2.7"
    )

    assert parse(result, "ListStacks")["Error"]["Code"] == "MissingAuthenticationToken"
    assert result.status_code == 403
    assert engine.calls == []


def test_root_without_action_is_the_version_document(client):
    result = client.simulate_get("/")

    assert result.status_code == 300
    assert result.json["versions"][0]["links"][0]["href"].endswith("/v1/")


@pytest.fixture
def boto3_client(conf: cfg.ConfigOpts, engine: RecordingEngine) -> Iterator[Any]:
    """boto3 pointed at ``http://127.0.0.1:<port>/v1`` (no trailing slash) of a live server."""

    class QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = wsgiref.simple_server.make_server(
        "127.0.0.1", 0, cfn_app.create_app(conf, engine), handler_class=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield boto3.client(
            "cloudformation",
            endpoint_url=f"http://127.0.0.1:{server.server_port}/v1",
            region_name="RegionOne",
            aws_access_key_id="access",
            aws_secret_access_key="secret",
            config=botocore.config.Config(retries={"total_max_attempts": 1}),
        )
    finally:
        server.shutdown()
        server.server_close()


def test_boto3_drives_the_api_at_v1_without_trailing_slash(boto3_client):
    stacks = boto3_client.describe_stacks()["Stacks"]
    created = boto3_client.create_stack(
        StackName="viaboto", TemplateBody=SHAPE_TEMPLATE, TimeoutInMinutes=5
    )
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        boto3_client.describe_stacks(StackName="nosuch")

    assert {s["StackName"]: s.get("TimeoutInMinutes") for s in stacks} == {
        "cfnshape": 60,
        "cfnnotimeout": None,
    }
    assert created["StackId"].startswith(f"arn:openstack:heat::{TENANT}:stacks/viaboto/")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_estimate_template_cost_answers_upstreams_url(client):
    result = post(client, Action="EstimateTemplateCost", TemplateBody=SHAPE_TEMPLATE)

    assert parse(result, "EstimateTemplateCost")["Url"] == "http://en.wikipedia.org/wiki/Gratis"


def test_estimate_template_cost_needs_a_template(client):
    result = post(client, Action="EstimateTemplateCost", TemplateBody="foo: [")

    assert parse(result, "EstimateTemplateCost")["Error"]["Code"] == "InvalidParameterValue"


def test_create_stack_takes_tags_and_accepts_capabilities_and_notification_arns(client, engine):
    post(
        client,
        Action="CreateStack",
        StackName="cfntags",
        TemplateBody=SHAPE_TEMPLATE,
        **{
            "Tags.member.1.Key": "team",
            "Tags.member.1.Value": "blue",
            "Tags.member.2.Key": "solo",
            "Capabilities.member.1": "CAPABILITY_IAM",
            "NotificationARNs.member.1": "arn:aws:sns:r:1:topic",
        },
    )

    assert engine.calls[0][2]["args"] == {"tags": ["team=blue", "solo"]}


def test_describe_stacks_shows_tags_as_key_and_value(client, engine):
    engine.stacks["cfnshape"]["tags"] = ["team=blue", "solo"]

    (stack,) = parse(post(client, Action="DescribeStacks", StackName="cfnshape"), "DescribeStacks")[
        "Stacks"
    ]

    assert stack["Tags"] == [{"Key": "team", "Value": "blue"}, {"Key": "solo", "Value": ""}]


def test_tag_keys_with_separators_are_refused(client, engine):
    result = post(
        client,
        Action="CreateStack",
        StackName="cfntags",
        TemplateBody=SHAPE_TEMPLATE,
        **{"Tags.member.1.Key": "a=b", "Tags.member.1.Value": "c"},
    )

    error = parse(result, "CreateStack")["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert "Tags.member.1.Key" in error["Message"]
    assert engine.calls == []


def test_stack_user_may_describe_one_resource(client, engine):
    result = client.simulate_post(
        "/v1",
        body=urlencode(
            {"Action": "DescribeStackResource", "StackName": "cfnshape", "LogicalResourceId": "x"}
        ),
        headers={
            **FORM,
            "X-Auth-User": "u",
            "X-Auth-Project": TENANT,
            "X-Roles": "heat_stack_user",
        },
    )

    assert result.status_code == 200
    ctx = engine.calls[-1][1]
    assert ctx.roles == ("heat_stack_user",)
    assert not ctx.is_admin


@pytest.fixture
def template_server() -> Iterator[str]:
    """A web server that serves SHAPE_TEMPLATE at /t.yaml and 404 elsewhere."""

    def serve(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/t.yaml":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [SHAPE_TEMPLATE.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no"]

    class QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = wsgiref.simple_server.make_server("127.0.0.1", 0, serve, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_create_stack_fetches_template_url(client, engine, template_server):
    result = post(
        client, Action="CreateStack", StackName="cfnurl", TemplateURL=f"{template_server}/t.yaml"
    )

    assert result.status_code == 200
    assert engine.calls[0][2]["template"]["description"] == "shape test"


@pytest.mark.parametrize(
    ("path", "detail"), [("/missing", "HTTP Error 404"), ("file:///etc/passwd", "scheme")]
)
def test_unfetchable_template_url_is_an_invalid_value(
    client, engine, template_server, path, detail
):
    url = path if path.startswith("file:") else f"{template_server}{path}"

    result = post(client, Action="ValidateTemplate", TemplateURL=url)

    error = parse(result, "ValidateTemplate")["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert "Failed to fetch template" in error["Message"]
    assert detail in error["Message"]
    assert engine.calls == []
