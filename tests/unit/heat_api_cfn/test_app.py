"""The CFN app against the real engine (SQLite, memory://), driven as boto3 would drive it.

Answers are read with botocore's query parser, so every field is checked as an SDK sees it.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import botocore.parsers
import botocore.session
import falcon.testing
import pytest
from oslo_config import cfg

from common.rpc.client import EngineClient
from heat_api_cfn.app import create_app

TEMPLATE = """heat_template_version: 2018-08-31
description: cfn walk
parameters:
  length: {type: number, default: 12}
  secret: {type: string, default: abc, hidden: true}
resources:
  rand:
    type: OS::Heat::RandomString
    properties: {length: {get_param: length}}
  val:
    type: OS::Heat::Value
    properties: {value: {get_attr: [rand, value]}}
outputs:
  out_rand: {value: {get_attr: [rand, value]}, description: the random}
"""
DEADLINE = 20
SERVICE_MODEL = botocore.session.get_session().get_service_model("cloudformation")


class CFN:
    """Query-API calls for one tenant, answers parsed by botocore."""

    def __init__(self, client: falcon.testing.TestClient, tenant: str) -> None:
        self._client = client
        self._headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Auth-User": "cfnuser",
            "X-Auth-Project": tenant,
        }

    def __call__(self, action: str, **params: str) -> tuple[int, dict[str, Any]]:
        result = self._client.simulate_post(
            "/v1", body=urlencode({"Action": action, **params}), headers=self._headers
        )
        response = {
            "body": result.content,
            "headers": dict(result.headers),
            "status_code": result.status_code,
        }
        shape = SERVICE_MODEL.operation_model(action).output_shape
        return result.status_code, botocore.parsers.create_parser("query").parse(response, shape)

    def wait(self, stack_name: str) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            _, answer = self("DescribeStacks", StackName=stack_name)
            (stack,) = answer["Stacks"]
            if not stack["StackStatus"].endswith("IN_PROGRESS"):
                return stack
            time.sleep(0.02)
        raise AssertionError(f"{stack_name} still in progress after {DEADLINE} s")


@pytest.fixture
def cfn(embedded_conf: cfg.ConfigOpts, engine_client: EngineClient, tenant: str) -> CFN:
    return CFN(falcon.testing.TestClient(create_app(embedded_conf, engine_client)), tenant)


def test_stack_life_cycle_through_the_query_api(cfn: CFN, tenant: str) -> None:
    status, created = cfn(
        "CreateStack",
        StackName="cfnwalk",
        TemplateBody=TEMPLATE,
        TimeoutInMinutes="60",
        **{
            "Parameters.member.1.ParameterKey": "length",
            "Parameters.member.1.ParameterValue": "9",
        },
    )
    assert status == 200, created
    arn = created["StackId"]
    assert arn.startswith(f"arn:openstack:heat::{tenant}:stacks/cfnwalk/")

    stack = cfn.wait("cfnwalk")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["StackId"] == arn
    assert stack["TimeoutInMinutes"] == 60
    assert stack["DisableRollback"] is True
    assert stack["Description"] == "cfn walk"
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters["length"] == "9"
    assert parameters["secret"] == "******"
    (output,) = stack["Outputs"]
    assert (output["OutputKey"], len(output["OutputValue"])) == ("out_rand", 9)

    _, listed = cfn("ListStacks")
    (summary,) = listed["StackSummaries"]
    assert (summary["StackId"], summary["StackStatus"]) == (arn, "CREATE_COMPLETE")
    assert "DeletionTime" not in summary

    _, by_arn = cfn("DescribeStacks", StackName=arn)
    assert by_arn["Stacks"][0]["StackName"] == "cfnwalk"

    _, resources = cfn("ListStackResources", StackName="cfnwalk")
    summaries = resources["StackResourceSummaries"]
    assert sorted(r["LogicalResourceId"] for r in summaries) == ["rand", "val"]
    assert {r["ResourceStatus"] for r in summaries} == {"CREATE_COMPLETE"}

    _, described = cfn("DescribeStackResources", StackName="cfnwalk", LogicalResourceId="rand")
    assert [(r["LogicalResourceId"], r["StackId"]) for r in described["StackResources"]] == [
        ("rand", arn)
    ]

    _, detail = cfn("DescribeStackResource", StackName="cfnwalk", LogicalResourceId="val")
    assert detail["StackResourceDetail"]["ResourceType"] == "OS::Heat::Value"

    _, events = cfn("DescribeStackEvents", StackName="cfnwalk")
    statuses = {(e["LogicalResourceId"], e["ResourceStatus"]) for e in events["StackEvents"]}
    assert ("cfnwalk", "CREATE_COMPLETE") in statuses
    assert all(e["EventId"] and e["StackId"] == arn for e in events["StackEvents"])

    _, template = cfn("GetTemplate", StackName="cfnwalk")
    assert '"heat_template_version": "2018-08-31"' in template["TemplateBody"]

    status, duplicate = cfn("CreateStack", StackName="cfnwalk", TemplateBody=TEMPLATE)
    assert (status, duplicate["Error"]["Code"]) == (400, "AlreadyExists")

    status, _ = cfn("DeleteStack", StackName="cfnwalk")
    assert status == 200
    assert cfn.wait(arn)["StackStatus"] == "DELETE_COMPLETE"


@pytest.mark.parametrize(
    "resources",
    [
        "{r: {type: OS::No::Such}}",
        "{r: {type: OS::Heat::None, depends_on: [q]}}",
        "{a: {type: OS::Heat::None, depends_on: [b]}, b: {type: OS::Heat::None, depends_on: [a]}}",
        "{r: {type: OS::Heat::Value, properties: {value: {get_param: nosuch}}}}",
    ],
)
def test_engine_validation_errors_are_invalid_parameter_values(cfn: CFN, resources: str) -> None:
    template = f"heat_template_version: 2018-08-31\nresources: {resources}\n"

    status, answer = cfn("CreateStack", StackName="cfnbad", TemplateBody=template)

    assert (status, answer["Error"]["Code"]) == (400, "InvalidParameterValue"), answer
    assert "Traceback" not in answer["Error"]["Message"]
    _, listed = cfn("ListStacks")
    assert listed["StackSummaries"] == []


def test_unknown_stack_is_an_invalid_parameter_value(cfn: CFN) -> None:
    status, answer = cfn("DescribeStacks", StackName="nosuch")

    assert status == 400
    assert answer["Error"] == {
        "Type": "Sender",
        "Code": "InvalidParameterValue",
        "Message": "A bad or out-of-range value was supplied:"
        "The Stack (nosuch) could not be found.",
    }


def test_update_cancel_and_validate_through_the_query_api(cfn: CFN) -> None:
    body = (
        "heat_template_version: 2016-10-14\n"
        "description: cfn update\n"
        "parameters:\n  v: {type: string, default: one, description: the value}\n"
        "  secret: {type: string, default: s, hidden: true}\n"
        "resources:\n  r: {type: OS::Heat::Value, properties: {value: {get_param: v}}}\n"
        "outputs:\n  v: {value: {get_attr: [r, value]}}\n"
    )
    status, _ = cfn("CreateStack", StackName="upd", TemplateBody=body)
    assert status == 200
    assert cfn.wait("upd")["StackStatus"] == "CREATE_COMPLETE"
    status, answer = cfn(
        "UpdateStack",
        StackName="upd",
        UsePreviousTemplate="true",
        **{"Parameters.member.1.ParameterKey": "v", "Parameters.member.1.ParameterValue": "two"},
    )
    assert status == 200 and answer["StackId"].startswith("arn:openstack:heat::")
    stack = cfn.wait("upd")
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack["Outputs"][0]["OutputValue"] == "two"
    status, answer = cfn("CancelUpdateStack", StackName="upd")
    assert status == 400  # nothing to cancel
    status, answer = cfn("ValidateTemplate", TemplateBody=body)
    assert status == 200
    assert answer["Description"] == "cfn update"
    parameters = {p["ParameterKey"]: p for p in answer["Parameters"]}
    assert parameters["v"]["DefaultValue"] == "one"
    assert parameters["v"]["NoEcho"] is False
    assert parameters["secret"]["NoEcho"] is True
    assert parameters["secret"]["DefaultValue"] == "******"
