"""Provider templates: a resource whose type is a template file, run as a child stack."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from common import exception
from heat_engine.resources import schema as s
from heat_engine.resources.base import Resource

OUTPUTS_KEY = "outputs"


class NestedStackFailed(exception.HeatException):
    msg_fmt = "%(reason)s"


class TemplateResource(Resource):
    """A resource implemented by a template: its properties are the template's parameters,
    its attributes the template's outputs, its physical id the child stack's id."""

    parks = True  # its step waits for the child stack without holding a worker

    type_name = ""
    attributes_schema = s.AnyAttributes()

    @classmethod
    def validate_properties(
        cls, values: Any, name: str, skip: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """The child stack checks them as its parameters when it is created."""
        return dict(values or {})

    def needs_replacement(self, prop_diff: Mapping[str, Any]) -> bool:
        return False

    def _template(self) -> Any:
        runtime = self.runtime
        text = runtime.files.get(runtime.type_name)
        if text is None:
            raise exception.StackValidationFailed(
                f'Could not fetch remote template "{runtime.type_name}": it is not in the '
                "files sent with the stack"
            )
        return text

    def handle_create(self) -> str:
        runtime = self.runtime
        stack_id = runtime.nested.create(
            runtime.stack_id, self.name, self._template(), self.properties, dict(runtime.files)
        )
        self.resource_id_set(stack_id)
        return stack_id

    def _settled(self, stack_id: str) -> bool:
        state = self.runtime.nested.state(stack_id)
        if state is None:
            raise NestedStackFailed(reason="the nested stack is gone")
        _action, status, reason = state
        if status == "IN_PROGRESS":
            return False
        if status == "FAILED":
            raise NestedStackFailed(reason=reason)
        self.data_set(OUTPUTS_KEY, json.dumps(self.runtime.nested.outputs(stack_id)))
        return True

    def check_create_complete(self, stack_id: str) -> bool:
        return self._settled(stack_id)

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> str | None:
        self.properties = dict(new_properties)
        if self.resource_id is None:
            return None
        self.runtime.nested.update(
            self.resource_id, self._template(), self.properties, dict(self.runtime.files)
        )
        return self.resource_id

    def check_update_complete(self, stack_id: str | None) -> bool:
        return stack_id is None or self._settled(stack_id)

    def handle_delete(self) -> str | None:
        if self.resource_id is not None:
            self.runtime.nested.delete(self.resource_id)
        return self.resource_id

    def check_delete_complete(self, stack_id: str | None) -> bool:
        if stack_id is None:
            return True
        state = self.runtime.nested.state(stack_id)
        if state is not None and state[1] == "FAILED":
            raise NestedStackFailed(reason=state[2])
        return state is None

    def get_reference_id(self) -> str:
        return self.resource_id or self.name

    def resolve_attribute(self, name: str) -> Any:
        if name == "OS::stack_id":
            return self.resource_id
        return json.loads(self.data.get(OUTPUTS_KEY) or "{}").get(name)
