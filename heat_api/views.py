"""Engine data to Heat's JSON shapes: key order, links, and the fields each view shows."""

from __future__ import annotations

from typing import Any

import falcon

STACK_SHOW_KEYS = (
    "stack_name",
    "id",
    "links",
    "creation_time",
    "updated_time",
    "deletion_time",
    "notification_topics",
    "parameters",
    "description",
    "template_description",
    "capabilities",
    "disable_rollback",
    "timeout_mins",
    "stack_owner",
    "parent",
    "stack_user_project_id",
    "tags",
    "stack_status",
    "stack_status_reason",
    "outputs",
)
STACK_LIST_KEYS = (
    "id",
    "links",
    "project",
    "stack_name",
    "description",
    "stack_status",
    "stack_status_reason",
    "creation_time",
    "updated_time",
    "deletion_time",
    "stack_owner",
    "parent",
    "stack_user_project_id",
    "tags",
)
RESOURCE_KEYS = (
    "updated_time",
    "creation_time",
    "logical_resource_id",
    "resource_name",
    "physical_resource_id",
    "resource_status",
    "resource_status_reason",
    "resource_type",
    "links",
    "required_by",
    "description",
    "attributes",
)
EVENT_KEYS = (
    "id",
    "links",
    "event_time",
    "logical_resource_id",
    "resource_name",
    "physical_resource_id",
    "resource_status",
    "resource_status_reason",
    "resource_type",
    "resource_properties",
)


def base_url(req: falcon.Request) -> str:
    return req.prefix


def stack_url(req: falcon.Request, identity: dict[str, Any]) -> str:
    return (
        f"{base_url(req)}/v1/{identity['tenant']}/stacks/"
        f"{identity['stack_name']}/{identity['stack_id']}"
    )


def link(href: str, rel: str) -> dict[str, str]:
    return {"href": href, "rel": rel}


def _ordered(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: data[k] for k in keys if k in data}


def stack(req: falcon.Request, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["links"] = [link(stack_url(req, data["stack_identity"]), "self")]
    return _ordered(data, STACK_SHOW_KEYS)


def stack_summaries(
    req: falcon.Request, stacks: list[dict[str, Any]], with_project: bool
) -> list[dict[str, Any]]:
    """A stack list's entries with the keys of ``STACK_LIST_KEYS`` in that order;
    ``project`` only ``with_project`` (for administrators, as upstream).

    One literal per stack: GET /stacks may show hundreds on every call.
    """
    prefix = f"{base_url(req)}/v1/"
    shown = []
    for data in stacks:
        identity = data["stack_identity"]
        href = (
            f"{prefix}{identity['tenant']}/stacks/{identity['stack_name']}/{identity['stack_id']}"
        )
        entry = {
            "id": data["id"],
            "links": [{"href": href, "rel": "self"}],
            "project": data["project"],
            "stack_name": data["stack_name"],
            "description": data["description"],
            "stack_status": data["stack_status"],
            "stack_status_reason": data["stack_status_reason"],
            "creation_time": data["creation_time"],
            "updated_time": data["updated_time"],
            "deletion_time": data["deletion_time"],
            "stack_owner": data["stack_owner"],
            "parent": data["parent"],
            "stack_user_project_id": data["stack_user_project_id"],
            "tags": data["tags"],
        }
        if not with_project:
            del entry["project"]
        shown.append(entry)
    return shown


def resource(req: falcon.Request, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    url = stack_url(req, data["stack_identity"])
    data["links"] = [link(f"{url}/resources/{data['resource_name']}", "self"), link(url, "stack")]
    return _ordered(data, RESOURCE_KEYS)


def event(req: falcon.Request, data: dict[str, Any], detail: bool = False) -> dict[str, Any]:
    """An event; the type and properties only in the single-event view, as upstream."""
    data = dict(data)
    if not detail:
        data.pop("resource_type", None)
        data.pop("resource_properties", None)
    url = stack_url(req, data["stack_identity"])
    res_url = f"{url}/resources/{data['resource_name']}"
    data["links"] = [
        link(f"{res_url}/events/{data['id']}", "self"),
        link(res_url, "resource"),
        link(url, "stack"),
    ]
    return _ordered(data, EVENT_KEYS)
