"""Without an engine or a broker the API answers 503 promptly, and recovers by itself.

Each test runs processes of its own (one heat-engine, heat-api, heat-api-cfn)
on its own database and vhost, so the session's deployment is unaffected. The
"never hangs" property is a timeout on the request: rpc_response_timeout (10 s)
plus a generous margin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from harness import (
    RABBIT_USER,
    Deployment,
    HeatHTTP,
    assert_heat_error,
    own_deployment,
    rabbitmqctl,
    wait_until,
)

pytestmark = pytest.mark.functional

RPC_RESPONSE_TIMEOUT = 10  # standard_conf's rpc_response_timeout
NEVER_HANGS = RPC_RESPONSE_TIMEOUT + 20
RECOVERY_TIMEOUT = 60.0
PROBES = 4  # new connections per check, to reach both heat-api workers

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"v": {"type": "OS::Heat::Value", "properties": {"value": "back"}}},
    "outputs": {"v": {"value": {"get_attr": ["v", "value"]}}},
}


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[Deployment]:
    with own_deployment(tmp_path, engines=1) as deployment:
        yield deployment


def fresh_get(api: HeatHTTP, path: str) -> requests.Response:
    """A GET on a new TCP connection, so consecutive probes may reach different workers."""
    return requests.get(
        api.url(path),
        headers={**api.session.headers, "Connection": "close"},
        timeout=NEVER_HANGS,
        allow_redirects=False,
    )


def all_probes_answer_200(api: HeatHTTP) -> bool:
    return all(fresh_get(api, "/stacks").status_code == 200 for _ in range(PROBES))


def assert_stack_works(api: HeatHTTP, name: str) -> None:
    url = api.create_stack(name, TEMPLATE)
    stack = api.wait_for_status(url, "CREATE_COMPLETE")
    assert stack["outputs"][0]["output_value"] == "back"
    assert api.delete(url).status_code == 204
    api.wait_for_status(url, "DELETE_COMPLETE")


def api_pids(deployment: Deployment) -> list[int]:
    procs = deployment.by_binary("heat-api")
    assert procs and all(p.running() for p in procs), deployment.logs()
    return [p.pid for p in procs]


def test_api_answers_503_within_rpc_timeout_without_engines_and_200_once_one_starts(
    outage: Deployment, tenant: str, stack_name: str
) -> None:
    api = HeatHTTP(outage.api_url, tenant)
    assert all_probes_answer_200(api)
    pids = api_pids(outage)

    outage.stop("heat-engine")
    for _ in range(2):
        resp = fresh_get(api, "/stacks")  # raises ReadTimeout if the API hangs
        error = assert_heat_error(resp, 503)
        assert error["title"] == "Service Unavailable"
        assert "heat-engine" in error["error"]["message"]

    outage.start("heat-engine")
    wait_until(
        lambda: all_probes_answer_200(api),
        RECOVERY_TIMEOUT,
        "heat-api to answer 200 after a heat-engine started",
        outage.logs,
    )
    assert api_pids(outage) == pids, "heat-api was restarted"
    assert_stack_works(api, stack_name)


def test_api_answers_503_while_the_broker_is_unavailable_and_reconnects_after(
    outage: Deployment, tenant: str, stack_name: str
) -> None:
    api = HeatHTTP(outage.api_url, tenant)
    assert all_probes_answer_200(api)
    pids = api_pids(outage)
    assert outage.vhost is not None

    # The vhost going away closes every connection of this deployment and refuses
    # new ones, as a broker outage does, without touching any other vhost.
    rabbitmqctl("delete_vhost", outage.vhost)
    try:
        for _ in range(2):
            resp = fresh_get(api, "/stacks")  # raises ReadTimeout if the API hangs
            error = assert_heat_error(resp, 503)
            assert "messaging" in error["error"]["message"].lower()
    finally:
        rabbitmqctl("add_vhost", outage.vhost)
        rabbitmqctl("set_permissions", "-p", outage.vhost, RABBIT_USER, ".*", ".*", ".*")

    wait_until(
        lambda: all_probes_answer_200(api),
        RECOVERY_TIMEOUT,
        "heat-api to answer 200 after the broker came back",
        outage.logs,
    )
    assert api_pids(outage) == pids, "heat-api was restarted"
    assert all(p.running() for p in outage.by_binary("heat-engine")), outage.logs()
    assert_stack_works(api, stack_name)


def test_stopped_engines_leave_the_session_deployment_alone(api: HeatHTTP) -> None:
    """The outage tests above ran on their own vhost: the shared engines still answer."""
    assert api.get("/stacks").status_code == 200
    engines = [s for s in api.get("/services").json()["services"] if s["status"] == "up"]
    assert len(engines) == 2
