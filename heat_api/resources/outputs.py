"""Stack outputs: list and show."""

from __future__ import annotations

import falcon

from common.rpc.client import EngineClient
from heat_api.resources.stacks import ctx_of, identity


class Collection:
    """/stacks/{stack_name}/{stack_id}/outputs"""

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
        resp.media = {
            "outputs": self.engine.list_outputs(
                ctx_of(req), identity(tenant_id, stack_name, stack_id)
            )
        }


class Item:
    """/stacks/{stack_name}/{stack_id}/outputs/{output_key}"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        output_key: str,
    ) -> None:
        resp.media = {
            "output": self.engine.show_output(
                ctx_of(req), identity(tenant_id, stack_name, stack_id), output_key
            )
        }
