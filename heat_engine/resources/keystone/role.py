"""OS::Keystone::Role."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import KeystoneResource, name_or_physical, support


class KeystoneRole(KeystoneResource):
    """Heat Template Resource for Keystone Role.

    Roles dictate the level of authorization the end user can obtain. Roles can be granted
    at either the domain or project level. Role can be assigned to the individual user or
    at the group level. Role name is unique within the owning domain.
    """

    type_name = "OS::Keystone::Role"
    support_status = support("2015.1")
    collection = "roles"
    properties_schema = {
        "name": s.Schema(s.STRING, "Name of keystone role.", update_allowed=True),
        "domain": s.Schema(
            s.STRING,
            "Name or id of keystone domain.",
            constraints=(s.CustomConstraint("keystone.domain"),),
            support_status=s.SupportStatus(version="10.0.0"),
        ),
    }

    def handle_create(self) -> None:
        body: dict[str, Any] = {"name": name_or_physical(self, self.properties.get("name"))}
        if self.properties.get("domain"):
            body["domain_id"] = self.find_id("domains", self.properties["domain"])
        self.create_entity(body)

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        if "name" in prop_diff:
            self.update_entity({"name": name_or_physical(self, prop_diff["name"])})
        self.properties = dict(new_properties)


RESOURCE_TYPES = {KeystoneRole.type_name: KeystoneRole}
