"""The request context from the auth headers, and the URL tenant check.

Like upstream's ContextMiddleware, the identity comes from the headers keystonemiddleware's
auth_token (or the standalone password middleware) set from a validated token: user,
project, roles, domains, the trust a token was scoped by, and whether the caller is an
administrator, which is the ``context_is_admin`` policy rule.
"""

from __future__ import annotations

from typing import Any

import falcon

from common.context import RequestContext
from heat_api.errors import HTTPError
from heat_api.policy import Enforcer

NOAUTH = "noauth"
ADMIN_ROLE = "admin"
# Keystone's bootstrap makes admin imply member and member imply reader; a token lists
# the implied roles, and noauth's made-up identity gets them the same way.
IMPLIED_ROLES = {"admin": ("member",), "member": ("reader",)}


class ContextMiddleware:
    """Builds ``req.context.heat`` and ``req.context.policy_creds`` for every request.

    With keystone (the default and standalone flavors) the headers were set by the auth
    middleware from a validated token; with ``noauth`` they are trusted as sent
    (development only).
    """

    def __init__(self, flavor: str | None, enforcer: Enforcer) -> None:
        self.flavor = flavor or "default"
        self.enforcer = enforcer

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        parts = req.path.split("/")
        url_tenant = parts[2] if len(parts) > 2 and parts[1] == "v1" and parts[2] else None
        if url_tenant is None:
            req.context.heat = None  # the version document needs no identity
            return
        creds = noauth_creds(req, url_tenant) if self.flavor == NOAUTH else token_creds(req)
        ctx = RequestContext(
            tenant_id=creds["project_id"] or "",
            user_id=creds["user_id"],
            username=creds["user_name"],
            project_name=creds["project_name"],
            roles=tuple(creds["roles"]),
            auth_token=req.get_header("X-Auth-Token"),
            is_admin=self.enforcer.is_admin(creds),
            request_id=req.context.request_id,
            user_domain_id=creds["user_domain_id"],
            project_domain_id=creds["project_domain_id"],
            trust_id=trust_id(req.env),
            # as upstream: a password only comes with a user name (X-Auth-User/X-Auth-Key)
            password=req.get_header("X-Auth-Key") if req.get_header("X-Auth-User") else None,
            auth_url=req.get_header("X-Auth-Url"),
            region_name=req.get_header("X-Region-Name"),
        )
        if ctx.tenant_id != url_tenant and not ctx.is_admin:
            raise HTTPError("Access was denied to this resource.", 403)
        creds["is_admin"] = ctx.is_admin  # for policy files written against older defaults
        req.context.heat = ctx
        req.context.policy_creds = creds


def roles_of(header: str | None) -> list[str]:
    return [r.strip() for r in (header or "").split(",") if r.strip()]


def with_implied(roles: list[str]) -> list[str]:
    """``roles`` plus the roles they imply, in order, without repeats."""
    result: list[str] = []
    pending = list(roles)
    while pending:
        role = pending.pop(0)
        if role not in result:
            result.append(role)
            pending.extend(IMPLIED_ROLES.get(role, ()))
    return result


def noauth_creds(req: falcon.Request, url_tenant: str) -> dict[str, Any]:
    """The identity noauth trusts: X-Auth-User, X-Auth-Project (else the URL's), X-Roles.

    As upstream's noauth middleware, the caller is an administrator unless X-Roles says
    otherwise (a project extension for trying out policy without Keystone).
    """
    tenant = (
        req.get_header("X-Auth-Project")
        or req.get_header("X-Project-Id")
        or req.get_header("X-Tenant-Id")
        or url_tenant
    )
    user = req.get_header("X-Auth-User") or "admin"
    return policy_creds(
        user_id=user,
        user_name=user,
        project_id=tenant,
        project_name=tenant,
        roles=with_implied(roles_of(req.get_header("X-Roles") or ADMIN_ROLE)),
    )


def token_creds(req: falcon.Request) -> dict[str, Any]:
    """The identity auth_token (or the password middleware) confirmed, from its headers."""
    if req.get_header("X-Identity-Status", default="Confirmed") != "Confirmed":
        raise falcon.HTTPUnauthorized(
            description="The request you have made requires authentication."
        )
    header = req.get_header
    return policy_creds(
        user_id=header("X-User-Id"),
        user_name=header("X-User-Name") or header("X-User"),
        project_id=header("X-Project-Id") or header("X-Tenant-Id"),
        project_name=header("X-Project-Name") or header("X-Tenant-Name"),
        roles=roles_of(header("X-Roles") or header("X-Role")),
        user_domain_id=header("X-User-Domain-Id"),
        project_domain_id=header("X-Project-Domain-Id"),
        domain_id=header("X-Domain-Id"),
        system_scope=header("OpenStack-System-Scope"),
        is_admin_project=(header("X-Is-Admin-Project") or "True").lower() == "true",
    )


def policy_creds(
    *,
    user_id: str | None,
    user_name: str | None,
    project_id: str | None,
    project_name: str | None,
    roles: list[str],
    user_domain_id: str | None = None,
    project_domain_id: str | None = None,
    domain_id: str | None = None,
    system_scope: str | None = None,
    is_admin_project: bool = True,
) -> dict[str, Any]:
    """The credentials oslo.policy checks, named as oslo.context's policy values."""
    return {
        "user_id": user_id,
        "user_name": user_name,
        "project_id": project_id,
        "project_name": project_name,
        "roles": roles,
        "user_domain_id": user_domain_id,
        "project_domain_id": project_domain_id,
        "domain_id": domain_id,
        "system": system_scope,
        "system_scope": system_scope,
        "is_admin_project": is_admin_project,
        # the older names policy files may still use
        "user": user_id,
        "tenant": project_id,
    }


def trust_id(environ: dict[str, Any]) -> str | None:
    """The id of the trust a token was scoped by (auth_token's validated token data)."""
    info = environ.get("keystone.token_info") or {}
    trust = (info.get("token") or {}).get("OS-TRUST:trust") or {}
    return trust.get("id")


class RequestIdMiddleware:
    """Give every request an id and return it as OpenStack services do."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        from common.context import new_request_id

        req.context.request_id = new_request_id()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        resp.set_header("x-openstack-request-id", req.context.get("request_id", ""))
