"""Rules for POST .../actions: ``actions:<the action named in the body>``."""

from __future__ import annotations

from common.policies.base import PROJECT_MEMBER, PROJECT_READER, api_rule

ACTIONS = [("POST", "/v1/{tenant_id}/stacks/{stack_name}/{stack_id}/actions")]

RULES = [
    api_rule("actions:action", PROJECT_MEMBER, "Any stack action.", ACTIONS),
    api_rule("actions:snapshot", PROJECT_MEMBER, "Snapshot a stack (action).", ACTIONS),
    api_rule("actions:suspend", PROJECT_MEMBER, "Suspend a stack.", ACTIONS),
    api_rule("actions:resume", PROJECT_MEMBER, "Resume a stack.", ACTIONS),
    api_rule("actions:check", PROJECT_READER, "Check a stack.", ACTIONS),
    api_rule("actions:cancel_update", PROJECT_MEMBER, "Cancel an update and roll back.", ACTIONS),
    api_rule(
        "actions:cancel_without_rollback",
        PROJECT_MEMBER,
        "Cancel an update without rolling back.",
        ACTIONS,
    ),
]
