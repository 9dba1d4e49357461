"""action_retry_limit: a create that leaves its resource in an error state is deleted and
tried again, as upstream does; other failures are not retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from oslo_config import cfg

from common import exception
from heat_engine.resources import registry
from heat_engine.resources.base import Resource

from ..conftest import make_conf  # type: ignore[import-not-found]
from ..heat_api.test_stacks import create, path_of, wait  # type: ignore[import-not-found]


class Flaky(Resource):
    """Goes to ERROR on its first ``failures`` creates (counted per resource name)."""

    type_name = "Test::Flaky"
    failures: ClassVar[dict[str, int]] = {}
    deleted: ClassVar[list[str]] = []

    def handle_create(self) -> Any:
        self.resource_id_set(f"{self.name}-{len(Flaky.deleted)}")
        left = Flaky.failures.get(self.name, 0)
        if left:
            Flaky.failures[self.name] = left - 1
            raise exception.ResourceInError(resource_status="ERROR", status_reason="no host")
        return None

    def handle_delete(self) -> Any:
        Flaky.deleted.append(self.resource_id or "")
        return None


@pytest.fixture(scope="module")
def embedded_conf(tmp_path_factory: pytest.TempPathFactory) -> cfg.ConfigOpts:
    db = Path(tmp_path_factory.mktemp("heat")) / "heat.sqlite"
    return make_conf(
        transport_url="memory://",
        database__connection=f"sqlite:///{db}",
        paste_deploy__flavor="noauth",
        rpc_response_timeout=10,
        action_retry_limit=1,
    )


@pytest.fixture(autouse=True)
def flaky_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.RESOURCE_TYPES, Flaky.type_name, Flaky)  # type: ignore[index]
    Flaky.failures.clear()
    Flaky.deleted.clear()


def statuses(api, url: str) -> list[str]:
    listed = api.simulate_get(url + "/events", params={"sort_dir": "asc"}).json["events"]
    return [e["resource_status"] for e in listed if e["resource_name"] == "r"]


TEMPLATE = {"heat_template_version": "2016-10-14", "resources": {"r": {"type": Flaky.type_name}}}


def test_a_resource_in_error_is_deleted_and_created_again(api, tenant):
    Flaky.failures["r"] = 1
    url = path_of(create(api, tenant, "flaky", TEMPLATE, disable_rollback=True))
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_COMPLETE", stack["stack_status_reason"]
    assert statuses(api, url) == [
        "CREATE_IN_PROGRESS",
        "CREATE_FAILED",
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
        "CREATE_IN_PROGRESS",
        "CREATE_COMPLETE",
    ]
    assert Flaky.deleted == ["r-0"]
    resource = api.simulate_get(url + "/resources/r").json["resource"]
    assert resource["physical_resource_id"] == "r-1"


def test_retries_stop_at_the_limit_and_the_failure_is_reported(api, tenant):
    Flaky.failures["r"] = 2
    url = path_of(create(api, tenant, "broken", TEMPLATE, disable_rollback=True))
    stack = wait(api, url)
    assert stack["stack_status"] == "CREATE_FAILED"
    assert stack["stack_status_reason"] == (
        "Resource CREATE failed: ResourceInError: resources.r: "
        'Went to status ERROR due to "no host"'
    )
    assert statuses(api, url)[-2:] == ["CREATE_IN_PROGRESS", "CREATE_FAILED"]
    assert statuses(api, url).count("DELETE_COMPLETE") == 1
