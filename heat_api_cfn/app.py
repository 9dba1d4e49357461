"""The heat-api-cfn falcon app: the CloudFormation query API, its authentication and errors.

The query API answers ``GET``/``POST`` on ``/v1``, ``/v1/`` and ``/``: ``Action`` and its
parameters come from the query string or a form-encoded body. ``/`` without an
``Action`` is the version document, as upstream. Each request is authenticated (EC2
signature, or noauth's headers), then its Action's ``cloudformation:<Action>`` rule is
checked (``policy.py``), then the Action runs. Pre-signed signal URLs of wait condition
handles are served beside it (``signal.py``).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

import falcon
from oslo_config import cfg

from common.context import new_request_id
from common.rpc.client import EngineClient
from heat_api.context import policy_creds, roles_of, with_implied
from heat_api_cfn import actions, errors, signal, xml
from heat_api_cfn.ec2token import EC2TokenAuth
from heat_api_cfn.policy import ActionPolicy, Identity

LOG = logging.getLogger(__name__)

API_PATH = "/v1"
API_VERSION = "v1.0"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
REQUEST_ID_HEADER = "x-openstack-request-id"
NOAUTH_FLAVOR = "noauth"
DEFAULT_FLAVOR = "default"
SIGNATURE_FLAVORS = (DEFAULT_FLAVOR, "standalone")
NOAUTH_USER_HEADER = "X-Auth-User"
NOAUTH_PROJECT_HEADER = "X-Auth-Project"
NOAUTH_ROLES_HEADER = "X-Roles"
NOAUTH_DEFAULT_NAME = "admin"
NOAUTH_DEFAULT_ROLE = "admin"
# Percent-encoding can triple a template; the rest of the form is small.
BODY_SIZE_FACTOR = 3
BODY_SIZE_SLACK = 64 * 1024

Authenticator = Callable[[falcon.Request, Mapping[str, str], bytes], Identity]


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def noauth(req: falcon.Request, params: Mapping[str, str], body: bytes) -> Identity:
    """Trust X-Auth-User/X-Auth-Project/X-Roles (upstream's noauth flavor); development only.

    Without user or project header the caller is user and project ``admin``, but only
    from a loopback address, so a noauth server reachable from elsewhere is not open to
    all. The roles are X-Roles (default ``admin``) with the roles they imply.
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
    roles = roles_of(req.get_header(NOAUTH_ROLES_HEADER) or NOAUTH_DEFAULT_ROLE)
    return Identity(
        creds=policy_creds(
            user_id=user,
            user_name=user,
            project_id=project,
            project_name=project,
            roles=with_implied(roles),
        )
    )


def select_auth(conf: cfg.ConfigOpts) -> Authenticator:
    """The authenticator ``[paste_deploy] flavor`` asks for, as upstream's api-cfn pipelines.

    ``noauth`` trusts headers; ``default`` (or unset) and ``standalone`` both verify EC2
    signatures with Keystone (``ec2token.py``).
    """
    flavor = conf.paste_deploy.flavor or DEFAULT_FLAVOR
    if flavor == NOAUTH_FLAVOR:
        return noauth
    if flavor in SIGNATURE_FLAVORS:
        return EC2TokenAuth(conf)
    raise ValueError(
        f"[paste_deploy] flavor: unknown flavor {flavor!r}; use default, standalone or noauth"
    )


def read_params(req: falcon.Request, max_body: int) -> tuple[dict[str, str], bytes]:
    """The query string's and a form body's parameters, and the raw body (for signatures).

    The first of a repeated name wins.
    """
    pairs = parse_qsl(req.query_string, keep_blank_values=True)
    if (req.content_length or 0) > max_body:
        raise errors.AWSError(errors.REQUEST_LIMIT_EXCEEDED)
    body = req.bounded_stream.read(max_body + 1)
    if len(body) > max_body:
        raise errors.AWSError(errors.REQUEST_LIMIT_EXCEEDED)
    media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
    if media_type == FORM_CONTENT_TYPE:
        pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params, body


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
        self,
        engine: EngineClient,
        authenticate: Authenticator,
        policy: ActionPolicy,
        limits: actions.TemplateLimits,
    ) -> None:
        self._engine = engine
        self._authenticate = authenticate
        self._policy = policy
        self._limits = limits
        self.max_body = BODY_SIZE_FACTOR * limits.max_size + BODY_SIZE_SLACK

    def answer(
        self, req: falcon.Request, resp: falcon.Response, params: dict[str, str], body: bytes
    ) -> None:
        """Authenticate, then check the Action's rule, then run it."""
        identity = self._authenticate(req, params, body)
        action = params.get("Action")
        handler = actions.handler_for(action)
        context = self._policy.context_for(identity, req.context.request_id)
        self._policy.enforce(str(action), context, identity)
        call = actions.ActionCall(context, params, self._engine, self._limits)
        result = handler(call)
        resp.content_type = xml.CONTENT_TYPE
        resp.text = xml.render_result(str(action), result, req.context.request_id)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.answer(req, resp, *read_params(req, self.max_body))

    on_post = on_get


class RootResource:
    """``/``: the query API when an Action is given, else the version document (300)."""

    def __init__(self, query: QueryResource) -> None:
        self._query = query

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params, body = read_params(req, self._query.max_body)
        if "Action" in params:
            self._query.answer(req, resp, params, body)
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
    limits = actions.TemplateLimits(conf.max_template_size, conf.template_fetch_timeout)
    authenticate = auth or select_auth(conf)
    policy = ActionPolicy(conf)
    query = QueryResource(engine_client, authenticate, policy, limits)
    app = falcon.App(middleware=[RequestIdMiddleware()])
    # boto3 with endpoint_url ".../v1" posts to "/v1"; upstream only answered "/v1/".
    app.req_options.strip_url_path_trailing_slash = True
    app.add_route("/", RootResource(query))
    app.add_route(API_PATH, query)
    is_noauth = (conf.paste_deploy.flavor or DEFAULT_FLAVOR) == NOAUTH_FLAVOR
    signal.add_routes(app, engine_client, authenticate, policy, is_noauth)
    errors.register(app)
    return app
