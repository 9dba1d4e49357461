"""A template's conditions evaluated with a stack's parameters, and the resolver they use.

Conditions are evaluated when first asked for and remembered, as upstream does: one that
nothing uses is never evaluated, so its faults (an unknown name, a cycle) are no error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from common import exception
from heat_engine.template import functions as fn

_IN_PROGRESS = object()


def condition_error(message: str) -> exception.StackValidationFailed:
    """A fault of a condition's definition; its message is complete (no place is added)."""
    return fn.template_error("", message, "Condition validation error")


class ParameterResolver:
    """Answers parameters and conditions for real; resources are not there yet (None)."""

    def __init__(self, parameters: Any, conditions: Conditions | None = None) -> None:
        self._parameters = parameters
        self.conditions = conditions

    def param(self, name: str) -> Any:
        return self._parameters.get(name)

    def has_resource(self, name: str) -> bool:
        return False

    def resource_ref(self, name: str) -> Any:
        return None

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any:
        return None

    def resource_attributes(self, name: str) -> dict[str, Any] | None:
        return None

    def condition(self, name: str) -> bool:
        if self.conditions is None:
            raise fn.argument_error(f'Invalid condition "{name}"')
        return self.conditions.is_enabled(name)

    def resource_facade(self, kind: str) -> Any:
        return None


class Conditions(Mapping[str, bool]):
    """Condition name -> truth, for one stack; each evaluated on first use."""

    def __init__(self, definitions: Mapping[str, Any], parameters: Any) -> None:
        self._definitions = definitions
        self._resolver = ParameterResolver(parameters, self)
        self._values: dict[str, Any] = {}

    @property
    def resolver(self) -> ParameterResolver:
        """A resolver of parameters and these conditions (resources stand in as None)."""
        return self._resolver

    def __getitem__(self, name: str) -> bool:
        if name not in self._definitions:
            raise KeyError(name)
        return self.is_enabled(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._definitions)

    def __len__(self) -> int:
        return len(self._definitions)

    def is_enabled(self, condition: Any) -> bool:
        """The truth of a condition as a resource, output or ``if`` names it."""
        if condition is None:
            return True
        if isinstance(condition, bool):
            return condition
        if not isinstance(condition, str) or condition not in self._definitions:
            raise fn.argument_error(f'Invalid condition "{condition}"')
        value = self._values.get(condition)
        if value is _IN_PROGRESS:
            raise condition_error(f'Circular definition for condition "{condition}"')
        if value is None:
            self._values[condition] = _IN_PROGRESS
            try:
                value = fn.resolve(self._definitions[condition], self._resolver)
            finally:
                del self._values[condition]
            if not isinstance(value, bool):
                raise condition_error(
                    f'The definition of condition "{condition}" is invalid: {value}'
                )
            self._values[condition] = value
        return value

    def truth(self, condition: Any) -> bool:
        """The truth of a parsed condition: a name, a boolean or a condition function."""
        if isinstance(condition, fn.Function):
            condition = fn.resolve(condition, self._resolver)
        return self.is_enabled(condition)


def validate_definitions(definitions: Mapping[str, Any], context: fn.ValidationContext) -> None:
    """Each definition is a boolean or a condition function, and its functions are valid."""
    for name, definition in definitions.items():
        if not isinstance(definition, bool | fn.Function):
            raise condition_error(f'The definition of condition "{name}" is invalid: {definition}')
        fn.validate(definition, context, ())
