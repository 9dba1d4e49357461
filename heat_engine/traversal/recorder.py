"""Recording a step's progress: state changes with their events, failures, sync-point
arrivals and the stack's completion, each committed before it is reported."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common import exception
from common.db import events as event_db
from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import stacks as stack_db
from heat_engine.resources.base import Resource
from heat_engine.stack import STACK_RESOURCE_TYPE, LoadedStack
from heat_engine.traversal import plan
from heat_engine.traversal.messages import DELETE, UPDATE, Step, StepSender, is_forward
from heat_engine.traversal.plan import COMPLETED

LOG = logging.getLogger(__name__)

STATE_CHANGED = "state changed"


def failure_reason(name: str, ex: BaseException) -> str:
    """A resource's failure as upstream words it: ``ValueError: resources.x: message``."""
    return f"{type(ex).__name__}: resources.{name}: {ex}"


@dataclasses.dataclass(frozen=True)
class Transition:
    """A resource state change and the event that reports it."""

    action: str
    status: str
    physical_id: str | None
    type_name: str
    reason: str = STATE_CHANGED
    properties: Any = None
    values: dict[str, Any] = dataclasses.field(default_factory=dict)


def is_current(session: Session, step: Step) -> bool:
    """Whether ``step``'s traversal still owns its stack."""
    traversal = session.scalar(
        select(models.Stack.current_traversal).where(models.Stack.id == step.stack_id)
    )
    return traversal == step.traversal_id


