"""Deferred authentication: how the engine acts for a stack's owner after the request.

With ``deferred_auth_method = trusts`` (the default) the user's token creates a Keystone
trust from the user to Heat's service user (``[trustee]``, else the credentials of
``[keystone_authtoken]``), delegating ``trusts_delegated_roles`` (all the token's roles
when empty) with impersonation; its id is stored encrypted in ``user_creds``. With
``password`` the user's name and password (X-Auth-User / X-Auth-Key) are stored instead.

Unlike upstream, credentials are obtained only for a stack whose resources need them
(a plugin class with ``needs_deferred_auth``): a token Keystone will not create a trust
from (one issued for EC2 credentials, the CloudFormation API's) still creates ordinary
stacks, and a stack that does need a trust is refused before anything is stored.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin as ks_plugin
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic
from oslo_config import cfg
from sqlalchemy.orm import Session, sessionmaker

from common import exception, template_format
from common.context import RequestContext
from common.db import user_creds
from heat_engine.resources import registry
from heat_engine.stack import load_template
from heat_engine.template.environment import Environment, is_provider_template
from heat_engine.validation import CheckedStack

LOG = logging.getLogger(__name__)

TRUSTS, PASSWORD = "trusts", "password"
TRUSTEE_GROUP = "trustee"
AUTHTOKEN_GROUP = "keystone_authtoken"
DEFAULT_DOMAIN = "default"
MAX_NESTED_SIZE = 524288  # provider templates were checked against max_template_size
MAX_NESTED_DEPTH = 5
KEYSTONE_TIMEOUT = 30
EC2_HINT = (
    "tokens issued for EC2 credentials (the CloudFormation API) cannot create trusts; "
    "use the native API with a Keystone token for this stack"
)


@dataclasses.dataclass(frozen=True)
class Grant:
    """What a request gave for deferred work, not yet stored."""

    trust_id: str | None = None
    trustor_user_id: str | None = None
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True)
class Identity:
    """A keystoneauth session acting for a stack's owner, and Keystone's v3 URL."""

    session: ks_session.Session
    url: str

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call Keystone's v3 API; the JSON answer (None when empty)."""
        kwargs.setdefault("raise_exc", True)
        resp = self.session.request(f"{self.url}{path}", method, **kwargs)
        return resp.json() if resp.content else None


def needing_resources(checked: CheckedStack) -> list[str]:
    """Names of the stack's resources (in provider templates too) whose plugins act on
    the cloud on the owner's behalf after the request."""
    env = Environment.from_stored(checked.environment)
    files = dict(checked.template.files or {})
    return [
        name
        for name, definition in checked.template.resources.items()
        if _needs(env.registry.resolve_type(definition.type, name, registry.is_known), files, 0)
    ]


def _needs(type_name: str, files: dict[str, Any], depth: int) -> bool:
    if is_provider_template(type_name):
        text = files.get(type_name)
        if text is None or depth > MAX_NESTED_DEPTH:
            return False
        try:
            nested = load_template(template_format.parse_template(text, MAX_NESTED_SIZE), files)
        except exception.HeatException:
            return False
        return any(_needs(d.type, files, depth + 1) for d in nested.resources.values())
    cls = registry.RESOURCE_TYPES.get(type_name)
    return bool(getattr(cls, "needs_deferred_auth", False))


def keystone_url(conf: cfg.ConfigOpts) -> str | None:
    """Keystone's v3 URL: ``[clients_keystone] auth_uri``, else ``[keystone_authtoken]
    www_authenticate_uri`` (upstream's order)."""
    uri = conf.clients_keystone.auth_uri
    if uri:
        uri = uri.rstrip("/")
        return uri if uri.endswith("/v3") else f"{uri}/v3"
    _register_authtoken(conf)
    uri = conf.keystone_authtoken.www_authenticate_uri
    return uri.replace("v2.0", "v3").rstrip("/") if uri else None


def _register_authtoken(conf: cfg.ConfigOpts) -> None:
    from keystonemiddleware.auth_token import _opts

    for group, opts in _opts.list_opts():
        conf.register_opts(opts, group=group)


