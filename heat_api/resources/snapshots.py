"""Stack snapshots (take, list, show, delete, restore), abandon and export."""

from __future__ import annotations

import falcon

from common.rpc.client import EngineClient
from heat_api import params
from heat_api.errors import HTTPError
from heat_api.resources.stacks import ctx_of, identity

ACCEPTED = {
    "code": "202 Accepted",
    "title": "Accepted",
    "message": "The request is accepted for processing.",
}


class Collection:
    """/stacks/{stack_name}/{stack_id}/snapshots"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        stack = identity(tenant_id, stack_name, stack_id)
        resp.media = {"snapshots": self.engine.stack_list_snapshots(ctx_of(req), stack)}

    def on_post(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        """Start a snapshot; the body may name it. Answers the snapshot itself (200)."""
        name = params.json_body(req).get("name")
        if name is not None and not isinstance(name, str):
            raise HTTPError("The snapshot name must be a string.")
        stack = identity(tenant_id, stack_name, stack_id)
        resp.media = self.engine.stack_snapshot(ctx_of(req), stack, name)


class Item:
    """/stacks/{stack_name}/{stack_id}/snapshots/{snapshot_id}"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        snapshot_id: str,
    ) -> None:
        stack = identity(tenant_id, stack_name, stack_id)
        resp.media = {"snapshot": self.engine.show_snapshot(ctx_of(req), stack, snapshot_id)}

    def on_delete(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        snapshot_id: str,
    ) -> None:
        stack = identity(tenant_id, stack_name, stack_id)
        self.engine.delete_snapshot(ctx_of(req), stack, snapshot_id)
        resp.status = falcon.HTTP_204


class Restore:
    """/stacks/{stack_name}/{stack_id}/snapshots/{snapshot_id}/restore"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_post(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        snapshot_id: str,
    ) -> None:
        stack = identity(tenant_id, stack_name, stack_id)
        self.engine.stack_restore(ctx_of(req), stack, snapshot_id)
        resp.status = falcon.HTTP_202
        # heatclient reads this answer as JSON: give it the document upstream's 202 carries
        resp.media = ACCEPTED


class Abandon:
    """/stacks/{stack_name}/{stack_id}/abandon: the stack's data, the stack forgotten."""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_delete(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        stack = identity(tenant_id, stack_name, stack_id)
        resp.media = self.engine.abandon_stack(ctx_of(req), stack)


class Export:
    """/stacks/{stack_name}/{stack_id}/export: the data abandon would give, nothing removed."""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        stack = identity(tenant_id, stack_name, stack_id)
        resp.media = self.engine.export_stack(ctx_of(req), stack)
