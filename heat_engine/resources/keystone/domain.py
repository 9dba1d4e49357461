"""OS::Keystone::Domain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions

from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import KeystoneResource, name_or_physical, support


class KeystoneDomain(KeystoneResource):
    """Heat Template Resource for Keystone Domain.

    This plug-in helps to create, update and delete a keystone domain. Also it can be used
    for enable or disable a given keystone domain.
    """

    type_name = "OS::Keystone::Domain"
    support_status = support("8.0.0")
    collection = "domains"
    properties_schema = {
        "name": s.Schema(s.STRING, "The name of the domain.", update_allowed=True),
        "description": s.Schema(s.STRING, "Description of keystone domain.", update_allowed=True),
        "enabled": s.Schema(
            s.BOOLEAN, "This domain is enabled or disabled.", default=True, update_allowed=True
        ),
    }

    def handle_create(self) -> None:
        props = self.properties
        body: dict[str, Any] = {
            "name": name_or_physical(self, props.get("name")),
            "enabled": props.get("enabled", True),
        }
        if props.get("description") is not None:
            body["description"] = props["description"]
        self.create_entity(body)

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        changes = {k: prop_diff[k] for k in ("description", "enabled") if k in prop_diff}
        if "name" in prop_diff:
            changes["name"] = name_or_physical(self, prop_diff["name"])
        self.update_entity(changes)
        self.properties = dict(new_properties)

    def handle_delete(self) -> None:
        """Keystone deletes only a disabled domain: disable it first."""
        if self.resource_id is None:
            return
        try:
            self.update_entity({"enabled": False})
        except ks_exceptions.NotFound:
            return
        super().handle_delete()


RESOURCE_TYPES = {KeystoneDomain.type_name: KeystoneDomain}
