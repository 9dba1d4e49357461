"""Resources of a stack: list and show."""

from __future__ import annotations

import falcon

from common.rpc.client import EngineClient
from heat_api import params, views
from heat_api.errors import HTTPError
from heat_api.resources.stacks import ctx_of, identity

LIST_FILTERS = ("name", "status", "action", "type", "id", "physical_resource_id")


class Collection:
    """/stacks/{stack_name}/{stack_id}/resources"""

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
        filters = {}
        for key in LIST_FILTERS:
            values = req.get_param_as_list(key)
            if values:
                data_key = {
                    "name": "resource_name",
                    "type": "resource_type",
                    "status": "resource_status",
                }.get(key, key)
                filters[data_key] = values if len(values) > 1 else values[0]
        rows = self.engine.list_stack_resources(
            ctx_of(req),
            identity(tenant_id, stack_name, stack_id),
            nested_depth=params.as_int(req, "nested_depth") or 0,
            with_detail=params.as_bool(req, "with_detail"),
            filters=filters or None,
        )
        resp.media = {"resources": [views.resource(req, r) for r in rows]}


class Item:
    """/stacks/{stack_name}/{stack_id}/resources/{resource_name}"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        resource_name: str,
    ) -> None:
        data = self.engine.describe_stack_resource(
            ctx_of(req),
            identity(tenant_id, stack_name, stack_id),
            resource_name,
            with_attr=params.as_list(req, "with_attr"),
        )
        resp.media = {"resource": views.resource(req, data)}

    def on_patch(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        resource_name: str,
    ) -> None:
        """Mark a resource unhealthy (or healthy again)."""
        body = params.json_body(req)
        invalid = set(body) - {"mark_unhealthy", "resource_status_reason"}
        if invalid:
            raise HTTPError(f"Invalid keys in resource mark unhealthy {invalid}")
        if "mark_unhealthy" not in body:
            raise HTTPError("Missing mandatory (mark_unhealthy) key from mark unhealthy request")
        flag = body["mark_unhealthy"]
        if not isinstance(flag, bool):
            text = str(flag).strip().lower()
            if text not in params.TRUE + params.FALSE:
                raise HTTPError(
                    f'Unrecognized value "{flag}" for "mark_unhealthy", '
                    "acceptable values are: true, false."
                )
            flag = text in params.TRUE
        self.engine.resource_mark_unhealthy(
            ctx_of(req),
            identity(tenant_id, stack_name, stack_id),
            resource_name,
            mark_unhealthy=flag,
            resource_status_reason=body.get("resource_status_reason", ""),
        )
        resp.status = falcon.HTTP_200


class Signal:
    """/stacks/{stack_name}/{stack_id}/resources/{resource_name}/signal"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_post(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        resource_name: str,
    ) -> None:
        body = params.json_body(req) or None
        self.engine.resource_signal(
            ctx_of(req), identity(tenant_id, stack_name, stack_id), resource_name, details=body
        )
        resp.status = falcon.HTTP_200


class Metadata:
    """/stacks/{stack_name}/{stack_id}/resources/{resource_name}/metadata"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        resource_name: str,
    ) -> None:
        data = self.engine.describe_stack_resource(
            ctx_of(req), identity(tenant_id, stack_name, stack_id), resource_name
        )
        resp.media = {"metadata": data.get("metadata") or {}}
