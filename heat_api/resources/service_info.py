"""The version document, build_info and the engine services list."""

from __future__ import annotations

import falcon

from common.rpc.client import EngineClient
from heat_api.errors import HTTPError
from heat_api.resources.stacks import ctx_of


class Versions:
    """/ : the API versions, as 300 Multiple Choices."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.status = falcon.HTTP_300
        resp.media = {
            "versions": [
                {
                    "id": "v1.0",
                    "status": "CURRENT",
                    "links": [{"rel": "self", "href": f"{req.prefix}/v1/"}],
                }
            ]
        }


class BuildInfo:
    """/v1/{tenant_id}/build_info"""

    def __init__(self, engine: EngineClient, api_revision: str) -> None:
        self.engine = engine
        self.api_revision = api_revision

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        resp.media = {
            "api": {"revision": self.api_revision},
            "engine": {"revision": self.engine.get_revision(ctx_of(req))},
        }


class Services:
    """/v1/{tenant_id}/services (admin only)"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        if not ctx_of(req).is_admin:
            raise HTTPError("You are not authorized to use service:index.", 403, "Forbidden")
        resp.media = {"services": self.engine.list_services(ctx_of(req))}
