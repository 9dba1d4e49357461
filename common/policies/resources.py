"""Rules for a stack's resources and events: ``resource:<operation>``, ``events:<operation>``."""

from __future__ import annotations

from common.policies.base import (
    ALLOW_EVERYBODY,
    PROJECT_MEMBER,
    PROJECT_READER,
    PROJECT_READER_OR_STACK_USER,
    api_rule,
)

STACK = "/v1/{tenant_id}/stacks/{stack_name}/{stack_id}"
RESOURCE = STACK + "/resources/{resource_name}"

RULES = [
    api_rule("resource:index", PROJECT_READER, "List resources.", [("GET", STACK + "/resources")]),
    api_rule(
        "resource:metadata",
        PROJECT_READER_OR_STACK_USER,
        "Show a resource's metadata.",
        [("GET", RESOURCE + "/metadata")],
        deprecated=ALLOW_EVERYBODY,
    ),
    api_rule(
        "resource:signal",
        PROJECT_READER_OR_STACK_USER,
        "Signal a resource.",
        [("POST", RESOURCE + "/signal")],
        deprecated=ALLOW_EVERYBODY,
    ),
    api_rule(
        "resource:mark_unhealthy",
        PROJECT_MEMBER,
        "Mark a resource unhealthy.",
        [("PATCH", RESOURCE)],
    ),
    api_rule("resource:show", PROJECT_READER, "Show a resource.", [("GET", RESOURCE)]),
    api_rule(
        "events:index",
        PROJECT_READER,
        "List events.",
        [("GET", STACK + "/events"), ("GET", RESOURCE + "/events")],
    ),
    api_rule(
        "events:show", PROJECT_READER, "Show an event.", [("GET", RESOURCE + "/events/{event_id}")]
    ),
]
