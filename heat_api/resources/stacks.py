"""Stacks: list, create, lookup redirects, show, update, delete, template, environment, files."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import falcon

from common import exception, template_format
from common.context import RequestContext
from common.rpc.client import EngineClient
from heat_api import adopt, params, template_fetch, views
from heat_api.errors import HTTPError
from heat_api.template_fetch import TemplateLimits

LOOKUP_PATHS = (
    "resources",
    "events",
    "template",
    "actions",
    "environment",
    "files",
    "snapshots",
    "export",
    "abandon",
)
CREATE_ARGS = ("timeout_mins", "disable_rollback", "tags", "adopt_stack_data")
# upstream's stack fields a list may filter on, then the older names it still takes
LIST_FILTERS = (
    "stack_name",
    "stack_action",
    "stack_status",
    "stack_status_reason",
    "disable_rollback",
    "timeout_mins",
    "stack_owner",
    "parent",
    "stack_user_project_id",
    "id",
    "status",
    "name",
    "action",
    "tenant",
    "username",
    "owner_id",
)
TAG_FILTERS = ("tags", "tags_any", "not_tags", "not_tags_any")
MAX_TAG_LENGTH = 80


def ctx_of(req: falcon.Request) -> RequestContext:
    return req.context.heat


class StackRequest:
    """The parts of a create or update request body, parsed and checked."""

    def __init__(
        self, body: dict[str, Any], limits: TemplateLimits, require_template: bool = True
    ) -> None:
        self.body = body
        try:
            self.template = self._template(limits, require_template)
            self.environment_files = body.get("environment_files")
            # with environment files the client sent the environment as files: as upstream,
            # only the request's parameters stand beside them
            raw_env = None if self.environment_files else body.get("environment")
            self.environment = template_format.parse_environment(raw_env)
        except exception.Invalid as ex:  # a malformed request, as upstream reports it
            raise HTTPError(ex.message) from ex
        user_params = body.get("parameters") or {}
        if isinstance(user_params, str):
            user_params = template_format.parse_environment(user_params)
        if not isinstance(user_params, dict):
            raise HTTPError("The parameters must be a mapping.")
        if user_params:
            merged = dict(self.environment.get("parameters") or {})
            merged.update(user_params)
            self.environment["parameters"] = merged
        self.files = body.get("files") or {}
        self.args = {k: body[k] for k in CREATE_ARGS if k in body}

    def update_args(self, existing: bool) -> dict[str, Any]:
        """The engine's args for PUT, or for PATCH (``existing``: keep what is stored)."""
        return {**self.args, "existing": True} if existing else dict(self.args)

    def _template(self, limits: TemplateLimits, required: bool) -> dict[str, Any] | None:
        if self.body.get("adopt_stack_data"):  # adopt: the template comes with the data
            return adopt.adopt_template(self.body["adopt_stack_data"], limits.max_size)
        raw = self.body.get("template")
        if raw is None and self.body.get("template_url"):
            raw = template_fetch.fetch(str(self.body["template_url"]), limits)
        if raw is None:
            if required:
                raise HTTPError("No template specified")
            return None
        if isinstance(raw, list):
            raise HTTPError(
                "Template not in valid format: The template is not a JSON object or YAML mapping."
            )
        return template_format.parse_template(raw, limits.max_size)


