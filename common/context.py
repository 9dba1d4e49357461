"""The request context: who asks, for which project, and the request's id."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any


def new_request_id() -> str:
    """A request id in the form OpenStack services log and return."""
    return f"req-{uuid.uuid4()}"


@dataclasses.dataclass(frozen=True)
class RequestContext:
    """Identity of a caller, carried from the API to the engine in RPC headers."""

    tenant_id: str
    user_id: str | None = None
    username: str | None = None
    project_name: str | None = None
    roles: tuple[str, ...] = ()
    auth_token: str | None = None
    is_admin: bool = False
    request_id: str = dataclasses.field(default_factory=new_request_id)
    user_domain_id: str | None = None
    project_domain_id: str | None = None
    trust_id: str | None = None
    # for deferred auth: the password a client sent (X-Auth-Key, needed when
    # deferred_auth_method = password), the Keystone it named (X-Auth-Url) and its region
    password: str | None = dataclasses.field(default=None, repr=False)
    auth_url: str | None = None
    region_name: str | None = None

    @property
    def project_id(self) -> str:
        return self.tenant_id

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["roles"] = list(self.roles)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestContext:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["roles"] = tuple(values.get("roles") or ())
        return cls(**values)

    @classmethod
    def admin(cls, tenant_id: str = "") -> RequestContext:
        """A context for the engine's own background work."""
        return cls(tenant_id=tenant_id, is_admin=True, roles=("admin",))