class StepRecorder:
    """Commits what steps do. Every change checks, in the same statement, that the step's
    traversal still owns the stack; ready steps are sent only after their commit."""

    def __init__(self, factory: sessionmaker[Session], sender: StepSender, engine_id: str) -> None:
        self.factory = factory
        self.engine_id = engine_id
        self._sender = sender

    # Recording -----------------------------------------------------------------
    def record(
        self,
        session: Session,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        change: Transition,
        only_if_current: bool = True,
    ) -> bool:
        """Apply ``change`` and add its event; by default only while the step's traversal
        still owns the stack (checked in the same statement). False if nothing changed."""
        current = (step.stack_id, step.traversal_id) if only_if_current else None
        if not resource_db.set_state(
            session,
            row.id,
            change.action,
            change.status,
            change.reason,
            current=current,
            **change.values,
        ):
            return False
        event_db.add(
            session,
            loaded.row.id,
            row.name,
            change.action,
            change.status,
            change.reason,
            change.physical_id,
            change.type_name,
            change.properties,
        )
        return True

    def enter(
        self, step: Step, loaded: LoadedStack, row: models.Resource, change: Transition
    ) -> bool:
        """Commit an IN_PROGRESS change before any work starts; False if superseded."""
        with self.factory.begin() as session:
            return self.record(session, step, loaded, row, change)

    def complete(
        self,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        change: Transition,
        plugin: Resource,
    ) -> None:
        """Commit the result with the plugin's data, and the arrivals it causes while the
        traversal is current; then send the steps it made ready.

        The result itself is recorded even for a superseded traversal: the work was done,
        and the resource must say so (and release its engine) for the traversal that
        superseded this one.
        """
        with self.factory.begin() as session:
            self.record(session, step, loaded, row, change, only_if_current=False)
            resource_db.set_data(session, row.id, plugin.data, plugin.redacted)
            ready = self.arrive(session, step, loaded, row) if is_current(session, step) else []
        self.send(ready)

    def fail(
        self,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        plugin: Resource | None,
        action: str,
        type_name: str,
        ex: BaseException,
    ) -> None:
        """Record a resource failure, fail the stack's current action with it, and roll
        back when the stack allows it."""
        if not isinstance(ex, exception.HeatException | ValueError):
            LOG.exception("Resource %s %s failed", row.name, action)
        reason = failure_reason(row.name, ex)
        physical = plugin.resource_id if plugin else row.nova_instance
        shown = physical or (plugin.physical_resource_name() if plugin else None)
        change = Transition(
            action,
            "FAILED",
            shown,
            type_name,
            reason,
            values={"nova_instance": physical, "engine_id": None},
        )
        rollback: list[Step] = []
        with self.factory.begin() as session:
            self.record(session, step, loaded, row, change, only_if_current=False)
            if not is_current(session, step):
                return
            label = loaded.row.action
            stack_reason = f"Resource {action} failed: {reason}"
            if stack_db.set_status(
                session,
                loaded.row.id,
                step.traversal_id,
                label,
                "FAILED",
                stack_reason,
                only_if_in_progress=True,
            ):
                event_db.add(
                    session,
                    loaded.row.id,
                    loaded.row.name,
                    label,
                    "FAILED",
                    stack_reason,
                    loaded.row.id,
                    STACK_RESOURCE_TYPE,
                )
                stack = stack_db.get(session, loaded.row.id)
                if stack is not None and not stack.disable_rollback:
                    rollback = plan.begin_rollback(session, stack)
        self.send(rollback)

    # Propagation -----------------------------------------------------------------
    def keep(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """Nothing changed: the resource is on the new template as it is, with no event."""
        with self.factory.begin() as session:
            if not resource_db.set_state(
                session,
                row.id,
                row.action,
                row.status,
                row.status_reason or STATE_CHANGED,
                current=(step.stack_id, step.traversal_id),
                current_template_id=loaded.row.raw_template_id,
            ):
                return
            ready = self.arrive(session, step, loaded, row)
        self.send(ready)

    def propagate(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """Pass the baton on for a node that was already done (a redelivered step)."""
        with self.factory.begin() as session:
            ready = self.arrive(session, step, loaded, row)
        self.send(ready)

    def send(self, steps: list[Step]) -> None:
        for ready in steps:
            self._sender.send(ready)

    def arrive(
        self, session: Session, step: Step, loaded: LoadedStack, row: models.Resource
    ) -> list[Step]:
        """In the transaction that completed ``row``: record its arrival at the next nodes
        and return those whose last input it was (sent after the commit); at the end of
        the walk, complete the stack."""
        forward = is_forward(step.action)
        by_id = {r.id: r for r in loaded.resources.values()}
        targets = (row.needed_by if forward else row.requires) or []
        ready = []
        for target_id in targets:
            arrived = sync_points.arrive(
                session, str(target_id), step.traversal_id, forward, str(row.id)
            )
            if arrived is None:
                return []
            target = by_id[target_id]
            needed = (target.requires if forward else target.needed_by) or []
            if {str(n) for n in needed} <= set(arrived):
                ready.append(Step(step.stack_id, target_id, step.traversal_id, step.action))
        if targets:
            return ready
        arrived = sync_points.arrive(
            session, step.stack_id, step.traversal_id, forward, str(row.id)
        )
        if arrived is not None:
            last = sync_points.expected(session, step.stack_id, step.traversal_id, forward)
            if set(last) <= set(arrived):
                self.finish(session, step, loaded)
        return []

    def finish(self, session: Session, step: Step, loaded: LoadedStack) -> None:
        """The walk is over: complete the stack's action and tidy what it leaves behind."""
        label = loaded.row.action
        reason = COMPLETED % label
        if not stack_db.set_status(
            session,
            step.stack_id,
            step.traversal_id,
            label,
            "COMPLETE",
            reason,
            only_if_in_progress=True,
        ):
            return
        event_db.add(
            session,
            step.stack_id,
            loaded.row.name,
            label,
            "COMPLETE",
            reason,
            step.stack_id,
            STACK_RESOURCE_TYPE,
        )
        if label == DELETE:
            stack_db.mark_deleted(session, step.stack_id)
        elif step.action == UPDATE:
            stack_db.drop_removed_resources(session, step.stack_id, set(loaded.definitions))
        elif step.action == DELETE:  # a rolled-back create leaves no resources
            stack_db.drop_removed_resources(session, step.stack_id, set())
