"""The signal endpoints: where pre-signed wait condition and signal URLs point.

``PUT /v1/waitcondition/<resource ARN>`` records a wait condition handle's signal and
answers with the handle's signals; ``POST /v1/signal/<resource ARN>`` signals any
resource that takes signals. Both are upstream's routes, outside the query API: the
request carries its EC2 signature in the URL (signature version 2, pre-signed with the
keys of the handle's stack domain user), which Keystone checks as for any query action
(``ec2token.py``); the JSON body is the signal. A URL that does not verify, tampered
with or past its ``Expires``, is refused with 403, as upstream refuses it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import falcon

from common.rpc.client import EngineClient
from heat_api_cfn import errors
from heat_api_cfn.policy import ActionPolicy, Identity
from heat_api_cfn.stacks import identity_from_arn

WAITCONDITION_ROUTE = "/v1/waitcondition/{arn:path}"
SIGNAL_ROUTE = "/v1/signal/{arn:path}"
RESOURCE_PREFIX = "/resources/"
# a signal is small: cfn-signal sends a few fields
MAX_BODY = 1024 * 1024
EXPIRED = "the pre-signed URL has expired"


class SignalEndpoint:
    """One signal route: authenticate the URL, then hand the body to the engine."""

    def __init__(
        self, engine: EngineClient, authenticate: Any, policy: ActionPolicy, is_noauth: bool
    ) -> None:
        self._engine = engine
        self._authenticate = authenticate
        self._policy = policy
        self._is_noauth = is_noauth

    def _identity(self, req: falcon.Request, body: bytes, tenant: str) -> Identity:
        params = dict(parse_qsl(req.query_string, keep_blank_values=True))
        try:
            identity = self._authenticate(req, params, body)
        except errors.AWSError as ex:
            if ex.error is errors.REQUEST_EXPIRED:
                raise errors.AWSError(errors.ACCESS_DENIED, EXPIRED) from ex
            raise
        if self._is_noauth and req.get_header("X-Auth-Project") is None:
            # noauth trusts the caller: the URL's project is the caller's, as on the
            # native API
            identity = Identity({**identity.creds, "project_id": tenant}, identity.auth_token)
        return identity

    def signal(self, req: falcon.Request, arn: str, sync_call: bool) -> Any:
        """Authenticate, parse the signal and deliver it; the engine's answer."""
        stack = identity_from_arn(arn)
        path = (stack or {}).get("path", "")
        if stack is None or not path.startswith(RESOURCE_PREFIX):
            raise errors.AWSError(
                errors.INVALID_PARAMETER_VALUE, f"{arn} is not the ARN of a stack's resource"
            )
        body = req.bounded_stream.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            raise errors.AWSError(errors.REQUEST_LIMIT_EXCEEDED)
        identity = self._identity(req, body, stack["tenant"])
        context = self._policy.context_for(identity, req.context.request_id)
        try:
            details = json.loads(body) if body.strip() else None
        except ValueError as ex:
            raise errors.AWSError(
                errors.INVALID_PARAMETER_VALUE, f"The signal is not JSON: {ex}"
            ) from ex
        resource_name = path[len(RESOURCE_PREFIX) :]
        return resource_name, self._engine.resource_signal(
            context,
            {**stack, "path": ""},
            resource_name,
            details=details,
            sync_call=sync_call,
        )


class WaitCondition(SignalEndpoint):
    """``PUT /v1/waitcondition/<arn>``: a handle's signal; answers with its signals."""

    def on_put(self, req: falcon.Request, resp: falcon.Response, arn: str) -> None:
        name, metadata = self.signal(req, arn, sync_call=True)
        resp.media = {"resource": name, "metadata": metadata}


class Signal(SignalEndpoint):
    """``POST /v1/signal/<arn>``: a resource's signal."""

    def on_post(self, req: falcon.Request, resp: falcon.Response, arn: str) -> None:
        self.signal(req, arn, sync_call=False)
        resp.status = falcon.HTTP_200


def add_routes(
    app: falcon.App,
    engine: EngineClient,
    authenticate: Any,
    policy: ActionPolicy,
    is_noauth: bool,
) -> None:
    """Serve the signal routes on ``app``."""
    app.add_route(WAITCONDITION_ROUTE, WaitCondition(engine, authenticate, policy, is_noauth))
    app.add_route(SIGNAL_ROUTE, Signal(engine, authenticate, policy, is_noauth))
