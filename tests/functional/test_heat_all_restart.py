"""heat-all killed in the middle of a create: after a restart the stack completes.

The in-memory broker loses the steps in flight; the database does not. The restarted
engine's sweep finds the stalled traversal and resends its ready steps.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from harness import BIN, START_TIMEOUT, HeatHTTP, Process, api_answers, free_port, render_conf
from harness import wait_until as wait_for

pytestmark = pytest.mark.functional

CHAIN = {
    "heat_template_version": "2016-10-14",
    "resources": {
        f"r{i}": {
            "type": "OS::Heat::TestResource",
            "properties": {"value": f"v{i}", "wait_secs": 1},
            **({"depends_on": [f"r{i - 1}"]} if i else {}),
        }
        for i in range(4)
    },
}


def start(tmp_path: Path, conf: Path, api_port: int, n: int) -> Process:
    proc = Process(
        "heat-all",
        [str(BIN / "heat-all"), "--config-file", str(conf)],
        tmp_path / f"heat-all-{n}.log",
    )
    wait_for(lambda: api_answers(f"http://127.0.0.1:{api_port}/"), START_TIMEOUT, "heat-all")
    return proc


def test_a_create_interrupted_by_a_crash_finishes_after_restart(tmp_path: Path):
    api_port = free_port()
    conf = tmp_path / "heat.conf"
    conf.write_text(
        render_conf(
            {
                "DEFAULT": {"periodic_interval": 1},
                "database": {"connection": f"sqlite:///{tmp_path}/heat.sqlite"},
                "heat_api": {"bind_port": api_port},
                "heat_api_cfn": {"bind_port": free_port()},
            }
        )
    )
    first = start(tmp_path, conf, api_port, 1)
    api = HeatHTTP(f"http://127.0.0.1:{api_port}", "restart")
    url = api.create_stack("interrupted", CHAIN)
    wait_for(
        lambda: any(
            r["resource_status"] == "CREATE_IN_PROGRESS" and r["resource_name"] == "r1"
            for r in api.get(url + "/resources").json()["resources"]
        ),
        30,
        "r1 to be in progress",
    )
    os.kill(first.pid, signal.SIGKILL)
    first.popen.wait()
    first.stopped = True
    second = start(tmp_path, conf, api_port, 2)
    try:
        stack = api.wait_for_status(url, "CREATE_COMPLETE", timeout=60)
        assert stack["stack_status_reason"] == "Stack CREATE completed successfully"
        statuses = {r["resource_status"] for r in api.get(url + "/resources").json()["resources"]}
        assert statuses == {"CREATE_COMPLETE"}
    finally:
        second.stop()
