"""The resource types this engine knows, collected from an explicit list of plugin modules."""

from __future__ import annotations

from collections.abc import Mapping

from common import exception
from heat_engine.resources.aws import wait_condition as aws_wait_condition
from heat_engine.resources.aws import wait_condition_handle as aws_wait_condition_handle
from heat_engine.resources.base import Resource
from heat_engine.resources.heat import (
    none,
    random_string,
    test_resource,
    value,
    wait_condition,
    wait_condition_handle,
)
from heat_engine.resources.keystone import (
    domain,
    endpoint,
    group,
    project,
    region,
    role,
    role_assignments,
    service,
    user,
)
from heat_engine.resources.template_resource import TemplateResource
from heat_engine.template.environment import is_provider_template

_MODULES = (
    none,
    random_string,
    test_resource,
    value,
    wait_condition,
    wait_condition_handle,
    aws_wait_condition,
    aws_wait_condition_handle,
    domain,
    endpoint,
    group,
    project,
    region,
    role,
    role_assignments,
    service,
    user,
)

RESOURCE_TYPES: Mapping[str, type[Resource]] = {
    name: cls for module in _MODULES for name, cls in module.RESOURCE_TYPES.items()
}


def get_class(type_name: str) -> type[Resource]:
    """The plugin class for ``type_name``; unknown types fail validation as upstream's do."""
    if is_provider_template(type_name):
        return TemplateResource
    cls = RESOURCE_TYPES.get(type_name)
    if cls is None:
        raise exception.StackValidationFailed(
            exception.ResourceTypeUnavailable(type_name=type_name).message
        )
    return cls


def is_known(type_name: str) -> bool:
    """Whether a plugin serves ``type_name``."""
    return type_name in RESOURCE_TYPES
