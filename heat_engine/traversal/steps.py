"""One resource step: load, check the traversal, act, commit, then pass the baton on.

A step is idempotent: delivered twice (an engine died before acknowledging it), it
finds the resource already done and only propagates again. What a step commits goes
through ``StepRecorder``, which stops the steps of a superseded traversal.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from common import exception
from common.db import events as event_db
from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import services as service_db
from common.db import stacks as stack_db
from heat_engine.resources import registry
from heat_engine.resources.base import Resource
from heat_engine.stack import LoadedStack, stored_template
from heat_engine.template import functions as fn
from heat_engine.traversal import adoption, snapshot_records
from heat_engine.traversal.messages import (
    CREATE,
    DELETE,
    RESUME,
    SUSPEND,
    UPDATE,
    Step,
    StepSender,
    is_forward,
)
from heat_engine.traversal.recorder import (
    STATE_CHANGED,
    StepRecorder,
    Transition,
    failure_reason,
)
from heat_engine.traversal.step_session import StepSessions
from heat_engine.update_plan import plan_resource

LOG = logging.getLogger(__name__)

FIRST_POLL = 0.01
MAX_POLL = 0.5
WAKE_SLACK = 0.05  # a timer may fire a little early by the wall clock


def wait_until(check: Callable[[Any], bool], token: Any) -> None:
    """Poll a plugin's check_*_complete with a growing interval."""
    delay = FIRST_POLL
    while not check(token):
        time.sleep(delay)
        delay = min(delay * 2, MAX_POLL)


@dataclasses.dataclass
class Start:
    """A step's IN_PROGRESS transition, and whether it is committed yet."""

    change: Transition
    committed: bool = False
    parked: bool = False  # the step let go of the resource once; it must claim it back

    @property
    def pending(self) -> Transition | None:
        """The start still to record with the step's result."""
        return None if self.committed else self.change


# a step's stack and resource, in one query built once
_STEP_ROWS = (
    select(models.Stack.current_traversal, models.Resource)
    .join(models.Resource, models.Resource.stack_id == models.Stack.id)
    .where(
        models.Stack.id == bindparam("stack_id"),
        models.Resource.id == bindparam("resource_id"),
        models.Stack.deleted_at.is_(None),
    )
)
# Stack rows as their traversals began: what a step reads of its stack (name, tenant,
# template, action, parent) does not change while the traversal is current, and the
# query above checks that it is.
STACKS_KEPT = 256


def retry_delay(attempt: int) -> float:
    """Seconds before retry ``attempt`` (1, 2, ...): doubling, with up to 2 s of jitter."""
    return float(2**attempt) + random.uniform(0, 2)


class StepDeferred(Exception):
    """The step cannot run yet; the broker should deliver it again a little later."""


class StepParked(Exception):
    """The step waits for something that will send it again (a hook being cleared);
    it is acknowledged now, and the sweep resends it should that message be lost."""


