"""Rules for the service list and build information."""

from __future__ import annotations

from oslo_policy import policy

from common.policies.base import (
    CONTEXT_IS_ADMIN,
    DEPRECATED_REASON,
    DEPRECATED_SINCE,
    PROJECT_ADMIN,
    PROJECT_READER,
    PROJECT_SCOPE,
    api_rule,
)

RULES = [
    policy.RuleDefault(
        "service:index",
        PROJECT_ADMIN,
        description="List the engines and their status (administrators).",
        scope_types=PROJECT_SCOPE,
        deprecated_rule=policy.DeprecatedRule(
            name="service:index",
            check_str=CONTEXT_IS_ADMIN,
            deprecated_reason=DEPRECATED_REASON,
            deprecated_since=DEPRECATED_SINCE,
        ),
    ),
    api_rule(
        "build_info:build_info",
        PROJECT_READER,
        "Show build information.",
        [("GET", "/v1/{tenant_id}/build_info")],
    ),
]
