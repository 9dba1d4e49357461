"""OS::Keystone::Endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import KeystoneResource, name_or_physical, support

INTERFACES = ("public", "internal", "admin")


class KeystoneEndpoint(KeystoneResource):
    """Heat Template Resource for Keystone Service Endpoint.

    Keystone endpoint is just the URL that can be used for accessing a service within
    OpenStack. Endpoint can be accessed by admin, by services or public, i.e. everyone can
    use this endpoint.
    """

    type_name = "OS::Keystone::Endpoint"
    support_status = support("5.0.0")
    collection = "endpoints"
    properties_schema = {
        "name": s.Schema(s.STRING, "Name of keystone endpoint.", update_allowed=True),
        "region": s.Schema(
            s.STRING,
            "Name or Id of keystone region.",
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.region"),),
        ),
        "service": s.Schema(
            s.STRING,
            "Name or Id of keystone service.",
            required=True,
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.service"),),
        ),
        "interface": s.Schema(
            s.STRING,
            "Interface type of keystone service endpoint.",
            required=True,
            update_allowed=True,
            constraints=(s.AllowedValues(INTERFACES),),
        ),
        "url": s.Schema(
            s.STRING, "URL of keystone service endpoint.", required=True, update_allowed=True
        ),
        "enabled": s.Schema(
            s.BOOLEAN,
            "This endpoint is enabled or disabled.",
            default=True,
            update_allowed=True,
            support_status=s.SupportStatus(version="6.0.0"),
        ),
    }

    def _refs(self, values: Mapping[str, Any]) -> dict[str, Any]:
        refs: dict[str, Any] = {}
        if values.get("service"):
            refs["service_id"] = self.find_id("services", values["service"])
        if values.get("region"):
            refs["region_id"] = self.find_id("regions", values["region"])
        return refs

    def handle_create(self) -> None:
        props = self.properties
        self.create_entity(
            {
                "name": name_or_physical(self, props.get("name")),
                "interface": props["interface"],
                "url": props["url"],
                "enabled": props.get("enabled", True),
                **self._refs(props),
            }
        )

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        changes = {k: prop_diff[k] for k in ("interface", "url", "enabled") if k in prop_diff}
        if "name" in prop_diff:
            changes["name"] = name_or_physical(self, prop_diff["name"])
        changes.update(self._refs(prop_diff))
        self.update_entity(changes)
        self.properties = dict(new_properties)


RESOURCE_TYPES = {KeystoneEndpoint.type_name: KeystoneEndpoint}
