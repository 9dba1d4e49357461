"""The heat-api-cfn falcon app: the CloudFormation query API, its authentication and errors.

The query API answers ``GET``/``POST`` on ``/v1``, ``/v1/`` and ``/``: ``Action`` and its
parameters come from the query string or a form-encoded body. ``/`` without an
``Action`` is the version document, as upstream.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

import falcon
from oslo_config import cfg

from common.context import RequestContext, new_request_id
from common.rpc.client import EngineClient
from heat_api_cfn import actions, errors, xml

LOG = logging.getLogger(__name__)

API_PATH = "/v1"
API_VERSION = "v1.0"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
REQUEST_ID_HEADER = "x-openstack-request-id"
NOAUTH_FLAVOR = "noauth"
NOAUTH_USER_HEADER = "X-Auth-User"
NOAUTH_PROJECT_HEADER = "X-Auth-Project"
NOAUTH_DEFAULT_NAME = "admin"
NOAUTH_ROLES = ("admin",)
# Percent-encoding can triple a template; the rest of the form is small.
BODY_SIZE_FACTOR = 3
BODY_SIZE_SLACK = 64 * 1024

Authenticator = Callable[[falcon.Request, Mapping[str, str]], RequestContext]


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def noauth(req: falcon.Request, params: Mapping[str, str]) -> RequestContext:
    """Trust X-Auth-User/X-Auth-Project (upstream's noauth flavor); development only.

    Without either header the caller is user and project ``admin``, but only from a
    loopback address, so a noauth server reachable from elsewhere is not open to all.
    """
    user = req.get_header(NOAUTH_USER_HEADER)
    project = req.get_header(NOAUTH_PROJECT_HEADER)
    if user is None and project is None and not _is_loopback(req.remote_addr):
        raise errors.AWSError(
            errors.MISSING_AUTHENTICATION_TOKEN,
            f"{NOAUTH_USER_HEADER} and {NOAUTH_PROJECT_HEADER} are required from {req.remote_addr}",
        )
    user = user or NOAUTH_DEFAULT_NAME
    project = project or NOAUTH_DEFAULT_NAME
    return RequestContext(
        tenant_id=project,
        project_name=project,
        user_id=user,
        username=user,
        roles=NOAUTH_ROLES,
        is_admin=True,
        request_id=req.context.request_id,
    )


def signature_not_served(req: falcon.Request, params: Mapping[str, str]) -> RequestContext:
    """EC2 signature authentication (the keystone flavors) is not served yet: refuse clearly."""
    raise errors.AWSError(
        errors.ACCESS_DENIED,
        "EC2 signature authentication is not available in this heat-api-cfn yet; "
        f"only [paste_deploy] flavor = {NOAUTH_FLAVOR} serves requests",
    )


def select_auth(conf: cfg.ConfigOpts) -> Authenticator:
    """The authenticator [paste_deploy] flavor asks for.

    Any flavor but noauth needs EC2 signatures verified by Keystone, which comes later:
    the service still starts (an operator's heat.conf works unchanged) and answers
    every request with AccessDenied saying why.
    """
    if conf.paste_deploy.flavor == NOAUTH_FLAVOR:
        return noauth
    LOG.warning(
        "heat-api-cfn: EC2 signature authentication is not available yet; "
        "every request will be refused (set [paste_deploy] flavor = noauth to develop)"
    )
    return signature_not_served


def read_params(req: falcon.Request, max_body: int) -> dict[str, str]:
    """The query string's and a form body's parameters; the first of a repeated name wins."""
    pairs = parse_qsl(req.query_string, keep_blank_values=True)
    media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
    if media_type == FORM_CONTENT_TYPE:
        if (req.content_length or 0) > max_body:
            raise errors.AWSError(errors.REQUEST_LIMIT_EXCEEDED)
        body = req.bounded_stream.read(max_body + 1)
        if len(body) > max_body:
            raise errors.AWSError(errors.REQUEST_LIMIT_EXCEEDED)
        pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


class RequestIdMiddleware:
    """Give each request an id: in the context, the XML answers and a response header."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.request_id = new_request_id()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        resp.set_header(REQUEST_ID_HEADER, req.context.request_id)


class QueryResource:
    """The query API: authenticate, find the Action's handler, run it, answer in XML."""

    def __init__(
        self, engine: EngineClient, authenticate: Authenticator, max_template_size: int
    ) -> None:
        self._engine = engine
        self._authenticate = authenticate
        self._max_template_size = max_template_size
        self.max_body = BODY_SIZE_FACTOR * max_template_size + BODY_SIZE_SLACK

    def answer(self, req: falcon.Request, resp: falcon.Response, params: dict[str, str]) -> None:
        context = self._authenticate(req, params)
        action = params.get("Action")
        handler = actions.handler_for(action)
        call = actions.ActionCall(context, params, self._engine, self._max_template_size)
        result = handler(call)
        resp.content_type = xml.CONTENT_TYPE
        resp.text = xml.render_result(str(action), result, req.context.request_id)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.answer(req, resp, read_params(req, self.max_body))

    on_post = on_get


class RootResource:
    """``/``: the query API when an Action is given, else the version document (300)."""

    def __init__(self, query: QueryResource) -> None:
        self._query = query

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = read_params(req, self._query.max_body)
        if "Action" in params:
            self._query.answer(req, resp, params)
            return
        resp.status = falcon.HTTP_300
        resp.media = {
            "versions": [
                {
                    "id": API_VERSION,
                    "status": "CURRENT",
                    "links": [{"rel": "self", "href": f"{req.prefix}{API_PATH}/"}],
                }
            ]
        }

    on_post = on_get


def create_app(
    conf: cfg.ConfigOpts, engine_client: EngineClient, auth: Authenticator | None = None
) -> falcon.App:
    """The heat-api-cfn WSGI app, asking ``engine_client``; ``auth`` overrides the flavor's."""
    query = QueryResource(engine_client, auth or select_auth(conf), conf.max_template_size)
    app = falcon.App(middleware=[RequestIdMiddleware()])
    # boto3 with endpoint_url ".../v1" posts to "/v1"; upstream only answered "/v1/".
    app.req_options.strip_url_path_trailing_slash = True
    app.add_route("/", RootResource(query))
    app.add_route(API_PATH, query)
    errors.register(app)
    return app
