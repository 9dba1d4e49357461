"""Wait conditions and their handles, through the native API and heat-api-cfn's signal URLs.

Under the noauth flavor no stack domain user is made and a handle's URL is unsigned;
tests/functional/test_wait_conditions.py signs them against a real Keystone. This module
runs its own embedded engine with two workers, so that a wait that held a worker would
stall the stacks below.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import falcon.testing
import pytest
from oslo_config import cfg

from heat_api_cfn.app import create_app as create_cfn_app

from ..conftest import make_conf  # type: ignore[import-not-found]
from ..heat_api.test_stacks import create, path_of, wait  # type: ignore[import-not-found]

WORKERS = 2
DEADLINE = 20.0


@pytest.fixture(scope="module")
def embedded_conf(tmp_path_factory: pytest.TempPathFactory) -> cfg.ConfigOpts:
    db = Path(tmp_path_factory.mktemp("heat")) / "heat.sqlite"
    return make_conf(
        transport_url="memory://",
        database__connection=f"sqlite:///{db}",
        paste_deploy__flavor="noauth",
        rpc_response_timeout=10,
        executor_thread_pool_size=WORKERS,
    )


@pytest.fixture(scope="module")
def cfn(embedded_conf: cfg.ConfigOpts, engine_client: Any) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_cfn_app(embedded_conf, engine_client))


def aws_template(count: int = 1, timeout: int = 60) -> dict[str, Any]:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
            "wait": {
                "Type": "AWS::CloudFormation::WaitCondition",
                "Properties": {"Handle": {"Ref": "handle"}, "Timeout": timeout, "Count": count},
            },
        },
        "Outputs": {
            "url": {"Value": {"Ref": "handle"}},
            "data": {"Value": {"Fn::GetAtt": ["wait", "Data"]}},
        },
    }


def heat_template(count: int = 1, timeout: float = 60, transport: str | None = None) -> dict:
    handle: dict[str, Any] = {"type": "OS::Heat::WaitConditionHandle"}
    if transport:
        handle["properties"] = {"signal_transport": transport}
    return {
        "heat_template_version": "2018-08-31",
        "resources": {
            "handle": handle,
            "wait": {
                "type": "OS::Heat::WaitCondition",
                "properties": {
                    "handle": {"get_resource": "handle"},
                    "timeout": timeout,
                    "count": count,
                },
            },
        },
        "outputs": {
            "curl_cli": {"value": {"get_attr": ["handle", "curl_cli"]}},
            "endpoint": {"value": {"get_attr": ["handle", "endpoint"]}},
            "signal": {"value": {"get_attr": ["handle", "signal"]}},
            "data": {"value": {"get_attr": ["wait", "data"]}},
        },
    }


def start(api: falcon.testing.TestClient, tenant: str, name: str, template: Any) -> str:
    """Create a stack and return its URL once its wait condition is waiting."""
    result = create(api, tenant, name, template)
    assert result.status_code == 201, result.text
    url = path_of(result)
    resource_status(api, url, "wait", "CREATE_IN_PROGRESS")
    return url


def resource_status(api: falcon.testing.TestClient, url: str, name: str, expected: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        resp = api.simulate_get(f"{url}/resources/{name}")
        if resp.status_code == 200 and resp.json["resource"]["resource_status"] == expected:
            return
        time.sleep(0.02)
    raise AssertionError(f"{name} of {url} not {expected} after {DEADLINE} s")


def outputs_of(stack: dict[str, Any]) -> dict[str, Any]:
    return {o["output_key"]: o.get("output_value") for o in stack.get("outputs") or []}


def handle_url(api: falcon.testing.TestClient, url: str) -> str:
    """The AWS handle's URL: its reference, shown by an output."""
    template_url = api.simulate_get(f"{url}/outputs/url").json["output"]["output_value"]
    return str(template_url)


def put_signal(cfn: falcon.testing.TestClient, url: str, body: Any) -> falcon.testing.Result:
    parts = urlsplit(url)
    return cfn.simulate_put(
        parts.path,
        query_string=parts.query,
        body=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )


def aws_signal(status: str, reason: str, unique_id: str, data: str) -> dict[str, str]:
    return {"Status": status, "Reason": reason, "UniqueId": unique_id, "Data": data}


