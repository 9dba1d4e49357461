"""Stack actions: suspend, resume, check, cancel_update, cancel_without_rollback."""

from __future__ import annotations

import falcon

from common.rpc.client import EngineClient
from heat_api import params
from heat_api.errors import HTTPError
from heat_api.resources.stacks import ctx_of, identity

ACTIONS = ("suspend", "resume", "check", "cancel_update", "cancel_without_rollback")


class Actions:
    """/stacks/{stack_name}/{stack_id}/actions: the body names exactly one action."""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_post(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        body = params.json_body(req)
        if not body:
            raise HTTPError("No action specified")
        if len(body) > 1:
            raise HTTPError("Multiple actions specified")
        action = next(iter(body))
        if action not in ACTIONS:
            raise HTTPError(f"Invalid action {action} specified")
        ctx, stack = ctx_of(req), identity(tenant_id, stack_name, stack_id)
        if action == "suspend":
            self.engine.stack_suspend(ctx, stack)
        elif action == "resume":
            self.engine.stack_resume(ctx, stack)
        elif action == "check":
            self.engine.stack_check(ctx, stack)
        else:
            self.engine.stack_cancel_update(
                ctx, stack, cancel_with_rollback=action == "cancel_update"
            )
        resp.status = falcon.HTTP_200
