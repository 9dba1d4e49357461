"""The step queue: sending ready steps, and the consumer that runs them on any engine."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kombu import Connection, Message

from common.rpc import wire
from common.rpc.consumer import QueueConsumer
from common.rpc.publisher import Publisher
from heat_engine.traversal.messages import Step
from heat_engine.traversal.steps import StepDeferred, StepParked, StepRunner

LOG = logging.getLogger(__name__)


class StepQueue:
    """Sends steps to the shared step queue, where any engine may take them."""

    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    def send(self, step: Step) -> None:
        self._publisher.publish(
            step.to_body(),
            routing_key=wire.STEP_TOPIC,
            declare=[wire.STEP_QUEUE],
            delivery_mode=2,
        )


class StepWorker:
    """Consumes steps with bounded concurrency; a step is acknowledged after it committed."""

    def __init__(
        self, connection_factory: Callable[[], Connection], runner: StepRunner, concurrency: int
    ) -> None:
        self._runner = runner
        self._consumer = QueueConsumer(
            connection_factory, [wire.step_queue()], self._handle, concurrency, "steps"
        )

    @property
    def ready(self) -> Any:
        return self._consumer.ready

    def start(self) -> None:
        self._consumer.start()

    def stop(self) -> None:
        self._consumer.stop()

    def retake_orphans(self) -> list[Step]:
        """Run here again the steps this engine claimed but no longer runs."""
        orphans = self._runner.orphans()
        for step in orphans:
            LOG.warning("Retaking step %s, which this engine claimed but no longer runs", step)
            self._consumer.submit(lambda step=step: self._run_safely(step.replayed()))
        return orphans

    def _run_safely(self, step: Step) -> None:
        try:
            self._runner.run(step)
        except (StepDeferred, StepParked):
            pass  # the next retake or its wake-up comes back to it
        except Exception:
            LOG.exception("Retaken step %s failed; it will be retaken again", step)

    def _handle(self, body: dict[str, Any], message: Message) -> bool:
        step = Step.from_body(body)
        if (message.delivery_info or {}).get("redelivered"):
            step = step.replayed()
        try:
            self._runner.run(step)
        except StepDeferred as ex:
            LOG.debug("Step deferred: %s", ex)
            return False
        except StepParked as ex:
            LOG.debug("Step parked: %s", ex)
        return True
