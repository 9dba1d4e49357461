"""Rules for the CloudFormation API's actions: ``cloudformation:<Action>``."""

from __future__ import annotations

from oslo_policy import policy

from common.policies.base import (
    ALLOW_EVERYBODY,
    DENY_STACK_USER,
    DEPRECATED_REASON,
    DEPRECATED_SINCE,
    PROJECT_MEMBER,
    PROJECT_READER,
    PROJECT_READER_OR_STACK_USER,
    PROJECT_SCOPE,
)

# action -> (check string, the pre-Wallaby rule)
ACTIONS = {
    "ListStacks": (PROJECT_READER, DENY_STACK_USER),
    "CreateStack": (PROJECT_MEMBER, DENY_STACK_USER),
    "DescribeStacks": (PROJECT_READER, DENY_STACK_USER),
    "DeleteStack": (PROJECT_MEMBER, DENY_STACK_USER),
    "UpdateStack": (PROJECT_MEMBER, DENY_STACK_USER),
    "CancelUpdateStack": (PROJECT_MEMBER, DENY_STACK_USER),
    "DescribeStackEvents": (PROJECT_READER, DENY_STACK_USER),
    "ValidateTemplate": (PROJECT_READER, DENY_STACK_USER),
    "GetTemplate": (PROJECT_READER, DENY_STACK_USER),
    "EstimateTemplateCost": (PROJECT_READER, DENY_STACK_USER),
    "DescribeStackResource": (PROJECT_READER_OR_STACK_USER, ALLOW_EVERYBODY),
    "DescribeStackResources": (PROJECT_READER, DENY_STACK_USER),
    "ListStackResources": (PROJECT_READER, DENY_STACK_USER),
}

RULES = [
    policy.RuleDefault(
        f"cloudformation:{action}",
        check_str,
        description=f"The CloudFormation API's {action}.",
        scope_types=PROJECT_SCOPE,
        deprecated_rule=policy.DeprecatedRule(
            name=f"cloudformation:{action}",
            check_str=deprecated,
            deprecated_reason=DEPRECATED_REASON,
            deprecated_since=DEPRECATED_SINCE,
        ),
    )
    for action, (check_str, deprecated) in ACTIONS.items()
]
