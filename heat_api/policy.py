"""Policy: upstream's rules enforced in one place, from the matched route and method.

The resource modules know nothing of policy: ``PolicyMiddleware`` maps the route falcon
matched (its URI template) and the method to upstream's rule name, and checks it with
oslo.policy against the caller's credentials before the responder runs. Two rules depend
on the body, as upstream: ``POST .../actions`` checks ``actions:<action>`` and a ``PATCH``
that changes nothing but ``existing`` checks ``stacks:update_no_change``.
"""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

import falcon
from oslo_config import cfg
from oslo_policy import policy

from common import exception, policies
from heat_api.resources.stacks import LOOKUP_PATHS

LOG = logging.getLogger(__name__)

T = "/v1/{tenant_id}"
STACK = T + "/stacks/{stack_name}/{stack_id}"
RESOURCE = STACK + "/resources/{resource_name}"
SNAPSHOT = STACK + "/snapshots/{snapshot_id}"
CONFIGS = T + "/software_configs"
DEPLOYMENTS = T + "/software_deployments"

LOOKUP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# (URI template, method) -> rule. Templates not yet routed are listed with upstream's
# paths so that the routes keep their rules when they arrive.
ROUTE_RULES: dict[tuple[str, str], str] = {
    (T + "/build_info", "GET"): "build_info:build_info",
    (T + "/services", "GET"): "service:index",
    (T + "/validate", "POST"): "stacks:validate_template",
    (T + "/template_versions", "GET"): "stacks:list_template_versions",
    (T + "/template_versions/{template_version}/functions", "GET"): (
        "stacks:list_template_functions"
    ),
    (T + "/resource_types", "GET"): "stacks:list_resource_types",
    (T + "/resource_types/{type_name}", "GET"): "stacks:resource_schema",
    (T + "/resource_types/{type_name}/template", "GET"): "stacks:generate_template",
    (T + "/stacks", "GET"): "stacks:index",
    (T + "/stacks", "POST"): "stacks:create",
    (T + "/stacks/preview", "POST"): "stacks:preview",
    (T + "/stacks/detail", "GET"): "stacks:detail",
    **{(T + "/stacks/{stack_name}", m): "stacks:lookup" for m in LOOKUP_METHODS},
    # other methods take "preview" for a stack's name
    **{(T + "/stacks/preview", m): "stacks:lookup" for m in LOOKUP_METHODS if m != "POST"},
    (STACK, "POST"): "stacks:lookup",  # only /stacks/{name}/<sub-path> is served: a redirect
    (STACK, "GET"): "stacks:show",
    (STACK, "PUT"): "stacks:update",
    (STACK, "PATCH"): "stacks:update_patch",
    (STACK, "DELETE"): "stacks:delete",
    (STACK + "/template", "GET"): "stacks:template",
    (STACK + "/environment", "GET"): "stacks:environment",
    (STACK + "/files", "GET"): "stacks:files",
    (STACK + "/preview", "PUT"): "stacks:preview_update",
    (STACK + "/preview", "PATCH"): "stacks:preview_update_patch",
    (STACK + "/abandon", "DELETE"): "stacks:abandon",
    (STACK + "/export", "GET"): "stacks:export",
    (STACK + "/snapshots", "POST"): "stacks:snapshot",
    (STACK + "/snapshots", "GET"): "stacks:list_snapshots",
    (SNAPSHOT, "GET"): "stacks:show_snapshot",
    (SNAPSHOT, "DELETE"): "stacks:delete_snapshot",
    (SNAPSHOT + "/restore", "POST"): "stacks:restore_snapshot",
    (STACK + "/outputs", "GET"): "stacks:list_outputs",
    (STACK + "/outputs/{output_key}", "GET"): "stacks:show_output",
    (STACK + "/actions", "POST"): "actions:action",
    (STACK + "/resources", "GET"): "resource:index",
    (RESOURCE, "GET"): "resource:show",
    (RESOURCE, "PATCH"): "resource:mark_unhealthy",
    (RESOURCE + "/metadata", "GET"): "resource:metadata",
    (RESOURCE + "/signal", "POST"): "resource:signal",
    (STACK + "/events", "GET"): "events:index",
    (RESOURCE + "/events", "GET"): "events:index",
    (RESOURCE + "/events/{event_id}", "GET"): "events:show",
    (CONFIGS, "GET"): "software_configs:index",
    (CONFIGS, "POST"): "software_configs:create",
    (CONFIGS + "/{config_id}", "GET"): "software_configs:show",
    (CONFIGS + "/{config_id}", "DELETE"): "software_configs:delete",
    (DEPLOYMENTS, "GET"): "software_deployments:index",
    (DEPLOYMENTS, "POST"): "software_deployments:create",
    (DEPLOYMENTS + "/{deployment_id}", "GET"): "software_deployments:show",
    (DEPLOYMENTS + "/{deployment_id}", "PUT"): "software_deployments:update",
    (DEPLOYMENTS + "/{deployment_id}", "DELETE"): "software_deployments:delete",
    (DEPLOYMENTS + "/metadata/{server_id}", "GET"): "software_deployments:metadata",
}

