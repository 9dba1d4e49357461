"""Reading query parameters and request bodies the way Heat's API does."""

from __future__ import annotations

import json
from typing import Any

import falcon

from heat_api.errors import HTTPError

TRUE = ("1", "t", "true", "on", "y", "yes")
FALSE = ("0", "f", "false", "off", "n", "no")


def json_body(req: falcon.Request) -> dict[str, Any]:
    raw = req.bounded_stream.read()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as ex:
        raise HTTPError(f"Invalid JSON in request body: {ex}") from ex
    if not isinstance(body, dict):
        raise HTTPError("The request body must be a JSON object.")
    return body


def as_bool(req: falcon.Request, name: str, default: bool = False) -> bool:
    value = req.get_param(name)
    if value is None:
        return default
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise HTTPError(
        f'Unrecognized value "{value}" for "{name}", acceptable values are: true, false.'
    )


def as_int(req: falcon.Request, name: str, minimum: int = 0) -> int | None:
    value = req.get_param(name)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise HTTPError(f"Only integer is acceptable by '{name}'.") from None
    if number < minimum:
        raise HTTPError(f"Value must be greater than or equal to {minimum} for '{name}'.")
    return number


def as_list(req: falcon.Request, name: str) -> list[str] | None:
    values = req.get_param_as_list(name)
    return values or None
