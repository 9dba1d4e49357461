"""Recording a step's progress: state changes with their events, failures, sync-point
arrivals and the stack's completion, each committed before it is reported."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common import exception
from common.db import events as event_db
from common.db import models
from common.db import resources as resource_db
from common.db import stacks as stack_db
from heat_engine.resources.base import Resource
from heat_engine.stack import STACK_RESOURCE_TYPE, LoadedStack
from heat_engine.traversal import parents, plan, snapshot_records
from heat_engine.traversal.messages import DELETE, UPDATE, Step, StepSender, is_forward
from heat_engine.traversal.plan import COMPLETED

# a step's own result, recorded in the transaction that completes it
Events = list[dict[str, Any]]

LOG = logging.getLogger(__name__)

STATE_CHANGED = "state changed"
# how long a step keeps trying to commit its result while the database is unreachable
COMMIT_RETRY_SECONDS = 60.0

T = TypeVar("T")


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
    traversal still owns the stack (and, where a step claims a resource, that nobody
    moved it since it was read); ready steps are sent only after their commit."""

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
        claim: bool = False,
        before: Transition | None = None,
    ) -> bool:
        """Apply ``change`` and add its event (after ``before``'s, when a step records
        its start and its end at once); by default only while the step's traversal
        still owns the stack, and with ``claim`` only if the row is as the step read it.
        False if nothing changed."""
        current = (step.stack_id, step.traversal_id) if only_if_current else None
        if not resource_db.set_state(
            session,
            row.id,
            change.action,
            change.status,
            change.reason,
            current=current,
            expect_key=row.atomic_key if claim else None,
            traversal_id=step.traversal_id,
            **change.values,
        ):
            return False
        row.atomic_key = (row.atomic_key or 0) + 1
        row.action, row.status = change.action, change.status
        event_db.add_all(
            session,
            [self._event(loaded, row, t) for t in (before, change) if t is not None],
        )
        return True

    @staticmethod
    def _event(loaded: LoadedStack, row: models.Resource, change: Transition) -> dict[str, Any]:
        return {
            "stack_id": loaded.row.id,
            "name": row.name,
            "action": change.action,
            "status": change.status,
            "reason": change.reason,
            "physical_id": change.physical_id,
            "resource_type": change.type_name,
            "properties": change.properties,
        }

    def enter(
        self, step: Step, loaded: LoadedStack, row: models.Resource, change: Transition
    ) -> bool:
        """Claim the resource and commit its IN_PROGRESS state before any work starts;
        False if the traversal was superseded or another delivery of the step has it."""
        with self.factory.begin() as session:
            return self.record(session, step, loaded, row, change, claim=True)

    def complete(
        self,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        change: Transition,
        plugin: Resource,
        started: Transition | None = None,
        claim: bool = False,
    ) -> None:
        """Commit the result with the plugin's data; then send the steps it made ready.

        ``started`` is given when the step did not commit its start (a plugin that acts
        only on Heat's own data and finished at once): both are recorded now, if the row
        is still as the step read it (as with ``claim``, for a parked step). Otherwise
        the result is recorded even for a superseded traversal: the work was done, and
        the resource must say so (and release its engine) for the traversal that
        superseded this one.
        """
        claim = claim or started is not None

        def commit(session: Session) -> bool | None:
            current = self.record(session, step, loaded, row, change, claim=claim, before=started)
            if not current:
                if claim:
                    return None  # superseded, or another delivery did it: nothing happened
                self.record(session, step, loaded, row, change, only_if_current=False)
            resource_db.set_data(session, row.id, plugin.data, plugin.redacted)
            return current

        if self.commit_through_outage(row, commit):
            self.advance(step, loaded, row)

    def commit_through_outage(self, row: models.Resource, work: Callable[[Session], T]) -> T:
        """Commit a step's result, retrying while the database is unreachable (up to
        COMMIT_RETRY_SECONDS): the work is done and must not be lost or repeated."""
        kept = (row.atomic_key, row.action, row.status)
        deadline = time.monotonic() + COMMIT_RETRY_SECONDS
        delay = 0.5
        while True:
            try:
                with self.factory.begin() as session:
                    return work(session)
            except (sa_exc.OperationalError, sa_exc.InterfaceError) as ex:
                row.atomic_key, row.action, row.status = kept  # nothing of it was committed
                if time.monotonic() + delay > deadline:
                    raise
                LOG.warning("Committing %s failed (%s); retrying", row.name, ex)
                release = getattr(self.factory, "release", None)
                if release is not None:
                    release()
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def fail(
        self,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        plugin: Resource | None,
        action: str,
        type_name: str,
        ex: BaseException,
        started: Transition | None = None,
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

        def commit(session: Session) -> list[Step]:
            self.record(session, step, loaded, row, change, only_if_current=False, before=started)
            if not is_current(session, step):
                return []
            return self._fail_stack(session, step, loaded, action, reason)

        self.send(self.commit_through_outage(row, commit))

    def _fail_stack(
        self, session: Session, step: Step, loaded: LoadedStack, action: str, reason: str
    ) -> list[Step]:
        """Fail the stack's action with a resource's failure; the steps to send next."""
        label = loaded.row.action
        stack_reason = f"Resource {action} failed: {reason}"
        if not stack_db.set_status(
            session,
            loaded.row.id,
            step.traversal_id,
            label,
            "FAILED",
            stack_reason,
            only_if_in_progress=True,
        ):
            return []
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
        if label == snapshot_records.SNAPSHOT:
            snapshot_records.fail(session, loaded.row.id, step.traversal_id, stack_reason)
        stack = stack_db.get(session, loaded.row.id)
        if stack is not None and not stack.disable_rollback:
            return plan.begin_rollback(session, stack)
        return parents.wake_parent(session, loaded.row.id)

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
                traversal_id=step.traversal_id,
            ):
                return
        self.advance(step, loaded, row)

    def propagate(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """The node was already done (a redelivered step, or a resource an earlier
        traversal finished): count it done in this one and pass the baton on."""
        if row.traversal_id == step.traversal_id and not step.replay:
            return  # a second delivery: the first passed the baton on
        if row.traversal_id != step.traversal_id:
            with self.factory.begin() as session:
                if not resource_db.mark_traversal(
                    session, row.id, step.stack_id, step.traversal_id
                ):
                    return
        self.advance(step, loaded, row)

    def send(self, steps: list[Step]) -> None:
        for ready in steps:
            self._sender.send(ready)

    def advance(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """After ``row`` committed done: send the next nodes whose every input is now
        done, or complete the stack at the end of the walk.

        Read after the commit, so of two inputs finishing together at least the later
        sees both done; both may, and a step delivered twice is harmless (see steps).
        A node whose only input is ``row`` needs no read: the links the step loaded
        (``loaded.next_links``) say so.
        """
        forward = is_forward(step.action)
        targets = set((row.needed_by if forward else row.requires) or [])
        if not targets:
            with self.factory() as session:
                if not resource_db.all_done(session, step.stack_id, step.traversal_id):
                    return
            with self.factory.begin() as session:
                woken = self.finish(session, step, loaded)
            self.send(woken)
            return
        nodes = loaded.next_links
        if nodes is None or {n.id for n in nodes} != targets:
            with self.factory() as session:
                nodes = resource_db.links(session, targets)
        inputs = {
            n.id: set((n.requires if forward else n.needed_by) or []) - {row.id} for n in nodes
        }
        waiting = {n.id for n in nodes if inputs[n.id]}
        done: set[int] = set()
        if waiting:  # read after the commit: have the node's other inputs finished?
            with self.factory() as session:
                done = resource_db.done_among(
                    session, waiting.union(*(inputs[i] for i in waiting)), step.traversal_id
                )
        self.send(
            [
                Step(step.stack_id, n.id, step.traversal_id, step.action)
                for n in nodes
                if n.id not in done and inputs[n.id] <= done
            ]
        )

    def finish(self, session: Session, step: Step, loaded: LoadedStack) -> list[Step]:
        """The walk is over: complete the stack's action and tidy what it leaves behind;
        returns the parent's step to wake, for a nested stack."""
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
            return []
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
        elif label == snapshot_records.SNAPSHOT:
            snapshot_records.complete(session, step.stack_id, step.traversal_id, reason)
        elif step.action == UPDATE:
            stack_db.drop_removed_resources(session, step.stack_id, set(loaded.definitions))
        elif step.action == DELETE:  # a rolled-back create leaves no resources
            stack_db.drop_removed_resources(session, step.stack_id, set())
        return parents.wake_parent(session, step.stack_id)
