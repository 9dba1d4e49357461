"""Stack domain users: per-stack Keystone users (and EC2 keypairs) for in-instance signals.

As upstream (heat_keystoneclient's stack-domain methods), Heat keeps such users out of
the stack owner's project: they live in ``stack_user_domain_id`` (or ``_name``), in a
project made for the stack (``<tenant>-<stack id>``, as upstream names it), hold only
``heat_stack_user_role`` there, and are managed by ``stack_domain_admin`` with a
domain-scoped token. A user's keypair and the user go with the resource that made them;
the stack's project goes with its last user.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import uuid
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic
from oslo_config import cfg

from common import exception
from common.db import models
from heat_engine import deferred_auth

PROJECT_NAME_LENGTH = 64
USER_NAME_LENGTH = 255
SECRET_BYTES = 24
# An automated user: the security-compliance rules meant for people do not apply.
USER_OPTIONS = {
    "ignore_change_password_upon_first_use": True,
    "ignore_password_expiry": True,
    "ignore_lockout_failure_attempts": True,
}


@dataclasses.dataclass(frozen=True)
class AccessKey:
    """An EC2 keypair stored as a Keystone credential."""

    id: str
    access: str
    secret: str = dataclasses.field(repr=False)


def is_configured(conf: cfg.ConfigOpts) -> bool:
    return bool(conf.stack_user_domain_id or conf.stack_user_domain_name)


class StackUsers:
    """The stack domain's users of one stack, managed as ``stack_domain_admin``."""

    def __init__(self, conf: cfg.ConfigOpts, tenant_id: str, stack_id: str) -> None:
        if not is_configured(conf) or not conf.stack_domain_admin:
            raise exception.AuthorizationFailure(
                "Stack domain users need stack_user_domain_id (or stack_user_domain_name), "
                "stack_domain_admin and stack_domain_admin_password in heat.conf."
            )
        self.conf = conf
        self.tenant_id = tenant_id
        self.stack_id = stack_id
        url = deferred_auth.keystone_url(conf)
        if not url:
            raise exception.AuthorizationFailure("Keystone API endpoint not provided.")
        auth = generic.Password(
            auth_url=url,
            username=conf.stack_domain_admin,
            password=conf.stack_domain_admin_password,
            user_domain_id=conf.stack_user_domain_id,
            user_domain_name=None if conf.stack_user_domain_id else conf.stack_user_domain_name,
            domain_id=conf.stack_user_domain_id,
            domain_name=None if conf.stack_user_domain_id else conf.stack_user_domain_name,
        )
        self.admin = deferred_auth.Identity(
            ks_session.Session(auth=auth, timeout=deferred_auth.KEYSTONE_TIMEOUT), url
        )

    @classmethod
    def for_stack(cls, stack_id: str) -> StackUsers:
        """The helper for stack ``stack_id``, configured as this engine is."""
        auth = deferred_auth.installed()
        with auth.factory() as session:
            stack = session.get(models.Stack, stack_id)
            tenant = stack.tenant if stack is not None else ""
        return cls(auth.conf, tenant, stack_id)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return self.admin.request(method, path, **kwargs)
        except ks_exceptions.Unauthorized as ex:
            raise exception.AuthorizationFailure(
                "The stack domain admin could not authenticate with Keystone."
            ) from ex

    @property
    def domain_id(self) -> str:
        """The stack domain's id (from the domain admin's token when configured by name)."""
        if self.conf.stack_user_domain_id:
            return str(self.conf.stack_user_domain_id)
        access = self.admin.session.auth.get_access(self.admin.session)  # type: ignore[union-attr]
        return str(access.domain_id)

    @property
    def project_name(self) -> str:
        return f"{self.tenant_id}-{self.stack_id}"[:PROJECT_NAME_LENGTH]

    def project_id(self, create: bool = True) -> str | None:
        """The stack's project in the domain, made on first use."""
        found = self._call(
            "GET", "/projects", params={"name": self.project_name, "domain_id": self.domain_id}
        )["projects"]
        if found or not create:
            return str(found[0]["id"]) if found else None
        body = {
            "project": {
                "name": self.project_name,
                "domain_id": self.domain_id,
                "description": "Heat stack user project",
            }
        }
        return str(self._call("POST", "/projects", json=body)["project"]["id"])

    def _role_id(self) -> str:
        role = self.conf.heat_stack_user_role
        found = self._call("GET", "/roles", params={"name": role})["roles"]
        if len(found) != 1:
            raise exception.NotFound(message=f"Can't find role {role}")
        return str(found[0]["id"])

    def create_user(self, username: str, password: str | None = None) -> str:
        """A user of the stack's project holding heat_stack_user_role; its id."""
        project = self.project_id()
        role = self._role_id()
        body = {
            "user": {
                "name": username[-USER_NAME_LENGTH:],
                "password": password or secrets.token_urlsafe(SECRET_BYTES),
                "domain_id": self.domain_id,
                "default_project_id": project,
                "options": USER_OPTIONS,
            }
        }
        user_id = str(self._call("POST", "/users", json=body)["user"]["id"])
        self._call("PUT", f"/projects/{project}/users/{user_id}/roles/{role}")
        return user_id

    def create_keypair(self, user_id: str) -> AccessKey:
        """An EC2 keypair of the user, for signed requests from an instance."""
        blob = {"access": uuid.uuid4().hex, "secret": secrets.token_urlsafe(SECRET_BYTES)}
        body = {
            "credential": {
                "user_id": user_id,
                "type": "ec2",
                "blob": json.dumps(blob),
                "project_id": self.project_id(),
            }
        }
        created = self._call("POST", "/credentials", json=body)["credential"]
        return AccessKey(str(created["id"]), blob["access"], blob["secret"])

    def delete_keypair(self, credential_id: str) -> None:
        self._ignore_missing("DELETE", f"/credentials/{credential_id}")

    def delete_user(self, user_id: str) -> None:
        """Remove the user (its keypairs go with it), and the stack's project once no user
        of it is left."""
        user = self._ignore_missing("GET", f"/users/{user_id}")
        if user is not None and user["user"].get("domain_id") != self.domain_id:
            raise exception.Invalid(reason=f"User {user_id} is not in the stack domain")
        self._ignore_missing("DELETE", f"/users/{user_id}")
        project = self.project_id(create=False)
        if project is None:
            return
        left = self._call("GET", "/users", params={"domain_id": self.domain_id})["users"]
        if not any(u.get("default_project_id") == project for u in left):
            self._ignore_missing("DELETE", f"/projects/{project}")

    def _ignore_missing(self, method: str, path: str) -> Any:
        try:
            return self._call(method, path)
        except ks_exceptions.NotFound:
            return None
