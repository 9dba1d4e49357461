"""The ADOPT step: a resource takes over the physical resource its adopt data names.

Nothing is created: the stack's rows were seeded with each resource's physical id,
metadata and private data when the adopt request was stored (see
``heat_engine.abandon.seed_adopted``); the step records the resource as ADOPT_COMPLETE
with its resolved properties, or ADOPT_FAILED when it was given no physical id.
"""

from __future__ import annotations

from common.db import models
from heat_engine.resources import registry
from heat_engine.resources.base import Resource
from heat_engine.stack import LoadedStack
from heat_engine.template import functions as fn
from heat_engine.traversal.messages import Step
from heat_engine.traversal.recorder import StepRecorder, Transition

ADOPT = "ADOPT"
NO_RESOURCE_ID = "Resource ID was not provided."


def is_adopting(loaded: LoadedStack) -> bool:
    """Whether the stack's current traversal adopts (rather than creates) resources."""
    return loaded.row.action == ADOPT


def adopt_resource(
    rec: StepRecorder, engine_id: str, step: Step, loaded: LoadedStack, row: models.Resource
) -> None:
    """Adopt ``row``'s resource, then pass the baton on."""
    if row.action == ADOPT and row.status == "COMPLETE":
        rec.propagate(step, loaded, row)
        return
    definition = loaded.definitions[row.name]
    plugin: Resource | None = None
    resolved = None
    try:
        cls = registry.get_class(loaded.resolved_type(row.name))
        resolved = fn.resolve(definition.properties, loaded.resolver())
        props = cls.validate_properties(resolved, row.name)
        started = Transition(
            ADOPT,
            "IN_PROGRESS",
            row.nova_instance,
            definition.type,
            properties=resolved,
            values={"properties_data": props, "engine_id": engine_id},
        )
        if not rec.enter(step, loaded, row, started):
            return
        if not row.nova_instance:
            raise Exception(NO_RESOURCE_ID)  # upstream's words and type, shown in the reason
        plugin = cls(
            row.name,
            row.uuid,
            loaded.row.name,
            loaded.row.id,
            props,
            loaded.resource_data.get(row.id, {}),
            row.nova_instance,
        )
    except Exception as ex:  # the resource's failure, recorded as upstream words it
        rec.fail(step, loaded, row, plugin, ADOPT, definition.type, ex)
        return
    done = Transition(
        ADOPT,
        "COMPLETE",
        row.nova_instance,
        definition.type,
        properties=resolved,
        values={"engine_id": None, "current_template_id": loaded.row.raw_template_id},
    )
    rec.complete(step, loaded, row, done, plugin)