class Collection:
    """/v1/{tenant_id}/stacks"""

    def __init__(self, engine: EngineClient, limits: TemplateLimits) -> None:
        self.engine = engine
        self.limits = limits

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        global_tenant = params.as_bool(req, "global_tenant")
        if global_tenant and not ctx_of(req).is_admin:
            raise HTTPError("You are not authorized to use stacks:global_index.", 403, "Forbidden")
        # a repeated filter takes any of its values; commas are part of a value, as upstream
        filters = {k: req.params[k] for k in LIST_FILTERS if req.params.get(k)}
        selection: dict[str, Any] = {
            "filters": filters or None,
            "show_deleted": params.as_bool(req, "show_deleted"),
            "show_nested": params.as_bool(req, "show_nested"),
            "show_hidden": params.as_bool(req, "show_hidden"),
            "tenant_safe": not global_tenant,
            **{k: _checked_tags(req.get_param(k)) for k in TAG_FILTERS if req.get_param(k)},
        }
        limit = params.as_int(req, "limit")
        stacks = self.engine.list_stacks(
            ctx_of(req),
            limit=limit,
            marker=req.get_param("marker"),
            sort_keys=req.get_param_as_list("sort_keys") or None,
            sort_dir=req.get_param("sort_dir"),
            **selection,
        )
        shown = views.stack_summaries(req, stacks, with_project=ctx_of(req).is_admin)
        body: dict[str, Any] = {"stacks": shown}
        if limit and len(shown) == limit:
            body["links"] = [views.link(_next_page(req, shown[-1]["id"]), "next")]
        if params.as_bool(req, "with_count"):
            body["count"] = self.engine.count_stacks(ctx_of(req), **selection)
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        body = params.json_body(req)
        name = body.get("stack_name")
        if not name:
            raise HTTPError("No stack name specified")
        data = StackRequest(body, self.limits)
        identity = self.engine.create_stack(
            ctx_of(req),
            name,
            data.template,
            data.environment,
            data.files,
            data.args,
            data.environment_files,
        )
        url = views.stack_url(req, identity)
        resp.status = falcon.HTTP_201
        resp.location = url
        resp.media = {"stack": {"id": identity["stack_id"], "links": [views.link(url, "self")]}}


class Preview:
    """/v1/{tenant_id}/stacks/preview: the stack a POST to /stacks would create, created not.

    Other methods treat ``preview`` as a stack name, as upstream routes them.
    """

    def __init__(self, engine: EngineClient, lookup: Lookup, limits: TemplateLimits) -> None:
        self.engine = engine
        self.lookup = lookup
        self.limits = limits

    def on_post(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        body = params.json_body(req)
        name = body.get("stack_name")
        if not name:
            raise HTTPError("No stack name specified")
        data = StackRequest(body, self.limits)
        preview = self.engine.preview_stack(
            ctx_of(req),
            name,
            data.template,
            data.environment,
            data.files,
            data.args,
            data.environment_files,
        )
        resp.media = {"stack": {**views.stack(req, preview), "resources": preview["resources"]}}

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        self.lookup.redirect(req, "preview")

    on_put = on_patch = on_delete = on_get


class Lookup:
    """/v1/{tenant_id}/stacks/{stack_name}: redirect to the stack's canonical URL."""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def redirect(self, req: falcon.Request, stack_name: str, suffix: str = "") -> None:
        identity = self.engine.identify_stack(ctx_of(req), stack_name)
        location = views.stack_url(req, identity) + suffix
        if req.query_string:
            location += f"?{req.query_string}"
        raise falcon.HTTPFound(location)

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, tenant_id: str, stack_name: str
    ) -> None:
        self.redirect(req, stack_name)

    on_post = on_put = on_patch = on_delete = on_get

    def sink(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        path: str,
        **_groups: str,
    ) -> None:
        """Deeper paths under a stack's name: the same redirect, the path kept."""
        self.redirect(req, stack_name, f"/{path}")


