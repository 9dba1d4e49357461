"""OS::Keystone::Group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import name_or_physical, support
from heat_engine.resources.keystone.role_assignments import ROLES, ROLES_SCHEMA, RoleAssignments


class KeystoneGroup(RoleAssignments):
    """Heat Template Resource for Keystone Group.

    Groups are a container representing a collection of users. A group itself must be
    owned by a specific domain, and hence all group names are not globally unique, but
    only unique to their domain.
    """

    type_name = "OS::Keystone::Group"
    support_status = support("2015.1")
    collection = "groups"
    actor_kind = "groups"
    properties_schema = {
        "name": s.Schema(s.STRING, "Name of keystone group.", update_allowed=True),
        "domain": s.Schema(
            s.STRING,
            "Name or id of keystone domain.",
            default="default",
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.domain"),),
        ),
        "description": s.Schema(
            s.STRING, "Description of keystone group.", default="", update_allowed=True
        ),
        **ROLES_SCHEMA,
    }

    def handle_create(self) -> None:
        props = self.properties
        group_id = self.create_entity(
            {
                "name": name_or_physical(self, props.get("name")),
                "domain_id": self.find_id("domains", props["domain"]),
                "description": props.get("description") or "",
            }
        )
        self.grant(group_id, self.assignments(props.get(ROLES)))

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        changes: dict[str, Any] = {}
        if "name" in prop_diff:
            changes["name"] = name_or_physical(self, prop_diff["name"])
        if "description" in prop_diff:
            changes["description"] = prop_diff["description"]
        if "domain" in prop_diff:
            changes["domain_id"] = self.find_id("domains", prop_diff["domain"])
        self.update_entity(changes)
        self.update_roles(self.resource_id, prop_diff)
        self.properties = dict(new_properties)

    def handle_delete(self) -> None:
        super(RoleAssignments, self).handle_delete()  # its assignments go with it


RESOURCE_TYPES = {KeystoneGroup.type_name: KeystoneGroup}