# Raised through a plugin's action without failing the resource: the step's own
# control flow, and the database going away (the step is delivered again).
NOT_THE_RESOURCES_FAULT = (
    StepDeferred,
    StepParked,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


class StepRunner:
    """Runs resource steps against the database and sends the steps they make ready."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        sender: StepSender,
        engine_id: str,
        nested: Any = None,
        retry_limit: int = 0,
    ) -> None:
        self._retry_limit = max(retry_limit, 0)  # action_retry_limit
        # resource id -> traversal id, for the steps this engine's threads run now
        self._running: dict[int, str] = {}
        self._stacks: OrderedDict[tuple[str, str], models.Stack] = OrderedDict()
        self._running_lock = threading.Lock()
        self._factory = StepSessions(factory)
        self._engine_id = engine_id
        self._nested = nested  # NestedStacks, for template resources
        self._rec = StepRecorder(self._factory, sender, engine_id)  # type: ignore[arg-type]
        self._sender = sender  # for parked steps' own deadlines (wake_at)

    def run(self, step: Step) -> None:
        with self._running_lock:
            running = self._running.get(step.resource_id)
            if running == step.traversal_id:
                return  # another delivery of this step is running here right now
            if running is not None:  # an earlier traversal's step: come back later
                raise StepDeferred(f"resource {step.resource_id} is in progress here")
            self._running[step.resource_id] = step.traversal_id
        try:
            with self._factory.step():
                self._run(step)
        finally:
            with self._running_lock:
                self._running.pop(step.resource_id, None)

    def orphans(self) -> list[Step]:
        """Steps of resources this engine claims but no thread of it works on: an
        attempt that died half-way (its database went away as it committed). Another
        engine would drop their redelivery, taking this engine for their owner."""
        with self._running_lock:
            running = set(self._running)
        with self._factory() as session:
            rows = session.execute(
                select(
                    models.Resource.id,
                    models.Resource.stack_id,
                    models.Stack.current_traversal,
                )
                .join(models.Stack, models.Stack.id == models.Resource.stack_id)
                .where(
                    models.Resource.engine_id == self._engine_id,
                    models.Resource.status == "IN_PROGRESS",
                    models.Resource.traversal_id == models.Stack.current_traversal,
                )
            ).all()
            acts = {
                r.stack_id: sync_points.traversal_act(session, r.stack_id, r.current_traversal)
                for r in rows
                if r.id not in running
            }
        return [
            Step(r.stack_id, r.id, r.current_traversal, acts[r.stack_id])
            for r in rows
            if r.id not in running and acts.get(r.stack_id)
        ]

    def _run(self, step: Step) -> None:
        loaded = self._load(step)
        if loaded is None:
            LOG.debug("Step %s belongs to a superseded traversal; dropped", step)
            return
        row = loaded.resources[next(iter(loaded.resources))]
        parked = not row.engine_id and row.traversal_id == step.traversal_id
        if row.status == "IN_PROGRESS" and parked:
            self._resume(step, loaded, row)
            return
        owner = row.engine_id
        elsewhere = bool(owner) and owner != self._engine_id
        if row.status == "IN_PROGRESS" and elsewhere and self._is_alive(owner or ""):
            if row.traversal_id == step.traversal_id:
                return  # another delivery of this step runs there (or that engine retakes it)
            # an earlier traversal's step is still working on it: come back later
            raise StepDeferred(f"{row.name} is in progress on engine {row.engine_id}")
        if step.action == CREATE:
            self._create(step, loaded, row)
        elif step.action == UPDATE:
            self._update(step, loaded, row)
        elif step.action == DELETE:
            self._delete(step, loaded, row)
        else:
            self._act_in_place(step, loaded, row)

    def _is_alive(self, engine_id: str) -> bool:
        if engine_id == self._engine_id:
            return True
        with self._factory() as session:
            return service_db.is_engine_alive(session, engine_id)

    def _load(self, step: Step) -> LoadedStack | None:
        """The step's stack and resource in one query; None if the traversal is over."""
        with self._factory() as session:
            found = session.execute(
                _STEP_ROWS, {"stack_id": step.stack_id, "resource_id": step.resource_id}
            ).first()
            if found is None or found[0] != step.traversal_id:
                return None
            row = found[1]
            stack = self._traversal_stack(session, step)
            if stack is None:
                return None
            session.expunge_all()
            loaded = LoadedStack.load_for_step(session, stack, row, self._fetch)
            targets = (row.needed_by if is_forward(step.action) else row.requires) or []
            loaded.next_links = resource_db.links(session, set(targets))
        loaded.nested = self._nested
        return loaded

    def _traversal_stack(self, session: Session, step: Step) -> models.Stack | None:
        """The step's stack row, read once per traversal by this engine (read-only)."""
        key = (step.stack_id, step.traversal_id)
        with self._running_lock:
            stack = self._stacks.get(key)
        if stack is not None:
            return stack
        stack = stack_db.get(session, step.stack_id)
        if stack is None or stack.current_traversal != step.traversal_id:
            return None
        session.expunge(stack)
        with self._running_lock:
            self._stacks[key] = stack
            while len(self._stacks) > STACKS_KEPT:
                self._stacks.popitem(last=False)
        return stack

    def _fetch(self, loaded: LoadedStack, name: str) -> models.Resource | None:
        """Another resource of a step's stack, on first use: the step's neighbours all
        at once (what its properties most likely refer to), else that one by name."""
        own = next(iter(loaded.resources.values()))
        neighbours = {*(own.requires or []), *(own.needed_by or [])}
        with self._factory() as session:
            known = {r.id for r in loaded.resources.values()}
            rows = resource_db.by_ids(session, loaded.row.id, neighbours - known)
            if not any(r.name == name for r in rows):
                extra = resource_db.by_name(session, loaded.row.id, name)
                rows += [extra] if extra is not None and extra.id not in known else []
            loaded.resource_data.update(resource_db.data_of(session, [r.id for r in rows]))
            older = {r.current_template_id for r in rows} - {loaded.row.raw_template_id, None}
            for tid in older - set(loaded.templates):
                if tid is not None:
                    loaded.templates[tid] = stored_template(session, tid)
            session.expunge_all()
        for r in rows:
            loaded.resources.setdefault(r.name, r)
        return loaded.resources.get(name)

    # Running a plugin ---------------------------------------------------------------
    def _perform(
        self,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        plugin: Resource,
        start: Start,
        handle: Callable[[], Any],
        check: Callable[[Any], bool],
        may_park: bool = True,
    ) -> bool:
        """Run a plugin's handle/check pair; False if another step has the resource.

        An external plugin's start is committed before it acts. A plugin that only
        computes acts first: if it finished at once, its start is recorded together with
        its result (``start.pending``); if it must wait, the start is committed then.
        """
        if plugin.external:
            if not self._commit_start(step, loaded, row, start):
                return False
            token = handle()
            if not check(token):
                self._save_plugin_state(row, plugin)  # it will take a while: record it now
                if plugin.parks and may_park:
                    self._park(row)
                    start.parked = True
                    if not check(token):  # unless it finished while the step parked
                        self._send_at(step, plugin.wake_at(start.change.action))
                        raise StepParked(f"{row.name} waits for {plugin.resource_id}")
                    return True
                self._factory.release()
                wait_until(check, token)
            return True
        token = handle()
        if check(token):
            return True
        if not self._commit_start(step, loaded, row, start):
            return False
        self._factory.release()
        wait_until(check, token)
        return True

    def _send_at(self, step: Step, when: float | None) -> None:
        """Send a parked step again at ``when`` (epoch seconds), e.g. its wait's deadline.
        The timer lives in this process only: the sweep resends the step if it is lost."""
        if when is None:
            return

        def send() -> None:
            try:
                self._sender.send(step)
            except Exception as ex:  # the broker may be away: the sweep resends it
                LOG.warning("Could not send %s at its deadline: %s", step, ex)

        timer = threading.Timer(max(when - time.time(), 0.0) + WAKE_SLACK, send)
        timer.daemon = True
        timer.start()

    def _start_over(
        self,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        plugin: Resource,
        start: Start,
        ex: BaseException,
        attempt: int,
    ) -> bool:
        """After a create that went to an error state: record the failure, delete what
        was made, wait a growing delay, and let the create run again (as upstream, at
        most ``action_retry_limit`` times). False if the step lost the resource."""
        if not start.committed and not self._commit_start(step, loaded, row, start):
            return False
        type_name = start.change.type_name
        physical = plugin.resource_id or start.change.physical_id
        mine = {"engine_id": self._engine_id}
        failed = Transition(CREATE, "FAILED", physical, type_name, failure_reason(row.name, ex))
        deleting = Transition(DELETE, "IN_PROGRESS", physical, type_name, values=mine)
        with self._factory.begin() as session:
            if not self._rec.record(session, step, loaded, row, deleting, before=failed):
                return False
        self._factory.release()
        wait_until(plugin.check_delete_complete, plugin.handle_delete())
        with self._factory.begin() as session:
            deleted = Transition(
                DELETE, "COMPLETE", physical, type_name, values={**mine, "nova_instance": None}
            )
            if not self._rec.record(session, step, loaded, row, deleted):
                return False
        plugin.resource_id_set(None)
        time.sleep(retry_delay(attempt))
        start.committed = False
        return True

    def _park(self, row: models.Resource) -> None:
        """Let go of a resource whose plugin waits for something that will wake the step
        (see parents.wake_parent): IN_PROGRESS with no engine is a parked step."""
        with self._factory.begin() as session:
            resource_db.set_state(
                session,
                row.id,
                row.action,
                row.status,
                row.status_reason or STATE_CHANGED,
                expect_key=row.atomic_key,
                engine_id=None,
            )
        row.atomic_key = (row.atomic_key or 0) + 1

    def _resume(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """A parked step woken up: finish the resource if what it waited for is done."""
        act = row.action
        type_name = loaded.type_of(row)
        plugin: Resource | None = None
        values: dict[str, Any] = {"engine_id": None}
        properties = None
        try:
            plugin = loaded.plugin(row.name)
            if act in (CREATE, UPDATE):
                definition = loaded.definitions[row.name]
                properties = fn.resolve(definition.properties, loaded.resolver())
                values["properties_data"] = type(plugin).validate_properties(properties, row.name)
                values["current_template_id"] = loaded.row.raw_template_id
            check = getattr(plugin, f"check_{act.lower()}_complete")
            if not check(plugin.resume_token(act)):
                return  # still waiting: the next wake-up (or a sweep) comes back
        except NOT_THE_RESOURCES_FAULT:
            raise
        except Exception as ex:
            self._rec.fail(step, loaded, row, plugin, act, type_name, ex)
            return
        values["nova_instance"] = plugin.resource_id
        physical = plugin.resource_id or row.nova_instance
        done = Transition(
            act, "COMPLETE", physical, type_name, properties=properties, values=values
        )
        self._rec.complete(step, loaded, row, done, plugin, claim=True)

    def _commit_start(
        self, step: Step, loaded: LoadedStack, row: models.Resource, start: Start
    ) -> bool:
        if not self._rec.enter(step, loaded, row, start.change):
            return False
        start.committed = True
        return True

    # Create ----------------------------------------------------------------------
    def _create(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        if adoption.is_adopting(loaded):  # an ADOPT traversal takes resources over instead
            adoption.adopt_resource(self._rec, self._engine_id, step, loaded, row)
            return
        if row.action == CREATE and row.status == "COMPLETE":
            self._rec.propagate(step, loaded, row)
            return
        self._create_resource(step, loaded, row)

    def _create_resource(
        self, step: Step, loaded: LoadedStack, row: models.Resource, may_park: bool = True
    ) -> bool:
        """Create ``row``'s resource; True once it is CREATE_COMPLETE."""
        definition = loaded.definitions[row.name]
        plugin: Resource | None = None
        start: Start | None = None
        try:
            cls = registry.get_class(loaded.resolved_type(row.name))
            resolved = fn.resolve(definition.properties, loaded.resolver())
            props = cls.validate_properties(resolved, row.name)
            plugin = cls(
                row.name,
                row.uuid,
                loaded.row.name,
                loaded.row.id,
                props,
                loaded.resource_data.get(row.id, {}),
                row.nova_instance,
            )
            loaded.bind(plugin, loaded.resolved_type(row.name))
            start = Start(
                Transition(
                    CREATE,
                    "IN_PROGRESS",
                    row.nova_instance or plugin.physical_resource_name(),
                    definition.type,
                    properties=resolved,
                    values={
                        "properties_data": props,
                        "engine_id": self._engine_id,
                        "rsrc_metadata": fn.resolve(definition.metadata, loaded.resolver()),
                    },
                )
            )
            self._hold_for_hook(step, loaded, row, CREATE)
            attempt = 0
            while True:
                try:
                    created = self._perform(
                        step,
                        loaded,
                        row,
                        plugin,
                        start,
                        plugin.handle_create,
                        plugin.check_create_complete,
                        may_park,
                    )
                    break
                except exception.ResourceInError as ex:
                    if attempt >= self._retry_limit:
                        raise
                    attempt += 1
                    if not self._start_over(step, loaded, row, plugin, start, ex, attempt):
                        return False
            if not created:
                return False
            # a resource a RESTORE re-creates gets its private data back from the snapshot
            plugin.data.update(
                snapshot_records.restored_data(self._factory, loaded, row, definition.type)
            )
        except NOT_THE_RESOURCES_FAULT:
            raise
        except Exception as ex:  # any plugin failure is the resource's failure, not ours
            pending = start.pending if start else None
            self._rec.fail(step, loaded, row, plugin, CREATE, definition.type, ex, pending)
            return False
        done = Transition(
            CREATE,
            "COMPLETE",
            plugin.resource_id or plugin.physical_resource_name(),
            definition.type,
            properties=resolved,
            values={
                "properties_data": props,
                "rsrc_metadata": start.change.values["rsrc_metadata"],
                "nova_instance": plugin.resource_id,
                "engine_id": None,
                "current_template_id": loaded.row.raw_template_id,
            },
        )
        self._rec.complete(step, loaded, row, done, plugin, start.pending, start.parked)
        return True

    def _save_plugin_state(self, row: models.Resource, plugin: Resource) -> None:
        """Record the physical id and data as soon as they exist, so a retry finds them."""
        with self._factory.begin() as session:
            resource_db.set_data(session, row.id, plugin.data, plugin.redacted)
            session.query(models.Resource).filter(models.Resource.id == row.id).update(
                {"nova_instance": plugin.resource_id}, synchronize_session=False
            )

    # Delete ----------------------------------------------------------------------
    def _delete(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        if row.action == DELETE and row.status == "COMPLETE":
            self._rec.propagate(step, loaded, row)
            return
        definition = loaded.definitions.get(row.name)
        type_name = loaded.type_of(row)
        if row.action == "INIT":  # never created: nothing to delete, and no event
            with self._factory.begin() as session:
                if not resource_db.set_state(
                    session,
                    row.id,
                    DELETE,
                    "COMPLETE",
                    STATE_CHANGED,
                    current=(step.stack_id, step.traversal_id),
                    traversal_id=step.traversal_id,
                ):
                    return
            self._rec.advance(step, loaded, row)
            return
        plugin: Resource | None = None
        start: Start | None = None
        try:
            plugin = loaded.plugin(row.name)
            physical = row.nova_instance or plugin.physical_resource_name()
            start = Start(
                Transition(
                    DELETE,
                    "IN_PROGRESS",
                    physical,
                    type_name,
                    values={"engine_id": self._engine_id},
                )
            )
            self._hold_for_hook(step, loaded, row, DELETE)
            retained = definition is not None and definition.deletion_policy == "Retain"
            if not self._perform(
                step,
                loaded,
                row,
                plugin,
                start,
                (lambda: None) if retained else plugin.handle_delete,
                (lambda _token: True) if retained else plugin.check_delete_complete,
            ):
                return
        except NOT_THE_RESOURCES_FAULT:
            raise
        except Exception as ex:
            pending = start.pending if start else None
            self._rec.fail(step, loaded, row, plugin, DELETE, type_name, ex, pending)
            return
        done = Transition(DELETE, "COMPLETE", physical, type_name, values={"engine_id": None})
        self._rec.complete(step, loaded, row, done, plugin, start.pending, start.parked)

    # Update ----------------------------------------------------------------------
    def _update(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """Bring one resource to the new template: create, keep, update in place or replace."""
        definition = loaded.definitions.get(row.name)
        if definition is None:
            self._delete(step, loaded, row)
            return
        if row.action == "INIT" or (row.action == CREATE and row.status != "COMPLETE"):
            self._create_resource(step, loaded, row)
            return
        if row.current_template_id == loaded.row.raw_template_id and row.status == "COMPLETE":
            self._rec.propagate(step, loaded, row)
            return
        plugin: Resource | None = None
        start: Start | None = None
        try:
            decided = plan_resource(loaded, row)
            if decided.verdict == "unchanged":
                self._rec.keep(step, loaded, row)
                return
            if decided.verdict == "replaced":
                self._replace(step, loaded, row, decided.current, definition.type)
                return
            plugin, resolved, props = decided.current, decided.resolved, decided.properties
            start = Start(
                Transition(
                    UPDATE,
                    "IN_PROGRESS",
                    row.nova_instance,
                    definition.type,
                    properties=resolved,
                    values={"engine_id": self._engine_id},
                )
            )
            self._hold_for_hook(step, loaded, row, UPDATE)
            updating = plugin
            if not self._perform(
                step,
                loaded,
                row,
                plugin,
                start,
                lambda: updating.handle_update(props, decided.diff),
                plugin.check_update_complete,
            ):
                return
        except NOT_THE_RESOURCES_FAULT:
            raise
        except Exception as ex:
            pending = start.pending if start else None
            self._rec.fail(step, loaded, row, plugin, UPDATE, definition.type, ex, pending)
            return
        done = Transition(
            UPDATE,
            "COMPLETE",
            plugin.resource_id,
            definition.type,
            properties=resolved,
            values={
                "properties_data": props,
                "nova_instance": plugin.resource_id,
                "engine_id": None,
                "current_template_id": loaded.row.raw_template_id,
            },
        )
        self._rec.complete(step, loaded, row, done, plugin, start.pending, start.parked)

    def _replace(
        self, step: Step, loaded: LoadedStack, row: models.Resource, old: Resource, type_name: str
    ) -> None:
        """Replace a resource: the new one is created before the old one is deleted."""
        self._hold_for_hook(step, loaded, row, UPDATE)
        with self._factory.begin() as session:
            started = Transition(
                UPDATE,
                "IN_PROGRESS",
                row.nova_instance,
                type_name,
                values={"engine_id": self._engine_id},
            )
            reason = f"The Resource {row.name} requires replacement."
            replaced = Transition(UPDATE, "COMPLETE", row.nova_instance, type_name, reason)
            if not self._rec.record(
                session, step, loaded, row, replaced, claim=True, before=started
            ):
                return
            new_uuid = models.new_uuid()
            session.query(models.Resource).filter(models.Resource.id == row.id).update(
                {"uuid": new_uuid, "nova_instance": None, "action": "INIT", "status": "COMPLETE"},
                synchronize_session=False,
            )
            session.query(models.ResourceData).filter(
                models.ResourceData.resource_id == row.id
            ).delete(synchronize_session=False)
        row.uuid, row.nova_instance, row.action, row.status = new_uuid, None, "INIT", "COMPLETE"
        loaded.resource_data[row.id] = {}
        # the old resource is deleted by this step once the new one exists: no parking
        if not self._create_resource(step, loaded, row, may_park=False):
            return
        try:
            wait_until(old.check_delete_complete, old.handle_delete())
        except NOT_THE_RESOURCES_FAULT:
            raise
        except Exception as ex:
            LOG.warning("Deleting the replaced %s failed: %s", row.name, ex)
            return
        with self._factory.begin() as session:
            for status in ("IN_PROGRESS", "COMPLETE"):
                event_db.add(
                    session,
                    loaded.row.id,
                    row.name,
                    DELETE,
                    status,
                    STATE_CHANGED,
                    old.resource_id,
                    type_name,
                )

    # Suspend, resume, check ------------------------------------------------------
    def _act_in_place(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """SUSPEND, RESUME or CHECK one resource through its plugin's handle/check pair."""
        act = step.action
        settled = act in (SUSPEND, RESUME) and (row.action, row.status) == (act, "COMPLETE")
        if resource_db.is_done(row, step.traversal_id) or settled or row.action == "INIT":
            self._rec.propagate(step, loaded, row)
            return
        type_name = loaded.type_of(row)
        plugin: Resource | None = None
        start: Start | None = None
        try:
            plugin = loaded.plugin(row.name)
            start = Start(
                Transition(
                    act,
                    "IN_PROGRESS",
                    row.nova_instance,
                    type_name,
                    values={"engine_id": self._engine_id},
                )
            )
            verb = act.lower()
            # a type without a handler (SNAPSHOT) has nothing to do
            handle = getattr(plugin, f"handle_{verb}", None) or (lambda: None)
            check = getattr(plugin, f"check_{verb}_complete", None) or (lambda _token: True)
            if not self._perform(step, loaded, row, plugin, start, handle, check):
                return
        except NOT_THE_RESOURCES_FAULT:
            raise
        except Exception as ex:
            pending = start.pending if start else None
            self._rec.fail(step, loaded, row, plugin, act, type_name, ex, pending)
            return
        done = Transition(act, "COMPLETE", row.nova_instance, type_name, values={"engine_id": None})
        self._rec.complete(step, loaded, row, done, plugin, start.pending, start.parked)

    # Hooks -----------------------------------------------------------------------
    def _hold_for_hook(
        self, step: Step, loaded: LoadedStack, row: models.Resource, act: str
    ) -> None:
        """Wait at a ``pre-<act>`` breakpoint until a signal clears it.

        The first time, the pause is recorded (an event and the resource's reason); until
        the hook is cleared the step is parked; clearing it sends the step again.
        """
        hook = f"pre-{act.lower()}"
        if hook not in loaded.hooks(row.name):
            return
        with self._factory.begin() as session:
            extra = sync_points.node_extra(session, step.stack_id, row.id, step.traversal_id)
            if extra is None or hook in extra.get("hooks_cleared", []):
                return
            if hook not in extra.get("hooks_paused", []):
                reason = f"{act} paused until Hook {hook} is cleared"
                extra["hooks_paused"] = [*extra.get("hooks_paused", []), hook]
                sync_points.set_node_extra(session, step.stack_id, row.id, step.traversal_id, extra)
                resource_db.set_state(session, row.id, row.action, row.status, reason)
                event_db.add(
                    session,
                    loaded.row.id,
                    row.name,
                    row.action,
                    row.status,
                    reason,
                    row.nova_instance,
                    loaded.type_of(row),
                )
        raise StepParked(f"{row.name} waits for hook {hook}")