# --- AWS::CloudFormation::WaitCondition over the waitcondition URL -------------------------


def test_aws_wait_condition_completes_after_count_signals_with_their_data(
    api, cfn, tenant: str
) -> None:
    url = start(api, tenant, "awscount", aws_template(count=2))
    signal_url = handle_url(api, url)
    assert urlsplit(signal_url).path.startswith("/v1/waitcondition/arn%3Aopenstack%3Aheat%3A%3A")

    first = put_signal(cfn, signal_url, aws_signal("SUCCESS", "one", "a", "hello"))
    assert first.status_code == 200, first.text
    assert first.json == {
        "resource": "handle",
        "metadata": {"a": {"Status": "SUCCESS", "Reason": "one", "Data": "hello"}},
    }
    # one of two: still waiting, whatever the timing
    assert api.simulate_get(url).json["stack"]["stack_status"] == "CREATE_IN_PROGRESS"

    second = put_signal(cfn, signal_url, aws_signal("SUCCESS", "two", "b", "world"))
    assert second.status_code == 200, second.text
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert json.loads(outputs_of(stack)["data"]) == {"a": "hello", "b": "world"}

    metadata = api.simulate_get(f"{url}/resources/handle/metadata").json["metadata"]
    assert metadata == {
        "a": {"Status": "SUCCESS", "Reason": "one", "Data": "hello"},
        "b": {"Status": "SUCCESS", "Reason": "two", "Data": "world"},
    }
    events = api.simulate_get(f"{url}/resources/handle/events", params={"sort_dir": "asc"})
    signals = [e for e in events.json["events"] if e["resource_status"] == "SIGNAL_COMPLETE"]
    assert [e["resource_status_reason"] for e in signals][-2:] == [
        "Signal: status:SUCCESS reason:one",
        "Signal: status:SUCCESS reason:two",
    ]


def test_same_unique_id_overwrites_its_signal(api, cfn, tenant: str) -> None:
    url = start(api, tenant, "awsoverwrite", aws_template(count=2))
    signal_url = handle_url(api, url)
    for data in ("first", "second"):
        assert put_signal(cfn, signal_url, aws_signal("SUCCESS", "r", "1", data)).status_code == 200
    metadata = api.simulate_get(f"{url}/resources/handle/metadata").json["metadata"]
    assert metadata == {"1": {"Status": "SUCCESS", "Reason": "r", "Data": "second"}}
    assert api.simulate_get(url).json["stack"]["stack_status"] == "CREATE_IN_PROGRESS"
    assert api.simulate_delete(url).status_code == 204
    assert wait(api, url)["stack_status"] == "DELETE_COMPLETE"


def test_failure_signal_fails_the_wait_condition_with_its_reason(api, cfn, tenant: str) -> None:
    url = start(api, tenant, "awsfail", aws_template(count=2))
    signal_url = handle_url(api, url)
    assert (
        put_signal(cfn, signal_url, aws_signal("FAILURE", "disk full", "1", "")).status_code == 200
    )
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_FAILED"
    reason = "WaitConditionFailure: resources.wait: disk full"
    assert stack["stack_status_reason"] == f"Resource CREATE failed: {reason}"
    resource = api.simulate_get(f"{url}/resources/wait").json["resource"]
    assert resource["resource_status_reason"] == reason


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"Status": "SUCCESS", "Reason": "r", "UniqueId": "1"}, "missing ['Data']"),
        ({**aws_signal("SUCCESS", "r", "1", "d"), "Extra": 1}, "unknown ['Extra']"),
        (aws_signal("DONE", "r", "1", "d"), "Status must be one of ['SUCCESS', 'FAILURE']"),
        (["not", "a", "map"], "a signal is a JSON object"),
    ],
)
def test_malformed_aws_signal_is_refused_naming_the_field(
    api, cfn, tenant: str, body: Any, named: str
) -> None:
    url = start(api, tenant, f"awsbad{abs(hash(named)) % 10000}", aws_template())
    resp = put_signal(cfn, handle_url(api, url), body)
    assert resp.status_code == 400, resp.text
    assert "<Code>InvalidParameterValue</Code>" in resp.text
    assert named in resp.text
    assert api.simulate_get(f"{url}/resources/handle/metadata").json["metadata"] == {}
    assert api.simulate_delete(url).status_code == 204


