"""OS::Heat::None."""

from __future__ import annotations

import uuid
from typing import Any

from heat_engine.resources import schema as s
from heat_engine.resources.base import Resource


class NoneResource(Resource):
    """Enables easily disabling certain resources via the resource_registry.

    It does nothing, but can effectively stub out any other resource because it
    will accept any properties and return any attribute (as None). Note this
    resource always does nothing on update (e.g it is not replaced even if a
    change to the stubbed resource properties would cause replacement).
    """

    external = False  # computes values only

    type_name = "OS::Heat::None"
    support_status = s.SupportStatus(version="5.0.0")
    attributes_schema = s.AnyAttributes()

    @classmethod
    def validate_properties(
        cls, values: Any, name: str, skip: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        return dict(values or {})

    def needs_replacement(self, prop_diff: Any) -> bool:
        return False

    def handle_create(self) -> None:
        self.resource_id_set(str(uuid.uuid4()))


RESOURCE_TYPES = {NoneResource.type_name: NoneResource}
