"""EC2 signature authentication: Keystone's ``/v3/ec2tokens`` turns a signed request into a token.

As upstream's ec2token middleware, heat-api-cfn posts the request's signature and canonical
parts (``signature.py``) to Keystone, which checks them against the EC2 credential's
secret and answers with a token scoped to the credential's project: its user, project and
roles are the caller's. Keystone 30 lets only services and admins call ``/v3/ec2tokens``,
so the call is authenticated as Heat's service user.

Where to ask, from ``[ec2authtoken]`` (upstream's options and sections):

- one cloud (``multi_cloud = false``): keystoneauth's auth, session and adapter options
  of ``[ec2authtoken]``; the Keystone URL is ``endpoint_override``, else the deprecated
  ``auth_uri``, else the catalog's identity endpoint, else ``[clients_keystone] auth_uri``
  or ``[keystone_authtoken] www_authenticate_uri``. Without an ``auth_type`` there, the
  call is authenticated with ``[keystone_authtoken]``'s service credentials (upstream
  would call unauthenticated, which Keystone 30 refuses);
- several clouds (``multi_cloud = true``): each name in ``clouds`` has a section
  ``[ec2authtoken.<name>]`` of the same options; or, the older way, each URL in
  ``allowed_auth_uris`` is asked without authentication. The first cloud that accepts the
  signature wins; otherwise the last refusal is the answer.

A URL ending in ``/v3`` (as catalogs list identity) is not doubled into ``/v3/v3``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

import falcon
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from oslo_config import cfg

from heat_api.context import policy_creds
from heat_api_cfn import errors, signature
from heat_api_cfn.policy import Identity

LOG = logging.getLogger(__name__)

GROUP = "ec2authtoken"
AUTHTOKEN_GROUP = "keystone_authtoken"
EC2TOKENS_PATH = "/v3/ec2tokens"
SUBJECT_TOKEN_HEADER = "X-Subject-Token"
# Keystone calls wait at most this long when [ec2authtoken] timeout is unset.
DEFAULT_TIMEOUT = 30.0
VERSION_SUFFIXES = ("/ec2tokens", "/v3", "/v2.0")

# Keystone's 401/404 messages and what a CFN client is told for each. Unless Keystone
# runs with insecure_debug, every 401 reads the same, and then a signature that does not
# match is by far the likeliest cause (timestamps are checked before Keystone is asked).
GENERIC_REFUSAL = errors.SIGNATURE_DOES_NOT_MATCH
KEYSTONE_REFUSALS: dict[str, errors.ErrorCode] = {
    "EC2 access key not found.": errors.INVALID_CLIENT_TOKEN_ID,
    "Invalid EC2 signature.": errors.SIGNATURE_DOES_NOT_MATCH,
    "EC2 signature not supplied.": errors.SIGNATURE_DOES_NOT_MATCH,
    "EC2 Signature not supplied": errors.SIGNATURE_DOES_NOT_MATCH,
    "Credential is expired": errors.REQUEST_EXPIRED,
}
TIMESTAMP_REFUSAL = "Credential timestamp is invalid"


def keystone_root(url: str) -> str:
    """Keystone's unversioned URL from one with ``/v3``, ``/v2.0`` or ``/v3/ec2tokens``."""
    url = url.rstrip("/")
    for suffix in VERSION_SUFFIXES:
        url = url.removesuffix(suffix).rstrip("/")
    return url


@dataclasses.dataclass(frozen=True)
class KeystoneTarget:
    """One Keystone that may verify signatures: its client and how to find its URL."""

    name: str
    adapter: ks_adapter.Adapter
    fallback_url: str | None = None

    def ec2tokens_url(self) -> str:
        """``<keystone>/v3/ec2tokens``: the adapter's endpoint, else the fallback URL."""
        url: str | None = None
        if self.adapter.endpoint_override or self.adapter.session.auth is not None:
            url = self.adapter.get_endpoint()
        url = url or self.fallback_url
        if not url:
            raise ks_exceptions.EndpointNotFound(
                f"no Keystone URL for {self.name}: set [{GROUP}] endpoint_override"
            )
        return keystone_root(url) + EC2TOKENS_PATH


def _register_cloud_group(conf: cfg.ConfigOpts, group: str) -> None:
    ks_loading.register_auth_conf_options(conf, group)
    ks_loading.register_session_conf_options(conf, group)
    ks_loading.register_adapter_conf_options(conf, group)
    conf.set_default("service_type", "identity", group=group)


def _session(conf: cfg.ConfigOpts, group: str, auth: Any) -> ks_session.Session:
    timeout = conf[group].timeout or DEFAULT_TIMEOUT
    return ks_loading.load_session_from_conf_options(conf, group, auth=auth, timeout=timeout)


def _service_auth(conf: cfg.ConfigOpts) -> Any:
    """``[ec2authtoken]``'s auth plugin, else ``[keystone_authtoken]``'s, else None."""
    if conf[GROUP].auth_type:
        return ks_loading.load_auth_from_conf_options(conf, GROUP)
    from keystonemiddleware.auth_token import _opts

    for group, opts in _opts.list_opts():
        conf.register_opts(opts, group=group)
    if conf[AUTHTOKEN_GROUP].auth_type:
        return ks_loading.load_auth_from_conf_options(conf, AUTHTOKEN_GROUP)
    return None


def _configured_url(conf: cfg.ConfigOpts) -> str | None:
    """The Keystone URL heat.conf names outside the adapter options, if any."""
    return (
        conf[GROUP].auth_uri
        or conf.clients_keystone.auth_uri
        or conf[AUTHTOKEN_GROUP].www_authenticate_uri
    )


