"""RPC over the real RabbitMQ and over memory://: replies, errors, timeouts and outages."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

from common import exception
from common.context import RequestContext
from common.rpc.client import RPCClient
from common.rpc.server import RPCServer
from common.rpc.transport import connection_for, kombu_urls

RABBIT = "rabbit://guest:guest@127.0.0.1:5672/"


def echo(ctx, value):
    return {"value": value, "tenant": ctx.tenant_id if ctx else None}


def not_found(ctx):
    raise exception.EntityNotFound(entity="Stack", name="nope")


def crash(ctx):
    raise KeyError("internal detail")


METHODS = {"echo": echo, "not_found": not_found, "crash": crash}


@pytest.fixture(scope="module")
def vhost() -> Iterator[str]:
    """A RabbitMQ vhost of this module's own, removed afterwards."""
    name = f"heat_unit_{uuid.uuid4().hex[:8]}"
    for cmd in (["add_vhost", name], ["set_permissions", "-p", name, "guest", ".*", ".*", ".*"]):
        done = subprocess.run(["rabbitmqctl", *cmd], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"RabbitMQ is not usable (rabbitmqctl {cmd[0]}): {done.stderr}")
    yield name
    subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True)


@pytest.fixture(params=["memory", "rabbit"])
def url(request, vhost) -> str:
    return "memory://" if request.param == "memory" else f"{RABBIT}{vhost}"


@pytest.fixture
def served(url) -> Iterator[RPCClient]:
    server = RPCServer(lambda: connection_for(url), METHODS, 4, uuid.uuid4().hex)
    server.start()
    assert server.ready.wait(10)
    client = RPCClient(lambda: connection_for(url), 5)
    yield client
    client.close()
    server.stop()


def test_call_returns_the_result_and_carries_the_context(served):
    assert served.call(RequestContext("t1"), "echo", value=[1, "a"]) == {
        "value": [1, "a"],
        "tenant": "t1",
    }


def test_engine_errors_come_back_as_the_same_type(served):
    with pytest.raises(exception.EntityNotFound) as info:
        served.call(None, "not_found")
    assert str(info.value) == "The Stack (nope) could not be found."


def test_errors_off_the_allow_list_become_remote_errors(served):
    with pytest.raises(exception.RemoteError) as info:
        served.call(None, "crash")
    assert exception.http_status(info.value) == 500


def test_unknown_method_and_bad_arguments_are_refused(served):
    with pytest.raises(exception.NotSupported):
        served.call(None, "no_such_method")
    with pytest.raises(exception.Invalid):
        served.call(None, "echo", wrong=1)


def test_call_with_no_engine_times_out_as_service_unavailable(url):
    client = RPCClient(lambda: connection_for(url), 1)
    try:
        started = time.monotonic()
        with pytest.raises(exception.MessagingTimeout) as info:
            client.call(None, "echo", value=1)
        assert time.monotonic() - started < 5
        assert exception.http_status(info.value) == 503
    finally:
        client.close()


def test_unreachable_broker_is_service_unavailable_not_a_hang():
    client = RPCClient(lambda: connection_for("rabbit://guest:guest@127.0.0.1:1/"), 3)
    try:
        started = time.monotonic()
        with pytest.raises(exception.ServiceUnavailable):
            client.call(None, "echo", value=1)
        assert time.monotonic() - started < 15
    finally:
        client.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("rabbit://u:p@h:5672/", ["amqp://u:p@h:5672/"]),
        (
            "rabbit://u:p@h1:5672,u:p@h2:5672/heat",
            ["amqp://u:p@h1:5672/heat", "amqp://u:p@h2:5672/heat"],
        ),
        ("memory://", ["memory://"]),
    ],
)
def test_transport_urls_translate_for_kombu(given, expected):
    assert kombu_urls(given) == expected


def test_both_sides_reconnect_after_a_broker_outage(vhost, tcp_proxy):
    proxy = tcp_proxy(5672)
    url = f"rabbit://guest:guest@127.0.0.1:{proxy.port}/{vhost}"
    server = RPCServer(lambda: connection_for(url, heartbeat=2), METHODS, 2, uuid.uuid4().hex)
    server.start()
    client = RPCClient(lambda: connection_for(url, heartbeat=2), 3)
    try:
        assert server.ready.wait(10)
        assert client.call(None, "echo", value=1)["value"] == 1
        proxy.cut()
        with pytest.raises(exception.ServiceUnavailable):
            client.call(None, "echo", value=2)
        proxy.restore()
        deadline = time.monotonic() + 30
        while True:
            try:
                assert client.call(None, "echo", value=3)["value"] == 3
                break
            except exception.ServiceUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        client.close()
        server.stop()
