"""Parameter groups: each names parameters that exist, and each parameter is in one group."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from common import exception
from heat_engine.template.functions import template_error

SECTION = "parameter_groups"


def _error(message: str, label: Any = None) -> exception.StackValidationFailed:
    where = SECTION
    if label is not None:
        where = f"{SECTION}[{label}]" if str(label).isdigit() else f"{SECTION}.{label}"
    return template_error(where, message, "Parameter Groups error")


def validate_parameter_groups(groups: Any, parameter_names: Collection[str]) -> None:
    """Raise the error upstream gives for a malformed ``parameter_groups`` section."""
    if not groups:
        return
    if not isinstance(groups, list):
        raise _error(f"The {SECTION} should be a list.")
    grouped: set[str] = set()
    for group in groups:
        group = group if isinstance(group, Mapping) else {}
        label = group.get("label", "")
        members = group.get("parameters")
        if members is None:
            raise _error("The parameters must be provided for each parameter group.", label)
        if not isinstance(members, list):
            raise _error("The parameters of parameter group should be a list.", label)
        for name in members:
            if name in grouped:
                raise _error(
                    f"The {name} parameter must be assigned to one parameter group only.", label
                )
            grouped.add(name)
            if name not in parameter_names:
                raise _error(
                    f"The grouped parameter {name} does not reference a valid parameter.", label
                )
