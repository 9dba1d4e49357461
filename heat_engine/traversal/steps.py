"""One resource step: load, check the traversal, act, commit, then pass the baton on.

A step is idempotent: delivered twice (an engine died before acknowledging it),
it finds the resource already done and only propagates again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from common import exception
from common.db import events as event_db
from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import stacks as stack_db
from heat_engine.resources import registry
from heat_engine.resources.base import Resource
from heat_engine.stack import STACK_RESOURCE_TYPE, LoadedStack
from heat_engine.template import functions as fn
from heat_engine.traversal.messages import CREATE, DELETE, UPDATE, Step, StepSender
from heat_engine.traversal.plan import COMPLETED

LOG = logging.getLogger(__name__)

STATE_CHANGED = "state changed"
FIRST_POLL = 0.01
MAX_POLL = 0.5


def failure_reason(name: str, ex: BaseException) -> str:
    """A resource's failure as upstream words it: ``ValueError: resources.x: message``."""
    return f"{type(ex).__name__}: resources.{name}: {ex}"


def wait_until(check: Callable[[Any], bool], token: Any) -> None:
    """Poll a plugin's check_*_complete with a growing interval."""
    delay = FIRST_POLL
    while not check(token):
        time.sleep(delay)
        delay = min(delay * 2, MAX_POLL)


