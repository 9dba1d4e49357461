"""What every OS::Keystone::* plugin shares: Keystone for the stack's owner, and lookups.

The plugins call Keystone's v3 REST API with the session ``PluginRuntime.identity`` lends
them: trust-scoped (impersonating the stack's owner) or the owner's stored password, so
they work long after the request's token has expired.
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar
from urllib.parse import quote

from keystoneauth1 import exceptions as ks_exceptions

from common import exception
from heat_engine.resources.base import Resource
from heat_engine.resources.schema import SupportStatus

KEYSTONE_V3 = "Supported versions: keystone v3"
# The kinds of identity object, as upstream's keystone client plugin names them in errors.
ENTITIES = {
    "domains": ("domain", "KeystoneDomain"),
    "projects": ("project", "KeystoneProject"),
    "roles": ("role", "KeystoneRole"),
    "users": ("user", "KeystoneUser"),
    "groups": ("group", "KeystoneGroup"),
    "services": ("service", "KeystoneService"),
    "regions": ("region", "KeystoneRegion"),
    "endpoints": ("endpoint", "KeystoneEndpoint"),
}


def support(version: str) -> SupportStatus:
    return SupportStatus(version=version, message=KEYSTONE_V3)


class KeystoneResource(Resource):
    """A Keystone object: created, updated and deleted in Keystone as the stack's owner."""

    external = True
    # acts on Keystone for the owner during later steps: the stack needs deferred auth
    needs_deferred_auth: ClassVar[bool] = True
    collection: ClassVar[str] = ""  # the v3 collection: "projects", "users", ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._identity: Any = None

    @property
    def keystone(self) -> Any:
        """Keystone acting for the stack's owner (a ``deferred_auth.Identity``)."""
        if self._identity is None:
            self._identity = self.runtime.identity()
        return self._identity

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.keystone.request(method, path, **kwargs)

    def entity_path(self, resource_id: str | None = None) -> str:
        return f"/{self.collection}/{quote(resource_id or self.resource_id or '', safe='')}"

    def create_entity(self, body: dict[str, Any]) -> str:
        """POST a new object of this collection; records and returns its id."""
        key = ENTITIES[self.collection][0]
        created = self.call("POST", f"/{self.collection}", json={key: body})[key]
        self.resource_id_set(str(created["id"]))
        return str(created["id"])

    def update_entity(self, changes: dict[str, Any]) -> None:
        """PATCH the object with ``changes`` (nothing is sent when there are none)."""
        if changes and self.resource_id is not None:
            key = ENTITIES[self.collection][0]
            self.call("PATCH", self.entity_path(), json={key: changes})

    def find_id(self, collection: str, value: str) -> str:
        """The id of the object named or identified by ``value``, as upstream resolves
        names and ids."""
        key, entity = ENTITIES[collection]
        try:
            return str(self.call("GET", f"/{collection}/{quote(value, safe='')}")[key]["id"])
        except ks_exceptions.NotFound:
            pass
        found = self.call("GET", f"/{collection}", params={"name": value})[collection]
        if len(found) != 1:
            raise exception.EntityNotFound(entity=entity, name=value)
        return str(found[0]["id"])

    def handle_delete(self) -> None:
        if self.resource_id is None:
            return
        with contextlib.suppress(ks_exceptions.NotFound):  # already gone is deleted
            self.call("DELETE", self.entity_path())

    def live(self) -> dict[str, Any]:
        """The object as Keystone shows it now; empty when it does not exist."""
        if self.resource_id is None:
            return {}
        try:
            return dict(self.call("GET", self.entity_path())[ENTITIES[self.collection][0]])
        except (ks_exceptions.ClientException, exception.HeatException):
            return {}

    def resolve_attribute(self, name: str) -> Any:
        return self.live().get(name)


def name_or_physical(resource: Resource, name: str | None) -> str:
    """A property's name, else the resource's physical name (upstream's default)."""
    return name or resource.physical_resource_name()
