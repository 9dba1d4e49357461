"""Adopt requests: the template a create takes from its ``adopt_stack_data``."""

from __future__ import annotations

from typing import Any

import yaml

from common import template_format
from heat_api.errors import HTTPError


def adopt_template(raw: Any, max_size: int) -> dict[str, Any]:
    """The ``template`` of adopt data (a JSON or YAML string, as heatclient sends it, or
    an object); a 400 naming the fault when the data is not usable."""
    try:
        if isinstance(raw, str):
            data = template_format.load_yaml_or_json(raw)
            template_format.check_expansion(data, template_format.MAX_ENVIRONMENT_VALUES)
        else:
            data = raw
        if not isinstance(data, dict):
            raise ValueError("adopt_stack_data must be a mapping")
        template = data["template"]
    except (ValueError, KeyError, yaml.YAMLError) as ex:
        raise HTTPError(f"Invalid adopt data: {ex}") from ex
    return template_format.parse_template(template, max_size)
