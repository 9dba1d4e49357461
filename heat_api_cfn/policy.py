"""Who may run which query action: upstream's ``cloudformation:<Action>`` rules.

The rules and the enforcer are the native API's (oslo.policy with Heat's defaults and
``[oslo_policy]`` overrides). Upstream checks these rules against no target, so a rule
naming ``project_id:%(project_id)s`` fails for everybody; here the target is the
caller's own project, which is what those rules mean: every query action works inside
the project the caller authenticated to.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from oslo_config import cfg

from common import exception
from common.context import RequestContext
from heat_api.policy import Enforcer
from heat_api_cfn import errors

RULE_PREFIX = "cloudformation:"


@dataclasses.dataclass(frozen=True)
class Identity:
    """An authenticated caller: oslo.policy credentials and the token they came with."""

    creds: dict[str, Any]
    auth_token: str | None = None


class ActionPolicy:
    """Checks ``cloudformation:<Action>`` and builds the engine's request context."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.enforcer = Enforcer(conf)

    def context_for(self, identity: Identity, request_id: str) -> RequestContext:
        """The request context the engine gets for ``identity``."""
        creds = identity.creds
        return RequestContext(
            tenant_id=creds["project_id"] or "",
            user_id=creds["user_id"],
            username=creds["user_name"],
            project_name=creds["project_name"],
            roles=tuple(creds["roles"]),
            auth_token=identity.auth_token,
            is_admin=self.enforcer.is_admin(creds),
            request_id=request_id,
            user_domain_id=creds.get("user_domain_id"),
            project_domain_id=creds.get("project_domain_id"),
        )

    def enforce(self, action: str, context: RequestContext, identity: Identity) -> None:
        """AccessDenied, as upstream words it, unless ``action``'s rule allows the caller."""
        creds = {**identity.creds, "is_admin": context.is_admin}
        try:
            self.enforcer.enforce(RULE_PREFIX + action, creds, context.tenant_id)
        except exception.Forbidden as ex:
            raise errors.AWSError(
                errors.ACCESS_DENIED, f"Action {action} not allowed for user"
            ) from ex
