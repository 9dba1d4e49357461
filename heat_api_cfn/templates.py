"""Templates in query requests: TemplateBody or TemplateURL, and the template-only actions.

A template comes inline (``TemplateBody``) or by URL (``TemplateURL`` as AWS's SDKs send
it, ``TemplateUrl`` as upstream reads it), fetched over http(s) within
``template_fetch_timeout`` and ``max_template_size``. It is parsed here, JSON or YAML
(HOT or CFN), so that a document that is no template is refused before the engine is
asked.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

import yaml

from heat_api_cfn import errors

if TYPE_CHECKING:
    from heat_api_cfn.actions import ActionCall

TEMPLATE_VERSION_KEYS = (
    "heat_template_version",
    "AWSTemplateFormatVersion",
    "HeatTemplateFormatVersion",
)
URL_PARAMS = ("TemplateURL", "TemplateUrl")
FETCH_SCHEMES = ("http", "https")
NOT_A_TEMPLATE = "The Template must be a JSON or YAML document."
NO_TEMPLATE = "TemplateBody or TemplateUrl were not given."
# Upstream's EstimateTemplateCost answer: Heat has no prices, so the cost is nil.
ESTIMATE_URL = "http://en.wikipedia.org/wiki/Gratis"


class _TemplateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that keeps dates (``heat_template_version: 2018-08-31``) as strings."""


_TemplateLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def _too_big(size: int, max_size: int) -> errors.AWSError:
    return errors.AWSError(
        errors.REQUEST_LIMIT_EXCEEDED,
        f"Template size ({size} bytes) exceeds maximum allowed size ({max_size} bytes).",
    )


def parse_template(body: str, max_size: int) -> dict[str, Any]:
    """The template in ``body`` (JSON or YAML, HOT or CFN) as a mapping, checked for a version."""
    size = len(body.encode("utf-8"))
    if size > max_size:
        raise _too_big(size, max_size)
    try:
        template = json.loads(body)
    except ValueError:
        try:
            template = yaml.load(body, Loader=_TemplateLoader) or {}
        except yaml.YAMLError:
            template = None
    if not isinstance(template, dict) or not any(k in template for k in TEMPLATE_VERSION_KEYS):
        raise errors.AWSError(errors.INVALID_PARAMETER_VALUE, NOT_A_TEMPLATE)
    return template


def fetch(url: str, max_size: int, timeout: float) -> str:
    """The text at ``url``; InvalidParameterValue naming the URL when it cannot be had."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in FETCH_SCHEMES:
        raise errors.AWSError(
            errors.INVALID_PARAMETER_VALUE,
            f"Failed to fetch template: TemplateURL scheme must be http or https, not {scheme!r}",
        )
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body = resp.read(max_size + 1)
    except (urllib.error.URLError, OSError, ValueError) as ex:
        raise errors.AWSError(
            errors.INVALID_PARAMETER_VALUE, f"Failed to fetch template: {url}: {ex}"
        ) from ex
    if len(body) > max_size:
        raise _too_big(len(body), max_size)
    return body.decode("utf-8", "replace")


def template_of(call: ActionCall) -> dict[str, Any]:
    """The request's template: TemplateBody, else fetched from TemplateURL; parsed."""
    limits = call.limits
    body = call.get("TemplateBody")
    if body is None:
        url = next((call.get(name) for name in URL_PARAMS if call.get(name)), None)
        if url is None:
            raise errors.AWSError(errors.MISSING_PARAMETER, NO_TEMPLATE)
        body = fetch(url, limits.max_size, limits.fetch_timeout)
    return parse_template(body, limits.max_size)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def validate_template(call: ActionCall) -> dict[str, Any]:
    """ValidateTemplate: the template's description and parameters, as AWS lists them."""
    template = template_of(call)
    answer = call.engine.validate_template(call.context, template, {})
    parameters = []
    for key, schema in (answer.get("Parameters") or {}).items():
        entry = {"ParameterKey": key, "NoEcho": _text(bool(schema.get("NoEcho") == "true"))}
        if "Default" in schema:
            entry["DefaultValue"] = _text(schema["Default"])
        if schema.get("Description"):
            entry["Description"] = schema["Description"]
        parameters.append(entry)
    return {"Description": answer.get("Description"), "Parameters": parameters}


def estimate_template_cost(call: ActionCall) -> dict[str, Any]:
    """EstimateTemplateCost: upstream's fixed answer, for a template that parses."""
    template_of(call)
    return {"Url": ESTIMATE_URL}
