"""What an update does to one resource: keep it, update it in place, or replace it.

The same decision serves the update itself and its preview, so a preview says exactly
what the update will do with the stack as it stands.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from common.db import models
from heat_engine.resources import registry
from heat_engine.resources.base import Resource
from heat_engine.stack import LoadedStack
from heat_engine.template import functions as fn

Verdict = Literal["unchanged", "updated", "replaced"]


@dataclasses.dataclass(frozen=True)
class ResourcePlan:
    """The verdict for one existing resource, with what it was computed from."""

    verdict: Verdict
    type_name: str
    resolved: dict[str, Any]  # the properties the template sets, resolved
    properties: dict[str, Any]  # validated, defaults filled in
    diff: dict[str, Any]
    current: Resource  # the plugin as the resource stands now


def plan_resource(loaded: LoadedStack, row: models.Resource) -> ResourcePlan:
    """Compare a stored resource with its definition in ``loaded``'s (new) template.

    A changed type, a resource in a FAILED state, or a change to a property that does
    not allow updates means replacement.
    """
    definition = loaded.definitions[row.name]
    old_type = loaded.type_of(row)
    new_type = loaded.resolved_type(row.name)
    cls = registry.get_class(new_type)
    resolved = fn.resolve(definition.properties, loaded.resolver())
    props = cls.validate_properties(resolved, row.name)
    current = loaded.plugin(row.name, type_name=old_type)
    diff = {k: v for k, v in props.items() if (current.properties or {}).get(k) != v}
    verdict: Verdict
    if old_type != new_type or row.status == "FAILED" or (diff and current.needs_replacement(diff)):
        verdict = "replaced"
    elif diff:
        verdict = "updated"
    else:
        verdict = "unchanged"
    return ResourcePlan(verdict, definition.type, resolved, props, diff, current)