def test_signal_that_is_not_json_is_refused(api, cfn, tenant: str) -> None:
    url = start(api, tenant, "awsnotjson", aws_template())
    parts = urlsplit(handle_url(api, url))
    resp = cfn.simulate_put(parts.path, query_string=parts.query, body="{nope")
    assert resp.status_code == 400 and "The signal is not JSON" in resp.text
    assert api.simulate_delete(url).status_code == 204


def test_handle_url_of_another_stack_fails_the_wait_condition(api, tenant: str) -> None:
    first = start(api, tenant, "awsowner", aws_template())
    foreign = handle_url(api, first)
    template = aws_template()
    template["Resources"]["wait"]["Properties"]["Handle"] = foreign
    result = create(api, tenant, "awsthief", template)
    stack = wait(api, path_of(result))
    assert stack["stack_status"] == "CREATE_FAILED"
    assert stack["stack_status_reason"] == (
        "Resource CREATE failed: ValueError: resources.wait: "
        "WaitCondition invalid Handle stack awsowner"
    )


# --- OS::Heat::WaitCondition ----------------------------------------------------------------


def test_timeout_fails_with_upstreams_reason(api, tenant: str) -> None:
    url = start(api, tenant, "heattimeout", heat_template(count=2, timeout=1))
    signal = f"{url}/resources/handle/signal"
    assert api.simulate_post(signal, json={"reason": "booted"}).status_code == 200
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_FAILED"
    assert stack["stack_status_reason"] == (
        "Resource CREATE failed: WaitConditionTimeout: resources.wait: 1 of 2 received - booted"
    )


def test_timeout_without_signals_says_none_arrived(api, tenant: str) -> None:
    url = start(api, tenant, "heatsilent", heat_template(timeout=1))
    resource_status(api, url, "wait", "CREATE_FAILED")
    resource = api.simulate_get(f"{url}/resources/wait").json["resource"]
    assert resource["resource_status_reason"] == (
        "WaitConditionTimeout: resources.wait: 0 of 1 received"
    )


def test_token_handle_offers_curl_cli_and_takes_signals_with_defaults(api, tenant: str) -> None:
    url = start(api, tenant, "heattoken", heat_template(count=2))
    stack = api.simulate_get(url).json["stack"]
    endpoint = f"http://127.0.0.1:8004/v1/{tenant}/stacks/heattoken/{stack['id']}"
    endpoint += "/resources/handle/signal"
    handle = api.simulate_get(f"{url}/resources/handle").json["resource"]
    assert handle["attributes"]["endpoint"] == endpoint
    assert handle["attributes"]["curl_cli"] == (
        "curl -i -X POST -H 'Content-Type: application/json' "
        f"-H 'Accept: application/json' {endpoint}"
    )
    assert handle["attributes"]["signal"] == "null"  # as upstream for TOKEN_SIGNAL

    signal = urlsplit(endpoint).path
    assert api.simulate_post(signal).status_code == 200  # no body: a success
    assert api.simulate_post(signal, json={"data": "two", "id": "x"}).status_code == 200
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert json.loads(outputs_of(stack)["data"]) == {"1": None, "x": "two"}
    metadata = api.simulate_get(f"{url}/resources/handle/metadata").json["metadata"]
    assert metadata["1"] == {"data": None, "reason": "Signal 1 received", "status": "SUCCESS"}
    assert metadata["x"] == {"data": "two", "reason": "Signal 2 received", "status": "SUCCESS"}


def test_bad_status_on_the_native_api_is_400_naming_it(api, tenant: str) -> None:
    url = start(api, tenant, "heatbad", heat_template())
    resp = api.simulate_post(f"{url}/resources/handle/signal", json={"status": "MAYBE"})
    assert resp.status_code == 400, resp.text
    assert (
        "status must be one of ['SUCCESS', 'FAILURE'], not 'MAYBE'" in resp.json["error"]["message"]
    )
    assert api.simulate_delete(url).status_code == 204


