"""The standalone flavor: authenticate each request's X-Auth-User/X-Auth-Key with Keystone.

As upstream's password middleware, the client sends its user name and password; the API
gets a token scoped to the project in the URL from Keystone with keystoneauth1, and sets
the same identity headers auth_token would. The Keystone URL is the configured one
(``[clients_keystone] auth_uri``, else ``[keystone_authtoken] www_authenticate_uri``);
with ``[auth_password] multi_cloud`` the client's X-Auth-Url is used instead and must be
one of ``allowed_auth_uris``.
"""

from __future__ import annotations

import http
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from keystoneauth1 import access, session
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1.identity import generic
from oslo_config import cfg

from heat_api.errors import error_body

LOG = logging.getLogger(__name__)

DEFAULT_DOMAIN = "default"
# Identity headers a client must not be able to set itself.
IDENTITY_HEADERS = (
    "X-Identity-Status",
    "X-Domain-Id",
    "X-Domain-Name",
    "X-Project-Id",
    "X-Project-Name",
    "X-Project-Domain-Id",
    "X-Project-Domain-Name",
    "X-User-Id",
    "X-User-Name",
    "X-User-Domain-Id",
    "X-User-Domain-Name",
    "X-Roles",
    "X-Role",
    "X-User",
    "X-Tenant-Id",
    "X-Tenant-Name",
    "X-Tenant",
    "X-Service-Catalog",
    "X-Is-Admin-Project",
    "X-Trust-Id",
    "OpenStack-System-Scope",
)
REJECTED = (
    ks_exceptions.Unauthorized,
    ks_exceptions.Forbidden,
    ks_exceptions.NotFound,
    ks_exceptions.BadRequest,
    ks_exceptions.AuthorizationFailure,
)

StartResponse = Callable[..., Any]


def environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class Reject(Exception):
    """A request the middleware answers itself, with Heat's error body."""

    def __init__(self, status: int, message: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)


class PasswordAuthMiddleware:
    """WSGI middleware for ``[paste_deploy] flavor = standalone``."""

    def __init__(self, app: Callable[..., Any], conf: cfg.ConfigOpts) -> None:
        self.app = app
        self.conf = conf
        self.session = session.Session()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        for header in IDENTITY_HEADERS:
            environ.pop(environ_key(header), None)
        parts = (environ.get("PATH_INFO") or "/").split("/")
        if len(parts) < 3 or parts[1] != "v1":
            return self.app(environ, start_response)  # the version document, or a 404
        try:
            auth_ref = self.authenticate(environ, project_id=parts[2])
        except Reject as ex:
            return reject(start_response, ex)
        environ.update(identity_environ(auth_ref))
        return self.app(environ, start_response)

    def authenticate(self, environ: dict[str, Any], project_id: str) -> access.AccessInfo:
        """Keystone's answer for the request's user and password on ``project_id``."""
        auth_url = self.auth_url(environ)
        challenge = [("WWW-Authenticate", f"Keystone uri='{auth_url}'")]
        username = environ.get(environ_key("X-Auth-User"))
        password = environ.get(environ_key("X-Auth-Key"))
        if not project_id or not username or not password:
            raise Reject(401, "Authentication required", challenge)
        plugin = generic.Password(
            auth_url=auth_url,
            username=username,
            password=password,
            project_id=project_id,
            user_domain_id=environ.get(environ_key("X-User-Domain-Id")) or DEFAULT_DOMAIN,
        )
        try:
            return plugin.get_access(self.session)
        except REJECTED as ex:
            LOG.info("Keystone refused %s on project %s: %s", username, project_id, ex)
            raise Reject(401, "Authentication required", challenge) from ex
        except ks_exceptions.ClientException as ex:
            LOG.error("Keystone at %s could not be asked: %s", auth_url, ex)
            raise Reject(503, f"The identity service at {auth_url} is unavailable.") from ex

    def auth_url(self, environ: dict[str, Any]) -> str:
        """The Keystone URL to authenticate with (see the module docstring)."""
        if self.conf.auth_password.multi_cloud:
            url = environ.get(environ_key("X-Auth-Url"))
            if not url:
                raise Reject(400, "Request missing required header X-Auth-Url")
            if url not in self.conf.auth_password.allowed_auth_uris:
                raise Reject(401, f'Header X-Auth-Url "{url}" not an allowed endpoint')
            return url
        url = self.conf.clients_keystone.auth_uri or authtoken_uri(self.conf)
        if not url:
            raise Reject(
                503,
                "The standalone flavor needs [clients_keystone] auth_uri or "
                "[keystone_authtoken] www_authenticate_uri.",
            )
        return url.replace("v2.0", "v3")


def authtoken_uri(conf: cfg.ConfigOpts) -> str | None:
    """``[keystone_authtoken] www_authenticate_uri`` (keystonemiddleware's option)."""
    from keystonemiddleware.auth_token import _opts

    for group, opts in _opts.list_opts():
        conf.register_opts(opts, group=group)
    return conf.keystone_authtoken.www_authenticate_uri


def identity_environ(auth_ref: access.AccessInfo) -> dict[str, Any]:
    """The identity headers auth_token would set for this token, as WSGI keys."""
    headers = {
        "X-Identity-Status": "Confirmed",
        "X-Project-Id": auth_ref.project_id,
        "X-Project-Name": auth_ref.project_name,
        "X-Project-Domain-Id": auth_ref.project_domain_id,
        "X-User-Id": auth_ref.user_id,
        "X-User-Name": auth_ref.username,
        "X-User-Domain-Id": auth_ref.user_domain_id,
        "X-Roles": ",".join(auth_ref.role_names),
        "X-Auth-Token": auth_ref.auth_token,
        "X-Is-Admin-Project": "True" if auth_ref.is_admin_project else "False",
    }
    if auth_ref.has_service_catalog():
        headers["X-Service-Catalog"] = json.dumps(auth_ref.service_catalog.catalog)
    return {environ_key(k): v for k, v in headers.items() if v is not None}


def reject(start_response: StartResponse, ex: Reject) -> list[bytes]:
    body = json.dumps(error_body(ex.status, status_type(ex.status), ex.message)).encode()
    start_response(
        f"{ex.status} {status_phrase(ex.status)}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *ex.headers],
    )
    return [body]


def status_type(status: int) -> str:
    return {
        400: "HTTPBadRequest",
        401: "HTTPUnauthorized",
        503: "HTTPServiceUnavailable",
    }.get(status, "HTTPError")


def status_phrase(status: int) -> str:
    return http.HTTPStatus(status).phrase
