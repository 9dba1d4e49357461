"""OS::Keystone::User."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions

from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import name_or_physical, support
from heat_engine.resources.keystone.role_assignments import ROLES, ROLES_SCHEMA, RoleAssignments

SCALARS = ("description", "enabled", "email", "password")


class KeystoneUser(RoleAssignments):
    """Heat Template Resource for Keystone User.

    Users represent an individual API consumer. A user itself must be owned by a specific
    domain, and hence all user names are not globally unique, but only unique to their
    domain.
    """

    type_name = "OS::Keystone::User"
    support_status = support("2015.1")
    collection = "users"
    properties_schema = {
        "name": s.Schema(s.STRING, "Name of keystone user.", update_allowed=True),
        "domain": s.Schema(
            s.STRING,
            "Name or ID of keystone domain.",
            default="default",
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.domain"),),
        ),
        "description": s.Schema(
            s.STRING, "Description of keystone user.", default="", update_allowed=True
        ),
        "enabled": s.Schema(
            s.BOOLEAN, "Keystone user is enabled or disabled.", default=True, update_allowed=True
        ),
        "email": s.Schema(s.STRING, "Email address of keystone user.", update_allowed=True),
        "password": s.Schema(s.STRING, "Password of keystone user.", update_allowed=True),
        "default_project": s.Schema(
            s.STRING,
            "Name or ID of default project of keystone user.",
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.project"),),
        ),
        "groups": s.Schema(
            s.LIST,
            "Keystone user groups.",
            update_allowed=True,
            schema=s.Schema(
                s.STRING,
                "Keystone user group.",
                constraints=(s.CustomConstraint("keystone.group"),),
            ),
        ),
        **ROLES_SCHEMA,
    }
    attributes_schema = {
        "name": s.Attribute("User name.", s.STRING, s.SupportStatus(version="9.0.0")),
        "default_project_id": s.Attribute(
            "Default project id for user.", s.STRING, s.SupportStatus(version="9.0.0")
        ),
        "domain_id": s.Attribute("Domain id for user.", s.STRING, s.SupportStatus(version="9.0.0")),
        "enabled": s.Attribute("Flag of enable user.", s.BOOLEAN, s.SupportStatus(version="9.0.0")),
        "password_expires_at": s.Attribute(
            "Show user password expiration time.", s.STRING, s.SupportStatus(version="9.0.0")
        ),
    }

    def _groups(self, names: list[str] | None) -> set[str]:
        return {self.find_id("groups", g) for g in names or []}

    def _join(self, groups: set[str], method: str) -> None:
        for group in sorted(groups):
            try:
                self.call(method, f"/groups/{group}/users/{self.resource_id}")
            except ks_exceptions.NotFound:
                if method != "DELETE":
                    raise

    def handle_create(self) -> None:
        props = self.properties
        body: dict[str, Any] = {
            "name": name_or_physical(self, props.get("name")),
            "domain_id": self.find_id("domains", props["domain"]),
            "description": props.get("description") or "",
            "enabled": props.get("enabled", True),
        }
        for key in ("email", "password"):
            if props.get(key) is not None:
                body[key] = props[key]
        if props.get("default_project"):
            body["default_project_id"] = self.find_id("projects", props["default_project"])
        user_id = self.create_entity(body)
        self._join(self._groups(props.get("groups")), "PUT")
        self.grant(user_id, self.assignments(props.get(ROLES)))

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        changes = {k: prop_diff[k] for k in SCALARS if k in prop_diff}
        if "name" in prop_diff:
            changes["name"] = name_or_physical(self, prop_diff["name"])
        if "domain" in prop_diff:
            changes["domain_id"] = self.find_id("domains", prop_diff["domain"])
        if prop_diff.get("default_project"):
            changes["default_project_id"] = self.find_id("projects", prop_diff["default_project"])
        self.update_entity(changes)
        if "groups" in prop_diff:
            old, new = (
                self._groups(self.properties.get("groups")),
                self._groups(prop_diff["groups"]),
            )
            self._join(new - old, "PUT")
            self._join(old - new, "DELETE")
        self.update_roles(self.resource_id, prop_diff)
        self.properties = dict(new_properties)

    def handle_delete(self) -> None:
        # deleting the user takes its group memberships and role assignments with it
        super(RoleAssignments, self).handle_delete()


RESOURCE_TYPES = {KeystoneUser.type_name: KeystoneUser}