def test_no_signal_handle_completes_by_itself(api, tenant: str) -> None:
    result = create(api, tenant, "heatnosignal", heat_template(count=2, transport="NO_SIGNAL"))
    stack = wait(api, path_of(result))
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert json.loads(outputs_of(stack)["data"]) == {"1": None, "2": None}
    assert outputs_of(stack)["signal"] == "{}"


def test_transport_needing_swift_fails_saying_so(api, tenant: str) -> None:
    result = create(api, tenant, "heatswift", heat_template(transport="TEMP_URL_SIGNAL"))
    stack = wait(api, path_of(result))
    assert stack["stack_status"] == "CREATE_FAILED"
    assert "signal_transport TEMP_URL_SIGNAL (it needs Swift" in stack["stack_status_reason"]


def test_resource_that_takes_no_signals_refuses_them(api, tenant: str) -> None:
    template = {
        "heat_template_version": "2018-08-31",
        "resources": {"nothing": {"type": "OS::Heat::None"}},
    }
    result = create(api, tenant, "nosignals", template)
    url = path_of(result)
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    resp = api.simulate_post(f"{url}/resources/nothing/signal", json={})
    assert resp.status_code == 400, resp.text
    assert resp.json["error"]["type"] == "ResourceActionNotSupported"


def test_waits_do_not_hold_workers(api, tenant: str) -> None:
    """More waiting conditions than workers: other stacks still run, then all complete."""
    count = WORKERS * 2
    template: dict[str, Any] = {"heat_template_version": "2018-08-31", "resources": {}}
    for i in range(count):
        template["resources"][f"h{i}"] = {"type": "OS::Heat::WaitConditionHandle"}
        template["resources"][f"w{i}"] = {
            "type": "OS::Heat::WaitCondition",
            "properties": {"handle": {"get_resource": f"h{i}"}, "timeout": 60},
        }
    result = create(api, tenant, "manywaits", template)
    url = path_of(result)
    for i in range(count):
        resource_status(api, url, f"w{i}", "CREATE_IN_PROGRESS")

    other = create(
        api,
        tenant,
        "meanwhile",
        {
            "heat_template_version": "2018-08-31",
            "resources": {f"r{i}": {"type": "OS::Heat::RandomString"} for i in range(4)},
        },
    )
    assert wait(api, path_of(other))["stack_status"] == "CREATE_COMPLETE"

    for i in range(count):
        resp = api.simulate_post(f"{url}/resources/h{i}/signal", json={"data": str(i)})
        assert resp.status_code == 200, resp.text
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert api.simulate_delete(url).status_code == 204
    assert wait(api, url)["stack_status"] == "DELETE_COMPLETE"


def test_update_raising_count_waits_for_the_extra_signals(api, tenant: str) -> None:
    url = start(api, tenant, "heatupdate", heat_template(count=1))
    assert api.simulate_post(f"{url}/resources/handle/signal", json={}).status_code == 200
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"

    resp = api.simulate_patch(url, json={"template": heat_template(count=2)})
    assert resp.status_code == 202, resp.text
    resource_status(api, url, "wait", "UPDATE_IN_PROGRESS")
    assert api.simulate_post(f"{url}/resources/handle/signal", json={}).status_code == 200
    stack = wait(api, url)
    assert stack["stack_status"] == "UPDATE_COMPLETE", stack["stack_status_reason"]
    assert json.loads(outputs_of(stack)["data"]) == {"1": None, "2": None}


def test_signal_route_posts_to_a_resource_by_its_arn(api, cfn, tenant: str) -> None:
    url = start(api, tenant, "awspost", aws_template())
    path = urlsplit(handle_url(api, url)).path.replace("/v1/waitcondition/", "/v1/signal/")
    resp = cfn.simulate_post(path, json=aws_signal("SUCCESS", "posted", "p", "d"))
    assert resp.status_code == 200, resp.text
    assert wait(api, url)["stack_status"] == "CREATE_COMPLETE"
    missing = cfn.simulate_post(path.replace("handle", "nohandle"), json={})
    assert missing.status_code == 400 and "nohandle" in missing.text
    assert cfn.simulate_post("/v1/signal/not-an-arn", json={}).status_code == 400