def keystone_targets(conf: cfg.ConfigOpts) -> list[KeystoneTarget]:
    """The Keystones to ask, in order (see the module docstring)."""
    options = conf[GROUP]
    if not options.multi_cloud:
        auth = _service_auth(conf)
        if auth is None:
            LOG.warning(
                "[%s] and [%s] name no service credentials: /v3/ec2tokens is called "
                "unauthenticated, which Keystone refuses since its 2024 policy change",
                GROUP,
                AUTHTOKEN_GROUP,
            )
        adapter = ks_loading.load_adapter_from_conf_options(
            conf, GROUP, session=_session(conf, GROUP, auth)
        )
        return [KeystoneTarget(GROUP, adapter, _configured_url(conf))]
    targets = []
    for cloud in options.clouds:
        group = f"{GROUP}.{cloud}"
        _register_cloud_group(conf, group)
        auth = ks_loading.load_auth_from_conf_options(conf, group)
        adapter = ks_loading.load_adapter_from_conf_options(
            conf, group, session=_session(conf, group, auth)
        )
        targets.append(KeystoneTarget(cloud, adapter))
    if not targets:
        for url in options.allowed_auth_uris:
            adapter = ks_adapter.Adapter(
                session=_session(conf, GROUP, None), endpoint_override=keystone_root(url)
            )
            targets.append(KeystoneTarget(url, adapter))
    if not targets:
        LOG.error("[%s] multi_cloud is set but neither clouds nor allowed_auth_uris", GROUP)
    return targets


def _refusal(status: int, body: Any) -> errors.AWSError:
    """The AWS error for Keystone's refusal of a signature."""
    message = ""
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        message = str(body["error"].get("message") or "")
    if message.startswith(TIMESTAMP_REFUSAL):
        return errors.AWSError(errors.REQUEST_EXPIRED, message)
    error = KEYSTONE_REFUSALS.get(message)
    if error is not None:
        return errors.AWSError(error)
    LOG.info("Keystone refused the EC2 signature (%s): %s", status, message)
    if status == 401:
        return errors.AWSError(GENERIC_REFUSAL)
    return errors.AWSError(errors.ACCESS_DENIED, message or None)


def _unavailable(detail: str) -> errors.AWSError:
    return errors.AWSError(errors.SERVICE_UNAVAILABLE, detail)


def identity_from_token(token_id: str, body: Mapping[str, Any]) -> Identity:
    """The caller a ``/v3/ec2tokens`` answer names."""
    token = body["token"]
    user, project = token["user"], token["project"]
    return Identity(
        creds=policy_creds(
            user_id=user["id"],
            user_name=user.get("name"),
            project_id=project["id"],
            project_name=project.get("name"),
            roles=[role["name"] for role in token.get("roles") or []],
            user_domain_id=(user.get("domain") or {}).get("id"),
            project_domain_id=(project.get("domain") or {}).get("id"),
            is_admin_project=bool(token.get("is_admin_project", True)),
        ),
        auth_token=token_id,
    )


def verify(target: KeystoneTarget, credentials: signature.EC2Credentials) -> Identity:
    """Ask ``target`` for a token for the signed request; an AWSError when there is none."""
    try:
        url = target.ec2tokens_url()
        resp = target.adapter.post(url, json=credentials.keystone_body(), raise_exc=False)
    except ks_exceptions.ConnectionError as ex:
        LOG.error("Keystone %s could not be reached: %s", target.name, ex)
        raise _unavailable("The identity service could not be reached") from ex
    except ks_exceptions.ClientException as ex:
        # the service credentials or the catalog: heat.conf's fault, not the client's
        LOG.error("Keystone %s: heat-api-cfn could not call ec2tokens: %s", target.name, ex)
        raise _unavailable("heat-api-cfn could not authenticate to the identity service") from ex
    body = _json(resp)
    if resp.status_code == 200 and SUBJECT_TOKEN_HEADER in resp.headers:
        try:
            return identity_from_token(resp.headers[SUBJECT_TOKEN_HEADER], body)
        except (KeyError, TypeError) as ex:
            LOG.error("Keystone %s answered ec2tokens without a project token: %s", target.name, ex)
            raise errors.AWSError(
                errors.ACCESS_DENIED, "The credential is not scoped to a project"
            ) from ex
    if resp.status_code in (401, 404):
        raise _refusal(resp.status_code, body)
    if resp.status_code == 403:
        LOG.error(
            "Keystone %s refused heat-api-cfn's ec2tokens call (%s): the service user "
            "needs the admin or service role",
            target.name,
            resp.text[:200],
        )
        raise _unavailable("heat-api-cfn is not allowed to verify signatures with Keystone")
    LOG.error(
        "Keystone %s answered ec2tokens with %s: %s", target.name, resp.status_code, resp.text[:200]
    )
    raise _unavailable(f"The identity service answered {resp.status_code}")


def _json(resp: Any) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


class EC2TokenAuth:
    """The authenticator of the default and standalone flavors: EC2 signatures."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.targets = keystone_targets(conf)

    def __call__(self, req: falcon.Request, params: Mapping[str, str], body: bytes) -> Identity:
        credentials = signature.credentials_from(req.env, params, body)
        if not self.targets:
            raise _unavailable(f"[{GROUP}] names no Keystone to verify signatures with")
        failure: errors.AWSError | None = None
        for target in self.targets:
            try:
                identity = verify(target, credentials)
            except errors.AWSError as ex:
                failure = ex
                continue
            LOG.info("EC2 signature of %s verified by %s", credentials.access, target.name)
            return identity
        assert failure is not None
        raise failure
