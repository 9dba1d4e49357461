"""The building blocks of Heat's policy: named base rules and project check strings.

The defaults use Keystone's default roles (``reader`` < ``member`` < ``admin``) scoped to
the target project. Each API rule also carries the pre-Wallaby rule (``deny_stack_user``
and friends) as its deprecated form, which oslo.policy honours when an operator sets
``[oslo_policy] enforce_new_defaults = false``.
"""

from __future__ import annotations

from oslo_policy import policy

CONTEXT_IS_ADMIN = "rule:context_is_admin"
PROJECT_ADMIN_RULE = "rule:project_admin"
DENY_STACK_USER = "rule:deny_stack_user"
DENY_EVERYBODY = "rule:deny_everybody"
ALLOW_EVERYBODY = "rule:allow_everybody"

PROJECT_READER = "role:reader and project_id:%(project_id)s"
PROJECT_MEMBER = "role:member and project_id:%(project_id)s"
PROJECT_ADMIN = "role:admin and project_id:%(project_id)s"
PROJECT_STACK_USER = "role:heat_stack_user and project_id:%(project_id)s"
PROJECT_READER_OR_STACK_USER = f"({PROJECT_READER}) or ({PROJECT_STACK_USER})"

PROJECT_SCOPE = ["project"]
DEPRECATED_REASON = "The API now uses Keystone's default roles (reader, member, admin)."
DEPRECATED_SINCE = "W"  # the Wallaby release, as upstream

RULES = [
    policy.RuleDefault(
        "context_is_admin",
        "(role:admin and is_admin_project:True)",
        description="Who counts as an administrator (is_admin in the request context).",
    ),
    policy.RuleDefault("project_admin", "role:admin", description="A project administrator."),
    policy.RuleDefault(
        "deny_stack_user",
        "not role:heat_stack_user",
        description="Anyone but users holding only the stack user role.",
    ),
    policy.RuleDefault("deny_everybody", "!", description="Nobody."),
    policy.RuleDefault("allow_everybody", "", description="Everybody."),
]


def api_rule(
    name: str,
    check_str: str,
    description: str,
    operations: list[tuple[str, str]],
    deprecated: str | None = DENY_STACK_USER,
) -> policy.DocumentedRuleDefault:
    """A documented, project-scoped API rule; ``operations`` are (method, path) pairs."""
    return policy.DocumentedRuleDefault(
        name=name,
        check_str=check_str,
        description=description,
        operations=[{"method": method, "path": path} for method, path in operations],
        scope_types=PROJECT_SCOPE,
        deprecated_rule=(
            policy.DeprecatedRule(
                name=name,
                check_str=deprecated,
                deprecated_reason=DEPRECATED_REASON,
                deprecated_since=DEPRECATED_SINCE,
            )
            if deprecated is not None
            else None
        ),
    )
