"""The in-process gunicorn runner's settings."""

from __future__ import annotations

import os

import pytest

from common import wsgi_server as server


@pytest.mark.parametrize(
    ("host", "port", "address"),
    [("0.0.0.0", 8000, "0.0.0.0:8000"), ("::", 8000, "[::]:8000"), ("::1", 1, "[::1]:1")],
)
def test_bind_address_brackets_ipv6(host, port, address):
    assert server.bind_address(host, port) == address


def test_worker_count_zero_means_one_per_usable_cpu():
    assert server.worker_count(0) == len(os.sched_getaffinity(0))
    assert server.worker_count(3) == 3


def test_server_builds_the_app_only_when_a_worker_loads_it():
    built = []
    runner = server.InProcessServer(
        lambda: built.append("app") or "wsgi-app", {"bind": ["127.0.0.1:0"], "workers": 2}
    )

    assert built == []
    assert runner.cfg.workers == 2
    assert runner.wsgi() == "wsgi-app"
    assert built == ["app"]