# A route missing from the table is for administrators only until it gets its rule.
UNLISTED_ROUTE_RULE = "context_is_admin"
# The sink that redirects /stacks/{name}/<sub-path> is a lookup.
LOOKUP_PATH = re.compile(r"^/v1/[^/]+/stacks/[^/]+(/.*)?$")
GLOBAL_RULES = {
    "stacks:index": "stacks:global_index",
    "software_configs:index": "software_configs:global_index",
}
ACTION_NAMES = ("suspend", "resume", "check", "cancel_update", "cancel_without_rollback")
# PATCH body keys that carry a change (upstream's InstantiationData parameters).
PATCH_DATA_KEYS = (
    "template",
    "template_url",
    "parameters",
    "environment",
    "files",
    "environment_files",
    "files_container",
)


class Enforcer:
    """oslo.policy's enforcer with Heat's default rules and ``[oslo_policy]`` overrides."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.enforcer = policy.Enforcer(conf)
        self.enforcer.suppress_deprecation_warnings = True
        self.enforcer.register_defaults(policies.list_rules())

    def is_admin(self, creds: dict[str, Any]) -> bool:
        """Whether ``context_is_admin`` holds for these credentials."""
        return bool(self.enforcer.authorize("context_is_admin", {}, creds))

    def enforce(self, rule: str, creds: dict[str, Any], project_id: str) -> None:
        """Raise ``Forbidden`` naming ``rule`` unless it allows the caller on ``project_id``."""
        try:
            self.enforcer.authorize(
                rule,
                {"project_id": project_id, "tenant_id": project_id},
                creds,
                do_raise=True,
                exc=exception.Forbidden,
                action=rule,
            )
        except policy.InvalidScope as ex:
            raise exception.Forbidden(action=rule) from ex


class PolicyMiddleware:
    """Check the rule of the matched route before its responder runs."""

    def __init__(self, enforcer: Enforcer) -> None:
        self.enforcer = enforcer

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict[str, Any]
    ) -> None:
        ctx = req.context.get("heat")
        if ctx is None:
            return  # the version document
        rule = self.rule_for(req, resource)
        if rule is None:
            return  # no route: falcon answers 404
        self.enforcer.enforce(rule, req.context.policy_creds, ctx.tenant_id)

    def rule_for(self, req: falcon.Request, resource: Any) -> str | None:
        """The rule name for this request, or None for a path no route serves."""
        if resource is None:
            return "stacks:lookup" if LOOKUP_PATH.match(req.path) else None
        if req.uri_template == STACK and req.path.rsplit("/", 1)[-1] in LOOKUP_PATHS:
            return "stacks:lookup"  # /stacks/{name}/resources and the like redirect
        rule = ROUTE_RULES.get((req.uri_template or "", req.method))
        if rule is None:
            LOG.warning("no policy rule for %s %s: admins only", req.method, req.uri_template)
            return UNLISTED_ROUTE_RULE
        if rule in GLOBAL_RULES and is_true(req.get_param("global_tenant")):
            return GLOBAL_RULES[rule]
        if rule == "actions:action":
            action = single_key(peek_json(req))
            return f"actions:{action}" if action in ACTION_NAMES else rule
        if rule == "stacks:update_patch" and changes_nothing(peek_json(req)):
            return "stacks:update_no_change"
        return rule


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "t", "true", "on", "y", "yes")


def single_key(body: Any) -> str | None:
    return next(iter(body)) if isinstance(body, dict) and len(body) == 1 else None


def changes_nothing(body: Any) -> bool:
    """A PATCH body that keeps everything: only ``existing`` and empty data."""
    if not isinstance(body, dict):
        return False
    for key, value in body.items():
        if key == "existing":
            continue
        if key not in PATCH_DATA_KEYS or value:
            return False
    return True


def peek_json(req: falcon.Request) -> Any:
    """The JSON body, leaving it readable for the responder; None when not JSON."""
    raw = req.stream.read(req.content_length) if req.content_length else b""
    # falcon reads the body from the WSGI input (bounded_stream) or from req.stream
    req.env["wsgi.input"] = req.stream = io.BytesIO(raw)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None  # the responder reports the bad body
