"""One resource step: load, check the traversal, act, commit, then pass the baton on.

A step is idempotent: delivered twice (an engine died before acknowledging it), it
finds the resource already done and only propagates again. What a step commits goes
through ``StepRecorder``, which stops the steps of a superseded traversal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from common.db import events as event_db
from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import services as service_db
from common.db import stacks as stack_db
from heat_engine.resources import registry
from heat_engine.resources.base import Resource
from heat_engine.stack import LoadedStack
from heat_engine.template import functions as fn
from heat_engine.traversal.messages import CREATE, DELETE, UPDATE, Step, StepSender
from heat_engine.traversal.recorder import STATE_CHANGED, StepRecorder, Transition
from heat_engine.update_plan import plan_resource

LOG = logging.getLogger(__name__)

FIRST_POLL = 0.01
MAX_POLL = 0.5


def wait_until(check: Callable[[Any], bool], token: Any) -> None:
    """Poll a plugin's check_*_complete with a growing interval."""
    delay = FIRST_POLL
    while not check(token):
        time.sleep(delay)
        delay = min(delay * 2, MAX_POLL)


class StepDeferred(Exception):
    """The step cannot run yet; the broker should deliver it again a little later."""


class StepRunner:
    """Runs resource steps against the database and sends the steps they make ready."""

    def __init__(
        self, factory: sessionmaker[Session], sender: StepSender, engine_id: str, nested: Any = None
    ) -> None:
        self._factory = factory
        self._engine_id = engine_id
        self._nested = nested  # NestedStacks, for template resources
        self._rec = StepRecorder(factory, sender, engine_id)

    def run(self, step: Step) -> None:
        loaded = self._load(step)
        if loaded is None:
            LOG.debug("Step %s belongs to a superseded traversal; dropped", step)
            return
        row = next((r for r in loaded.resources.values() if r.id == step.resource_id), None)
        if row is None:
            return
        if row.status == "IN_PROGRESS" and row.engine_id and self._is_alive(row.engine_id):
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
        with self._factory() as session:
            stack = stack_db.get(session, step.stack_id)
            if stack is None or stack.current_traversal != step.traversal_id:
                return None
            row = session.get(models.Resource, step.resource_id)
            if row is None:
                return None
            neighbours = {row.id, *(row.requires or []), *(row.needed_by or [])}
            loaded = LoadedStack.load(session, stack, resource_ids=neighbours)
        loaded.nested = self._nested
        return loaded

    # Create ----------------------------------------------------------------------
    def _create(self, step: Step, loaded: LoadedStack, row: models.Resource) -> None:
        if row.action == CREATE and row.status == "COMPLETE":
            self._rec.propagate(step, loaded, row)
            return
        self._create_resource(step, loaded, row)

    def _create_resource(self, step: Step, loaded: LoadedStack, row: models.Resource) -> bool:
        """Create ``row``'s resource; True once it is CREATE_COMPLETE."""
        definition = loaded.definitions[row.name]
        plugin: Resource | None = None
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
            started = Transition(
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
            self._hold_for_hook(step, loaded, row, CREATE)
            if not self._rec.enter(step, loaded, row, started):
                return False
            token = plugin.handle_create()
            if not plugin.check_create_complete(token):
                self._save_plugin_state(row, plugin)  # it will take a while: record it now
                wait_until(plugin.check_create_complete, token)
        except StepDeferred:
            raise
        except Exception as ex:  # any plugin failure is the resource's failure, not ours
            self._rec.fail(step, loaded, row, plugin, CREATE, definition.type, ex)
            return False
        done = Transition(
            CREATE,
            "COMPLETE",
            plugin.resource_id or plugin.physical_resource_name(),
            definition.type,
            properties=resolved,
            values={
                "nova_instance": plugin.resource_id,
                "engine_id": None,
                "current_template_id": loaded.row.raw_template_id,
            },
        )
        self._rec.complete(step, loaded, row, done, plugin)
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
        if row.action == "INIT":
            with self._factory.begin() as session:
                resource_db.set_state(session, row.id, DELETE, "COMPLETE", STATE_CHANGED)
            self._rec.propagate(step, loaded, row)
            return
        plugin: Resource | None = None
        try:
            plugin = loaded.plugin(row.name)
            physical = row.nova_instance or plugin.physical_resource_name()
            started = Transition(
                DELETE, "IN_PROGRESS", physical, type_name, values={"engine_id": self._engine_id}
            )
            self._hold_for_hook(step, loaded, row, DELETE)
            if not self._rec.enter(step, loaded, row, started):
                return
            if definition is None or definition.deletion_policy != "Retain":
                wait_until(plugin.check_delete_complete, plugin.handle_delete())
        except StepDeferred:
            raise
        except Exception as ex:
            self._rec.fail(step, loaded, row, plugin, DELETE, type_name, ex)
            return
        done = Transition(DELETE, "COMPLETE", physical, type_name, values={"engine_id": None})
        self._rec.complete(step, loaded, row, done, plugin)

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
        try:
            decided = plan_resource(loaded, row)
            if decided.verdict == "unchanged":
                self._rec.keep(step, loaded, row)
                return
            if decided.verdict == "replaced":
                self._replace(step, loaded, row, decided.current, definition.type)
                return
            plugin, resolved, props = decided.current, decided.resolved, decided.properties
            started = Transition(
                UPDATE,
                "IN_PROGRESS",
                row.nova_instance,
                definition.type,
                properties=resolved,
                values={"engine_id": self._engine_id},
            )
            self._hold_for_hook(step, loaded, row, UPDATE)
            if not self._rec.enter(step, loaded, row, started):
                return
            wait_until(plugin.check_update_complete, plugin.handle_update(props, decided.diff))
        except StepDeferred:
            raise
        except Exception as ex:
            self._rec.fail(step, loaded, row, plugin, UPDATE, definition.type, ex)
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
        self._rec.complete(step, loaded, row, done, plugin)

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
            if not self._rec.record(session, step, loaded, row, started):
                return
            reason = f"The Resource {row.name} requires replacement."
            self._rec.record(
                session,
                step,
                loaded,
                row,
                Transition(UPDATE, "COMPLETE", row.nova_instance, type_name, reason),
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
        if not self._create_resource(step, loaded, row):
            return
        try:
            wait_until(old.check_delete_complete, old.handle_delete())
        except StepDeferred:
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
        if (row.action == act and row.status == "COMPLETE") or row.action == "INIT":
            self._rec.propagate(step, loaded, row)
            return
        type_name = loaded.type_of(row)
        plugin: Resource | None = None
        try:
            plugin = loaded.plugin(row.name)
            started = Transition(
                act,
                "IN_PROGRESS",
                row.nova_instance,
                type_name,
                values={"engine_id": self._engine_id},
            )
            if not self._rec.enter(step, loaded, row, started):
                return
            verb = act.lower()
            token = getattr(plugin, f"handle_{verb}")()
            wait_until(getattr(plugin, f"check_{verb}_complete"), token)
        except StepDeferred:
            raise
        except Exception as ex:
            self._rec.fail(step, loaded, row, plugin, act, type_name, ex)
            return
        done = Transition(act, "COMPLETE", row.nova_instance, type_name, values={"engine_id": None})
        self._rec.complete(step, loaded, row, done, plugin)

    # Hooks -----------------------------------------------------------------------
    def _hold_for_hook(
        self, step: Step, loaded: LoadedStack, row: models.Resource, act: str
    ) -> None:
        """Wait at a ``pre-<act>`` breakpoint until a signal clears it.

        The first time, the pause is recorded (an event and the resource's reason); until
        the hook is cleared the step is deferred, and the broker brings it back.
        """
        hook = f"pre-{act.lower()}"
        if hook not in loaded.hooks(row.name):
            return
        with self._factory.begin() as session:
            extra = sync_points.node_extra(session, str(row.id), step.traversal_id)
            if extra is None or hook in extra.get("hooks_cleared", []):
                return
            if hook not in extra.get("hooks_paused", []):
                reason = f"{act} paused until Hook {hook} is cleared"
                extra["hooks_paused"] = [*extra.get("hooks_paused", []), hook]
                sync_points.set_node_extra(session, str(row.id), step.traversal_id, extra)
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
        raise StepDeferred(f"{row.name} waits for hook {hook}")
