"""heat-all: the whole service in one process from a heat.conf naming only a database and ports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    BIN,
    START_TIMEOUT,
    WALK_TEMPLATE,
    HeatHTTP,
    Process,
    api_answers,
    assert_heat_error,
    free_port,
    render_conf,
    tail,
    wait_until,
    watched,
)

pytestmark = pytest.mark.functional


class HeatAll:
    def __init__(self, proc: Process, db: Path, api_port: int, cfn_port: int) -> None:
        self.proc = proc
        self.db = db
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.cfn_url = f"http://127.0.0.1:{cfn_port}"


@pytest.fixture
def heat_all(tmp_path: Path) -> Iterator[HeatAll]:
    db = tmp_path / "state" / "heat.sqlite"
    api_port, cfn_port = free_port(), free_port()
    conf = tmp_path / "heat.conf"
    conf.write_text(
        render_conf(
            {
                "database": {"connection": f"sqlite:///{db}"},
                "heat_api": {"bind_port": api_port},
                "heat_api_cfn": {"bind_port": cfn_port},
            }
        )
    )
    proc = Process(
        "heat-all", [str(BIN / "heat-all"), "--config-file", str(conf)], tmp_path / "heat-all.log"
    )
    try:
        with watched(proc):
            yield HeatAll(proc, db, api_port, cfn_port)
    finally:
        proc.stop()


def wait_serving(heat_all: HeatAll) -> str:
    """Wait for heat-all's banner and its API; returns what it printed."""

    def printed() -> str | None:
        assert heat_all.proc.running(), f"heat-all exited:\n{tail(heat_all.proc.log)}"
        text = heat_all.proc.log_text()
        return text if re.search(r"^database\s", text, re.M) else None

    text = wait_until(
        printed,
        START_TIMEOUT,
        "heat-all to print where it listens",
        lambda: tail(heat_all.proc.log),
    )
    wait_until(
        lambda: api_answers(heat_all.api_url + "/"),
        START_TIMEOUT,
        "heat-all's heat-api",
        lambda: tail(heat_all.proc.log),
    )
    return text


def test_heat_all_prints_its_addresses_and_database(heat_all: HeatAll) -> None:
    text = wait_serving(heat_all)
    assert re.search(rf"heat-api\s+listening on {re.escape(heat_all.api_url)}/v1", text), text
    assert re.search(rf"heat-api-cfn\s+listening on {re.escape(heat_all.cfn_url)}/v1", text), text
    assert re.search(rf"^database\s.*{re.escape(str(heat_all.db))}", text, re.M), text
    assert heat_all.db.exists()
    assert api_answers(heat_all.cfn_url + "/")


def test_heat_all_creates_shows_an_output_and_deletes_the_walk_stack(
    heat_all: HeatAll, tenant: str, stack_name: str
) -> None:
    wait_serving(heat_all)
    api = HeatHTTP(heat_all.api_url, tenant)
    url = api.create_stack(stack_name, WALK_TEMPLATE)
    stack = api.wait_for_status(url, "CREATE_COMPLETE")
    assert stack["parameters"]["secret"] == "******"

    resp = api.get(url + "/outputs/out_rand")
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["output"]["output_value"]) == 12

    assert api.delete(url).status_code == 204
    api.wait_for_status(url, "DELETE_COMPLETE")
    wait_until(
        lambda: api.get(f"/stacks/{stack_name}").status_code == 404,
        START_TIMEOUT,
        WALK_TEMPLATE,
        f"{stack_name} to be gone by name",
    )
    assert_heat_error(api.get(f"/stacks/{stack_name}"), 404, "EntityNotFound")


def test_heat_all_stops_cleanly_on_sigterm(heat_all: HeatAll) -> None:
    wait_serving(heat_all)
    heat_all.proc.stop()
    assert heat_all.proc.popen.returncode == 0, tail(heat_all.proc.log)
