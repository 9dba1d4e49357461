"""The request context from the auth headers, and the URL tenant check."""

from __future__ import annotations

from typing import Any

import falcon

from common.context import RequestContext
from heat_api.errors import HTTPError

NOAUTH = "noauth"
ADMIN_ROLE = "admin"


class ContextMiddleware:
    """Builds ``req.context.heat`` for every request.

    With keystone (the default flavor) the headers were set by auth_token from a
    validated token; with ``noauth`` they are trusted as sent (development only).
    """

    def __init__(self, flavor: str | None) -> None:
        self.flavor = flavor or "keystone"

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        parts = req.path.split("/")
        url_tenant = parts[2] if len(parts) > 2 and parts[1] == "v1" and parts[2] else None
        if url_tenant is None:
            req.context.heat = None  # the version document needs no identity
            return
        if self.flavor == NOAUTH:
            ctx = self._noauth_context(req, url_tenant)
        else:
            ctx = self._token_context(req)
        if ctx.tenant_id != url_tenant and not ctx.is_admin:
            raise HTTPError("Access was denied to this resource.", 403)
        req.context.heat = ctx

    @staticmethod
    def _noauth_context(req: falcon.Request, url_tenant: str | None) -> RequestContext:
        tenant = (
            req.get_header("X-Auth-Project")
            or req.get_header("X-Project-Id")
            or req.get_header("X-Tenant-Id")
            or url_tenant
            or "admin"
        )
        user = req.get_header("X-Auth-User") or "admin"
        roles = tuple(
            r.strip() for r in (req.get_header("X-Roles") or ADMIN_ROLE).split(",") if r.strip()
        )
        return RequestContext(
            tenant_id=tenant,
            user_id=user,
            username=user,
            project_name=tenant,
            roles=roles,
            is_admin=ADMIN_ROLE in roles,
            request_id=req.context.request_id,
        )

    @staticmethod
    def _token_context(req: falcon.Request) -> RequestContext:
        if req.get_header("X-Identity-Status", default="Confirmed") != "Confirmed":
            raise falcon.HTTPUnauthorized(
                description="The request you have made requires authentication."
            )
        roles = tuple(r.strip() for r in (req.get_header("X-Roles") or "").split(",") if r.strip())
        tenant = req.get_header("X-Project-Id") or req.get_header("X-Tenant-Id") or ""
        return RequestContext(
            tenant_id=tenant,
            user_id=req.get_header("X-User-Id"),
            username=req.get_header("X-User-Name") or req.get_header("X-User"),
            project_name=req.get_header("X-Project-Name"),
            roles=roles,
            auth_token=req.get_header("X-Auth-Token"),
            is_admin=ADMIN_ROLE in roles,
            request_id=req.context.request_id,
            user_domain_id=req.get_header("X-User-Domain-Id"),
            project_domain_id=req.get_header("X-Project-Domain-Id"),
            trust_id=req.get_header("X-Trust-Id"),
        )


class RequestIdMiddleware:
    """Give every request an id and return it as OpenStack services do."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        from common.context import new_request_id

        req.context.request_id = new_request_id()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        resp.set_header("x-openstack-request-id", req.context.get("request_id", ""))
