"""OS::Heat::None."""

from __future__ import annotations

import uuid
from typing import Any

from heat_engine.resources.base import Resource


class NoneResource(Resource):
    """Enables easily disabling certain resources via the resource_registry.

    It does nothing, but can effectively stub out any other resource because it
    accepts any properties without raising any validation errors.
    """

    type_name = "OS::Heat::None"

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
