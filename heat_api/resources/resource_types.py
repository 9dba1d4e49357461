"""Resource types: the list, one type's schema, and a template generated from a type."""

from __future__ import annotations

import falcon

from common.rpc.client import EngineClient
from heat_api.errors import HTTPError
from heat_api.resources.stacks import ctx_of
from heat_api.resources.templates import extract_bool

TEMPLATE_TYPES = ("cfn", "hot")


class Collection:
    """/v1/{tenant_id}/resource_types"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        types = self.engine.list_resource_types(
            ctx_of(req),
            support_status=req.get_param("support_status"),
            type_name=req.get_param("name"),
            heat_version=req.get_param("version"),
            with_description=extract_bool(req, "with_description"),
        )
        resp.media = {"resource_types": types}


class Schema:
    """/v1/{tenant_id}/resource_types/{type_name}

    ``with_description=true`` adds the type's description (upstream ignores the flag here).
    """

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, tenant_id: str, type_name: str
    ) -> None:
        resp.media = self.engine.resource_schema(
            ctx_of(req), type_name, with_description=extract_bool(req, "with_description")
        )


class Template:
    """/v1/{tenant_id}/resource_types/{type_name}/template?template_type=cfn|hot"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, tenant_id: str, type_name: str
    ) -> None:
        given = req.get_param("template_type")
        template_type = "cfn" if given is None else given.lower()
        if template_type not in TEMPLATE_TYPES:
            raise HTTPError(
                f'Template type is not supported: Invalid template type "{given}", '
                "valid types are: cfn, hot."
            )
        resp.media = self.engine.generate_template(ctx_of(req), type_name, template_type)
