"""OS::Keystone::Region."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import KeystoneResource, support


class KeystoneRegion(KeystoneResource):
    """Heat Template Resource for Keystone Region.

    This plug-in helps to create, update and delete a keystone region. Also it can be used
    for enable or disable a given keystone region.
    """

    type_name = "OS::Keystone::Region"
    support_status = support("6.0.0")
    collection = "regions"
    properties_schema = {
        "id": s.Schema(
            s.STRING,
            "The user-defined region ID and should unique to the OpenStack deployment. "
            "While creating the region, heat will url encode this ID.",
        ),
        "parent_region": s.Schema(
            s.STRING,
            "If the region is hierarchically a child of another region, set this parameter "
            "to the ID of the parent region.",
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.region"),),
        ),
        "description": s.Schema(s.STRING, "Description of keystone region.", update_allowed=True),
        "enabled": s.Schema(
            s.BOOLEAN, "This region is enabled or disabled.", default=True, update_allowed=True
        ),
    }

    def handle_create(self) -> None:
        props = self.properties
        body: dict[str, Any] = {"enabled": props.get("enabled", True)}
        if props.get("id"):
            body["id"] = quote(props["id"], safe="")
        if props.get("description") is not None:
            body["description"] = props["description"]
        if props.get("parent_region"):
            body["parent_region_id"] = self.find_id("regions", props["parent_region"])
        self.create_entity(body)

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        changes = {k: prop_diff[k] for k in ("description", "enabled") if k in prop_diff}
        if prop_diff.get("parent_region"):
            changes["parent_region_id"] = self.find_id("regions", prop_diff["parent_region"])
        self.update_entity(changes)
        self.properties = dict(new_properties)


RESOURCE_TYPES = {KeystoneRegion.type_name: KeystoneRegion}