class Stack:
    """/v1/{tenant_id}/stacks/{stack_name}/{stack_id}"""

    def __init__(self, engine: EngineClient, lookup: Lookup, limits: TemplateLimits) -> None:
        self.engine = engine
        self.lookup = lookup
        self.limits = limits

    def _redirect_if_lookup(self, req: falcon.Request, stack_name: str, stack_id: str) -> None:
        if stack_id in LOOKUP_PATHS:
            self.lookup.redirect(req, stack_name, f"/{stack_id}")

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        self._redirect_if_lookup(req, stack_name, stack_id)
        stacks = self.engine.show_stack(
            ctx_of(req),
            identity(tenant_id, stack_name, stack_id),
            resolve_outputs=params.as_bool(req, "resolve_outputs", True),
        )
        resp.media = {"stack": views.stack(req, stacks[0])}

    def on_put(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        self._update(req, resp, tenant_id, stack_name, stack_id, existing=False)

    def on_patch(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        self._update(req, resp, tenant_id, stack_name, stack_id, existing=True)

    def _update(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        existing: bool,
    ) -> None:
        self._redirect_if_lookup(req, stack_name, stack_id)
        data = StackRequest(params.json_body(req), self.limits, require_template=not existing)
        self.engine.update_stack(
            ctx_of(req),
            identity(tenant_id, stack_name, stack_id),
            data.template,
            data.environment,
            data.files,
            data.update_args(existing),
            data.environment_files,
        )
        resp.status = falcon.HTTP_202

    def on_post(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        self._redirect_if_lookup(req, stack_name, stack_id)
        raise falcon.HTTPMethodNotAllowed(["GET", "PUT", "PATCH", "DELETE"])

    def on_delete(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        self._redirect_if_lookup(req, stack_name, stack_id)
        self.engine.delete_stack(ctx_of(req), identity(tenant_id, stack_name, stack_id))
        resp.status = falcon.HTTP_204


class UpdatePreview:
    """/stacks/{stack_name}/{stack_id}/preview: what PUT or PATCH would do, doing nothing."""

    def __init__(self, engine: EngineClient, limits: TemplateLimits) -> None:
        self.engine = engine
        self.limits = limits

    def _preview(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        existing: bool,
    ) -> None:
        data = StackRequest(params.json_body(req), self.limits, require_template=not existing)
        changes = self.engine.preview_update_stack(
            ctx_of(req),
            identity(tenant_id, stack_name, stack_id),
            data.template,
            data.environment,
            data.files,
            data.update_args(existing),
            data.environment_files,
        )
        resp.media = {"resource_changes": changes}

    def on_put(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        self._preview(req, resp, tenant_id, stack_name, stack_id, existing=False)

    def on_patch(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        self._preview(req, resp, tenant_id, stack_name, stack_id, existing=True)


class Template:
    """/stacks/{stack_name}/{stack_id}/template"""

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
        resp.text = json.dumps(
            self.engine.get_template(ctx_of(req), identity(tenant_id, stack_name, stack_id))
        )
        resp.content_type = falcon.MEDIA_JSON


class Environment:
    """/stacks/{stack_name}/{stack_id}/environment"""

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
        resp.media = self.engine.get_environment(
            ctx_of(req), identity(tenant_id, stack_name, stack_id)
        )


class Files:
    """/stacks/{stack_name}/{stack_id}/files"""

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
        resp.media = self.engine.get_files(ctx_of(req), identity(tenant_id, stack_name, stack_id))


def _checked_tags(value: str) -> str:
    """A comma-separated tag list whose tags fit the stack_tag column."""
    for tag in value.split(","):
        if len(tag) > MAX_TAG_LENGTH:
            raise HTTPError(f'Invalid tag, "{tag}" is longer than {MAX_TAG_LENGTH} characters')
    return value


def _next_page(req: falcon.Request, marker: str) -> str:
    """This listing's URL with ``marker`` set to the last stack shown."""
    query = falcon.uri.parse_query_string(req.query_string, keep_blank=True)
    pairs = [(k, item) for k, v in query.items() if k != "marker" for item in _listed(v)]
    return f"{req.prefix}{req.path}?{urllib.parse.urlencode([*pairs, ('marker', marker)])}"


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def identity(tenant_id: str, stack_name: str, stack_id: str) -> dict[str, str]:
    return {"tenant": tenant_id, "stack_name": stack_name, "stack_id": stack_id, "path": ""}
