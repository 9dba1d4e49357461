"""Template and environment text to plain data, safely and within size limits (API and engine)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from common import exception

MAX_YAML_DEPTH = 100
MAX_ALIASES = 100
MAX_ENVIRONMENT_VALUES = 1_000_000


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as strings (as Heat does) and bounds aliases and depth."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} YAML aliases")
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise yaml.YAMLError(f"nesting deeper than {MAX_YAML_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _no_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _no_timestamp)


def check_size(text: str | bytes, limit: int, what: str = "Template") -> None:
    size = len(text.encode() if isinstance(text, str) else text)
    if size > limit:
        raise exception.RequestLimitExceeded(
            message=f"{what} size ({size} bytes) exceeds maximum allowed size ({limit} bytes)."
        )


def check_expansion(data: Any, limit: int) -> None:
    """Refuse data that unfolds into more than ``limit`` values: YAML aliases can make a
    small text stand for billions of values ("billion laughs")."""
    budget = limit
    pending = [data]
    while pending:
        value = pending.pop()
        budget -= 1
        if budget < 0:
            raise exception.Invalid(
                reason="Template not in valid format: it expands to more than "
                f"{limit} values (YAML aliases?)"
            )
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def load_yaml_or_json(text: str) -> Any:
    """Parse JSON (when it looks like JSON) or YAML; errors name the line."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            pass  # YAML is a superset of JSON: let the YAML parser say where it breaks
    return yaml.load(text, Loader=_SafeLoader)


def parse_template(raw: Any, max_size: int) -> dict[str, Any]:
    """A template as a mapping, from text or already-parsed data."""
    if isinstance(raw, str):
        check_size(raw, max_size)
        try:
            data = load_yaml_or_json(raw)
        except yaml.YAMLError as ex:
            raise exception.Invalid(reason=f"Template not in valid format: {ex}") from ex
    else:
        data = raw
        check_size(json.dumps(data), max_size)
    if isinstance(raw, str):
        check_expansion(data, max_size)
    if not isinstance(data, dict):
        raise exception.Invalid(
            reason="Template not in valid format: "
            "The template is not a JSON object or YAML mapping."
        )
    return data


def parse_environment(raw: Any) -> dict[str, Any]:
    """An environment as a mapping; its sections are checked by ``environment``."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            data = load_yaml_or_json(raw)
        except yaml.YAMLError as ex:
            raise exception.Invalid(reason=f"Error parsing environment: {ex}") from ex
    else:
        data = raw
    check_expansion(data, MAX_ENVIRONMENT_VALUES)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise exception.Invalid(
            reason="Error parsing environment: "
            "The environment is not a valid YAML mapping data type."
        )
    return data