def trustee_auth(conf: cfg.ConfigOpts, trust_id: str | None = None) -> ks_plugin.BaseAuthPlugin:
    """Heat's service user, scoped to ``trust_id`` when given: ``[trustee]`` as upstream,
    else the password credentials of ``[keystone_authtoken]`` (ours: one place to set)."""
    if conf.trustee.auth_type:
        plugin = ks_loading.load_auth_from_conf_options(conf, TRUSTEE_GROUP, trust_id=trust_id)
        if plugin is not None:
            return plugin
    _register_authtoken(conf)
    ks_loading.load_auth_from_conf_options(conf, AUTHTOKEN_GROUP)  # registers its options
    section = conf.keystone_authtoken
    if not getattr(section, "username", None):
        raise exception.AuthorizationFailure(
            "Deferred auth needs Heat's service user: set [trustee] (auth_type = password, "
            "auth_url, username, password, user_domain_name) in heat.conf."
        )
    return generic.Password(
        auth_url=section.auth_url,
        username=section.username,
        password=section.password,
        user_domain_id=getattr(section, "user_domain_id", None),
        user_domain_name=getattr(section, "user_domain_name", None) or "Default",
        trust_id=trust_id,
    )


class DeferredAuth:
    """Obtains, stores, uses and releases stacks' deferred-auth credentials."""

    def __init__(self, conf: cfg.ConfigOpts, factory: sessionmaker[Session]) -> None:
        self.conf = conf
        self.factory = factory
        self._http = ks_session.Session(timeout=KEYSTONE_TIMEOUT)

    @property
    def key(self) -> str:
        return str(self.conf.auth_encryption_key)

    def _url(self, ctx: RequestContext | None = None) -> str:
        url = (ctx.auth_url if ctx is not None else None) or keystone_url(self.conf)
        if not url:
            raise exception.AuthorizationFailure(
                "Keystone API endpoint not provided. Set auth_uri in section "
                "[clients_keystone] of the configuration file."
            )
        return url.replace("v2.0", "v3").rstrip("/")

    # At create -----------------------------------------------------------------
    def obtain(self, ctx: RequestContext, stack_name: str, needing: list[str]) -> Grant:
        """The credentials the request gives for ``needing`` resources' deferred work;
        refused (nothing stored yet) when it gives none."""
        if self.conf.deferred_auth_method == PASSWORD:
            if not ctx.username:
                raise exception.MissingCredentialError(required="X-Auth-User")
            if not ctx.password:
                raise exception.MissingCredentialError(required="X-Auth-Key")
            return Grant(trustor_user_id=ctx.user_id, username=ctx.username, password=ctx.password)
        return Grant(
            trust_id=self._create_trust(ctx, stack_name, needing), trustor_user_id=ctx.user_id
        )

    def _create_trust(self, ctx: RequestContext, stack_name: str, needing: list[str]) -> str:
        def refused(reason: str) -> exception.DeferredAuthFailed:
            return exception.DeferredAuthFailed(
                stack_name=stack_name, resources=", ".join(needing), reason=reason
            )

        if not ctx.auth_token or not ctx.user_id:
            raise refused("the request carries no Keystone token to create it from")
        try:
            trustee_id = trustee_auth(self.conf).get_user_id(self._http)
        except ks_exceptions.ClientException as ex:
            LOG.error("Heat's trustee user could not authenticate: %s", ex)
            raise exception.AuthorizationFailure(
                "Heat's service user (the trustee) could not authenticate with Keystone."
            ) from ex
        roles = list(self.conf.trusts_delegated_roles) or list(ctx.roles)
        body = {
            "trust": {
                "trustor_user_id": ctx.user_id,
                "trustee_user_id": trustee_id,
                "project_id": ctx.tenant_id,
                "impersonation": True,
                "allow_redelegation": False,
                "roles": [{"name": r} for r in roles],
            }
        }
        try:
            resp = self._http.post(
                f"{self._url(ctx)}/OS-TRUST/trusts",
                json=body,
                headers={"X-Auth-Token": ctx.auth_token},
                authenticated=False,
            )
        except ks_exceptions.NotFound as ex:
            raise exception.MissingCredentialError(required=f"roles {roles}") from ex
        except (ks_exceptions.Unauthorized, ks_exceptions.Forbidden) as ex:
            LOG.info("Keystone refused a trust for stack %s: %s", stack_name, ex)
            raise refused(f"Keystone refused to create one ({ex.http_status}): {EC2_HINT}") from ex
        except ks_exceptions.ClientException as ex:
            raise exception.ServiceUnavailable(
                reason=f"Keystone could not create a trust for stack {stack_name}: {ex}"
            ) from ex
        return str(resp.json()["trust"]["id"])

    def store(self, session: Session, ctx: RequestContext, grant: Grant) -> int:
        """The user_creds row for ``grant``, in the caller's transaction."""
        args = (ctx.tenant_id, ctx.project_name, self._url(ctx), ctx.region_name)
        if grant.trust_id is not None:
            return user_creds.store_trust(
                session, self.key, grant.trust_id, grant.trustor_user_id or "", *args
            )
        return user_creds.store_password(
            session, self.key, grant.username or "", grant.password or "", *args
        )

    def abandon(self, ctx: RequestContext, grant: Grant) -> None:
        """Undo ``grant`` when its stack could not be stored (the trust is deleted)."""
        if grant.trust_id is None:
            return
        try:
            self._http.delete(
                f"{self._url(ctx)}/OS-TRUST/trusts/{grant.trust_id}",
                headers={"X-Auth-Token": ctx.auth_token or ""},
                authenticated=False,
            )
        except ks_exceptions.ClientException as ex:
            LOG.warning("Could not delete trust %s of an unstored stack: %s", grant.trust_id, ex)

    # Later ---------------------------------------------------------------------
    def _auth(self, creds: user_creds.Credentials) -> ks_plugin.BaseAuthPlugin:
        if creds.trust_id:
            return trustee_auth(self.conf, creds.trust_id)
        return generic.Password(
            auth_url=creds.auth_url or self._url(),
            user_id=creds.trustor_user_id or None,
            username=None if creds.trustor_user_id else creds.username,
            user_domain_id=None if creds.trustor_user_id else DEFAULT_DOMAIN,
            password=creds.password,
            project_id=creds.tenant_id,
        )

    def identity_of(self, creds: user_creds.Credentials) -> Identity:
        """A session acting for the owner of ``creds``: trust-scoped (impersonating the
        trustor) or the stored user's own."""
        session = ks_session.Session(auth=self._auth(creds), timeout=KEYSTONE_TIMEOUT)
        try:
            access = session.auth.get_access(session)  # type: ignore[union-attr]
        except ks_exceptions.ClientException as ex:
            raise exception.AuthorizationFailure(
                f"Keystone refused the stack owner's stored credentials: {ex}"
            ) from ex
        if creds.trust_id and (not access.trust_scoped or access.user_id != creds.trustor_user_id):
            raise exception.AuthorizationFailure("The trust did not impersonate the stack owner.")
        return Identity(session, creds.auth_url or self._url())

    def for_stack(self, stack_id: str) -> Identity:
        """A session acting for the owner of ``stack_id`` (a nested stack: of its root)."""
        with self.factory() as session:
            creds_id = user_creds.of_stack(session, stack_id)
            creds = user_creds.load(session, creds_id, self.key) if creds_id else None
        if creds is None:
            raise exception.AuthorizationFailure(
                f"Stack {stack_id} has no stored credentials for deferred auth."
            )
        return self.identity_of(creds)

    def release(self, creds_ids: Iterable[int]) -> None:
        """Delete the trusts of deleted stacks, then their user_creds rows (as upstream, a
        trust that cannot be deleted is logged and does not fail the delete)."""
        for creds_id in creds_ids:
            with self.factory() as session:
                creds = user_creds.load(session, creds_id, self.key)
            if creds is not None and creds.trust_id:
                self._delete_trust(creds)
            with self.factory.begin() as session:
                user_creds.delete(session, creds_id)

    def _delete_trust(self, creds: user_creds.Credentials) -> None:
        try:
            identity = self.identity_of(creds)
            identity.request("DELETE", f"/OS-TRUST/trusts/{creds.trust_id}")
        except (exception.AuthorizationFailure, ks_exceptions.ClientException) as ex:
            if not isinstance(ex, ks_exceptions.NotFound):
                LOG.warning("Could not delete trust %s: %s", creds.trust_id, ex)


_INSTALLED: DeferredAuth | None = None


def install(auth: DeferredAuth) -> None:
    """Make ``auth`` the engine's, for plugins (``PluginRuntime.identity``) and for the
    credentials released when stacks are deleted."""
    global _INSTALLED
    _INSTALLED = auth
    user_creds.on_release(auth.factory, auth.release)


def installed() -> DeferredAuth:
    if _INSTALLED is None:
        raise exception.AuthorizationFailure("Deferred auth is not configured in this process.")
    return _INSTALLED
