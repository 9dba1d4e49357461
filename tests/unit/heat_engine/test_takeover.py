"""Sweeps resume stalled traversals and time out overdue ones; steps are idempotent.

The broker is stood in for by a list: what matters here is which steps are (re)sent
and what running them does to the database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from common.context import RequestContext
from common.db import migration
from common.db import session as db_session
from heat_engine.service import EngineService
from heat_engine.traversal import takeover
from heat_engine.traversal.messages import Step
from heat_engine.traversal.steps import StepRunner

from ..conftest import make_conf  # type: ignore[import-not-found]

CHAIN = {
    "heat_template_version": "2016-10-14",
    "resources": {
        "a": {"type": "OS::Heat::RandomString"},
        "b": {"type": "OS::Heat::Value", "properties": {"value": {"get_attr": ["a", "value"]}}},
        "c": {"type": "OS::Heat::None", "depends_on": ["b"]},
    },
}


class ListBroker:
    """Collects sent steps; ``drain`` delivers them, as many times as they were sent."""

    def __init__(self) -> None:
        self.sent: list[Step] = []

    def send(self, step: Step) -> None:
        self.sent.append(step)

    def drain(self, runner: StepRunner) -> int:
        count = 0
        while self.sent:
            runner.run(self.sent.pop(0))
            count += 1
        return count


@pytest.fixture
def engine(tmp_path) -> Iterator[tuple[EngineService, ListBroker, StepRunner, object]]:
    url = f"sqlite:///{tmp_path}/heat.sqlite"
    migration.upgrade(url)
    conf = make_conf(database__connection=url)
    factory = db_session.from_config(conf)
    broker = ListBroker()
    yield EngineService(conf, factory, broker), broker, StepRunner(factory, broker, "e1"), factory


CTX = RequestContext("tenant", username="demo")


def status(service: EngineService, identity: dict) -> str:
    return service.show_stack(CTX, identity)[0]["stack_status"]


def test_a_lost_step_is_resent_by_the_sweep_and_the_stack_completes(engine):
    service, broker, runner, factory = engine
    identity = service.create_stack(CTX, "s", CHAIN, {}, {}, {})
    assert [s.action for s in broker.sent] == ["CREATE"]
    broker.sent.clear()  # the broker lost the first step
    assert takeover.sweep(factory, broker, 3600, stall_seconds=0) != []
    broker.drain(runner)
    assert status(service, identity) == "CREATE_COMPLETE"


def test_a_lost_final_step_still_completes_the_stack(engine):
    service, broker, runner, factory = engine
    identity = service.create_stack(CTX, "s", CHAIN, {}, {}, {})
    while len(broker.sent) == 1 and broker.sent[0].resource_id != 3:
        runner.run(broker.sent.pop(0))
    broker.sent.clear()  # "c" was never run
    takeover.sweep(factory, broker, 3600, stall_seconds=0)
    broker.drain(runner)
    assert status(service, identity) == "CREATE_COMPLETE"


def test_running_every_step_twice_changes_nothing(engine):
    service, broker, runner, _factory = engine
    identity = service.create_stack(CTX, "s", CHAIN, {}, {}, {})
    ran: list[Step] = []
    while broker.sent:
        step = broker.sent.pop(0)
        runner.run(step)
        ran.append(step)
    events = service.list_events(CTX, identity)
    for step in ran:
        runner.run(step)  # redelivered after a crash
    broker.drain(runner)
    assert status(service, identity) == "CREATE_COMPLETE"
    assert len(service.list_events(CTX, identity)) == len(events)


def test_an_overdue_traversal_fails_with_timed_out_and_its_steps_stop(engine):
    service, broker, runner, factory = engine
    identity = service.create_stack(CTX, "s", CHAIN, {}, {}, {})
    takeover.sweep(factory, broker, 0, stall_seconds=3600)
    stack = service.show_stack(CTX, identity)[0]
    assert (stack["stack_status"], stack["stack_status_reason"]) == ("CREATE_FAILED", "Timed out")
    broker.drain(runner)  # the old traversal's steps are dropped
    assert status(service, identity) == "CREATE_FAILED"
    resources = service.list_stack_resources(CTX, identity)
    assert {r["resource_status"] for r in resources} == {"INIT_COMPLETE"}
