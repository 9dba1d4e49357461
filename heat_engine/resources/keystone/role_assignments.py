"""OS::Keystone::UserRoleAssignment and OS::Keystone::GroupRoleAssignment, and the
``roles`` property that OS::Keystone::User and OS::Keystone::Group share with them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions

from common import exception
from heat_engine.resources import schema as s
from heat_engine.resources.keystone.client import KeystoneResource, support

ROLES, ROLE, PROJECT, DOMAIN = "roles", "role", "project", "domain"
# one assignment, by ids: (role, "projects" or "domains", target)
Assignment = tuple[str, str, str]

ROLES_SCHEMA = {
    ROLES: s.Schema(
        s.LIST,
        "List of role assignments.",
        schema={
            ROLE: s.Schema(
                s.STRING,
                "Keystone role.",
                required=True,
                constraints=(s.CustomConstraint("keystone.role"),),
            ),
            PROJECT: s.Schema(
                s.STRING,
                "Keystone project.",
                constraints=(s.CustomConstraint("keystone.project"),),
            ),
            DOMAIN: s.Schema(
                s.STRING,
                "Keystone domain.",
                constraints=(s.CustomConstraint("keystone.domain"),),
            ),
        },
        update_allowed=True,
    )
}


def check_roles(values: Mapping[str, Any], name: str) -> None:
    """Each assignment names exactly one of project and domain, as upstream requires."""
    for index, assignment in enumerate(values.get(ROLES) or []):
        where = f"resources.{name}.properties.{ROLES}[{index}]"
        if assignment.get(PROJECT) is not None and assignment.get(DOMAIN) is not None:
            conflict = exception.ResourcePropertyConflict(props=f"{PROJECT}, {DOMAIN}")
            raise exception.StackValidationFailed(f"{where}: {conflict.message}")
        if assignment.get(PROJECT) is None and assignment.get(DOMAIN) is None:
            raise exception.StackValidationFailed(
                f"{where}: Either project or domain must be specified for role "
                f"{assignment.get(ROLE)}"
            )


class RoleAssignments(KeystoneResource):
    """Grants and revokes the ``roles`` of a user or group (``actor``)."""

    actor_kind = "users"  # or "groups"

    @classmethod
    def validate_properties(
        cls, values: Any, name: str, skip: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        checked = super().validate_properties(values, name, skip)
        if ROLES not in skip:
            check_roles(checked, name)
        return checked

    def assignments(self, roles: Iterable[Mapping[str, Any]] | None) -> set[Assignment]:
        """``roles`` with names resolved to ids."""
        out = set()
        for item in roles or []:
            role = self.find_id("roles", item[ROLE])
            if item.get(PROJECT) is not None:
                out.add((role, "projects", self.find_id("projects", item[PROJECT])))
            elif item.get(DOMAIN) is not None:
                out.add((role, "domains", self.find_id("domains", item[DOMAIN])))
        return out

    def _path(self, actor_id: str, assignment: Assignment) -> str:
        role, scope, target = assignment
        return f"/{scope}/{target}/{self.actor_kind}/{actor_id}/roles/{role}"

    def grant(self, actor_id: str, assignments: Iterable[Assignment]) -> None:
        for assignment in sorted(assignments):
            self.call("PUT", self._path(actor_id, assignment))

    def revoke(self, actor_id: str, assignments: Iterable[Assignment]) -> None:
        for assignment in sorted(assignments):
            with contextlib.suppress(ks_exceptions.NotFound):
                self.call("DELETE", self._path(actor_id, assignment))

    def update_roles(self, actor_id: str | None, prop_diff: Mapping[str, Any]) -> None:
        """Grant the assignments ``prop_diff`` adds and revoke those it drops."""
        if actor_id is None or ROLES not in prop_diff:
            return
        old = self.assignments(self.properties.get(ROLES))
        new = self.assignments(prop_diff[ROLES])
        self.grant(actor_id, new - old)
        self.revoke(actor_id, old - new)

    def revoke_all(self, actor_id: str | None) -> None:
        if actor_id is None:
            return
        # a role, project or domain already gone took its assignment with it
        with contextlib.suppress(exception.EntityNotFound):
            self.revoke(actor_id, self.assignments(self.properties.get(ROLES)))


class UserRoleAssignment(RoleAssignments):
    """Resource for granting roles to a user."""

    type_name = "OS::Keystone::UserRoleAssignment"
    support_status = support("5.0.0")
    properties_schema = {
        "user": s.Schema(
            s.STRING,
            "Name or id of keystone user.",
            required=True,
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.user"),),
        ),
        **ROLES_SCHEMA,
    }

    def _actor(self, value: str | None) -> str | None:
        try:
            return self.find_id("users", value) if value else None
        except exception.EntityNotFound:
            return None

    def handle_create(self) -> None:
        actor = self._actor(self.properties["user"])
        if actor is None:
            raise exception.EntityNotFound(entity="KeystoneUser", name=self.properties["user"])
        self.grant(actor, self.assignments(self.properties.get(ROLES)))

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        self.update_roles(self._actor(new_properties.get("user")), prop_diff)
        self.properties = dict(new_properties)

    def handle_delete(self) -> None:
        self.revoke_all(self._actor(self.properties.get("user")))


class GroupRoleAssignment(RoleAssignments):
    """Resource for granting roles to a group."""

    type_name = "OS::Keystone::GroupRoleAssignment"
    support_status = support("5.0.0")
    actor_kind = "groups"
    properties_schema = {
        "group": s.Schema(
            s.STRING,
            "Name or id of keystone group.",
            required=True,
            update_allowed=True,
            constraints=(s.CustomConstraint("keystone.group"),),
        ),
        **ROLES_SCHEMA,
    }

    def _actor(self, value: str | None) -> str | None:
        try:
            return self.find_id("groups", value) if value else None
        except exception.EntityNotFound:
            return None

    def handle_create(self) -> None:
        actor = self._actor(self.properties["group"])
        if actor is None:
            raise exception.EntityNotFound(entity="KeystoneGroup", name=self.properties["group"])
        self.grant(actor, self.assignments(self.properties.get(ROLES)))

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> None:
        self.update_roles(self._actor(new_properties.get("group")), prop_diff)
        self.properties = dict(new_properties)

    def handle_delete(self) -> None:
        self.revoke_all(self._actor(self.properties.get("group")))


RESOURCE_TYPES = {
    UserRoleAssignment.type_name: UserRoleAssignment,
    GroupRoleAssignment.type_name: GroupRoleAssignment,
}
