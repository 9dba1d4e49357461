"""OS::Keystone::Project."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import KeystoneResource, name_or_physical, support


class KeystoneProject(KeystoneResource):
    """Heat Template Resource for Keystone Project.

    Projects represent the base unit of ownership in OpenStack, in that all resources in
    OpenStack should be owned by a specific project. A project itself must be owned by a
    specific domain, and hence all project names are not globally unique, but unique to
    their domain. If the domain for a project is not specified, then it is added to the
    default domain.
    """

    type_name = "OS::Keystone::Project"
    support_status = support("2015.1")
    collection = "projects"
    properties_schema = {
        "name": s.Schema(s.STRING, "Name of keystone project.", update_allowed=True),
        "domain": s.Schema(
            s.STRING,
            "Name or id of keystone domain.",
            default="default",
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.domain"),),
        ),
        "description": s.Schema(
            s.STRING, "Description of keystone project.", default="", update_allowed=True
        ),
        "enabled": s.Schema(
            s.BOOLEAN, "This project is enabled or disabled.", default=True, update_allowed=True
        ),
        "parent": s.Schema(
            s.STRING,
            "The name or ID of parent of this keystone project in hierarchy.",
            constraints=(s.CustomConstraint("keystone.project"),),
            support_status=s.SupportStatus(version="6.0.0"),
        ),
        "tags": s.Schema(
            s.LIST,
            "A list of tags for labeling and sorting projects.",
            default=[],
            update_allowed=True,
            support_status=s.SupportStatus(version="10.0.0"),
        ),
    }
    attributes_schema = {
        "name": s.Attribute("Project name.", s.STRING, s.SupportStatus(version="10.0.0")),
        "parent_id": s.Attribute("Parent project id.", s.STRING, s.SupportStatus(version="10.0.0")),
        "domain_id": s.Attribute(
            "Domain id for project.", s.STRING, s.SupportStatus(version="10.0.0")
        ),
        "enabled": s.Attribute(
            "Flag of enable project.", s.BOOLEAN, s.SupportStatus(version="10.0.0")
        ),
        "is_domain": s.Attribute(
            "Indicates whether the project also acts as a domain.",
            s.BOOLEAN,
            s.SupportStatus(version="10.0.0"),
        ),
    }

    def handle_create(self) -> None:
        props = self.properties
        body: dict[str, Any] = {
            "name": name_or_physical(self, props.get("name")),
            "domain_id": self.find_id("domains", props["domain"]),
            "description": props.get("description") or "",
            "enabled": props.get("enabled", True),
            "tags": list(props.get("tags") or []),
        }
        if props.get("parent"):
            body["parent_id"] = self.find_id("projects", props["parent"])
        self.create_entity(body)

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        changes: dict[str, Any] = {}
        if "name" in prop_diff:
            changes["name"] = name_or_physical(self, prop_diff["name"])
        for key in ("description", "enabled"):
            if key in prop_diff:
                changes[key] = prop_diff[key]
        if "tags" in prop_diff:
            changes["tags"] = list(prop_diff["tags"] or [])
        if "domain" in prop_diff:
            changes["domain_id"] = self.find_id("domains", prop_diff["domain"])
        self.update_entity(changes)
        self.properties = dict(new_properties)


RESOURCE_TYPES = {KeystoneProject.type_name: KeystoneProject}