class StepRunner:
    """Runs resource steps against the database and sends the steps they make ready."""

    def __init__(self, factory: sessionmaker[Session], sender: StepSender, engine_id: str) -> None:
        self._factory = factory
        self._sender = sender
        self._engine_id = engine_id

    def run(self, step: Step) -> None:
        loaded = self._load(step)
        if loaded is None:
            LOG.debug("Step %s belongs to a superseded traversal; dropped", step)
            return
        row = next((r for r in loaded.resources.values() if r.id == step.resource_id), None)
        if row is None:
            return
        if step.action == CREATE:
            self._create(step, loaded, row)
        elif step.action == DELETE:
            self._delete(step, loaded, row)
        elif step.action == UPDATE:
            self._update(step, loaded, row)

    def _load(self, step: Step) -> LoadedStack | None:
        with self._factory() as session:
            stack = stack_db.get(session, step.stack_id)
            if stack is None or stack.current_traversal != step.traversal_id:
                return None
            row = session.get(models.Resource, step.resource_id)
            if row is None:
                return None
            neighbours = {row.id, *(row.requires or []), *(row.needed_by or [])}
            return LoadedStack.load(session, stack, resource_ids=neighbours)

    def _record(
        self,
        session: Session,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        action: str,
        status: str,
        reason: str,
        physical_id: str | None,
        type_name: str,
        properties: Any = None,
        **values: Any,
    ) -> bool:
        """Move the resource to a new state and record the event, if ``step``'s traversal
        still owns the stack (one conditional statement); False if it does not."""
        if not resource_db.set_state(
            session,
            row.id,
            action,
            status,
            reason,
            current=(step.stack_id, step.traversal_id),
            **values,
        ):
            return False
        event_db.add(
            session,
            loaded.row.id,
            row.name,
            action,
            status,
            reason,
            physical_id,
            type_name,
            properties,
        )
        return True

    def _create(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        if row.action == CREATE and row.status == "COMPLETE":
            self._propagate(step, loaded, row)
            return
        self._create_resource(step, loaded, row, CREATE)

    def _create_resource(
        self, step: Step, loaded: LoadedStack, row: models.Resource, fail_action: str
    ) -> None:
        definition = loaded.template.resources[row.name]
        plugin: Resource | None = None
        try:
            cls = registry.get_class(definition.type)
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
            with self._factory.begin() as session:
                if not self._record(
                    session,
                    step,
                    loaded,
                    row,
                    CREATE,
                    "IN_PROGRESS",
                    STATE_CHANGED,
                    row.nova_instance or plugin.physical_resource_name(),
                    definition.type,
                    resolved,
                    properties_data=props,
                    engine_id=self._engine_id,
                ):
                    return
            token = plugin.handle_create()
            if not plugin.check_create_complete(token):
                self._save_plugin_state(row, plugin)  # it will take a while: record it now
                wait_until(plugin.check_create_complete, token)
        except Exception as ex:  # any plugin failure is the resource's failure, not ours
            self._fail(step, loaded, row, plugin, CREATE, definition.type, ex, fail_action)
            return
        with self._factory.begin() as session:
            if not self._record(
                session,
                step,
                loaded,
                row,
                CREATE,
                "COMPLETE",
                STATE_CHANGED,
                plugin.resource_id or plugin.physical_resource_name(),
                definition.type,
                resolved,
                nova_instance=plugin.resource_id,
                engine_id=None,
                current_template_id=loaded.row.raw_template_id,
            ):
                return
            resource_db.set_data(session, row.id, plugin.data, plugin.redacted)
            ready = self._arrive(session, step, loaded, row)
        self._send(ready)

    def _save_plugin_state(self, row: models.Resource, plugin: Resource) -> None:
        """Record the physical id and data as soon as they exist, so a retry finds them."""
        with self._factory.begin() as session:
            resource_db.set_data(session, row.id, plugin.data, plugin.redacted)
            session.query(models.Resource).filter(models.Resource.id == row.id).update(
                {"nova_instance": plugin.resource_id}, synchronize_session=False
            )

    def _fail(
        self,
        step: Step,
        loaded: LoadedStack,
        row: models.Resource,
        plugin: Resource | None,
        action: str,
        type_name: str,
        ex: BaseException,
        stack_action: str | None = None,
    ) -> None:
        """Record a resource failure and fail the stack's ``stack_action`` with it."""
        stack_action = stack_action or action
        if not isinstance(ex, exception.HeatException | ValueError):
            LOG.exception("Resource %s %s failed", row.name, action)
        reason = failure_reason(row.name, ex)
        physical = plugin.resource_id if plugin else row.nova_instance
        event_physical = physical or (plugin.physical_resource_name() if plugin else None)
        with self._factory.begin() as session:
            if not self._record(
                session,
                step,
                loaded,
                row,
                action,
                "FAILED",
                reason,
                event_physical,
                type_name,
                nova_instance=physical,
                engine_id=None,
            ):
                return
            stack_reason = f"Resource {action} failed: {reason}"
            if stack_db.set_status(
                session,
                loaded.row.id,
                step.traversal_id,
                stack_action,
                "FAILED",
                stack_reason,
                only_if_in_progress=True,
            ):
                event_db.add(
                    session,
                    loaded.row.id,
                    loaded.row.name,
                    stack_action,
                    "FAILED",
                    stack_reason,
                    loaded.row.id,
                    STACK_RESOURCE_TYPE,
                )

    def _delete(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        if row.action == DELETE and row.status == "COMPLETE":
            self._propagate(step, loaded, row)
            return
        definition = loaded.template.resources.get(row.name)
        type_name = definition.type if definition else "OS::Heat::None"
        if row.action == "INIT":
            with self._factory.begin() as session:
                resource_db.set_state(session, row.id, DELETE, "COMPLETE", STATE_CHANGED)
            self._propagate(step, loaded, row)
            return
        plugin: Resource | None = None
        try:
            plugin = loaded.plugin(row.name)
            physical = row.nova_instance or plugin.physical_resource_name()
            with self._factory.begin() as session:
                if not self._record(
                    session,
                    step,
                    loaded,
                    row,
                    DELETE,
                    "IN_PROGRESS",
                    STATE_CHANGED,
                    physical,
                    type_name,
                    engine_id=self._engine_id,
                ):
                    return
            if definition is None or definition.deletion_policy != "Retain":
                wait_until(plugin.check_delete_complete, plugin.handle_delete())
        except Exception as ex:
            self._fail(step, loaded, row, plugin, DELETE, type_name, ex)
            return
        with self._factory.begin() as session:
            if not self._record(
                session,
                step,
                loaded,
                row,
                DELETE,
                "COMPLETE",
                STATE_CHANGED,
                physical,
                type_name,
                engine_id=None,
            ):
                return
            ready = self._arrive(session, step, loaded, row)
        self._send(ready)

    def _propagate(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """Pass the baton on for a node that was already done (a redelivered step)."""
        with self._factory.begin() as session:
            ready = self._arrive(session, step, loaded, row)
        self._send(ready)

    def _send(self, steps: list[Step]) -> None:
        for ready in steps:
            self._sender.send(ready)

    def _arrive(
        self, session: Session, step: Step, loaded: LoadedStack, row: models.Resource
    ) -> list[Step]:
        """In the transaction that completed ``row``: record its arrival at the next nodes
        and return those whose last input it was (sent after the commit); at the end of
        the walk, complete the stack."""
        forward = step.action != DELETE
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
                self._finish(session, step, loaded)
        return []

    def _finish(self, session: Session, step: Step, loaded: LoadedStack) -> None:
        reason = COMPLETED % step.action
        if stack_db.set_status(
            session,
            step.stack_id,
            step.traversal_id,
            step.action,
            "COMPLETE",
            reason,
            only_if_in_progress=True,
        ):
            event_db.add(
                session,
                step.stack_id,
                loaded.row.name,
                step.action,
                "COMPLETE",
                reason,
                step.stack_id,
                STACK_RESOURCE_TYPE,
            )
            if step.action == DELETE:
                stack_db.mark_deleted(session, step.stack_id)
            elif step.action == UPDATE:
                stack_db.drop_removed_resources(
                    session, step.stack_id, set(loaded.template.resources)
                )

    # Update ------------------------------------------------------------------
    def _update(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        """Bring one resource to the new template: create, keep, update in place or replace."""
        definition = loaded.template.resources.get(row.name)
        if definition is None:
            self._delete(step, loaded, row)
            return
        if row.action == "INIT" or (row.action == CREATE and row.status != "COMPLETE"):
            self._create_resource(step, loaded, row, UPDATE)
            return
        if row.current_template_id == loaded.row.raw_template_id and row.status == "COMPLETE":
            self._propagate(step, loaded, row)
            return
        plugin: Resource | None = None
        try:
            old_type = loaded.type_of(row)
            cls = registry.get_class(definition.type)
            resolved = fn.resolve(definition.properties, loaded.resolver())
            props = cls.validate_properties(resolved, row.name)
            old = loaded.plugin(row.name, type_name=old_type)
            diff = {k: v for k, v in props.items() if (old.properties or {}).get(k) != v}
            if old_type == definition.type and not diff:
                with self._factory.begin() as session:
                    resource_db.set_state(
                        session,
                        row.id,
                        row.action,
                        row.status,
                        row.status_reason or STATE_CHANGED,
                        current=(step.stack_id, step.traversal_id),
                        current_template_id=loaded.row.raw_template_id,
                    )
                self._propagate(step, loaded, row)
                return
            if old_type != definition.type or old.needs_replacement(diff):
                self._replace(step, loaded, row, old, definition.type)
                return
            plugin = old
            with self._factory.begin() as session:
                if not self._record(
                    session,
                    step,
                    loaded,
                    row,
                    UPDATE,
                    "IN_PROGRESS",
                    STATE_CHANGED,
                    row.nova_instance,
                    definition.type,
                    resolved,
                    engine_id=self._engine_id,
                ):
                    return
            wait_until(plugin.check_update_complete, plugin.handle_update(props, diff))
        except Exception as ex:
            self._fail(step, loaded, row, plugin, UPDATE, definition.type, ex)
            return
        with self._factory.begin() as session:
            if not self._record(
                session,
                step,
                loaded,
                row,
                UPDATE,
                "COMPLETE",
                STATE_CHANGED,
                plugin.resource_id,
                definition.type,
                resolved,
                properties_data=props,
                nova_instance=plugin.resource_id,
                engine_id=None,
                current_template_id=loaded.row.raw_template_id,
            ):
                return
            resource_db.set_data(session, row.id, plugin.data, plugin.redacted)
            ready = self._arrive(session, step, loaded, row)
        self._send(ready)

    def _replace(
        self, step: Step, loaded: LoadedStack, row: models.Resource, old: Resource, type_name: str
    ) -> None:
        """Replace a resource: the new one is created before the old one is deleted."""
        with self._factory.begin() as session:
            if not self._record(
                session,
                step,
                loaded,
                row,
                UPDATE,
                "IN_PROGRESS",
                STATE_CHANGED,
                row.nova_instance,
                type_name,
                engine_id=self._engine_id,
            ):
                return
            self._record(
                session,
                step,
                loaded,
                row,
                UPDATE,
                "COMPLETE",
                f"The Resource {row.name} requires replacement.",
                row.nova_instance,
                type_name,
            )
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
        self._create_resource(step, loaded, row, UPDATE)
        try:
            wait_until(old.check_delete_complete, old.handle_delete())
            with self._factory.begin() as session:
                event_db.add(
                    session,
                    loaded.row.id,
                    row.name,
                    DELETE,
                    "IN_PROGRESS",
                    STATE_CHANGED,
                    old.resource_id,
                    type_name,
                )
                event_db.add(
                    session,
                    loaded.row.id,
                    row.name,
                    DELETE,
                    "COMPLETE",
                    STATE_CHANGED,
                    old.resource_id,
                    type_name,
                )
        except Exception as ex:
            LOG.warning("Deleting the replaced %s failed: %s", row.name, ex)
