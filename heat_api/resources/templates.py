"""Template validation, template versions and the functions of each version.

``POST /validate`` answers as upstream does, with one deliberate difference: a hidden
parameter's default, given value and environment entries come back as ``******``, never
in clear text (upstream returns them as sent).
"""

from __future__ import annotations

import falcon

from common.rpc.client import EngineClient
from heat_api import params
from heat_api.errors import HTTPError
from heat_api.resources.stacks import StackRequest, ctx_of
from heat_api.template_fetch import TemplateLimits


def extract_bool(req: falcon.Request, name: str, default: bool = False) -> bool:
    """A query flag as upstream reads it: only ``true`` or ``false``, in any case."""
    value = req.get_param(name)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise HTTPError(
            f'Unrecognized value "{value}" for "{name}", acceptable values are: true, false.'
        )
    return value.lower() == "true"


class Validate:
    """/v1/{tenant_id}/validate"""

    def __init__(self, engine: EngineClient, limits: TemplateLimits) -> None:
        self.engine = engine
        self.limits = limits

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        body = params.json_body(req)
        data = StackRequest(body, self.limits)
        show_nested = extract_bool(req, "show_nested")
        ignore_errors = req.get_param("ignore_errors")
        result = self.engine.validate_template(
            ctx_of(req),
            data.template,
            data.environment,
            files=data.files,
            environment_files=data.environment_files,
            files_container=body.get("files_container"),
            show_nested=show_nested,
            ignorable_errors=ignore_errors.split(",") if ignore_errors is not None else None,
        )
        if "Error" in result:
            raise HTTPError(result["Error"])
        resp.media = result


class TemplateVersions:
    """/v1/{tenant_id}/template_versions"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        resp.media = {"template_versions": self.engine.list_template_versions(ctx_of(req))}


class TemplateFunctions:
    """/v1/{tenant_id}/template_versions/{template_version}/functions"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, tenant_id: str, template_version: str
    ) -> None:
        functions = self.engine.list_template_functions(
            ctx_of(req), template_version, extract_bool(req, "with_condition_func")
        )
        resp.media = {"template_functions": functions}
