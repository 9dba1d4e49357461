"""OS::Keystone::Service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import KeystoneResource, name_or_physical, support


class KeystoneService(KeystoneResource):
    """Heat Template Resource for Keystone Service.

    A resource that allows to create new service and manage it by Keystone.
    """

    type_name = "OS::Keystone::Service"
    support_status = support("5.0.0")
    collection = "services"
    properties_schema = {
        "name": s.Schema(s.STRING, "Name of keystone service.", update_allowed=True),
        "description": s.Schema(s.STRING, "Description of keystone service.", update_allowed=True),
        "type": s.Schema(s.STRING, "Type of keystone Service.", required=True, update_allowed=True),
        "enabled": s.Schema(
            s.BOOLEAN,
            "This service is enabled or disabled.",
            default=True,
            update_allowed=True,
            support_status=s.SupportStatus(version="6.0.0"),
        ),
    }

    def handle_create(self) -> None:
        props = self.properties
        body: dict[str, Any] = {
            "name": name_or_physical(self, props.get("name")),
            "type": props["type"],
            "enabled": props.get("enabled", True),
        }
        if props.get("description") is not None:
            body["description"] = props["description"]
        self.create_entity(body)

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        changes = {k: prop_diff[k] for k in ("description", "type", "enabled") if k in prop_diff}
        if "name" in prop_diff:
            changes["name"] = name_or_physical(self, prop_diff["name"])
        self.update_entity(changes)
        self.properties = dict(new_properties)


RESOURCE_TYPES = {KeystoneService.type_name: KeystoneService}
