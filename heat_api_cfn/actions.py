"""The query API's actions: the Action name → handler table, and what a handler is given."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from common.context import RequestContext
from common.rpc.client import EngineClient
from heat_api_cfn import errors, stacks, templates

Result = dict[str, Any] | None

_MEMBER_KEY = re.compile(r"^(?P<prefix>.+)\.member\.(?P<index>[0-9]+)\.(?P<field>.+)$")
_LIST_ITEM_KEY = re.compile(r"^(?P<prefix>.+)\.member\.(?P<index>[0-9]+)$")


@dataclasses.dataclass(frozen=True)
class TemplateLimits:
    """``max_template_size`` and ``template_fetch_timeout`` from heat.conf."""

    max_size: int
    fetch_timeout: float


@dataclasses.dataclass(frozen=True)
class ActionCall:
    """One query-API request: who asks, the request's parameters, and the engine to ask."""

    context: RequestContext
    params: Mapping[str, str]
    engine: EngineClient
    limits: TemplateLimits

    def get(self, name: str) -> str | None:
        return self.params.get(name)

    def require(self, name: str) -> str:
        """The parameter ``name``; MissingParameter when it is absent or empty."""
        value = self.params.get(name)
        if not value:
            raise errors.AWSError(errors.MISSING_PARAMETER, name)
        return value

    def members(self, prefix: str) -> list[dict[str, str]]:
        """An AWS list parameter (``Prefix.member.N.Field=value``) as dicts, in index order."""
        found: dict[int, dict[str, str]] = {}
        for key, value in self.params.items():
            match = _MEMBER_KEY.match(key)
            if match and match["prefix"] == prefix:
                found.setdefault(int(match["index"]), {})[match["field"]] = value
        return [found[index] for index in sorted(found)]

    def member_values(self, prefix: str) -> list[str]:
        """An AWS list of strings (``Prefix.member.N=value``), in index order."""
        found: dict[int, str] = {}
        for key, value in self.params.items():
            match = _LIST_ITEM_KEY.match(key)
            if match and match["prefix"] == prefix:
                found[int(match["index"])] = value
        return [found[index] for index in sorted(found)]


Handler = Callable[[ActionCall], Result]

ACTIONS: dict[str, Handler] = {
    "CancelUpdateStack": stacks.cancel_update_stack,
    "CreateStack": stacks.create_stack,
    "DeleteStack": stacks.delete_stack,
    "DescribeStackEvents": stacks.describe_stack_events,
    "DescribeStackResource": stacks.describe_stack_resource,
    "DescribeStackResources": stacks.describe_stack_resources,
    "DescribeStacks": stacks.describe_stacks,
    "EstimateTemplateCost": templates.estimate_template_cost,
    "GetTemplate": stacks.get_template,
    "ListStackResources": stacks.list_stack_resources,
    "ListStacks": stacks.list_stacks,
    "UpdateStack": stacks.update_stack,
    "ValidateTemplate": templates.validate_template,
}


def handler_for(action: str | None) -> Handler:
    """The handler of ``action``; InvalidAction for a missing or unknown one, as upstream."""
    handler = ACTIONS.get(action or "")
    if handler is None:
        raise errors.AWSError(errors.INVALID_ACTION)
    return handler
