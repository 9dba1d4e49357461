"""The heat-api falcon application; the route table lives here and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import falcon
from oslo_config import cfg

from common.rpc.client import EngineClient
from heat_api import errors
from heat_api.context import ContextMiddleware, RequestIdMiddleware
from heat_api.policy import Enforcer, PolicyMiddleware
from heat_api.resources import (
    actions,
    events,
    outputs,
    resource_types,
    service_info,
    snapshots,
    stack_resources,
    stacks,
    templates,
)
from heat_api.template_fetch import TemplateLimits

STACK = "/v1/{tenant_id}/stacks/{stack_name}/{stack_id}"
RESOURCE = STACK + "/resources/{resource_name}"
LOOKUP_SINK = (
    r"^/v1/(?P<tenant_id>[^/]+)/stacks/(?P<stack_name>[^/]+)/"
    r"(?P<path>(resources|events|template|environment|files|outputs|actions|snapshots)/.+)$"
)


def create_app(conf: cfg.ConfigOpts, engine: EngineClient) -> falcon.App:
    """The native API, talking to the engine through ``engine``."""
    enforcer = Enforcer(conf)
    app = falcon.App(
        middleware=[
            RequestIdMiddleware(),
            ContextMiddleware(conf.paste_deploy.flavor, enforcer),
            PolicyMiddleware(enforcer),
        ],
    )
    app.req_options.strip_url_path_trailing_slash = True
    errors.register(app)
    size = TemplateLimits(conf.max_template_size, conf.template_fetch_timeout)
    lookup = stacks.Lookup(engine)
    routes: list[tuple[str, Any]] = [
        ("/", service_info.Versions()),
        ("/v1/{tenant_id}/build_info", service_info.BuildInfo(engine, conf.revision.heat_revision)),
        ("/v1/{tenant_id}/services", service_info.Services(engine)),
        ("/v1/{tenant_id}/validate", templates.Validate(engine, size)),
        ("/v1/{tenant_id}/template_versions", templates.TemplateVersions(engine)),
        (
            "/v1/{tenant_id}/template_versions/{template_version}/functions",
            templates.TemplateFunctions(engine),
        ),
        ("/v1/{tenant_id}/resource_types", resource_types.Collection(engine)),
        ("/v1/{tenant_id}/resource_types/{type_name}", resource_types.Schema(engine)),
        ("/v1/{tenant_id}/resource_types/{type_name}/template", resource_types.Template(engine)),
        ("/v1/{tenant_id}/stacks", stacks.Collection(engine, size)),
        ("/v1/{tenant_id}/stacks/preview", stacks.Preview(engine, lookup, size)),
        ("/v1/{tenant_id}/stacks/{stack_name}", lookup),
        (STACK, stacks.Stack(engine, lookup, size)),
        (STACK + "/template", stacks.Template(engine)),
        (STACK + "/preview", stacks.UpdatePreview(engine, size)),
        (STACK + "/environment", stacks.Environment(engine)),
        (STACK + "/files", stacks.Files(engine)),
        (STACK + "/outputs", outputs.Collection(engine)),
        (STACK + "/outputs/{output_key}", outputs.Item(engine)),
        (STACK + "/resources", stack_resources.Collection(engine)),
        (RESOURCE, stack_resources.Item(engine)),
        (RESOURCE + "/metadata", stack_resources.Metadata(engine)),
        (RESOURCE + "/signal", stack_resources.Signal(engine)),
        (STACK + "/actions", actions.Actions(engine)),
        (STACK + "/snapshots", snapshots.Collection(engine)),
        (STACK + "/snapshots/{snapshot_id}", snapshots.Item(engine)),
        (STACK + "/snapshots/{snapshot_id}/restore", snapshots.Restore(engine)),
        (STACK + "/abandon", snapshots.Abandon(engine)),
        (STACK + "/export", snapshots.Export(engine)),
        (STACK + "/events", events.StackEvents(engine)),
        (RESOURCE + "/events", events.ResourceEvents(engine)),
        (RESOURCE + "/events/{event_id}", events.Event(engine)),
    ]
    for template, resource in routes:
        app.add_route(template, resource)
    # /stacks/{name}/<sub-path>... for deeper paths than the routes above: redirect too
    app.add_sink(lookup.sink, LOOKUP_SINK)
    return app


def with_token_auth(app: Callable[..., Any], conf: cfg.ConfigOpts) -> Callable[..., Any]:
    """Wrap ``app`` in keystonemiddleware's auth_token, except the version document."""
    from keystonemiddleware import auth_token

    protected = auth_token.AuthProtocol(app, {"oslo_config_config": conf})

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "/") in ("", "/"):
            return app(environ, start_response)
        return protected(environ, start_response)

    return dispatch


def wrap_auth(app: falcon.App, conf: cfg.ConfigOpts) -> Callable[..., Any]:
    """The WSGI callable for ``[paste_deploy] flavor`` (unset means ``default``)."""
    flavor = conf.paste_deploy.flavor or "default"
    if flavor == "noauth":
        return app
    if flavor == "standalone":
        from heat_api.auth_password import PasswordAuthMiddleware

        return PasswordAuthMiddleware(app, conf)
    if flavor == "default":
        return with_token_auth(app, conf)
    raise ValueError(
        f"[paste_deploy] flavor: unknown flavor {flavor!r}; use default, standalone or noauth"
    )
